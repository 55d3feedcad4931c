r"""The LSTM recurrence with a hand-written backward pass (BPTT).

Why hand-write the gradient? Automatic differentiation of a loop pushes every
intermediate of every step onto accumulator stacks and pops it back. Here
the forward pass keeps only what the backward pass needs, and the backward
pass runs the recurrence of the two state gradients step by step:

.. math::

    dh_t &= \bar{y}_t + dz_{t+1} W_h^\top \\
    dc_t &= dc_{t+1} \odot f_{t+1} + dh_t \odot o_t \odot (1 - \tanh^2 c_t) \\
    dz_t &= [dc_t\, g_t,\ dc_t\, c_{t-1},\ dh_t \tanh c_t] \odot \sigma'
            \ \Vert\ dc_t\, i_t (1 - g_t^2)

Where a train step's time goes at B = 64, H = 32 on a CPU (TensorFlow's
profiler) shaped the rest: the matrix products are the largest share, and a
tensor that spans the whole sequence, such as a ``(T, B, 4H)`` input
projection, costs more to write and read back than its arithmetic. So
everything here works one step at a time, on ``(B, .)`` tensors that stay in
the CPU's cache: each step multiplies ``u_t = [h_{t-1}, x_t, 1]`` by the
stacked kernel ``[W_h; W_x; b]`` (the bias as the last row), and the weight
gradients ``sum_t u_t^T dz_t`` are summed step by step.

Two flavours: unrolled in Python for a static T (no loop ops at all; the
backward pass reads the forward's per-step tensors directly), and two
``tf.while_loop``\ s for any T, which XLA compiles well. Gates are packed in
the order i, f, o, g, so one ``sigmoid`` covers the three sigmoid gates (the
first 3H columns) and one ``tanh`` the candidate.

Shapes: B batch, T time steps, D input features, H units; ``z`` is the
pre-activation ``x_t W_x + b + h_{t-1} W_h`` of the four gates, ``(B, 4H)``.
"""

from __future__ import annotations

from typing import NamedTuple

import tensorflow as tf


class StepCache(NamedTuple):
    """What the backward pass needs from one forward step, each ``(B, H)`` unless noted.

    Attributes:
        s: ``[i, f, o]`` after the sigmoid, ``(B, 3H)``.
        g: the candidate ``tanh`` gate.
        i: the input gate.
        f: the forget gate.
        o: the output gate.
        c_prev: the cell state c_{t-1}.
        tc: ``tanh(c_t)``.
    """

    s: tf.Tensor
    g: tf.Tensor
    i: tf.Tensor
    f: tf.Tensor
    o: tf.Tensor
    c_prev: tf.Tensor
    tc: tf.Tensor


def _forward_step(z: tf.Tensor, c: tf.Tensor, units: int) -> tuple[tf.Tensor, tf.Tensor, StepCache]:
    """One LSTM step from the gates' pre-activation.

    Args:
        z: tf.Tensor ``(B, 4H)``, pre-activations in the order i, f, o, g.
        c: tf.Tensor ``(B, H)``, the cell state c_{t-1}.
        units: int, H.

    Returns:
        ``(h_t, c_t, cache)``: the new states ``(B, H)`` and what the backward pass needs.
    """
    s = tf.sigmoid(z[:, : 3 * units])  # [i, f, o] in one op
    g = tf.tanh(z[:, 3 * units :])
    i, f, o = tf.split(s, 3, axis=1)
    c_next = f * c + i * g  # c_t = f_t c_{t-1} + i_t g_t
    tc = tf.tanh(c_next)
    return o * tc, c_next, StepCache(s, g, i, f, o, c, tc)  # h_t = o_t tanh(c_t)


