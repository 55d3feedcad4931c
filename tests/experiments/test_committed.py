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


#: A small seq-len result, and the fragment it must render to, typed by hand (not produced by ``tables``).
HAND_RESULT = {
    "name": "seq-len", "seeds": [0, 1], "command": "lstm-course experiment seq-len --quick", "mode": "quick",
    "settings": {"samples": 1280, "val_samples": 256},
    "summary": [
        {"seq_len": 10, "val_accuracy": {"mean": 0.9375, "std": 0.0124, "min": 0.925, "max": 0.95, "n": 2},
         "seeds_above_bar": 2, "samples_to_80": [1280, 640]},
        {"seq_len": 200, "val_accuracy": {"mean": 0.5, "std": 0.0, "min": 0.5, "max": 0.5, "n": 2},
         "seeds_above_bar": 0, "samples_to_80": [None, None]},
    ],
}
HAND_FRAGMENT = """<!-- generated from docs/assets/experiments/seq-len.json by course/experiments/tables.py -->

| T | held-out accuracy | min – max over seeds | seeds ≥ 0.80 | seeds at 80 % on the curve (sequences) |
|---|---|---|---|---|
| 10 | 0.938 ± 0.012 | 0.925 – 0.950 | 2/2 | 2/2, by 640–1,280 |
| 200 | 0.500 ± 0.000 | 0.500 – 0.500 | 0/2 | 0/2 |

*2 seeds (0, 1), 1,280 training sequences per run (batch 64, Adam 1e-3, 32 units), 256 held-out sequences; \
mean ± standard deviation over seeds. Made by `lstm-course experiment seq-len --quick` (quick mode); \
data: [seq-len.json](assets/experiments/seq-len.json).*
"""


def test_render_matches_a_fragment_typed_by_hand():
    """tables.render on a small result gives the fragment written out by hand above."""
    assert tables.render(HAND_RESULT) == HAND_FRAGMENT
