"""Truncated BPTT: the windows are right, the state is carried, and the gradient really stops."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from course.experiments.runner import RunConfig, build_model
from course.experiments.windows import truncated_forward, window_bounds

T = 12


@pytest.fixture(scope="module")
def model():
    """A reference model, built eagerly with seed 0."""
    return build_model(RunConfig(seq_len=T, seed=0, samples=0))


@pytest.fixture(scope="module")
def x() -> tf.Tensor:
    """A (4, T, 1) batch of noise."""
    return tf.constant(np.random.default_rng(0).standard_normal((4, T, 1)), tf.float32)


@pytest.mark.parametrize(("seq_len", "window", "expected"), [
    (25, 10, [(0, 5), (5, 15), (15, 25)]),
    (25, 5, [(0, 5), (5, 10), (10, 15), (15, 20), (20, 25)]),
    (25, 25, [(0, 25)]),
    (25, 40, [(0, 25)]),
])
def test_window_bounds_cover_the_sequence_with_a_full_last_window(seq_len, window, expected):
    assert window_bounds(seq_len, window) == expected


@pytest.mark.parametrize("window", [3, 5, T])
def test_carried_state_gives_the_same_forward_pass(model, x, window):
    """stop_gradient changes no value: with the state carried, the prediction equals the plain model's."""
    full = model(x)[:, -1]
    truncated = truncated_forward(model, x, window)[:, -1]
    np.testing.assert_allclose(truncated.numpy(), full.numpy(), atol=1e-6)


def test_without_the_carried_state_the_prediction_would_differ(model, x):
    """Guards the test above: the last window alone (zero start state) predicts something else."""
    alone = model(x[:, -3:])[:, -1]
    assert np.abs(alone.numpy() - model(x)[:, -1].numpy()).max() > 1e-4


@pytest.mark.parametrize("window", [3, 5, 6])
def test_gradient_stops_at_the_window_boundary(model, x, window):
    """The loss's gradient w.r.t. inputs before the last window is exactly zero when k < T."""
    with tf.GradientTape() as tape:
        tape.watch(x)
        prediction = truncated_forward(model, x, window)[:, -1]
    grad = np.abs(tape.gradient(prediction, x).numpy()).sum(axis=(0, 2))  # (T,) per step
    assert np.all(grad[: T - window] == 0.0), grad
    assert np.all(grad[T - window:] > 0.0), grad


def test_full_bptt_reaches_every_step(model, x):
    """With k = T the gradient reaches the first input."""
    with tf.GradientTape() as tape:
        tape.watch(x)
        prediction = truncated_forward(model, x, T)[:, -1]
    grad = np.abs(tape.gradient(prediction, x).numpy()).sum(axis=(0, 2))
    assert np.all(grad > 0.0), grad


def test_every_variable_still_gets_a_gradient_when_truncated(model, x):
    with tf.GradientTape() as tape:
        prediction = truncated_forward(model, x, 3)[:, -1]
    grads = tape.gradient(prediction, model.trainable_variables)
    assert all(g is not None and float(tf.reduce_sum(tf.abs(g))) > 0 for g in grads)
