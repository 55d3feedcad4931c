"""Data pipeline, Sphinx-style docstrings."""

from __future__ import annotations

import typing

import numpy as np
import tensorflow as tf

SEQ_LEN: int = 25
NUM_SAMPLES: int = 80_000


def integration_task(seq_len: int, num_samples: int) -> typing.Generator[tuple[np.ndarray, np.ndarray], None, None]:
    """Noise and the sign of its integral.

    :param seq_len: number of steps in each sequence
    :param num_samples: number of sequences
    :return: a generator of (noise, target) pairs
    """
    count = 0
    while count < num_samples:
        noise = np.random.normal(loc=0.0, scale=1.0, size=(seq_len, 1)).astype(np.float32)
        target = (noise.sum(keepdims=True).reshape(1) > 0).astype(np.int32)
        yield noise, target
        count += 1


def my_integration_task() -> typing.Generator[tuple[np.ndarray, np.ndarray], None, None]:
    """The generator with the default sizes.

    :return: a generator of (noise, target) pairs
    """
    return integration_task(SEQ_LEN, NUM_SAMPLES)


def make_dataset(seq_len: int = SEQ_LEN, num_samples: int = NUM_SAMPLES) -> tf.data.Dataset:
    """A dataset over the generator.

    :param seq_len: number of steps in each sequence
    :param num_samples: number of sequences per pass
    :return: the unbatched dataset
    """
    return tf.data.Dataset.from_generator(
        integration_task, args=(seq_len, num_samples),
        output_signature=(tf.TensorSpec((seq_len, 1), tf.float32), tf.TensorSpec((1,), tf.int32)))


def prepare(dataset: tf.data.Dataset, batch_size: int = 64, shuffle_buffer: int = 1000) -> tf.data.Dataset:
    """Shuffle pairs, batch them, prefetch.

    :param dataset: the unbatched dataset
    :param batch_size: pairs per batch
    :param shuffle_buffer: elements held by the shuffle buffer
    :return: the batched dataset
    """
    return dataset.shuffle(shuffle_buffer).batch(batch_size).prefetch(tf.data.experimental.AUTOTUNE)
