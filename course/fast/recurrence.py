r"""The LSTM recurrence with a hand-written backward pass (BPTT).

Why hand-write the gradient? On a CPU with B = 64 and H = 32 every matrix is
tiny: a train step costs what TensorFlow spends dispatching ops and moving
memory, not the arithmetic. Automatic differentiation of a loop pushes every
intermediate of every step onto accumulator stacks, pops it back, and adds
each step's weight gradient ``h_{t-1}^T dz_t`` inside the backward loop. Here:

- the forward pass keeps only what the backward pass needs;
- the backward pass runs only the recurrence of the two state gradients,
  step by step, on ``(B, H)`` tensors that stay in the CPU's cache:

  .. math::

      dh_t &= \bar{y}_t + dz_{t+1} W_h^\top \\
      dc_t &= dc_{t+1} \odot f_{t+1} + dh_t \odot o_t \odot (1 - \tanh^2 c_t) \\
      dz_t &= [dc_t\, g_t,\ dc_t\, c_{t-1},\ dh_t \tanh c_t] \odot \sigma'
              \ \Vert\ dc_t\, i_t (1 - g_t^2)

- the weight gradient ``sum_t h_{t-1}^T dz_t`` is one ``(H, TB) x (TB, 4H)``
  matmul after the loop.

(A first version computed the backward coefficients for all steps at once,
over ``(T, B, 4H)`` tensors: fewer ops, but each op streamed the whole
sequence through memory, and it measured slower than per-step work.)

Two flavours: unrolled in Python for a static T (no loop ops at all; the
backward pass reads the forward's per-step tensors directly), and two
``tf.while_loop``s for any T. Gates are packed in the order i, f, o, g, so one
``sigmoid`` covers the three sigmoid gates (the first 3H columns) and one
``tanh`` the candidate.

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
    """Run the forward recurrence, for TensorFlow to differentiate (``hand_gradient=False``).

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

    if unroll:
        return _unrolled_recurrence(xw, w_h, h0, c0)
    return _looped_recurrence(xw, w_h, h0, c0)


def _unrolled_recurrence(xw: tf.Tensor, w_h: tf.Tensor, h0: tf.Tensor, c0: tf.Tensor) -> tf.Tensor:
    """The recurrence unrolled in Python: the backward pass reads the forward's per-step tensors.

    With a static T there is no loop op at all, and nothing is stacked and
    sliced again: the gradient function keeps each step's activations as
    Python references. Every elementwise op works on a ``(B, H)`` tensor that
    stays in the CPU's cache, where ops over the whole ``(T, B, 4H)``
    sequence would stream it through memory once per op.

    Args:
        xw: tf.Tensor ``(T, B, 4H)`` with a static T, ``x_t W_x + b``, gates i, f, o, g.
        w_h: tf.Tensor ``(H, 4H)``, the recurrent kernel.
        h0: tf.Tensor ``(B, H)``, the initial hidden state.
        c0: tf.Tensor ``(B, H)``, the initial cell state.

    Returns:
        tf.Tensor ``(T, B, H)``, the hidden state after every step.
    """
    units = w_h.shape[0]

    @tf.custom_gradient
    def recurrence(xw, w_h, h0, c0):
        h, c, saved, hs = h0, c0, [], []
        for xw_t in tf.unstack(xw):
            # z_t = (x_t W_x + b) + h_{t-1} W_h
            z = xw_t + tf.matmul(h, w_h)
            s = tf.sigmoid(z[:, : 3 * units])  # [i, f, o]
            g = tf.tanh(z[:, 3 * units :])
            i, f, o = tf.split(s, 3, axis=-1)
            c_prev, c = c, f * c + i * g  # c_t = f_t c_{t-1} + i_t g_t
            tc = tf.tanh(c)
            h = o * tc  # h_t = o_t tanh(c_t)
            saved.append((s, g, i, f, o, c_prev, tc))
            hs.append(h)

        # --8<-- [start:unrolled_backward]
        def grad(dhs):
            dh_next = dc = tf.zeros_like(h0)
            dzs = []
            for dy, (s, g, i, f, o, c_prev, tc) in zip(reversed(tf.unstack(dhs)), reversed(saved)):
                dh = dy + dh_next
                # dc_t = dc_{t+1} f_{t+1} + dh_t o_t (1 - tanh^2 c_t)
                dc = dc + dh * o * (1.0 - tc * tc)
                # d[i, f, o] = [dc g, dc c_{t-1}, dh tanh c_t] * sigma'(z);  dg = dc i (1 - g^2)
                ds = tf.concat([dc * g, dc * c_prev, dh * tc], axis=-1) * (s - s * s)
                dz = tf.concat([ds, dc * (i - i * g * g)], axis=-1)
                dzs.append(dz)
                dh_next = tf.matmul(dz, w_h, transpose_b=True)  # dh_{t-1} = dz_t W_h^T
                dc = dc * f  # dc_{t-1} = dc_t f_t
            dzs = tf.stack(dzs[::-1])  # (T, B, 4H)
            # dL/dW_h = sum_t h_{t-1}^T dz_t: one (H, TB) x (TB, 4H) product
            hs_prev = tf.reshape(tf.stack([h0, *hs[:-1]]), (-1, units))  # (T*B, H)
            dw_h = tf.matmul(hs_prev, tf.reshape(dzs, (-1, 4 * units)), transpose_a=True)
            return dzs, dw_h, dh_next, dc
        # --8<-- [end:unrolled_backward]

        return tf.stack(hs), grad

    return recurrence(xw, w_h, h0, c0)


