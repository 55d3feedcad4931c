"""``lstm-course bench``: the harness, the quick run, and the committed results' derived files."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from course.bench import plots, report
from course.bench.run import FRAGMENTS_DIR, RESULTS_JSON
from course.bench.timing import interleaved
from course.cli import main


def test_interleaved_medians_rank_the_variants() -> None:
    """A callable that sleeps twice as long has about twice the median; every round times each once."""
    timings = interleaved({"short": lambda: time.sleep(0.002), "long": lambda: time.sleep(0.004)},
                          rounds=5, number=2, warmup=1)
    assert all(len(t.samples) == 5 for t in timings.values())
    assert 1.4 < timings["long"].median / timings["short"].median < 2.6


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """Run ``lstm-course bench --quick`` once, into a temporary folder."""
    committed = RESULTS_JSON.stat().st_mtime if RESULTS_JSON.exists() else None
    out = tmp_path_factory.mktemp("bench") / "results.json"
    # --threads 0: leave this pytest process's TensorFlow thread pools alone.
    assert main(["bench", "--quick", "--threads", "0", "--json", str(out)]) == 0
    if committed is not None:
        assert RESULTS_JSON.stat().st_mtime == committed, "--quick must not touch the committed results"
    return out, json.loads(out.read_text())


def test_quick_bench_measures_every_section(quick_results: tuple[Path, dict]) -> None:
    """Every section is there with positive numbers, the machine is recorded, files are written."""
    out, results = quick_results
    assert results["quick"] is True
    assert results["machine"]["cpu"] and results["machine"]["cores"] >= 1 and results["machine"]["tensorflow"]
    variants = results["train_step"]["variants"]
    for name in ("keras", "reference", "fast", "eager-loop"):
        assert variants[name]["median_ms"] > 0, name
    ratios = report.ratios(results)
    assert ratios["fast / keras"] > 0 and ratios["reference / keras"] > 0
    assert ratios["eager-loop / reference (graph speed-up)"] > 1, "graph mode should beat the eager loop"
    assert all(v > 0 for series in results["growth"]["seq_len"]["per_step_us"].values() for v in series)
    assert all(e["samples_per_s"] > 0 for e in results["pipelines"]["throughput"].values())
    assert results["pipelines"]["starvation"]["batched"]["ratio"] > 0
    assert set(results["time_to_accuracy"]["runs"]) == {"per-sample", "batched"}
    for name in ("train_step.png", "growth.png", "pipelines.png", "time_to_accuracy.png",
                 "generated/train_step.md", "generated/graph_vs_eager.md", "generated/growth.md",
                 "generated/pipelines.md", "generated/time_to_accuracy.md"):
        assert (out.parent / name).stat().st_size > 0, name


committed_only = pytest.mark.skipif(not RESULTS_JSON.exists(), reason="no committed results yet")


@committed_only
def test_committed_fragments_match_committed_results() -> None:
    """The docs' Markdown fragments are exactly what the committed JSON renders to."""
    results = json.loads(RESULTS_JSON.read_text())
    assert results["quick"] is False, "the committed results must come from a full run"
    for filename, (section, render) in report.FRAGMENTS.items():
        committed = (FRAGMENTS_DIR / filename).read_text()
        assert render(results) in committed, f"{filename} is stale: run `lstm-course bench --docs-only`"


@committed_only
def test_replot_all_redraws_every_committed_figure(tmp_path: Path) -> None:
    """``replot_all`` draws every figure from the JSON alone (here from a copy, not over the committed PNGs)."""
    copy = tmp_path / "results.json"
    shutil.copy(RESULTS_JSON, copy)
    written = plots.replot_all(copy)
    assert sorted(p.name for p in written) == sorted(plots.FIGURES)
    for path in written:
        assert path.stat().st_size > 10_000
        assert (RESULTS_JSON.parent / path.name).exists(), f"{path.name} is not committed"