# --8<-- [start:backward_step]
def _backward_step(dy: tf.Tensor, dh_next: tf.Tensor, dc_next: tf.Tensor,
                   cache: StepCache) -> tuple[tf.Tensor, tf.Tensor]:
    """One step of the backward recurrence, without its matrix products.

    Args:
        dy: tf.Tensor ``(B, H)``, dL/dh_t from the layer's output at step t.
        dh_next: tf.Tensor ``(B, H)``, dz_{t+1} W_h^T: dL/dh_t through step t + 1.
        dc_next: tf.Tensor ``(B, H)``, dc_{t+1} f_{t+1}: dL/dc_t through step t + 1.
        cache: StepCache of step t.

    Returns:
        ``(dz_t (B, 4H), dc_t f_t (B, H))``; the caller multiplies ``dz_t`` by the weights.
    """
    s, g, i, f, o, c_prev, tc = cache
    dh = dy + dh_next
    # dc_t = dc_{t+1} f_{t+1} + dh_t o_t (1 - tanh^2 c_t)
    dc = dc_next + dh * o * (1.0 - tc * tc)
    # d[i, f, o] = [dc g, dc c_{t-1}, dh tanh c_t] * sigma'(z);  dg = dc i (1 - g^2)
    ds = tf.concat([dc * g, dc * c_prev, dh * tc], axis=1) * (s - s * s)
    dz = tf.concat([ds, dc * (i - i * g * g)], axis=1)
    return dz, dc * f
# --8<-- [end:backward_step]


def lstm_recurrence(
    x: tf.Tensor, w_x: tf.Tensor, w_h: tf.Tensor, b: tf.Tensor, h0: tf.Tensor, c0: tf.Tensor, *,
    unroll: bool = False, hand_gradient: bool = True,
) -> tf.Tensor:
    """Run the LSTM recurrence over time, with a hand-written gradient.

    Args:
        x: tf.Tensor ``(B, T, D)``, the input sequence.
        w_x: tf.Tensor ``(D, 4H)``, the input kernel; gate order i, f, o, g.
        w_h: tf.Tensor ``(H, 4H)``, the recurrent kernel, same gate order.
        b: tf.Tensor ``(4H,)``, the bias, same gate order.
        h0: tf.Tensor ``(B, H)``, the initial hidden state.
        c0: tf.Tensor ``(B, H)``, the initial cell state.
        unroll: bool, unroll the loop in Python (needs a static T; the graph
            grows with T) instead of two ``tf.while_loop``\\ s.
        hand_gradient: bool, use the hand-written backward pass; with False,
            TensorFlow differentiates the loop itself (for comparison).

    Returns:
        tf.Tensor ``(B, T, H)``, the hidden state after every step. Its
        gradient flows to every argument.

    Example:
        >>> H = 8
        >>> hs = lstm_recurrence(tf.zeros((4, 25, 1)), tf.zeros((1, 4 * H)), tf.zeros((H, 4 * H)),
        ...                      tf.zeros(4 * H), tf.zeros((4, H)), tf.zeros((4, H)))
        >>> hs.shape
        TensorShape([4, 25, 8])
    """
    # [x_t, 1] [W_x; b] = x_t W_x + b: the bias rides along as the kernel's last row
    x1 = tf.concat([x, tf.ones_like(x[..., :1])], axis=-1)  # (B, T, D + 1)
    w_x1 = tf.concat([w_x, b[tf.newaxis]], axis=0)  # (D + 1, 4H)
    if not hand_gradient:
        return _autodiff_recurrence(x1, w_x1, w_h, h0, c0, unroll)
    if unroll:
        return _unrolled_recurrence(x1, w_x1, w_h, h0, c0)
    return _looped_recurrence(x1, w_x1, w_h, h0, c0)


