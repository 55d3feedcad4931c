"""Probes for ``cell.py``: structure, initial biases, two steps with copied weights, gradients."""

from __future__ import annotations

import inspect
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


def _gate_blocks(matrix: np.ndarray, units: int) -> list[np.ndarray]:
    """Split a Keras matrix ``(rows, 4H)`` into its four gates' blocks (i, f, c, o).

    Args:
        matrix: array ``(rows, 4H)`` or ``(4H,)``.
        units: int, H.

    Returns:
        list of four arrays.
    """
    return [matrix[..., g * units:(g + 1) * units] for g in range(4)]


def layouts(shapes: list[tuple[int, ...]], features: int, units: int, kernel: np.ndarray, recurrent: np.ndarray,
            bias: np.ndarray) -> dict[str, list[np.ndarray]]:
    """Keras' weights mapped onto each parametrization of an LSTM that fits the cell's variables.

    The variables are taken in creation order, and the gates in the order i, f, c, o (as
    students create them). Recognised: a kernel per gate on ``[x, h]`` or ``[h, x]``; one
    fused kernel on ``[x, h]`` or ``[h, x]``; a fused input and a fused recurrent kernel;
    an x-side and an h-side kernel per gate. A bias takes the gate of the kernel created
    just before it; a gate's first bias gets Keras' bias, any other bias zero.

    Args:
        shapes: the shapes of the cell's trainable variables, in order.
        features: int, D (the input width).
        units: int, H.
        kernel: Keras' input kernel ``(D, 4H)``.
        recurrent: Keras' recurrent kernel ``(H, 4H)``.
        bias: Keras' bias ``(4H,)``.

    Returns:
        dict of layout name to one value per variable (empty when nothing fits).
    """
    D, H = features, units  # noqa: N806 - the letters of the equations
    k, r, b = _gate_blocks(kernel, H), _gate_blocks(recurrent, H), _gate_blocks(bias, H)
    kernels = [i for i, s in enumerate(shapes) if len(s) == 2]
    found: dict[str, list[np.ndarray]] = {}

    def fill(kernel_values: dict[int, np.ndarray], gate_of: dict[int, int]) -> list[np.ndarray] | None:
        values, seen, current = [], set(), None
        for i, shape in enumerate(shapes):
            if i in kernel_values:
                values.append(kernel_values[i])
                current = gate_of[i]
            elif len(shape) == 1 and current is not None:
                first = current not in seen
                seen.add(current)
                block = bias if current == -1 else b[current]
                values.append(block if first else np.zeros_like(block))
            else:
                return None
            if values[-1].shape != tuple(shape):
                return None
        return values

    kernel_shapes = [shapes[i] for i in kernels]
    for order, stack in (("x_h", lambda a, c: np.concatenate([a, c], 0)),
                         ("h_x", lambda a, c: np.concatenate([c, a], 0))):
        if kernel_shapes == [(D + H, H)] * 4:  # a Dense per gate on the concatenation
            values = fill({i: stack(k[g], r[g]) for g, i in enumerate(kernels)}, {i: g for g, i in enumerate(kernels)})
            if values:
                found[f"a kernel per gate on [{order[0]}, {order[2]}]"] = values
        if kernel_shapes == [(D + H, 4 * H)]:  # one fused kernel
            values = fill({kernels[0]: stack(kernel, recurrent)}, {kernels[0]: -1})
            if values:
                found[f"one fused kernel on [{order[0]}, {order[2]}]"] = values
    if sorted(kernel_shapes) == sorted([(D, 4 * H), (H, 4 * H)]) and D != H:  # fused input and recurrent kernels
        values = fill({i: kernel if shapes[i][0] == D else recurrent for i in kernels}, dict.fromkeys(kernels, -1))
        if values:
            found["a fused input kernel and a fused recurrent kernel"] = values
    if sorted(kernel_shapes) == sorted([(D, H)] * 4 + [(H, H)] * 4) and D != H:  # x-side and h-side per gate
        x_side = [i for i in kernels if shapes[i][0] == D]
        h_side = [i for i in kernels if shapes[i][0] == H]
        gate_of = {**{i: g for g, i in enumerate(x_side)}, **{i: g for g, i in enumerate(h_side)}}
        values = fill({**{i: k[g] for g, i in enumerate(x_side)}, **{i: r[g] for g, i in enumerate(h_side)}}, gate_of)
        if values:
            found["an x-side and an h-side kernel per gate"] = values
    return found


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
        call = inspect.getattr_static(type(cell), "call", None)
        rec.put("structure.tf_function_call", isinstance(call, tf.types.experimental.GenericFunction))
        rec.put("structure.defines_build", any("build" in vars(klass) for klass in type(cell).__mro__
                                               if not klass.__module__.startswith(("keras", "tensorflow"))))
        cell(x1, states)  # builds the gates
        for name in GATES:
            if gates[name]["exists"]:
                rec.array(f"structure.bias.{name}", getattr(cell, name).bias)

    with rec.probe("fresh"):  # a fresh cell at zero input reveals its gates' initial biases
        cell = module.LSTMCell(units)
        zeros_x = tf.zeros((1, x1.shape[-1]))
        zeros_h = tf.zeros((1, units))
        for name, c in (("c0", tf.zeros((1, units))), ("c1", tf.ones((1, units)))):
            out = _states(cell(zeros_x, (zeros_h, c)))
            rec.array(f"fresh.{name}.h", out[0])
            rec.array(f"fresh.{name}.c", out[1] if len(out) > 1 else out[0])

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

    with rec.probe("layouts"):  # the same two steps on each parametrization that fits the variables
        cell = module.LSTMCell(units)
        cell(x1, states)
        variables = list(cell.trainable_variables)
        found = layouts([tuple(v.shape) for v in variables], int(x1.shape[-1]), units, arrays["kernel"],
                        arrays["recurrent"], arrays["bias"])
        rec.put("layouts.names", list(found))
        for index, (name, values) in enumerate(found.items()):
            for variable, value in zip(variables, values):
                variable.assign(value)
            step1 = _states(cell(x1, states))
            step2 = _states(cell(x2, tuple(step1[:2])))
            for i, value in enumerate([*step1[:2], *step2[:2]]):
                rec.array(f"layouts.{index}.{i}", value)

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
