"""The hostile corpus, the reference and the exercises, graded in one batch with the real core.

One batch, ``jobs=2``: every case must get a row with the right status and, part by part,
exactly the points it states (``Case.scores``): the credit of the parts it leaves intact, none
for the parts it breaks; and it must never hold the batch up beyond its limits. What the batch
prints is captured and checked too; the reference gets every point of the parts it is
graded on, the exercises none. To stay within the CI budget each submission is graded on
the parts its case needs (``Case.parts``; ``rules`` and ``answers`` are always judged), so
25 part processes run in all.

Around the batch the test plays the machine the attacks aim at: it listens on a loopback
port, keeps a secret in the grading user's home, and fingerprints the grader's package,
keras' and numpy's files and site-packages; afterwards none of them may have changed,
been reached or leaked, and no process of the batch may be left.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import secrets
import shutil
import socket
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from corpus import MODEL_BUG_NEW, MODEL_BUG_OLD, REWRITE_GRADER, SOLUTIONS, Case, Edit, build, cases
from course.grading.checking.checks import PARTS
from course.grading.outputs import gradebook
from course.grading.running import sandbox
from course.grading.batch import BatchOptions, grade_batch, package_hash
from course.grading.batch_submission import discover
from course.grading.checking.checks import max_score
from course.grading.running.sandbox_batch import Limits
from course.impl import REPO_ROOT
from tests.seed import GRADING_SEED

#: Per-submission wall-clock limit in this test (seconds).
SUBMISSION_TIMEOUT = 240.0
#: Parts the reference and the exercises are graded on here (training is the graders' own tests' job).
REFERENCE_PARTS = ("cell",)
EXERCISE_PARTS = ("data",)


#: Files the site-packages case tries to change.
SITE_FILES = (Path(importlib.util.find_spec("keras").origin), Path(importlib.util.find_spec("numpy").origin))
#: The ``.pth`` file the site-packages case tries to add.
EVIL_PTH = Path(sysconfig.get_paths()["purelib"]) / "zz_lstm_course_hostile.pth"


#: The file that receives what the batch prints to the terminal, and the line that proves it did.
TERMINAL, TERMINAL_MARK = "terminal.txt", "hostile batch: capture on"


@contextlib.contextmanager
def captured_terminal(path: Path) -> Iterator[None]:
    """Send everything printed while the block runs to ``path``: this process's ``sys.stdout`` and
    ``sys.stderr`` and its file descriptors 1 and 2, which every child process inherits.

    Args:
        path: Path, the file to write.

    Yields:
        Nothing; the terminal is restored afterwards.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    saved = (os.dup(1), os.dup(2))
    path.write_bytes(b"")
    # Both handles append (O_APPEND): neither overwrites what the other wrote.
    with open(path, "ab", buffering=0) as sink, io.TextIOWrapper(open(path, "ab", buffering=0),
                                                                  write_through=True) as text:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            with contextlib.redirect_stdout(text), contextlib.redirect_stderr(text):
                yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


@pytest.fixture(scope="module")
def machine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """What the attacks aim at: a listening loopback port, a secret in the home, files outside.

    Args:
        tmp_path_factory: pytest's temporary folders.

    Yields:
        dict with the listener, the secret, the outside targets and the fingerprints taken before.
    """
    root = tmp_path_factory.mktemp("hostile")
    token = secrets.token_hex(8)
    secret = Path.home() / f".lstm-course-hostile-secret-{token}"
    secret.write_text(f"SECRET-{secrets.token_hex(16)}")
    outside = [f"/tmp/lstm-course-escape-{token}", f"/var/tmp/lstm-course-escape-{token}",
               str(Path.home() / f"lstm-course-escape-{token}"), str(REPO_ROOT / f"lstm-course-escape-{token}"),
               str(root / "submissions" / f"lstm-course-escape-{token}")]
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    try:
        yield {"root": root, "listener": listener, "secret": secret, "outside": outside,
               "daemon": f"lstm-course-hostile-daemon-{token}",
               "values": {"__LOOPBACK_PORT__": str(listener.getsockname()[1]), "__SECRET_PATH__": str(secret),
                          "__OUTSIDE_TARGETS__": repr(outside), "__DAEMON_TOKEN__": f"lstm-course-hostile-daemon-{token}"},
               "course": package_hash(REPO_ROOT / "course"), "site": {f: f.read_bytes() for f in SITE_FILES}}
    finally:
        listener.close()
        secret.unlink(missing_ok=True)
        for target in outside:
            Path(target).unlink(missing_ok=True)


