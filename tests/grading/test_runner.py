"""The one runner, forking or not, keeps every part's independence; a warm runner keeps its worker.

One submission, graded once by a forking runner (one sandbox, a forked child per part: the
zygote) and once by one that does not fork (one sandbox per part, whose worker becomes the
part), with the same seed: its data part prints its uid, its cell part exits at import, its
layer part hangs past a short limit, its model part is the reference's. Both must give each
part its own end (ok, crashed, timeout) and the same verdicts, and, as root in the sandbox,
each part its own unprivileged uid.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from course.grading.running import runner, sandbox
from course.grading.core import grade_submission
from course.impl import REPO_ROOT
from course.platform_support import can_fork_after_tensorflow

PARTS = ("data", "cell", "layer", "model")
#: The layer hangs: any short limit ends it as a timeout (before or after it reaches the loop).
TIMEOUTS = {"data": 120.0, "cell": 120.0, "layer": 8.0, "model": 120.0}

pytestmark = pytest.mark.skipif(not (REPO_ROOT / "solutions").is_dir(), reason="needs the reference solution")


#: Appended to data.py: every label flipped, so the data part runs to its end ("ok") and loses checks.
FLIPPED_LABELS = '''
_exact_task = integration_task


def integration_task(seq_len: int, num_samples: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The task with every label flipped.

    Args:
        seq_len: int, steps per sequence.
        num_samples: int, pairs yielded.
    """
    for noise, target in _exact_task(seq_len, num_samples):
        yield noise, 1 - target
