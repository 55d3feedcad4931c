"""Every plausible mistake loses the points of the check that names it; every correct variant earns full marks."""

from __future__ import annotations

import pytest

from course.grading.checking.checks import BY_NAME
from course.impl import REPO_ROOT
from tests.grading.conftest import parts_for
from tests.grading.patches import MUTANTS, VARIANTS, Mutant, Variant


def test_enough_cases() -> None:
    """The suite holds at least 25 mutants and 6 variants, with unique names."""
    names = [case.name for case in (*MUTANTS, *VARIANTS)]
    assert len(MUTANTS) >= 25 and len(VARIANTS) >= 6
    assert len(names) == len(set(names))
    assert all(m.caught_by in BY_NAME for m in MUTANTS)


def test_every_patch_still_matches_the_reference() -> None:
    """Each patch's old text occurs exactly once in ``solutions/``: edit a patch with the reference."""
    stale = [f"{case.name}: {patch.file}" for case in (*MUTANTS, *VARIANTS) for patch in case.patches
             if (REPO_ROOT / "solutions" / patch.file).read_text().count(patch.old) != 1]
    assert not stale, stale


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_is_caught(mutant: Mutant, verdicts: dict[str, dict[str, tuple[bool, str]]]) -> None:
    """The mutant fails the check that names its mistake.

    Args:
        mutant: Mutant.
        verdicts: every case's verdicts.
    """
    passed, detail = verdicts[mutant.name][mutant.caught_by]
    assert not passed, f"{mutant.name} was not caught by {mutant.caught_by}: {detail}"


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.name for v in VARIANTS])
def test_variant_earns_full_marks(variant: Variant, verdicts: dict[str, dict[str, tuple[bool, str]]]) -> None:
    """A correct solution written differently passes every check of the parts it touches, and the rules.

    Args:
        variant: Variant.
        verdicts: every case's verdicts.
    """
    parts = {*parts_for(variant), "rules", "answers"}
    graded = {name: v for name, v in verdicts[variant.name].items() if BY_NAME[name].part in parts}
    assert {BY_NAME[name].part for name in graded} == parts
    failed = {name: detail for name, (passed, detail) in graded.items() if not passed}
    assert not failed, f"{variant.name} lost points: {failed}"


@pytest.mark.parametrize("mutant", [m for m in MUTANTS if m.also], ids=[m.name for m in MUTANTS if m.also])
def test_mutant_costs_only_its_part(mutant: Mutant, verdicts: dict[str, dict[str, tuple[bool, str]]]) -> None:
    """A mistake in one part leaves every other graded part at full marks (the parts are independent).

    Args:
        mutant: Mutant with ``also`` parts.
        verdicts: every case's verdicts.
    """
    graded = verdicts[mutant.name]
    for part in mutant.also:
        failed = {n: d for n, (p, d) in graded.items() if BY_NAME[n].part == part and not p}
        assert any(BY_NAME[n].part == part for n in graded), f"{part} was not graded"
        assert not failed, f"{mutant.name} (a {BY_NAME[mutant.caught_by].part} mistake) cost {part} points: {failed}"
