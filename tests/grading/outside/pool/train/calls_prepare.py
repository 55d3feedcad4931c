"""Custom training loop that batches its datasets itself with prepare (eager, no tf.function)."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from .data import prepare


def train(model: keras.Model, train_ds: tf.data.Dataset, val_ds: tf.data.Dataset, epochs: int = 2,
          learning_rate: float = 1e-3) -> dict[str, list[float]]:
    """Train the model.

    Parameters
    ----------
    model : keras.Model
        Maps noise (batch, time, 1) to probabilities (batch, time, 1).
    train_ds : tf.data.Dataset
        Unbatched training pairs from make_dataset.
    val_ds : tf.data.Dataset
        Unbatched validation pairs.
    epochs : int
        Number of epochs.
    learning_rate : float
        Step size of Adam.

    Returns
    -------
    dict
        Lists of loss, accuracy, val_loss and val_accuracy per epoch.
    """
    optimizer = keras.optimizers.Adam(learning_rate)
    bce = keras.losses.BinaryCrossentropy()
    history: dict[str, list[float]] = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
    for _ in range(epochs):
        losses, hits = [], []
        for noise, target in prepare(train_ds, batch_size=64):
            target = tf.cast(target, tf.float32)
            with tf.GradientTape() as tape:
                last = model(noise)[:, -1, :]
                loss = bce(target, last)
            optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
            losses.append(float(loss))
            hits.extend((np.asarray(last) > 0.5).ravel() == (np.asarray(target) > 0.5).ravel())
        history["loss"].append(float(np.mean(losses)))
        history["accuracy"].append(float(np.mean(hits)))
        losses, hits = [], []
        for noise, target in prepare(val_ds, batch_size=256, shuffle_buffer=1):
            target = tf.cast(target, tf.float32)
            last = model(noise)[:, -1, :]
            losses.append(float(bce(target, last)) * len(target))
            hits.extend((np.asarray(last) > 0.5).ravel() == (np.asarray(target) > 0.5).ravel())
        history["val_loss"].append(float(np.sum(losses) / len(hits)))
        history["val_accuracy"].append(float(np.mean(hits)))
    return history
