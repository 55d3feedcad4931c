r"""One step of a long short-term memory (LSTM) cell, built from Dense gates.

With input :math:`x_t` and the previous states :math:`h_{t-1}, c_{t-1}`:

.. math::

    i_t &= \sigma(W_i [x_t, h_{t-1}] + b_i)        && \text{input gate} \\
    f_t &= \sigma(W_f [x_t, h_{t-1}] + b_f)        && \text{forget gate} \\
    g_t &= \tanh(W_g [x_t, h_{t-1}] + b_g)         && \text{cell candidate} \\
    o_t &= \sigma(W_o [x_t, h_{t-1}] + b_o)        && \text{output gate} \\
    c_t &= f_t \odot c_{t-1} + i_t \odot g_t      && \text{new cell state} \\
    h_t &= o_t \odot \tanh(c_t)                   && \text{new hidden state}

Shapes: B is the batch, D the input features, H the units.
"""

from __future__ import annotations

import keras
import tensorflow as tf


class LSTMCell(keras.layers.Layer):
    """An LSTM cell whose four gates are ``keras.layers.Dense`` layers.

    Each gate is a Dense layer on the concatenation ``[x_t, h_{t-1}]``
    (input first). The forget gate's bias starts at 1, so that at
    initialisation the cell keeps about 73 % of its state each step instead of
    50 % (Jozefowicz et al. 2015); the other biases start at 0.

    The four products share one input, so ``call`` stacks the four kernels
    (:meth:`fused_weights`) and computes all gates with one matrix product:
    the same numbers as calling the four Dense layers, in a quarter of the
    kernel launches.

    Args:
        units: int, H, the size of the hidden and cell states.
        **kwargs: passed on to ``keras.layers.Layer`` (for example ``name``).

    Example:
        >>> cell = LSTMCell(units=8)
        >>> states = (tf.zeros((4, 8)), tf.zeros((4, 8)))
        >>> hidden_state, cell_state = cell(tf.ones((4, 3)), states)
        >>> hidden_state.shape
        TensorShape([4, 8])
    """

    # --8<-- [start:init]
    def __init__(self, units: int, **kwargs) -> None:
        """Create the four gate layers.

        Args:
            units: int, H, the size of the hidden and cell states.
            **kwargs: passed on to ``keras.layers.Layer``.
        """
        super().__init__(**kwargs)
        self.units = units
        # BEGIN SOLUTION: four Dense(units) gates; the forget gate's bias starts at 1
        self.input_gate = keras.layers.Dense(units, name="input_gate")
        self.forget_gate = keras.layers.Dense(
            units, bias_initializer="ones", name="forget_gate"
        )
        self.cell_candidate = keras.layers.Dense(units, name="cell_candidate")
        self.output_gate = keras.layers.Dense(units, name="output_gate")
        # END SOLUTION
    # --8<-- [end:init]

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        """Create the gates' weights before the cell is used in a loop.

        Building here, outside any ``tf.while_loop``, matters: a variable
        cannot be created inside a loop body.

        Args:
            input_shape: tuple, the shape ``(B, D)`` of one step's input.
        """
        # The gates see [x_t, h_{t-1}]: D + H features.
        gate_input_shape = (None, input_shape[-1] + self.units)
        for gate in self.gates:
            gate.build(gate_input_shape)
        super().build(input_shape)

    @property
    def gates(self) -> tuple[keras.layers.Dense, ...]:
        """The four gate layers in Keras' order: input, forget, candidate, output."""
        return (self.input_gate, self.forget_gate, self.cell_candidate, self.output_gate)

    def fused_weights(self) -> tuple[tf.Tensor, tf.Tensor]:
        """Stack the four gates' weights side by side, for one matrix product.

        Returns:
            A pair ``(kernel, bias)``: ``kernel`` is ``[W_i | W_f | W_g | W_o]``
            of shape ``(D + H, 4H)`` and ``bias`` is ``[b_i | b_f | b_g | b_o]``
            of shape ``(4H,)``, in Keras' gate order.
        """
        kernel = tf.concat([gate.kernel for gate in self.gates], axis=-1)  # (D + H, 4H)
        bias = tf.concat([gate.bias for gate in self.gates], axis=-1)  # (4H,)
        return kernel, bias

    # --8<-- [start:call]
    def call(
        self,
        x: tf.Tensor,
        states: tuple[tf.Tensor, tf.Tensor],
        fused_weights: tuple[tf.Tensor, tf.Tensor] | None = None,
    ) -> tuple[tf.Tensor, tf.Tensor]:
        """Advance the cell by one time step.

        Args:
            x: tf.Tensor of shape ``(B, D)``, the input at step t.
            states: a pair ``(hidden_state, cell_state)`` of tf.Tensors, each
                of shape ``(B, H)``, the states after step t - 1.
            fused_weights: optional pair ``(kernel, bias)`` from
                :meth:`fused_weights`. A loop over time reads it once, before
                the loop, instead of stacking the weights again at every step;
                ``None`` stacks them here.

        Returns:
            The new pair ``(hidden_state, cell_state)``, each of shape ``(B, H)``.
        """
        # BEGIN SOLUTION: compute the four gates, then the new cell and hidden states
        hidden_state, cell_state = states
        kernel, bias = self.fused_weights() if fused_weights is None else fused_weights
        xh = tf.concat([x, hidden_state], axis=-1)  # (B, D + H)

        # All four gates in one product: [x_t, h_{t-1}] @ [W_i | W_f | W_g | W_o] + b
        # (bias_add, not "+": its gradient is one op, where a broadcast "+" needs several)
        z = tf.nn.bias_add(tf.matmul(xh, kernel), bias)  # (B, 4H)
        z_i, z_f, z_g, z_o = tf.split(z, 4, axis=-1)  # 4 x (B, H)

        # i_t = sigma(W_i [x_t, h_{t-1}] + b_i)
        input_gate = tf.sigmoid(z_i)
        # f_t = sigma(W_f [x_t, h_{t-1}] + b_f)
        forget_gate = tf.sigmoid(z_f)
        # g_t = tanh(W_g [x_t, h_{t-1}] + b_g)
        candidate = tf.tanh(z_g)
        # o_t = sigma(W_o [x_t, h_{t-1}] + b_o)
        output_gate = tf.sigmoid(z_o)

        # c_t = f_t * c_{t-1} + i_t * g_t
        new_cell_state = forget_gate * cell_state + input_gate * candidate
        # h_t = o_t * tanh(c_t)
        new_hidden_state = output_gate * tf.tanh(new_cell_state)
        return new_hidden_state, new_cell_state
        # END SOLUTION
    # --8<-- [end:call]
