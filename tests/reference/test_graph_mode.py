"""Graph mode: one While loop, no per-step unrolling, one trace for every sequence length."""

from __future__ import annotations

import tensorflow as tf

D, H = 3, 4


def traced(ref, input_signature=None):
    lstm = ref.layer.LSTM(ref.cell.LSTMCell(H))
    lstm.build((None, None, D))
    return tf.function(lambda x: lstm(x), input_signature=input_signature)


def all_ops(graph_def) -> list[str]:
    """Ops of the graph and of every function in its library (loop bodies live there)."""
    return [n.op for n in graph_def.node] + [n.op for f in graph_def.library.function for n in f.node_def]


def test_graph_holds_one_while_loop_and_serves_any_length(ref):
    fn = traced(ref, input_signature=[tf.TensorSpec((None, None, D), tf.float32)])
    concrete = fn.get_concrete_function()
    ops = [n.op for n in concrete.graph.as_graph_def().node]
    assert sum(op in ("While", "StatelessWhile") for op in ops) == 1
    assert concrete(tf.zeros((2, 2, D))).shape == (2, 2, H)
    assert concrete(tf.zeros((5, 200, D))).shape == (5, 200, H)
    assert fn(tf.zeros((1, 7, D))).shape == (1, 7, H)
    assert fn.experimental_get_tracing_count() == 1


def test_graph_size_does_not_grow_with_the_sequence_length(ref):
    fn = traced(ref)  # no signature: each static T gets its own trace
    sizes = {t: len(all_ops(fn.get_concrete_function(tf.TensorSpec((2, t, D))).graph.as_graph_def())) for t in (2, 25, 200)}
    assert len(set(sizes.values())) == 1, sizes


def test_runs_eagerly_too(ref):
    lstm = ref.layer.LSTM(ref.cell.LSTMCell(H))
    assert lstm(tf.ones((2, 4, D))).shape == (2, 4, H)
    h0, c0 = lstm.zero_states(3)
    assert h0.shape == c0.shape == (3, H) and float(tf.reduce_sum(tf.abs(h0) + tf.abs(c0))) == 0.0
