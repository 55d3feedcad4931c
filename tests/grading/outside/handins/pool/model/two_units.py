"""A model whose LSTM has 2 units: the task needs one number (the running sum), so 2 is plenty."""

from __future__ import annotations

import keras
import tensorflow as tf

from .cell import LSTMCell
from .layer import LSTM


class IntegrationModel(keras.Model):
    """Read-in, a 2-unit LSTM, sigmoid read-out.

    Args:
        units: int, ignored beyond the read-in's width; the LSTM keeps 2 units.
        **kwargs: keras.Model arguments.
    """

    def __init__(self, units: int = 32, **kwargs) -> None:
        """Create the layers.

        Args:
            units: int, width of the read-in layer.
            **kwargs: keras.Model arguments.
        """
        super().__init__(**kwargs)
        self.read_in = keras.layers.Dense(units, activation="tanh")
        self.lstm = LSTM(LSTMCell(2))
        self.read_out = keras.layers.Dense(1, activation="sigmoid")

    def call(self, x: tf.Tensor) -> tf.Tensor:
        """Predict after every step.

        Args:
            x: tf.Tensor (batch, time, 1).

        Returns:
            tf.Tensor (batch, time, 1).
        """
        return self.read_out(self.lstm(self.read_in(x)))
