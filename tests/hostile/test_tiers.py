"""The tier without namespaces in the grading paths: the choices that hang on its levels, without grading."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from course.grading.running import runner, sandbox


def test_every_level_is_ordered_strongest_first() -> None:
    assert sandbox.LEVELS == ("bwrap+uid", "bwrap", "landlock+uid", "landlock", "seccomp+uid", "none")
    assert set(sandbox.UID_LEVELS) == {"bwrap+uid", "landlock+uid", "seccomp+uid"}


def test_uid_levels_fork_from_one_worker_and_keep_their_own_process_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(runner.ZYGOTE_ENV, raising=False)
    for level in (sandbox.LANDLOCK_UID, sandbox.SECCOMP_UID):
        assert runner.forks(level, 5)
        assert runner.process_limit(sandbox.Sandbox(level)) == runner.PROCESSES
    assert not runner.forks(sandbox.LANDLOCK, 2) and runner.forks(sandbox.LANDLOCK, 1)
    assert runner.process_limit(sandbox.Sandbox(sandbox.LANDLOCK)) > runner.PROCESSES  # the user's own count too


def test_home_and_temp_are_inside_the_scratch_without_namespaces(tmp_path: Path) -> None:
    for level in (sandbox.LANDLOCK_UID, sandbox.LANDLOCK, sandbox.SECCOMP_UID):
        env = runner.child_environment(sandbox.Sandbox(level), tmp_path)
        assert env["HOME"] == env["TMPDIR"] == str(tmp_path)
    assert runner.child_environment(sandbox.Sandbox(sandbox.BWRAP_UID, "bwrap"), tmp_path)["HOME"] == "/tmp"


def test_fence_reads_what_bwrap_shows_and_writes_only_the_scratch(tmp_path: Path) -> None:
    fence = sandbox.Sandbox(sandbox.LANDLOCK).fence(tmp_path)
    assert fence["write"] == [str(tmp_path.resolve())]
    read = set(fence["read"])
    assert {"/usr", "/proc"} <= read and str(Path(sandbox.__file__).resolve().parents[2]) in read
    assert str(Path(sandbox.__file__).resolve().parents[3]) not in read  # the repository above course/
    assert not any(p == "/tmp" or p == str(Path.home()) or p == "/" for p in read)
    assert sandbox.Sandbox(sandbox.BWRAP_UID, "bwrap").fence(tmp_path) is None


def test_a_part_uid_can_pass_through_the_graders_own_private_folders(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    outer = tmp_path / "batch"
    inner = outer / "scratch" / "part"
    inner.mkdir(parents=True)
    os.chmod(outer, 0o700)
    os.chmod(outer / "scratch", 0o700)
    sandbox.traversable(inner)
    assert os.stat(outer).st_mode & 0o777 == 0o701 and os.stat(outer / "scratch").st_mode & 0o777 == 0o701
    os.chmod(outer, 0o700)
    os.chmod(outer / "scratch", 0o700)
    monkeypatch.setenv("HOME", str(outer))  # a scratch inside the grading user's home: the home stays closed
    sandbox.traversable(inner)
    assert os.stat(outer).st_mode & 0o777 == 0o700 and os.stat(outer / "scratch").st_mode & 0o777 == 0o701
