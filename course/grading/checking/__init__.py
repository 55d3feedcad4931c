"""What is checked: the registry of checks (:mod:`~course.grading.checking.checks`), one module per
run part holding its inputs, probe and verdicts (:mod:`~course.grading.checking.parts`), how verdicts
are run (:mod:`~course.grading.checking.judges`), the Keras oracle, the grader-owned stand-ins and
the static rules."""
