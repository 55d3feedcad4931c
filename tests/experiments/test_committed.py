"""The committed full-mode results: complete, consistent with their tables and figures, shown on the pages."""

from __future__ import annotations

import json
import re

import pytest

from course.experiments import plots, tables
from course.experiments.paths import RESULTS_DIR, TABLES_DIR
from course.experiments.suite import EXPERIMENTS
from course.impl import REPO_ROOT

PAGES = {"forget-bias": "forget-bias.md", "tbptt": "truncated-bptt.md",
         "regression": "regression-vs-classification.md", "seq-len": "sequence-length.md"}


def committed(name: str) -> dict:
    """The committed JSON result of one experiment."""
    return json.loads((RESULTS_DIR / f"{name}.json").read_text())


@pytest.mark.parametrize("name", list(EXPERIMENTS))
def test_committed_result_is_a_full_run_with_several_seeds(name):
    result = committed(name)
    module = EXPERIMENTS[name]
    assert result["mode"] == "full" and result["settings"] == module.SETTINGS["full"]
    assert len(result["seeds"]) >= 3
    assert all(entry["val_accuracy"]["n"] == len(result["seeds"]) for entry in result["summary"])


@pytest.mark.parametrize("name", list(EXPERIMENTS))
def test_committed_table_is_generated_from_the_committed_json(name):
    """Every number on the pages comes from the JSON: the fragment must be exactly what the generator makes."""
    assert (TABLES_DIR / f"{name}.md").read_text() == tables.render(committed(name))


def test_replot_all_redraws_every_figure_without_training(tmp_path):
    written = plots.replot_all(out_dir=tmp_path)
    assert sorted(p.name for p in written) == sorted(f"{name}.png" for name in EXPERIMENTS)
    assert all(p.stat().st_size > 10_000 for p in written)
    assert all((RESULTS_DIR / p.name).exists() for p in written)


@pytest.mark.parametrize("name", list(EXPERIMENTS))
def test_page_shows_the_figure_the_table_and_the_command(name):
    page = (REPO_ROOT / "docs" / PAGES[name]).read_text()
    assert f"](assets/experiments/{name}.png)" in page
    assert f'--8<-- "docs/generated/experiments/{name}.md"' in page
    assert f"lstm-course experiment {name}" in page
    assert "RESULTS-TODO" not in page
    assert "What this shows" in page or "What the experiment shows" in page


@pytest.mark.parametrize("name", list(EXPERIMENTS))
def test_page_prose_quotes_no_accuracy_that_is_not_in_the_json(name):
    """Accuracies written in a page's prose (0.xxx) must appear in that experiment's generated table."""
    page = (REPO_ROOT / "docs" / PAGES[name]).read_text()
    table = (TABLES_DIR / f"{name}.md").read_text()
    for number in re.findall(r"(?<![\d.])0\.\d{3}(?!\d)", page):
        assert number in table, f"{PAGES[name]} quotes {number}, which its table does not hold"
