"""``check --watch``'s pieces that need no grading: which parts a save concerns, save detection, the merge.

The journey through a real watcher (a mistake, a crash, a hang, the fix, Ctrl-C) is
``tests/release/test_journey.py``.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from course.grading.checking.checks import CHECKS, RUN_PARTS
from course.grading.checking.judges import Evidence
from course.grading.core import GradeReport, assemble
from course.grading.running.runner import PartRun
from course.watch import files, scope
from course.watch.standing import Standing
from course.impl import REPO_ROOT

ALL = scope.ordered(None)


@pytest.fixture()
def mine(tmp_path: Path) -> Path:
    """A copy of the reference, as a student's folder."""
    if not (REPO_ROOT / "solutions").is_dir():
        pytest.skip("needs the reference solution")
    return Path(shutil.copytree(REPO_ROOT / "solutions", tmp_path / "mine",
                                ignore=shutil.ignore_patterns("__pycache__")))


def test_a_save_regrades_the_parts_that_run_the_file(mine: Path) -> None:
    """The reference's imports: layer runs cell.py; model and training run the grader's cell, layer and prepare."""
    assert scope.parts_to_regrade({"cell.py"}, mine, ALL) == ("cell", "layer")
    assert scope.parts_to_regrade({"layer.py"}, mine, ALL) == ("layer",)
    assert scope.parts_to_regrade({"data.py"}, mine, ALL) == ("data",)  # train.py takes only prepare from it
    assert scope.parts_to_regrade({"model.py"}, mine, ALL) == ("model",)
    assert scope.parts_to_regrade({"train.py"}, mine, ALL) == ("training",)
    assert scope.parts_to_regrade({"train.py", "cell.py"}, mine, ALL) == ("cell", "training", "layer")
    assert scope.parts_to_regrade({"cell.py"}, mine, ("cell",)) == ("cell",)


def test_a_model_on_the_student_stack_follows_its_cell_and_layer(mine: Path) -> None:
    """Once the model part needed the student's own layer, a save of cell.py or layer.py regrades the model too."""
    assert scope.parts_to_regrade({"cell.py"}, mine, ALL, student_stack=True) == ("cell", "layer", "model")
    assert scope.parts_to_regrade({"layer.py"}, mine, ALL, student_stack=True) == ("layer", "model")


def test_imports_reach_helpers_and_unknowns_regrade_everything(mine: Path) -> None:
    """A helper module counts where it is imported; a dynamic import or a data file regrades every part."""
    (mine / "helpers.py").write_text("SCALE = 1.0\n")
    with open(mine / "cell.py", "a") as handle:
        handle.write("\nfrom .helpers import SCALE\n")
    assert scope.parts_to_regrade({"helpers.py"}, mine, ALL) == ("cell", "layer")
    with open(mine / "train.py", "a") as handle:
        handle.write("\nfrom .data import make_dataset\n")  # more than the grader's prepare: data.py now runs
    assert scope.parts_to_regrade({"data.py"}, mine, ALL) == ("data", "training")
    assert scope.parts_to_regrade({"weights.npz"}, mine, ALL) == ALL
    with open(mine / "model.py", "a") as handle:
        handle.write("\nimport importlib\n_x = importlib.import_module('.helpers', __package__)\n")
    assert scope.parts_to_regrade({"answers.md"}, mine, ALL) == ()
    assert set(scope.parts_to_regrade({"data.py"}, mine, ALL)) == {"data", "model", "training"}


def test_sibling_imports_read_every_relative_form() -> None:
    """``from .x import a``, ``from . import x``, a dotted module, a dynamic import, and a file that does not parse."""
    assert scope.sibling_imports("from .data import prepare, SEQ_LEN\n") == {"data.py": {"prepare", "SEQ_LEN"}}
    assert scope.sibling_imports("from . import data, helpers\n") == {"data.py": scope.WHOLE,
                                                                       "helpers.py": scope.WHOLE}
    assert scope.sibling_imports("from .pkg.mod import f\n") == {"pkg.py": scope.WHOLE}
    assert scope.EVERYTHING in scope.sibling_imports("import importlib\nimportlib.import_module('.cell', 'x')\n")
    assert scope.sibling_imports("import numpy as np\nfrom numpy import zeros\n") == {}
    assert scope.sibling_imports("def broken(:\n") == {}


