"""The watch loop: grade once, then after each save regrade what it touched, until Ctrl-C.

Grading runs in a background thread, so the main thread stays free for Ctrl-C (and
``SIGTERM``/``SIGHUP``, treated alike) at any moment, even while a part hangs: then the
grader is closed and every process it started is killed (:mod:`course.watch.reaper`)
before the command returns. A part that hangs, crashes or exits costs that part's checks,
as in ``check`` (its timeout, or ``--part-timeout``), and the watcher goes on watching.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from course.grading.intake import InvalidSubmission, package_root
from course.grading.running.process import become_subreaper
from course.watch import files, reaper, render, scope
from course.watch.grader import WatchGrader
from course.watch.standing import Standing


class Background:
    """Run one call at a time in a daemon thread; wait for it in a way Ctrl-C can interrupt.

    The call's end is an Event of its own, not ``Thread.is_alive``: on Python 3.11 a
    ``Thread.join`` cut short by Ctrl-C can leave the thread marked stopped while it still runs
    (the fix of bpo-45274 releases the running thread's own lock), and the watcher would then
    exit in the middle of a grading, leaving its folders behind.
    """

    def __init__(self) -> None:
        """No call yet."""
        self.finished: threading.Event | None = None

    def run(self, function: Callable[..., Any], *args: Any) -> Any:
        """Call ``function(*args)`` in the background and wait for its result.

        Args:
            function: callable.
            *args: its arguments.

        Returns:
            What it returned.

        Raises:
            BaseException: what it raised; KeyboardInterrupt while waiting (the call goes on).
        """
        outcome: dict[str, Any] = {}
        finished = self.finished = threading.Event()

        def call() -> None:
            try:
                outcome["value"] = function(*args)
            except BaseException as error:  # noqa: BLE001 - handed to the waiting thread
                outcome["error"] = error
            finally:
                finished.set()

        threading.Thread(target=call, name="watch-grading", daemon=True).start()
        while not finished.wait(0.1):
            pass
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    def idle(self) -> bool:
        """Whether no call is running.

        Returns:
            bool.
        """
        return self.finished is None or self.finished.is_set()


@contextlib.contextmanager
def stops_as_interrupt() -> Iterator[None]:
    """Make ``SIGINT`` (Ctrl-C), ``SIGTERM`` and ``SIGHUP`` raise KeyboardInterrupt, so that each stops the watcher cleanly.

    ``SIGINT`` gets Python's own handler back even where the watcher was started with it
    ignored (a background job of a script), so that Ctrl-C always reaches it.

    Yields:
        Nothing.
    """
    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def interrupts_ignored() -> Iterator[None]:
    """Ignore ``SIGINT``, ``SIGTERM`` and ``SIGHUP`` for a block.

    Yields:
        Nothing.
    """
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _root(folder: Path) -> Path:
    """The folder's package root (where the exercise files are), or the folder while it holds none.

    Args:
        folder: Path.

    Returns:
        Path.
    """
    try:
        return package_root(folder)
    except InvalidSubmission:
        return folder


def watch(folder: Path, *, parts: tuple[str, ...] | None, seed: int, jobs: int,
          timeouts: dict[str, float] | None, console: Any) -> int:
    """Watch a submission folder and regrade on every save until interrupted.

    Args:
        folder: Path, the submission folder.
        parts: tuple of str or None, the run parts to grade (None: all).
        seed: int, the inputs' seed for the whole session.
        jobs: int, part children at once.
        timeouts: dict of part to seconds, or None (each part's own limit).
        console: rich Console.

    Returns:
        0 once stopped.
    """
    selected = scope.ordered(parts)
    become_subreaper()  # a process a grading child detaches stays the watcher's to kill (reaper.end_all)
    background = Background()
    grader = WatchGrader(folder, seed=seed, jobs=jobs, timeouts=timeouts)
    try:
        with stops_as_interrupt():
            _loop(folder, selected, grader, background, console)
    except KeyboardInterrupt:
        pass
    finally:
        with interrupts_ignored():  # a second Ctrl-C must not cut the clean-up short
            grader.close()  # the runner kills its worker, a run in progress (a part that hangs) included
            clean = reaper.end_all(background.idle)  # and anything that escaped it, until the grading returned
        console.print("Stopped watching." + ("" if clean else " [red]Some grading processes did not end.[/]"))
        console.file.flush()
    return 0


def _loop(folder: Path, selected: tuple[str, ...], grader: WatchGrader, background: Background,
          console: Any) -> None:
    """Grade everything once, then regrade after each save; returns only by an exception.

    Args:
        folder: Path, the submission folder.
        selected: tuple of str, the run parts graded.
        grader: WatchGrader.
        background: Background, where gradings run.
        console: rich Console.
    """
    standing = Standing()
    render.banner(console, str(folder), selected, grader.seed)
    root = _root(folder)
    snapshot, tree = files.take(root), files.tree(folder)
    with _busy(console, f"Grading {', '.join(selected)}..."):
        report = standing.update(background.run(grader.grade, selected), root)
    render.whole(console, report, selected)
    console.file.flush()
    while True:
        if report.status == "invalid":  # no package yet, or a link in it: any change anywhere may fix that
            tree, first_seen = files.wait_for_tree_change(folder, tree)
            root, before = _root(folder), snapshot
            snapshot = files.take(root)
            edited, regrade = files.changed(before, snapshot) or {folder.name}, selected
        else:
            snapshot, edited, first_seen = files.wait_for_change(root, snapshot)
            tree = files.tree(folder)
            regrade = scope.parts_to_regrade(edited, root, selected, student_stack=standing.student_stack())
        render.saved(console, edited, regrade)
        for group in _groups(regrade, edited):
            with _busy(console, f"Grading {', '.join(group) or 'rules and answers'}..."):
                report = standing.update(background.run(grader.grade, group), root)
            render.part_verdicts(console, report, group, time.monotonic() - first_seen)
            console.file.flush()
        render.whole(console, report, selected, time.monotonic() - first_seen)
        console.file.flush()


def _groups(regrade: tuple[str, ...], edited: set[str]) -> list[tuple[str, ...]]:
    """The gradings a save needs, in order: the parts whose own file changed, then the others.

    Args:
        regrade: tuple of str, the run parts to regrade (:func:`course.watch.scope.parts_to_regrade`).
        edited: set of str, the files whose content changed.

    Returns:
        list of tuples of run parts, none empty; ``[()]`` (rules and answers only) when no run part is concerned.
    """
    own = tuple(p for p in regrade if scope.OWN_FILE[p] in edited) or regrade
    rest = tuple(p for p in regrade if p not in own)
    return [group for group in (own, rest) if group] or [()]


@contextlib.contextmanager
def _busy(console: Any, message: str) -> Iterator[None]:
    """A spinner while grading, on a terminal only (a log gets the results, not the spinner).

    Args:
        console: rich Console.
        message: str.

    Yields:
        Nothing.
    """
    if console.is_terminal:
        with console.status(message):
            yield
    else:
        yield
