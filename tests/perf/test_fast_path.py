"""The fast path computes what the reference computes: outputs and every gradient.

The oracle is the reference solution with the same weights (copied with
``copy_reference_weights``) and ``keras.layers.LSTM``. Gradients are
compared variable by variable, so a fast path whose LSTM gets no gradient
(NOTES.md trap 2) fails here, whatever its speed.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from course.fast import FastIntegrationModel, FastLSTM, copy_reference_weights
from course.impl import load

B, T, H = 8, 12, 16


@pytest.fixture(scope="module")
def reference() -> keras.Model:
    """A built reference model with non-trivial weights."""
    keras.utils.set_random_seed(1)
    model = load("solutions").model.IntegrationModel(units=H)
    model(tf.zeros((1, T, 1)))
    return model


@pytest.fixture(scope="module")
def reference_runs(reference: keras.Model) -> dict:
    """The reference's outputs and gradients on ``data()``, computed once per way of running it
    (eager, ``tf.function``, XLA) and shared by the parametrized comparisons: tracing and compiling
    the reference again for every fast-path flavour would only repeat the same numbers."""
    cache: dict = {}

    def get(graph: bool | str):
        if graph not in cache:
            cache[graph] = loss_and_grads(reference, *data(), graph=graph)
        return cache[graph]

    return {"get": get}


def data(seed: int = 0) -> tuple[tf.Tensor, tf.Tensor]:
    """A batch ``(noise (B, T, 1), target (B, 1))``."""
    noise = tf.random.stateless_normal((B, T, 1), seed=(seed, 3))
    return noise, tf.cast(tf.reduce_sum(noise, axis=[1, 2])[:, None] > 0, tf.int32)


def loss_and_grads(model: keras.Model, noise: tf.Tensor, target: tf.Tensor, *, graph: bool | str):
    """The many-to-one loss, the outputs and the gradients of every trainable variable.

    ``graph``: False runs eagerly, True in ``tf.function``, ``"xla"`` in ``tf.function(jit_compile=True)``.
    """

    def run(noise, target):
        with tf.GradientTape() as tape:
            out = model(noise)
            # Every step's output enters the loss, so every step's dL/dh_t is non-zero.
            loss = keras.losses.binary_crossentropy(tf.cast(target, tf.float32), out[:, -1]) \
                + 0.1 * tf.reduce_mean(out * out)
            loss = tf.reduce_mean(loss)
        return out, tape.gradient(loss, model.trainable_variables)

    if graph:
        run = tf.function(run, jit_compile=graph == "xla")
    return run(noise, target)


def fused_reference_grads(reference: keras.Model, grads: list[tf.Tensor]) -> list[np.ndarray]:
    """Rearrange the reference's 12 gradients into the fast model's 7 (fused) ones."""
    grad_of = {id(v): g for v, g in zip(reference.trainable_variables, grads)}
    gates = reference.lstm.cell.gates  # i, f, g, o
    kernel = np.concatenate([grad_of[id(gate.kernel)] for gate in gates], axis=-1)  # (1 + H, 4H)
    features = kernel.shape[0] - H
    return [grad_of[id(reference.read_in.kernel)], grad_of[id(reference.read_in.bias)],
            kernel[:features], kernel[features:],
            np.concatenate([grad_of[id(gate.bias)] for gate in gates]),
            grad_of[id(reference.read_out.kernel)], grad_of[id(reference.read_out.bias)]]


@pytest.mark.parametrize(
    "unroll, hand_gradient, fold, graph",
    [(False, True, True, False), (False, True, True, True), (False, True, True, "xla"), (None, True, True, False),
     (None, True, True, True), (None, True, False, True), (None, False, True, True), (False, False, False, True)],
    ids=["while_loop-eager", "while_loop-tf.function", "while_loop-xla", "unrolled-eager", "unrolled-tf.function",
         "unfolded-unrolled-tf.function", "autodiff-tf.function", "autodiff-unfolded-while_loop-tf.function"],
)
def test_same_outputs_and_gradients_as_reference(reference: keras.Model, reference_runs: dict, unroll: bool,
                                                hand_gradient: bool, fold: bool, graph: bool | str) -> None:
    """Copied weights give the reference's outputs and gradients to 1e-5, every variable non-zero,
    with the read-in folded into the LSTM's input weights or run as its own layer."""
    fast = FastIntegrationModel(units=H, unroll=unroll, hand_gradient=hand_gradient, fold_read_in=fold)
    fast(tf.zeros((1, T, 1)))
    copy_reference_weights(reference, fast)
    noise, target = data()
    out_ref, grads_ref = reference_runs["get"](graph)
    out_fast, grads_fast = loss_and_grads(fast, noise, target, graph=graph)

    np.testing.assert_allclose(out_fast, out_ref, atol=1e-5)
    assert len(grads_fast) == len(fast.trainable_variables) == 7
    expected = fused_reference_grads(reference, grads_ref)
    for variable, got, want in zip(fast.trainable_variables, grads_fast, expected):
        assert got is not None, f"{variable.path} gets no gradient"
        assert float(tf.reduce_max(tf.abs(got))) > 0, f"{variable.path}'s gradient is zero"
        np.testing.assert_allclose(got, want, atol=1e-5, err_msg=variable.path)


@pytest.mark.parametrize("unroll", [False, True], ids=["while_loop", "unrolled"])
def test_matches_keras_lstm_with_initial_states(unroll: bool) -> None:
    """With Keras' weights (same layout) and given initial states, it is ``keras.layers.LSTM``,
    and the gradients of the input and of both initial states agree too."""
    keras.utils.set_random_seed(2)
    x = tf.random.stateless_normal((B, T, 3), seed=(1, 1))
    h0, c0 = (tf.random.stateless_normal((B, H), seed=(s, 2)) for s in (1, 2))
    twin = keras.layers.LSTM(H, return_sequences=True)
    twin(x, initial_state=[h0, c0])
    fast = FastLSTM(H, unroll=unroll)
    fast(x)
    for target, source in zip(fast.weights, twin.weights):  # kernel, recurrent_kernel, bias
        target.assign(source)

    def run(layer, call):
        with tf.GradientTape() as tape:
            tape.watch([x, h0, c0])
            out = call(layer)
            loss = tf.reduce_sum(out * tf.range(1.0, T + 1.0)[:, None])  # weight the steps differently
        return out, tape.gradient(loss, [x, h0, c0])

    out_k, grads_k = run(twin, lambda layer: layer(x, initial_state=[h0, c0]))
    out_f, grads_f = run(fast, lambda layer: layer(x, (h0, c0)))
    np.testing.assert_allclose(out_f, out_k, atol=1e-5)
    for name, got, want in zip(["x", "h0", "c0"], grads_f, grads_k):
        np.testing.assert_allclose(got, want, atol=1e-4, err_msg=name)


def test_one_while_loop_serves_every_length() -> None:
    """The while_loop flavour traces once for any T and its graph does not grow with T."""
    layer = FastLSTM(4)
    layer(tf.zeros((2, 3, 1)))
    fn = tf.function(layer.call, input_signature=[tf.TensorSpec((None, None, 1))])
    concrete = fn.get_concrete_function()
    for steps in (1, 7, 40):
        assert fn(tf.ones((2, steps, 1))).shape == (2, steps, 4)
    assert fn.experimental_get_tracing_count() == 1
    assert sum(op.type in ("While", "StatelessWhile") for op in concrete.graph.get_operations()) == 1
