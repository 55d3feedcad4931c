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


class SimulatedClock:
    """A clock that only moves when a simulated call spends time, so timings are exact on any machine."""

    def __init__(self) -> None:
        self.now = 0.0
        self.calls: list[str] = []

    def __call__(self) -> float:
        return self.now

    def work(self, name: str, seconds: float):
        """A callable that logs its name and advances the clock by ``seconds``."""

        def call() -> None:
            self.calls.append(name)
            self.now += seconds

        return call


def test_interleaved_medians_rank_the_variants() -> None:
    """Each sample is the mean per call of one round, the median drops an outlier round, and every
    round times each variant once, in a shuffled order, after the warm-up calls."""
    clock = SimulatedClock()
    slow_round = iter([0.004, 0.050] + [0.004] * 100)  # warm-up, then an outlier in the first timed round (load burst)
    variants = {"short": clock.work("short", 0.002), "long": lambda: clock.work("long", next(slow_round))()}
    timings = interleaved(variants, rounds=5, number=2, warmup=1, clock=clock)
    assert all(len(t.samples) == 5 for t in timings.values())
    assert timings["short"].median == pytest.approx(0.002) and timings["long"].median == pytest.approx(0.004)
    assert max(timings["long"].samples) == pytest.approx((0.050 + 0.004) / 2)  # the outlier round, not the median
    assert clock.calls.count("short") == clock.calls.count("long") == 1 + 5 * 2
    rounds = [clock.calls[2 + 4 * r: 2 + 4 * (r + 1)] for r in range(5)]  # after one warm-up call each
    assert all(sorted(r) == ["long", "long", "short", "short"] for r in rounds)
    assert len({r[0] for r in rounds}) == 2, "the order of the variants should change between rounds"


def test_interleaved_uses_the_wall_clock_by_default() -> None:
    """With the real clock a call that sleeps is timed at no less than its sleep (no upper bound:
    a loaded machine may oversleep by any amount)."""
    timings = interleaved({"sleep": lambda: time.sleep(0.002)}, rounds=2, number=1, warmup=0)
    assert timings["sleep"].median >= 0.002


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


def _variants(**ms: float | None) -> dict:
    """Train-step variants with these medians (None: the variant failed)."""
    return {name.replace("_", "-"): ({"error": "boom", "label": name} if value is None else
                                     {"median_ms": value, "label": name}) for name, value in ms.items()}


def test_fast_path_is_compared_with_the_fastest_keras_configuration() -> None:
    """Whichever Keras configuration is fastest (and did not fail) is the one the fast path is measured against."""
    assert report.fastest_keras(_variants(keras=10.0, keras_unrolled=7.0, keras_xla=8.0)) == "keras-unrolled"
    assert report.fastest_keras(_variants(keras=10.0, keras_unrolled=7.0, keras_xla=5.0)) == "keras-xla"
    assert report.fastest_keras(_variants(keras=10.0, keras_unrolled=None, keras_xla=None)) == "keras"
    assert report.fastest_keras({}) is None
    results = {"train_step": {"variants": _variants(keras=10.0, keras_unrolled=8.0, keras_xla=6.0, fast=4.5,
                                                     fast_xla=3.0)}}
    r = report.ratios(results)
    assert r["fast / fastest Keras"] == pytest.approx(0.75) and r["fast-xla / fastest Keras"] == pytest.approx(0.5)
    assert r["fast / keras"] == pytest.approx(0.45)


def test_machines_table_names_each_machine_and_flags_ratios_that_differ() -> None:
    """This run's ratios beside another machine's, each column named, differences over 10 % flagged."""
    results = {"machine": {"cpu": "Some CPU", "cores": 2, "python": "3.11", "tensorflow": "2.21.0", "keras": "3.15.1",
                           "load_average_at_start": [0.5, 0.5, 0.5]},
               "command": "lstm-course bench", "date": "2026-11-30T00:00:00", "threads": 1,
               "train_step": {"variants": _variants(keras=10.0, reference=9.0, fast=6.0, fast_xla=4.0,
                                                    keras_unrolled=7.0, keras_xla=8.0)}}
    other = {"label": "Other CPU", "cpu": "Other CPU", "cores": 4, "date": "2026-11-29", "command": "lstm-course bench",
             "source": "a test", "software": "TensorFlow 2.21",
             "ratio_to_keras": {"reference": 0.91, "fast": 0.5, "fast-xla": 0.4, "keras-unrolled": 0.8, "keras-xla": 0.6}}
    table = report.machines_md(results, [other])
    rows = {line.split(" | ")[0].lstrip("| "): line for line in table.splitlines() if line.startswith("| ")}
    assert "Some CPU (this page's run)" in rows["ratio of train-step times"] and "Other CPU (quoted, a test)" in table
    assert rows["reference / keras"].endswith("| 0.90× | 0.91× |  |")  # within 10 %: not flagged
    assert rows["fast / keras"].endswith("| 0.60× | 0.50× | **yes** |")
    assert rows["fastest Keras"].startswith("| fastest Keras | `keras-unrolled` | `keras-xla` |")
    assert "| 0.86× | 0.83× |" in rows["fast / fastest Keras"]  # 6 / 7 here, 0.5 / 0.6 there
    assert "Some CPU, 2 cores" in table and "Other CPU, 4 cores" in table and "Source: a test." in table
    assert "Other CPU: quoted by hand, not measured by this run" in table
    assert "differ by more than 10% between these machines: `fast / keras`" in table


