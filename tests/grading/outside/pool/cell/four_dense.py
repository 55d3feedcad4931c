"""LSTM cell: four Dense gates called one by one (docs/gates.md)."""

from __future__ import annotations

import keras
import tensorflow as tf


class LSTMCell(keras.layers.Layer):
    """One LSTM step with a Dense layer per gate.

    Args:
        units: int, size of the hidden and cell state.
        **kwargs: forwarded to keras.layers.Layer.
    """

    def __init__(self, units: int, **kwargs) -> None:
        """Create the gates.

        Args:
            units: int, size of the hidden and cell state.
            **kwargs: forwarded to keras.layers.Layer.
        """
        super().__init__(**kwargs)
        self.units = units
        self.input_gate = keras.layers.Dense(units, activation="sigmoid", name="input_gate")
        self.forget_gate = keras.layers.Dense(units, activation="sigmoid", bias_initializer="ones",
                                              name="forget_gate")
        self.cell_candidate = keras.layers.Dense(units, activation="tanh", name="cell_candidate")
        self.output_gate = keras.layers.Dense(units, activation="sigmoid", name="output_gate")

    def build(self, input_shape: tuple) -> None:
        """Build every gate for inputs [x, h].

        Args:
            input_shape: tuple, (batch, features).
        """
        for gate in (self.input_gate, self.forget_gate, self.cell_candidate, self.output_gate):
            gate.build((None, input_shape[-1] + self.units))
        super().build(input_shape)

    def call(self, x: tf.Tensor, states: tuple[tf.Tensor, tf.Tensor]) -> tuple[tf.Tensor, tf.Tensor]:
        """Advance one step.

        Args:
            x: tf.Tensor (batch, features), the input now.
            states: (h, c), the previous hidden and cell states.

        Returns:
            The new (h, c).
        """
        h, c = states
        xh = tf.concat([x, h], axis=1)
        i = self.input_gate(xh)
        f = self.forget_gate(xh)
        g = self.cell_candidate(xh)
        o = self.output_gate(xh)
        c_new = f * c + i * g
        h_new = o * tf.tanh(c_new)
        return h_new, c_new
