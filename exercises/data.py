"""The integration task: Gaussian noise in, the sign of its integral out.

Worked example (``seq_len = 5``)::

    noise        [ 0.3, -1.2,  0.4,  0.9, -0.1]
    running sum  [ 0.3, -0.9, -0.5,  0.4,  0.3]
    target       1            (the final sum, 0.3, is > 0)

The network sees the noise one step at a time and must say, after the last
step, whether the total is positive. Training is many-to-one: only the
label of the whole sequence counts.

The threshold is 0: the task is the sign of the integral. (The 2021 seed
text says "greater or smaller than 1" in one place and "compare it to 0" in
another; only 0 makes the two classes equally likely.)
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import tensorflow as tf

SEQ_LEN: int = 25
NUM_SAMPLES: int = 80_000


def integration_task(
    seq_len: int, num_samples: int, seed: int | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``num_samples`` noise sequences and the sign of their integral.

    Args:
        seq_len: int, number of time steps T in each sequence.
        num_samples: int, how many ``(noise, target)`` pairs to yield.
        seed: int or None, seed for the random generator; ``None`` draws
            fresh noise every time.

    Yields:
        A pair ``(noise, target)``: ``noise`` is float32 of shape
        ``(seq_len, 1)`` drawn from a standard normal; ``target`` is int32 of
        shape ``(1,)``, ``1`` where ``noise.sum() > 0`` and ``0`` otherwise.

    Example:
        >>> noise, target = next(integration_task(seq_len=3, num_samples=1))
        >>> noise.shape, target.shape, target.dtype
        ((3, 1), (1,), dtype('int32'))
    """
    # TODO: draw standard-normal noise and yield it with the sign of its sum (see the chapter "Generators and tf.data", docs/data.md)
    raise NotImplementedError('integration_task: draw standard-normal noise and yield it with the sign of its sum')


def my_integration_task() -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield from :func:`integration_task` with the module's settings.

    ``tf.data.Dataset.from_generator`` wants a callable that takes no
    arguments, so this wrapper fixes ``SEQ_LEN`` and ``NUM_SAMPLES``.

    Yields:
        ``(noise, target)`` pairs, as :func:`integration_task` does.
    """
    # TODO: yield from integration_task(SEQ_LEN, NUM_SAMPLES) (see the chapter "Generators and tf.data", docs/data.md)
    raise NotImplementedError('my_integration_task: yield from integration_task(SEQ_LEN, NUM_SAMPLES)')


def make_dataset(
    seq_len: int = SEQ_LEN, num_samples: int = NUM_SAMPLES, seed: int | None = None
) -> tf.data.Dataset:
    """Wrap the generator in a ``tf.data.Dataset``.

    Args:
        seq_len: int, number of time steps T in each sequence.
        num_samples: int, number of pairs in one pass over the dataset.
        seed: int or None, passed to :func:`integration_task`; with a seed,
            every pass yields the same pairs.

    Returns:
        An unbatched dataset of ``(noise, target)`` pairs with element spec
        ``((seq_len, 1) float32, (1,) int32)``.
    """
    # TODO: build the dataset with from_generator and an output_signature (see the chapter "Generators and tf.data", docs/data.md)
    raise NotImplementedError('make_dataset: build the dataset with from_generator and an output_signature')


def prepare(
    dataset: tf.data.Dataset, batch_size: int = 64, shuffle_buffer: int = 1000
) -> tf.data.Dataset:
    """Shuffle, batch and prefetch a dataset of ``(noise, target)`` pairs.

    Args:
        dataset: tf.data.Dataset, unbatched pairs as made by :func:`make_dataset`.
        batch_size: int, number of pairs in each batch; the last, partial
            batch is kept.
        shuffle_buffer: int, size of the shuffle buffer.

    Returns:
        A dataset of batches ``((B, T, 1) float32, (B, 1) int)`` that
        prefetches the next batches while the model trains on this one.
    """
    # TODO: shuffle, then batch, then prefetch (see the chapter "Generators and tf.data", docs/data.md)
    raise NotImplementedError('prepare: shuffle, then batch, then prefetch')
