"""What a submission folder holds now, and waiting until the student saves a change.

The watcher polls: every :data:`POLL_SECONDS` it stats the files the grader copies
(:data:`WATCHED_SUFFIXES`, at the package root), and reads and hashes only a file whose
size, modification time or inode moved. Polling a handful of files costs nothing, needs no
library, and sees every way editors save (in place, or a new file renamed over the old).

While the folder cannot be graded at all (no exercise file yet, or a symbolic link in it),
:func:`wait_for_tree_change` watches the whole folder instead, more slowly: the fix may be
anywhere (a new subfolder holding the package, a link removed).

A save is often a burst: an editor truncates, writes, renames, and a formatter on save
rewrites the file again. :func:`wait_for_change` therefore waits until the folder has been
quiet for :data:`SETTLE_SECONDS` (at most :data:`MAX_SETTLE_SECONDS` after the first
change), and reports only files whose *content* differs from what was last graded: a save
without an edit regrades nothing.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

#: Files the grading child receives (:func:`course.grading.running.runner._copy` copies these).
WATCHED_SUFFIXES: tuple[str, ...] = (".py", ".md", ".txt", ".json", ".npz")
#: Seconds between two looks at the folder.
POLL_SECONDS = 0.05
#: Quiet seconds after the last change before a save counts as finished.
SETTLE_SECONDS = 0.1
#: Longest wait for quiet after the first change (a file rewritten without end still gets graded).
MAX_SETTLE_SECONDS = 2.0
#: Seconds between two looks at the whole folder, while it cannot be graded.
TREE_POLL_SECONDS = 0.5
#: Most entries of the whole folder looked at (a folder with a virtual environment has thousands).
TREE_ENTRIES = 5_000


@dataclass
class Snapshot:
    """The watched files of a folder: each one's content digest, and the stat it was read at.

    Attributes:
        digests: dict of file name to the SHA-1 of its content.
        stats: dict of file name to ``(size, mtime_ns, inode)`` when it was hashed.
    """

    digests: dict[str, str] = field(default_factory=dict)
    stats: dict[str, tuple[int, int, int]] = field(default_factory=dict)


def _watched(path: Path) -> bool:
    """Whether a folder entry is a file the grader copies (not hidden, a watched suffix), or a link.

    Args:
        path: Path, an entry of the package root.

    Returns:
        bool: a link counts whatever its name, since the intake refuses a submission that holds one.
    """
    if path.is_symlink():
        return True
    return path.suffix in WATCHED_SUFFIXES and not path.name.startswith(".") and path.is_file()


def take(folder: Path, previous: Snapshot | None = None) -> Snapshot:
    """Look at the folder now, rereading only the files whose stat moved since ``previous``.

    Args:
        folder: Path, the package root.
        previous: Snapshot or None, the last look (None: hash every file).

    Returns:
        Snapshot. A file that vanishes or cannot be read between the listing and the read is
        left out (an editor replacing it); the next look finds it again.
    """
    snapshot = Snapshot()
    try:
        entries = sorted(folder.iterdir())
    except OSError:  # the folder itself is being replaced, or gone: it holds nothing now
        return snapshot
    for path in entries:
        if not _watched(path):
            continue
        try:
            info = path.lstat()
            stat = (info.st_size, info.st_mtime_ns, info.st_ino)
            if previous is not None and previous.stats.get(path.name) == stat:
                digest = previous.digests[path.name]
            elif path.is_symlink():  # never followed: where it points is what changed
                digest = f"link to {os.readlink(path)}"
            else:
                digest = hashlib.sha1(path.read_bytes()).hexdigest()
        except OSError:
            continue
        snapshot.digests[path.name] = digest
        snapshot.stats[path.name] = stat
    return snapshot


def changed(before: Snapshot, after: Snapshot) -> set[str]:
    """The files added, removed or edited between two snapshots.

    Args:
        before: Snapshot.
        after: Snapshot.

    Returns:
        set of file names.
    """
    names = set(before.digests) | set(after.digests)
    return {name for name in names if before.digests.get(name) != after.digests.get(name)}


def wait_for_change(folder: Path, graded: Snapshot, *, poll: float = POLL_SECONDS, settle: float = SETTLE_SECONDS,
                    max_settle: float = MAX_SETTLE_SECONDS,
                    clock: Callable[[], float] = time.monotonic) -> tuple[Snapshot, set[str], float]:
    """Block until a save changes the content of a watched file, and the folder is quiet again.

    Args:
        folder: Path, the package root.
        graded: Snapshot, the content last graded.
        poll: float, seconds between looks.
        settle: float, quiet seconds that end a burst of writes.
        max_settle: float, the longest wait for quiet after the first change.
        clock: callable giving monotonic seconds (tests replace it).

    Returns:
        ``(snapshot, changed files, when)``: the folder once quiet, the files whose content
        differs from ``graded`` (never empty), and the clock's time of the first change seen.
    """
    current = graded
    while True:
        time.sleep(poll)
        latest = take(folder, current)
        if not changed(current, latest):
            continue
        first = last = clock()
        current = latest
        while clock() - last < settle and clock() - first < max_settle:
            time.sleep(min(poll, settle))
            latest = take(folder, current)
            if changed(current, latest):
                current, last = latest, clock()
        edited = changed(graded, current)
        if edited:
            return current, edited, first
        # the burst ended where it began (a save without an edit): nothing to regrade



def tree(folder: Path) -> tuple[tuple[str, bool, int, int], ...]:
    """Every entry under a folder (the intake's ignored folders aside), with its kind, size and time.

    Args:
        folder: Path.

    Returns:
        tuple of ``(relative path, is a link, size, mtime_ns)``, sorted; at most :data:`TREE_ENTRIES`.
    """
    from course.grading.intake import IGNORED

    entries = []
    try:
        for path in folder.rglob("*"):
            relative = path.relative_to(folder)
            if IGNORED & set(relative.parts):
                continue
            try:
                info = path.lstat()
            except OSError:
                continue
            entries.append((str(relative), path.is_symlink(), info.st_size, info.st_mtime_ns))
            if len(entries) >= TREE_ENTRIES:
                break
    except OSError:
        pass
    return tuple(sorted(entries))


def wait_for_tree_change(folder: Path, before: tuple, *, poll: float = TREE_POLL_SECONDS,
                         clock: Callable[[], float] = time.monotonic) -> tuple[tuple, float]:
    """Block until anything under the folder changes, then until it is quiet for a look.

    Args:
        folder: Path.
        before: :func:`tree` of the folder as last graded.
        poll: float, seconds between looks.
        clock: callable giving monotonic seconds.

    Returns:
        ``(the folder's tree once quiet, the clock's time of the first change seen)``.
    """
    while True:
        time.sleep(poll)
        latest = tree(folder)
        if latest != before:
            first = clock()
            while True:
                time.sleep(poll)
                settled = tree(folder)
                if settled == latest:
                    return settled, first
                latest = settled
