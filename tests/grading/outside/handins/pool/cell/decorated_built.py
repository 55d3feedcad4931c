"""An LSTM cell whose call is a tf.function "for speed"; its gates are built in build()."""

from __future__ import annotations

import keras
import tensorflow as tf


class LSTMCell(keras.layers.Layer):
    """LSTM cell with a compiled step.

    Args:
        units: int, state size.
        **kwargs: keras.layers.Layer arguments.
    """

    def __init__(self, units: int, **kwargs) -> None:
        """Create the gates.

        Args:
            units: int, state size.
            **kwargs: keras.layers.Layer arguments.
        """
        super().__init__(**kwargs)
        self.units = units
        self.input_gate = keras.layers.Dense(units, name="input_gate")
        self.forget_gate = keras.layers.Dense(units, bias_initializer="ones", name="forget_gate")
        self.cell_candidate = keras.layers.Dense(units, name="cell_candidate")
        self.output_gate = keras.layers.Dense(units, name="output_gate")

    def build(self, input_shape: tuple) -> None:
        """Create every weight before the first trace.

        Args:
            input_shape: tuple, (batch, features).
        """
        for gate in (self.input_gate, self.forget_gate, self.cell_candidate, self.output_gate):
            gate.build((None, input_shape[-1] + self.units))
        super().build(input_shape)

    @tf.function
    def call(self, x: tf.Tensor, states: tuple[tf.Tensor, tf.Tensor]) -> tuple[tf.Tensor, tf.Tensor]:
        """One step.

        Args:
            x: tf.Tensor (batch, features).
            states: (hidden_state, cell_state).

        Returns:
            The new (hidden_state, cell_state).
        """
        hidden_state, cell_state = states
        inputs = tf.concat([x, hidden_state], axis=-1)
        i = tf.sigmoid(self.input_gate(inputs))
        f = tf.sigmoid(self.forget_gate(inputs))
        g = tf.tanh(self.cell_candidate(inputs))
        o = tf.sigmoid(self.output_gate(inputs))
        cell_state = f * cell_state + i * g
        hidden_state = o * tf.tanh(cell_state)
        return hidden_state, cell_state
