"""The integration model on the fast path, and weight copying from the reference.

Shapes: B batch, T time steps, D input features, H units.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from course.fast.layer import FastLSTM


class FastIntegrationModel(keras.Model):
    """The reference ``IntegrationModel`` with :class:`FastLSTM` inside.

    Same layers and names: a linear ``read_in`` Dense(H), the LSTM, and a
    ``read_out`` Dense(1, sigmoid) at every step. The read-in is linear, so by
    default the LSTM folds it into its input weights (``fold_read_in``): the
    same function and the same gradients, with fewer and smaller products.

    Args:
        units: int, H.
        unroll: bool or None, unroll the LSTM's time loop in Python (None: when T is short and static).
        hand_gradient: bool, use the hand-written backward pass.
        fold_read_in: bool, fold the linear read-in into the LSTM's input weights.
        **kwargs: passed on to ``keras.Model``.

    Example:
        >>> FastIntegrationModel(units=8)(tf.zeros((4, 25, 1))).shape
        TensorShape([4, 25, 1])
    """

    def __init__(self, units: int = 32, unroll: bool | None = None, hand_gradient: bool = True,
                 fold_read_in: bool = True, **kwargs) -> None:
        """Create the three layers.

        Args:
            units: int, H.
            unroll: bool or None, unroll the LSTM's time loop (None: when T is short and static).
            hand_gradient: bool, use the hand-written backward pass.
            fold_read_in: bool, fold the linear read-in into the LSTM's input weights.
            **kwargs: passed on to ``keras.Model``.
        """
        super().__init__(**kwargs)
        self.units = units
        self.fold_read_in = fold_read_in
        self.read_in = keras.layers.Dense(units, name="read_in")
        self.lstm = FastLSTM(units, unroll=unroll, hand_gradient=hand_gradient, time_major=True, name="lstm")
        self.read_out = keras.layers.Dense(1, activation="sigmoid", name="read_out")

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        """Build the three layers; the LSTM's input is the read-in's output even when folded.

        Args:
            input_shape: tuple, ``(B, T, 1)``.
        """
        self.read_in.build(input_shape)
        self.lstm.build((input_shape[1], input_shape[0], self.units))  # time-major
        self.read_out.build((*input_shape[:-1], self.units))
        super().build(input_shape)

    def call(self, x: tf.Tensor) -> tf.Tensor:
        """Predict after every step the probability that the sum so far is positive.

        Args:
            x: tf.Tensor ``(B, T, 1)``, the noise.

        Returns:
            tf.Tensor ``(B, T, 1)``, probabilities.
        """
        x = tf.transpose(x, [1, 0, 2])  # (T, B, 1): the LSTM runs time-major
        if self.fold_read_in:  # read_in has no activation: x -> x A + a
            hidden = self.lstm(x, linear_read_in=(self.read_in.kernel, self.read_in.bias))
        else:
            hidden = self.lstm(self.read_in(x))
        return tf.transpose(self.read_out(hidden), [1, 0, 2])  # (T, B, 1) -> (B, T, 1)


def copy_reference_weights(reference: keras.Model, fast: FastIntegrationModel) -> None:
    """Copy a built reference ``IntegrationModel``'s weights into a built fast model.

    The reference cell's gate kernels are ``(D + H, H)`` with the input's rows
    first; stacked side by side in Keras' order (i, f, g, o), their first D
    rows make ``W_x`` and the last H rows ``W_h``.

    Args:
        reference: keras.Model, a built ``solutions.model.IntegrationModel``.
        fast: FastIntegrationModel, built with the same units and input width.
    """
    for name in ("read_in", "read_out"):
        for target, source in zip(getattr(fast, name).weights, getattr(reference, name).weights):
            target.assign(source)
    gates = reference.lstm.cell.gates  # i, f, g, o
    features = fast.lstm.kernel.shape[0]  # D
    kernel = tf.concat([gate.kernel for gate in gates], axis=-1)  # (D + H, 4H)
    fast.lstm.kernel.assign(kernel[:features])
    fast.lstm.recurrent_kernel.assign(kernel[features:])
    fast.lstm.bias.assign(tf.concat([gate.bias for gate in gates], axis=-1))
