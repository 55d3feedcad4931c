"""The batch parent asks Keras for each submission's references and hands them to the worker in a file."""

from __future__ import annotations

from pathlib import Path

import numpy as np

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
