"""How big is the graph? A Python loop unrolls into the graph; ``tf.while_loop`` does not."""

from __future__ import annotations

import json
from pathlib import Path

import tensorflow as tf

from course.figures import implementation
from course.figures.style import plt, save
from course.impl import load


def count_graph_ops(seq_lens: list[int], units: int = 8) -> dict[str, list[int]]:
    """Count the ops in the traced graph of an LSTM forward pass, per sequence length.

    Two versions of the same forward pass: a Python ``for`` over a static
    number of steps (traced once per length, each step copied into the
    graph) and the reference ``LSTM`` layer (a ``tf.while_loop``), traced once
    with ``input_signature`` ``(None, None, 1)`` and reused for every length.

    Args:
        seq_lens: list of int, the sequence lengths T to trace.
        units: int, H, the cell's size (it does not change the op count).

    Returns:
        A dict with ``seq_len``, ``python_loop`` (ops per length),
        ``while_loop`` (ops of the one concrete function, repeated per length)
        and ``while_loop_traces`` (how many times it was traced in total).
    """
    impl = load(implementation())
    cell = impl.cell.LSTMCell(units)
    layer = impl.layer.LSTM(cell)
    layer.build((None, None, 1))  # create the variables before tracing (trap 4 in the notes)

    def unrolled(x: tf.Tensor) -> tf.Tensor:
        """Unroll the cell with a Python loop over the static time axis."""
        states = layer.zero_states(tf.shape(x)[0])
        for t in range(x.shape[1]):  # a Python int range: every step becomes ops in the graph
            states = cell(x[:, t, :], states)
        return states[0]

    traces = []

    @tf.function(input_signature=[tf.TensorSpec((None, None, 1), tf.float32)])
    def looped(x: tf.Tensor) -> tf.Tensor:
        traces.append(1)  # Python side effect: runs once per trace, never per call
        return layer(x)

    result: dict[str, list[int]] = {"seq_len": [], "python_loop": [], "while_loop": []}
    for steps in seq_lens:
        x = tf.zeros((2, steps, 1))
        graph = tf.function(unrolled).get_concrete_function(x).graph
        result["seq_len"].append(steps)
        result["python_loop"].append(len(graph.get_operations()))
        looped(x)  # runs the one concrete function for every length
        result["while_loop"].append(len(looped.get_concrete_function().graph.get_operations()))
    result["while_loop_traces"] = [len(traces)]
    return result


def draw_graph_size(out_dir: Path, seq_lens: list[int] | None = None) -> Path:
    """Plot the op counts of :func:`count_graph_ops` and save them as JSON beside the PNG.

    Args:
        out_dir: Path, folder for ``graph-size.png`` and ``graph-size.json``.
        seq_lens: list of int, the lengths to trace (default 5 to 100).

    Returns:
        The path of the PNG.
    """
    counts = count_graph_ops(seq_lens or [5, 10, 25, 50, 100])
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "graph-size.json").write_text(json.dumps(counts, indent=2) + "\n")

    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    ax.plot(counts["seq_len"], counts["python_loop"], "o-", label="Python for-loop, unrolled (one trace per T)")
    ax.plot(counts["seq_len"], counts["while_loop"], "s-",
            label=f"tf.while_loop (traced {counts['while_loop_traces'][0]}x, reused for every T)")
    ax.set(xlabel="sequence length T", ylabel="ops in the traced graph", title="Graph size of one forward pass")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return save(fig, out_dir / "graph-size.png")
