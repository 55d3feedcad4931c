"""The fast data path of the experiments: one NumPy draw per seed, then ``tf.data`` from tensors.

The homework's ``from_generator`` over a per-sample generator delivers about
8 k samples/s on two cores (NOTES.md), slower than the LSTM trains. The
experiments need the same distribution many times over, so they draw every
sequence of a run in one NumPy call and slice it into batches.

The labels are not stored: the training step computes them from the noise
(the running sum's sign), so classification and regression see the same data.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

#: Streams of one seed's generator: training and held-out data never overlap.
TRAIN_STREAM, VAL_STREAM = 0, 1


def noise(seed: int, seq_len: int, num_samples: int, stream: int = TRAIN_STREAM) -> np.ndarray:
    """Draw standard-normal noise sequences, reproducibly.

    Args:
        seed: int, the experiment's seed.
        seq_len: int, T, time steps per sequence.
        num_samples: int, N, how many sequences.
        stream: int, ``TRAIN_STREAM`` or ``VAL_STREAM``; the same seed gives
            independent training and held-out sets.

    Returns:
        float32 array of shape ``(N, T, 1)``.
    """
    rng = np.random.default_rng([seed, seq_len, stream])
    return rng.standard_normal((num_samples, seq_len, 1), dtype=np.float32)


def batches(x: np.ndarray, batch_size: int) -> tf.data.Dataset:
    """Slice an in-memory array into batches of sequences.

    The sequences are i.i.d. and every one is used once, so there is nothing
    to shuffle.

    Args:
        x: float32 array ``(N, T, 1)`` of noise.
        batch_size: int, B.

    Returns:
        A dataset of ``(B, T, 1)`` float32 batches (the last one may be smaller).
    """
    return tf.data.Dataset.from_tensor_slices(x).batch(batch_size).prefetch(tf.data.AUTOTUNE)


def running_sum(x: tf.Tensor) -> tf.Tensor:
    """The integral so far at every step.

    Args:
        x: tf.Tensor ``(B, T, 1)`` of noise.

    Returns:
        tf.Tensor ``(B, T, 1)``: ``S_t = x_1 + ... + x_t``.
    """
    return tf.cumsum(x, axis=1)


def sign_label(x: tf.Tensor) -> tf.Tensor:
    """The homework's label at every step: 1 where the running sum is positive.

    Args:
        x: tf.Tensor ``(B, T, 1)`` of noise.

    Returns:
        float32 tf.Tensor ``(B, T, 1)`` of 0s and 1s; its last step is the
        homework's target.
    """
    return tf.cast(running_sum(x) > 0, tf.float32)
