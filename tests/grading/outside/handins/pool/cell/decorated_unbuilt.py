"""A 2021 hand-in's cell: tf.function on call, Dense gates made in __init__ and no build()."""

from __future__ import annotations

import tensorflow as tf


class LSTMCell(tf.keras.layers.Layer):
    """LSTM cell.

    Args:
        units: int, state size.
        **kwargs: keras Layer arguments.
    """

    def __init__(self, units: int, **kwargs) -> None:
        """Create the gates.

        Args:
            units: int, state size.
            **kwargs: keras Layer arguments.
        """
        super().__init__(**kwargs)
        self.units = units
        self.input_gate = tf.keras.layers.Dense(units, activation="sigmoid", name="input_gate")
        self.forget_gate = tf.keras.layers.Dense(units, activation="sigmoid", bias_initializer="ones",
                                                 name="forget_gate")
        self.cell_candidate = tf.keras.layers.Dense(units, activation="tanh", name="cell_candidate")
        self.output_gate = tf.keras.layers.Dense(units, activation="sigmoid", name="output_gate")

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
        concat = tf.concat([x, hidden_state], axis=-1)
        cell_state = self.forget_gate(concat) * cell_state + self.input_gate(concat) * self.cell_candidate(concat)
        hidden_state = self.output_gate(concat) * tf.math.tanh(cell_state)
        return hidden_state, cell_state
