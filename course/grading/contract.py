"""Grader-owned stand-ins for the parts a check does not test, built on Keras' own LSTM.

A check's points must not depend on another part being right: the layer's checks run
the student's ``LSTM`` on :class:`ContractCell`, the model's checks run the student's
``IntegrationModel`` on :class:`ContractCell` and :class:`ContractLSTM`, and the
training checks run the student's ``train`` on :class:`GraderModel` with a grader-owned
``prepare``. The stand-ins keep the contract's interface (``units``, ``call(x, (h, c))``,
``zero_states``) and wrap ``keras.layers.LSTMCell`` and ``keras.layers.RNN``, so they
reveal nothing of the exercises' answers. They are given the *original* Keras classes
(from :attr:`course.grading.guard.RuntimeGuard.originals`), which the runtime guard does
not record.
"""

from __future__ import annotations

import types
from typing import Any

import keras
import numpy as np
import tensorflow as tf

#: The original Keras classes; set by :func:`use_originals` before any stand-in is made.
_ORIGINALS: dict[str, Any] = {}


def use_originals(originals: dict[str, Any]) -> None:
    """Give the stand-ins the untouched Keras classes.

    Args:
        originals: dict of class name to class, from the runtime guard.
    """
    _ORIGINALS.update(originals)


def _keras(name: str) -> Any:
    """Return an original Keras class by name (the public one when no guard is installed).

    Args:
        name: str, e.g. ``"LSTMCell"``.

    Returns:
        The class.
    """
    return _ORIGINALS.get(name) or getattr(keras.layers, name)


class ContractCell(keras.layers.Layer):
    """The contract's cell, ``call(x, (h, c)) -> (h, c)``, computed by ``keras.layers.LSTMCell``.

    Args:
        units: int, H.
        **kwargs: passed on to ``keras.layers.Layer``.
    """

    def __init__(self, units: int, **kwargs: Any) -> None:
        """Create the wrapped Keras cell.

        Args:
            units: int, H.
            **kwargs: passed on to ``keras.layers.Layer``.
        """
        super().__init__(**kwargs)
        self.units = units
        self.keras_cell = _keras("LSTMCell")(units, name="keras_lstm_cell")

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        """Build the Keras cell for inputs of shape ``(B, D)`` (idempotent).

        Args:
            input_shape: tuple, ``(B, D)``.
        """
        if not self.keras_cell.built:
            self.keras_cell.build(tuple(input_shape))
        self.built = True

    def set_keras_weights(self, kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray) -> None:
        """Copy weights in Keras' layout (gate order i, f, c, o).

        Args:
            kernel: array ``(D, 4H)``.
            recurrent_kernel: array ``(H, 4H)``.
            bias: array ``(4H,)``.
        """
        self.build((None, kernel.shape[0]))
        self.keras_cell.set_weights([kernel, recurrent_kernel, bias])

    def call(self, x: tf.Tensor, states: tuple[tf.Tensor, tf.Tensor]) -> tuple[tf.Tensor, tf.Tensor]:
        """Advance one step.

        Args:
            x: tf.Tensor ``(B, D)``.
            states: pair ``(hidden_state, cell_state)``, each ``(B, H)``.

        Returns:
            The new ``(hidden_state, cell_state)``.
        """
        hidden_state, (_, cell_state) = self.keras_cell(x, [states[0], states[1]])
        return hidden_state, cell_state


