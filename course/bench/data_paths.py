"""Data pipelines: raw throughput, and whether they starve a training model.

Throughput alone says little: a pipeline only has to be faster than the
model that eats it. So the second measurement runs ``solutions.train.train``
(what ``lstm-course train`` calls) once on real data and once on a single
cached batch repeated (the model's own ceiling), and reports the ratio of
their steps/s. At 1.0 the data never makes the model wait.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

import keras
import tensorflow as tf

from course.bench.timing import interleaved
from course.impl import load
from course.pipelines import DATA_PATHS, batched_generator, tf_ops

#: Throughput variants: name -> (label, builder(seq_len, num_samples) -> batched dataset).
THROUGHPUT: dict[str, tuple[str, Callable[[int, int], tf.data.Dataset]]] = {
    "per-sample": ("from_generator over the per-sample generator, .batch(64)",
                   lambda t, n: load("solutions").data.make_dataset(t, n).batch(64)),
    "per-sample+prefetch": ("the same, .prefetch(AUTOTUNE)",
                            lambda t, n: load("solutions").data.make_dataset(t, n).batch(64).prefetch(tf.data.AUTOTUNE)),
    "batched": ("from_generator over a generator of whole batches (one NumPy call each)",
                lambda t, n: batched_generator(t, n, prefetch=False)),
    "batched+prefetch": ("the same, .prefetch(AUTOTUNE)", lambda t, n: batched_generator(t, n, prefetch=True)),
    "tf-ops": ("tf.random.normal in Dataset.map, no Python", lambda t, n: tf_ops(t, n, prefetch=False)),
    "tf-ops+prefetch": ("the same, .prefetch(AUTOTUNE)", lambda t, n: tf_ops(t, n, prefetch=True)),
}


def drain(dataset: tf.data.Dataset) -> int:
    """Iterate a dataset of batches to the end.

    Args:
        dataset: tf.data.Dataset of ``(noise, target)`` batches.

    Returns:
        int, the number of samples it yielded.
    """
    return sum(int(noise.shape[0]) for noise, _ in dataset)


def throughput(*, seq_len: int = 25, num_samples: int = 16_000, rounds: int = 3) -> dict[str, dict[str, object]]:
    """Samples per second of every pipeline, read to the end with nothing else running.

    Args:
        seq_len: int, T.
        num_samples: int, samples per pass.
        rounds: int, interleaved passes per pipeline.

    Returns:
        dict name -> ``{"label", "samples_per_s", "spread"}``.
    """
    calls = {name: (lambda build=build: drain(build(seq_len, num_samples))) for name, (_, build) in THROUGHPUT.items()}
    timings = interleaved(calls, rounds=rounds, number=1, warmup=1)
    return {name: {"label": THROUGHPUT[name][0], "samples_per_s": num_samples / timings[name].median,
                   "spread": timings[name].spread} for name in THROUGHPUT}


def train_steps_per_second(dataset: tf.data.Dataset, skip: int = 10, units: int = 32) -> float:
    """Train the reference model with ``solutions.train.train`` and time its steps.

    Args:
        dataset: tf.data.Dataset, training data, unbatched pairs or batches.
        skip: int, the first steps left out (tracing, warm-up).
        units: int, H.

    Returns:
        float, training steps per second after the first ``skip`` steps.
    """
    impl = load("solutions")
    keras.utils.set_random_seed(0)
    model = impl.model.IntegrationModel(units=units)
    stamps: list[float] = []
    val = tf_ops(25, 64, seed=1)
    impl.train.train(model, dataset, val, epochs=1, progress=lambda *_: stamps.append(time.perf_counter()))
    return (len(stamps) - 1 - skip) / (stamps[-1] - stamps[skip])


def starvation(*, seq_len: int = 25, batches: int = 200, rounds: int = 2,
               paths: list[str] | None = None) -> dict[str, dict[str, float]]:
    """Steps/s of ``train`` on each data path against steps/s on one cached batch.

    Args:
        seq_len: int, T.
        batches: int, training steps per run.
        rounds: int, interleaved repetitions; the medians are reported.
        paths: list of data path names to compare (default: all three).

    Returns:
        dict data path -> ``{"steps_per_s", "cached_steps_per_s", "ratio"}``.
    """
    num_samples = batches * 64
    cached = lambda: batched_generator(seq_len, 64, seed=0).take(1).cache().repeat(batches)  # noqa: E731
    builders = {
        "cached": cached,
        # Exactly what ``lstm-course train --data NAME`` hands to ``train``.
        **{name: (lambda path=path: path(load("solutions").data, seq_len, num_samples))
           for name, path in DATA_PATHS.items()},
    }
    paths = {name: builders[name] for name in ["cached", *(paths or DATA_PATHS)]}
    # Each round runs the cached batch and every path, in a fresh random order, and each
    # path's ratio is taken against the cached run of the *same* round: load that drifts
    # between rounds then cancels out. The medians over rounds are reported.
    shuffle = random.Random(0)
    rates: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(rounds):
        order = list(paths)
        shuffle.shuffle(order)
        for name in order:
            rates[name].append(train_steps_per_second(paths[name]()))
    return {name: {"steps_per_s": statistics.median(rates[name]),
                   "cached_steps_per_s": statistics.median(rates["cached"]),
                   "ratio": statistics.median(r / c for r, c in zip(rates[name], rates["cached"])),
                   "rounds": {"steps_per_s": rates[name], "cached_steps_per_s": rates["cached"]}}
            for name in paths if name != "cached"}
