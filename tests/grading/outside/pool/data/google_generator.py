"""Data for the integration task (written from docs/data.md, Google-style docstrings)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import tensorflow as tf

SEQ_LEN: int = 25
NUM_SAMPLES: int = 80_000


def integration_task(seq_len: int, num_samples: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield noise sequences and whether their sum is positive.

    Args:
        seq_len: int, time steps per sequence.
        num_samples: int, number of pairs to yield.

    Yields:
        (noise (seq_len, 1) float32, target (1,) int32).
    """
    rng = np.random.default_rng()
    for _ in range(num_samples):
        noise = rng.normal(size=(seq_len, 1)).astype(np.float32)
        yield noise, np.array([int(noise.sum() > 0)], dtype=np.int32)


def my_integration_task() -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield pairs with the module's SEQ_LEN and NUM_SAMPLES (for from_generator).

    Yields:
        The pairs of integration_task.
    """
    yield from integration_task(SEQ_LEN, NUM_SAMPLES)


def make_dataset(seq_len: int = SEQ_LEN, num_samples: int = NUM_SAMPLES) -> tf.data.Dataset:
    """Stream the generator through tf.data.

    Args:
        seq_len: int, time steps per sequence.
        num_samples: int, pairs per pass.

    Returns:
        tf.data.Dataset of unbatched pairs.
    """
    signature = (tf.TensorSpec((seq_len, 1), tf.float32), tf.TensorSpec((1,), tf.int32))
    return tf.data.Dataset.from_generator(lambda: integration_task(seq_len, num_samples),
                                          output_signature=signature)


def prepare(dataset: tf.data.Dataset, batch_size: int = 64, shuffle_buffer: int = 1000) -> tf.data.Dataset:
    """Shuffle, batch and prefetch.

    Args:
        dataset: tf.data.Dataset of pairs.
        batch_size: int, pairs per batch.
        shuffle_buffer: int, shuffle buffer size.

    Returns:
        tf.data.Dataset of batches.
    """
    shuffled = dataset.shuffle(buffer_size=shuffle_buffer)
    return shuffled.batch(batch_size).prefetch(buffer_size=tf.data.AUTOTUNE)
