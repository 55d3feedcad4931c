"""Data paths that ``lstm-course train`` can feed a model with.

The graded API is the seed's per-sample generator (``data.make_dataset``).
It is slow for a simple reason: ``from_generator`` calls back into Python,
under the GIL, once per *sample*, and each call builds two small tensors.
The faster paths keep the generator design but hand ``tf.data`` more work per
Python call: ``batched`` yields a whole batch from one NumPy call (64 samples
per round trip instead of 1), and ``tf-ops`` needs no Python at all.
``lstm-course bench`` measures each one.

Shapes: B batch, T time steps.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Protocol

import numpy as np
import tensorflow as tf


class DataPath(Protocol):
    """A data path: ``(data module, seq_len, num_samples, *, batch_size) -> dataset``.

    Every path returns unbatched pairs, as ``make_dataset`` does, and ``train``
    shuffles, batches and prefetches them with ``prepare``; the paths differ in
    how many pairs one call into Python produces.
    """

    def __call__(self, data: types.ModuleType, seq_len: int, num_samples: int, *,
                 batch_size: int = 64) -> tf.data.Dataset: ...


def per_sample(data: types.ModuleType, seq_len: int, num_samples: int, *,
               batch_size: int = 64) -> tf.data.Dataset:
    """The homework's recipe: ``from_generator`` over the per-sample generator.

    Args:
        data: module, the implementation's ``data`` module.
        seq_len: int, T.
        num_samples: int, pairs in one pass.
        batch_size: int, unused: ``train`` batches this path with ``prepare``.

    Returns:
        The unbatched dataset from ``data.make_dataset``.
    """
    return data.make_dataset(seq_len, num_samples)


# --8<-- [start:integration_batches]
def integration_batches(
    seq_len: int, num_samples: int, batch_size: int = 64, seed: int | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield the integration task a whole batch at a time, each from one NumPy call.

    The same distribution as ``integration_task``: noise from a standard
    normal, target 1 where its sum is positive. The last batch is partial
    when ``batch_size`` does not divide ``num_samples``.

    Args:
        seq_len: int, T.
        num_samples: int, pairs in one pass.
        batch_size: int, B.
        seed: int or None, seed for the random generator.

    Yields:
        ``(noise, target)``: float32 ``(B, T, 1)`` and int32 ``(B, 1)``.
    """
    rng = np.random.default_rng(seed)
    for start in range(0, num_samples, batch_size):
        size = min(batch_size, num_samples - start)
        noise = rng.standard_normal((size, seq_len, 1), dtype=np.float32)  # (B, T, 1)
        # target = 1 if sum_t x_t > 0 else 0
        target = (noise.sum(axis=(1, 2)) > 0).astype(np.int32)[:, np.newaxis]  # (B, 1)
        yield noise, target
# --8<-- [end:integration_batches]


def batched_generator(seq_len: int, num_samples: int, *, batch_size: int = 64,
                      prefetch: bool = True, seed: int | None = None) -> tf.data.Dataset:
    """``from_generator`` over :func:`integration_batches`, prefetched.

    Args:
        seq_len: int, T.
        num_samples: int, pairs in one pass.
        batch_size: int, B.
        prefetch: bool, prefetch batches while the model trains.
        seed: int or None, seed for the noise.

    Returns:
        A dataset of batches ``((B, T, 1) float32, (B, 1) int32)``.
    """
    dataset = tf.data.Dataset.from_generator(
        lambda: integration_batches(seq_len, num_samples, batch_size, seed),
        output_signature=(
            tf.TensorSpec(shape=(None, seq_len, 1), dtype=tf.float32),
            tf.TensorSpec(shape=(None, 1), dtype=tf.int32),
        ),
    )
    return dataset.prefetch(tf.data.AUTOTUNE) if prefetch else dataset


def tf_ops(seq_len: int, num_samples: int, *, batch_size: int = 64,
           prefetch: bool = True, seed: int | None = None) -> tf.data.Dataset:
    """The task drawn by TensorFlow ops inside ``tf.data``: no Python per batch at all.

    Args:
        seq_len: int, T.
        num_samples: int, pairs in one pass.
        batch_size: int, B.
        prefetch: bool, prefetch batches while the model trains.
        seed: int or None, seed for the noise (stateless, per batch).

    Returns:
        A dataset of batches ``((B, T, 1) float32, (B, 1) int32)``.
    """
    sizes = [batch_size] * (num_samples // batch_size) + ([num_samples % batch_size] if num_samples % batch_size else [])
    base = 0 if seed is None else seed

    @tf.autograph.experimental.do_not_convert  # plain Python branching on ``seed``, at trace time
    def draw(index: tf.Tensor, size: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        if seed is None:
            noise = tf.random.normal((size, seq_len, 1))
        else:
            noise = tf.random.stateless_normal((size, seq_len, 1), seed=tf.stack([base, tf.cast(index, tf.int32)]))
        target = tf.cast(tf.reduce_sum(noise, axis=[1, 2])[:, tf.newaxis] > 0, tf.int32)  # (B, 1)
        return noise, target

    dataset = tf.data.Dataset.from_tensor_slices(tf.constant(sizes, tf.int32)).enumerate().map(
        draw, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return dataset.prefetch(tf.data.AUTOTUNE) if prefetch else dataset


def batched(data: types.ModuleType, seq_len: int, num_samples: int, *,
            batch_size: int = 64) -> tf.data.Dataset:
    """A generator that yields whole batches from one NumPy call, through ``from_generator``.

    The batches are split into pairs again by ``unbatch``, inside ``tf.data``
    (no Python per pair), so that the dataset looks like ``make_dataset``'s and
    any ``train`` that batches with ``prepare`` accepts it.

    Args:
        data: module, the implementation's ``data`` module (unused: the
            course draws the batches itself).
        seq_len: int, T.
        num_samples: int, pairs in one pass.
        batch_size: int, B, the pairs drawn per Python call.

    Returns:
        A dataset of pairs ``((T, 1) float32, (1,) int32)``.
    """
    return batched_generator(seq_len, num_samples, batch_size=batch_size, prefetch=False).unbatch()


def tensorflow_ops(data: types.ModuleType, seq_len: int, num_samples: int, *,
                   batch_size: int = 64) -> tf.data.Dataset:
    """Batches drawn by TensorFlow ops in ``tf.data`` (no generator), prefetched.

    Args:
        data: module, the implementation's ``data`` module (unused).
        seq_len: int, T.
        num_samples: int, pairs in one pass.
        batch_size: int, B.

    Returns:
        A dataset of pairs ``((T, 1) float32, (1,) int32)``, unbatched like :func:`batched`'s.
    """
    return tf_ops(seq_len, num_samples, batch_size=batch_size, prefetch=False).unbatch()


#: Every data path by name, as ``lstm-course train --data NAME`` offers them.
DATA_PATHS: dict[str, DataPath] = {"per-sample": per_sample, "batched": batched, "tf-ops": tensorflow_ops}
