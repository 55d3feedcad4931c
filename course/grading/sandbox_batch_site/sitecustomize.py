"""Installs :mod:`course.grading.sandbox_batch_guard` at start-up in every process of a submission.

The batch grader puts this folder first on ``PYTHONPATH`` for its worker and everything
the worker starts; Python imports ``sitecustomize`` automatically. It loads the guard
by file path, so it works before (and without) ``course`` being importable.
"""

from __future__ import annotations

import importlib.util
import os

_spec = importlib.util.spec_from_file_location(
    "_lstm_course_guard", os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                       "sandbox_batch_guard.py"))
if _spec is not None and _spec.loader is not None:
    _guard = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_guard)
    _guard.install_from_environment()
