"""Which operating systems the course runs on, and what differs on each.

- **Linux** is the reference: grading runs in the sandbox (:mod:`course.grading.running.sandbox`).
- **macOS** runs ``lstm-course check`` and the chapters, without a sandbox: there is no
  bubblewrap on macOS, so a student's own code runs as the student (it is their code, on
  their machine). macOS makes ``fork()`` unsafe once a process has started threads or used
  Apple's frameworks, and importing TensorFlow does both, so the grader never forks after
  it there: each part gets a fresh Python in a sandbox of its own, never a forking worker
  (:func:`course.grading.running.runner.forks`).
- **Windows** is not supported natively (the grader needs POSIX process groups, signals
  and resource limits). Every command says so in one line and points to WSL2, where the
  Linux path works.

The functions take the platform as arguments (defaults: this process's), so tests can
ask about any system from any system.
"""

from __future__ import annotations

import os
import sys

#: Where Windows users go instead.
WSL_URL = "https://learn.microsoft.com/windows/wsl/install"


def is_windows(platform: str | None = None, os_name: str | None = None) -> bool:
    """Whether this is native Windows (not WSL2, which reports Linux).

    Args:
        platform: str or None, ``sys.platform`` (default: this process's).
        os_name: str or None, ``os.name`` (default: this process's).

    Returns:
        bool.
    """
    platform = sys.platform if platform is None else platform
    os_name = os.name if os_name is None else os_name
    return os_name == "nt" or platform in ("win32", "cygwin", "msys")


def is_macos(platform: str | None = None) -> bool:
    """Whether this is macOS.

    Args:
        platform: str or None, ``sys.platform`` (default: this process's).

    Returns:
        bool.
    """
    return (sys.platform if platform is None else platform) == "darwin"


def unsupported_message(platform: str | None = None, os_name: str | None = None) -> str | None:
    """The one line to print instead of running, on a system the course does not run on.

    Args:
        platform: str or None, ``sys.platform`` (default: this process's).
        os_name: str or None, ``os.name`` (default: this process's).

    Returns:
        str on native Windows, else None.
    """
    if is_windows(platform, os_name):
        return ("lstm-course runs on Linux and macOS, not natively on Windows: install WSL2 "
                f"({WSL_URL}), open an Ubuntu terminal and run it there.")
    return None


def can_fork_after_tensorflow(platform: str | None = None) -> bool:
    """Whether a process that imported TensorFlow may ``fork()`` and go on running Python.

    Args:
        platform: str or None, ``sys.platform`` (default: this process's).

    Returns:
        bool: True on Linux; False on macOS (its frameworks and TensorFlow's threads make a
        forked child unsafe) and anywhere else.
    """
    return (sys.platform if platform is None else platform).startswith("linux")


def no_sandbox_warning(reason: str, platform: str | None = None) -> str:
    """The warning ``lstm-course check`` prints once when the student's code runs without a sandbox.

    Args:
        reason: str, why no sandbox could start (from :class:`course.grading.running.sandbox.Sandbox`).
        platform: str or None, ``sys.platform`` (default: this process's).

    Returns:
        str, one sentence.
    """
    if is_macos(platform):
        reason = "macOS has no bubblewrap sandbox"
    return (f"your code runs without a sandbox ({reason}); it can read and change your files like any "
            "program you start.")
