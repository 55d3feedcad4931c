"""Integration task data with np.random.normal, whose float64 noise goes into the pipeline as is."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import tensorflow as tf

SEQ_LEN: int = 25
NUM_SAMPLES: int = 80_000


def integration_task(seq_len: int, num_samples: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (noise, label) pairs.

    Args:
        seq_len: int, number of time steps.
        num_samples: int, number of pairs.

    Yields:
        noise of shape (seq_len, 1) and a label of shape (1,).
    """
    for _ in range(num_samples):
        noise = np.random.normal(0.0, 1.0, size=(seq_len, 1))
        label = np.array([noise.sum() > 0]).astype(np.int64)
        yield noise, label


def my_integration_task() -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield from integration_task(SEQ_LEN, NUM_SAMPLES).

    Yields:
        The same pairs as integration_task.
    """
    yield from integration_task(SEQ_LEN, NUM_SAMPLES)


def make_dataset(seq_len: int = SEQ_LEN, num_samples: int = NUM_SAMPLES) -> tf.data.Dataset:
    """Wrap the generator in a dataset.

    Args:
        seq_len: int, number of time steps.
        num_samples: int, number of pairs.

    Returns:
        tf.data.Dataset of (noise, label).
    """
    return tf.data.Dataset.from_generator(
        lambda: integration_task(seq_len, num_samples),
        output_signature=(tf.TensorSpec((seq_len, 1), tf.float32), tf.TensorSpec((1,), tf.int64)))


def prepare(dataset: tf.data.Dataset, batch_size: int = 64, shuffle_buffer: int = 1000) -> tf.data.Dataset:
    """Shuffle, batch and prefetch the pairs.

    Args:
        dataset: tf.data.Dataset of pairs.
        batch_size: int, pairs per batch.
        shuffle_buffer: int, size of the shuffle buffer.

    Returns:
        The batched dataset.
    """
    return dataset.shuffle(shuffle_buffer).batch(batch_size).prefetch(tf.data.AUTOTUNE)
