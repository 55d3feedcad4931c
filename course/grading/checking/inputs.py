"""The inputs the trusted parent chooses for each part: sizes, weights, noise.

Drawn from a seed that the report records; by default a fresh one per grading, so
a submission cannot have memorised the answers. Labels of the held-out data stay in
the parent: the training child only ever sees its noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from course import task

#: The training budget: pairs per epoch, epochs, validation and held-out pairs. The
#: reference reaches about 0.95 held-out accuracy in it; the bar is :data:`course.task.ACCURACY_BAR`.
#: The pairs are :data:`course.task.SEQ_LEN` steps long.
TRAINING_BUDGET: dict[str, Any] = {
    "train": 4000, "val": 1000, "test": 2000, "epochs": 2, "learning_rate": 1e-3, "units": 32,
}

#: Fraction of the validation labels the training part flips before handing them over.
VAL_FLIPPED = 0.25


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


def _keras_weights(rng: np.random.Generator, features: int, units: int) -> dict[str, np.ndarray]:
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


def _noise(rng: np.random.Generator, count: int, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Integration-task pairs with exact labels.

    Args:
        rng: numpy Generator.
        count: int, N.
        steps: int, T.

    Returns:
        ``(noise (N, T, 1) float32, labels (N, 1) int32)``.
    """
    noise = rng.standard_normal((count, steps, 1)).astype(np.float32)
    labels = (noise.astype(np.float64).sum(axis=(1, 2)) > 0).astype(np.int32)[:, None]
    return noise, labels


def make_inputs(part: str, seed: int, budget: dict[str, Any] | None = None) -> PartInputs:
    """Choose a part's inputs.

    Args:
        part: str, one of the run parts.
        seed: int, the grading's seed.
        budget: dict, the training part's sizes instead of :data:`TRAINING_BUDGET` (keys as there;
            missing keys keep its values). None (the grader's case) means :data:`TRAINING_BUDGET`;
            the training-budget study (``studies/training_budget.py``) varies it. Other parts ignore it.

    Returns:
        PartInputs.
    """
    rng = np.random.default_rng([seed, sum(map(ord, part))])
    if part == "data":
        return PartInputs(config={
            # (seq_len, num_samples) the grader asks of integration_task: sizes of its own, whatever the task's;
            # gen_a's 50,000 noise values set the tolerances of the judge data.noise_standard_normal
            "gen_a": [25, 2000], "gen_b": [4, 3], "dataset": [6, 37], "prepare_steps": 2,
            # what my_integration_task must use: the task's (seq_len, num_samples)
            "wrapper": [task.SEQ_LEN, task.NUM_SAMPLES],
            # name: (pairs, batch_size, shuffle_buffer); None means prepare's defaults
            "prepare": {"prep_big": [100, 16, 100], "prep_one": [50, 8, 1], "prep_bound": [60, 7, 10],
                        "prep_default": [100, None, None]},
        }, arrays={})
    if part == "cell":
        units, features, batch = 5, 3, 4
        arrays = _keras_weights(rng, features, units)
        arrays.update({
            "x1": rng.normal(0, 1, (batch, features)), "x2": rng.normal(0, 1, (batch, features)),
            "h0": rng.normal(0, 0.5, (batch, units)), "c0": rng.normal(0, 1, (batch, units)),
            "r_h": rng.normal(0, 1, (batch, units)), "r_c": rng.normal(0, 1, (batch, units)),
        })
        return PartInputs(config={"units": units}, arrays={k: v.astype(np.float32) for k, v in arrays.items()})
    if part == "layer":
        units, features, batch, steps = 4, 3, 2, 6
        arrays = _keras_weights(rng, features, units)
        x = rng.normal(0, 1, (batch, steps, features))
        x_pert = x.copy()
        x_pert[:, 0, :] += 2.0
        arrays.update({
            "x": x, "x_pert": x_pert,
            "h0": rng.normal(0, 0.5, (batch, units)), "c0": rng.normal(0, 1, (batch, units)),
            "x_t2": rng.normal(0, 1, (batch, 2, features)), "x_t200": rng.normal(0, 1, (batch, 200, features)),
            "r": rng.normal(0, 1, (batch, steps, units)),
        })
        return PartInputs(config={"features": features, "units": units},
                          arrays={k: v.astype(np.float32) for k, v in arrays.items()})
    if part == "model":
        return PartInputs(config={}, arrays={
            "x": (4.0 * rng.normal(0, 1, (3, 7, 1))).astype(np.float32),
            "r": rng.normal(0, 1, (3, 7, 1)).astype(np.float32),
        })
    if part == "training":
        if budget is not None and set(budget) - set(TRAINING_BUDGET):
            raise ValueError(f"unknown training budget keys {sorted(set(budget) - set(TRAINING_BUDGET))}")
        budget = TRAINING_BUDGET if budget is None else {**TRAINING_BUDGET, **budget}
        steps = task.SEQ_LEN
        x_train, y_train = _noise(rng, budget["train"], steps)
        x_val, y_val = _noise(rng, budget["val"], steps)
        # A quarter of the validation labels handed over are flipped on purpose: an honest
        # val_accuracy (measured against the labels train was given) is then visibly lower than
        # the training accuracy, so a train that reports the wrong number cannot pass by luck.
        y_val = np.where(rng.random(y_val.shape) < VAL_FLIPPED, 1 - y_val, y_val).astype(np.int32)
        x_test, y_test = _noise(rng, budget["test"], steps)
        config = {k: budget[k] for k in ("epochs", "learning_rate", "units")}
        # the task's values, for the data.py the child stands in for the student's
        config.update(seq_len=steps, num_samples=task.NUM_SAMPLES)
        config["seed"] = int(rng.integers(2**31))
        return PartInputs(config=config,
                          arrays={"x_train": x_train, "y_train": y_train, "x_val": x_val, "y_val": y_val,
                                  "x_test": x_test},
                          secret={"y_test": y_test[:, 0], "y_val": y_val[:, 0]})
    raise ValueError(f"no inputs for part {part!r}")
