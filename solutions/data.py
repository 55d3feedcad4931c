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


# --8<-- [start:integration_task]
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
    # BEGIN SOLUTION: draw standard-normal noise and yield it with the sign of its sum
    rng = np.random.default_rng(seed)
    for _ in range(num_samples):
        noise = rng.standard_normal(seq_len).astype(np.float32)  # (T,)
        # target = 1 if sum_t x_t > 0 else 0, as an integer (not bool) label
        target = np.array([noise.sum() > 0], dtype=np.int32)  # (1,)
        # (T,) -> (T, 1): one feature per time step
        yield np.expand_dims(noise, -1), target
    # END SOLUTION
# --8<-- [end:integration_task]


# --8<-- [start:my_integration_task]
def my_integration_task() -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield from :func:`integration_task` with the module's settings.

    ``tf.data.Dataset.from_generator`` wants a callable that takes no
    arguments, so this wrapper fixes ``SEQ_LEN`` and ``NUM_SAMPLES``.

    Yields:
        ``(noise, target)`` pairs, as :func:`integration_task` does.
    """
    # BEGIN SOLUTION: yield from integration_task(SEQ_LEN, NUM_SAMPLES)
    yield from integration_task(SEQ_LEN, NUM_SAMPLES)
    # END SOLUTION
# --8<-- [end:my_integration_task]


# --8<-- [start:make_dataset]
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
    # BEGIN SOLUTION: build the dataset with from_generator and an output_signature
    return tf.data.Dataset.from_generator(
        lambda: integration_task(seq_len, num_samples, seed=seed),
        output_signature=(
            tf.TensorSpec(shape=(seq_len, 1), dtype=tf.float32),
            tf.TensorSpec(shape=(1,), dtype=tf.int32),
        ),
    )
    # END SOLUTION
# --8<-- [end:make_dataset]


# --8<-- [start:prepare]
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
    # BEGIN SOLUTION: shuffle, then batch, then prefetch
    return (
        dataset.shuffle(shuffle_buffer)
        .batch(batch_size)  # drop_remainder=False keeps the partial last batch
        .prefetch(tf.data.AUTOTUNE)
    )
    # END SOLUTION
# --8<-- [end:prepare]
