"""The batch parent asks Keras for each submission's references and hands them to the worker in a file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from course.grading.batch import hand_over_references
from course.grading.checking import oracle


def test_the_seed_is_kept_or_drawn_and_the_file_holds_keras_answers_for_the_parts_graded(tmp_path: Path) -> None:
    """A given seed stays; the file holds Keras' references for exactly the Keras-compared parts asked for."""
    options = hand_over_references({"seed": 17, "parts": ["cell", "data"]}, tmp_path)
    assert options["seed"] == 17 and options["parts"] == ["cell", "data"]
    handed = oracle.load_references(Path(options["references"]))
    assert list(handed) == ["cell"]
    expected = oracle.keras_references("cell", 17)
    assert set(handed["cell"]) == set(expected)
    assert all(np.array_equal(handed["cell"][k], expected[k]) and not handed["cell"][k].flags.writeable
               for k in expected)


def test_without_a_seed_each_submission_gets_a_fresh_one(tmp_path: Path) -> None:
    """As the core would: a random seed per submission (and no Keras at all for parts that do not need it)."""
    seeds = {hand_over_references({"parts": ["data"]}, tmp_path / str(i))["seed"]
             for i in range(3) if (tmp_path / str(i)).mkdir() is None}
    assert len(seeds) == 3 and all(0 <= s < 2**31 for s in seeds)
    assert oracle.load_references(tmp_path / "0" / "references.npz") == {}


def test_keras_starts_quietly_before_the_references(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``grade --json`` and Gradescope's run import Keras here first: through the quiet start, or the
    terminal shows TensorFlow's start-up block and its cuInit error (issue 24)."""
    import course.quiet

    events: list[str] = []
    monkeypatch.setattr(course.quiet, "start_tensorflow", lambda: events.append("quiet start"))
    monkeypatch.setattr(oracle, "save_references", lambda path, parts, seed: events.append(f"references {parts}"))
    hand_over_references({"parts": ["cell"]}, tmp_path)
    assert events == ["quiet start", "references ['cell']"]
    events.clear()
    hand_over_references({"parts": ["data"]}, tmp_path)  # no Keras needed: no TensorFlow either
    assert events == ["references ['data']"]
