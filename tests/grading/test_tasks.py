"""A part split over children side by side (``course.grading.running.tasks``) gets the verdicts of one child.

``check --parts layer`` on two cores runs the layer's bare probes and its in-model
training in two children at once. Graded split (two jobs) and whole (one job), with the
same seed, each submission here must get the same verdict on every layer check and the
same end: the graph-mode trap (a layer written outside the project, which passes every
other layer check and loses ``trains_in_model`` in the in-model group only), and a
correct layer that kills its process only inside ``model.fit``, which must cost the whole
part, as it does in one child.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from course.grading.checking.checks import checks_for
from course.grading.checking.judges import Evidence
from course.grading.core import grade_submission
from course.grading.running import runner, tasks
from course.grading.running.runner import PartRun
from tests.grading.outside import corpus

#: Appended to a correct layer: its ``call`` ends the process when Keras' ``fit`` runs it.
EXITS_IN_FIT = '''
import functools as _functools
import inspect as _inspect
import os as _os

_call = LSTM.call


@_functools.wraps(_call)
def _exits_in_fit(self, *args, **kwargs):
    if any(frame.function == "train_step" for frame in _inspect.stack(0)):
        _os._exit(5)
    return _call(self, *args, **kwargs)


LSTM.call = _exits_in_fit
'''


def _run(status: str, values: dict | None, *, output: str = "", isolation: str = "bwrap+uid",
         seconds: float = 1.0) -> PartRun:
    """A synthetic task run with one submission's evidence (None: nothing came back)."""
    evidence = [None if values is None else Evidence(values=dict(values), arrays={k: np.zeros(1) for k in values},
                                                     errors={}, guard=[f"guard:{k}" for k in values])]
    return PartRun(part="layer", status=status, seconds=seconds, reason=f"{status} reason", output=output,
                   evidence=evidence, isolation=isolation)


def test_a_part_is_split_only_when_a_job_slot_would_idle() -> None:
    """Five parts on two jobs stay whole; the layer alone on two jobs runs as its two groups."""
    assert tasks.plan(["training", "layer", "cell", "model", "data"], 2) == [
        tasks.Task(p) for p in ("training", "layer", "cell", "model", "data")]
    assert tasks.plan(["layer"], 1) == [tasks.Task("layer")]
    assert [t.name for t in tasks.plan(["layer"], 2)] == ["layer-bare", "layer-in_model"]
    assert [t.name for t in tasks.plan(["layer", "cell"], 3)] == ["layer-bare", "layer-in_model", "cell"]


def test_merging_keeps_evidence_only_when_every_task_brought_some() -> None:
    """Values combine; a task that timed out or crashed leaves the part with that end and no evidence."""
    whole = tasks.merge("layer", [_run("ok", {"a": 1}, output="hi", seconds=0.7),
                                  _run("ok", {"b": 2}, output="hi", isolation="bwrap", seconds=1.1)])
    assert whole.status == "ok" and whole.seconds == 1.1 and whole.isolation == "bwrap"
    assert whole.evidence[0].values == {"a": 1, "b": 2} and set(whole.evidence[0].arrays) == {"a", "b"}
    assert whole.evidence[0].guard == ["guard:a", "guard:b"] and whole.output == "hi"
    crashed = tasks.merge("layer", [_run("ok", {"a": 1}), _run("crashed", None)])
    assert crashed.status == "crashed" and crashed.reason == "crashed reason" and crashed.evidence == [None]
    timeout = tasks.merge("layer", [_run("crashed", None), _run("timeout", {"b": 2})])
    assert timeout.status == "timeout" and timeout.evidence == [None]


@pytest.fixture(scope="module")
def submissions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two layers: the trap (tf.function on call), and a correct one (tf.scan) that exits inside fit."""
    root = tmp_path_factory.mktemp("split")
    trap = next(m for m in corpus.OUTSIDE_MUTANTS if m.name == "trap_tf_function_on_call")
    made = {"trap": corpus.build_mutant(trap, root / "trap"),
            "exits_in_fit": corpus.assemble(corpus.SUBMISSIONS["tf_scan"], root / "exits_in_fit")}
    with open(made["exits_in_fit"] / "layer.py", "a") as handle:
        handle.write(EXITS_IN_FIT)
    return made


def _layer_verdicts(folder: Path, jobs: int) -> tuple[dict[str, bool], str]:
    """Grade the layer part alone with ``jobs`` jobs (seed 5): its checks' verdicts and the part's end."""
    report = grade_submission(folder, jobs=jobs, seed=5, parts=("layer",))
    names = {c.name for c in checks_for("layer")}
    return {r.name: r.passed for r in report.results if r.name in names}, report.runs["layer"].status


@pytest.fixture
def plans(monkeypatch: pytest.MonkeyPatch) -> list[list[tasks.Task]]:
    """Every plan the core makes during the test, in order."""
    made: list[list[tasks.Task]] = []
    plan = tasks.plan
    monkeypatch.setattr(tasks, "plan", lambda parts, jobs: made.append(plan(parts, jobs)) or made[-1])
    return made


@pytest.mark.parametrize("name, expected_status, lost", [
    ("trap", "ok", {"layer.trains_in_model"}),
    ("exits_in_fit", "crashed", {c.name for c in checks_for("layer")}),
])
def test_split_and_whole_give_the_same_verdicts(name: str, expected_status: str, lost: set[str],
                                                submissions: dict[str, Path], plans: list) -> None:
    """The same verdicts and end split (two jobs) as whole (one job), and the split really happened."""
    split, split_status = _layer_verdicts(submissions[name], 2)
    whole, whole_status = _layer_verdicts(submissions[name], 1)
    assert [len(p) for p in plans] == [2, 1]
    assert split == whole and split_status == whole_status == expected_status
    assert {n for n, passed in split.items() if not passed} == lost


def test_the_per_part_path_does_not_split(submissions: dict[str, Path], plans: list,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Without forking (a Python that imports TensorFlow per child) the layer runs whole, with the same verdicts."""
    monkeypatch.setenv(runner.ZYGOTE_ENV, "off")
    verdicts, status = _layer_verdicts(submissions["trap"], 2)
    assert plans == []
    assert status == "ok" and {n for n, passed in verdicts.items() if not passed} == {"layer.trains_in_model"}
