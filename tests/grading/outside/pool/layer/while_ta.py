"""LSTM layer: tf.while_loop writing each hidden state into a TensorArray (docs/graph-mode.md)."""

from __future__ import annotations

import keras
import tensorflow as tf

from .cell import LSTMCell


class LSTM(keras.layers.Layer):
    """Apply an LSTMCell at every step of a sequence.

    Args:
        cell: LSTMCell, applied at every step.
        **kwargs: passed to keras.layers.Layer.
    """

    def __init__(self, cell: LSTMCell, **kwargs) -> None:
        """Keep the cell.

        Args:
            cell: LSTMCell, applied at every step.
            **kwargs: passed to keras.layers.Layer.
        """
        super().__init__(**kwargs)
        self.cell = cell

    def build(self, input_shape: tuple) -> None:
        """Build the cell before the loop (no variables may be created inside it).

        Args:
            input_shape: tuple, (batch, time, features).
        """
        if not self.cell.built:
            self.cell.build((input_shape[0], input_shape[2]))
        super().build(input_shape)

    def zero_states(self, batch_size: int) -> tuple[tf.Tensor, tf.Tensor]:
        """Initial states.

        Args:
            batch_size: int, batch size.

        Returns:
            Two zero tensors of shape (batch_size, units).
        """
        shape = tf.stack([batch_size, self.cell.units])
        return tf.zeros(shape), tf.zeros(shape)

    def call(self, x: tf.Tensor, states: tuple[tf.Tensor, tf.Tensor] | None = None) -> tf.Tensor:
        """Unroll over time.

        Args:
            x: tf.Tensor (batch, time, features).
            states: (h, c) to start from, or None for zeros.

        Returns:
            tf.Tensor (batch, time, units), every hidden state.
        """
        time_steps = tf.shape(x)[1]
        h, c = self.zero_states(tf.shape(x)[0]) if states is None else states
        hidden = tf.TensorArray(dtype=tf.float32, size=time_steps)

        def body(t: tf.Tensor, h: tf.Tensor, c: tf.Tensor, hidden: tf.TensorArray) -> tuple:
            h, c = self.cell(x[:, t, :], (h, c))
            return t + 1, h, c, hidden.write(t, h)

        _, _, _, hidden = tf.while_loop(lambda t, *rest: t < time_steps, body, (0, h, c, hidden))
        return tf.transpose(hidden.stack(), perm=(1, 0, 2))