@pytest.fixture(scope="module")
def graded(machine: dict) -> dict[str, gradebook.Row]:
    """Grade the corpus, a copy of the reference and the exercises in one batch.

    Args:
        machine: the fixture above.

    Returns:
        dict of submission name to its gradebook row.
    """
    root = machine["root"]
    build(root / "submissions", values=machine["values"])
    shutil.copytree(SOLUTIONS, root / "submissions" / "reference")
    shutil.copytree(REPO_ROOT / "exercises", root / "submissions" / "exercises")
    per_case = {c.name: {"parts": list(c.parts), "timeouts": c.timeouts, "seed": GRADING_SEED} for c in cases()}
    per_case["reference"] = {"parts": list(REFERENCE_PARTS), "seed": GRADING_SEED}
    per_case["exercises"] = {"parts": list(EXERCISE_PARTS), "seed": GRADING_SEED}
    options = BatchOptions(jobs=2, limits=Limits(wall_seconds=SUBMISSION_TIMEOUT, output_bytes=8_000),
                           core_options_for=per_case)
    (root / "tmp").mkdir()
    saved, tempfile.tempdir = tempfile.tempdir, str(root / "tmp")  # every scratch folder (and child) under root
    start = time.monotonic()
    try:
        with captured_terminal(root / TERMINAL):
            print(TERMINAL_MARK, flush=True)  # proves the capture saw this process's prints
            os.write(1, f"{TERMINAL_MARK} (fd 1)\n".encode())  # ... and what a child writes to its fd 1
            rows = grade_batch(discover([root / "submissions"]), out=root / "gradebook.csv", reports=root / "reports",
                               options=options)
    finally:
        tempfile.tempdir = saved
    print(f"\nhostile batch: {len(rows)} submissions in {time.monotonic() - start:.0f} s (jobs=2)")
    for row in rows:
        print(f"  {row.name:22} {row.status:8} {row.score:4g}/{row.max_score:g} {row.seconds:4.0f} s {row.isolation:9} "
              + " ".join(f"{p}={s:g}/{m:g}" for p, (s, m) in row.parts.items()))
    return {row.name: row for row in rows}


def _failed_checks(row: gradebook.Row) -> dict[str, str]:
    """The failed checks of a row, from its instructor report.

    Args:
        row: gradebook.Row.

    Returns:
        dict of check name to its output.
    """
    import json

    result = json.loads(Path(row.report).with_suffix(".json").read_text())["result"]
    return {t["name"]: t["output"] for t in result["tests"] if t["score"] < t["max_score"]}


def test_every_submission_has_a_row(graded: dict[str, gradebook.Row]) -> None:
    assert set(graded) == {c.name for c in cases()} | {"reference", "exercises"}


def test_every_case_states_its_score_part_by_part() -> None:
    """No case leaves its expectation to "less than full marks": each names the points of every part."""
    assert [c.name for c in cases() if set(c.scores) != set(PARTS)] == []


def test_reference_gets_every_point_of_its_parts(graded: dict[str, gradebook.Row]) -> None:
    reference = graded["reference"]
    assert reference.status == "ok", reference
    for part in (*REFERENCE_PARTS, "rules", "answers"):
        score, maximum = reference.parts[part]
        assert maximum > 0 and score == maximum, (part, reference.parts, _failed_checks(reference))


def test_exercises_get_nothing_and_are_told_what_to_implement(graded: dict[str, gradebook.Row]) -> None:
    exercises = graded["exercises"]
    assert exercises.status == "ok" and exercises.score == 0, exercises
    data = {name: text for name, text in _failed_checks(exercises).items() if name.startswith("data.")}
    assert data and all("not implemented" in text.lower() for text in data.values()), data


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.name)
def test_hostile_case(graded: dict[str, gradebook.Row], case: Case) -> None:
    """The case's row has its status and, part by part, exactly the points the case states.

    Args:
        graded: every submission's row.
        case: Case.
    """
    row = graded[case.name]
    assert row.status in case.status, (case.what, row)
    got = {part: score for part, (score, _) in row.parts.items()}
    assert got == case.scores, (case.what, got, _failed_checks(row) if row.report else row.reason)
    assert row.score == sum(case.scores.values()) < max_score(), (case.what, row)
    assert case.reason in (row.reason or ""), (case.what, row.reason)
    for part in case.full:
        score, maximum = row.parts[part]
        assert maximum > 0 and score == maximum, (case.what, part, row.parts, _failed_checks(row))
    for part in case.zero:
        assert row.parts.get(part, (0.0, 0.0))[0] == 0, (case.what, part, row.parts)
    failed = _failed_checks(row)
    for check in case.fails:
        assert check in failed, (case.what, check, sorted(failed))
    limit = sum(case.timeouts.values()) + 200  # its stalled parts' limits plus normal grading
    assert row.seconds < limit, (case.what, row.seconds)


