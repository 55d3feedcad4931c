"""Truncated backpropagation through time (TBPTT), built on the implementation's own cell.

The sequence is cut into windows of ``k`` steps. The state ``(h, c)`` at the
end of a window is carried into the next one, so the *forward* pass is the
same as without truncation; but it goes through ``tf.stop_gradient``, so the
*backward* pass stops at the window's start. With the label on the last step
only, the loss reaches the last window's inputs through the gradient, and the
earlier inputs only through the value of the carried state.

``LSTM.call`` returns the hidden states but not the final cell state, so
:func:`unroll` runs the cell itself over a window's steps (a Python loop: the
window's length is static) and also returns the final ``(h, c)``. Full BPTT is
the same code with one window, so the comparison differs only in where the
gradient stops.

Shapes: B is the batch, T the time steps, D the features, H the units.
"""

from __future__ import annotations

import keras
import tensorflow as tf

States = tuple[tf.Tensor, tf.Tensor]


# --8<-- [start:unroll]
def unroll(cell: keras.layers.Layer, x: tf.Tensor, states: States) -> tuple[tf.Tensor, States]:
    """Run ``cell`` over every step of ``x`` from ``states``, with a Python loop.

    A window is short and its length is static, so the loop unrolls into ``k`` steps of
    ops in the graph. (The graded layer needs one ``tf.while_loop`` for any T; this helper
    is deliberately not that answer, because the student release ships it.)

    Args:
        cell: a built ``LSTMCell``, ``cell(x_t, (h, c)) -> (h, c)``.
        x: tf.Tensor ``(B, k, D)`` with a static ``k``, one window of the (read-in) sequence.
        states: pair ``(h, c)`` of tf.Tensors ``(B, H)``, the state to start from.

    Returns:
        ``(outputs, (h, c))``: the hidden state after every step ``(B, k, H)``
        and the final state.
    """
    # Like the reference layer: stack the gate weights once per window, not once per step.
    step_kwargs = {"fused_weights": cell.fused_weights()} if hasattr(cell, "fused_weights") else {}
    h, c = states
    outputs = []
    for t in range(int(x.shape[1])):
        # (h_t, c_t) = cell(x_t, (h_{t-1}, c_{t-1}))
        h, c = cell(x[:, t], (h, c), **step_kwargs)
        outputs.append(h)
    return tf.stack(outputs, axis=1), (h, c)  # k x (B, H) -> (B, k, H)
# --8<-- [end:unroll]


def window_bounds(seq_len: int, window: int) -> list[tuple[int, int]]:
    """Split ``range(seq_len)`` into consecutive windows of ``window`` steps.

    The first window takes the remainder when ``window`` does not divide
    ``seq_len``, so the last window (the one the loss sees) is always full.

    Args:
        seq_len: int, T.
        window: int, k, steps per window (``k >= T`` means one window: full BPTT).

    Returns:
        A list of ``(start, stop)`` pairs covering ``0 .. T``.

    Example:
        >>> window_bounds(25, 10)
        [(0, 5), (5, 15), (15, 25)]
    """
    window = min(window, seq_len)
    stops = list(range(seq_len, 0, -window))[::-1]  # ends of windows, last = T
    starts = [0] + stops[:-1]
    return list(zip(starts, stops))


# --8<-- [start:truncated_forward]
def truncated_forward(model: keras.Model, x: tf.Tensor, window: int) -> tf.Tensor:
    """The reference model's forward pass, with the gradient cut every ``window`` steps.

    Args:
        model: a built reference ``IntegrationModel`` (``read_in``, ``lstm.cell``, ``read_out``).
        x: tf.Tensor ``(B, T, 1)`` of noise, with a static T.
        window: int, k; ``k >= T`` is full BPTT.

    Returns:
        tf.Tensor ``(B, k, 1)``: the model's output over the last window only
        (its last step is the prediction the loss sees).
    """
    features = model.read_in(x)  # (B, T, H)
    cell = model.lstm.cell
    states = model.lstm.zero_states(tf.shape(x)[0])
    outputs = None
    for start, stop in window_bounds(int(x.shape[1]), window):
        # The state's value crosses the window boundary; its gradient does not.
        states = tuple(tf.stop_gradient(s) for s in states)
        outputs, states = unroll(cell, features[:, start:stop], states)  # (B, k, H)
    return model.read_out(outputs)  # (B, k, 1)
# --8<-- [end:truncated_forward]
