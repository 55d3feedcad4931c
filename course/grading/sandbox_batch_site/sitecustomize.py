"""Keep the reference solution out of student code's reach while a batch is graded.

The batch grader puts this folder first on ``PYTHONPATH`` for the grading worker and
everything it starts, so every Python process of a submission runs this file at start-up
(Python imports ``sitecustomize`` automatically). It installs an *audit hook*
(:pep:`578`), which no Python code can remove afterwards, in every process except the
trusted worker itself:

- opening any file under a guarded folder (``LSTM_COURSE_GUARD_ROOTS``, the repository's
  ``solutions/``), however the path is spelled (relative, through a symbolic link), and
  importing a module named ``solutions``, raise ``PermissionError``/``ImportError``;
- starting a program (``subprocess``, ``os.system``, ``os.exec*``, ``os.posix_spawn``)
  raises ``PermissionError``, so student code cannot start a fresh interpreter without
  this hook.

The worker is recognised by its parent (the batch process, ``LSTM_COURSE_BATCH_PID``) and
its own pid, so a process forked from it is guarded too. Nothing happens when the
variables are not set.
"""

from __future__ import annotations

import os
import sys

_ROOTS = tuple(os.path.realpath(r) for r in os.environ.get("LSTM_COURSE_GUARD_ROOTS", "").split(os.pathsep) if r)
_SPAWN_EVENTS = frozenset({"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "pty.spawn"})


def _is_guarded(path: object) -> bool:
    """Whether ``path`` names a file or folder inside a guarded folder.

    Args:
        path: str, bytes or path-like (file descriptors are never guarded).

    Returns:
        True when the resolved path lies inside one of the roots.
    """
    if isinstance(path, int):
        return False
    try:
        real = os.path.realpath(os.fsdecode(os.fspath(path)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return any(real == root or real.startswith(root + os.sep) for root in _ROOTS)


def _install(worker_pid: int) -> None:
    """Install the audit hook.

    Args:
        worker_pid: int, the trusted worker's pid (0 when this process is not the worker).
    """

    def hook(event: str, args: tuple) -> None:
        """Refuse guarded files, the ``solutions`` package, and new programs.

        Args:
            event: str, the audit event.
            args: tuple, its arguments.
        """
        if worker_pid and os.getpid() == worker_pid:
            return
        if event == "open" and args and _is_guarded(args[0]):
            raise PermissionError(f"the reference solution is not available while grading: {args[0]}")
        if event in ("os.listdir", "os.scandir", "os.chdir") and args and _is_guarded(args[0]):
            raise PermissionError(f"the reference solution is not available while grading: {args[0]}")
        if event == "import" and args and str(args[0]).split(".")[0] == "solutions":
            raise ImportError("the reference solution is not available while grading")
        if event in _SPAWN_EVENTS:
            raise PermissionError("starting other programs is not allowed while grading")

    sys.addaudithook(hook)


if _ROOTS:
    _batch = os.environ.get("LSTM_COURSE_BATCH_PID", "")
    _install(os.getpid() if _batch and os.getppid() == int(_batch) else 0)
