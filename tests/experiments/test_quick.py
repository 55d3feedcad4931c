"""Quick mode (CI): every experiment runs end to end on tiny budgets and writes valid files elsewhere."""

from __future__ import annotations

import hashlib
import json
import statistics
from pathlib import Path

import pytest

from course.experiments.paths import RESULTS_DIR, TABLES_DIR
from course.cli import main
from course.experiments.suite import EXPERIMENTS, run_experiment

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def fingerprint(*folders: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folders``."""
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in folders if folder.exists() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, Path]], dict, dict]:
    """Run every experiment in quick mode once, as a user types it (``lstm-course experiment all --quick --out``);
    record the committed files before and after."""
    out = tmp_path_factory.mktemp("experiments")
    before = fingerprint(RESULTS_DIR, TABLES_DIR)
    assert main(["experiment", "all", "--quick", "--out", str(out)]) == 0
    paths = {name: {"json": out / f"{name}.json", "figure": out / f"{name}.png", "table": out / f"{name}.md"}
             for name in EXPERIMENTS}
    return out, paths, before, fingerprint(RESULTS_DIR, TABLES_DIR)


def test_quick_mode_never_touches_the_committed_results(quick_results):
    _, _, before, after = quick_results
    assert before == after


def test_quick_mode_requires_its_own_folder():
    with pytest.raises(ValueError):
        run_experiment("tbptt", quick=True)


@pytest.mark.parametrize("name", list(EXPERIMENTS))
def test_quick_result_is_valid_json_with_spread_over_seeds(quick_results, name):
    out, paths, _, _ = quick_results
    assert paths[name]["json"] == out / f"{name}.json"
    result = json.loads(paths[name]["json"].read_text())
    assert result["name"] == name and result["mode"] == "quick" and result["command"].endswith("--quick")
    assert result["seeds"] == [0, 1]
    seeds_per_config: dict[str, set[int]] = {}
    for run in result["runs"]:
        key = json.dumps({k: v for k, v in run["config"].items() if k != "seed"}, sort_keys=True)
        seeds_per_config.setdefault(key, set()).add(run["config"]["seed"])
        assert 0.0 <= run["val_accuracy"] <= 1.0 and run["curve"]["samples"][-1] == run["config"]["samples"]
    assert all(seeds == {0, 1} for seeds in seeds_per_config.values())
    for entry in result["summary"]:
        assert entry["val_accuracy"]["n"] == 2 and entry["val_accuracy"]["std"] >= 0.0


@pytest.mark.parametrize("name", list(EXPERIMENTS))
def test_quick_figure_and_table_are_written(quick_results, name):
    _, paths, _, _ = quick_results
    figure = paths[name]["figure"]
    assert figure.read_bytes()[:8] == PNG_MAGIC and figure.stat().st_size > 10_000
    table = paths[name]["table"].read_text()
    assert table.count("\n|") >= 3 and f"lstm-course experiment {name} --quick" in table


def test_tbptt_timing_covers_every_window(quick_results):
    out, _, _, _ = quick_results
    result = json.loads((out / "tbptt.json").read_text())
    windows = result["settings"]["windows"]
    assert [t["window"] for t in result["timing"]] == windows
    full = next(t for t in result["timing"] if t["window"] == max(windows))["step_ms_rounds"]
    for entry in result["timing"]:  # each round's ratio is that round's time over the full window's same round
        rounds = entry["step_ms_rounds"]
        assert len(rounds) == len(full) and entry["ratio_rounds"] == pytest.approx([a / b for a, b in zip(rounds, full)])
        assert entry["step_ms"] == pytest.approx(statistics.median(rounds))
        assert entry["ratio_to_full"] == pytest.approx(statistics.median(entry["ratio_rounds"]))


@pytest.mark.parametrize("name", list(EXPERIMENTS))
def test_quick_files_name_their_implementation_and_their_source(quick_results, name):
    """Issue 24: the JSON says which implementation trained; the table names the JSON it came from, not the committed one."""
    _, paths, _, _ = quick_results
    result = json.loads(paths[name]["json"].read_text())
    assert result["implementation"] == "solutions" and "--impl" not in result["command"]
    header = paths[name]["table"].read_text().splitlines()[0]
    assert header == f"<!-- generated from {paths[name]['json'].resolve()} by course/experiments/tables.py -->"


@pytest.mark.parametrize("name", list(EXPERIMENTS))
def test_quick_figures_show_every_value(quick_results, name, monkeypatch):
    """Issue 24: a quick run's accuracies sit below the panels' usual floor (0.4); the floor comes down to show them."""
    import matplotlib.pyplot as plt

    from course.experiments import plots
    from course.plot_limits import lowest_value

    _, paths, _, _ = quick_results
    drawn = []
    monkeypatch.setattr(plots, "_save", lambda fig, path: drawn.append(fig) or path)
    plots.plot(json.loads(paths[name]["json"].read_text()), paths[name]["figure"])
    (fig,) = drawn
    hidden = [ax.get_title() for ax in fig.axes if ax.get_yscale() == "linear" and lowest_value(ax) < ax.get_ylim()[0]]
    plt.close(fig)
    assert not hidden, f"values below the y axis in: {hidden}"
