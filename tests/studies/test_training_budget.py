"""The training-budget study (``python -m studies.training_budget``): the quick run, and the recommendation's logic on synthetic results."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from course import task
from course.bench.run import FRAGMENTS_DIR, RESULTS_DIR
from course.grading.checking.inputs import make_inputs
from course.grading.checking.parts.training import TRAINING_BUDGET
from course.impl import REPO_ROOT
from studies import training_budget as tb

CHECKS = ["training.history_keys", "training.updates_weights", "training.reaches_80", "training.loss_last_step",
          "training.val_accuracy_honest"]


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """Run the section's quick mode once, into a temporary folder."""
    if not (REPO_ROOT / "solutions").is_dir():
        pytest.skip("the training-budget study grades the reference solution")
    out = tmp_path_factory.mktemp("budget-bench") / "results.json"
    committed = RESULTS_DIR / "training_budget.json"
    before = committed.stat().st_mtime if committed.exists() else None
    assert tb.main(["--quick", "--threads", "0", "--json", str(out)]) == 0
    assert (committed.stat().st_mtime if committed.exists() else None) == before, "--quick must not touch the study"
    return out, json.loads(out.read_text())


def test_quick_run_grades_both_budgets(quick: tuple[Path, dict]) -> None:
    """Today's budget is always graded; the reference passes everything and the mutant loses the bar on both."""
    _, results = quick
    t = results["training_budget"]
    assert results["quick"] is True and t["today"] == f"{TRAINING_BUDGET['train']}x{TRAINING_BUDGET['epochs']}"
    assert set(t["runs"]) == {"500x1", t["today"]} and t["checks"] == CHECKS
    for budget, seeds in t["runs"].items():
        graded = seeds["1"]
        assert graded["status"] == "ok", graded["reason"]
        assert graded["submissions"]["solutions"]["failed"] == [], budget
        assert graded["submissions"]["solutions"]["accuracy"] >= 0.85, budget
        mutant = graded["submissions"]["mutant:loss_on_first_step"]
        assert "training.reaches_80" in mutant["failed"] and mutant["accuracy"] < 0.7, budget
        assert t["summary"][budget]["separates"] and t["summary"][budget]["child_s"] > 0
    assert t["summary"][t["today"]]["equal_to_today"]
    assert t["recommended"] in t["runs"]


