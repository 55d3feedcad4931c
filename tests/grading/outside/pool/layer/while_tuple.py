"""LSTM layer: tf.while_loop whose loop variables are Python tuples of states."""

from __future__ import annotations

import keras
import tensorflow as tf


class LSTM(keras.layers.Layer):
    """Unrolls a cell with tf.while_loop.

    Args:
        cell: the LSTMCell to unroll.
        **kwargs: keras.layers.Layer arguments.
    """

    def __init__(self, cell: keras.layers.Layer, **kwargs) -> None:
        """Initialise the layer."""
        super().__init__(**kwargs)
        self.cell = cell

    def build(self, input_shape: tuple) -> None:
        """Build the cell for one time step.

        :param input_shape: (batch, time, features)
        """
        if not self.cell.built:
            self.cell.build(tuple(input_shape[::2]))
        super().build(input_shape)

    def zero_states(self, batch_size: int) -> tuple[tf.Tensor, tf.Tensor]:
        """Return zero (hidden, cell) states.

        :param batch_size: batch size
        :return: two (batch_size, units) zero tensors
        """
        return tuple(tf.zeros((batch_size, self.cell.units)) for _ in range(2))

    def call(self, x: tf.Tensor, states: tuple[tf.Tensor, tf.Tensor] | None = None) -> tf.Tensor:
        """Run the cell over all time steps.

        :param x: (batch, time, features)
        :param states: optional (hidden, cell) to start from
        :return: (batch, time, units)
        """
        steps = tf.shape(x)[1]
        inputs = tf.TensorArray(x.dtype, size=steps).unstack(tf.transpose(x, [1, 0, 2]))
        state = tuple(states) if states is not None else self.zero_states(tf.shape(x)[0])

        def step(t: tf.Tensor, state: tuple, out: tf.TensorArray) -> tuple:
            state = tuple(self.cell(inputs.read(t), state))
            return t + 1, state, out.write(t, state[0])

        loop = (tf.constant(0), state, tf.TensorArray(x.dtype, size=steps))
        _, state, out = tf.while_loop(lambda t, state, out: t < steps, step, loop)
        return tf.transpose(out.stack(), [1, 0, 2])
