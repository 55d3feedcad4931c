"""``lstm-course figures --quick`` draws every site figure; its parts behave."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import pytest
from PIL import Image
from rich.console import Console

from course.cli import main as lstm_course
from course.commands import figures as figures_command
from course.figures.training import write_fragment
from course.impl import REPO_ROOT

DOCS = REPO_ROOT / "docs"
SITE_FIGURES = ("task.png", "lstm-cell.png", "gate-activations.png", "graph-size.png", "training-curves.png")


def _docs_contents() -> dict[str, bytes]:
    """Every file under ``docs/`` (figures, tables, notebooks, pages), by path.

    Returns:
        dict relative path -> bytes.
    """
    return {p.relative_to(DOCS).as_posix(): p.read_bytes() for p in sorted(DOCS.rglob("*")) if p.is_file()}


def test_figures_quick_draws_every_figure_into_a_temporary_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The quick run writes every figure, non-blank, and the training table into a new temporary folder,
    and leaves every file under ``docs/`` as it was (issue 24: it used to overwrite the committed ones)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where mkdtemp makes the run's folder
    before = _docs_contents()
    assert lstm_course(["figures", "--quick", "--site-only"]) == 0  # the replots: see the test below
    assert _docs_contents() == before
    (out,) = tmp_path.glob("lstm-figures-*")
    for name in SITE_FIGURES:
        image = Image.open(out / name).convert("L")
        low, high = image.getextrema()
        assert image.width > 300 and high - low > 100, f"{name} looks blank"
    table = (out / "training.md").read_text()
    assert table.count("\n| 1 |") == 1 and "lstm-course train" in table
    counts = json.loads((out / "graph-size.json").read_text())
    assert counts["python_loop"] == sorted(counts["python_loop"]) and counts["python_loop"][0] < counts["python_loop"][-1]
    assert len(set(counts["while_loop"])) == 1 and counts["while_loop_traces"] == [1]
    assert "eager Python loop:" in (out / "graph-mode-speed.txt").read_text()


def test_only_a_full_run_of_the_reference_rewrites_the_committed_files() -> None:
    """The full run refreshes the site (figures, tables, notebooks); any other run writes elsewhere."""
    import argparse

    parse = argparse.ArgumentParser()
    figures_command.register(parse.add_subparsers())
    def committed(*extra: str) -> bool:
        return figures_command.writes_committed_files(parse.parse_args(["figures", *extra]))

    assert committed() and committed("--impl", "solutions")
    assert not committed("--quick") and not committed("--out", "elsewhere")
    assert not committed("--impl", "exercises")


def test_missing_helper_module_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another helper's plots module that does not exist yet is skipped, not a crash."""
    (tmp_path / "helperpkg").mkdir()
    (tmp_path / "helperpkg" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert figures_command._external("course.no_such_helper.plots") is None
    assert figures_command._external("helperpkg.plots") is None


def test_helper_replots_are_called(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``figures`` calls every helper's ``replot_all`` and fails when one of them raises."""
    (tmp_path / "fakehelper").mkdir()
    (tmp_path / "fakehelper" / "__init__.py").write_text("")
    (tmp_path / "fakehelper" / "good.py").write_text(
        "from pathlib import Path\nCALLS = []\ndef replot_all():\n    CALLS.append(1)\n    return [Path('x.png')]\n")
    (tmp_path / "fakehelper" / "bad.py").write_text("def replot_all():\n    raise RuntimeError('no JSON')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    console = Console(file=io.StringIO())
    monkeypatch.setattr(figures_command, "EXTERNAL_PLOTS", ("fakehelper.good", "fakehelper.absent", "fakehelper.bad"))
    steps = figures_command.external_steps(console)
    assert [name for name, _ in steps] == ["fakehelper.good.replot_all", "fakehelper.bad.replot_all"]
    assert figures_command.run_steps(steps, console) == 1  # the bad one failed, the good one still ran
    import fakehelper.good

    assert fakehelper.good.CALLS == [1]
    report = console.file.getvalue()
    assert "skipped fakehelper.absent.replot_all" in report and "failed fakehelper.bad.replot_all" in report


def test_helper_replots_go_to_the_run_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside a full run, a helper's replot writes into the run's folder, or is skipped when it cannot."""
    (tmp_path / "movinghelper").mkdir()
    (tmp_path / "movinghelper" / "__init__.py").write_text("")
    (tmp_path / "movinghelper" / "movable.py").write_text(
        "CALLS = []\ndef replot_all(results_dir=None, out_dir=None):\n    CALLS.append(out_dir)\n    return []\n")
    (tmp_path / "movinghelper" / "fixed.py").write_text("def replot_all():\n    raise AssertionError('called')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    console = Console(file=io.StringIO())
    monkeypatch.setattr(figures_command, "EXTERNAL_PLOTS", ("movinghelper.movable", "movinghelper.fixed"))
    steps = figures_command.external_steps(console, tmp_path / "run")
    assert figures_command.run_steps(steps, console) == 0
    import movinghelper.movable

    assert movinghelper.movable.CALLS == [tmp_path / "run" / "movable"]
    assert "skipped movinghelper.fixed.replot_all: it can only write the committed figures" in console.file.getvalue()
    import inspect

    from course.bench.plots import replot_all as bench_replot
    from course.experiments.plots import replot_all as experiments_replot

    assert "out_dir" in inspect.signature(bench_replot).parameters  # the real ones can move
    assert "out_dir" in inspect.signature(experiments_replot).parameters


def test_broken_helper_module_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A plots module that exists but fails to import is an error, not a silent skip."""
    (tmp_path / "brokenpkg").mkdir()
    (tmp_path / "brokenpkg" / "__init__.py").write_text("")
    (tmp_path / "brokenpkg" / "plots.py").write_text("import no_such_dependency_of_the_plots\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError, match="no_such_dependency_of_the_plots"):
        figures_command._external("brokenpkg.plots")


def test_training_fragment_from_json(tmp_path: Path) -> None:
    """The training table carries every epoch's numbers and the command that made them."""
    record = {"args": {"samples": "640", "epochs": "2", "seq_len": "25", "batch_size": "64", "data": "per-sample",
                       "seed": "0"},
              "history": {"loss": [0.6, 0.4], "accuracy": [0.6, 0.8], "val_loss": [0.5, 0.3],
                          "val_accuracy": [0.7, 0.9]}, "seconds": 3.0}
    (tmp_path / "run.json").write_text(json.dumps(record))
    text = write_fragment(tmp_path / "run.json", tmp_path / "table.md", "lstm-course train --x").read_text()
    assert "| 2 | 0.4000 | 0.8000 | 0.3000 | 0.9000 |" in text
    assert "1,280 training samples" in text and "`lstm-course train --x`" in text
