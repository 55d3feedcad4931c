"""A train() written with Keras' own loop, as many students do: no progress argument."""

import keras
import tensorflow as tf

from .data import prepare


def train(model: keras.Model, train_ds: tf.data.Dataset, val_ds: tf.data.Dataset, epochs: int = 2,
          learning_rate: float = 1e-3) -> dict[str, list[float]]:
    """Fit the prediction after the last step with model.fit.

    Args:
        model: keras.Model, (batch, time, 1) noise to (batch, time, 1) probabilities.
        train_ds: tf.data.Dataset of pairs, batched or not.
        val_ds: tf.data.Dataset of pairs, batched or not.
        epochs: int, passes over train_ds.
        learning_rate: float, Adam's step size.

    Returns:
        dict of per-epoch loss, accuracy, val_loss, val_accuracy.
    """
    if len(train_ds.element_spec[0].shape) == 2:  # unbatched pairs
        train_ds, val_ds = prepare(train_ds), prepare(val_ds)
    noise = keras.Input((None, 1))
    last = keras.layers.Lambda(lambda p: p[:, -1, :])(model(noise))
    many_to_one = keras.Model(noise, last)
    many_to_one.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy",
                        metrics=["accuracy"])
    history = many_to_one.fit(train_ds, validation_data=val_ds, epochs=epochs, verbose=0)
    return {key: [float(v) for v in history.history[key]] for key in ("loss", "accuracy", "val_loss", "val_accuracy")}
