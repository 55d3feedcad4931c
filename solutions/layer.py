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

    # --8<-- [start:zero_states]
    def zero_states(self, batch_size: int) -> tuple[tf.Tensor, tf.Tensor]:
        """Return the initial states: all zeros.

        Args:
            batch_size: int (or a scalar int tf.Tensor), B.

        Returns:
            A pair ``(hidden_state, cell_state)`` of zeros, each of shape ``(B, H)``.
        """
        # BEGIN SOLUTION: two zero tensors of shape (batch_size, units)
        zeros = tf.zeros((batch_size, self.cell.units))  # (B, H)
        return zeros, zeros
        # END SOLUTION
    # --8<-- [end:zero_states]

    # --8<-- [start:call]
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
        # BEGIN SOLUTION: loop over time with tf.while_loop, writing h_t into a TensorArray
        batch_size, steps = tf.shape(x)[0], tf.shape(x)[1]
        if states is None:
            states = self.zero_states(batch_size)
        # Read the weights once: the loop body then only multiplies. (Any cell with the
        # contract's call(x, states) works too; it then reads its own weights every step.)
        cell_kwargs = {}
        if hasattr(self.cell, "fused_weights"):
            cell_kwargs["fused_weights"] = self.cell.fused_weights()
        # (B, T, D) -> (T, B, D): the loop reads one time step at a time.
        inputs = tf.TensorArray(x.dtype, size=steps).unstack(tf.transpose(x, [1, 0, 2]))
        outputs = tf.TensorArray(x.dtype, size=steps)

        def step(t, hidden_state, cell_state, outputs):
            # (h_t, c_t) = cell(x_t, (h_{t-1}, c_{t-1}))
            hidden_state, cell_state = self.cell(
                inputs.read(t), (hidden_state, cell_state), **cell_kwargs
            )
            return t + 1, hidden_state, cell_state, outputs.write(t, hidden_state)

        _, _, _, outputs = tf.while_loop(
            cond=lambda t, *_: t < steps,
            body=step,
            loop_vars=(tf.constant(0), *states, outputs),
            maximum_iterations=steps,  # a known trip count: XLA can compile the loop
        )
        # (T, B, H) -> (B, T, H)
        return tf.transpose(outputs.stack(), [1, 0, 2])
        # END SOLUTION
    # --8<-- [end:call]
