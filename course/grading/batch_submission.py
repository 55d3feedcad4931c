"""Submissions on disk: find them, fingerprint them, and unpack them safely.

A submission is a folder with the exercise files (``data.py``, ``cell.py``, ...) or a
``.zip`` of one; a folder that holds neither directly is a folder *of* submissions.
Students zip in every way imaginable (the files, or the folder holding them, with a
``__MACOSX`` folder thrown in), so the package root is the shallowest folder that holds
an exercise file.
"""

from __future__ import annotations

import hashlib
import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

from course.impl import MODULES

#: Files whose presence makes a folder a submission.
SUBMISSION_FILES = frozenset({f"{m}.py" for m in MODULES} | {"__init__.py", "answers.md"})
#: Folders and files that never belong to a submission's content.
IGNORED = frozenset({"__pycache__", "__MACOSX", ".git", ".ipynb_checkpoints", ".DS_Store"})
#: Caps on what an archive may expand to.
MAX_UNPACKED_BYTES = 50 * 2**20
MAX_MEMBERS = 2_000


class InvalidSubmission(Exception):
    """The submission cannot be graded at all (not a zip, a zip bomb, no exercise files)."""


@dataclass(frozen=True)
class Submission:
    """One submission to grade.

    Attributes:
        path: Path, the folder or ``.zip`` as given (resolved).
        name: str, a short unique name for the gradebook and the report file.
    """

    path: Path
    name: str


def is_submission(path: Path) -> bool:
    """Whether ``path`` itself is one submission (a zip, or a folder with exercise files).

    Args:
        path: Path, a file or folder.

    Returns:
        True for a ``.zip`` or a folder holding at least one exercise file.
    """
    if path.is_file():
        return path.suffix.lower() == ".zip"
    return path.is_dir() and any((path / name).is_file() for name in SUBMISSION_FILES)


def discover(paths: list[Path]) -> list[Submission]:
    """Expand the command line's paths into submissions with unique names.

    A submission given directly is taken as it is; a folder of submissions contributes
    every sub-folder and ``.zip`` in it (an empty sub-folder too: it gets a row, as
    ``invalid``).

    Args:
        paths: list of Path, submissions or folders of submissions.

    Returns:
        The submissions, in the given order, each path once.

    Raises:
        FileNotFoundError: when a path does not exist.
    """
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            raise FileNotFoundError(f"no such submission or folder: {path}")
        if is_submission(path):
            found.append(path.resolve())
            continue
        for child in sorted(path.iterdir()):
            if child.name in IGNORED or child.name.startswith("."):
                continue
            if child.is_dir() or child.suffix.lower() == ".zip":
                found.append(child.resolve())
    unique = list(dict.fromkeys(found))
    return [Submission(path=p, name=n) for p, n in zip(unique, _unique_names(unique))]


def _unique_names(paths: list[Path]) -> list[str]:
    """Short names: the file or folder name, prefixed by parents until names are unique.

    Args:
        paths: list of Path.

    Returns:
        One name per path, safe as a file name.
    """
    depth = 1
    while True:
        names = ["__".join(p.with_suffix("").parts[-depth:]) if p.suffix.lower() == ".zip"
                 else "__".join(p.parts[-depth:]) for p in paths]
        if len(set(names)) == len(names) or depth > 32:
            return names
        depth += 1


def content_hash(path: Path) -> str:
    """SHA-256 of a submission's content, so a changed submission is regraded.

    For a folder: every file's relative path and bytes, in sorted order, caches left out.
    For a zip: the archive's bytes.

    Args:
        path: Path, a folder or a ``.zip``.

    Returns:
        The hex digest.
    """
    digest = hashlib.sha256()
    if path.is_file():
        digest.update(path.read_bytes())
        return digest.hexdigest()
    for file in sorted(p for p in path.rglob("*") if p.is_file() and not IGNORED & set(p.parts)):
        digest.update(file.relative_to(path).as_posix().encode() + b"\0")
        digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


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
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            if len(members) > MAX_MEMBERS:
                raise InvalidSubmission(f"the zip has {len(members):,} members (at most {MAX_MEMBERS:,})")
            if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
                raise InvalidSubmission(f"the zip expands to more than {MAX_UNPACKED_BYTES // 2**20} MiB")
            root = into.resolve()
            for member in members:
                target = (into / member.filename).resolve()
                if not target.is_relative_to(root):
                    raise InvalidSubmission(f"unsafe path in the zip: {member.filename!r}")
                if stat.S_ISLNK(member.external_attr >> 16):
                    raise InvalidSubmission(f"symbolic link in the zip: {member.filename!r}")
                if member.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(member) as source, open(target, "wb") as sink:
                    shutil.copyfileobj(source, sink)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise InvalidSubmission(f"cannot read the zip: {error}") from error
    return into


def package_root(folder: Path) -> Path:
    """The shallowest folder under ``folder`` that holds an exercise file.

    Args:
        folder: Path, an extracted or given submission.

    Returns:
        The folder to import as the student's package.

    Raises:
        InvalidSubmission: when no folder holds an exercise file.
    """
    candidates = [folder, *sorted((p for p in folder.rglob("*") if p.is_dir() and not IGNORED & set(p.parts)),
                                  key=lambda p: (len(p.parts), str(p)))]
    for candidate in candidates:
        if any((candidate / name).is_file() for name in SUBMISSION_FILES if name.endswith(".py")):
            return candidate
    raise InvalidSubmission("no exercise file (data.py, cell.py, layer.py, model.py, train.py) found")


def materialise(submission: Path, scratch: Path) -> Path:
    """Copy a submission into ``scratch`` and return its package root.

    The copy keeps the student's originals out of reach (a submission that rewrites its
    own files changes only the copy) and gives every submission the same shape.

    Args:
        submission: Path, a folder or ``.zip``.
        scratch: Path, an empty scratch folder.

    Returns:
        The package root inside ``scratch``.

    Raises:
        InvalidSubmission: when it cannot be graded at all.
    """
    target = scratch / "submission"
    if submission.is_file():
        unpack(submission, target)
    else:
        links = [p for p in submission.rglob("*") if p.is_symlink()]
        if links:  # a link could point at the reference solution
            raise InvalidSubmission(f"symbolic link in the submission: {links[0].relative_to(submission)}")
        shutil.copytree(submission, target, ignore=shutil.ignore_patterns(*IGNORED))
    return package_root(target)
