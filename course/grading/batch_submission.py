"""Submissions on disk: find them and fingerprint them (:mod:`course.grading.intake` takes each one in).

A submission is a folder with the exercise files (``data.py``, ``cell.py``, ...) or a
``.zip`` of one; a folder that holds neither directly is a folder *of* submissions.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from course.grading.intake import IGNORED
from course.impl import MODULES

#: Files whose presence makes a folder a submission.
SUBMISSION_FILES = frozenset({f"{m}.py" for m in MODULES} | {"__init__.py", "answers.md"})


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
