"""Every trainable variable gets a non-zero gradient: eagerly, in tf.function, built lazily or eagerly.

NOTES.md trap 2: a model whose LSTM gets no gradient still reaches ~80 %
accuracy, so accuracy alone cannot tell; these tests can.
"""

from __future__ import annotations

import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf


def batch(seed: int = 0) -> tuple[tf.Tensor, tf.Tensor]:
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((16, 9, 1)).astype("float32")
    return tf.constant(noise), tf.constant((noise.sum(axis=1) > 0).astype("int32"))


def last_step_loss(model: keras.Model, noise: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    return keras.losses.binary_crossentropy(tf.cast(target, tf.float32), model(noise)[:, -1, :])


def gradients(model, noise, target):
    with tf.GradientTape() as tape:
        loss = last_step_loss(model, noise, target)
    return tape.gradient(loss, model.trainable_variables)


def assert_all_nonzero(model, grads):
    assert len(model.trainable_variables) == 12  # read-in 2 + four gates 8 + read-out 2
    for var, grad in zip(model.trainable_variables, grads):
        assert grad is not None, f"no gradient for {var.path}"
        assert float(tf.reduce_max(tf.abs(grad))) > 0, f"zero gradient for {var.path}"


@pytest.mark.parametrize("mode", ["eager", "function-lazy-build", "function-eager-build", "eager-after-untaped-call"])
def test_every_variable_gets_a_nonzero_gradient(ref, mode):
    noise, target = batch()
    model = ref.model.IntegrationModel(units=8)
    if mode in ("function-eager-build", "eager-after-untaped-call"):
        model(noise)  # built (and called once) outside any tape
    if mode.startswith("function"):
        grads = tf.function(gradients)(model, noise, target)
    else:
        grads = gradients(model, noise, target)
    assert_all_nonzero(model, grads)


def test_training_step_warns_nothing(ref):
    noise, target = batch()
    model = ref.model.IntegrationModel(units=8)
    train_ds = tf.data.Dataset.from_tensor_slices((noise, target))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ref.train.train(model, train_ds, train_ds, epochs=1)
    messages = [str(w.message) for w in caught if "keras" in w.filename or "tensorflow" in w.filename]
    assert messages == []


def test_model_output_shape_and_range(ref):
    model = ref.model.IntegrationModel()
    out = model(tf.random.normal((3, 11, 1)) * 10)
    assert out.shape == (3, 11, 1)
    assert float(tf.reduce_min(out)) >= 0.0 and float(tf.reduce_max(out)) <= 1.0
