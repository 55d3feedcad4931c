"""Grading defaults come from :mod:`course.grading.limits` and the instructors' page states them; ``run_autograder`` says its level."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

from course.commands import grade as grade_command
from course.commands import gradescope as command
from course.grading import limits
from course.grading.outputs import gradescope_run
from course.grading.running.sandbox import SandboxUnavailable
from course.impl import REPO_ROOT

PAGE = REPO_ROOT / "docs" / "instructors.md"


def test_the_command_and_the_runner_share_the_defaults() -> None:
    parser = argparse.ArgumentParser()
    command.register(parser.add_subparsers())
    args = parser.parse_args(["gradescope"])
    assert (args.timeout, args.memory_mb, args.jobs) == (limits.GRADESCOPE_SECONDS, limits.GRADESCOPE_MEMORY_MB,
                                                         limits.GRADESCOPE_JOBS)
    assert (args.timeout, args.memory_mb) == (540, 3072)
    bundle = gradescope_run.options_from({}).limits
    assert (bundle.wall_seconds, bundle.memory_mb) == (limits.GRADESCOPE_SECONDS, limits.GRADESCOPE_MEMORY_MB)


def test_grade_and_its_page_read_the_limits_module() -> None:
    from course.grading.running.sandbox_batch import Limits

    parser = argparse.ArgumentParser()
    grade_command.register(parser.add_subparsers())
    args = parser.parse_args(["grade", "x"])
    assert (args.timeout, args.memory_mb, args.output_kb) == (
        limits.SUBMISSION_SECONDS, limits.SUBMISSION_MEMORY_MB, limits.OUTPUT_KB) == (900, 6144, 20)
    assert Limits() == Limits(limits.SUBMISSION_SECONDS, limits.SUBMISSION_MEMORY_MB, limits.OUTPUT_KB * 1024,
                              limits.FILE_MB)
    text = PAGE.read_text()
    section = text[text.index("## Grade a batch"):text.index("## The gradebook")]
    assert f"(`--timeout`, default {limits.SUBMISSION_SECONDS:g} s)" in section
    assert f"`--memory-mb` (default {limits.SUBMISSION_MEMORY_MB} MiB)" in section
    assert f"files of at most {limits.FILE_MB} MiB" in section
    assert f"the first and last {limits.OUTPUT_KB // 2} KiB (`--output-kb`)" in section
    assert f"| `--timeout S` | wall-clock seconds per submission (default {limits.SUBMISSION_SECONDS:g}) |" in section
    part = sorted(seconds for name, seconds in limits.PART_SECONDS.items() if name != "training")
    assert (f"(defaults: {part[0]:g}-{part[-1]:g} s, training {limits.PART_SECONDS['training']:g} s)" in section)


def test_the_page_states_the_bundles_defaults() -> None:
    text = PAGE.read_text()
    section = text[text.index("## Gradescope"):text.index("## GitHub Classroom")]
    assert re.search(rf"`--timeout`[^.]*defaults to {limits.GRADESCOPE_SECONDS:g} s", section), "the page must state the timeout default"
    assert re.search(rf"`--memory-mb`[^.]*defaults to {limits.GRADESCOPE_MEMORY_MB} MiB", section), "the page must state the memory default"
    assert "too small" not in section  # 768 MB is enough (measured in a memory cgroup)


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, isolation: object) -> str:
    """Run the runner's ``main`` with a stand-in isolation check and no grading; return its stdout.

    Args:
        tmp_path: the autograder root.
        monkeypatch: pytest's monkeypatch.
        capsys: pytest's capture.
        isolation: the stand-in for ``isolation_for``.

    Returns:
        str.
    """
    monkeypatch.setattr(gradescope_run, "isolation_for", isolation)

    def no_grading(*args: object, **kwargs: object) -> None:
        raise RuntimeError("not graded in this test")

    monkeypatch.setattr(gradescope_run, "grade_one", no_grading)
    assert gradescope_run.main(["--root", str(tmp_path)]) == 0
    assert json.loads((tmp_path / "results" / "results.json").read_text())["score"] == 0
    return capsys.readouterr().out


def test_run_autograder_prints_the_level_it_reached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture) -> None:
    out = _run(tmp_path, monkeypatch, capsys, lambda options: "bwrap+uid")
    assert out.splitlines()[0] == "isolation: bwrap+uid"


def test_run_autograder_says_when_it_reached_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture) -> None:
    def refuse(options: object) -> str:
        raise SandboxUnavailable("bwrap: Creating new namespace failed: Operation not permitted")

    out = _run(tmp_path, monkeypatch, capsys, refuse)
    assert out.splitlines()[0] == "isolation: none reached, nothing graded" and "Operation not permitted" in out
