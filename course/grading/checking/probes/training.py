"""Probes for ``train.py``: the student's ``train`` on the grader's model and in-memory data.

The parent sends training and validation pairs and held-out noise (never its labels);
the child trains, then returns the model's last-step probabilities for the held-out
and validation noise. The parent computes accuracy against the exact labels.

``train`` may read its datasets in either of the contract's conventions: prepared
batches ``((B, T, 1), (B, 1))`` or unbatched pairs ``((T, 1), (1,))``. The probe first
hands it batches; when that attempt raises (typically a shape or rank error as the
first batch meets the model), it starts again from a fresh, identically seeded model
with unbatched pairs, and records which convention worked. A ``train`` that runs but
trains wrongly does not raise, so it is judged on its first attempt: the retry cannot
hide a bug.
"""

from __future__ import annotations

import types
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from course.grading.checking.contract import RunningSumModel
from course.grading.checking.probes import Recorder, describe

#: The conventions tried, in order: name and whether the datasets are batched.
CONVENTIONS: tuple[tuple[str, bool], ...] = (("batches", True), ("pairs", False))
#: Batch size of the batched convention (the homework's).
BATCH_SIZE = 64


def _weights(model: keras.Model) -> np.ndarray:
    """Flatten every weight of a model into one vector.

    Args:
        model: keras.Model.

    Returns:
        1-D float64 array.
    """
    return np.concatenate([np.asarray(w, np.float64).ravel() for w in model.get_weights()])


def _last_step(model: keras.Model, noise: np.ndarray) -> np.ndarray:
    """Predict the last step's probability for every sequence, in batches.

    Args:
        model: keras.Model.
        noise: array ``(N, T, 1)``.

    Returns:
        array ``(N,)``.
    """
    out = [np.asarray(model(tf.constant(noise[i:i + 500], tf.float32)))[:, -1].reshape(-1)
           for i in range(0, len(noise), 500)]
    return np.concatenate(out)


def datasets(arrays: dict[str, np.ndarray], batched: bool, seed: int) -> tuple[tf.data.Dataset, tf.data.Dataset]:
    """The training and validation data in one convention, made from the parent's arrays.

    Args:
        arrays: dict with ``x_train``, ``y_train``, ``x_val``, ``y_val``.
        batched: bool, batches of :data:`BATCH_SIZE` (training pairs shuffled once, with
            ``seed``) or unbatched pairs.
        seed: int, the shuffle's seed.

    Returns:
        ``(train_ds, val_ds)``.
    """
    pairs = tf.data.Dataset.from_tensor_slices((arrays["x_train"], arrays["y_train"]))
    val = tf.data.Dataset.from_tensor_slices((arrays["x_val"], arrays["y_val"]))
    if not batched:
        return pairs, val
    pairs = pairs.shuffle(len(arrays["x_train"]), seed=seed, reshuffle_each_iteration=True)
    return pairs.batch(BATCH_SIZE), val.batch(BATCH_SIZE)


def run(module: types.ModuleType, rec: Recorder, config: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    """Train with the student's ``train`` and record the history and predictions.

    Args:
        module: the student's ``train`` module.
        rec: Recorder.
        config: dict with ``epochs``, ``learning_rate``, ``seed``.
        arrays: dict with ``x_train``, ``y_train``, ``x_val``, ``y_val``, ``x_test``.
    """
    steps = int(arrays["x_train"].shape[1])
    failures: dict[str, dict[str, Any]] = {}
    with rec.probe("train"):
        for convention, batched in CONVENTIONS:
            keras.utils.set_random_seed(config["seed"])
            model = RunningSumModel(steps, name="running_sum")
            model(tf.zeros((1, steps, 1)))  # build, so the weights can be compared before and after
            before = _weights(model)
            train_ds, val_ds = datasets(arrays, batched, config["seed"])
            try:
                history = module.train(model, train_ds, val_ds, epochs=config["epochs"],
                                       learning_rate=config["learning_rate"])
            except Exception as error:  # noqa: BLE001 - maybe the other convention; reported if both fail
                failures[convention] = describe(error)
                if len(failures) == len(CONVENTIONS) or isinstance(error, NotImplementedError):
                    rec.put("train.failures", failures)
                    raise
                continue
            break
        rec.put("train.convention", convention)
        rec.put("train.failures", failures)
        rec.put("train.history_type", type(history).__name__)
        rec.put("train.history", dict(history) if isinstance(history, dict) else None)
        rec.put("train.weights_changed", float(np.max(np.abs(_weights(model) - before))))
        rec.put("train.steps_trained", model.steps_trained())
        rec.put("train.steps", steps)
        rec.array("train.test", _last_step(model, arrays["x_test"]))
        rec.array("train.val", _last_step(model, arrays["x_val"]))
