"""The ``data`` part: the generator, the wrapper, ``make_dataset`` and ``prepare``.

The parent asks for samples of its own sizes (:func:`inputs`); the child draws them from
the student's functions and records shapes, dtypes, values and dataset graphs
(:func:`probe`); the parent judges them (:data:`VERDICTS`).
"""

from __future__ import annotations

import inspect
import itertools
import math
import types
from typing import TYPE_CHECKING, Any

import numpy as np

from course import task
from course.grading.checking.inputs import PartInputs
from course.grading.checking.judges import Case, Verdicts
from course.grading.checking.recording import Recorder, graph_op_types

if TYPE_CHECKING:
    import tensorflow as tf

#: Most pairs read from any generator or dataset (guards against endless ones).
MAX_ITEMS = 100_000
#: ``prepare``'s default batch size (SPEC.md: ``prepare(dataset, batch_size=64, shuffle_buffer=1000)``).
PREPARE_DEFAULT_BATCH = 64
#: How the probe calls ``prepare``: name to (pairs, batch_size, shuffle_buffer); None keeps prepare's default.
PREPARE_CALLS: dict[str, tuple[int, int | None, int | None]] = {
    "prep_big": (100, 16, 100), "prep_one": (50, 8, 1), "prep_bound": (60, 7, 10), "prep_default": (100, None, None),
}


def inputs(rng: np.random.Generator) -> PartInputs:
    """The sizes the grader asks of the student's functions.

    Args:
        rng: numpy Generator (unused: this part's inputs are sizes only).

    Returns:
        PartInputs with only a config.
    """
    return PartInputs(config={
        # (seq_len, num_samples) the grader asks of integration_task: sizes of its own, whatever the task's;
        # gen_a's 50,000 noise values set the tolerances of the verdict data.noise_standard_normal
        "gen_a": [25, 2000], "gen_b": [4, 3], "dataset": [6, 37], "prepare_steps": 2,
        # what my_integration_task must use: the task's (seq_len, num_samples)
        "wrapper": [task.SEQ_LEN, task.NUM_SAMPLES],
        "prepare": {name: list(call) for name, call in PREPARE_CALLS.items()},
    }, arrays={})


# --------------------------------------------------------------------------- probe (child)
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
    import tensorflow as tf

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
    import tensorflow as tf

    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString(dataset._as_serialized_graph().numpy())  # noqa: SLF001 - the only public-ish view
    return sorted(set(graph_op_types(graph_def)))


