"""The generated fragments and figure data that no other test compared with their committed JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

from course.bench import grading
from course.figures.training import write_fragment
from course.impl import REPO_ROOT

ASSETS = REPO_ROOT / "docs" / "assets"
GENERATED = REPO_ROOT / "docs" / "generated"


def test_grading_fragment_is_what_grading_json_renders(tmp_path: Path) -> None:
    """``generated/bench/grading.md`` is exactly the fragment ``grading.json`` renders to.

    Args:
        tmp_path: pytest's temporary folder.
    """
    results = json.loads((ASSETS / "bench" / "grading.json").read_text())
    written = grading.write_fragment(results, tmp_path)
    assert written.read_text() == (GENERATED / "bench" / "grading.md").read_text(), (
        "stale: run `lstm-course bench --docs-only`")


def test_training_fragment_is_what_training_json_renders(tmp_path: Path) -> None:
    """``generated/site/training.md`` is the table of ``figures/training.json``, and its numbers are the JSON's.

    Args:
        tmp_path: pytest's temporary folder.
    """
    committed = (GENERATED / "site" / "training.md").read_text()
    command = re.search(r"Made by `([^`]+)`", committed).group(1)
    record = json.loads((ASSETS / "figures" / "training.json").read_text())
    assert write_fragment(ASSETS / "figures" / "training.json", tmp_path / "training.md", command).read_text() == committed
    last = record["history"]["val_accuracy"][-1]
    assert f"| {last:.4f} |" in committed.splitlines()[1 + len(record["history"]["val_accuracy"])]
    assert int(record["args"]["samples"]) >= 80_000, "the committed run is a full one, not --quick"


def test_graph_size_json_is_a_full_run_with_the_shape_the_page_describes() -> None:
    """``figures/graph-size.json`` holds the five lengths of a full run (a quick run keeps three); the loop's
    graph has one size for every length and one trace, and the unrolled graph grows by the same number of
    ops for every added step, as the page's caption says ("grows linearly")."""
    counts = json.loads((ASSETS / "figures" / "graph-size.json").read_text())
    assert counts["seq_len"] == [5, 10, 25, 50, 100]
    assert len(set(counts["while_loop"])) == 1 and counts["while_loop_traces"] == [1]
    steps, ops = counts["seq_len"], counts["python_loop"]
    per_step = {(ops[i + 1] - ops[i]) / (steps[i + 1] - steps[i]) for i in range(len(steps) - 1)}
    assert len(per_step) == 1 and per_step.pop() > 1
    assert ops[0] > counts["while_loop"][0]


def test_graph_mode_speed_quote_is_the_committed_notebooks_line() -> None:
    """``generated/site/graph-mode-speed.txt`` is the timing line the committed graph-mode notebook printed."""
    import nbformat

    notebook = nbformat.read(REPO_ROOT / "docs" / "notebooks" / "graph-mode.ipynb", as_version=4)
    printed = [line for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
               if output.output_type == "stream" for line in output.text.splitlines()
               if line.startswith("eager Python loop:")]
    assert printed and (GENERATED / "site" / "graph-mode-speed.txt").read_text() == printed[-1] + "\n"
