"""Every plausible mistake loses the points of the check that names it; every correct variant earns full marks."""

from __future__ import annotations

import pytest

from course.grading.checking.checks import BY_NAME, CHECKS
from course.impl import REPO_ROOT
from tests.grading.catches import lost_elsewhere, why_not_a_catch
from tests.grading.conftest import GRADING_SEED, parts_for
from tests.grading.outside import corpus
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
    """The mutant's part runs to the end, the check that names its mistake judges it wrong, and no other part
    graded on it (the rules and answers always) loses a point.

    Args:
        mutant: Mutant.
        verdicts: every case's verdicts.
    """
    graded = verdicts[mutant.name]
    why = why_not_a_catch(mutant.caught_by, graded, mutant.raises)
    assert why is None, f"{mutant.name} (seed {GRADING_SEED}): {why}"
    if BY_NAME[mutant.caught_by].part != "rules":  # a forbidden layer may also break the part that runs it
        elsewhere = lost_elsewhere(mutant.caught_by, graded)
        assert not elsewhere, f"{mutant.name} (seed {GRADING_SEED}) cost other parts points: {elsewhere}"


def test_every_check_has_a_mutant_that_runs() -> None:
    """Every scored check is the ``caught_by`` of a mutant, here or in the outside corpus, that it judges on an
    output (not one whose catch is an exception): no check is only ever seen failing on a crash, a stub or a
    raised error. The catches themselves are asserted per mutant."""
    named = {m.caught_by for m in MUTANTS if not m.raises} | {m.caught_by for m in corpus.OUTSIDE_MUTANTS}
    assert [c.name for c in CHECKS if c.name not in named] == []


@pytest.mark.parametrize(("verdicts", "why"), [
    ({"cell.gradients": (False, "the cell part crashed: exit code -9"),
      "cell.forget_bias": (False, "the cell part crashed: exit code -9")}, "did not run to the end"),
    ({"cell.gradients": (False, "the cell part timeout: over 60 s")}, "did not run to the end"),
    ({"cell.gradients": (False, "InvalidArgumentError: Incompatible shapes (at cell.py:12)")}, "repeats"),
    ({"cell.gradients": (False, "not implemented yet: LSTMCell.call")}, "repeats"),
    ({"cell.gradients": (True, "eagerly: all 8 variables get a gradient")}, "passed"),
    ({"cell.gradients": (False, "eagerly: of 8 variables, 0 got no gradient and 2 a zero gradient")}, None),
], ids=["crashed", "timeout", "raised", "stub", "passed", "judged"])
def test_a_crash_a_timeout_or_an_exception_is_not_a_catch(verdicts: dict, why: str | None) -> None:
    """The rule behind every catch above, on hand-written verdicts: only a judgement of an output counts.

    Args:
        verdicts: one submission's verdicts.
        why: str, a phrase the refusal must contain, or None for a real catch.
    """
    found = why_not_a_catch("cell.gradients", verdicts)
    assert (found is None) if why is None else (why in (found or "")), found


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
