"""A model with two read-in layers before the LSTM (a deeper embedding of the scalar noise)."""

from __future__ import annotations

import tensorflow as tf
from tensorflow import keras

from .cell import LSTMCell
from .layer import LSTM


class IntegrationModel(keras.Model):
    """Dense(16, relu) -> Dense(units) -> LSTM -> Dense(1, sigmoid).

    Args:
        units: int, LSTM size.
        **kwargs: keras.Model arguments.
    """

    def __init__(self, units: int = 32, **kwargs) -> None:
        """Create the layers.

        Args:
            units: int, LSTM size.
            **kwargs: keras.Model arguments.
        """
        super().__init__(**kwargs)
        self.read_in_1 = keras.layers.Dense(16, activation="relu")
        self.read_in_2 = keras.layers.Dense(units)
        self.lstm = LSTM(LSTMCell(units))
        self.read_out = keras.layers.Dense(1, activation="sigmoid")

    def call(self, x: tf.Tensor) -> tf.Tensor:
        """Forward pass.

        Args:
            x: tf.Tensor (batch, time, 1), the noise.

        Returns:
            tf.Tensor (batch, time, 1), probabilities.
        """
        x = self.read_in_1(x)
        x = self.read_in_2(x)
        x = self.lstm(x)
        return self.read_out(x)
