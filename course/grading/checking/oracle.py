"""The trusted parent's oracle: Keras' own LSTM, with the weights the parent chose.

Runs in the parent, never in a child, and needs no reference solution.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

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


@functools.lru_cache(maxsize=16)
def keras_references(part: str, seed: int) -> dict[str, Any]:
    """Keras' references for the inputs of ``part`` drawn from ``seed``, computed once per process.

    The inputs are a function of the part and the seed (:func:`make_inputs`), so a process
    that grades many submissions with one seed (the mutant and outside corpora, a batch
    worker's tests, ``grade --seed``) asks Keras once; a batch parent asks it for every
    submission's seed and hands the answers to the worker (:func:`save_references`). The
    arrays are read-only, since every grading that hits the cache shares them. The cache
    lives only in this trusted process: on disk, a submission graded without a sandbox could
    rewrite the answers it is judged by.

    Args:
        part: str, ``cell`` or ``layer``.
        seed: int.

    Returns:
        dict of name to read-only array (:func:`keras_cell_steps`, :func:`layer_references`).
    """
    from course.grading.checking.inputs import make_inputs

    arrays = make_inputs(part, seed).arrays
    made = keras_cell_steps(arrays) if part == "cell" else layer_references(arrays)
    for value in made.values():
        value.flags.writeable = False
    return made


def save_references(path: Path, parts: Iterable[str], seed: int) -> None:
    """Write Keras' references for the Keras-compared ``parts`` at ``seed`` into one ``.npz``.

    The batch parent (trusted, TensorFlow loaded once) writes it into the scratch folder of
    the worker that grades one submission; no student code can see that folder.

    Args:
        path: Path, the ``.npz`` to write.
        parts: the run parts graded.
        seed: int, the seed of the submission's inputs.
    """
    arrays = {f"{part}/{name}": value for part in ("cell", "layer") if part in set(parts)
              for name, value in keras_references(part, seed).items()}
    np.savez(path, **arrays)


def load_references(path: Path) -> dict[str, dict[str, Any]]:
    """Read what :func:`save_references` wrote.

    Args:
        path: Path, the ``.npz``.

    Returns:
        dict of part to dict of name to read-only array.
    """
    made: dict[str, dict[str, Any]] = {}
    with np.load(path, allow_pickle=False) as stored:
        for key in stored.files:
            part, name = key.split("/", 1)
            value = stored[key]
            value.flags.writeable = False
            made.setdefault(part, {})[name] = value
    return made
