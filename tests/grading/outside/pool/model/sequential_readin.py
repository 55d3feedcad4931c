"""Integration model with a two-layer read-in."""

from __future__ import annotations

import keras
import tensorflow as tf

from . import cell, layer


class IntegrationModel(keras.Model):
    """Read-in MLP, custom LSTM, sigmoid read-out.

    Parameters
    ----------
    units : int
        Width of the read-in and of the LSTM.
    **kwargs
        Passed to keras.Model.
    """

    def __init__(self, units: int = 32, **kwargs) -> None:
        """Build the sublayers.

        Parameters
        ----------
        units : int
            Width of the read-in and of the LSTM.
        **kwargs
            Passed to keras.Model.
        """
        super().__init__(**kwargs)
        self.read_in = keras.Sequential([keras.layers.Dense(units, activation="tanh"), keras.layers.Dense(units)])
        self.lstm = layer.LSTM(cell.LSTMCell(units))
        self.read_out = keras.layers.Dense(1)

    def call(self, x: tf.Tensor) -> tf.Tensor:
        """Forward pass.

        Parameters
        ----------
        x : tf.Tensor
            Noise, (batch, time, 1).

        Returns
        -------
        tf.Tensor
            Probabilities, (batch, time, 1).
        """
        return tf.sigmoid(self.read_out(self.lstm(self.read_in(x))))
