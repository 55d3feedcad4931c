"""The trusted parent's oracle: Keras' own LSTM, with the weights the parent chose.

Runs in the parent, never in a child, and needs no reference solution.
"""

from __future__ import annotations

import os

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def keras_cell_steps(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Two steps of ``keras.layers.LSTMCell`` from ``(h0, c0)``, on ``x1`` then ``x2``.

    Args:
        arrays: the cell part's inputs.

    Returns:
        dict with ``h1``, ``c1``, ``h2``, ``c2``.
    """
    import keras

    units = arrays["recurrent"].shape[0]
    cell = keras.layers.LSTMCell(units)
    cell.build((None, arrays["kernel"].shape[0]))
    cell.set_weights([arrays["kernel"], arrays["recurrent"], arrays["bias"]])
    h1, (_, c1) = cell(arrays["x1"], [arrays["h0"], arrays["c0"]])
    h2, (_, c2) = cell(arrays["x2"], [h1, c1])
    return {k: np.asarray(v, np.float64) for k, v in {"h1": h1, "c1": c1, "h2": h2, "c2": c2}.items()}


def keras_lstm(arrays: dict[str, np.ndarray], x: np.ndarray, states: tuple[np.ndarray, np.ndarray] | None = None
               ) -> np.ndarray:
    """Run ``keras.layers.LSTM(return_sequences=True)`` with the part's weights.

    Args:
        arrays: dict with ``kernel``, ``recurrent``, ``bias``.
        x: array ``(B, T, D)``.
        states: optional initial ``(h0, c0)``.

    Returns:
        array ``(B, T, H)``, float64.
    """
    import keras

    units = arrays["recurrent"].shape[0]
    layer = keras.layers.LSTM(units, return_sequences=True)
    layer.build((None, None, x.shape[-1]))
    layer.set_weights([arrays["kernel"], arrays["recurrent"], arrays["bias"]])
    out = layer(x) if states is None else layer(x, initial_state=list(states))
    return np.asarray(out, np.float64)


def layer_references(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every output the layer part's checks compare with.

    Args:
        arrays: the layer part's inputs.

    Returns:
        dict with ``zero``, ``states``, ``t2``, ``t200``.
    """
    return {
        "zero": keras_lstm(arrays, arrays["x"]),
        "states": keras_lstm(arrays, arrays["x"], (arrays["h0"], arrays["c0"])),
        "t2": keras_lstm(arrays, arrays["x_t2"]),
        "t200": keras_lstm(arrays, arrays["x_t200"]),
    }