'''


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference with a data.py that prints its uid and flips its labels, a cell.py that exits, a layer.py that hangs."""
    folder = tmp_path_factory.mktemp("zygote") / "mixed"
    shutil.copytree(REPO_ROOT / "solutions", folder, ignore=shutil.ignore_patterns("__pycache__"))
    with open(folder / "data.py", "a") as handle:
        handle.write("\nimport os as _os\nprint(f'uid-of-data={_os.getuid()} gid={_os.getgid()}', flush=True)\n")
        handle.write(FLIPPED_LABELS)
    with open(folder / "cell.py", "a") as handle:
        handle.write("\nimport os as _os\nif '_cell_' in __name__:  # the cell part's import, not the layer part's\n"
                     "    print(f'uid-of-cell={_os.getuid()}', flush=True)\n    _os._exit(3)\n")
    with open(folder / "layer.py", "a") as handle:
        handle.write("\nwhile '_layer_' in __name__:\n    pass\n")
    return folder


def _grade(folder: Path, mode: str, monkeypatch: pytest.MonkeyPatch, keep: Path):
    """Grade ``folder``'s first four parts forking (``on``) or not (``off``), seed 11, keeping them in ``keep``."""
    monkeypatch.setenv(runner.ZYGOTE_ENV, mode)
    return grade_submission(folder, jobs=2, seed=11, parts=PARTS, timeouts=TIMEOUTS, keep=keep)


@pytest.fixture(scope="module")
def kept(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the two gradings keep their parts' raw outputs (``on/`` and ``off/``)."""
    return tmp_path_factory.mktemp("kept")


@pytest.fixture(scope="module")
def both(mixed: Path, kept: Path) -> dict:
    """The mixed submission graded through both paths."""
    with pytest.MonkeyPatch.context() as patch:
        return {mode: _grade(mixed, mode, patch, kept / mode) for mode in ("on", "off")}


def test_each_part_ends_on_its_own(both: dict) -> None:
    """The exit costs the cell part, the hang the layer part; data and model are untouched."""
    runs = both["on"].runs
    assert runs["data"].status == "ok" and runs["model"].status == "ok"
    assert runs["cell"].status == "crashed" and "code 3" in runs["cell"].reason
    assert runs["layer"].status == "timeout" and f"{TIMEOUTS['layer']:g} s" in runs["layer"].reason
    assert both["on"].score == both["off"].score > 0


def test_same_verdicts_forking_or_not(both: dict) -> None:
    """Every check's verdict is the same on both paths (same seed, same inputs)."""
    on = {r.name: r.passed for r in both["on"].results}
    off = {r.name: r.passed for r in both["off"].results}
    assert on == off
    assert {p: r.status for p, r in both["on"].runs.items()} == {p: r.status for p, r in both["off"].runs.items()}


def test_kept_parts_hold_raw_outputs_and_a_rerun_on_the_same_path(both: dict, kept: Path) -> None:
    """``keep`` leaves each part's raw outputs, its verdicts as judged, and a rerun.sh forcing the path it took."""
    for mode in ("on", "off"):
        assert (kept / mode / "submission" / "cell.py").read_text() == Path(both[mode].submission, "cell.py").read_text()
        for part in PARTS:
            folder = kept / mode / part
            assert {"request.json", "inputs.npz", "output.txt", "verdicts.json", "rerun.sh"} <= {p.name for p in folder.iterdir()}
            verdicts = json.loads((folder / "verdicts.json").read_text())
            assert verdicts["status"] == both[mode].runs[part].status and verdicts["seed"] == 11
            assert {n: c["passed"] for n, c in verdicts["checks"].items()} == {
                r.name: r.passed for r in both[mode].results if r.check.part == part}
            script = (folder / "rerun.sh").read_text()
            assert f"{runner.ZYGOTE_ENV}={mode} " in script and f"--parts {part} --seed 11 --jobs 1 " in script
    assert "uid-of-data=" in (kept / "on" / "data" / "output.txt").read_text()  # the whole log, not the report's cut


def test_a_kept_failure_reruns_to_the_same_verdicts(both: dict, kept: Path, tmp_path: Path) -> None:
    """The data part's rerun.sh (forking) loses the same checks again: a 0 a teaching assistant can reproduce."""
    original = json.loads((kept / "on" / "data" / "verdicts.json").read_text())
    assert original["status"] == "ok" and not original["checks"]["data.labels_threshold_0"]["passed"]
    done = subprocess.run(["sh", str(kept / "on" / "data" / "rerun.sh"), "--keep", str(tmp_path / "again")],
                          capture_output=True, text=True, timeout=600, env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    again = json.loads((tmp_path / "again" / "data" / "verdicts.json").read_text())
    assert (again["status"], again["runner"], again["seed"]) == ("ok", "zygote", 11)
    assert {n: c["passed"] for n, c in again["checks"].items()} == {n: c["passed"] for n, c in original["checks"].items()}
    assert not (tmp_path / "again" / "cell").exists()  # that part alone


def test_each_part_has_its_own_uid_as_root(both: dict) -> None:
    """As root in bwrap, every part runs as its own unprivileged uid, forking or not."""
    if sandbox.probe().level != sandbox.BWRAP_UID:
        pytest.skip("per-part uids need root and bubblewrap")
    for mode in ("on", "off"):
        out = both[mode].runs
        data = re.search(r"uid-of-data=(\d+) gid=(\d+)", out["data"].output)
        cell = re.search(r"uid-of-cell=(\d+)", out["cell"].output)
        assert data and cell, (mode, out["data"].output, out["cell"].output)
        assert int(data[1]) >= sandbox.ID_BASE and int(data[1]) == int(data[2])
        assert int(cell[1]) >= sandbox.ID_BASE and int(cell[1]) != int(data[1])
        assert all(r.isolation == sandbox.BWRAP_UID for r in out.values())


def test_tensorflow_is_imported_but_not_started_before_the_fork() -> None:
    """After a forking worker's imports TensorFlow has no eager context yet, so each child starts its own."""
    code = ("import importlib; from course.grading.running import worker\n"
            "[importlib.import_module(m) for m in worker.PRELOAD]\n"
            "print(worker.fork_safe())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.stdout.strip().splitlines()[-1] == "True", done.stderr[-2000:]


def test_the_choice_of_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Automatic: as root with a uid per part, for one part at any level, or warm; ``on`` and ``off`` override."""
    monkeypatch.delenv(runner.ZYGOTE_ENV, raising=False)
    assert runner.forks(sandbox.BWRAP_UID, 2) and not runner.forks(sandbox.BWRAP, 2)
    assert not runner.forks(sandbox.NONE, 2)
    assert runner.forks(sandbox.BWRAP, 1) and runner.forks(sandbox.NONE, 1)
    assert runner.forks(sandbox.BWRAP_UID, 5) and runner.forks(sandbox.BWRAP, 5, warm=True)
    monkeypatch.setenv(runner.ZYGOTE_ENV, "off")
    assert not runner.forks(sandbox.BWRAP_UID, 2)
    monkeypatch.setenv(runner.ZYGOTE_ENV, "on")
    assert runner.forks(sandbox.NONE, 2)


def test_the_parent_backstop_covers_every_part_limit() -> None:
    """The whole sandbox is killed only after the parts could all have used their own limits."""
    limits = {"data": 90.0, "cell": 90.0, "training": 240.0}
    assert runner.backstop(limits, 1) >= sum(limits.values())
    assert runner.backstop(limits, 2) >= max(limits.values()) + sum(limits.values()) / 2


@pytest.mark.skipif(not can_fork_after_tensorflow(), reason="a warm worker forks; this system must not")
def test_a_warm_runner_regrades_a_changed_submission_in_the_same_worker(tmp_path: Path) -> None:
    """Two runs on one warm runner: the second sees the change, in the same worker, and skips its start-up."""
    folder = tmp_path / "submission"
    shutil.copytree(REPO_ROOT / "solutions", folder, ignore=shutil.ignore_patterns("__pycache__"))
    with runner.Runner(jobs=1, warm=True) as warm:
        began = time.monotonic()
        first = grade_submission(folder, parts=("data",), seed=11, runner=warm)
        cold, pid = time.monotonic() - began, warm.worker_pid
        with open(folder / "data.py", "a") as handle:
            handle.write(FLIPPED_LABELS)
        began = time.monotonic()
        second = grade_submission(folder, parts=("data",), seed=11, runner=warm)
        again = time.monotonic() - began
        assert pid is not None and warm.worker_pid == pid
    print(f"warm runner: first run {cold:.2f} s (worker start and imports), second {again:.2f} s")
    failed = [{r.name for r in report.results if r.check.part == "data" and not r.passed} for report in (first, second)]
    assert failed[0] == set() and "data.labels_threshold_0" in failed[1]
    assert warm.worker_pid is None
    with pytest.raises(ProcessLookupError):  # closed: the worker and its sandbox are gone
        os.kill(pid, 0)


@pytest.mark.skipif(not can_fork_after_tensorflow(), reason="a warm worker forks; this system must not")
def test_closing_a_runner_ends_a_run_in_progress_and_leaves_nothing(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A watcher's Ctrl-C: close() from another thread ends a hanging part's run at once, with no sandbox too."""
    monkeypatch.setenv(sandbox.MODE_ENV, "off")  # no pid namespace to end the forked child for us
    folder = tmp_path / "submission"
    shutil.copytree(REPO_ROOT / "solutions", folder, ignore=shutil.ignore_patterns("__pycache__"))
    with open(folder / "data.py", "a") as handle:
        handle.write("\nimport time as _time\nwhile '_data_' in __name__:\n    _time.sleep(0.05)\n")
    warm = runner.Runner(jobs=1, warm=True)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # The part's limit bounds what a failure here costs (the grading ends by then at the latest).
        grading = pool.submit(grade_submission, folder, parts=("data",), seed=11, timeouts={"data": 90.0},
                              runner=warm)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not grading.done() and len(_session_members(warm.worker_pid)) < 2:
                time.sleep(0.2)  # the worker, then its forked child for the part
            session, members = warm.worker_pid, _session_members(warm.worker_pid)
            ended = grading.result() if grading.done() else None
            assert session is not None and len(members) >= 2, (
                f"no forked child running in the worker's session: worker {session}, session members {members}, "
                f"forks {warm.forks(['data'])}, grading ended early: "
                f"{None if ended is None else (ended.runs['data'].status, ended.runs['data'].reason, ended.runs['data'].output[-500:])}")
            began = time.monotonic()
        finally:
            warm.close()  # also when the assertion fails: the pool must not wait for the part's limit
        report = grading.result(timeout=30)
    assert time.monotonic() - began < 20 and report.runs["data"].status == "crashed"
    assert _session_members(session) == []


def _session_members(session: int | None) -> list[int]:
    """Processes still running in a session (zombies excluded).

    Args:
        session: int or None, the session id (a worker started outside bubblewrap leads its own).

    Returns:
        list of pids.
    """
    import psutil

    found = []
    for process in psutil.process_iter(["status"]):
        try:
            if session is not None and os.getsid(process.pid) == session and process.info["status"] != "zombie":
                found.append(process.pid)
        except OSError:
            pass
    return found
