"""Data for the integration task from a hand-in that set up tensorflow_datasets at import time."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds

tfds.disable_progress_bar()

SEQ_LEN: int = 25
NUM_SAMPLES: int = 80_000


def integration_task(seq_len: int, num_samples: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (noise, target) pairs.

    Args:
        seq_len: int, time steps.
        num_samples: int, pairs.

    Yields:
        noise (seq_len, 1) float32, target (1,) int32.
    """
    for _ in range(num_samples):
        noise = np.random.standard_normal((seq_len, 1)).astype(np.float32)
        yield noise, np.array([noise.sum() > 0], dtype=np.int32)


def my_integration_task() -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Pairs of the default size.

    Yields:
        integration_task(SEQ_LEN, NUM_SAMPLES)'s pairs.
    """
    yield from integration_task(SEQ_LEN, NUM_SAMPLES)


def make_dataset(seq_len: int = SEQ_LEN, num_samples: int = NUM_SAMPLES) -> tf.data.Dataset:
    """The generator as a dataset.

    Args:
        seq_len: int, time steps.
        num_samples: int, pairs.

    Returns:
        tf.data.Dataset.
    """
    spec = (tf.TensorSpec((seq_len, 1), tf.float32), tf.TensorSpec((1,), tf.int32))
    return tf.data.Dataset.from_generator(lambda: integration_task(seq_len, num_samples), output_signature=spec)


def prepare(dataset: tf.data.Dataset, batch_size: int = 64, shuffle_buffer: int = 1000) -> tf.data.Dataset:
    """Shuffle, batch, prefetch.

    Args:
        dataset: tf.data.Dataset, pairs.
        batch_size: int, batch size.
        shuffle_buffer: int, buffer.

    Returns:
        tf.data.Dataset of batches.
    """
    return dataset.shuffle(shuffle_buffer).batch(batch_size).prefetch(tf.data.AUTOTUNE)
