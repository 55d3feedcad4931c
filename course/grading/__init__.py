"""The autograder: a registry of checks, sandboxed part processes, and a trusted judge.

The parent process chooses every input, runs the student's code only in sandboxed
child processes (one per part), and decides each check by comparing what the children
return with its own oracle (Keras' LSTM). The package is grouped by role:

- :mod:`course.grading.checking`: what is checked (checks, probes, judges, oracle,
  grader-owned stand-ins, static rules, inputs);
- :mod:`course.grading.running`: how student code runs (the bubblewrap sandbox, the
  runner, the worker in the sandbox, the child, the guards, the batch worker and its fence);
- :mod:`course.grading.outputs`: what comes out (gradebook, reports, Gradescope, the
  student release).

Two modules tie them together: :mod:`course.grading.core` grades one submission and
:mod:`course.grading.batch` grades many (with :mod:`course.grading.batch_submission`
finding them). :mod:`course.grading.intake` takes each submission in (one set of limits,
one error type) and :mod:`course.grading.limits` holds every grading limit and default.
"""
