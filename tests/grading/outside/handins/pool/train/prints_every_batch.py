"""A training loop that prints every batch's loss, and imports the data helpers it does not call."""

from __future__ import annotations

import keras
import tensorflow as tf

from .data import SEQ_LEN, make_dataset, prepare


def train(model: keras.Model, train_ds: tf.data.Dataset, val_ds: tf.data.Dataset, epochs: int = 2,
          learning_rate: float = 1e-3) -> dict[str, list[float]]:
    """Train with Adam on the last step's prediction, printing progress.

    Args:
        model: keras.Model, the integration model.
        train_ds: tf.data.Dataset, training batches ((B, T, 1), (B, 1)).
        val_ds: tf.data.Dataset, validation batches.
        epochs: int, number of epochs.
        learning_rate: float, Adam's step size.

    Returns:
        dict of per-epoch loss, accuracy, val_loss and val_accuracy.
    """
    optimizer = keras.optimizers.Adam(learning_rate)
    bce = keras.losses.BinaryCrossentropy()
    accuracy = keras.metrics.BinaryAccuracy()
    history: dict[str, list[float]] = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
    for epoch in range(epochs):
        losses = []
        accuracy.reset_state()
        for step, (x, y) in enumerate(train_ds):
            with tf.GradientTape() as tape:
                prediction = model(x, training=True)[:, -1, :]
                loss = bce(y, prediction)
            gradients = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(gradients, model.trainable_variables))
            accuracy.update_state(y, prediction)
            losses.append(float(loss))
            print(f"epoch {epoch} batch {step} loss {float(loss):.4f} (sequences of {SEQ_LEN} steps)")
        history["loss"].append(sum(losses) / len(losses))
        history["accuracy"].append(float(accuracy.result()))
        val_losses = []
        accuracy.reset_state()
        for x, y in val_ds:
            prediction = model(x, training=False)[:, -1, :]
            val_losses.append(float(bce(y, prediction)))
            accuracy.update_state(y, prediction)
        history["val_loss"].append(sum(val_losses) / len(val_losses))
        history["val_accuracy"].append(float(accuracy.result()))
        print(f"epoch {epoch}: val_accuracy {history['val_accuracy'][-1]:.3f}")
    return history
