"""Data paths that ``lstm-course train`` can feed a model with.

The graded API is the seed's per-sample generator (``data.make_dataset``).
Faster paths keep the generator design but hand ``tf.data`` more work per
Python call; each is named so the command can say which one it used.
"""

from __future__ import annotations

import types
from collections.abc import Callable

import tensorflow as tf

#: A data path: ``(implementation's data module, seq_len, num_samples) -> dataset``.
DataPath = Callable[[types.ModuleType, int, int], tf.data.Dataset]


def per_sample(data: types.ModuleType, seq_len: int, num_samples: int) -> tf.data.Dataset:
    """The homework's recipe: ``from_generator`` over the per-sample generator.

    Args:
        data: module, the implementation's ``data`` module.
        seq_len: int, T.
        num_samples: int, pairs in one pass.

    Returns:
        The unbatched dataset from ``data.make_dataset``.
    """
    return data.make_dataset(seq_len, num_samples)


#: Every data path by name; the first is the default.
DATA_PATHS: dict[str, DataPath] = {"per-sample": per_sample}
