"""LSTM cell computing all four gates with one matrix product over the Dense kernels."""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops


class LSTMCell(keras.layers.Layer):
    """LSTM cell, one fused kernel.

    Parameters
    ----------
    units : int
        Number of hidden units.
    **kwargs
        Keyword arguments for keras.layers.Layer.
    """

    def __init__(self, units: int, **kwargs) -> None:
        """Set up the four gate layers.

        Parameters
        ----------
        units : int
            Number of hidden units.
        **kwargs
            Keyword arguments for keras.layers.Layer.
        """
        super().__init__(**kwargs)
        self.units = units
        self.input_gate = keras.layers.Dense(units, name="input_gate")
        self.forget_gate = keras.layers.Dense(units, name="forget_gate", bias_initializer=keras.initializers.Ones())
        self.cell_candidate = keras.layers.Dense(units, name="cell_candidate")
        self.output_gate = keras.layers.Dense(units, name="output_gate")

    def build(self, input_shape: tuple) -> None:
        """Create the weights.

        Parameters
        ----------
        input_shape : tuple
            Shape (batch, features) of one step's input.
        """
        width = input_shape[-1] + self.units
        for layer in (self.input_gate, self.forget_gate, self.cell_candidate, self.output_gate):
            layer.build((None, width))
        self.built = True

    def call(self, x: tf.Tensor, states: tuple[tf.Tensor, tf.Tensor]) -> tuple[tf.Tensor, tf.Tensor]:
        """Compute one step.

        Parameters
        ----------
        x : tf.Tensor
            Input of shape (batch, features).
        states : tuple of tf.Tensor
            Hidden state and cell state, each (batch, units).

        Returns
        -------
        tuple of tf.Tensor
            New hidden state and new cell state.
        """
        hidden, memory = states
        gates = (self.input_gate, self.forget_gate, self.cell_candidate, self.output_gate)
        kernel = ops.concatenate([g.kernel for g in gates], axis=1)
        bias = ops.concatenate([g.bias for g in gates], axis=0)
        z = ops.matmul(ops.concatenate([x, hidden], axis=1), kernel) + bias
        zi, zf, zg, zo = ops.split(z, 4, axis=1)
        memory = ops.sigmoid(zf) * memory + ops.sigmoid(zi) * ops.tanh(zg)
        hidden = ops.sigmoid(zo) * ops.tanh(memory)
        return hidden, memory
