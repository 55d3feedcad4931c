"""The data pipeline: exact labels from the noise, shapes, dtypes, and what prepare does."""

from __future__ import annotations

import inspect
import itertools

import numpy as np
import tensorflow as tf

from course import task


def dataset_ops(dataset: tf.data.Dataset) -> dict[str, list]:
    """Serialize a dataset's graph and list its dataset ops (with functions' bodies) and constant inputs."""
    graph = tf.compat.v1.GraphDef()
    graph.ParseFromString(tf.raw_ops.DatasetToGraphV2(input_dataset=dataset._variant_tensor).numpy())
    consts = {
        n.name: tf.make_ndarray(n.attr["value"].tensor)
        for n in graph.node
        if n.op == "Const" and n.attr["dtype"].type != tf.resource.as_datatype_enum
    }
    nodes = list(graph.node) + [n for f in graph.library.function for n in f.node_def]
    return {n.op: [consts.get(i.split(":")[0]) for i in n.input] for n in nodes if "Dataset" in n.op}


def test_labels_are_exactly_the_sign_of_the_sum_as_integers(ref):
    pairs = list(ref.data.integration_task(seq_len=10, num_samples=2000))
    assert len(pairs) == 2000
    for noise, target in pairs:
        assert noise.shape == (10, 1) and noise.dtype == np.float32
        assert target.shape == (1,) and target.dtype in (np.int32, np.int64)
        assert target[0] == int(noise.sum() > 0)
    labels = np.array([t[0] for _, t in pairs])
    assert 0.45 < labels.mean() < 0.55  # threshold 0: both classes equally likely


def test_noise_is_standard_normal(ref):
    noise = np.concatenate([n for n, _ in ref.data.integration_task(seq_len=25, num_samples=2000)])
    assert abs(noise.mean()) < 0.02 and abs(noise.std() - 1) < 0.02


def test_seed_makes_the_generator_reproducible(ref):
    first = [n for n, _ in ref.data.integration_task(5, 3, seed=7)]
    again = [n for n, _ in ref.data.integration_task(5, 3, seed=7)]
    np.testing.assert_array_equal(first, again)


def test_wrapper_takes_no_arguments_and_uses_the_module_settings(ref):
    assert inspect.signature(ref.data.my_integration_task).parameters == {}
    # The reference spells the task's values out (a submission stands alone); they must be the course's.
    assert (ref.data.SEQ_LEN, ref.data.NUM_SAMPLES) == (task.SEQ_LEN, task.NUM_SAMPLES)
    noise, target = next(ref.data.my_integration_task())
    assert noise.shape == (task.SEQ_LEN, 1) and target.shape == (1,)


def test_make_dataset_element_spec_and_length(ref):
    dataset = ref.data.make_dataset(seq_len=12, num_samples=37)
    noise_spec, target_spec = dataset.element_spec
    assert noise_spec == tf.TensorSpec((12, 1), tf.float32)
    assert target_spec.shape == (1,) and target_spec.dtype in (tf.int32, tf.int64)
    assert sum(1 for _ in dataset) == 37
    assert "GeneratorDataset" in "".join(dataset_ops(dataset))  # from_generator, not from tensors


def test_prepare_shuffles_batches_keeps_the_partial_batch_and_prefetches(ref):
    ordered = tf.data.Dataset.range(100).map(lambda i: (tf.fill([3, 1], tf.cast(i, tf.float32)), tf.reshape(i, [1])))
    prepared = ref.data.prepare(ordered, batch_size=16, shuffle_buffer=50)
    batches = [target.numpy().ravel() for _, target in prepared]
    assert [len(b) for b in batches] == [16] * 6 + [4]  # partial last batch kept
    seen = np.concatenate(batches)
    assert sorted(seen) == list(range(100)) and list(seen) != list(range(100))  # shuffled, nothing lost

    ops = dataset_ops(prepared)
    assert any(op.startswith("ShuffleDataset") for op in ops)
    assert any(op.startswith("BatchDataset") for op in ops)
    assert "PrefetchDataset" in ops
    shuffle = next(v for op, v in ops.items() if op.startswith("ShuffleDataset"))
    batch = next(v for op, v in ops.items() if op.startswith("BatchDataset"))
    assert 50 in [c for c in shuffle if c is not None]
    assert 16 in [c for c in batch if c is not None]


def test_prepare_defaults(ref):
    ordered = tf.data.Dataset.range(130).map(lambda i: (tf.zeros([2, 1]), tf.reshape(i, [1])))
    sizes = [len(t) for _, t in ref.data.prepare(ordered)]
    assert sizes == [64, 64, 2]
    # Shuffle within a 1000-element buffer mixes the whole of this small dataset.
    firsts = {int(next(iter(ref.data.prepare(ordered)))[1][0, 0]) for _ in itertools.repeat(None, 5)}
    assert len(firsts) > 1