class ContractLSTM(keras.layers.Layer):
    """The contract's layer, ``LSTM(cell)``, run by ``keras.layers.RNN`` over the cell's Keras cell.

    Args:
        cell: ContractCell, or a list of them for a stacked LSTM.
        **kwargs: passed on to ``keras.layers.Layer``.

    Attributes:
        calls: int, class-wide count of forward calls (the model checks use it).
    """

    calls = 0

    def __init__(self, cell: ContractCell | list[ContractCell], **kwargs: Any) -> None:
        """Wrap the cell(s) in a Keras RNN that returns every step.

        Args:
            cell: ContractCell or list of ContractCell.
            **kwargs: passed on to ``keras.layers.Layer``.
        """
        super().__init__(**kwargs)
        self.cell = cell
        cells = list(cell) if isinstance(cell, (list, tuple)) else [cell]
        inner = [c.keras_cell for c in cells]
        keras_cell = inner[0] if len(inner) == 1 else _keras("StackedRNNCells")(inner)
        self.rnn = _keras("RNN")(keras_cell, return_sequences=True)
        self.units = cells[-1].units
        self._first_units = cells[0].units

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        """Build the wrapped RNN for inputs ``(B, T, D)``.

        Args:
            input_shape: tuple.
        """
        if not self.rnn.built:
            self.rnn.build(tuple(input_shape))
        self.built = True

    def zero_states(self, batch_size: int) -> tuple[tf.Tensor, tf.Tensor]:
        """Return zero ``(hidden_state, cell_state)``, each ``(batch_size, H)``.

        Args:
            batch_size: int, B.

        Returns:
            The pair of zero tensors.
        """
        zeros = tf.zeros((batch_size, self._first_units))
        return zeros, zeros

    def call(self, x: tf.Tensor, states: tuple[tf.Tensor, tf.Tensor] | None = None) -> tf.Tensor:
        """Return the hidden state of every step, ``(B, T, H)``.

        Args:
            x: tf.Tensor ``(B, T, D)``.
            states: optional initial ``(hidden_state, cell_state)``.

        Returns:
            tf.Tensor ``(B, T, H)``.
        """
        type(self).calls += 1
        if states is None:
            return self.rnn(x)
        return self.rnn(x, initial_state=[states[0], states[1]])


class GraderModel(keras.Model):
    """The model the training checks hand to the student's ``train``: read-in, LSTM, read-out.

    Args:
        units: int, H.
        **kwargs: passed on to ``keras.Model``.
    """

    def __init__(self, units: int = 32, **kwargs: Any) -> None:
        """Create the layers.

        Args:
            units: int, H.
            **kwargs: passed on to ``keras.Model``.
        """
        super().__init__(**kwargs)
        self.read_in = keras.layers.Dense(units, name="read_in")
        self.lstm = ContractLSTM(ContractCell(units), name="lstm")
        self.read_out = keras.layers.Dense(1, activation="sigmoid", name="read_out")

    def call(self, x: tf.Tensor) -> tf.Tensor:
        """Map noise ``(B, T, 1)`` to probabilities ``(B, T, 1)``.

        Args:
            x: tf.Tensor ``(B, T, 1)``.

        Returns:
            tf.Tensor ``(B, T, 1)``.
        """
        return self.read_out(self.lstm(self.read_in(x)))


def prepare(dataset: tf.data.Dataset, batch_size: int = 64, shuffle_buffer: int = 1000) -> tf.data.Dataset:
    """The grader's ``prepare``, given to the student's ``train``.

    Args:
        dataset: tf.data.Dataset of single pairs.
        batch_size: int, B.
        shuffle_buffer: int, shuffle buffer size.

    Returns:
        The shuffled, batched, prefetched dataset.
    """
    return dataset.shuffle(shuffle_buffer).batch(batch_size).prefetch(tf.data.AUTOTUNE)


def module(name: str, fallback: types.ModuleType | None = None, **attributes: Any) -> types.ModuleType:
    """Make a stand-in module; names it lacks are looked up in ``fallback``.

    Args:
        name: str, the module's full name (e.g. ``submission.cell``).
        fallback: the student's own module, or None.
        **attributes: the module's contents.

    Returns:
        The module.
    """
    stand_in = types.ModuleType(name, "grader-owned stand-in")
    stand_in.__dict__.update(attributes)
    if fallback is not None:
        def __getattr__(attribute: str) -> Any:
            return getattr(fallback, attribute)

        stand_in.__getattr__ = __getattr__  # type: ignore[attr-defined]
    return stand_in
