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

    def __init__(self, units: int = 32, **kwargs) -> None:
        """Create the read-in, recurrent and read-out layers.

        Args:
            units: int, H, the width of the read-in layer and of the LSTM's states.
            **kwargs: passed on to ``keras.Model``.
        """
        super().__init__(**kwargs)
        self.units = units
        # TODO: a Dense read-in, the custom LSTM, a Dense(1, sigmoid) read-out (see the chapter "The model and training", docs/training.md)
        raise NotImplementedError('IntegrationModel.__init__: a Dense read-in, the custom LSTM, a Dense(1, sigmoid) read-out')

    def call(self, x: tf.Tensor) -> tf.Tensor:
        """Predict, after every step, the probability that the sum so far is positive.

        Args:
            x: tf.Tensor of shape ``(B, T, 1)``, the noise.

        Returns:
            tf.Tensor of shape ``(B, T, 1)``, probabilities in [0, 1].
        """
        # TODO: read-in, LSTM over time, read-out at every step (see the chapter "The model and training", docs/training.md)
        raise NotImplementedError('IntegrationModel.call: read-in, LSTM over time, read-out at every step')
