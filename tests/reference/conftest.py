"""Fixtures for the reference-solution tests: the implementation under test and Keras oracles."""

from __future__ import annotations

import numpy as np
import pytest

from course.impl import Implementation, load


@pytest.fixture(scope="session")
def ref() -> Implementation:
    """The reference solution, imported from ``solutions/``."""
    return load("solutions")


def copy_keras_cell_weights(keras_cell, cell) -> None:
    """Copy a built ``keras.layers.LSTMCell``'s weights into our cell's four Dense gates.

    Keras stores ``kernel`` (D, 4H), ``recurrent_kernel`` (H, 4H) and ``bias`` (4H,),
    gates in the order i, f, c, o. Our gate g sees ``[x, h]``, so its kernel is
    ``[kernel_g; recurrent_kernel_g]`` of shape (D + H, H).

    Args:
        keras_cell: a built ``keras.layers.LSTMCell``.
        cell: our built ``LSTMCell``.
    """
    units = cell.units
    kernel = keras_cell.kernel.numpy()
    recurrent = keras_cell.recurrent_kernel.numpy()
    bias = keras_cell.bias.numpy()
    gates = (cell.input_gate, cell.forget_gate, cell.cell_candidate, cell.output_gate)
    for k, gate in enumerate(gates):
        cols = slice(k * units, (k + 1) * units)
        gate.kernel.assign(np.concatenate([kernel[:, cols], recurrent[:, cols]], axis=0))
        gate.bias.assign(bias[cols])
