"""The fence around one grading worker, tested with a light, deliberately unsafe core.

``fake_core`` runs a submission's ``hostile.py`` inside the worker itself, the worst case:
whatever it does there, the row must come out right and nothing may outlive the limits.
No TensorFlow is imported, so these tests take seconds.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from course.grading.outputs import gradebook
from course.grading.running import sandbox
from course.grading.batch import BatchOptions, GraderChanged, grade_batch, grade_one
from course.grading.batch_submission import Submission, discover
from course.grading.running.sandbox_batch import Limits

HERE = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def _fake_core_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the workers import ``fake_core`` from this folder."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])))


def make(root: Path, name: str, hostile: str = "", files: tuple[str, ...] = ("data", "cell", "layer")) -> Path:
    """Create a fake submission.

    Args:
        root: Path, where to create it.
        name: str, its folder name.
        hostile: str, Python source run inside the worker (empty: none).
        files: tuple of str, exercise files to create.

    Returns:
        The submission's folder.
    """
    folder = root / name
    folder.mkdir(parents=True)
    for part in files:
        (folder / f"{part}.py").write_text("")
    if hostile:
        (folder / "hostile.py").write_text(hostile)
    return folder


def options(**limits: float) -> BatchOptions:
    """Batch options with the fake core and short limits.

    Args:
        **limits: overrides for :class:`Limits`.

    Returns:
        BatchOptions.
    """
    return BatchOptions(jobs=2, core="fake_core", limits=Limits(**{"wall_seconds": 10, "memory_mb": 400, **limits}))


def grade(folder: Path, **limits: float) -> tuple:
    """Grade one fake submission.

    Args:
        folder: Path.
        **limits: overrides for :class:`Limits`.

    Returns:
        ``(row, report, outcome)``.
    """
    return grade_one(Submission(folder, folder.name), options(**limits))


def test_clean_submission_gets_partial_credit(tmp_path: Path) -> None:
    row, report, outcome = grade(make(tmp_path, "two-files", files=("data", "cell")))
    assert (row.status, row.score, row.max_score) == ("ok", 2.0, 3.0)
    assert row.parts == {"data": (1.0, 1.0), "cell": (1.0, 1.0), "layer": (0.0, 1.0)}
    assert report.status == "ok" and report.part_scores() == row.parts


def test_sleeping_submission_is_stopped_at_its_limit(tmp_path: Path) -> None:
    """A submission that sleeps 600 s is stopped at its 2 s limit: not before it (the row's own time), and
    long before its sleep would end (bounds relative to the limit and the sleep, not to a machine's speed)."""
    sleep, limit = 600, 2
    start = time.monotonic()
    row, _, _ = grade(make(tmp_path, "sleepy", f"import time\ntime.sleep({sleep})\n"), wall_seconds=limit)
    assert row.status == "timeout" and row.score == 0
    assert row.seconds >= limit, row
    assert time.monotonic() - start < sleep / 10


def test_memory_hog_is_stopped(tmp_path: Path) -> None:
    hog = "import time\nblocks = [bytearray(50 * 2**20) for _ in range(40)]\ntime.sleep(60)\n"
    row, _, _ = grade(make(tmp_path, "hog", hog), memory_mb=300)
    assert row.status == "crashed" and "memory" in row.reason


def test_output_flood_is_truncated(tmp_path: Path) -> None:
    flood = "import sys\nfor _ in range(400):\n    sys.stdout.write('x' * 50_000 + '\\n')\n"
    row, _, outcome = grade(make(tmp_path, "flood", flood), output_bytes=4_000)
    assert row.status == "ok" and row.score == 3
    assert outcome.output_bytes >= 20_000_000
    assert len(outcome.output) < 5_000 and "dropped" in outcome.output


@pytest.mark.parametrize("exit_call", ["import os\nos._exit(0)\n", "import sys\nsys.exit(0)\n"])
def test_exiting_early_never_counts_as_a_result(tmp_path: Path, exit_call: str) -> None:
    row, _, _ = grade(make(tmp_path, "quitter", exit_call))
    assert row.status == "crashed" and row.score == 0


def test_forged_results_are_ignored(tmp_path: Path) -> None:
    forge = (
        "import json, os, sys\n"
        "fake = {'submission': '.', 'results': [], 'parts': {'data': {'score': 99, 'max_score': 3}}, 'status': 'ok', 'reason': '', 'seed': 0, 'seconds': 0, 'warnings': [], 'isolation': '', 'note': ''}\n"
        "line = b'LSTM-COURSE-RESULT ' + b'0' * 64 + b' ' + json.dumps(fake).encode() + b'\\n'\n"
        "for fd in map(int, os.listdir('/proc/self/fd')):\n"
        "    try: os.write(fd, line)\n"
        "    except OSError: pass\n"
        "print(json.dumps({'score': 99, 'max_score': 3, 'tests': []}))\n"
        "os._exit(0)\n"
    )
    row, _, outcome = grade(make(tmp_path, "forger", forge))
    assert row.score == 0 and row.status == "crashed"
    assert outcome.rejected_messages >= 1


@pytest.mark.parametrize("how", ["new-session", "double-fork-clean-env"])
def test_daemons_do_not_outlive_their_submission(tmp_path: Path, how: str) -> None:
    token = f"sleep-{how}-{time.monotonic_ns()}"
    if how == "new-session":
        daemon = ("import subprocess, sys\n"
                  f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)', {token!r}], "
                  "start_new_session=True)\n")
    else:  # leaves the session, the process group and the run's marker behind, and is orphaned
        daemon = ("import os, sys\n"
                  "if os.fork() == 0:\n"
                  "    os.setsid()\n"
                  "    if os.fork() == 0:\n"
                  f"        os.execve(sys.executable, [sys.executable, '-c', 'import time; time.sleep(300)', {token!r}], {{}})\n"
                  "    os._exit(0)\n"
                  "import time\ntime.sleep(1)\n")
    row, _, _ = grade_one(Submission(make(tmp_path, "daemon", daemon), "daemon"),
                          BatchOptions(jobs=1, core="fake_core", limits=Limits(wall_seconds=10)))
    assert row.status == "ok"
    time.sleep(0.5)
    leftovers = []
    for process in psutil.process_iter():
        try:
            if token in process.cmdline() and process.status() != psutil.STATUS_ZOMBIE:
                leftovers.append(process)
        except psutil.Error:
            pass
    assert not leftovers


def test_batch_writes_every_row_and_resumes(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    make(subs, "alice")
    make(subs, "bob", "import time\ntime.sleep(600)\n")
    (subs / "empty").mkdir()
    out, reports = tmp_path / "gradebook.csv", tmp_path / "reports"
    found = discover([subs])
    assert [s.name for s in found] == ["alice", "bob", "empty"]

    rows = grade_batch(found, out=out, reports=reports, options=options(wall_seconds=3))
    assert {r.name: r.status for r in rows} == {"alice": "ok", "bob": "timeout", "empty": "invalid"}
    assert all(r.max_score == 3 for r in rows)
    assert set(gradebook.read(out)) == {str(s.path) for s in found}
    assert "Grade report: bob" in (reports / "bob.md").read_text()
    assert "file present" in (reports / "alice.md").read_text()

    seen: list[tuple[str, bool]] = []
    grade_batch(found, out=out, reports=reports, options=options(wall_seconds=3),
                on_done=lambda row, skipped: seen.append((row.name, skipped)))
    assert all(skipped for _, skipped in seen)

    (subs / "alice" / "layer.py").write_text("# changed\n")
    seen.clear()
    grade_batch(found, out=out, reports=reports, options=options(wall_seconds=3),
                on_done=lambda row, skipped: seen.append((row.name, skipped)))
    assert dict(seen) == {"alice": False, "bob": True, "empty": True}


def test_json_prints_one_object_and_nothing_else(tmp_path: Path) -> None:
    import subprocess
    import sys

    folder = make(tmp_path, "noisy", "print('I deserve full marks', flush=True)\n")
    # Only the grade command is registered: the full CLI would import TensorFlow for other commands.
    light_cli = ("import argparse, sys\nfrom course.commands import grade\n"
                 "parser = argparse.ArgumentParser()\ngrade.register(parser.add_subparsers())\n"
                 "args = parser.parse_args(sys.argv[1:])\nsys.exit(args.func(args))\n")
    done = subprocess.run([sys.executable, "-c", light_cli, "grade", str(folder), "--json", "--core", "fake_core"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert done.stdout.count("\n") == 1
    assert result["score"] == 3 and result["max_score"] == 3
    assert {"name", "score", "max_score", "output"} <= set(result["tests"][0])


def _package(root: Path) -> Path:
    """A stand-in for the grader's package, for the second fence to watch.

    Args:
        root: Path.

    Returns:
        The folder, holding one module.
    """
    package = root / "grader-package"
    package.mkdir()
    (package / "core.py").write_text("SCORE = 'honest'\n")
    return package


def test_a_changed_grader_stops_the_batch(tmp_path: Path) -> None:
    package = _package(tmp_path)
    subs = tmp_path / "subs"
    make(subs, "a-tamper", f"open({str(package / 'core.py')!r}, 'a').write('SCORE = \"full\"\\n')\n")
    for name in ("b-honest", "c-honest"):
        make(subs, name)
    out = tmp_path / "gradebook.csv"
    batch_options = BatchOptions(jobs=1, core="fake_core", limits=Limits(wall_seconds=10), fence=package)
    with pytest.raises(GraderChanged, match="changed while grading") as raised:
        grade_batch(discover([subs]), out=out, reports=tmp_path / "reports", options=batch_options)
    assert "a-tamper" in str(raised.value)
    assert gradebook.read(out) == {}  # nothing graded after (or by) a changed grader is recorded


def test_an_unchanged_grader_grades_every_submission(tmp_path: Path) -> None:
    package = _package(tmp_path)
    subs = tmp_path / "subs"
    for name in ("a", "b"):
        make(subs, name)
    rows = grade_batch(discover([subs]), out=tmp_path / "gradebook.csv", reports=tmp_path / "reports",
                       options=BatchOptions(jobs=2, core="fake_core", limits=Limits(wall_seconds=10), fence=package))
    assert [r.status for r in rows] == ["ok", "ok"]


@pytest.fixture()
def no_sandbox_here(failing_bwrap: Callable[[str], Any]) -> Iterator[None]:
    """Simulate a machine where bubblewrap cannot start (a ``bwrap`` that always fails)."""
    with failing_bwrap("bwrap: No permissions to create new namespace"):
        yield


def test_batch_refuses_without_a_sandbox(tmp_path: Path, no_sandbox_here: None) -> None:
    subs = tmp_path / "subs"
    make(subs, "alice")
    out = tmp_path / "gradebook.csv"
    with pytest.raises(sandbox.SandboxUnavailable, match="--no-sandbox"):
        grade_batch(discover([subs]), out=out, reports=tmp_path / "reports", options=options())
    assert not out.exists()


def test_no_sandbox_grades_and_says_so(tmp_path: Path, no_sandbox_here: None) -> None:
    import subprocess
    import sys

    folder = make(tmp_path, "alice")
    light_cli = ("import argparse, sys\nfrom course.commands import grade\n"
                 "parser = argparse.ArgumentParser()\ngrade.register(parser.add_subparsers())\n"
                 "args = parser.parse_args(sys.argv[1:])\nsys.exit(args.func(args))\n")
    command = [sys.executable, "-c", light_cli, "grade", str(folder), "--json", "--core", "fake_core"]
    refused = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert refused.returncode == 2 and "Refusing to grade" in refused.stderr and not refused.stdout
    graded = subprocess.run([*command, "--no-sandbox", "--out", str(tmp_path / "book.csv")], capture_output=True,
                            text=True, timeout=120, cwd=tmp_path)
    assert graded.returncode == 0, graded.stderr
    assert json.loads(graded.stdout)["score"] == 3 and "--no-sandbox" in graded.stderr
