"""Leave a process without Python's teardown once TensorFlow is loaded.

Measured on the 2-core AMD EPYC machine (``python -c "import tensorflow, keras"``): the
interpreter spends 0.85 s *after* the last line, freeing TensorFlow's modules and
extension objects; with the garbage collector off it is still 0.71 s, and clearing the
``atexit`` handlers changes nothing. Every grading process that imported TensorFlow (the
CLI, the grading worker, a part child, a batch worker) paid that on the student's or instructor's
wait. :func:`exit_skipping_teardown` flushes the standard streams and ends the process
at once with :func:`os._exit`; files and folders must already be closed and removed,
which every caller does in ``with`` blocks before it returns its code.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn


def exit_skipping_teardown(code: int | None) -> NoReturn:
    """End the process with ``code``, skipping the interpreter's teardown if TensorFlow is loaded.

    Without TensorFlow there is nothing slow to skip, so the process exits normally
    (``atexit`` handlers and all).

    Args:
        code: int or None (0), the exit status.
    """
    code = int(code or 0)
    if "tensorflow" not in sys.modules:
        raise SystemExit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed or broken stream: nothing more to say on it
            pass
    os._exit(code)
