"""One intake: a submission folder or ``.zip`` in, the folder to grade out, or :class:`InvalidSubmission`.

``lstm-course check``, ``lstm-course grade``, the batch worker and Gradescope all take a
submission through :func:`materialise`, so they accept and refuse the same hand-ins for the
same reasons. Students hand in every way imaginable (the files, or the folder holding them,
with a ``__MACOSX`` folder thrown in), so the package root is the shallowest folder that
holds an exercise module. The submission is copied (or unpacked) into a scratch folder
first: a submission that rewrites its own files changes only the copy.

What a submission may hold (:data:`MAX_FILES`, :data:`MAX_BYTES`) is one set of limits for
folders and archives alike. A real hand-in is a few Python files, ``answers.md``, and
perhaps notebooks with their outputs and a few figures: a few MiB and a few dozen files,
or a few hundred with a stray virtual environment or ``.git`` folder (those are not copied
and do not count). The limits leave ten times that room, and still refuse a zip bomb
before one byte is written: the sizes are read from the archive's directory, and
:mod:`zipfile` never extracts more than a member's declared size.
"""

from __future__ import annotations

import shutil
import stat
import zipfile
from pathlib import Path

from course.impl import MODULES

#: Exercise modules: the package root is the shallowest folder holding one of them.
EXERCISE_FILES = tuple(f"{module}.py" for module in MODULES)
#: Folders and files that never belong to a submission's content (not copied, not counted).
IGNORED = frozenset({"__pycache__", "__MACOSX", ".git", ".ipynb_checkpoints", ".DS_Store"})
#: Most files a submission may hold.
MAX_FILES = 2_000
#: Most bytes a submission may hold, or an archive expand to.
MAX_BYTES = 50 * 2**20


class InvalidSubmission(Exception):
    """The submission cannot be graded at all (the message says why: a damaged zip, a zip bomb, no exercise file)."""


def _check_size(files: int, total_bytes: int) -> None:
    """Refuse a submission beyond :data:`MAX_FILES` or :data:`MAX_BYTES`.

    Args:
        files: int, how many files it holds.
        total_bytes: int, their summed size.

    Raises:
        InvalidSubmission: when either limit is passed.
    """
    if files > MAX_FILES:
        raise InvalidSubmission(f"the submission has {files:,} files (at most {MAX_FILES:,})")
    if total_bytes > MAX_BYTES:
        raise InvalidSubmission(f"the submission holds more than {MAX_BYTES // 2**20} MiB")


def _ignored(relative: Path) -> bool:
    """Whether a path inside a submission is left out (a cache, ``__MACOSX``, ``.git``, ...).

    Args:
        relative: Path, relative to the submission.

    Returns:
        bool.
    """
    return bool(IGNORED & set(relative.parts))


def unpack(archive: Path, into: Path) -> Path:
    """Extract a zip safely: no paths outside ``into``, no links, bounded size.

    Args:
        archive: Path, the ``.zip``.
        into: Path, an empty folder to extract into.

    Returns:
        ``into``.

    Raises:
        InvalidSubmission: for a damaged archive, an unsafe member or too much content.
    """
    into.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = [m for m in bundle.infolist() if not m.is_dir() and not _ignored(Path(m.filename))]
            _check_size(len(members), sum(m.file_size for m in members))
            root = into.resolve()
            for member in members:
                target = (into / member.filename).resolve()
                if member.filename.startswith(("/", "\\")) or not target.is_relative_to(root):
                    raise InvalidSubmission(f"unsafe path in the zip: {member.filename!r}")
                if stat.S_ISLNK(member.external_attr >> 16):
                    raise InvalidSubmission(f"symbolic link in the zip: {member.filename!r}")
                target.parent.mkdir(parents=True, exist_ok=True)
                with bundle.open(member) as source, open(target, "wb") as sink:
                    shutil.copyfileobj(source, sink)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise InvalidSubmission(f"cannot read the zip: {error}") from error
    return into


def copy_folder(folder: Path, into: Path) -> Path:
    """Copy a submission folder, refusing links and anything beyond the limits.

    Args:
        folder: Path, the submission folder.
        into: Path, a folder that does not exist yet.

    Returns:
        ``into``.

    Raises:
        InvalidSubmission: for a symbolic link (it could point at the reference solution) or too much content.
    """
    kept = [p for p in folder.rglob("*") if not _ignored(p.relative_to(folder))]
    links = [p for p in kept if p.is_symlink()]
    if links:
        raise InvalidSubmission(f"symbolic link in the submission: {links[0].relative_to(folder)}")
    files = [p for p in kept if p.is_file()]
    _check_size(len(files), sum(p.stat().st_size for p in files))
    shutil.copytree(folder, into, ignore=shutil.ignore_patterns(*IGNORED))
    return into


def package_root(folder: Path) -> Path:
    """The shallowest folder under ``folder`` that holds an exercise module.

    Args:
        folder: Path, an extracted or copied submission.

    Returns:
        The folder to import as the student's package.

    Raises:
        InvalidSubmission: when no folder holds an exercise module.
    """
    candidates = [folder, *sorted((p for p in folder.rglob("*") if p.is_dir() and not _ignored(p.relative_to(folder))),
                                  key=lambda p: (len(p.parts), str(p)))]
    for candidate in candidates:
        if any((candidate / name).is_file() for name in EXERCISE_FILES):
            return candidate
    raise InvalidSubmission(f"no exercise file ({', '.join(EXERCISE_FILES)}) found")


def materialise(submission: Path, scratch: Path) -> Path:
    """Copy or unpack a submission into ``scratch`` and return its package root.

    A zip is unpacked whole, then its package root found. A folder's package root is found
    in place and only that is copied, so ``lstm-course check .`` in a project with a virtual
    environment copies (and counts) the exercise package, not the environment.

    Args:
        submission: Path, a folder or ``.zip``.
        scratch: Path, a scratch folder this process owns.

    Returns:
        The package root inside ``scratch``.

    Raises:
        InvalidSubmission: when it cannot be graded at all.
    """
    submission = Path(submission)
    target = scratch / "submission"
    if submission.is_file() and submission.suffix.lower() == ".zip":
        return package_root(unpack(submission, target))
    if submission.is_dir():
        return copy_folder(package_root(submission), target)
    raise InvalidSubmission(f"{submission} is neither a folder nor a .zip")

