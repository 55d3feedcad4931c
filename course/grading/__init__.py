"""The autograder: a registry of checks, per-part child processes, and a trusted judge.

The parent process chooses every input, runs the student's code only in child
processes (one per part), and decides each check by comparing what the children
return with its own oracle (Keras' LSTM). See :mod:`course.grading.core`.
"""
