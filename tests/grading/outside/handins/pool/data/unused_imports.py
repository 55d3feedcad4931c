"""Data for the integration task, from a notebook that imported everything it might need."""

from __future__ import annotations

from typing import Iterator

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import scipy.integrate
import tensorflow as tf
import tensorflow_datasets as tfds
from tqdm import tqdm

SEQ_LEN: int = 25
NUM_SAMPLES: int = 80_000


def integration_task(seq_len: int, num_samples: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Generate noise and the sign of its integral.

    Args:
        seq_len: int, length of each noise sequence.
        num_samples: int, how many sequences.

    Yields:
        noise (seq_len, 1) float32 and target (1,) int32.
    """
    for _ in range(num_samples):
        noise = np.random.randn(seq_len, 1).astype(np.float32)
        target = np.array([1 if np.sum(noise) > 0 else 0], dtype=np.int32)
        yield noise, target


def my_integration_task() -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The task with the default sizes, for from_generator (which wants no arguments).

    Yields:
        Pairs of integration_task(SEQ_LEN, NUM_SAMPLES).
    """
    for pair in integration_task(SEQ_LEN, NUM_SAMPLES):
        yield pair


def make_dataset(seq_len: int = SEQ_LEN, num_samples: int = NUM_SAMPLES) -> tf.data.Dataset:
    """Make a tf.data.Dataset from the generator.

    Args:
        seq_len: int, length of each noise sequence.
        num_samples: int, how many sequences.

    Returns:
        The dataset of (noise, target) pairs.
    """
    return tf.data.Dataset.from_generator(
        lambda: integration_task(seq_len, num_samples),
        output_signature=(tf.TensorSpec(shape=(seq_len, 1), dtype=tf.float32),
                          tf.TensorSpec(shape=(1,), dtype=tf.int32)))


def prepare(dataset: tf.data.Dataset, batch_size: int = 64, shuffle_buffer: int = 1000) -> tf.data.Dataset:
    """Shuffle, batch, prefetch.

    Args:
        dataset: tf.data.Dataset, the pairs.
        batch_size: int, batch size.
        shuffle_buffer: int, shuffle buffer size.

    Returns:
        The prepared dataset.
    """
    dataset = dataset.shuffle(shuffle_buffer)
    dataset = dataset.batch(batch_size)
    return dataset.prefetch(tf.data.AUTOTUNE)
