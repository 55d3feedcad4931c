"""Integration-task data with int64 labels and NumPy-style docstrings."""

from __future__ import annotations

from typing import Iterator

import numpy as np
import tensorflow as tf

SEQ_LEN: int = 25
NUM_SAMPLES: int = 80_000


def integration_task(seq_len: int, num_samples: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Generate the integration task.

    Parameters
    ----------
    seq_len : int
        Length of every noise sequence.
    num_samples : int
        How many sequences to generate.

    Yields
    ------
    tuple of np.ndarray
        Noise of shape (seq_len, 1) and an int64 label of shape (1,).
    """
    for _ in range(num_samples):
        x = np.random.randn(seq_len).astype("float32")
        label = np.array([1 if np.sum(x) > 0 else 0], dtype=np.int64)
        yield x.reshape(seq_len, 1), label


def my_integration_task() -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Call integration_task with the module constants.

    Yields
    ------
    tuple of np.ndarray
        The pairs of integration_task(SEQ_LEN, NUM_SAMPLES).
    """
    for pair in integration_task(SEQ_LEN, NUM_SAMPLES):
        yield pair


def make_dataset(seq_len: int = SEQ_LEN, num_samples: int = NUM_SAMPLES) -> tf.data.Dataset:
    """Build a tf.data pipeline from the generator.

    Parameters
    ----------
    seq_len : int
        Time steps per sequence.
    num_samples : int
        Number of pairs.

    Returns
    -------
    tf.data.Dataset
        Pairs of (float32 (seq_len, 1), int64 (1,)).
    """
    def generator() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        return integration_task(seq_len, num_samples)

    return tf.data.Dataset.from_generator(
        generator,
        output_signature=(tf.TensorSpec(shape=(seq_len, 1), dtype=tf.float32),
                          tf.TensorSpec(shape=(1,), dtype=tf.int64)))


def prepare(dataset: tf.data.Dataset, batch_size: int = 64, shuffle_buffer: int = 1000) -> tf.data.Dataset:
    """Make batches for training.

    Parameters
    ----------
    dataset : tf.data.Dataset
        Unbatched pairs.
    batch_size : int
        Batch size.
    shuffle_buffer : int
        Size of the shuffle buffer.

    Returns
    -------
    tf.data.Dataset
        Shuffled, batched, prefetched pairs.
    """
    dataset = dataset.shuffle(shuffle_buffer)
    dataset = dataset.batch(batch_size, drop_remainder=False)
    return dataset.prefetch(tf.data.AUTOTUNE)
