"""Submissions the project did not write: each earns full marks, and each mistake cut from one costs its part only.

The corpus (``tests/grading/outside``) was written from the chapters and the homework
text in styles far apart. Its verdicts come from the session's single grading of every
case (``graded`` in ``conftest.py``).
"""

from __future__ import annotations

import pytest

from course.grading.checking.checks import BY_NAME, CHECKS, RUN_PARTS
from tests.grading.catches import why_not_a_catch
from tests.grading.outside import corpus
from tests.seed import GRADING_SEED

Verdicts = dict[str, dict[str, tuple[bool, str]]]


def submission_verdicts(name: str, graded: Verdicts) -> dict[str, tuple[bool, str]]:
    """A corpus submission's verdicts: its files' part verdicts plus its rules and answers.

    Args:
        name: str, a corpus submission.
        graded: every case's verdicts.

    Returns:
        dict of check name to ``(passed, detail)``.
    """
    styles = corpus.SUBMISSIONS[name]
    merged = dict(graded[f"outside:{name}"])
    for part in RUN_PARTS:
        key = corpus.part_key(part, styles)
        merged.update({n: v for n, v in graded[f"outside:{key[0]}:{key[1]}"].items() if BY_NAME[n].part == part})
    return merged


def test_corpus_is_large_and_varied() -> None:
    """At least ten submissions, no two alike, every pool file used."""
    combos = {tuple(sorted(styles.items())) for styles in corpus.SUBMISSIONS.values()}
    assert len(corpus.SUBMISSIONS) >= 10 and len(combos) == len(corpus.SUBMISSIONS)
    used = {(corpus.FILES[f], s) for styles in corpus.SUBMISSIONS.values() for f, s in styles.items()}
    used |= {(corpus.FILES[m.file], m.style) for m in corpus.OUTSIDE_MUTANTS if m.style}
    pool = {(p.parent.name, p.stem) for p in corpus.POOL.glob("*/*.*")}
    assert pool == used, pool ^ used


@pytest.mark.parametrize("name", sorted(corpus.SUBMISSIONS))
def test_outside_submission_earns_full_marks(name: str, graded: Verdicts) -> None:
    """Every check passes on a correct submission written outside the project.

    Args:
        name: str, the corpus submission.
        graded: every case's verdicts.
    """
    verdicts = submission_verdicts(name, graded)
    assert set(verdicts) == {c.name for c in CHECKS}
    failed = {n: d for n, (passed, d) in verdicts.items() if not passed}
    assert not failed, f"{name} lost points: {failed}"


def test_train_conventions_are_both_accepted_and_reported(graded: Verdicts) -> None:
    """A train that batches unbatched pairs itself passes after the retry, and the report says which reading it used.

    Args:
        graded: every case's verdicts.
    """
    pairs = graded["outside:training:batches_itself"]["training.reaches_80"]
    batches = graded["outside:training:custom_batches"]["training.reaches_80"]
    assert pairs[0] and "unbatched pairs" in pairs[1] and "with batches it raised" in pairs[1], pairs
    assert batches[0] and "prepared batches" in batches[1], batches


@pytest.mark.parametrize("mutant", corpus.OUTSIDE_MUTANTS, ids=[m.name for m in corpus.OUTSIDE_MUTANTS])
def test_outside_mutant_costs_its_part_only(mutant: corpus.OutsideMutant, graded: Verdicts) -> None:
    """The mistake fails its check; every other part graded on it keeps full marks.

    Args:
        mutant: OutsideMutant.
        graded: every case's verdicts.
    """
    verdicts = graded[f"outside-mutant:{mutant.name}"]
    why = why_not_a_catch(mutant.caught_by, verdicts)
    assert why is None, f"{mutant.name} (seed {GRADING_SEED}): {why}"
    own = BY_NAME[mutant.caught_by].part
    others = {n: d for n, (p, d) in verdicts.items() if BY_NAME[n].part != own and not p}
    assert not others, f"{mutant.name} (a {own} mistake) cost other parts points: {others}"
    if mutant.all_parts:
        assert {BY_NAME[n].part for n in verdicts} >= set(RUN_PARTS)


def test_trap_verdict_names_each_pattern(graded: Verdicts) -> None:
    """The trap (tf.function on call, for over tf.range) fails trains_in_model, with each pattern's outcome.

    Args:
        graded: every case's verdicts.
    """
    passed, detail = graded["outside-mutant:trap_tf_function_on_call"]["layer.trains_in_model"]
    assert not passed
    for label in ("built lazily in a tf.function train step", "one eager call, then an eager tape", "model.fit"):
        assert label in detail, detail


@pytest.mark.parametrize("name", ["batches_itself_no_update", "pairs_loss_on_every_step",
                                  "pairs_validates_on_training_data"])
def test_retry_does_not_hide_a_broken_train(name: str, graded: Verdicts) -> None:
    """A broken train that reads unbatched pairs is judged after the retry, and still loses its points.

    Args:
        name: str, an outside mutant of a train that batches pairs itself.
        graded: every case's verdicts.
    """
    verdicts = graded[f"outside-mutant:{name}"]
    assert "unbatched pairs" in verdicts["training.history_keys"][1], verdicts["training.history_keys"]
    mutant = next(m for m in corpus.OUTSIDE_MUTANTS if m.name == name)
    assert not verdicts[mutant.caught_by][0]
