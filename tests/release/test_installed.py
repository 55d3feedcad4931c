"""``make``'s install step asks :mod:`course.installed` before reinstalling (issue 24: after the README's
manual setup, ``make test`` reinstalled everything because the stamp file was missing)."""

from __future__ import annotations

import copy
import importlib.metadata
import tomllib

from course import installed
from course.impl import REPO_ROOT

PROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]


def test_this_environment_is_current() -> None:
    """The suite runs in an install of this checkout (``make test`` or the README's ``pip install -e``)."""
    assert installed.main() == 0


def test_a_changed_pyproject_asks_for_a_reinstall() -> None:
    """A new dependency, a new entry point or another version: each is reported."""
    distribution = importlib.metadata.distribution(installed.DISTRIBUTION)
    assert installed.differences(PROJECT, distribution) == []
    changed = copy.deepcopy(PROJECT)
    changed["version"] = "99.0"
    changed["optional-dependencies"]["dev"].append("no-such-package-for-this-test>=1")
    changed.setdefault("entry-points", {}).setdefault("pytest11", {})["another"] = "course.another_plugin"
    reasons = installed.differences(changed, distribution)
    assert any("99.0" in r for r in reasons)
    assert any("no-such-package-for-this-test" in r and "metadata" in r for r in reasons)
    assert any("no-such-package-for-this-test is not installed" in r for r in reasons)
    assert any("course.another_plugin" in r for r in reasons)
    unsatisfied = copy.deepcopy(PROJECT)
    unsatisfied["dependencies"] = ["numpy<1"]
    assert any(r.startswith("numpy ") and "does not satisfy" in r for r in installed.differences(unsatisfied, distribution))
