"""Build every mutant and variant from a copy of ``solutions/`` and grade them once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from course.grading.checks import BY_NAME, PART_FILE, RUN_PARTS
from course.grading.core import grade_shared
from course.impl import REPO_ROOT
from tests.grading.patches import MUTANTS, VARIANTS, Mutant, Patch, Variant

#: The run part that tests each file.
FILE_PART = {file: part for part, file in PART_FILE.items()}


def build(case: Mutant | Variant, root: Path) -> Path:
    """Copy the reference and apply a case's patches.

    Args:
        case: Mutant or Variant.
        root: Path, a scratch folder.

    Returns:
        Path, the patched copy.

    Raises:
        AssertionError: when a patch's old text does not occur exactly once.
    """
    folder = root / case.name
    shutil.copytree(REPO_ROOT / "solutions", folder, ignore=shutil.ignore_patterns("__pycache__"))
    for patch in case.patches:
        apply(folder, patch, case.name)
    return folder


def apply(folder: Path, patch: Patch, name: str) -> None:
    """Apply one patch in place.

    Args:
        folder: Path, the copy.
        patch: Patch.
        name: str, the case's name (for the error message).
    """
    path = folder / patch.file
    text = path.read_text()
    assert text.count(patch.old) == 1, f"{name}: the patch no longer matches solutions/{patch.file}"
    if patch.new is None:
        path.unlink()
    else:
        path.write_text(text.replace(patch.old, patch.new))


def parts_for(case: Mutant | Variant) -> tuple[str, ...]:
    """The run parts a case needs: a mutant's catching part, a variant's edited files' parts.

    Args:
        case: Mutant or Variant.

    Returns:
        tuple of run parts.
    """
    if isinstance(case, Mutant):
        part = BY_NAME[case.caught_by].part
        return (part,) if part in RUN_PARTS else case.parts
    return tuple(dict.fromkeys(FILE_PART[p.file] for p in case.patches if p.file in FILE_PART))


@pytest.fixture(scope="session")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, tuple[bool, str]]]:
    """Grade every mutant and variant, the submissions of one part sharing one child.

    Args:
        tmp_path_factory: pytest's temporary folders.

    Returns:
        dict of case name to its verdicts.
    """
    root = tmp_path_factory.mktemp("cases")
    cases = [*MUTANTS, *VARIANTS]
    folders = [build(case, root) for case in cases]
    graded = grade_shared(folders, [parts_for(case) for case in cases], seed=7, jobs=2)
    return {case.name: result for case, result in zip(cases, graded)}
