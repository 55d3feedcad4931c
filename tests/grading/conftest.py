"""Build every mutant and variant from a copy of ``solutions/`` and grade them once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from course.grading.checking.checks import BY_NAME, PART_FILE, RUN_PARTS
from course.grading.core import grade_shared
from course.impl import REPO_ROOT
from tests.grading.outside import corpus
from tests.grading.outside.handins import cases as handins
from tests.grading.patches import MUTANTS, VARIANTS, Mutant, Variant, build
from tests.seed import GRADING_SEED

#: The run part that tests each file.
FILE_PART = {file: part for part, file in PART_FILE.items()}


def parts_for(case: Mutant | Variant) -> tuple[str, ...]:
    """The run parts a case needs: a mutant's catching part, a variant's edited files' parts.

    Args:
        case: Mutant or Variant.

    Returns:
        tuple of run parts.
    """
    if isinstance(case, Mutant):
        part = BY_NAME[case.caught_by].part
        return ((part,) if part in RUN_PARTS else case.parts) + case.also
    return tuple(dict.fromkeys(FILE_PART[p.file] for p in case.patches if p.file in FILE_PART))


@pytest.fixture(scope="session")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, tuple[bool, str]]]:
    """Grade every case of the suite in one go: the submissions of one part share one child.

    The cases are the mutants and variants cut from ``solutions/`` (named as in
    :mod:`tests.grading.patches`) and the outside corpus (:mod:`tests.grading.outside.corpus`):
    each distinct corpus file once per part (``outside:<part>:<style>``), each corpus
    submission for its rules and answers (``outside:<name>``), and each outside mutant
    (``outside-mutant:<name>``).

    Args:
        tmp_path_factory: pytest's temporary folders.

    Returns:
        dict of case name to its verdicts.
    """
    root = tmp_path_factory.mktemp("cases")
    names: list[str] = []
    folders: list[Path] = []
    parts: list[tuple[str, ...]] = []
    for case in (*MUTANTS, *VARIANTS):
        names.append(case.name)
        folders.append(build(case, root / case.name, REPO_ROOT / "solutions"))
        parts.append(parts_for(case))
    for key, styles in outside_part_cases().items():
        names.append(f"outside:{key[0]}:{key[1]}")
        folders.append(corpus.assemble(styles, root / "outside" / f"{key[0]}-{key[1]}"))
        parts.append((key[0],))
    for name, styles in corpus.SUBMISSIONS.items():
        names.append(f"outside:{name}")
        folders.append(corpus.assemble(styles, root / "outside" / name))
        parts.append(())
    for mutant in corpus.OUTSIDE_MUTANTS:
        names.append(f"outside-mutant:{mutant.name}")
        folders.append(corpus.build_mutant(mutant, root / "outside-mutants" / mutant.name))
        part = BY_NAME[mutant.caught_by].part
        parts.append(RUN_PARTS if mutant.all_parts else ((part,) if part in RUN_PARTS else ()))
    for handin in handins.HANDINS:  # issue 22's real-style hand-ins, on the parts each needs
        names.append(f"handin:{handin.name}")
        folders.append(handins.build(handin, root / "handins" / handin.name))
        parts.append(handin.parts)
    results = grade_shared(folders, parts, seed=GRADING_SEED, jobs=2)
    return dict(zip(names, results))


def outside_part_cases() -> dict[tuple[str, str], dict[str, str]]:
    """Each distinct ``(part, style)`` of the corpus, with the styles of a submission that has it.

    Returns:
        dict of :func:`tests.grading.outside.corpus.part_key` to a submission's styles.
    """
    cases: dict[tuple[str, str], dict[str, str]] = {}
    for styles in corpus.SUBMISSIONS.values():
        for part in RUN_PARTS:
            cases.setdefault(corpus.part_key(part, styles), styles)
    return cases


@pytest.fixture(scope="session")
def verdicts(graded: dict[str, dict[str, tuple[bool, str]]]) -> dict[str, dict[str, tuple[bool, str]]]:
    """The verdicts of the cases cut from ``solutions/``.

    Args:
        graded: every case's verdicts.

    Returns:
        dict of case name to its verdicts.
    """
    return graded
