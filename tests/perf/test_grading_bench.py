"""``lstm-course bench --only grading``: the quick run CI makes, and the section's pieces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from course.bench import grading
from course.bench.run import RESULTS_DIR
from course.cli import main
from course.impl import REPO_ROOT


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """Run the grading section's quick mode once, into a temporary folder."""
    if not (REPO_ROOT / "solutions").is_dir():
        pytest.skip("the grading bench grades the reference solution")
    out = tmp_path_factory.mktemp("grading-bench") / "results.json"
    committed = RESULTS_DIR / "grading.json"
    before = committed.stat().st_mtime if committed.exists() else None
    assert main(["bench", "--quick", "--threads", "0", "--only", "grading", "--json", str(out)]) == 0
    assert (committed.stat().st_mtime if committed.exists() else None) == before, "--quick must not touch grading.json"
    return out, json.loads(out.read_text())


def test_quick_run_grades_the_reference_in_full(quick: tuple[Path, dict]) -> None:
    """The check and every batch submission get every point of the parts they ran, through the zygote."""
    _, results = quick
    g = results["grading"]
    assert results["quick"] is True and list(g["check"]) == ["zygote"]
    check = g["check"]["zygote"]
    assert len(check["seconds"]) == 1 and check["median_s"] > 0
    assert "Total of data, rules, answers: 20 / 20" in check["score"], check["score"]
    batch = g["batch"]["zygote"]
    assert batch["exit"] == 0 and batch["submissions"] == 2
    assert sorted(batch["scores"].values()) == ["20", "20"] or sorted(map(float, batch["scores"].values())) == [20, 20]
    assert batch["per_min"] == pytest.approx(60 * 2 / batch["seconds"], rel=0.01)


def test_quick_run_says_where_the_time_goes(quick: tuple[Path, dict]) -> None:
    """Process start, the CLI's start, the imports, the teardown they cost and the oracle are timed; the load too."""
    _, results = quick
    b = results["grading"]["breakdown"]
    for key in ("python_start_s", "cli_help_s", "import_tensorflow_keras_s", "teardown_after_tensorflow_s", "oracle_s"):
        assert b[key] > 0, key
    assert b["python_start_s"] < b["import_tensorflow_keras_s"]
    assert results["grading"]["load"]["cpus"] >= 1


def test_quick_run_times_a_save_under_watch(quick: tuple[Path, dict]) -> None:
    """One watcher of the data part: a save of data.py is answered by its verdict, then the whole check, at full marks."""
    _, results = quick
    w = results["grading"]["watch"]
    assert w["stopped"] and "Total of data, rules, answers: 20 / 20" in w["score"], w
    data = w["parts"]["data"]
    assert len(data["part_rounds"]) == 1 and 0 < data["part_s"] <= data["whole_s"] < 600
    assert w["first_s"] > 0 and w["targets"] == {"part_s": 2.0, "whole_s": 4.0}


def test_quick_run_writes_its_fragment(quick: tuple[Path, dict]) -> None:
    """The Markdown fragment goes next to the JSON and names every target."""
    out, _ = quick
    text = (out.parent / "generated" / "grading.md").read_text()
    assert "| `check` of a correct solution (parts: data)" in text
    assert "≤ 15" in text and "≥ 6" in text and "import_tensorflow_keras" in text
    assert "| `data.py` |" in text and "| goal | ≤ 2 | ≤ 4 |" in text


def test_summary_compares_the_paths_with_the_targets() -> None:
    """Both paths side by side; training has no 5 s target; the batch rate, the machine and the load are shown."""
    results = {"command": "lstm-course bench --only grading", "date": "2026-11-30T21:00:00",
               "machine": {"cpu": "Some CPU", "cores": 2, "python": "3.11.7", "tensorflow": "2.21.0", "keras": "3.15.1"},
               "grading": {
        "check": {"per-part": {"median_s": 80.0}, "zygote": {"median_s": 50.0}},
        "parts": {"cell": {"per-part": 25.0, "zygote": 7.0}, "training": {"per-part": 30.0, "zygote": 10.0}},
        "batch": {"per-part": {"per_min": 1.9}, "zygote": {"per_min": 3.0}},
        "breakdown": {"python_start_s": 0.1}, "load": {"before": 1.0, "after": 2.0, "cpus": 2},
        "watch": {"parts": {"cell": {"part_s": 1.234, "whole_s": 3.5}}, "first_s": 9.0, "graded": None,
                  "targets": {"part_s": 2.0, "whole_s": 4.0}},
        "check_parts": None, "targets": grading.TARGETS}}
    text = grading.summary_md(results)
    assert "| `cell.py` | 1.23 | 3.50 |" in text and "| goal | ≤ 2 | ≤ 4 |" in text
    assert "| what | per-part | zygote | target |" in text
    assert "| `check --parts cell`, median s | 25.0 | 7.0 | ≤ 5 |" in text
    assert "| `check --parts training`, median s | 30.0 | 10.0 |  |" in text
    assert "| batch `grade --jobs 2`, submissions/min | 1.9 | 3.0 | ≥ 6 |" in text
    assert "on 2 CPUs" in text
    assert "`lstm-course bench --only grading` on 2026-11-30: Some CPU, 2 cores" in text


def test_batch_folder_holds_the_copies_and_the_hostile_cases(tmp_path: Path) -> None:
    """Correct copies, then each hostile case with its text appended to its file."""
    if not (REPO_ROOT / "solutions").is_dir():
        pytest.skip("needs the reference solution")
    names = grading._batch_folder(REPO_ROOT / "solutions", grading.GradingConfig(copies=2), tmp_path)
    assert names == ["correct-0", "correct-1", *(name for name, _, _ in grading.HOSTILE)]
    for name, file, text in grading.HOSTILE:
        assert (tmp_path / name / file).read_text().endswith(text)