def _autodiff_recurrence(x1: tf.Tensor, w_x1: tf.Tensor, w_h: tf.Tensor, h0: tf.Tensor, c0: tf.Tensor,
                         unroll: bool) -> tf.Tensor:
    """The forward recurrence alone, for TensorFlow to differentiate (``hand_gradient=False``).

    Args:
        x1: tf.Tensor ``(B, T, D + 1)``, the input with a column of ones.
        w_x1: tf.Tensor ``(D + 1, 4H)``, ``[W_x; b]``.
        w_h: tf.Tensor ``(H, 4H)``, the recurrent kernel.
        h0: tf.Tensor ``(B, H)``, the initial hidden state.
        c0: tf.Tensor ``(B, H)``, the initial cell state.
        unroll: bool, a Python loop over a static T instead of ``tf.while_loop``.

    Returns:
        tf.Tensor ``(B, T, H)``.
    """
    units = w_h.shape[0]
    if unroll:
        h, c, hs = h0, c0, []
        for x1_t in tf.unstack(x1, axis=1):
            h, c, _ = _forward_step(tf.matmul(h, w_h) + tf.matmul(x1_t, w_x1), c, units)
            hs.append(h)
        return tf.stack(hs, axis=1)

    x1 = tf.transpose(x1, [1, 0, 2])  # (T, B, D + 1): the loop walks the leading axis
    steps = tf.shape(x1)[0]

    def body(t, h, c, hs):
        h, c, _ = _forward_step(tf.matmul(h, w_h) + tf.matmul(x1[t], w_x1), c, units)
        return t + 1, h, c, hs.write(t, h)

    *_, hs = tf.while_loop(lambda t, *_: t < steps, body,
                           (tf.constant(0), h0, c0, tf.TensorArray(x1.dtype, size=steps)),
                           maximum_iterations=steps)  # XLA needs the bound
    return tf.transpose(hs.stack(), [1, 0, 2])


def _unrolled_recurrence(x1: tf.Tensor, w_x1: tf.Tensor, w_h: tf.Tensor, h0: tf.Tensor,
                         c0: tf.Tensor) -> tf.Tensor:
    """The recurrence unrolled in Python: the backward pass reads the forward's per-step tensors.

    With a static T there is no loop op at all, and nothing is stacked and
    sliced again: the gradient function keeps each step's activations as
    Python references.

    Args:
        x1: tf.Tensor ``(B, T, D + 1)`` with a static T, the input with a column of ones.
        w_x1: tf.Tensor ``(D + 1, 4H)``, ``[W_x; b]``, gates i, f, o, g.
        w_h: tf.Tensor ``(H, 4H)``, the recurrent kernel.
        h0: tf.Tensor ``(B, H)``, the initial hidden state.
        c0: tf.Tensor ``(B, H)``, the initial cell state.

    Returns:
        tf.Tensor ``(B, T, H)``, the hidden state after every step.
    """
    units = w_h.shape[0]

    @tf.custom_gradient
    def recurrence(x1, w_x1, w_h, h0, c0):
        w = tf.concat([w_h, w_x1], axis=0)  # (H + D + 1, 4H)
        h, c, caches, us, hs = h0, c0, [], [], []
        for x1_t in tf.unstack(x1, axis=1):
            u = tf.concat([h, x1_t], axis=1)  # u_t = [h_{t-1}, x_t, 1]
            h, c, cache = _forward_step(tf.matmul(u, w), c, units)  # z_t = u_t [W_h; W_x; b]
            caches.append(cache)
            us.append(u)
            hs.append(h)

        # --8<-- [start:unrolled_backward]
        def grad(dhs):
            dh_next = dc = tf.zeros_like(h0)
            dxs, dws = [], []
            for t, dy in reversed(list(enumerate(tf.unstack(dhs, axis=1)))):
                dz, dc = _backward_step(dy, dh_next, dc, caches[t])
                dh_next = tf.matmul(dz, w_h, transpose_b=True)  # dh_{t-1} = dz_t W_h^T
                dxs.append(tf.matmul(dz, w_x1, transpose_b=True))  # d[x_t, 1] = dz_t [W_x; b]^T
                dws.append(tf.matmul(us[t], dz, transpose_a=True))  # u_t^T dz_t
            dw = tf.add_n(dws)  # (H + D + 1, 4H)
            return tf.stack(dxs[::-1], axis=1), dw[units:], dw[:units], dh_next, dc
        # --8<-- [end:unrolled_backward]

        return tf.stack(hs, axis=1), grad

    return recurrence(x1, w_x1, w_h, h0, c0)


