"""Probes for ``data.py``: samples from the generator, the wrapper, the dataset and ``prepare``."""

from __future__ import annotations

import inspect
import itertools
import types
from typing import Any

import numpy as np
import tensorflow as tf

from course.grading.checking.probes import Recorder, graph_op_types

#: Most pairs read from any generator or dataset (guards against endless ones).
MAX_ITEMS = 100_000


def _sample(generator: Any, limit: int, rec: Recorder, prefix: str, keep: bool = True) -> None:
    """Read up to ``limit`` pairs and record their shapes, dtypes, noise and targets.

    Args:
        generator: an iterator of ``(noise, target)`` pairs.
        limit: int, most pairs to read.
        rec: Recorder.
        prefix: str, the record names' prefix.
        keep: bool, also record the noise and targets themselves.
    """
    noise_shapes, target_shapes, noise_dtypes, target_dtypes = set(), set(), set(), set()
    noises, targets, count = [], [], 0
    iterator = iter(generator)
    for noise, target in itertools.islice(iterator, limit if keep else min(limit, 100)):
        noise, target = np.asarray(noise), np.asarray(target)
        noise_shapes.add(str(tuple(noise.shape)))
        target_shapes.add(str(tuple(target.shape)))
        noise_dtypes.add(str(noise.dtype))
        target_dtypes.add(str(target.dtype))
        if keep:
            noises.append(noise.astype(np.float64).reshape(-1))
            targets.append(target.astype(np.float64).reshape(-1)[:1] if target.size else np.array([np.nan]))
        count += 1
    if not keep:  # only count the rest
        count += sum(1 for _ in itertools.islice(iterator, max(0, limit - count)))
    rec.put(f"{prefix}.count", count)
    rec.put(f"{prefix}.noise_shapes", sorted(noise_shapes))
    rec.put(f"{prefix}.target_shapes", sorted(target_shapes))
    rec.put(f"{prefix}.noise_dtypes", sorted(noise_dtypes))
    rec.put(f"{prefix}.target_dtypes", sorted(target_dtypes))
    if noises and len({n.size for n in noises}) == 1:
        rec.array(f"{prefix}.noise", np.stack(noises))
        rec.array(f"{prefix}.target", np.concatenate(targets))


def _ordered_source(n: int, steps: int) -> tf.data.Dataset:
    """Pairs whose noise holds their index, so the parent can see order and batching.

    Args:
        n: int, number of pairs.
        steps: int, T.

    Returns:
        An unbatched dataset of ``((T, 1) float32, (1,) int32)`` pairs.
    """
    return tf.data.Dataset.range(n).map(
        lambda i: (tf.fill((steps, 1), tf.cast(i, tf.float32)), tf.reshape(tf.cast(i, tf.int32), (1,)))
    )


def _batches(dataset: tf.data.Dataset, rec: Recorder, prefix: str) -> None:
    """Record the index order and batch sizes of a prepared ordered source.

    Args:
        dataset: the prepared dataset.
        rec: Recorder.
        prefix: str, record names' prefix.
    """
    sizes, order = [], []
    for noise, _ in itertools.islice(iter(dataset), 1000):
        noise = np.asarray(noise)
        sizes.append(int(noise.shape[0]))
        order.extend(noise.reshape(noise.shape[0], -1)[:, 0].astype(np.int64).tolist())
    rec.put(f"{prefix}.sizes", sizes)
    rec.array(f"{prefix}.order", np.asarray(order, dtype=np.int64), dtype=np.int64)


def _dataset_ops(dataset: tf.data.Dataset) -> list[str]:
    """Return the op types in a dataset's serialized graph.

    Args:
        dataset: tf.data.Dataset.

    Returns:
        Sorted, distinct op types.
    """
    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString(dataset._as_serialized_graph().numpy())  # noqa: SLF001 - the only public-ish view
    return sorted(set(graph_op_types(graph_def)))


def run(data: types.ModuleType, rec: Recorder, config: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    """Run every data probe.

    Args:
        data: the student's ``data`` module.
        rec: Recorder.
        config: dict, the parent's settings (sizes).
        arrays: dict, the parent's arrays (unused here).
    """
    for key in ("gen_a", "gen_b"):
        seq_len, num_samples = config[key]
        with rec.probe(key):
            _sample(data.integration_task(seq_len, num_samples), MAX_ITEMS, rec, key)

    with rec.probe("wrapper"):
        rec.put("wrapper.SEQ_LEN", getattr(data, "SEQ_LEN", None))
        rec.put("wrapper.NUM_SAMPLES", getattr(data, "NUM_SAMPLES", None))
        parameters = inspect.signature(data.my_integration_task).parameters.values()
        rec.put("wrapper.required", [p.name for p in parameters if p.default is p.empty
                                     and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)])
        # one pair more than the task's count, so that a longer (or endless) generator shows
        _sample(data.my_integration_task(), config["wrapper"][1] + 1, rec, "wrapper", keep=False)

    seq_len, num_samples = config["dataset"]
    with rec.probe("dataset"):
        calls: list[dict[str, Any]] = []
        original = tf.data.Dataset.from_generator

        def recording(*args: Any, **kwargs: Any) -> tf.data.Dataset:
            calls.append({"positional": len(args), "keywords": sorted(kwargs)})
            return original(*args, **kwargs)

        tf.data.Dataset.from_generator = staticmethod(recording)  # how make_dataset wraps its generator
        try:
            dataset = data.make_dataset(seq_len=seq_len, num_samples=num_samples)
        finally:
            tf.data.Dataset.from_generator = staticmethod(original)
        rec.put("dataset.from_generator_calls", calls)
        spec = dataset.element_spec
        rec.put("dataset.spec", [[s.shape.as_list() if s.shape.rank is not None else None, s.dtype.name]
                                 for s in tf.nest.flatten(spec)])
        rec.put("dataset.ops", _dataset_ops(dataset))
        _sample(iter(dataset), MAX_ITEMS, rec, "dataset")

    steps = config["prepare_steps"]
    for key, (n, batch_size, shuffle_buffer) in config["prepare"].items():
        with rec.probe(key):
            source = _ordered_source(n, steps)
            if batch_size is None:
                prepared = data.prepare(source)
            else:
                prepared = data.prepare(source, batch_size=batch_size, shuffle_buffer=shuffle_buffer)
            rec.put(f"{key}.ops", _dataset_ops(prepared))
            _batches(prepared, rec, key)