def test_quick_run_writes_a_well_formed_table(quick: tuple[Path, dict]) -> None:
    """The fragment has a header, one row per budget with six cells, and a one-sentence recommendation."""
    out, results = quick
    text = (out.parent / "generated" / "training_budget.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("|")]
    assert rows[0].startswith("| budget (pairs × epochs) | child s (median) | all submissions in one child")
    assert rows[1] == "|---|---:|---:|---:|---|---|"
    assert [row.split(" | ")[0] for row in rows[2:]] == ["| 500 × 1", "| 4,000 × 2 (today)"]
    for row in rows[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 6 and float(cells[1]) > 0 and float(cells[2]) > 0
        assert cells[3].split(" ")[0].replace(".", "", 1).isdigit() and cells[5] in ("yes", "no")
        assert cells[4] == "yes" or cells[4].startswith("no (")
    assert text.count("**Recommendation:**") == 1
    assert tb.summary_md(results) in text


STUDY = RESULTS_DIR / "training_budget.json"


@pytest.mark.skipif(not STUDY.exists(), reason="no committed study yet")
def test_committed_study_is_full_and_its_fragment_and_recommendation_are_computed() -> None:
    """The committed study is a full run; its summary, recommendation and fragment follow from its raw runs."""
    results = json.loads(STUDY.read_text())
    t = results["training_budget"]
    assert results["quick"] is False and len(t["config"]["seeds"]) >= 5 and t["today"] in t["runs"]
    assert all(len(seeds) == len(t["config"]["seeds"]) for seeds in t["runs"].values())
    again = tb.summarise(t["runs"], t["timing"], t["cases"], t["today"], margin=t["margin"])
    for budget, entry in again.items():
        for field in ("child_s", "shared_child_s", "lowest_correct", "equal_to_today", "separates", "keeps_margin"):
            assert entry[field] == t["summary"][budget][field], (budget, field)
        assert len(entry["differences"]) == len(t["summary"][budget]["differences"]), budget
    assert t["quickest"] == tb.quickest(again, margin=t["margin"])
    assert t["recommended"] == tb.recommend(again, t["today"], margin=t["margin"], min_saving=t["min_saving"])
    fragment = (FRAGMENTS_DIR / "training_budget.md").read_text()
    assert tb.summary_md(results) in fragment, "training_budget.md is stale: run `python -m studies.training_budget --docs-only`"


def _run(failed: dict[str, list[str]], accuracy: dict[str, float]) -> dict:
    """One synthetic graded run.

    Args:
        failed: case -> failed checks.
        accuracy: case -> held-out accuracy.

    Returns:
        dict as in the study's ``runs``.
    """
    return {"seconds": 1.0, "status": "ok", "reason": "",
            "submissions": {n: {"failed": failed[n], "accuracy": accuracy[n]} for n in failed}}


CASES = {"good": "correct", "bad": "training.reaches_80"}
TODAY = {"good": [], "bad": ["training.reaches_80"]}


def _study(budgets: dict[str, tuple[dict[str, list[str]], float, float]]) -> dict[str, dict]:
    """Summaries of synthetic budgets (one seed each), today's ``4000x2`` correct with accuracy 0.99.

    Args:
        budgets: key -> (failed checks per case, the correct case's accuracy, child seconds).

    Returns:
        :func:`studies.training_budget.summarise` of them.
    """
    runs = {"4000x2": {"1": _run(TODAY, {"good": 0.99, "bad": 0.5})}}
    timing = {"4000x2": [5.0]}
    for name, (failed, accuracy, seconds) in budgets.items():
        runs[name] = {"1": _run(failed, {"good": accuracy, "bad": 0.5})}
        timing[name] = [seconds]
    return tb.summarise(runs, timing, CASES, "4000x2")


def test_a_budget_whose_verdicts_differ_is_never_recommended() -> None:
    """The quickest budget lets the broken submission pass the bar: it is not chosen, the next one is."""
    summary = _study({"64x1": ({"good": [], "bad": []}, 0.99, 1.0), "500x1": (TODAY, 0.97, 2.0)})
    assert not summary["64x1"]["equal_to_today"] and not summary["64x1"]["separates"]
    assert summary["64x1"]["differences"] == [{"seed": "1", "case": "bad", "check": "training.reaches_80",
                                               "today": False, "here": True, "detail": ""}]
    assert tb.quickest(summary) == "500x1" == tb.recommend(summary, "4000x2")
    # A correct submission failing a check it passes today is a difference too.
    summary = _study({"64x1": ({"good": ["training.val_accuracy_honest"], "bad": TODAY["bad"]}, 0.99, 1.0)})
    assert not summary["64x1"]["equal_to_today"] and summary["64x1"]["misjudged"][0]["case"] == "good"
    assert tb.quickest(summary) == "4000x2" == tb.recommend(summary, "4000x2")


def test_the_margin_is_respected() -> None:
    """Equal verdicts but the lowest correct accuracy 0.84 (< 0.80 + 0.05): not chosen; 0.86 is."""
    summary = _study({"64x1": (TODAY, 0.84, 1.0), "125x1": (TODAY, 0.86, 1.5)})
    assert summary["64x1"]["equal_to_today"] and not summary["64x1"]["keeps_margin"]
    assert summary["64x1"]["margin"] == pytest.approx(0.04)
    assert tb.quickest(summary) == "125x1" == tb.recommend(summary, "4000x2")
    assert tb.quickest(summary, margin=0.03) == "64x1" == tb.recommend(summary, "4000x2", margin=0.03)
    assert tb.recommend(summary, "4000x2", margin=0.2) is None  # not even today's (0.99) keeps 0.20


def test_quickest_by_child_time_and_a_missing_seed_counts_as_a_difference() -> None:
    """Among qualifying budgets the lowest median child time wins; a seed today lacks is never equal."""
    summary = _study({"250x1": (TODAY, 0.95, 3.0), "125x2": (TODAY, 0.95, 2.5)})
    assert tb.quickest(summary) == "125x2" == tb.recommend(summary, "4000x2")
    runs = {"4000x2": {"1": _run(TODAY, {"good": 0.99, "bad": 0.5})},
            "64x1": {"1": _run(TODAY, {"good": 0.99, "bad": 0.5}), "2": _run(TODAY, {"good": 0.99, "bad": 0.5})}}
    summary = tb.summarise(runs, {"4000x2": [5.0], "64x1": [1.0, 3.0]}, CASES, "4000x2")
    assert not summary["64x1"]["equal_to_today"] and summary["64x1"]["child_s"] == 2.0
    assert tb.quickest(summary) == "4000x2" == tb.recommend(summary, "4000x2")


def test_a_saving_within_the_noise_keeps_todays_budget() -> None:
    """The quickest qualifying budget saves 4 % of today's 5.0 s: today's is kept; 20 % would be taken."""
    summary = _study({"64x1": (TODAY, 0.95, 4.8)})
    assert tb.quickest(summary) == "64x1" and tb.recommend(summary, "4000x2") == "4000x2"
    assert tb.recommend(summary, "4000x2", min_saving=0.03) == "64x1"
    summary = _study({"64x1": (TODAY, 0.95, 4.0)})
    assert tb.recommend(summary, "4000x2") == "64x1"
    results = {"training_budget": {"runs": {b: {"1": {}} for b in summary}, "cases": CASES, "summary": summary,
                                   "today": "4000x2", "timing_source": "synthetic", "seconds": 60, "margin": 0.05,
                                   "load": {"before": 1, "after": 1, "cpus": 2}, "min_saving": 0.1,
                                   "quickest": "64x1", "recommended": "4000x2"}}
    text = tb.summary_md(results)
    assert "**Recommendation:** keep today's 4,000 × 2" in text and "64 × 1" in text and "a saving of 20%" in text


def test_the_study_covers_every_training_submission_of_the_corpora(tmp_path: Path) -> None:
    """Every train.py mutant and variant, every outside train style and outside train mutant; patches apply."""
    patches, corpus = tb.corpora()
    names = tb.case_names()
    assert {f"outside:train:{p.stem}" for p in (corpus.POOL / "train").glob("*.py")} <= set(names)
    assert {f"mutant:{m.name}" for m in patches.MUTANTS if m.caught_by.startswith("training.")} <= set(names)
    assert {f"outside-mutant:{m.name}" for m in corpus.OUTSIDE_MUTANTS if m.caught_by.startswith("training.")} <= set(names)
    assert sum(v == "correct" for v in names.values()) >= 5 and sum(v != "correct" for v in names.values()) >= 8
    reference = (REPO_ROOT / "solutions" / "train.py").read_text()
    for name in names:
        train = (tb.build(name, tmp_path / name.replace(":", "-")) / "train.py").read_text()
        assert (train == reference) == (name == "solutions"), name
    with pytest.raises(KeyError):
        tb.build("nonsense:x", tmp_path / "x")


def test_make_inputs_default_budget_is_unchanged() -> None:
    """No budget, or today's spelled out, gives the same arrays; another budget changes the sizes only as asked."""
    plain, spelled = make_inputs("training", 11), make_inputs("training", 11, {"train": 4000, "epochs": 2})
    assert plain.config == spelled.config
    for name in plain.arrays:
        np.testing.assert_array_equal(plain.arrays[name], spelled.arrays[name])
    small = make_inputs("training", 11, {"train": 64, "epochs": 1})
    assert small.arrays["x_train"].shape == (64, task.SEQ_LEN, 1) and small.config["epochs"] == 1
    assert small.arrays["x_test"].shape == plain.arrays["x_test"].shape
    with pytest.raises(ValueError, match="unknown training budget keys"):
        make_inputs("training", 11, {"pairs": 10})
