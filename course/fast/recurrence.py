r"""The LSTM recurrence with a hand-written backward pass (BPTT).

Why hand-write the gradient? On a CPU with B = 64 and H = 32 every matrix is
tiny, so a train step costs what TensorFlow spends *dispatching ops*, not the
arithmetic. So the loops here do only what is truly sequential, and all the
rest runs once over the whole ``(T, B, ...)`` sequence, before or after them:

- forward, per step: ``z_t = xw_t + h_{t-1} W_h``, the gates, ``c_t``, ``h_t``;
  it stores ``[z_t, c_t]`` only. The activations of all steps are recomputed
  afterwards in a handful of vectorised ops.
- backward, per step, only the recurrence of the two state gradients:

  .. math::

      dh_t &= \bar{y}_t + dz_{t+1} W_h^\top \\
      dc_t &= dc_{t+1} \odot f_{t+1} + dh_t \odot A_t \\
      dz_t &= [dc_t, dc_t, dh_t, dc_t] \odot P_t

  where ``A_t = o_t (1 - tanh^2 c_t)`` and the gates' local derivatives
  ``P_t = [g i(1-i),\ c_{t-1} f(1-f),\ tanh(c_t)\, o(1-o),\ i(1-g^2)]``
  are computed for every step at once before the loop.
- the weight gradient ``sum_t h_{t-1}^T dz_t`` is one ``(H, TB) x (TB, 4H)``
  matmul after the loop, instead of a small matmul and an add per step.

Automatic differentiation of a ``tf.while_loop`` instead pushes every
intermediate of every step onto accumulator stacks and pops it back, and
does all of the above inside the loop.

Gates are packed in the order i, f, o, g, so one ``sigmoid`` covers the
three sigmoid gates (the first 3H columns) and one ``tanh`` the candidate.

Shapes: B batch, T time steps, H units; ``z`` is the pre-activation
``x_t W_x + b + h_{t-1} W_h`` of the four gates, ``(B, 4H)``.
"""

from __future__ import annotations

import tensorflow as tf


def _cell(z: tf.Tensor, c: tf.Tensor, units: int) -> tuple[tf.Tensor, tf.Tensor]:
    """One LSTM step from the gates' pre-activation.

    Args:
        z: tf.Tensor ``(B, 4H)``, pre-activations in the order i, f, o, g.
        c: tf.Tensor ``(B, H)``, the cell state c_{t-1}.
        units: int, H.

    Returns:
        ``(h_t, c_t)``, each ``(B, H)``.
    """
    # [i_t, f_t, o_t] = sigma(z[:, :3H]) in one op; g_t = tanh(z[:, 3H:])
    i, f, o = tf.split(tf.sigmoid(z[..., : 3 * units]), 3, axis=-1)  # 3 x (B, H)
    g = tf.tanh(z[..., 3 * units :])  # (B, H)
    # c_t = f_t * c_{t-1} + i_t * g_t
    c = f * c + i * g
    # h_t = o_t * tanh(c_t)
    return o * tf.tanh(c), c


def _forward(xw: tf.Tensor, w_h: tf.Tensor, h0: tf.Tensor, c0: tf.Tensor, units: int,
             unroll: bool) -> tuple[tf.Tensor, tf.Tensor]:
    """Run the forward recurrence; keep only each step's ``z_t`` and ``c_t``.

    Args:
        xw: tf.Tensor ``(T, B, 4H)``, ``x_t W_x + b`` for every step.
        w_h: tf.Tensor ``(H, 4H)``, the recurrent kernel.
        h0: tf.Tensor ``(B, H)``, the initial hidden state.
        c0: tf.Tensor ``(B, H)``, the initial cell state.
        units: int, H.
        unroll: bool, a Python loop over a static T instead of ``tf.while_loop``.

    Returns:
        ``(z, c)``: the stacked pre-activations ``(T, B, 4H)`` and cell states ``(T, B, H)``.
    """
    if unroll:  # a static T: a flat graph without any loop ops
        h, c, zs, cs = h0, c0, [], []
        for xw_t in tf.unstack(xw):
            # z_t = (x_t W_x + b) + h_{t-1} W_h
            z = xw_t + tf.matmul(h, w_h)
            h, c = _cell(z, c, units)
            zs.append(z)
            cs.append(c)
        return tf.stack(zs), tf.stack(cs)

    steps = tf.shape(xw)[0]

    def body(t, h, c, zs, cs):
        z = xw[t] + tf.matmul(h, w_h)  # (B, 4H)
        h, c = _cell(z, c, units)
        return t + 1, h, c, zs.write(t, z), cs.write(t, c)

    *_, zs, cs = tf.while_loop(
        lambda t, *_: t < steps, body,
        (tf.constant(0), h0, c0, *(tf.TensorArray(xw.dtype, size=steps) for _ in range(2))),
        maximum_iterations=steps,  # XLA needs the bound
    )
    return zs.stack(), cs.stack()  # (T, B, 4H), (T, B, H)


