"""The integration model: read-in, LSTM, sigmoid read-out (docs/training.md)."""

from __future__ import annotations

import keras
import tensorflow as tf

from .cell import LSTMCell
from .layer import LSTM


class IntegrationModel(keras.Model):
    """Noise in, probability that the running sum is positive out.

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
        self.embed = keras.layers.Dense(units)
        self.rnn = LSTM(LSTMCell(units))
        self.classifier = keras.layers.Dense(1, activation="sigmoid")

    def call(self, x: tf.Tensor) -> tf.Tensor:
        """Predict at every step.

        Args:
            x: tf.Tensor (batch, time, 1).

        Returns:
            tf.Tensor (batch, time, 1) in [0, 1].
        """
        return self.classifier(self.rnn(self.embed(x)))
