"""The pages' task constants come from ``course/task.py`` through ``docs/hooks/task_constants.py``."""

from __future__ import annotations

import importlib.util

import pytest

from course import task
from course.impl import REPO_ROOT


def _hook() -> object:
    """Import the task-constants hook from docs/hooks (it is not a package module).

    Returns:
        The hook module.
    """
    path = REPO_ROOT / "docs" / "hooks" / "task_constants.py"
    spec = importlib.util.spec_from_file_location("task_constants_hook", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_hook_writes_the_current_constants(monkeypatch: pytest.MonkeyPatch) -> None:
    """Placeholders follow a change in course/task.py; an escaped one stays; an unknown name stops the build.

    Args:
        monkeypatch: pytest's monkeypatch, which changes the task for this test only.
    """
    hook = _hook()
    monkeypatch.setattr(task, "SEQ_LEN", 50)
    monkeypatch.setattr(task, "NUM_SAMPLES", 120_000)
    monkeypatch.setattr(task, "ACCURACY_BAR", 0.9)
    page = ("`SEQ_LEN = {{ task.SEQ_LEN }}`, {{ task.NUM_SAMPLES:, }} pairs (`{{task.NUM_SAMPLES:_}}`), "
            "{{ task.ACCURACY_BAR:percent }} or {{ task.ACCURACY_BAR:.2f }}; write \\{{ task.SEQ_LEN }}.")
    assert hook.on_page_markdown(page, None, None, None) == (
        "`SEQ_LEN = 50`, 120,000 pairs (`120_000`), 90 % or 0.90; write {{ task.SEQ_LEN }}.")
    with pytest.raises(ValueError, match="task.SEQ_LENGTH"):
        hook.on_page_markdown("{{ task.SEQ_LENGTH }}", None, None, None)
