"""Training with Keras' own loop: model.fit on a view of the model that outputs the last step."""

from __future__ import annotations

import keras
import tensorflow as tf


class LastStep(keras.layers.Layer):
    """Keep the prediction after the last step: (batch, time, 1) to (batch, 1)."""

    def call(self, probabilities: tf.Tensor) -> tf.Tensor:
        """Slice the last step.

        Args:
            probabilities: tf.Tensor (batch, time, 1).

        Returns:
            tf.Tensor (batch, 1).
        """
        return probabilities[:, -1, :]


def train(model: keras.Model, train_ds: tf.data.Dataset, val_ds: tf.data.Dataset, epochs: int = 2,
          learning_rate: float = 1e-3) -> dict[str, list[float]]:
    """Fit the model on the last time step.

    Args:
        model: keras.Model returning a probability after every step.
        train_ds: tf.data.Dataset of batches (noise, target).
        val_ds: tf.data.Dataset of validation batches.
        epochs: int, number of epochs.
        learning_rate: float, Adam learning rate.

    Returns:
        The Keras history as a dict of lists.
    """
    many_to_one = keras.Sequential([model, LastStep()])
    many_to_one.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy",
                        metrics=["accuracy"])
    history = many_to_one.fit(train_ds, validation_data=val_ds, epochs=epochs, verbose=0)
    return {key: [float(v) for v in history.history[key]] for key in ("loss", "accuracy", "val_loss", "val_accuracy")}
