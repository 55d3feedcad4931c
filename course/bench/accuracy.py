"""Time to a validation accuracy, end to end: the number a user actually waits for.

Both runs train the reference model with the same train step (Adam 1e-3,
binary cross-entropy on the last step, B = 64) and differ only in the data
path. Every ``eval_every`` batches the model is scored on one fixed
validation set, and the clock stops at the first score at or above the target.
The clock includes building the dataset, tracing and the validations.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import keras
import tensorflow as tf

from course.impl import load
from course.pipelines import DATA_PATHS, tf_ops

def _prepared(path: str) -> Callable[[int, int], tf.data.Dataset]:
    """A race's builder: a data path of ``lstm-course train``, batched by the reference's ``prepare``.

    Args:
        path: str, a key of :data:`course.pipelines.DATA_PATHS`.

    Returns:
        ``builder(seq_len, num_samples) -> dataset of batches``, as ``train`` would see it.
    """

    def build(seq_len: int, num_samples: int) -> tf.data.Dataset:
        data = load("solutions").data
        return data.prepare(DATA_PATHS[path](data, seq_len, num_samples))

    return build


#: Data paths raced: name -> (label, builder(seq_len, num_samples) -> dataset of batches).
RACES: dict[str, tuple[str, Callable[[int, int], tf.data.Dataset]]] = {
    "per-sample": ("homework recipe: per-sample generator + prepare()", _prepared("per-sample")),
    "batched": ("lstm-course train's default: batched generator, unbatched + prepare()", _prepared("batched")),
}


def race(build: Callable[[int, int], tf.data.Dataset], *, target: float, seq_len: int = 25,
         max_samples: int = 200_000, eval_every: int = 50, val_samples: int = 2048,
         model_factory: Callable[[], keras.Model] | None = None, seed: int = 0) -> dict[str, object]:
    """Train until the validation accuracy reaches ``target`` (or ``max_samples`` run out).

    Args:
        build: callable ``(seq_len, num_samples) -> dataset of batches``.
        target: float, the validation accuracy that stops the clock.
        seq_len: int, T.
        max_samples: int, the training budget.
        eval_every: int, batches between validations.
        val_samples: int, size of the fixed validation set.
        model_factory: callable returning an unbuilt model; the reference's
            ``IntegrationModel(32)`` by default.
        seed: int, seeds the weights (the same start for every data path).

    Returns:
        dict ``{"reached", "seconds", "samples", "curve": [[seconds, samples, val_accuracy], ...]}``;
        ``seconds`` and ``samples`` are at the stop.
    """
    val = [(x, y) for x, y in tf_ops(seq_len, val_samples, batch_size=512, seed=12345)]
    keras.utils.set_random_seed(seed)
    model = (model_factory or (lambda: load("solutions").model.IntegrationModel(units=32)))()
    model(val[0][0][:1])  # build before tracing (NOTES.md trap 4)
    optimizer = keras.optimizers.Adam(1e-3)
    bce = keras.losses.BinaryCrossentropy()
    accuracy = keras.metrics.BinaryAccuracy()

    @tf.function
    def train_step(noise: tf.Tensor, target: tf.Tensor) -> None:
        with tf.GradientTape() as tape:
            loss = bce(target, model(noise, training=True)[:, -1, :])  # (B, 1)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))

    @tf.function
    def val_step(noise: tf.Tensor, target: tf.Tensor) -> None:
        accuracy.update_state(target, model(noise, training=False)[:, -1, :])

    def validate() -> float:
        accuracy.reset_state()
        for x, y in val:
            val_step(x, y)
        return float(accuracy.result())

    start = time.perf_counter()
    curve: list[list[float]] = []
    seen = 0
    for index, (noise, target_batch) in enumerate(build(seq_len, max_samples), start=1):
        train_step(noise, target_batch)
        seen += int(noise.shape[0])
        if index % eval_every == 0:
            score = validate()
            curve.append([time.perf_counter() - start, seen, score])
            if score >= target:
                return {"reached": True, "seconds": curve[-1][0], "samples": seen, "curve": curve}
    return {"reached": False, "seconds": time.perf_counter() - start, "samples": seen, "curve": curve}


def measure(*, target: float = 0.95, seq_len: int = 25, max_samples: int = 200_000,
            eval_every: int = 50) -> dict[str, object]:
    """Race every data path in :data:`RACES` to ``target``.

    Args:
        target: float, the validation accuracy to reach.
        seq_len: int, T.
        max_samples: int, the training budget of each run.
        eval_every: int, batches between validations.

    Returns:
        dict ``{"target", "seq_len", "runs": {name: {"label", ...race result}}}``.
    """
    runs = {}
    for name, (label, build) in RACES.items():
        runs[name] = {"label": label, **race(build, target=target, seq_len=seq_len,
                                             max_samples=max_samples, eval_every=eval_every)}
    return {"target": target, "seq_len": seq_len, "max_samples": max_samples, "runs": runs}