def _looped_recurrence(x1: tf.Tensor, w_x1: tf.Tensor, w_h: tf.Tensor, h0: tf.Tensor,
                       c0: tf.Tensor) -> tf.Tensor:
    """The recurrence as two ``tf.while_loop``\\ s (any T, one concrete function).

    Each step multiplies ``u_t = [h_{t-1}, x_t, 1]`` by the stacked kernel
    ``[W_h; W_x; b]``: one product forward, two backward (``du_t = dz_t W^T``
    and the running sum ``sum_t u_t^T dz_t``). The forward loop stores each
    step's ``u_t``, ``z_t`` and ``c_{t-1}``; the backward loop reads them back
    and recomputes the few activations it needs.

    Args:
        x1: tf.Tensor ``(B, T, D + 1)``, the input with a column of ones.
        w_x1: tf.Tensor ``(D + 1, 4H)``, ``[W_x; b]``, gates i, f, o, g.
        w_h: tf.Tensor ``(H, 4H)``, the recurrent kernel.
        h0: tf.Tensor ``(B, H)``, the initial hidden state.
        c0: tf.Tensor ``(B, H)``, the initial cell state.

    Returns:
        tf.Tensor ``(B, T, H)``, the hidden state after every step.
    """
    units = w_h.shape[0]

    @tf.custom_gradient
    def recurrence(x1, w_x1, w_h, h0, c0):
        inputs = tf.transpose(x1, [1, 0, 2])  # (T, B, D + 1): the loops walk the leading axis
        steps = tf.shape(inputs)[0]
        w = tf.concat([w_h, w_x1], axis=0)  # (H + D + 1, 4H)

        def forward(t, h, c, us, zs, cs_prev, hs):
            u = tf.concat([h, inputs[t]], axis=1)  # u_t = [h_{t-1}, x_t, 1]
            z = tf.matmul(u, w)  # z_t = u_t [W_h; W_x; b]
            h_next, c_next, _ = _forward_step(z, c, units)
            return t + 1, h_next, c_next, us.write(t, u), zs.write(t, z), cs_prev.write(t, c), hs.write(t, h_next)

        arrays = [tf.TensorArray(x1.dtype, size=steps) for _ in range(4)]
        *_, us, zs, cs_prev, hs = tf.while_loop(
            lambda t, *_: t < steps, forward, (tf.constant(0), h0, c0, *arrays),
            maximum_iterations=steps,  # XLA needs the bound
        )

        def grad(dhs):
            dys = tf.transpose(dhs, [1, 0, 2])  # (T, B, H)

            def backward(t, dh_next, dc, dw, dxs):
                _, _, cache = _forward_step(zs.read(t), cs_prev.read(t), units)  # recompute the gates
                dz, dc = _backward_step(dys[t], dh_next, dc, cache)
                du = tf.matmul(dz, w, transpose_b=True)  # du_t = dz_t W^T = [dh_{t-1}, dx_t, d1]
                return (t - 1, du[:, :units], dc, dw + tf.matmul(us.read(t), dz, transpose_a=True),
                        dxs.write(t, du[:, units:]))

            zeros = tf.zeros_like(h0)
            _, dh0, dc0, dw, dxs = tf.while_loop(
                lambda t, *_: t >= 0, backward,
                (steps - 1, zeros, zeros, tf.zeros_like(w), tf.TensorArray(x1.dtype, size=steps)),
                maximum_iterations=steps,
            )
            return tf.transpose(dxs.stack(), [1, 0, 2]), dw[units:], dw[:units], dh0, dc0

        return tf.transpose(hs.stack(), [1, 0, 2]), grad

    return recurrence(x1, w_x1, w_h, h0, c0)
