"""The models under test and their train steps (forward, backward, Adam).

Every variant solves the same problem with the same shapes: a read-in
``Dense(H)``, an LSTM with H units, a read-out ``Dense(1, sigmoid)``, binary
cross-entropy on the last step, Adam. Only the LSTM and the way it runs differ.

Shapes: B batch, T time steps, H units.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import tensorflow as tf

from course.fast import FastIntegrationModel
from course.impl import load

#: A train step: ``step() -> loss``, on a fixed batch.
Step = Callable[[], tf.Tensor]


def batch(batch_size: int = 64, seq_len: int = 25, seed: int = 0) -> tuple[tf.Tensor, tf.Tensor]:
    """One fixed batch of the integration task.

    Args:
        batch_size: int, B.
        seq_len: int, T.
        seed: int, seed of the noise.

    Returns:
        ``(noise (B, T, 1) float32, target (B, 1) int32)``.
    """
    noise = tf.random.stateless_normal((batch_size, seq_len, 1), seed=(seed, 0))
    target = tf.cast(tf.reduce_sum(noise, axis=[1, 2])[:, tf.newaxis] > 0, tf.int32)  # (B, 1)
    return noise, target


def keras_twin(units: int = 32) -> keras.Model:
    """The same model with ``keras.layers.LSTM``: the yardstick.

    Args:
        units: int, H.

    Returns:
        An unbuilt ``keras.Sequential``: Dense(H), LSTM(H, return_sequences), Dense(1, sigmoid).
    """
    return keras.Sequential([
        keras.layers.Dense(units, name="read_in"),
        keras.layers.LSTM(units, return_sequences=True, name="lstm"),
        keras.layers.Dense(1, activation="sigmoid", name="read_out"),
    ])


def keras_twin_unrolled(units: int = 32) -> keras.Model:
    """The Keras twin with ``LSTM(unroll=True)``: the fair yardstick for an unrolled loop.

    Args:
        units: int, H.

    Returns:
        An unbuilt ``keras.Sequential``.
    """
    return keras.Sequential([
        keras.layers.Dense(units, name="read_in"),
        keras.layers.LSTM(units, return_sequences=True, unroll=True, name="lstm"),
        keras.layers.Dense(1, activation="sigmoid", name="read_out"),
    ])


def reference_model(units: int = 32, impl: str = "solutions") -> keras.Model:
    """The reference solution's ``IntegrationModel``.

    Args:
        units: int, H.
        impl: str, the implementation to load (``solutions`` by default).

    Returns:
        An unbuilt ``IntegrationModel``.
    """
    return load(impl).model.IntegrationModel(units=units)


def fast_model(units: int = 32, unroll: bool | None = None, hand_gradient: bool = True,
               fold_read_in: bool = True) -> keras.Model:
    """The fast path's model.

    Args:
        units: int, H.
        unroll: bool or None, unroll the time loop in Python (None: the layer decides).
        hand_gradient: bool, use the hand-written backward pass.
        fold_read_in: bool, fold the linear read-in into the LSTM's input weights.

    Returns:
        An unbuilt :class:`course.fast.FastIntegrationModel`.
    """
    return FastIntegrationModel(units=units, unroll=unroll, hand_gradient=hand_gradient,
                                fold_read_in=fold_read_in)


def graph_step(model: keras.Model, noise: tf.Tensor, target: tf.Tensor, *, jit_compile: bool = False) -> Step:
    """A ``tf.function`` train step on a fixed batch.

    The model is built eagerly first (NOTES.md trap 4: build before you trace).

    Args:
        model: keras.Model mapping ``(B, T, 1)`` to ``(B, T, 1)`` probabilities.
        noise: tf.Tensor ``(B, T, 1)``.
        target: tf.Tensor ``(B, 1)``.
        jit_compile: bool, compile the step with XLA.

    Returns:
        ``step() -> loss``.
    """
    model(noise[:1])
    optimizer = keras.optimizers.Adam(1e-3)
    optimizer.build(model.trainable_variables)
    bce = keras.losses.BinaryCrossentropy()

    @tf.function(jit_compile=jit_compile)
    def step(noise: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
        with tf.GradientTape() as tape:
            loss = bce(target, model(noise, training=True)[:, -1, :])  # last step: (B, 1)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    return lambda: step(noise, target)


def eager_loop_step(units: int, noise: tf.Tensor, target: tf.Tensor, impl: str = "solutions") -> Step:
    """The reference cell in a plain Python ``for`` loop over time, run eagerly.

    This is what the 2021 homework's loop does without graph mode: every op
    of every step goes through Python.

    Args:
        units: int, H.
        noise: tf.Tensor ``(B, T, 1)``.
        target: tf.Tensor ``(B, 1)``.
        impl: str, the implementation whose cell is used.

    Returns:
        ``step() -> loss``.
    """
    model = reference_model(units, impl)
    model(noise[:1])
    optimizer = keras.optimizers.Adam(1e-3)
    bce = keras.losses.BinaryCrossentropy()

    def step() -> tf.Tensor:
        with tf.GradientTape() as tape:
            features = model.read_in(noise)  # (B, T, H)
            states = model.lstm.zero_states(tf.shape(noise)[0])
            hidden = []
            for t in range(noise.shape[1]):
                states = model.lstm.cell(features[:, t], states)
                hidden.append(states[0])
            last = model.read_out(hidden[-1])  # (B, 1)
            loss = bce(target, last)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    return step


#: The train-step variants of the main table: name -> (what it is, builder(units, noise, target) -> Step).
VARIANTS: dict[str, tuple[str, Callable[[int, tf.Tensor, tf.Tensor], Step]]] = {
    "keras": ("keras.layers.LSTM twin, tf.function",
              lambda h, x, y: graph_step(keras_twin(h), x, y)),
    "reference": ("reference solution (solutions/), tf.function",
                  lambda h, x, y: graph_step(reference_model(h), x, y)),
    "fast": ("fast path (course/fast), defaults: read-in folded, unrolled up to T = 100, tf.function",
             lambda h, x, y: graph_step(fast_model(h), x, y)),
    "fast-unfolded": ("fast path with the read-in run as its own layer (not folded), tf.function",
                      lambda h, x, y: graph_step(fast_model(h, fold_read_in=False), x, y)),
    "fast-while": ("fast path forced to tf.while_loop (one graph for any T), tf.function",
                   lambda h, x, y: graph_step(fast_model(h, unroll=False), x, y)),
    "fast-autodiff": ("fast path without the hand-written gradient (autodiff), tf.function",
                      lambda h, x, y: graph_step(fast_model(h, hand_gradient=False), x, y)),
    "keras-unrolled": ("keras.layers.LSTM(unroll=True) twin, tf.function",
                       lambda h, x, y: graph_step(keras_twin_unrolled(h), x, y)),
    "keras-xla": ("keras.layers.LSTM twin, tf.function(jit_compile=True)",
                  lambda h, x, y: graph_step(keras_twin(h), x, y, jit_compile=True)),
    "reference-xla": ("reference solution, tf.function(jit_compile=True)",
                      lambda h, x, y: graph_step(reference_model(h), x, y, jit_compile=True)),
    "fast-xla": ("fast path, tf.while_loop flavour, tf.function(jit_compile=True)",
                 lambda h, x, y: graph_step(fast_model(h, unroll=False), x, y, jit_compile=True)),
    "fast-unrolled-xla": ("fast path unrolled, tf.function(jit_compile=True)",
                          lambda h, x, y: graph_step(fast_model(h, unroll=True), x, y, jit_compile=True)),
    "eager-loop": ("reference cell in an eager Python for-loop, no tf.function",
                   lambda h, x, y: eager_loop_step(h, x, y)),
}


def measure(names: list[str], *, units: int = 32, seq_len: int = 25, batch_size: int = 64,
            rounds: int = 7, number: int = 10, eager_number: int = 1) -> dict[str, dict[str, object]]:
    """Time the train step of several variants side by side.

    A variant that fails to build or run (for example one that XLA cannot
    compile) is reported with its error instead of stopping the benchmark.

    Args:
        names: list of keys of :data:`VARIANTS`.
        units: int, H.
        seq_len: int, T.
        batch_size: int, B.
        rounds: int, interleaved rounds (the median is over these).
        number: int, steps per round for graph-mode variants.
        eager_number: int, steps per round for the (slow) eager loop.

    Returns:
        dict name -> ``{"label", "median_ms", "spread", "samples_ms"}`` or ``{"label", "error"}``.
    """
    from course.bench.timing import interleaved

    noise, target = batch(batch_size, seq_len)
    results: dict[str, dict[str, object]] = {}
    calls = {}
    for name in names:
        label, build = VARIANTS[name]
        try:
            step = build(units, noise, target)
            step().numpy()  # trace, compile, and fail here rather than mid-run
            calls[name] = lambda step=step: step().numpy()
        except Exception as error:  # noqa: BLE001 - reported, not hidden
            results[name] = {"label": label, "error": f"{type(error).__name__}: {str(error).splitlines()[0][:300]}"}
    counts = {name: eager_number if name == "eager-loop" else number for name in calls}
    timings = interleaved(calls, rounds=rounds, number=counts, warmup=2)
    for name, timing in timings.items():
        results[name] = {
            "label": VARIANTS[name][0],
            "median_ms": timing.median * 1e3,
            "spread": timing.spread,
            "samples_ms": [s * 1e3 for s in timing.samples],
        }
    return {name: results[name] for name in names}