def test_reports_carry_hints(graded: dict[str, gradebook.Row]) -> None:
    report = Path(graded["nan-outputs"].report).read_text()
    assert "## Hints" in report and "### cell.matches_keras" in report
    invalid = Path(graded["corrupt-zip"].report).read_text()
    assert "status: `invalid`" in invalid and "zip" in invalid


def test_every_row_records_the_sandbox(graded: dict[str, gradebook.Row]) -> None:
    level = sandbox.probe().level
    assert level != sandbox.NONE  # the batch refuses otherwise
    for name, row in graded.items():
        assert row.isolation == level, (name, row.isolation)


def test_grader_and_site_packages_are_unchanged(graded: dict[str, gradebook.Row], machine: dict) -> None:
    assert package_hash(REPO_ROOT / "course") == machine["course"]
    assert {f: f.read_bytes() for f in SITE_FILES} == machine["site"]
    assert not EVIL_PTH.exists()


def test_loopback_port_got_no_connection(graded: dict[str, gradebook.Row], machine: dict) -> None:
    with pytest.raises(BlockingIOError):
        machine["listener"].accept()


def test_nothing_was_written_outside(graded: dict[str, gradebook.Row], machine: dict) -> None:
    assert [t for t in machine["outside"] if Path(t).exists()] == []


def test_home_secret_reaches_no_report_row_or_output(graded: dict[str, gradebook.Row], machine: dict) -> None:
    """The secret a case reads is in no gradebook row, no report, and nothing the batch printed."""
    secret = machine["secret"].read_text()
    root = machine["root"]
    terminal = (root / TERMINAL).read_text(errors="replace")
    assert f"{TERMINAL_MARK}\n" in terminal and f"{TERMINAL_MARK} (fd 1)" in terminal, "the capture saw nothing"
    for file in [root / "gradebook.csv", *(root / "reports").iterdir()]:
        assert secret not in file.read_text(errors="replace"), file
    assert secret not in terminal
    failed = _failed_checks(graded["home-secret"])
    assert any("No such file" in text or "FileNotFoundError" in text for text in failed.values()), failed


def test_nothing_outlives_the_batch(graded: dict[str, gradebook.Row], machine: dict) -> None:
    leftovers = []
    for process in psutil.process_iter():
        try:
            line = " ".join(process.cmdline())
            if (str(machine["root"]) in line or machine["daemon"] in line) and process.status() != psutil.STATUS_ZOMBIE:
                leftovers.append(line)
        except psutil.Error:
            pass
    assert leftovers == []


def test_tampering_then_buggy_submission(tmp_path: Path) -> None:
    """The issue's cross-submission attack as a batch of two, graded one after the other."""
    subs = tmp_path / "subs"
    tamper, buggy = subs / "1-tamper", subs / "2-buggy"
    shutil.copytree(SOLUTIONS, tamper)
    Edit("model.py", append=REWRITE_GRADER).apply(tamper)
    shutil.copytree(SOLUTIONS, buggy)
    Edit("model.py", replace=((MODEL_BUG_OLD, MODEL_BUG_NEW),)).apply(buggy)
    Edit("cell.py", replace=(('units, bias_initializer="ones", name="forget_gate"',
                              'units, bias_initializer="zeros", name="forget_gate"'),)).apply(buggy)
    before = package_hash(REPO_ROOT / "course")
    options = BatchOptions(jobs=1, core_jobs=2, limits=Limits(wall_seconds=SUBMISSION_TIMEOUT),
                           core_options_for={"1-tamper": {"parts": ["model"]}, "2-buggy": {"parts": ["cell", "model"]}})
    rows = grade_batch(discover([subs]), out=tmp_path / "gradebook.csv", reports=tmp_path / "reports", options=options)
    assert package_hash(REPO_ROOT / "course") == before
    row = {r.name: r for r in rows}["2-buggy"]
    failed = _failed_checks(row)
    assert {"cell.forget_bias", "model.probabilities"} <= set(failed), sorted(failed)
    assert row.score < max_score() and row.parts["cell"][0] < row.parts["cell"][1]


def test_what_the_cases_print_stays_out_of_the_batch_output(graded: dict[str, gradebook.Row], machine: dict) -> None:
    """The flood, the fake results and every attack's own messages stay in the children: the batch's
    terminal shows none of them."""
    terminal = (machine["root"] / TERMINAL).read_text(errors="replace")
    assert TERMINAL_MARK in terminal, "the capture saw nothing"
    for printed in ("flood flood", '"score": 1000', "all good", "no connection:", "refused:", "could not rewrite",
                    "disk fill stopped"):
        assert printed not in terminal, printed
