"""An LSTM cell written from colah's "Understanding LSTM Networks": gates on [h_{t-1}, x_t]."""

from __future__ import annotations

import keras
import tensorflow as tf


class LSTMCell(keras.layers.Layer):
    """LSTM cell, following colah's blog: every gate looks at [h_{t-1}, x_t].

    Args:
        units: int, number of hidden units.
        **kwargs: other Layer arguments.
    """

    def __init__(self, units: int, **kwargs) -> None:
        """Make one Dense layer per gate.

        Args:
            units: int, number of hidden units.
            **kwargs: other Layer arguments.
        """
        super().__init__(**kwargs)
        self.units = units
        self.input_gate = keras.layers.Dense(units, activation="sigmoid")
        self.forget_gate = keras.layers.Dense(units, activation="sigmoid", bias_initializer="ones")
        self.cell_candidate = keras.layers.Dense(units, activation="tanh")
        self.output_gate = keras.layers.Dense(units, activation="sigmoid")

    def build(self, input_shape: tuple) -> None:
        """Build the gates for [h, x].

        Args:
            input_shape: tuple, (batch, features).
        """
        for dense in (self.input_gate, self.forget_gate, self.cell_candidate, self.output_gate):
            dense.build((None, self.units + input_shape[-1]))
        self.built = True

    def call(self, x: tf.Tensor, states: tuple[tf.Tensor, tf.Tensor]) -> tuple[tf.Tensor, tf.Tensor]:
        """One step of the LSTM.

        Args:
            x: tf.Tensor (batch, features), x_t.
            states: (h_{t-1}, C_{t-1}).

        Returns:
            (h_t, C_t).
        """
        h_prev, c_prev = states
        hx = tf.concat([h_prev, x], axis=-1)  # [h_{t-1}, x_t]
        f_t = self.forget_gate(hx)
        i_t = self.input_gate(hx)
        c_tilde = self.cell_candidate(hx)
        c_t = f_t * c_prev + i_t * c_tilde
        o_t = self.output_gate(hx)
        h_t = o_t * tf.tanh(c_t)
        return h_t, c_t
