"""Nothing the watcher started outlives it: its grading processes end with it, whatever they run.

The grading processes run in sessions of their own (so that the terminal's Ctrl-C reaches the
watcher, not a child in the middle of its probes), which means Ctrl-C does not reach them.
The runner ends each one at its timeout; when the watcher stops first, :func:`end_all` does:

- the watcher is made a *child subreaper* (:func:`course.grading.running.process.become_subreaper`), so a process
  that a grading child detaches (a double fork) is re-parented to the watcher, not to init,
  and stays among its descendants;
- on the way out every descendant is killed (``SIGKILL``, stopped first so none forks
  meanwhile), sweep after sweep, until the grading thread has returned and no descendant is
  left, and the zombies are reaped.

bubblewrap's sandboxes die with their parent (``--die-with-parent``) and take their pid
namespace along; the runner also sweeps each task's own uid and, outside bubblewrap, the
worker's session (:func:`course.grading.running.process.kill_leftovers`).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable

import psutil

def descendants() -> list[psutil.Process]:
    """Every living process below this one (zombies left out: they run nothing).

    Returns:
        list of psutil.Process.
    """
    alive = []
    for process in psutil.Process().children(recursive=True):
        try:
            if process.status() != psutil.STATUS_ZOMBIE:
                alive.append(process)
        except psutil.Error:
            pass
    return alive


def kill_descendants() -> int:
    """Stop, then kill, every living descendant.

    Returns:
        int, how many were found.
    """
    found = descendants()
    for sig in (signal.SIGSTOP, signal.SIGKILL):
        for process in found:
            try:
                process.send_signal(sig)
            except psutil.Error:
                pass
    return len(found)


def reap_zombies() -> int:
    """Collect the exit status of every ended child (call only once no thread waits for its own).

    Returns:
        int, how many were reaped.
    """
    reaped = 0
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return reaped
        if pid == 0:
            return reaped
        reaped += 1


def end_all(done: Callable[[], bool], *, seconds: float = 20.0, pause: float = 0.05) -> bool:
    """Kill every descendant until ``done()`` and none is left, then reap them.

    Args:
        done: callable, whether the work that may still start processes (the grading thread) has ended.
        seconds: float, the longest time to keep sweeping.
        pause: float, seconds between sweeps.

    Returns:
        bool, whether everything ended within ``seconds``.
    """
    deadline = time.monotonic() + seconds
    while True:
        killed = kill_descendants()
        if (done() and not killed) or time.monotonic() > deadline:
            break
        time.sleep(pause)
    if done():
        reap_zombies()
    return done() and not descendants()
