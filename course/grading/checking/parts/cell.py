"""The ``cell`` part: structure, initial biases, two steps with Keras' weights, gradients.

The parent draws Keras-layout weights and inputs (:func:`inputs`); the child builds the
student's ``LSTMCell``, copies the weights into its gates (or onto any parametrization
that fits its variables) and records its outputs and gradient norms (:func:`probe`);
the parent compares them with ``keras.layers.LSTMCell`` (:func:`references`, :data:`VERDICTS`).
"""

from __future__ import annotations

import inspect
import math
import types
from typing import Any

import numpy as np

from course.grading.checking.inputs import PartInputs, keras_weights
from course.grading.checking.judges import Case, Missing, Verdicts, all_positive, close, gap
from course.grading.checking.recording import Recorder, gradient_norms

#: The contract's gate sublayers, in Keras' gate order (i, f, c, o).
GATES = ("input_gate", "forget_gate", "cell_candidate", "output_gate")
#: The cell's size in the probes: units H, features D, batch B.
UNITS, FEATURES, BATCH = 5, 3, 4


def inputs(rng: np.random.Generator) -> PartInputs:
    """Keras-layout weights, two steps of input, initial states and a loss's weights.

    Args:
        rng: numpy Generator.

    Returns:
        PartInputs.
    """
    arrays = keras_weights(rng, FEATURES, UNITS)
    arrays.update({
        "x1": rng.normal(0, 1, (BATCH, FEATURES)), "x2": rng.normal(0, 1, (BATCH, FEATURES)),
        "h0": rng.normal(0, 0.5, (BATCH, UNITS)), "c0": rng.normal(0, 1, (BATCH, UNITS)),
        "r_h": rng.normal(0, 1, (BATCH, UNITS)), "r_c": rng.normal(0, 1, (BATCH, UNITS)),
    })
    return PartInputs(config={"units": UNITS}, arrays={k: v.astype(np.float32) for k, v in arrays.items()})