def _writer(folder: Path, writes: list[tuple[float, str, str]]) -> threading.Thread:
    """Write files after delays, in a thread.

    Args:
        folder: Path.
        writes: list of ``(seconds to wait, file name, text)``.

    Returns:
        The started thread.
    """
    def run() -> None:
        for delay, name, text in writes:
            time.sleep(delay)
            (folder / name).parent.mkdir(exist_ok=True)
            (folder / name).write_text(text)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_burst_of_writes_is_one_save_and_an_unchanged_save_is_none(tmp_path: Path) -> None:
    """Rewriting a file unchanged is no save; three writes in a burst are one, reported with their last content."""
    (tmp_path / "cell.py").write_text("A = 1\n")
    (tmp_path / "notes.bin").write_text("not copied to the grader\n")
    graded = files.take(tmp_path)
    assert set(graded.digests) == {"cell.py"}
    _writer(tmp_path, [(0.2, "cell.py", "A = 1\n"), (0.1, "notes.bin", "edited"),  # neither is a change
                       (0.5, "cell.py", "A = 2\n"), (0.05, "cell.py", "A = 3\n"), (0.05, "cell.py", "A = 4\n")])
    start = time.monotonic()
    snapshot, edited, first_seen = files.wait_for_change(tmp_path, graded, poll=0.05, settle=0.2)
    assert edited == {"cell.py"} and first_seen - start > 0.6
    assert snapshot.digests == files.take(tmp_path).digests  # the burst's last content, A = 4
    assert files.changed(graded, snapshot) == {"cell.py"}


def test_files_appearing_and_vanishing_are_changes(tmp_path: Path) -> None:
    """A new file and a deleted one both count (an editor's rename, a student's new helper)."""
    (tmp_path / "cell.py").write_text("A = 1\n")
    before = files.take(tmp_path)
    (tmp_path / "cell.py").unlink()
    (tmp_path / "helpers.py").write_text("B = 1\n")
    assert files.changed(before, files.take(tmp_path, before)) == {"cell.py", "helpers.py"}


def test_a_link_is_a_change_and_an_ungradable_folder_is_watched_whole(tmp_path: Path) -> None:
    """A link at the root counts (the intake refuses it); below it, only the whole-folder watch sees new files."""
    (tmp_path / "cell.py").write_text("A = 1\n")
    before = files.take(tmp_path)
    (tmp_path / "notes").symlink_to("/etc/hostname")
    assert files.changed(before, files.take(tmp_path)) == {"notes"}
    tree = files.tree(tmp_path)
    _writer(tmp_path, [(0.2, "pkg/__init__.py", "")])
    settled, _ = files.wait_for_tree_change(tmp_path, tree, poll=0.05)
    assert [entry[0] for entry in settled] == ["cell.py", "notes", "pkg", "pkg/__init__.py"]


def _report(folder: Path, runs: dict[str, PartRun], failing: set[str] = frozenset()) -> GradeReport:
    """A report whose run parts are ``runs``, every check passing except ``failing``.

    Args:
        folder: Path.
        runs: dict of part to PartRun.
        failing: set of check names.

    Returns:
        GradeReport.
    """
    return assemble(str(folder), {c.name: (c.name not in failing, "seen") for c in CHECKS}, runs, seed=7)


def _run(part: str, guard: list[str] = (), status: str = "ok") -> PartRun:
    """A part's run with one piece of evidence.

    Args:
        part: str.
        guard: list of str, the runtime guard's records.
        status: str.

    Returns:
        PartRun.
    """
    return PartRun(part=part, status=status, seconds=1.0, reason="" if status == "ok" else "it hung",
                   evidence=[Evidence(guard=list(guard))])


def test_the_merge_keeps_unchanged_parts_and_judges_the_rules_on_every_latest_run(mine: Path) -> None:
    """A regrade of the cell replaces the cell's checks only; the layer's runtime record still fails the rules."""
    standing = Standing()
    first = _report(mine, {p: _run(p, guard=["keras.layers.LSTM"] if p == "layer" else []) for p in RUN_PARTS},
                    failing={"layer.graph_while", "rules.no_builtin_rnn"})
    assert standing.update(first, mine) is first
    fresh = _report(mine, {"cell": _run("cell", status="timeout")},
                    failing={"cell.forget_bias", "layer.graph_while"})  # a partial report fails what did not run
    merged = standing.update(fresh, mine)
    failed = {r.name for r in merged.results if not r.passed}
    assert failed == {"cell.forget_bias", "layer.graph_while", "rules.no_builtin_rnn"}
    assert "at run time: keras.layers.LSTM" in merged.result("rules.no_builtin_rnn").detail
    assert merged.runs["cell"] is fresh.runs["cell"] and merged.runs["layer"] is first.runs["layer"]
    assert merged.status == "timeout" and merged.reason == "cell: it hung"
    assert merged.result("rules.type_hints").passed and merged.result("answers.both_questions").passed
    scores = merged.part_scores()  # every part's score, not only the regraded part's
    assert set(scores) >= set(RUN_PARTS) and scores["layer"][0] == scores["layer"][1] - merged.result("layer.graph_while").check.points
    assert merged.parts["cell"].status == "timeout" and merged.parts["layer"].status == "ok"


@pytest.mark.timeout(120)  # a watcher that started instead would never return
def test_watch_refuses_what_it_cannot_watch(tmp_path: Path) -> None:
    """``--watch`` with ``--keep``, or on a ``.zip``, exits 2 with a line that says why, before grading anything."""
    from course.cli import main

    archive = tmp_path / "mine.zip"
    archive.write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip: check would grade it, watch cannot
    assert main(["check", str(archive), "--watch"]) == 2
    assert main(["check", str(tmp_path), "--watch", "--keep", str(tmp_path / "kept")]) == 2
    assert not (tmp_path / "kept").exists()
