"""``FastLSTM``: a Keras layer around :func:`course.fast.recurrence.lstm_recurrence`.

What makes it fast, each measured by ``lstm-course bench``:

1. **Fused gates.** One kernel ``W_x`` ``(D, 4H)``, one ``W_h`` ``(H, 4H)``
   and one bias ``(4H,)`` instead of four Dense layers: read and reorder once
   per call, outside the loop.
2. **A hand-written backward pass** that works one step at a time on small
   tensors (see :mod:`course.fast.recurrence`).
3. **A linear read-in folded into the input weights** (``linear_read_in``):
   a ``Dense`` layer without activation in front of the LSTM only changes
   ``W_x`` and ``b``, so the layer multiplies two small matrices once per call
   instead of running the read-in's ``(B*T, D)`` activations through ``W_x``.

XLA (``tf.function(jit_compile=True)`` around the train step) compiles it too;
use ``unroll=False`` there: XLA compiles the ``tf.while_loop`` itself, one
program serves every T, and the unrolled graph measured slower under XLA
(``fast-xla`` against ``fast-unrolled-xla``).

Shapes: B batch, T time steps, D input features, H units.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from course.fast.recurrence import lstm_recurrence

#: The longest static sequence that ``unroll=None`` unrolls; longer ones (and a
#: dynamic T) use ``tf.while_loop``, so the graph stays small.
MAX_UNROLL = 100


def ifgo_to_ifog(weights: tf.Tensor) -> tf.Tensor:
    """Reorder the last axis' gate blocks from Keras' i, f, g, o to i, f, o, g.

    With the three sigmoid gates side by side, one ``sigmoid`` covers them.

    Args:
        weights: tf.Tensor ``(..., 4H)`` in the order i, f, g, o.

    Returns:
        tf.Tensor ``(..., 4H)`` in the order i, f, o, g.
    """
    i, f, g, o = tf.split(weights, 4, axis=-1)
    return tf.concat([i, f, o, g], axis=-1)


def forget_bias_one(shape: tuple[int, ...], dtype: str | None = None) -> tf.Tensor:
    """Initialise the fused bias: 1 for the forget gate, 0 for the others.

    Args:
        shape: tuple ``(4H,)``.
        dtype: the variable's dtype.

    Returns:
        tf.Tensor ``(4H,)``: ``[0 (i), 1 (f), 0 (g), 0 (o)]``, blocks of H.
    """
    units = shape[0] // 4
    return tf.concat([tf.zeros(units, dtype), tf.ones(units, dtype), tf.zeros(2 * units, dtype)], 0)


class FastLSTM(keras.layers.Layer):
    """An LSTM layer with fused gates and a hand-written gradient.

    The weights use Keras' layout and gate order (i, f, g, o), so weights
    copy one-to-one from ``keras.layers.LSTM`` and, split by rows, from the
    reference cell's four Dense gates. The forget gate's bias starts at 1.

    Args:
        units: int, H, the size of the hidden and cell states.
        unroll: bool or None, unroll the time loop in Python (the graph
            grows with T and needs a static T) instead of ``tf.while_loop``;
            None (the default) unrolls when T is static and at most
            ``MAX_UNROLL``, which measured faster at T = 25 (``fast`` against
            ``fast-while`` in ``lstm-course bench``).
        hand_gradient: bool, use the hand-written backward pass.
        time_major: bool, take ``(T, B, D)`` and return ``(T, B, H)`` instead
            of Keras' batch-major ``(B, T, .)``; saves two transposes.
        **kwargs: passed on to ``keras.layers.Layer``.

    Example:
        >>> FastLSTM(units=8)(tf.zeros((4, 25, 1))).shape
        TensorShape([4, 25, 8])
    """

    def __init__(self, units: int, unroll: bool | None = None, hand_gradient: bool = True,
                 time_major: bool = False, **kwargs) -> None:
        """Keep the settings; weights are made in :meth:`build`.

        Args:
            units: int, H.
            unroll: bool or None, unroll the time loop in Python; None (the
                default) unrolls when T is static and at most ``MAX_UNROLL``.
            hand_gradient: bool, use the hand-written backward pass (False:
                let TensorFlow differentiate the loop, for comparison).
            time_major: bool, inputs and outputs are ``(T, B, .)``.
            **kwargs: passed on to ``keras.layers.Layer``.
        """
        super().__init__(**kwargs)
        self.units = units
        self.unroll = unroll
        self.hand_gradient = hand_gradient
        self.time_major = time_major

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        """Create ``kernel`` (D, 4H), ``recurrent_kernel`` (H, 4H) and ``bias`` (4H,).

        Args:
            input_shape: tuple, ``(B, T, D)`` (or ``(T, B, D)`` when time-major).
        """
        units = self.units
        self.kernel = self.add_weight(shape=(input_shape[-1], 4 * units), name="kernel",
                                      initializer="glorot_uniform")
        self.recurrent_kernel = self.add_weight(shape=(units, 4 * units), name="recurrent_kernel",
                                                initializer="orthogonal")
        self.bias = self.add_weight(shape=(4 * units,), name="bias", initializer=forget_bias_one)
        super().build(input_shape)

    def call(self, x: tf.Tensor, states: tuple[tf.Tensor, tf.Tensor] | None = None,
             linear_read_in: tuple[tf.Tensor, tf.Tensor] | None = None) -> tf.Tensor:
        """Run the LSTM over every step.

        Args:
            x: tf.Tensor ``(B, T, D)``, the input sequence (``(T, B, D)`` when time-major).
            states: optional pair ``(h_0, c_0)``, each ``(B, H)``; zeros when None.
            linear_read_in: optional pair ``(A, a)``, a linear map ``(D', D)``,
                ``(D,)`` in front of the layer: then ``x`` has D' features and
                the layer runs on ``x A + a``, folded into its input weights.

        Returns:
            tf.Tensor ``(B, T, H)``, the hidden state after every step (``(T, B, H)`` when time-major).
        """
        if not self.time_major:
            x = tf.transpose(x, [1, 0, 2])  # (T, B, D): the loop walks the leading axis
        if states is None:
            zeros = tf.zeros((tf.shape(x)[1], self.units), x.dtype)  # (B, H)
            states = (zeros, zeros)
        w_x = ifgo_to_ifog(self.kernel)  # (D, 4H)
        b = ifgo_to_ifog(self.bias)  # (4H,)
        if linear_read_in is not None:
            # (x A + a) W_x + b = x (A W_x) + (a W_x + b): one (D', 4H) product per call,
            # instead of the read-in's (B*T, D) activations and a (B*T, D) x (D, 4H) product
            kernel_in, bias_in = linear_read_in
            b = b + tf.linalg.matvec(w_x, bias_in, transpose_a=True)
            w_x = tf.matmul(kernel_in, w_x)  # (D', 4H)
        unroll = self.unroll if self.unroll is not None else (x.shape[0] or MAX_UNROLL + 1) <= MAX_UNROLL
        hs = lstm_recurrence(x, w_x, ifgo_to_ifog(self.recurrent_kernel), b, *states, unroll=unroll,
                             hand_gradient=self.hand_gradient)  # (T, B, H)
        return hs if self.time_major else tf.transpose(hs, [1, 0, 2])
