"""Probes for ``cell.py``: structure, initial biases, two steps with copied weights, gradients."""

from __future__ import annotations

import types
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from course.grading.checking.probes import Recorder, gradient_norms

#: The contract's gate sublayers, in Keras' gate order (i, f, c, o).
GATES = ("input_gate", "forget_gate", "cell_candidate", "output_gate")


def _states(value: Any) -> list[Any]:
    """Return a cell's output as a list (so a wrong arity shows up as a length).

    Args:
        value: whatever ``call`` returned.

    Returns:
        list.
    """
    return list(value) if isinstance(value, (list, tuple)) else [value]


def copy_keras_weights(cell: Any, kernel: np.ndarray, recurrent: np.ndarray, bias: np.ndarray) -> None:
    """Copy Keras-layout weights into the cell's four Dense gates.

    Each gate sees ``[x, h]`` (input first), so its kernel is the gate's block of
    Keras' ``kernel`` stacked on top of its block of ``recurrent_kernel``.

    Args:
        cell: the student's cell (built).
        kernel: array ``(D, 4H)``.
        recurrent: array ``(H, 4H)``.
        bias: array ``(4H,)``.
    """
    units = recurrent.shape[0]
    for g, name in enumerate(GATES):
        block = slice(g * units, (g + 1) * units)
        gate = getattr(cell, name)
        gate.kernel.assign(np.concatenate([kernel[:, block], recurrent[:, block]], axis=0))
        gate.bias.assign(bias[block])


def run(module: types.ModuleType, rec: Recorder, config: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    """Run every cell probe.

    Args:
        module: the student's ``cell`` module.
        rec: Recorder.
        config: dict with ``units``.
        arrays: dict with ``kernel``, ``recurrent``, ``bias``, ``x1``, ``x2``, ``h0``, ``c0``,
            ``r_h``, ``r_c``.
    """
    units = config["units"]
    x1, x2 = tf.constant(arrays["x1"], tf.float32), tf.constant(arrays["x2"], tf.float32)
    states = (tf.constant(arrays["h0"], tf.float32), tf.constant(arrays["c0"], tf.float32))

    with rec.probe("structure"):
        cell = module.LSTMCell(units)
        rec.put("structure.units", getattr(cell, "units", None))
        gates = {}
        for name in GATES:
            gate = getattr(cell, name, None)
            gates[name] = {"exists": gate is not None, "dense": isinstance(gate, keras.layers.Dense),
                           "units": getattr(gate, "units", None)}
        rec.put("structure.gates", gates)
        cell(x1, states)  # builds the gates
        for name in GATES:
            rec.array(f"structure.bias.{name}", getattr(cell, name).bias)

    with rec.probe("forward"):
        cell = module.LSTMCell(units)
        cell(x1, states)
        copy_keras_weights(cell, arrays["kernel"], arrays["recurrent"], arrays["bias"])
        step1 = _states(cell(x1, states))
        rec.put("forward.arity", len(step1))
        for i, value in enumerate(step1[:2]):
            rec.array(f"forward.step1.{i}", value)
        step2 = _states(cell(x2, tuple(step1[:2])))
        for i, value in enumerate(step2[:2]):
            rec.array(f"forward.step2.{i}", value)

    weights = (tf.constant(arrays["r_h"], tf.float32), tf.constant(arrays["r_c"], tf.float32))

    def loss_of(cell: Any) -> tf.Tensor:
        out = _states(cell(x1, states))
        return tf.reduce_sum(out[0] * weights[0]) + tf.reduce_sum(out[1] * weights[1])

    with rec.probe("gradients_eager"):
        cell = module.LSTMCell(units)
        cell(x1, states)  # a first call outside the tape
        with tf.GradientTape() as tape:
            loss = loss_of(cell)
        variables = cell.trainable_variables
        rec.put("gradients_eager.names", [v.path if hasattr(v, "path") else v.name for v in variables])
        rec.put("gradients_eager.norms", gradient_norms(tape.gradient(loss, variables)))

    with rec.probe("gradients_graph"):
        cell = module.LSTMCell(units)

        @tf.function
        def grads() -> list[tf.Tensor]:
            with tf.GradientTape() as tape:
                loss = loss_of(cell)  # the cell is built lazily, inside the tf.function
            found = tape.gradient(loss, cell.trainable_variables)
            return [tf.constant(-1.0) if g is None else tf.norm(g) for g in found]

        norms = [float(n) for n in grads()]
        rec.put("gradients_graph.names", [v.path if hasattr(v, "path") else v.name for v in cell.trainable_variables])
        rec.put("gradients_graph.norms", norms)
