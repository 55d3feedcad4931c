"""Training: many-to-one, so the loss and accuracy use the last time step only.

Shapes: B is the batch, T the time steps.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import tensorflow as tf

from .data import prepare


def _batched(dataset: tf.data.Dataset, batch_size: int, shuffle_buffer: int) -> tf.data.Dataset:
    """Batch ``dataset`` with :func:`prepare` unless it is batched already.

    Args:
        dataset: tf.data.Dataset of ``(noise, target)`` pairs, either single
            pairs ``((T, 1), (1,))`` or batches ``((B, T, 1), (B, 1))``.
        batch_size: int, B, used when the dataset is not batched yet.
        shuffle_buffer: int, the shuffle buffer used when batching.

    Returns:
        A dataset of batches.
    """
    noise_spec = dataset.element_spec[0]
    if noise_spec.shape.rank == 3:  # already (B, T, 1)
        return dataset
    return prepare(dataset, batch_size=batch_size, shuffle_buffer=shuffle_buffer)


def train(
    model: keras.Model,
    train_ds: tf.data.Dataset,
    val_ds: tf.data.Dataset,
    epochs: int = 2,
    learning_rate: float = 1e-3,
    *,
    batch_size: int = 64,
    progress: Callable[[int, float, float], None] | None = None,
) -> dict[str, list[float]]:
    """Train ``model`` with Adam and binary cross-entropy on the last time step.

    Args:
        model: keras.Model mapping noise ``(B, T, 1)`` to probabilities ``(B, T, 1)``.
        train_ds: tf.data.Dataset of ``(noise, target)`` pairs as made by
            ``make_dataset``; it is shuffled, batched and prefetched with
            ``prepare`` (a dataset that is batched already is used as it is).
        val_ds: tf.data.Dataset of held-out pairs, in the same form.
        epochs: int, number of passes over ``train_ds``.
        learning_rate: float, Adam's step size.
        batch_size: int, B, the batch size used when batching.
        progress: optional callable ``progress(batch_size, loss, accuracy)``
            called after every training batch, for progress bars.

    Returns:
        A dict of per-epoch lists: ``loss`` and ``accuracy`` (training, running
        means over the epoch), ``val_loss`` and ``val_accuracy``.
    """
    # TODO: a tf.function train step on the last step's prediction, one loop per epoch (see the chapter "The model and training", docs/training.md)
    raise NotImplementedError("train: a tf.function train step on the last step's prediction, one loop per epoch")
