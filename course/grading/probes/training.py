"""Probes for ``train.py``: the student's ``train`` on the grader's model and in-memory data.

The parent sends training and validation pairs and held-out noise (never its labels);
the child trains, then returns the model's last-step probabilities for the held-out
and validation noise. The parent computes accuracy against the exact labels.
"""

from __future__ import annotations

import types
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from course.grading.contract import GraderModel
from course.grading.probes import Recorder


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


def run(module: types.ModuleType, rec: Recorder, config: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    """Train with the student's ``train`` and record the history and predictions.

    Args:
        module: the student's ``train`` module.
        rec: Recorder.
        config: dict with ``epochs``, ``learning_rate``, ``units``, ``seed``.
        arrays: dict with ``x_train``, ``y_train``, ``x_val``, ``y_val``, ``x_test``.
    """
    with rec.probe("train"):
        keras.utils.set_random_seed(config["seed"])
        model = GraderModel(config["units"])
        model(tf.zeros((1, 2, 1)))  # build, so the weights can be compared before and after
        before = _weights(model)
        train_ds = tf.data.Dataset.from_tensor_slices((arrays["x_train"], arrays["y_train"]))
        val_ds = tf.data.Dataset.from_tensor_slices((arrays["x_val"], arrays["y_val"]))
        history = module.train(model, train_ds, val_ds, epochs=config["epochs"],
                               learning_rate=config["learning_rate"])
        rec.put("train.history_type", type(history).__name__)
        rec.put("train.history", dict(history) if isinstance(history, dict) else None)
        rec.put("train.weights_changed", float(np.max(np.abs(_weights(model) - before))))
        rec.array("train.test", _last_step(model, arrays["x_test"]))
        rec.array("train.val", _last_step(model, arrays["x_val"]))