def _gates(z: tf.Tensor, units: int) -> tuple[tf.Tensor, ...]:
    """The activations of one step from its pre-activation ``z`` ``(B, 4H)``.

    Args:
        z: tf.Tensor ``(B, 4H)``, gate order i, f, o, g.
        units: int, H.

    Returns:
        ``(s, g, i, f, o)``: ``s = [i, f, o]`` ``(B, 3H)`` and the four gates ``(B, H)``.
    """
    s = tf.sigmoid(z[:, : 3 * units])  # [i, f, o] in one op
    g = tf.tanh(z[:, 3 * units :])
    i, f, o = tf.split(s, 3, axis=-1)
    return s, g, i, f, o


def _looped_recurrence(xw: tf.Tensor, w_h: tf.Tensor, h0: tf.Tensor, c0: tf.Tensor) -> tf.Tensor:
    """The recurrence as two ``tf.while_loop``s (any T, one concrete function).

    The forward loop stores each step's ``z_t`` and ``c_{t-1}``; the backward
    loop reads them back and recomputes the few activations it needs, step by
    step, on ``(B, H)`` tensors that stay in the CPU's cache.

    Args:
        xw: tf.Tensor ``(T, B, 4H)``, ``x_t W_x + b``, gates i, f, o, g.
        w_h: tf.Tensor ``(H, 4H)``, the recurrent kernel.
        h0: tf.Tensor ``(B, H)``, the initial hidden state.
        c0: tf.Tensor ``(B, H)``, the initial cell state.

    Returns:
        tf.Tensor ``(T, B, H)``, the hidden state after every step.
    """
    units = w_h.shape[0]

    @tf.custom_gradient
    def recurrence(xw, w_h, h0, c0):
        steps = tf.shape(xw)[0]

        def forward(t, h, c, zs, cs_prev, hs):
            # z_t = (x_t W_x + b) + h_{t-1} W_h
            z = xw[t] + tf.matmul(h, w_h)
            _, g, i, f, o = _gates(z, units)
            c_next = f * c + i * g  # c_t = f_t c_{t-1} + i_t g_t
            h = o * tf.tanh(c_next)  # h_t = o_t tanh(c_t)
            return t + 1, h, c_next, zs.write(t, z), cs_prev.write(t, c), hs.write(t, h)

        arrays = [tf.TensorArray(xw.dtype, size=steps) for _ in range(3)]
        *_, zs, cs_prev, hs = tf.while_loop(
            lambda t, *_: t < steps, forward, (tf.constant(0), h0, c0, *arrays),
            maximum_iterations=steps,  # XLA needs the bound
        )
        hs = hs.stack()  # (T, B, H); z and c_{t-1} stay in their TensorArrays, read one step at a time

        def grad(dhs):
            def backward(t, dh_next, dc, dzs):
                s, g, i, f, o = _gates(zs.read(t), units)
                c_prev = cs_prev.read(t)
                tc = tf.tanh(f * c_prev + i * g)  # tanh(c_t), recomputed
                dh = dhs[t] + dh_next
                # dc_t = dc_{t+1} f_{t+1} + dh_t o_t (1 - tanh^2 c_t)
                dc = dc + dh * o * (1.0 - tc * tc)
                # d[i, f, o] = [dc g, dc c_{t-1}, dh tanh c_t] * sigma'(z);  dg = dc i (1 - g^2)
                ds = tf.concat([dc * g, dc * c_prev, dh * tc], axis=-1) * (s - s * s)
                dz = tf.concat([ds, dc * (i - i * g * g)], axis=-1)
                # dh_{t-1} = dz_t W_h^T;  dc_{t-1} = dc_t f_t
                return t - 1, tf.matmul(dz, w_h, transpose_b=True), dc * f, dzs.write(t, dz)

            zeros = tf.zeros_like(h0)
            _, dh0, dc0, dzs = tf.while_loop(
                lambda t, *_: t >= 0, backward,
                (steps - 1, zeros, zeros, tf.TensorArray(xw.dtype, size=steps)),
                maximum_iterations=steps,
            )
            dzs = dzs.stack()  # (T, B, 4H)
            # dL/dW_h = sum_t h_{t-1}^T dz_t: one (H, TB) x (TB, 4H) product
            hs_prev = tf.reshape(_shift(h0, hs), (-1, units))  # (T*B, H)
            dw_h = tf.matmul(hs_prev, tf.reshape(dzs, (-1, 4 * units)), transpose_a=True)
            return dzs, dw_h, dh0, dc0

        return hs, grad

    return recurrence(xw, w_h, h0, c0)
