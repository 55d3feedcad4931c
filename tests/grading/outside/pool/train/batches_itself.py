"""Training loop that takes unbatched pairs and batches them itself (no prepare)."""

from __future__ import annotations

import keras
import tensorflow as tf


def train(model: keras.Model, train_ds: tf.data.Dataset, val_ds: tf.data.Dataset, epochs: int = 2,
          learning_rate: float = 1e-3) -> dict[str, list[float]]:
    """Train with a tf.function step on the last time step.

    :param model: the IntegrationModel
    :param train_ds: unbatched (noise, target) training pairs
    :param val_ds: unbatched (noise, target) validation pairs
    :param epochs: number of epochs
    :param learning_rate: Adam's learning rate
    :return: per-epoch loss, accuracy, val_loss and val_accuracy
    """
    train_batches = train_ds.shuffle(4096).batch(32)
    val_batches = val_ds.batch(500)
    optimizer = keras.optimizers.Adam(learning_rate)
    loss_metric, acc_metric = keras.metrics.Mean(), keras.metrics.BinaryAccuracy()

    @tf.function
    def step(noise: tf.Tensor, target: tf.Tensor, learn: bool) -> None:
        with tf.GradientTape() as tape:
            prediction = model(noise, training=learn)[:, -1]
            loss = keras.losses.binary_crossentropy(tf.cast(target, tf.float32), prediction)
        if learn:
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
        loss_metric.update_state(loss)
        acc_metric.update_state(target, prediction)

    history: dict[str, list[float]] = {}
    for _ in range(epochs):
        for prefix, batches, learn in (("", train_batches, True), ("val_", val_batches, False)):
            loss_metric.reset_state()
            acc_metric.reset_state()
            for noise, target in batches:
                step(noise, target, learn)
            history.setdefault(prefix + "loss", []).append(float(loss_metric.result()))
            history.setdefault(prefix + "accuracy", []).append(float(acc_metric.result()))
    return history
