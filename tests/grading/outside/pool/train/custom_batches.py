"""Training loop over prepared batches, as the homework hands its pipeline to the loop."""

from __future__ import annotations

import keras
import tensorflow as tf


def train(model: keras.Model, train_ds: tf.data.Dataset, val_ds: tf.data.Dataset, epochs: int = 2,
          learning_rate: float = 1e-3) -> dict[str, list[float]]:
    """Train on the last time step with Adam and binary cross-entropy.

    Args:
        model: keras.Model, (batch, time, 1) to (batch, time, 1) probabilities.
        train_ds: tf.data.Dataset of prepared batches ((batch, time, 1), (batch, 1)).
        val_ds: tf.data.Dataset of prepared validation batches.
        epochs: int, passes over train_ds.
        learning_rate: float, Adam's learning rate.

    Returns:
        dict with per-epoch loss, accuracy, val_loss, val_accuracy.
    """
    optimizer = keras.optimizers.Adam(learning_rate=learning_rate)
    loss_fn = keras.losses.BinaryCrossentropy()

    @tf.function
    def train_step(x: tf.Tensor, y: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        y = tf.cast(y, tf.float32)
        with tf.GradientTape() as tape:
            p = model(x, training=True)[:, -1]
            loss = loss_fn(y, p)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss, tf.reduce_sum(tf.cast(tf.equal(tf.cast(p > 0.5, tf.float32), y), tf.float32))

    @tf.function
    def eval_step(x: tf.Tensor, y: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        y = tf.cast(y, tf.float32)
        p = model(x, training=False)[:, -1]
        return loss_fn(y, p), tf.reduce_sum(tf.cast(tf.equal(tf.cast(p > 0.5, tf.float32), y), tf.float32))

    history: dict[str, list[float]] = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
    for _ in range(epochs):
        for prefix, dataset, step in (("", train_ds, train_step), ("val_", val_ds, eval_step)):
            total_loss, correct, seen = 0.0, 0.0, 0
            for x, y in dataset:
                loss, hits = step(x, y)
                total_loss += float(loss) * int(x.shape[0])
                correct += float(hits)
                seen += int(x.shape[0])
            history[prefix + "loss"].append(total_loss / seen)
            history[prefix + "accuracy"].append(correct / seen)
    return history