def probe(data: types.ModuleType, rec: Recorder, config: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    """Run every data probe.

    Args:
        data: the student's ``data`` module.
        rec: Recorder.
        config: dict, the parent's settings (sizes).
        arrays: dict, the parent's arrays (unused here).
    """
    import tensorflow as tf

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


# --------------------------------------------------------------------------- verdicts (parent)
VERDICTS = Verdicts("data")


@VERDICTS.check("data.generator_shapes")
def generator_shapes(case: Case) -> tuple[bool, str]:
    """Both samples have the asked count, shapes and dtypes."""
    for key in ("gen_a", "gen_b"):
        case.need(key)
        steps, count = case.config[key]
        got = (case.value(f"{key}.count"), case.value(f"{key}.noise_shapes"),
               case.value(f"{key}.target_shapes"), case.value(f"{key}.noise_dtypes"))
        want = (count, [f"({steps}, 1)"], ["(1,)"], ["float32"])
        if got != want:
            return False, (f"integration_task({steps}, {count}) gave {got[0]} pairs, noise shapes {got[1]} "
                           f"{got[3]}, target shapes {got[2]}")
    return True, "shapes, dtypes and counts are right"


@VERDICTS.check("data.integer_labels")
def integer_labels(case: Case) -> tuple[bool, str]:
    """The targets are int32 or int64."""
    case.need("gen_a")
    dtypes = case.value("gen_a.target_dtypes")
    ok = bool(dtypes) and all(d in ("int32", "int64") for d in dtypes)
    return ok, f"target dtype {dtypes}"


@VERDICTS.check("data.labels_threshold_0")
def labels_threshold_0(case: Case) -> tuple[bool, str]:
    """Every label is ``noise.sum() > 0`` (sums too close to 0 to tell are skipped)."""
    case.need("gen_a")
    noise, target = case.array("gen_a.noise"), case.array("gen_a.target")
    sums = noise.sum(axis=1)
    wrong = (target != (sums > 0)) & (np.abs(sums) > 1e-4)
    return not wrong.any(), f"{int(wrong.sum())} of {len(target)} labels differ from (noise.sum() > 0)"


@VERDICTS.check("data.noise_standard_normal")
def noise_standard_normal(case: Case) -> tuple[bool, str]:
    """The noise's mean, spread, distribution (Kolmogorov-Smirnov) and independence match N(0, 1)."""
    case.need("gen_a")
    noise = case.array("gen_a.noise")
    values = np.sort(noise.ravel())
    n = values.size
    mean, std = float(values.mean()), float(values.std())
    cdf = 0.5 * (1 + np.vectorize(math.erf)(values / math.sqrt(2)))
    ks = float(np.max(np.maximum(np.arange(1, n + 1) / n - cdf, cdf - np.arange(n) / n)))
    distinct = len(np.unique(noise.round(6), axis=0))
    lag = float(np.corrcoef(noise[:, :-1].ravel(), noise[:, 1:].ravel())[0, 1]) if noise.shape[1] > 1 else 0.0
    ok = abs(mean) < 0.03 and abs(std - 1) < 0.03 and ks < 0.015 and distinct == len(noise) and abs(lag) < 0.05
    return ok, (f"mean {mean:.3f}, std {std:.3f}, Kolmogorov-Smirnov distance {ks:.4f}, "
                f"{distinct} distinct of {len(noise)} sequences, lag-1 correlation {lag:.3f}")


@VERDICTS.check("data.wrapper_no_args")
def wrapper_no_args(case: Case) -> tuple[bool, str]:
    """``my_integration_task`` takes no arguments and yields the task's count of the task's length."""
    case.need("wrapper")
    got = (case.value("wrapper.required"), case.value("wrapper.SEQ_LEN"), case.value("wrapper.NUM_SAMPLES"),
           case.value("wrapper.count"), case.value("wrapper.noise_shapes"))
    seq_len, num_samples = case.config["wrapper"]  # the task's, course/task.py
    ok = got == ([], seq_len, num_samples, num_samples, [f"({seq_len}, 1)"])
    # the probe stops one pair past the task's count
    count = f"more than {num_samples:,}" if isinstance(got[3], int) and got[3] > num_samples else got[3]
    return ok, (f"required arguments {got[0]}, SEQ_LEN={got[1]}, NUM_SAMPLES={got[2]}, "
                f"yielded {count} pairs of shape {got[4]} (the task's: SEQ_LEN={seq_len}, "
                f"NUM_SAMPLES={num_samples})")


@VERDICTS.check("data.from_generator")
def from_generator(case: Case) -> tuple[bool, str]:
    """``make_dataset`` wraps a Python generator with ``output_signature`` (the wrapping only)."""
    case.need("dataset")
    seq_len, count = case.config["dataset"]
    ops, spec = case.value("dataset.ops"), case.value("dataset.spec")
    generator = "GeneratorDataset" in ops and any("PyFunc" in op for op in ops)
    spec_ok = (isinstance(spec, list) and len(spec) == 2 and spec[0] == [[seq_len, 1], "float32"]
               and spec[1] in ([[1], "int32"], [[1], "int64"]))
    calls = case.evidence.values.get("dataset.from_generator_calls")
    signature = isinstance(calls, list) and any(
        isinstance(c, dict) and ("output_signature" in c.get("keywords", []) or c.get("positional", 0) >= 5)
        for c in calls)
    n = case.value("dataset.count")
    ok = generator and spec_ok and n == count and signature
    said = ("with output_signature" if signature else "without output_signature (output_types/output_shapes "
            "are deprecated; the homework asks for output_signature)" if calls else "not called")
    return ok, (f"from a Python generator: {generator}; from_generator {said}; element spec {spec}; "
                f"{n} elements (expected {count})")


def _batch_sizes(pairs: int, batch_size: int) -> list[int]:
    """The batch sizes of ``pairs`` pairs batched by ``batch_size``, the last partial batch kept.

    Args:
        pairs: int.
        batch_size: int.

    Returns:
        list of int.
    """
    return [batch_size] * (pairs // batch_size) + ([pairs % batch_size] if pairs % batch_size else [])


@VERDICTS.check("data.prepare_batches")
def prepare_batches(case: Case) -> tuple[bool, str]:
    """``prepare`` batches by ``batch_size`` (64 by default), keeps the partial batch and every pair once."""
    case.need("prep_big", "prep_default")
    pairs, batch_size, _ = case.config["prepare"]["prep_big"]
    default_pairs = case.config["prepare"]["prep_default"][0]
    sizes, order = case.value("prep_big.sizes"), case.array("prep_big.order")
    default = case.value("prep_default.sizes")
    once = sorted(order.tolist()) == list(range(pairs))
    ok = (sizes == _batch_sizes(pairs, batch_size) and once
          and default == _batch_sizes(default_pairs, PREPARE_DEFAULT_BATCH))
    return ok, (f"{pairs} pairs, batch_size={batch_size} gave batches {sizes}; with the defaults {default}; "
                f"every pair once: {once}")


@VERDICTS.check("data.prepare_shuffles")
def prepare_shuffles(case: Case) -> tuple[bool, str]:
    """``prepare`` mixes pairs across batches, and its ``shuffle_buffer`` bounds how far a pair moves."""
    case.need("prep_big", "prep_one", "prep_bound")
    calls = case.config["prepare"]
    big = case.array("prep_big.order")
    batches = np.split(big, np.cumsum(case.value("prep_big.sizes"))[:-1])
    mixed = any(len(b) > 1 and not np.array_equal(np.sort(b), np.arange(b.min(), b.min() + len(b)))
                for b in batches)
    one_pairs, _, one_buffer = calls["prep_one"]
    one = case.array("prep_one.order")
    in_order = np.array_equal(one, np.arange(one_pairs))
    bound_pairs, _, bound_buffer = calls["prep_bound"]
    bound = case.array("prep_bound.order")
    # a buffer of B holds the next B pairs: the pair at position i comes from the first i + B
    within = bool(np.all(bound <= np.arange(len(bound)) + bound_buffer - 1)) and len(bound) == bound_pairs
    ok = mixed and in_order and within and not np.array_equal(bound, np.arange(bound_pairs))
    return ok, (f"pairs mixed across batches: {mixed}; shuffle_buffer={one_buffer} keeps the order: "
                f"{in_order}; shuffle_buffer={bound_buffer} stays within its buffer: {within}")


@VERDICTS.check("data.prepare_prefetches")
def prepare_prefetches(case: Case) -> tuple[bool, str]:
    """The prepared dataset's graph holds a prefetch stage."""
    case.need("prep_big")
    ops = case.value("prep_big.ops")
    return "PrefetchDataset" in ops, f"dataset ops: {', '.join(op for op in ops if op.endswith('Dataset'))}"
