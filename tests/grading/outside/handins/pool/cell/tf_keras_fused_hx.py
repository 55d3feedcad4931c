"""A cell in tf.keras style with one fused weight matrix over [h, x] (gate order i, f, g, o)."""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from tensorflow import keras


class LSTMCell(keras.layers.Layer):
    """LSTM cell with one kernel W of shape (units + features, 4 * units).

    Args:
        units: int, hidden size.
        **kwargs: keras.layers.Layer arguments.
    """

    def __init__(self, units: int, **kwargs) -> None:
        """Remember the size.

        Args:
            units: int, hidden size.
            **kwargs: keras.layers.Layer arguments.
        """
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape: tuple) -> None:
        """Create W and b; b is 1 for the forget gate, 0 elsewhere.

        Args:
            input_shape: tuple, (batch, features).
        """
        rows = self.units + int(input_shape[-1])
        self.W = self.add_weight(shape=(rows, 4 * self.units), initializer="glorot_uniform", name="W")
        bias = np.zeros(4 * self.units, dtype=np.float32)
        bias[self.units:2 * self.units] = 1.0
        self.b = self.add_weight(shape=(4 * self.units,), initializer=keras.initializers.Constant(bias), name="b")
        super().build(input_shape)

    def call(self, x: tf.Tensor, states: tuple[tf.Tensor, tf.Tensor]) -> tuple[tf.Tensor, tf.Tensor]:
        """One step.

        Args:
            x: tf.Tensor (batch, features).
            states: (h, c).

        Returns:
            (h, c) after the step.
        """
        h, c = states
        z = tf.matmul(tf.concat([h, x], axis=1), self.W) + self.b
        i, f, g, o = tf.split(z, 4, axis=1)
        c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
        h = tf.sigmoid(o) * tf.tanh(c)
        return h, c
