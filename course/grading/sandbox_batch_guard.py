"""An audit hook that keeps the reference solution out of student code's reach.

:func:`install` adds a :pep:`578` audit hook, which no Python code can remove
afterwards. In every process it guards:

- opening any file or listing any folder under a guarded root (the repository's
  ``solutions/``), however the path is spelled (relative, through a symbolic link),
  and importing a module named ``solutions``, raise ``PermissionError``/``ImportError``;
- starting a program (``subprocess``, ``os.system``, ``os.exec*``, ``os.posix_spawn``)
  raises ``PermissionError``, so student code cannot start a fresh interpreter without
  the hook.

The batch grader installs it in every Python process below its worker through
``sandbox_batch_site/sitecustomize.py``; a grading child started with ``python -I``
(which ignores ``PYTHONPATH``) must call :func:`install` itself before it imports
student code.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable

_SPAWN_EVENTS = frozenset({"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "pty.spawn"})
_PATH_EVENTS = frozenset({"open", "os.listdir", "os.scandir", "os.chdir"})


def _is_guarded(path: object, roots: tuple[str, ...]) -> bool:
    """Whether ``path`` names a file or folder inside a guarded root.

    Args:
        path: str, bytes or path-like (file descriptors are never guarded).
        roots: tuple of str, resolved guarded folders.

    Returns:
        True when the resolved path lies inside one of the roots.
    """
    if isinstance(path, int):
        return False
    try:
        real = os.path.realpath(os.fsdecode(os.fspath(path)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return any(real == root or real.startswith(root + os.sep) for root in roots)


def install(roots: Iterable[str | os.PathLike], *, exempt_pid: int = 0, allow_spawn: bool = False) -> None:
    """Install the audit hook in this process (and, through fork, its children).

    Args:
        roots: folders no code may open, list or import from.
        exempt_pid: int, a process the hook leaves alone (the trusted worker); a process
            forked from it has another pid and is guarded.
        allow_spawn: bool, let guarded processes start programs.
    """
    guarded = tuple(os.path.realpath(os.fspath(r)) for r in roots)

    def hook(event: str, args: tuple) -> None:
        """Refuse guarded files, the ``solutions`` package, and new programs.

        Args:
            event: str, the audit event.
            args: tuple, its arguments.
        """
        if exempt_pid and os.getpid() == exempt_pid:
            return
        if event in _PATH_EVENTS and args and _is_guarded(args[0], guarded):
            raise PermissionError(f"the reference solution is not available while grading: {args[0]}")
        if event == "import" and args and str(args[0]).split(".")[0] == "solutions":
            raise ImportError("the reference solution is not available while grading")
        if event in _SPAWN_EVENTS and not allow_spawn:
            raise PermissionError("starting other programs is not allowed while grading")

    sys.addaudithook(hook)


def install_from_environment() -> None:
    """Install the hook when ``LSTM_COURSE_GUARD_ROOTS`` is set (used by ``sitecustomize``).

    The trusted worker is recognised as the direct child of ``LSTM_COURSE_BATCH_PID``
    and exempted; nothing happens when the variable is unset.
    """
    roots = [r for r in os.environ.get("LSTM_COURSE_GUARD_ROOTS", "").split(os.pathsep) if r]
    if not roots:
        return
    batch = os.environ.get("LSTM_COURSE_BATCH_PID", "")
    install(roots, exempt_pid=os.getpid() if batch and os.getppid() == int(batch) else 0)
