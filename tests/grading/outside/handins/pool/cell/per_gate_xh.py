"""An LSTM cell with the textbook's W_x* and W_h* matrices: an x-side and an h-side Dense per gate."""

from __future__ import annotations

import keras
import tensorflow as tf


class LSTMCell(keras.layers.Layer):
    """i = sigmoid(W_xi x + W_hi h + b_i), and so on for f, g and o.

    Args:
        units: int, hidden size.
        **kwargs: forwarded to the Layer.
    """

    def __init__(self, units: int, **kwargs) -> None:
        """Create W_x* (with the bias) and W_h* (without) for every gate.

        Args:
            units: int, hidden size.
            **kwargs: forwarded to the Layer.
        """
        super().__init__(**kwargs)
        self.units = units
        self.W_xi = keras.layers.Dense(units)
        self.W_hi = keras.layers.Dense(units, use_bias=False)
        self.W_xf = keras.layers.Dense(units, bias_initializer="ones")
        self.W_hf = keras.layers.Dense(units, use_bias=False)
        self.W_xg = keras.layers.Dense(units)
        self.W_hg = keras.layers.Dense(units, use_bias=False)
        self.W_xo = keras.layers.Dense(units)
        self.W_ho = keras.layers.Dense(units, use_bias=False)

    def build(self, input_shape: tuple) -> None:
        """Build the x-side and h-side matrices.

        Args:
            input_shape: tuple, (batch, features).
        """
        for x_side, h_side in ((self.W_xi, self.W_hi), (self.W_xf, self.W_hf), (self.W_xg, self.W_hg),
                               (self.W_xo, self.W_ho)):
            x_side.build((None, input_shape[-1]))
            h_side.build((None, self.units))
        self.built = True

    def call(self, x: tf.Tensor, states: tuple[tf.Tensor, tf.Tensor]) -> tuple[tf.Tensor, tf.Tensor]:
        """Compute the next states.

        Args:
            x: tf.Tensor (batch, features).
            states: (h, c), each (batch, units).

        Returns:
            (h, c) after this step.
        """
        h, c = states
        i = tf.sigmoid(self.W_xi(x) + self.W_hi(h))
        f = tf.sigmoid(self.W_xf(x) + self.W_hf(h))
        g = tf.tanh(self.W_xg(x) + self.W_hg(h))
        o = tf.sigmoid(self.W_xo(x) + self.W_ho(h))
        c = f * c + i * g
        h = o * tf.tanh(c)
        return h, c
