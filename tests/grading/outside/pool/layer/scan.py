"""LSTM layer with tf.scan over the time-major sequence."""

from __future__ import annotations

import keras
import tensorflow as tf


class LSTM(keras.layers.Layer):
    """Recurrent layer around a cell.

    Parameters
    ----------
    cell : LSTMCell
        The recurrent cell.
    **kwargs
        Layer keyword arguments.
    """

    def __init__(self, cell: keras.layers.Layer, **kwargs) -> None:
        """Store the cell.

        Parameters
        ----------
        cell : LSTMCell
            The recurrent cell.
        **kwargs
            Layer keyword arguments.
        """
        super().__init__(**kwargs)
        self.cell = cell

    def build(self, input_shape: tuple) -> None:
        """Build the cell.

        Parameters
        ----------
        input_shape : tuple
            (batch, time, features).
        """
        if not self.cell.built:
            self.cell.build((input_shape[0], input_shape[-1]))
        self.built = True

    def zero_states(self, batch_size: int) -> tuple[tf.Tensor, tf.Tensor]:
        """Zero states.

        Parameters
        ----------
        batch_size : int
            Batch size.

        Returns
        -------
        tuple of tf.Tensor
            Zero hidden and cell states, (batch_size, units) each.
        """
        zeros = tf.zeros([batch_size, self.cell.units], dtype=tf.float32)
        return zeros, tf.identity(zeros)

    def call(self, x: tf.Tensor, states: tuple[tf.Tensor, tf.Tensor] | None = None) -> tf.Tensor:
        """Scan the cell over time.

        Parameters
        ----------
        x : tf.Tensor
            Sequences, (batch, time, features).
        states : tuple of tf.Tensor, optional
            Initial (hidden, cell) states.

        Returns
        -------
        tf.Tensor
            Hidden states, (batch, time, units).
        """
        if states is None:
            states = self.zero_states(tf.shape(x)[0])
        time_major = tf.transpose(x, [1, 0, 2])
        hs, _ = tf.scan(lambda carry, x_t: tuple(self.cell(x_t, carry)), time_major,
                        initializer=(states[0], states[1]))
        return tf.transpose(hs, [1, 0, 2])
