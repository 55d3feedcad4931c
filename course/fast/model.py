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
    ``read_out`` Dense(1, sigmoid) at every step.

    Args:
        units: int, H.
        unroll: bool or None, unroll the LSTM's time loop in Python (None: when T is short and static).
        hand_gradient: bool, use the hand-written backward pass.
        **kwargs: passed on to ``keras.Model``.

    Example:
        >>> FastIntegrationModel(units=8)(tf.zeros((4, 25, 1))).shape
        TensorShape([4, 25, 1])
    """

    def __init__(self, units: int = 32, unroll: bool | None = None, hand_gradient: bool = True,
                 **kwargs) -> None:
        """Create the three layers.

        Args:
            units: int, H.
            unroll: bool or None, unroll the LSTM's time loop (None: when T is short and static).
            hand_gradient: bool, use the hand-written backward pass.
            **kwargs: passed on to ``keras.Model``.
        """
        super().__init__(**kwargs)
        self.units = units
        self.read_in = keras.layers.Dense(units, name="read_in")
        self.lstm = FastLSTM(units, unroll=unroll, hand_gradient=hand_gradient, name="lstm")
        self.read_out = keras.layers.Dense(1, activation="sigmoid", name="read_out")

    def call(self, x: tf.Tensor) -> tf.Tensor:
        """Predict after every step the probability that the sum so far is positive.

        Args:
            x: tf.Tensor ``(B, T, 1)``, the noise.

        Returns:
            tf.Tensor ``(B, T, 1)``, probabilities.
        """
        return self.read_out(self.lstm(self.read_in(x)))


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
