"""Commands no other test ran: ``exercises`` (writing and ``--check``), ``gradescope``'s options, ``release``'s refusal.

Each runs through ``course.cli.main``, as a user types it, and is judged by its effect:
the files it writes or leaves alone, and its exit code.
"""

from __future__ import annotations

import functools
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from course import exercises_gen
from course.cli import main
from course.grading.checking.checks import RUN_PARTS
from course.impl import REPO_ROOT


def test_exercises_rewrites_a_stale_file_and_check_reports_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """On a copy of ``exercises/`` with one file edited: ``--check`` exits 1 and names it, ``exercises``
    writes it back as ``solutions/`` renders it, and ``--check`` then exits 0.

    Args:
        tmp_path: pytest's temporary folder.
        monkeypatch: points the command at the copy instead of the repository's ``exercises/``.
        capsys: the command's output.
    """
    copy = shutil.copytree(REPO_ROOT / "exercises", tmp_path / "exercises",
                           ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(exercises_gen, "stale", functools.partial(exercises_gen.stale, exercises=copy))
    monkeypatch.setattr(exercises_gen, "write", functools.partial(exercises_gen.write, exercises=copy))
    (copy / "cell.py").write_text("# a student's half-finished edit\n")
    assert main(["exercises", "--check"]) == 1
    assert "cell.py" in capsys.readouterr().out
    assert main(["exercises"]) == 0
    assert "cell.py" in capsys.readouterr().out
    assert (copy / "cell.py").read_text() == (REPO_ROOT / "exercises" / "cell.py").read_text()
    assert "class LSTMCell" in (copy / "cell.py").read_text()
    assert main(["exercises", "--check"]) == 0


def test_gradescope_options_reach_the_bundles_grading_json(tmp_path: Path) -> None:
    """``--no-sandbox``, ``--part-timeout``, ``--timeout``, ``--memory-mb`` and ``--jobs`` end up in the
    ``grading.json`` that ``run_autograder`` reads.

    Args:
        tmp_path: pytest's temporary folder.
    """
    out = tmp_path / "autograder.zip"
    assert main(["gradescope", "--out", str(out), "--no-sandbox", "--part-timeout", "30", "--timeout", "120",
                 "--memory-mb", "3072", "--jobs", "1"]) == 0
    with zipfile.ZipFile(out) as archive:
        config = json.loads(archive.read("grading.json"))
    assert config["no_sandbox"] is True
    assert config["core_options"]["timeouts"] == {part: 30 for part in RUN_PARTS}
    assert (config["timeout"], config["memory_mb"], config["jobs"]) == (120, 3072, 1)


def test_gradescope_without_options_keeps_the_sandbox(tmp_path: Path) -> None:
    """Without ``--no-sandbox`` the bundle does not set it, and no part timeout is imposed.

    Args:
        tmp_path: pytest's temporary folder.
    """
    out = tmp_path / "autograder.zip"
    assert main(["gradescope", "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as archive:
        config = json.loads(archive.read("grading.json"))
    assert not config.get("no_sandbox") and "timeouts" not in config["core_options"]


def test_release_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    """``release --out`` into a folder that holds a file exits 1 and leaves the folder as it was.

    Args:
        tmp_path: pytest's temporary folder.
    """
    out = tmp_path / "release"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["release", "--out", str(out)]) == 1
    assert [p.name for p in out.iterdir()] == ["notes.txt"] and (out / "notes.txt").read_text() == "mine"