def _backward(dhs: tf.Tensor, w_h: tf.Tensor, a: tf.Tensor, f: tf.Tensor, p: tf.Tensor,
              unroll: bool) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """Run the backward recurrence from t = T-1 down to 0.

    Args:
        dhs: tf.Tensor ``(T, B, H)``, dL/dh_t from the layers above.
        w_h: tf.Tensor ``(H, 4H)``, the recurrent kernel.
        a: tf.Tensor ``(T, B, H)``, ``A_t`` of every step.
        f: tf.Tensor ``(T, B, H)``, the forget gate of every step.
        p: tf.Tensor ``(T, B, 4H)``, ``P_t`` of every step.
        unroll: bool, a Python loop over a static T instead of ``tf.while_loop``.

    Returns:
        ``(dZ, dh_0, dc_0)``: dL/dz of every step ``(T, B, 4H)`` and the
        gradients of the initial states, ``(B, H)`` each.
    """

    # Separate tensors sliced on the leading (time) axis: contiguous and cheap, where
    # splitting one packed tensor along its last axis would copy row by row.
    def step(dy, dh_next, dc_next, a, f, p):
        # dh_t = dy_t + dz_{t+1} W_h^T (the second term is dh_next)
        dh = dy + dh_next
        # dc_t = dc_{t+1} f_{t+1} + dh_t A_t (the first term is dc_next)
        dc = dc_next + dh * a
        # dz_t = [dc, dc, dh, dc] * P_t
        dz = tf.concat([dc, dc, dh, dc], axis=-1) * p
        # carry dh_{t-1} <- dz_t W_h^T and dc_{t-1} <- dc_t f_t
        return dz, tf.matmul(dz, w_h, transpose_b=True), dc * f

    zeros = tf.zeros_like(dhs[0])  # (B, H)
    if unroll:
        dh, dc, dzs = zeros, zeros, []
        for t in reversed(range(dhs.shape[0])):
            dz, dh, dc = step(dhs[t], dh, dc, a[t], f[t], p[t])
            dzs.append(dz)
        return tf.stack(dzs[::-1]), dh, dc

    steps = tf.shape(dhs)[0]

    def body(t, dh, dc, dzs):
        dz, dh, dc = step(dhs[t], dh, dc, a[t], f[t], p[t])
        return t - 1, dh, dc, dzs.write(t, dz)

    _, dh, dc, dzs = tf.while_loop(
        lambda t, *_: t >= 0, body,
        (steps - 1, zeros, zeros, tf.TensorArray(dhs.dtype, size=steps)),
        maximum_iterations=steps,
    )
    return dzs.stack(), dh, dc


def _shift(first: tf.Tensor, sequence: tf.Tensor) -> tf.Tensor:
    """Return ``[first, sequence[0], ..., sequence[T-2]]``: each step's previous state.

    Args:
        first: tf.Tensor ``(B, H)``, the initial state.
        sequence: tf.Tensor ``(T, B, H)``, the state after every step.

    Returns:
        tf.Tensor ``(T, B, H)``.
    """
    return tf.concat([first[tf.newaxis], sequence[:-1]], axis=0)


def lstm_recurrence(
    xw: tf.Tensor, w_h: tf.Tensor, h0: tf.Tensor, c0: tf.Tensor, *, unroll: bool = False,
    hand_gradient: bool = True,
) -> tf.Tensor:
    """Run the LSTM recurrence over time, with a hand-written gradient.

    Args:
        xw: tf.Tensor ``(T, B, 4H)``, the input projection ``x_t W_x + b`` of
            every step, computed before the loop; gate order i, f, o, g.
        w_h: tf.Tensor ``(H, 4H)``, the recurrent kernel, same gate order.
        h0: tf.Tensor ``(B, H)``, the initial hidden state.
        c0: tf.Tensor ``(B, H)``, the initial cell state.
        unroll: bool, unroll the loop in Python (needs a static T; the graph
            grows with T) instead of one ``tf.while_loop``.
        hand_gradient: bool, use the hand-written backward pass; with False,
            TensorFlow differentiates the loop itself (for comparison).

    Returns:
        tf.Tensor ``(T, B, H)``, the hidden state after every step. Its
        gradient flows to ``xw``, ``w_h``, ``h0`` and ``c0``.

    Example:
        >>> H = 8
        >>> hs = lstm_recurrence(tf.zeros((25, 4, 4 * H)), tf.zeros((H, 4 * H)),
        ...                      tf.zeros((4, H)), tf.zeros((4, H)))
        >>> hs.shape
        TensorShape([25, 4, 8])
    """
    units = w_h.shape[0]
    if not hand_gradient:
        z, c = _forward(xw, w_h, h0, c0, units, unroll)
        return tf.sigmoid(z[..., 2 * units : 3 * units]) * tf.tanh(c)  # h_t = o_t * tanh(c_t)

    @tf.custom_gradient
    def recurrence(xw, w_h, h0, c0):
        z, c = _forward(xw, w_h, h0, c0, units, unroll)
        # The activations of every step at once: (T, B, H) each.
        i, f, o = tf.split(tf.sigmoid(z[..., : 3 * units]), 3, axis=-1)
        g = tf.tanh(z[..., 3 * units :])
        tc = tf.tanh(c)
        hs = o * tc  # h_t = o_t * tanh(c_t)

        def grad(dhs):
            # A_t = o_t (1 - tanh^2 c_t): how h_t moves c_t
            a = o * (1.0 - tc * tc)
            # P_t = [g i(1-i), c_{t-1} f(1-f), tanh(c_t) o(1-o), i (1-g^2)]: one concat, after
            # the elementwise products, because concatenating along the last axis is slow.
            p = tf.concat([g * i * (1.0 - i), _shift(c0, c) * f * (1.0 - f), tc * o * (1.0 - o),
                           i * (1.0 - g * g)], axis=-1)
            dzs, dh0, dc0 = _backward(dhs, w_h, a, f, p, unroll)
            # dL/dW_h = sum_t h_{t-1}^T dz_t: one (H, TB) x (TB, 4H) product
            hs_prev = tf.reshape(_shift(h0, hs), (-1, units))  # (T*B, H)
            dw_h = tf.matmul(hs_prev, tf.reshape(dzs, (-1, 4 * units)), transpose_a=True)
            return dzs, dw_h, dh0, dc0

        return hs, grad

    return recurrence(xw, w_h, h0, c0)
