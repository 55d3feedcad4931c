"""LSTM layer: a for loop over tf.range, made to run by decorating call with tf.function.

This is the trap of the graph-mode chapter: it runs eagerly and traced, and gives the
right numbers, but some ways of training cut the cell off from its gradients.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from .cell import LSTMCell


class LSTM(keras.layers.Layer):
    """Unroll a cell over time.

    Args:
        cell: LSTMCell, the step function.
        **kwargs: Layer keyword arguments.
    """

    def __init__(self, cell: LSTMCell, **kwargs) -> None:
        """Store the cell.

        Args:
            cell: LSTMCell, the step function.
            **kwargs: Layer keyword arguments.
        """
        super().__init__(**kwargs)
        self.cell = cell

    def zero_states(self, batch_size: int) -> tuple[tf.Tensor, tf.Tensor]:
        """Zero hidden and cell states.

        Args:
            batch_size: int, the batch size.

        Returns:
            (h, c), each (batch_size, units) zeros.
        """
        return tf.zeros((batch_size, self.cell.units)), tf.zeros((batch_size, self.cell.units))

    @tf.function
    def call(self, x: tf.Tensor, states: tuple[tf.Tensor, tf.Tensor] | None = None) -> tf.Tensor:
        """Run the cell over every step.

        Args:
            x: tf.Tensor (batch, time, features).
            states: optional (h, c) to start from.

        Returns:
            tf.Tensor (batch, time, units).
        """
        if states is None:
            states = self.zero_states(tf.shape(x)[0])
        h, c = states
        outputs = tf.TensorArray(tf.float32, size=tf.shape(x)[1])
        for t in tf.range(tf.shape(x)[1]):
            h, c = self.cell(x[:, t, :], (h, c))
            outputs = outputs.write(t, h)
        return tf.transpose(outputs.stack(), [1, 0, 2])
