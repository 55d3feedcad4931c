"""An LSTM cell whose constructor is documented in the class docstring, as Keras does."""

from __future__ import annotations

import keras
import tensorflow as tf

GATE_NAMES = ("input_gate", "forget_gate", "cell_candidate", "output_gate")


class LSTMCell(keras.layers.Layer):
    """Long short-term memory cell.

    Args:
        units: Positive integer, dimensionality of the hidden and cell states.
        **kwargs: Base layer keyword arguments, such as `name`.
    """

    def __init__(self, units: int, **kwargs) -> None:
        """Initialise the cell."""
        super().__init__(**kwargs)
        self.units = units
        for name in GATE_NAMES:
            init = "ones" if name == "forget_gate" else "zeros"
            setattr(self, name, keras.layers.Dense(units, bias_initializer=init, name=name))

    def build(self, input_shape: tuple) -> None:
        """Build the gates.

        Args:
            input_shape: Shape tuple of one step's input, `(batch, features)`.
        """
        for name in GATE_NAMES:
            getattr(self, name).build((None, input_shape[-1] + self.units))
        super().build(input_shape)

    def call(self, x: tf.Tensor, states: tuple[tf.Tensor, tf.Tensor]) -> tuple[tf.Tensor, tf.Tensor]:
        """Run one time step.

        :param x: input at this step, `(batch, features)`
        :param states: pair `(hidden_state, cell_state)` from the previous step
        :return: the next `(hidden_state, cell_state)`
        """
        hidden_state, cell_state = states
        joined = tf.concat([x, hidden_state], -1)
        i, f, g, o = (getattr(self, name)(joined) for name in GATE_NAMES)
        cell_state = tf.sigmoid(f) * cell_state + tf.sigmoid(i) * tf.tanh(g)
        hidden_state = tf.sigmoid(o) * tf.tanh(cell_state)
        return hidden_state, cell_state