def references(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Two steps of ``keras.layers.LSTMCell`` from ``(h0, c0)``, on ``x1`` then ``x2`` (parent only).

    Args:
        arrays: the part's inputs.

    Returns:
        dict with ``h1``, ``c1``, ``h2``, ``c2`` (float64).
    """
    import keras

    units = arrays["recurrent"].shape[0]
    cell = keras.layers.LSTMCell(units)
    cell.build((None, arrays["kernel"].shape[0]))
    cell.set_weights([arrays["kernel"], arrays["recurrent"], arrays["bias"]])
    h1, (_, c1) = cell(arrays["x1"], [arrays["h0"], arrays["c0"]])
    h2, (_, c2) = cell(arrays["x2"], [h1, c1])
    return {k: np.asarray(v, np.float64) for k, v in {"h1": h1, "c1": c1, "h2": h2, "c2": c2}.items()}


# --------------------------------------------------------------------------- probe (child)
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


def probe(module: types.ModuleType, rec: Recorder, config: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    """Run every cell probe.

    Args:
        module: the student's ``cell`` module.
        rec: Recorder.
        config: dict with ``units``.
        arrays: dict with ``kernel``, ``recurrent``, ``bias``, ``x1``, ``x2``, ``h0``, ``c0``,
            ``r_h``, ``r_c``.
    """
    import keras
    import tensorflow as tf

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


# --------------------------------------------------------------------------- verdicts (parent)
VERDICTS = Verdicts("cell")


@VERDICTS.check("cell.gate_sublayers")
def gate_sublayers(case: Case) -> tuple[bool, str]:
    """The cell keeps ``units`` and four ``Dense(units)`` gates under the contract's names."""
    units = case.config["units"]
    case.need("structure")
    found = case.value("structure.gates")
    bad = [g for g in GATES if not (found.get(g, {}).get("dense") and found[g].get("units") == units)]
    ok = case.value("structure.units") == units and not bad
    return ok, f"units={case.value('structure.units')}; missing or not Dense({units}): {bad or 'none'}"


@VERDICTS.check("cell.forget_bias")
def forget_bias(case: Case) -> tuple[bool, str]:
    """Only the forget gate's bias starts at 1: read from the named gates, else from a fresh cell's behaviour."""
    case.need("structure")
    found = case.value("structure.gates")
    if all(found.get(g, {}).get("exists") for g in GATES):
        starts = {g: case.array(f"structure.bias.{g}") for g in GATES}
        wrong = [g for g in GATES if not np.allclose(starts[g], 1.0 if g == "forget_gate" else 0.0)]
        return not wrong, f"gates whose bias starts wrong: {wrong or 'none'}"
    # Behaviour, where the contract's gate names are absent: at zero input and zero h, a fresh
    # cell's c' = f * c + i * g is linear in c, with slope f = sigmoid(b_f) and offset i * tanh(b_g).
    case.need("fresh")
    c0, c1, h1 = case.array("fresh.c0.c"), case.array("fresh.c1.c"), case.array("fresh.c1.h")
    forget, offset = c1 - c0, c0
    tanh_c1 = np.tanh(c1)
    output = np.divide(h1, tanh_c1, out=np.full_like(h1, np.nan), where=np.abs(tanh_c1) > 1e-6)
    expected = 1 / (1 + math.exp(-1))
    ok = (bool(np.allclose(forget, expected, atol=1e-4)) and bool(np.allclose(offset, 0, atol=1e-4))
          and bool(np.allclose(output, 0.5, atol=1e-4)))
    return ok, (f"judged from behaviour (no gates named as in the contract): a fresh cell at zero input keeps "
                f"f = {float(np.mean(forget)):.3f} of its cell state (sigmoid(1) = {expected:.3f}), adds "
                f"{float(np.max(np.abs(offset))):.3g} (0 when the candidate's bias is 0) and lets out "
                f"o = {float(np.nanmean(output)):.3f} (sigmoid(0) = 0.5)")


def _decorator_note(case: Case) -> str:
    """Name NOTES' third trap when the evidence shows it: tf.function on call and no build().

    Args:
        case: the part's inputs and the child's evidence.

    Returns:
        str, empty when the trap does not show.
    """
    values = case.evidence.values
    if values.get("structure.tf_function_call") and values.get("structure.defines_build") is False:
        return ("; call is decorated with @tf.function and the cell has no build(): its Dense gates are "
                "created inside the first trace, so weights assigned later do not reach the output and "
                "no variable gets a gradient. Build the gates in build() (or drop the decorator); "
                "the equations may well be right")
    return ""


def _outputs(case: Case) -> tuple[list[np.ndarray], list[np.ndarray], dict[str, np.ndarray]]:
    """The two steps with Keras' weights in the named gates, and Keras' own.

    Args:
        case: the part's inputs and the child's evidence.

    Returns:
        ``(step1, step2, references)``.

    Raises:
        Missing: when the probe failed or ``call`` did not return a pair.
    """
    case.need("forward")
    if case.value("forward.arity") != 2:
        raise Missing(f"call returned {case.value('forward.arity')} values, not a pair")
    step1 = [case.array(f"forward.step1.{i}") for i in range(2)]
    step2 = [case.array(f"forward.step2.{i}") for i in range(2)]
    return step1, step2, case.references()


def _layout_matches(case: Case, ref: dict[str, np.ndarray]) -> str:
    """The parametrization whose two steps equal Keras' (in the order (h, c)), or ''.

    Args:
        case: the part's inputs and the child's evidence.
        ref: Keras' two steps.

    Returns:
        str, the layout's name.
    """
    names = case.evidence.values.get("layouts.names")
    if "layouts" in case.evidence.errors or not isinstance(names, list):
        return ""
    for index, name in enumerate(names):
        outputs = [case.evidence.arrays.get(f"layouts.{index}.{i}") for i in range(4)]
        if all(o is not None for o in outputs) and all(
                close(np.asarray(o), ref[k]) for o, k in zip(outputs, ("h1", "c1", "h2", "c2"))):
            return str(name)
    return ""


@VERDICTS.check("cell.matches_keras")
def matches_keras(case: Case) -> tuple[bool, str]:
    """Two steps equal Keras' cell, in the named gates or on a parametrization that fits the variables."""
    try:
        step1, step2, ref = _outputs(case)
    except Missing as missing:
        layout = _layout_matches(case, case.references()) if "layouts" not in case.evidence.errors else ""
        if layout:
            return True, f"Keras' weights mapped onto {layout} give Keras' numbers"
        raise Missing(f"{missing}{_decorator_note(case)}") from None
    if close(step1[0], ref["h1"]) and close(step1[1], ref["c1"]):
        ok = close(step2[0], ref["h2"]) and close(step2[1], ref["c2"])
        if ok:
            return ok, f"step 2: h {gap(step2[0], ref['h2'])}, c {gap(step2[1], ref['c2'])}"
    if close(step1[0], ref["c1"]) and close(step1[1], ref["h1"]):
        return True, "values match Keras (in the order (c, h))"
    layout = _layout_matches(case, ref)
    if layout:
        return True, f"Keras' weights mapped onto {layout} give Keras' numbers"
    return False, (f"step 1: h {gap(step1[0], ref['h1'])}, c {gap(step1[1], ref['c1'])}, with Keras' weights "
                   f"copied into the named gates and onto every parametrization that fits the cell's variables"
                   f"{_decorator_note(case)}")


def _first_step(case: Case, ref: dict[str, np.ndarray]) -> list[np.ndarray]:
    """The cell's first step with Keras' weights: in the named gates, else on the layout that fits.

    Args:
        case: the part's inputs and the child's evidence.
        ref: Keras' two steps.

    Returns:
        list of the two outputs.

    Raises:
        Missing: when neither probe has a first step.
    """
    try:
        case.need("forward")
    except Missing:
        names = case.evidence.values.get("layouts.names")
        if "layouts" in case.evidence.errors or not names:
            raise
        layout = _layout_matches(case, ref)
        index = names.index(layout) if layout in names else 0
        return [case.array(f"layouts.{index}.{i}") for i in range(2)]
    if case.value("forward.arity") != 2:
        raise Missing(f"call returned {case.value('forward.arity')} values, not a pair")
    return [case.array(f"forward.step1.{i}") for i in range(2)]


@VERDICTS.check("cell.state_order")
def state_order(case: Case) -> tuple[bool, str]:
    """``call`` returns ``(h, c)``: by Keras' values, or by ``|h| <= tanh(|c|)`` whatever the values."""
    ref = case.references()
    step1 = _first_step(case, ref)
    if close(step1[0], ref["c1"]) and close(step1[1], ref["h1"]):
        return False, "call returned (cell_state, hidden_state)"
    # Order only, whatever the values: h = o * tanh(c) with o in (0, 1), so |h| <= tanh(|c|) holds for
    # (h, c) and, for cell states larger than about 0.1, not for (c, h).
    first, second = np.abs(step1[0]), np.abs(step1[1])
    if first.shape != second.shape or not (np.all(np.isfinite(first)) and np.all(np.isfinite(second))):
        return False, f"the two outputs have shapes {first.shape} and {second.shape}"
    h_first = bool(np.all(first <= np.tanh(second) + 1e-6))
    c_first = bool(np.all(second <= np.tanh(first) + 1e-6))
    if h_first:
        return True, "the first output is bounded by tanh of the second, as h = o * tanh(c) is: the order (h, c)"
    if c_first:
        return False, "the second output is bounded by tanh of the first: call returned (cell_state, hidden_state)"
    return True, ("the outputs do not show their order (neither is bounded by tanh of the other); "
                  "their values are judged by cell.matches_keras")


@VERDICTS.check("cell.gradients")
def gradients(case: Case) -> tuple[bool, str]:
    """Every variable of the cell gets a gradient, eagerly and inside tf.function."""
    case.need("gradients_eager", "gradients_graph")
    eager = all_positive(case.value("gradients_eager.norms"))
    graph = all_positive(case.value("gradients_graph.norms"))
    ok = eager[0] and graph[0]
    return ok, f"eagerly: {eager[1]}; in tf.function: {graph[1]}" + ("" if ok else _decorator_note(case))
