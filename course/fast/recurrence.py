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

The forward pass also computes each step's backward coefficients
(:class:`StepCache`) while the gate activations are at hand, so a backward
step is six small ops besides its matrix products.

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
    """The coefficients of one step's backward pass, computed by its forward pass.

    Attributes:
        k: ``(B, 4H)``, ``[g sigma'(i), c_{t-1} sigma'(f), tanh(c_t) sigma'(o), i (1 - g^2)]``:
            ``dz_t = [dc_t, dc_t, dh_t, dc_t] * k``.
        a: ``(B, H)``, ``o (1 - tanh^2 c_t)``: ``dc_t = dc_{t+1} f_{t+1} + dh_t a``.
        f: ``(B, H)``, the forget gate, which carries ``dc_t`` back to step t - 1.
    """

    k: tf.Tensor
    a: tf.Tensor
    f: tf.Tensor


def _forward_step(z: tf.Tensor, c: tf.Tensor, units: int) -> tuple[tf.Tensor, tf.Tensor, StepCache]:
    """One LSTM step from the gates' pre-activation, and its backward coefficients.

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
    # d[i, f, o, g]/d[gate pre-activations], times what each gate multiplies: sigma' = s (1 - s), tanh' = 1 - g^2
    k = tf.concat([g, c, tc, i], axis=1) * tf.concat([s - s * s, 1.0 - g * g], axis=1)
    return o * tc, c_next, StepCache(k, o - o * tc * tc, f)  # h_t = o_t tanh(c_t)


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
    dh = dy + dh_next
    dc = dc_next + dh * cache.a  # dc_t = dc_{t+1} f_{t+1} + dh_t o_t (1 - tanh^2 c_t)
    # d[i, f, o] = [dc g, dc c_{t-1}, dh tanh c_t] * sigma'(z);  dg = dc i (1 - g^2)
    dz = tf.concat([dc, dc, dh, dc], axis=1) * cache.k
    return dz, dc * cache.f
# --8<-- [end:backward_step]


def _step(h: tf.Tensor, c: tf.Tensor, x1_t: tf.Tensor, w: tf.Tensor,
          units: int) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor, StepCache]:
    """One forward step: ``z_t = u_t W`` with ``u_t = [h_{t-1}, x_t, 1]``, then the gates.

    Args:
        h: tf.Tensor ``(B, H)``, h_{t-1}.
        c: tf.Tensor ``(B, H)``, c_{t-1}.
        x1_t: tf.Tensor ``(B, D + 1)``, ``[x_t, 1]``.
        w: tf.Tensor ``(H + D + 1, 4H)``, the stacked kernel ``[W_h; W_x; b]``.
        units: int, H.

    Returns:
        ``(u_t, h_t, c_t, cache)``.
    """
    u = tf.concat([h, x1_t], axis=1)  # (B, H + D + 1)
    return (u, *_forward_step(tf.matmul(u, w), c, units))


def lstm_recurrence(
    x: tf.Tensor, w_x: tf.Tensor, w_h: tf.Tensor, b: tf.Tensor, h0: tf.Tensor, c0: tf.Tensor, *,
    unroll: bool = False, hand_gradient: bool = True,
) -> tf.Tensor:
    """Run the LSTM recurrence over time, with a hand-written gradient.

    Args:
        x: tf.Tensor ``(T, B, D)``, the input sequence, time-major.
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
        tf.Tensor ``(T, B, H)``, the hidden state after every step. Its
        gradient flows to every argument.

    Example:
        >>> H = 8
        >>> hs = lstm_recurrence(tf.zeros((25, 4, 1)), tf.zeros((1, 4 * H)), tf.zeros((H, 4 * H)),
        ...                      tf.zeros(4 * H), tf.zeros((4, H)), tf.zeros((4, H)))
        >>> hs.shape
        TensorShape([25, 4, 8])
    """
    # [h_{t-1}, x_t, 1] [W_h; W_x; b] = h_{t-1} W_h + x_t W_x + b: the bias rides along as the last row
    x1 = tf.concat([x, tf.ones_like(x[..., :1])], axis=-1)  # (T, B, D + 1)
    w = tf.concat([w_h, w_x, b[tf.newaxis]], axis=0)  # (H + D + 1, 4H); autodiff splits its gradient
    if not hand_gradient:
        return _autodiff_recurrence(x1, w, h0, c0, unroll)
    if unroll:
        return _unrolled_recurrence(x1, w, h0, c0)
    return _looped_recurrence(x1, w, h0, c0)


def _autodiff_recurrence(x1: tf.Tensor, w: tf.Tensor, h0: tf.Tensor, c0: tf.Tensor, unroll: bool) -> tf.Tensor:
    """The forward recurrence alone, for TensorFlow to differentiate (``hand_gradient=False``).

    Args:
        x1: tf.Tensor ``(T, B, D + 1)``, the input with a column of ones.
        w: tf.Tensor ``(H + D + 1, 4H)``, ``[W_h; W_x; b]``.
        h0: tf.Tensor ``(B, H)``, the initial hidden state.
        c0: tf.Tensor ``(B, H)``, the initial cell state.
        unroll: bool, a Python loop over a static T instead of ``tf.while_loop``.

    Returns:
        tf.Tensor ``(T, B, H)``.
    """
    units = w.shape[1] // 4
    if unroll:
        h, c, hs = h0, c0, []
        for x1_t in tf.unstack(x1):
            _, h, c, _ = _step(h, c, x1_t, w, units)
            hs.append(h)
        return tf.stack(hs)

    steps = tf.shape(x1)[0]

    def body(t, h, c, hs):
        _, h, c, _ = _step(h, c, x1[t], w, units)
        return t + 1, h, c, hs.write(t, h)

    *_, hs = tf.while_loop(lambda t, *_: t < steps, body,
                           (tf.constant(0), h0, c0, tf.TensorArray(x1.dtype, size=steps)),
                           maximum_iterations=steps)  # XLA needs the bound
    return hs.stack()


def _unrolled_recurrence(x1: tf.Tensor, w: tf.Tensor, h0: tf.Tensor, c0: tf.Tensor) -> tf.Tensor:
    """The recurrence unrolled in Python: the backward pass reads the forward's per-step tensors.

    With a static T there is no loop op at all, and nothing is stacked and
    sliced again: the gradient function keeps each step's activations as
    Python references.

    Args:
        x1: tf.Tensor ``(T, B, D + 1)`` with a static T, the input with a column of ones.
        w: tf.Tensor ``(H + D + 1, 4H)``, ``[W_h; W_x; b]``, gates i, f, o, g.
        h0: tf.Tensor ``(B, H)``, the initial hidden state.
        c0: tf.Tensor ``(B, H)``, the initial cell state.

    Returns:
        tf.Tensor ``(T, B, H)``, the hidden state after every step.
    """
    units = w.shape[1] // 4

    @tf.custom_gradient
    def recurrence(x1, w, h0, c0):
        w_h, w_x1 = w[:units], w[units:]  # W_h and [W_x; b]
        h, c, caches, us, hs = h0, c0, [], [], []
        for x1_t in tf.unstack(x1):
            u, h, c, cache = _step(h, c, x1_t, w, units)
            caches.append(cache)
            us.append(u)
            hs.append(h)

        # --8<-- [start:unrolled_backward]
        def grad(dhs):
            dh_next = dc = tf.zeros_like(h0)
            dxs, dws = [], []
            for t, dy in reversed(list(enumerate(tf.unstack(dhs)))):
                dz, dc = _backward_step(dy, dh_next, dc, caches[t])
                dh_next = tf.matmul(dz, w_h, transpose_b=True)  # dh_{t-1} = dz_t W_h^T
                dxs.append(tf.matmul(dz, w_x1, transpose_b=True))  # d[x_t, 1] = dz_t [W_x; b]^T
                dws.append(tf.matmul(us[t], dz, transpose_a=True))  # u_t^T dz_t
            return tf.stack(dxs[::-1]), tf.add_n(dws), dh_next, dc
        # --8<-- [end:unrolled_backward]

        return tf.stack(hs), grad

    return recurrence(x1, w, h0, c0)


def _looped_recurrence(x1: tf.Tensor, w: tf.Tensor, h0: tf.Tensor, c0: tf.Tensor) -> tf.Tensor:
    """The recurrence as two ``tf.while_loop``\\ s (any T, one concrete function).

    Each step multiplies ``u_t = [h_{t-1}, x_t, 1]`` by the stacked kernel
    ``[W_h; W_x; b]``: one product forward, two backward (``du_t = dz_t W^T``
    and the running sum ``sum_t u_t^T dz_t``). The forward loop stores each
    step's ``u_t`` and backward coefficients (:class:`StepCache`); the
    backward loop reads them back.

    Args:
        x1: tf.Tensor ``(T, B, D + 1)``, the input with a column of ones.
        w: tf.Tensor ``(H + D + 1, 4H)``, ``[W_h; W_x; b]``, gates i, f, o, g.
        h0: tf.Tensor ``(B, H)``, the initial hidden state.
        c0: tf.Tensor ``(B, H)``, the initial cell state.

    Returns:
        tf.Tensor ``(T, B, H)``, the hidden state after every step.
    """
    units = w.shape[1] // 4

    @tf.custom_gradient
    def recurrence(x1, w, h0, c0):
        steps = tf.shape(x1)[0]

        def forward(t, h, c, us, ks, as_, fs, hs):
            u, h_next, c_next, cache = _step(h, c, x1[t], w, units)
            return (t + 1, h_next, c_next, us.write(t, u), ks.write(t, cache.k), as_.write(t, cache.a),
                    fs.write(t, cache.f), hs.write(t, h_next))

        arrays = [tf.TensorArray(x1.dtype, size=steps) for _ in range(5)]
        *_, us, ks, as_, fs, hs = tf.while_loop(
            lambda t, *_: t < steps, forward, (tf.constant(0), h0, c0, *arrays),
            maximum_iterations=steps,  # XLA needs the bound
        )

        def grad(dhs):
            def backward(t, dh_next, dc, dw, dxs):
                cache = StepCache(ks.read(t), as_.read(t), fs.read(t))
                dz, dc = _backward_step(dhs[t], dh_next, dc, cache)
                du = tf.matmul(dz, w, transpose_b=True)  # du_t = dz_t W^T = [dh_{t-1}, dx_t, d1]
                return (t - 1, du[:, :units], dc, dw + tf.matmul(us.read(t), dz, transpose_a=True),
                        dxs.write(t, du[:, units:]))

            zeros = tf.zeros_like(h0)
            _, dh0, dc0, dw, dxs = tf.while_loop(
                lambda t, *_: t >= 0, backward,
                (steps - 1, zeros, zeros, tf.zeros_like(w), tf.TensorArray(x1.dtype, size=steps)),
                maximum_iterations=steps,
            )
            return dxs.stack(), dw, dh0, dc0

        return hs.stack(), grad

    return recurrence(x1, w, h0, c0)
