"""An LSTM layer that unrolls a cell over time in graph mode.

Why not a Python ``for`` loop? Under Keras 3, AutoGraph does not convert a
layer's ``call``, so ``for t in tf.range(T)`` fails inside a ``tf.function``,
and decorating ``call`` with ``@tf.function`` can silently cut the cell off
from its gradients. An explicit ``tf.while_loop`` writing into a
``tf.TensorArray`` works eagerly and in graph mode, and it traces to a single
``While`` op however long the sequence is.

Shapes: B is the batch, T the time steps, D the input features, H the units.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from .cell import LSTMCell


class LSTM(keras.layers.Layer):
    """Run an :class:`LSTMCell` over every step of a sequence.

    Args:
        cell: LSTMCell, the cell applied at every time step.
        **kwargs: passed on to ``keras.layers.Layer`` (for example ``name``).

    Example:
        >>> lstm = LSTM(LSTMCell(units=8))
        >>> lstm(tf.zeros((4, 25, 1))).shape
        TensorShape([4, 25, 8])
    """

    def __init__(self, cell: LSTMCell, **kwargs) -> None:
        """Keep the cell.

        Args:
            cell: LSTMCell, the cell applied at every time step.
            **kwargs: passed on to ``keras.layers.Layer``.
        """
        super().__init__(**kwargs)
        self.cell = cell

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        """Build the cell for one step's input before any loop runs.

        Args:
            input_shape: tuple, the shape ``(B, T, D)`` of the sequence.
        """
        if not self.cell.built:
            self.cell.build((input_shape[0], input_shape[-1]))  # (B, D)
        super().build(input_shape)

    def zero_states(self, batch_size: int) -> tuple[tf.Tensor, tf.Tensor]:
        """Return the initial states: all zeros.

        Args:
            batch_size: int (or a scalar int tf.Tensor), B.

        Returns:
            A pair ``(hidden_state, cell_state)`` of zeros, each of shape ``(B, H)``.
        """
        # TODO: two zero tensors of shape (batch_size, units) (see the chapter "Unrolling in graph mode", docs/graph-mode.md)
        raise NotImplementedError('LSTM.zero_states: two zero tensors of shape (batch_size, units)')

    def call(
        self, x: tf.Tensor, states: tuple[tf.Tensor, tf.Tensor] | None = None
    ) -> tf.Tensor:
        """Unroll the cell over the time axis with ``tf.while_loop``.

        Args:
            x: tf.Tensor of shape ``(B, T, D)``, the input sequence.
            states: optional pair ``(hidden_state, cell_state)``, each of shape
                ``(B, H)``, to start from; zeros when ``None``.

        Returns:
            tf.Tensor of shape ``(B, T, H)``: the hidden state after every step.
        """
        # TODO: loop over time with tf.while_loop, writing h_t into a TensorArray (see the chapter "Unrolling in graph mode", docs/graph-mode.md)
        raise NotImplementedError('LSTM.call: loop over time with tf.while_loop, writing h_t into a TensorArray')
