"""The inputs the trusted parent chooses for each run part: sizes, weights, noise.

Drawn from a seed that the report records; by default a fresh one per grading, so
a submission cannot have memorised the answers. Each part's module
(:mod:`course.grading.checking.parts`) says what its part gets; labels of the held-out
data stay in the parent (:attr:`PartInputs.secret`): the training child only ever sees its noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from course.grading.checking import parts
from course.grading.checking.checks import RUN_PARTS


@dataclass
class PartInputs:
    """What one part's child receives, plus what only the parent keeps.

    Attributes:
        config: dict, JSON settings sent to the child.
        arrays: dict, arrays sent to the child.
        secret: dict, arrays the parent keeps (e.g. held-out labels).
    """

    config: dict[str, Any]
    arrays: dict[str, np.ndarray]
    secret: dict[str, np.ndarray] = field(default_factory=dict)


def keras_weights(rng: np.random.Generator, features: int, units: int) -> dict[str, np.ndarray]:
    """Random LSTM weights in Keras' layout (gate order i, f, c, o).

    Args:
        rng: numpy Generator.
        features: int, D.
        units: int, H.

    Returns:
        dict with ``kernel (D, 4H)``, ``recurrent (H, 4H)``, ``bias (4H,)`` (float32).
    """
    return {
        "kernel": rng.normal(0, 0.6, (features, 4 * units)).astype(np.float32),
        "recurrent": rng.normal(0, 0.6, (units, 4 * units)).astype(np.float32),
        "bias": rng.normal(0, 0.5, (4 * units,)).astype(np.float32),
    }


def make_inputs(part: str, seed: int, budget: dict[str, Any] | None = None) -> PartInputs:
    """Choose a part's inputs: its module's ``inputs``, drawn from a generator seeded by the seed and the part.

    Args:
        part: str, one of the run parts.
        seed: int, the grading's seed.
        budget: dict, the training part's sizes instead of
            :data:`course.grading.checking.parts.training.TRAINING_BUDGET` (keys as there; missing keys
            keep its values). None (the grader's case) means that budget; the training-budget study
            (``studies/training_budget.py``) varies it. Only the training part takes one.

    Returns:
        PartInputs.

    Raises:
        ValueError: for a part that is not a run part.
    """
    if part not in RUN_PARTS:
        raise ValueError(f"no inputs for part {part!r}")
    rng = np.random.default_rng([seed, sum(map(ord, part))])
    choose = parts.module(part).inputs
    return choose(rng) if budget is None else choose(rng, budget=budget)