@committed_only
def test_performance_page_claims_hold_on_the_measured_run() -> None:
    """The page's claims, checked on the committed run: the fast path beats every Keras configuration,
    fast-xla meets the target against default Keras but neither flavour against the fastest Keras. The other
    machines' ratios were typed in by hand: the table labels them as quotes, with their source and date, and
    the page says where they come from; they are not evidence for the claims."""
    results = json.loads(RESULTS_JSON.read_text())
    page = (RESULTS_JSON.parents[2] / "performance.md").read_text()
    assert '--8<-- "docs/generated/bench/machines.md"' in page and "quoted from that run's report" in page
    variants = results["train_step"]["variants"]
    here = {name: variants[name]["median_ms"] / variants["keras"]["median_ms"] for name in report.MACHINE_ROWS}
    fastest = min(1.0, here["keras-unrolled"], here["keras-xla"])
    assert fastest < 0.9, "Keras' fastest configuration is well under its default time"
    assert here["fast"] / fastest < 1 and here["fast-xla"] <= report.FAST_TARGET
    assert here["fast"] / fastest > report.FAST_TARGET and here["fast-xla"] / fastest > report.FAST_TARGET
    table = (FRAGMENTS_DIR / "machines.md").read_text()
    for other in report.other_machines():
        assert f"{other['label']} (quoted, " in table and other["date"] in table and other["source"] in table


def test_partial_run_never_replaces_the_committed_results(capsys: pytest.CaptureFixture[str]) -> None:
    """``--only`` without ``--json`` would drop every other section (and their machine) from the committed
    file: it stops before measuring anything, and says where to write instead."""
    before = RESULTS_JSON.read_bytes() if RESULTS_JSON.exists() else None
    assert main(["bench", "--only", "train_step"]) == 2
    assert "--json" in capsys.readouterr().out
    assert (RESULTS_JSON.read_bytes() if RESULTS_JSON.exists() else None) == before


def test_train_step_table_matches_one_typed_by_hand() -> None:
    """The train-step fragment of a small result, written out by hand (not produced by ``report``)."""
    results = {"machine": {"cpu": "Some CPU", "cores": 2, "python": "3.11.7", "tensorflow": "2.21.0",
                           "keras": "3.15.1", "load_average_at_start": [0.4, 0.5, 0.5]},
               "command": "lstm-course bench", "date": "2026-11-30T10:00:00", "threads": 1, "config": {"rounds": 7},
               "train_step": {"batch": 64, "seq_len": 25, "units": 32, "variants": {
                   "keras": {"median_ms": 4.0, "label": "keras.layers.LSTM"},
                   "keras-xla": {"median_ms": 3.0, "label": "the same, jit_compile"},
                   "fast-xla": {"median_ms": 1.5, "label": "fused cell, jit_compile"},
                   "eager-loop": {"error": "OutOfMemory", "label": "eager loop"}}}}
    assert report.train_step_md(results) == (
        "Train step (forward, backward, Adam) at B = 64, T = 25, H = 32; medians of 7 interleaved rounds.\n"
        "\n"
        "| variant | × Keras | × Keras (XLA) | median ms | what it is |\n"
        "|---|---:|---:|---:|---|\n"
        "| `keras` | 1.00× |  | 4.00 | keras.layers.LSTM |\n"
        "| `keras-xla` | 0.75× | 1.00× | 3.00 | the same, jit_compile |\n"
        "| `fast-xla` | 0.38× | 0.50× | 1.50 | fused cell, jit_compile |\n"
        "| `eager-loop` | fails | | | eager loop: `OutOfMemory` |\n"
        "\n"
        "Measured by `lstm-course bench` on 2026-11-30: Some CPU, 2 cores (load average 0.4 at the start: a quiet"
        " machine), TensorFlow limited to 1 inter-op and 1 intra-op thread(s), Python 3.11.7, TensorFlow 2.21.0,"
        " Keras 3.15.1.\n")
