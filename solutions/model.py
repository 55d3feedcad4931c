"""The integration model: read-in, the custom LSTM, read-out.

Shapes: B is the batch, T the time steps, H the units.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from .cell import LSTMCell
from .layer import LSTM


class IntegrationModel(keras.Model):
    """Map a noise sequence to, at every step, the probability that its sum is positive.

    Training is many-to-one (only the last step's prediction meets the
    loss), but the model predicts at every step, so the same network can be
    inspected as a running integrator.

    Args:
        units: int, H, the width of the read-in layer and of the LSTM's states.
        **kwargs: passed on to ``keras.Model`` (for example ``name``).

    Example:
        >>> model = IntegrationModel(units=32)
        >>> model(tf.zeros((4, 25, 1))).shape
        TensorShape([4, 25, 1])
    """

    # --8<-- [start:init]
    def __init__(self, units: int = 32, **kwargs) -> None:
        """Create the read-in, recurrent and read-out layers.

        Args:
            units: int, H, the width of the read-in layer and of the LSTM's states.
            **kwargs: passed on to ``keras.Model``.
        """
        super().__init__(**kwargs)
        self.units = units
        # BEGIN SOLUTION: a Dense read-in, the custom LSTM, a Dense(1, sigmoid) read-out
        # Linear read-in: the integral is linear in x, so nothing is gained by squashing it.
        self.read_in = keras.layers.Dense(units, name="read_in")
        self.lstm = LSTM(LSTMCell(units), name="lstm")
        self.read_out = keras.layers.Dense(1, activation="sigmoid", name="read_out")
        # END SOLUTION
    # --8<-- [end:init]

    # --8<-- [start:call]
    def call(self, x: tf.Tensor) -> tf.Tensor:
        """Predict, after every step, the probability that the sum so far is positive.

        Args:
            x: tf.Tensor of shape ``(B, T, 1)``, the noise.

        Returns:
            tf.Tensor of shape ``(B, T, 1)``, probabilities in [0, 1].
        """
        # BEGIN SOLUTION: read-in, LSTM over time, read-out at every step
        features = self.read_in(x)  # (B, T, H)
        hidden_states = self.lstm(features)  # (B, T, H)
        return self.read_out(hidden_states)  # (B, T, 1)
        # END SOLUTION
    # --8<-- [end:call]
