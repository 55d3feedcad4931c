"""The cell and the layer against Keras' own LSTM with copied weights, and golden values."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from .conftest import copy_keras_cell_weights

B, T, D, H = 4, 7, 3, 5
TOL = 1e-5


def random_weights_cell(ref, seed: int = 0):
    """Build a Keras LSTMCell with random (non-default) weights and our cell with the same."""
    rng = np.random.default_rng(seed)
    keras_cell = keras.layers.LSTMCell(H)
    keras_cell.build((None, D))
    for var in keras_cell.weights:  # random biases too, so every gate's bias matters
        var.assign(rng.normal(scale=0.5, size=var.shape).astype("float32"))
    cell = ref.cell.LSTMCell(H)
    cell.build((None, D))
    copy_keras_cell_weights(keras_cell, cell)
    return keras_cell, cell


def test_cell_matches_keras_outputs_and_gradients(ref):
    keras_cell, cell = random_weights_cell(ref)
    rng = np.random.default_rng(1)
    x = tf.constant(rng.normal(size=(B, D)), tf.float32)
    h0 = tf.constant(rng.normal(size=(B, H)), tf.float32)
    c0 = tf.constant(rng.normal(size=(B, H)), tf.float32)

    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, h0, c0])
        h, c = cell(x, (h0, c0))
        k_out, (k_h, k_c) = keras_cell(x, [h0, c0])
        ours, theirs = tf.reduce_sum(h * 1.3 + c * 0.7), tf.reduce_sum(k_h * 1.3 + k_c * 0.7)

    np.testing.assert_allclose(h, k_h, atol=TOL)
    np.testing.assert_allclose(c, k_c, atol=TOL)
    np.testing.assert_allclose(h, k_out, atol=TOL)
    for ours_grad, keras_grad in zip(tape.gradient(ours, [x, h0, c0]), tape.gradient(theirs, [x, h0, c0])):
        np.testing.assert_allclose(ours_grad, keras_grad, atol=TOL)
    # Weight gradients: our per-gate grads stacked must equal Keras' fused grads.
    grads = tape.gradient(ours, [g.kernel for g in cell.gates] + [g.bias for g in cell.gates])
    k_kernel, k_recurrent, k_bias = tape.gradient(theirs, [keras_cell.kernel, keras_cell.recurrent_kernel, keras_cell.bias])
    stacked_kernel = np.concatenate(grads[:4], axis=1)  # (D + H, 4H)
    np.testing.assert_allclose(stacked_kernel[:D], k_kernel, atol=TOL)
    np.testing.assert_allclose(stacked_kernel[D:], k_recurrent, atol=TOL)
    np.testing.assert_allclose(np.concatenate(grads[4:]), k_bias, atol=TOL)


@pytest.mark.parametrize("initial_states", [False, True])
def test_layer_matches_keras_lstm_outputs_and_gradients(ref, initial_states):
    keras_cell, cell = random_weights_cell(ref, seed=2)
    keras_lstm = keras.layers.LSTM(H, return_sequences=True)
    keras_lstm.build((None, T, D))
    for mine, theirs in zip(keras_lstm.cell.weights, keras_cell.weights):
        mine.assign(theirs)
    lstm = ref.layer.LSTM(cell)
    rng = np.random.default_rng(3)
    x = tf.constant(rng.normal(size=(B, T, D)), tf.float32)
    states = [tf.constant(rng.normal(size=(B, H)), tf.float32) for _ in range(2)] if initial_states else None

    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        ours = lstm(x, states) if states else lstm(x)
        theirs = keras_lstm(x, initial_state=states) if states else keras_lstm(x)
        # Weight later steps more, so the gradient checks state carried across time.
        weights = tf.range(1, T + 1, dtype=tf.float32)[None, :, None]
        loss_ours, loss_theirs = tf.reduce_sum(ours * weights), tf.reduce_sum(theirs * weights)

    assert ours.shape == (B, T, H)
    np.testing.assert_allclose(ours, theirs, atol=TOL)
    np.testing.assert_allclose(tape.gradient(loss_ours, x), tape.gradient(loss_theirs, x), atol=TOL)
    grads = tape.gradient(loss_ours, [g.kernel for g in cell.gates] + [g.bias for g in cell.gates])
    k_kernel, k_recurrent, k_bias = tape.gradient(loss_theirs, keras_lstm.cell.weights)
    stacked = np.concatenate(grads[:4], axis=1)
    np.testing.assert_allclose(stacked[:D], k_kernel, atol=TOL)
    np.testing.assert_allclose(stacked[D:], k_recurrent, atol=TOL)
    np.testing.assert_allclose(np.concatenate(grads[4:]), k_bias, atol=TOL)


def test_golden_values_from_constant_initializers(ref):
    """Constant weights on np.arange input, as Keras' lstm_test does: no RNG involved.

    Every gate kernel is 0.01, every bias 0 except the forget gate's 1 (its
    initializer is part of the contract). The expected numbers were computed by
    hand-written NumPy equations and are pinned here.
    """
    cell = ref.cell.LSTMCell(2)
    for gate in cell.gates:
        gate.kernel_initializer = keras.initializers.Constant(0.01)
    lstm = ref.layer.LSTM(cell)
    x = np.arange(2 * 3 * 2, dtype="float32").reshape(2, 3, 2) / 10.0  # (B=2, T=3, D=2)
    out = lstm(x).numpy()
    expected = np.array(
        [[[0.0002502, 0.0002502], [0.0014411, 0.0014411], [0.0033357, 0.0033357]],
         [[0.0032922, 0.0032922], [0.0067614, 0.0067614], [0.0103751, 0.0103751]]],
        dtype="float32",
    )
    np.testing.assert_allclose(out, expected, atol=1e-6)


def numpy_lstm(x: np.ndarray, kernel: float, forget_bias: float, units: int) -> np.ndarray:
    """The LSTM equations in plain NumPy, an oracle independent of TensorFlow."""
    sigmoid = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731
    b, t, d = x.shape
    h = np.zeros((b, units))
    c = np.zeros((b, units))
    out = []
    for step in range(t):
        z = np.concatenate([x[:, step], h], axis=-1) @ np.full((d + units, units), kernel)
        i, f, g, o = sigmoid(z), sigmoid(z + forget_bias), np.tanh(z), sigmoid(z)
        c = f * c + i * g
        h = o * np.tanh(c)
        out.append(h)
    return np.stack(out, axis=1)


def test_golden_values_agree_with_numpy_equations():
    x = np.arange(2 * 3 * 2, dtype="float32").reshape(2, 3, 2) / 10.0
    out = numpy_lstm(x, kernel=0.01, forget_bias=1.0, units=2)
    np.testing.assert_allclose(out[0, :, 0], [0.0002502, 0.0014411, 0.0033357], atol=1e-6)


def test_forget_bias_starts_at_one_and_the_others_at_zero(ref):
    cell = ref.cell.LSTMCell(4)
    cell.build((None, 3))
    np.testing.assert_array_equal(cell.forget_gate.bias.numpy(), np.ones(4))
    for gate in (cell.input_gate, cell.cell_candidate, cell.output_gate):
        np.testing.assert_array_equal(gate.bias.numpy(), np.zeros(4))
    assert [g.name for g in cell.gates] == ["input_gate", "forget_gate", "cell_candidate", "output_gate"]
