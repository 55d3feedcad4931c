"""One training run: the forget bias is set, targets are right, and results are reproducible.

Runs use T = 8, the quick experiments' length, so that in one pytest process they share the
quick mode's traced training step (tracing costs seconds; CI has one minute for this folder).
"""

from __future__ import annotations

import math
from dataclasses import replace
from unittest.mock import ANY

import numpy as np
import pytest
import tensorflow as tf

from course.experiments import data
from course.experiments.runner import RunConfig, build_model, forget_gate_mean, targets_and_loss, train_run


@pytest.mark.parametrize(("bias", "expected"), [(1.0, 1 / (1 + math.exp(-1))), (0.0, 0.5)])
def test_forget_bias_sets_the_gate_at_initialisation(bias, expected):
    model = build_model(RunConfig(seq_len=10, seed=0, samples=0, forget_bias=bias))
    np.testing.assert_array_equal(model.lstm.cell.forget_gate.bias.numpy(), bias)
    mean = forget_gate_mean(model, tf.constant(data.noise(0, 10, 128)))
    assert mean == pytest.approx(expected, abs=0.03)


def test_regression_model_has_a_linear_read_out():
    model = build_model(RunConfig(seq_len=5, seed=0, samples=0, loss="mse"))
    out = model(tf.constant(data.noise(0, 5, 256)) * 50.0)
    assert float(tf.reduce_min(out)) < 0.0 or float(tf.reduce_max(out)) > 1.0


def test_targets_are_the_sign_and_the_scaled_sum():
    x = tf.constant([[[1.0], [-3.0], [1.0], [2.0]]])  # running sum 1, -2, -1, 1
    perfect_label = tf.constant([[[1.0], [0.0], [0.0], [1.0]]])
    loss, accuracy = targets_and_loss(RunConfig(4, 0, 0, targets="all"), x, perfect_label * 0.999 + 0.0005)
    assert float(accuracy) == 1.0 and float(loss) < 0.01
    perfect_sum = tf.constant([[[1.0], [-2.0], [-1.0], [1.0]]]) / 2.0  # S_t / sqrt(T)
    loss, accuracy = targets_and_loss(RunConfig(4, 0, 0, loss="mse", targets="all"), x, perfect_sum)
    assert float(accuracy) == 1.0 and float(loss) == pytest.approx(0.0)
    loss, _ = targets_and_loss(RunConfig(4, 0, 0, loss="mse"), x, perfect_sum * 0.0)
    assert float(loss) == pytest.approx(0.25)  # last step only: (0 - 1/2)^2


def test_data_streams_are_seeded_and_independent():
    np.testing.assert_array_equal(data.noise(3, 5, 4), data.noise(3, 5, 4))
    assert not np.array_equal(data.noise(3, 5, 4, data.TRAIN_STREAM), data.noise(3, 5, 4, data.VAL_STREAM))


def test_a_run_is_reproducible_whatever_ran_before():
    """The traced trainer is shared across seeds; resetting it must restore weights and optimizer."""
    config = RunConfig(seq_len=8, seed=0, samples=192, val_samples=128, curve_points=3)
    first = train_run.__wrapped__(config)
    train_run.__wrapped__(RunConfig(seq_len=8, seed=1, samples=192, val_samples=128, curve_points=3))
    again = train_run.__wrapped__(config)
    assert first["curve"] == again["curve"]
    assert first["val_accuracy"] == again["val_accuracy"]
    assert first["curve"]["samples"] == [64, 128, 192]


def test_a_shared_trainer_restores_the_forget_bias_of_each_run():
    """Bias 0 and bias 1 share one traced trainer; each run must still start from its own bias."""
    config = RunConfig(seq_len=8, seed=0, samples=128, val_samples=128, curve_points=2)
    first = train_run.__wrapped__(config)
    zero = train_run.__wrapped__(replace(config, forget_bias=0.0))
    assert zero["forget_gate_init"] == pytest.approx(0.5, abs=0.03)
    assert train_run.__wrapped__(config) == {**first, "seconds": ANY, "step_ms": ANY}
