"""The ``layer`` part: the unrolling, graph mode, any length, and gradients eagerly, in graph mode and in a model.

The parent draws Keras-layout weights and sequences (:func:`inputs`). The child runs the
student's ``LSTM`` on the grader's
:class:`~course.grading.checking.contract.ContractCell` (which offers ``fused_weights()``
as the reference cell does), so a broken ``cell.py`` costs nothing here: the layer's
checks test the unrolling only. Besides the bare layer, the probe trains the layer inside
a grader-owned model (:class:`~course.grading.checking.contract.LayerHarness`) under the
three call patterns that can silently cut the cell off from its gradients: built lazily
inside an outer ``tf.function`` train step, one eager call then an eager tape, and
``model.fit`` (:func:`probe`). The parent compares with ``keras.layers.LSTM``
(:func:`references`, :data:`VERDICTS`).
"""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, Any

import numpy as np

from course.grading.checking.inputs import PartInputs, keras_weights
from course.grading.checking.judges import ATOL_LONG, Case, Missing, Verdicts, all_positive, close, error_text, gap
from course.grading.checking.parts.cell import copy_keras_weights
from course.grading.checking.recording import Recorder, gradient_norms, graph_op_types
from course.grading.running.tasks import GROUPS

if TYPE_CHECKING:
    import tensorflow as tf

    from course.grading.checking.contract import ContractCell
    from course.grading.running.guard import RuntimeGuard

#: The layer's size in the probes: units H, features D, batch B, steps T.
UNITS, FEATURES, BATCH, STEPS = 4, 3, 2, 6
#: The batch size the probe asks ``zero_states`` for.
ZERO_STATES_BATCH = 3
#: The two sequence lengths whose traced graphs must have the same size.
UNROLL_STEPS = (2, 20)


def inputs(rng: np.random.Generator) -> PartInputs:
    """Keras-layout weights, a sequence and its perturbed copy, initial states, long and short sequences.

    Args:
        rng: numpy Generator.

    Returns:
        PartInputs.
    """
    arrays = keras_weights(rng, FEATURES, UNITS)
    x = rng.normal(0, 1, (BATCH, STEPS, FEATURES))
    x_pert = x.copy()
    x_pert[:, 0, :] += 2.0
    arrays.update({
        "x": x, "x_pert": x_pert,
        "h0": rng.normal(0, 0.5, (BATCH, UNITS)), "c0": rng.normal(0, 1, (BATCH, UNITS)),
        "x_t2": rng.normal(0, 1, (BATCH, 2, FEATURES)), "x_t200": rng.normal(0, 1, (BATCH, 200, FEATURES)),
        "r": rng.normal(0, 1, (BATCH, STEPS, UNITS)),
    })
    return PartInputs(config={"features": FEATURES, "units": UNITS},
                      arrays={k: v.astype(np.float32) for k, v in arrays.items()})


def _keras_lstm(arrays: dict[str, np.ndarray], x: np.ndarray,
                states: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Run ``keras.layers.LSTM(return_sequences=True)`` with the part's weights.

    Args:
        arrays: dict with ``kernel``, ``recurrent``, ``bias``.
        x: array ``(B, T, D)``.
        states: optional initial ``(h0, c0)``.

    Returns:
        array ``(B, T, H)``, float64.
    """
    import keras

    units = arrays["recurrent"].shape[0]
    layer = keras.layers.LSTM(units, return_sequences=True)
    layer.build((None, None, x.shape[-1]))
    layer.set_weights([arrays["kernel"], arrays["recurrent"], arrays["bias"]])
    out = layer(x) if states is None else layer(x, initial_state=list(states))
    return np.asarray(out, np.float64)


def references(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every output of ``keras.layers.LSTM`` the layer's checks compare with (parent only).

    Args:
        arrays: the part's inputs.

    Returns:
        dict with ``zero``, ``states``, ``t2``, ``t200``.
    """
    return {
        "zero": _keras_lstm(arrays, arrays["x"]),
        "states": _keras_lstm(arrays, arrays["x"], (arrays["h0"], arrays["c0"])),
        "t2": _keras_lstm(arrays, arrays["x_t2"]),
        "t200": _keras_lstm(arrays, arrays["x_t200"]),
    }


# --------------------------------------------------------------------------- probe (child)
class CellMaker:
    """Make the cells the student's ``LSTM`` runs on: the grader's, unless the layer needs its own.

    The layer's checks should test the unrolling only, so they run on
    :class:`~course.grading.checking.contract.ContractCell`. A layer that calls methods of its own cell beyond the
    contract (for example a fused-weights helper) cannot run on it; then, and only
    when the student's cell module imported, the student's own cell is used, with the
    same weights copied into its Dense gates.

    Args:
        layer_module: the student's ``layer`` module.
        cell_module: the module imported as the package's ``cell`` (the student's, or
            the grader's stand-in when the student's failed to import).
        arrays: dict with ``kernel``, ``recurrent``, ``bias``, ``x``.
    """

    def __init__(self, layer_module: types.ModuleType, cell_module: types.ModuleType,
                 arrays: dict[str, np.ndarray]) -> None:
        """Decide which cell to use by running the layer once on the grader's cell.

        Args:
            layer_module: the student's ``layer`` module.
            cell_module: the package's ``cell`` module.
            arrays: the part's arrays.
        """
        import tensorflow as tf

        from course.grading.checking.contract import ContractCell

        self.arrays = arrays
        self.units = arrays["recurrent"].shape[0]
        self.own = None
        try:
            layer_module.LSTM(self.grader_cell(True))(tf.constant(arrays["x"], tf.float32))
        except (AttributeError, TypeError):
            own = getattr(cell_module, "LSTMCell", None)
            if isinstance(own, type) and own is not ContractCell:
                try:
                    layer_module.LSTM(self._student_cell(own, True))(tf.constant(arrays["x"], tf.float32))
                    self.own = own
                except Exception:  # noqa: BLE001 - then the grader's cell it is; its errors are reported
                    self.own = None
        except Exception:  # noqa: BLE001 - reported by the probes themselves
            pass

    def grader_cell(self, weights: bool) -> ContractCell:
        """A grader cell, with the parent's weights when asked.

        Args:
            weights: bool, copy the parent's weights in (the cell is then built).

        Returns:
            ContractCell.
        """
        from course.grading.checking.contract import ContractCell

        cell = ContractCell(self.units)
        if weights:
            cell.set_keras_weights(self.arrays["kernel"], self.arrays["recurrent"], self.arrays["bias"])
        return cell

    def _student_cell(self, own: type, weights: bool) -> Any:
        """The student's own cell, with the parent's weights when asked.

        Args:
            own: the student's LSTMCell class.
            weights: bool.

        Returns:
            The cell.
        """
        import tensorflow as tf

        cell = own(self.units)
        if weights:
            features = self.arrays["kernel"].shape[0]
            cell(tf.zeros((1, features)), (tf.zeros((1, self.units)), tf.zeros((1, self.units))))
            copy_keras_weights(cell, self.arrays["kernel"], self.arrays["recurrent"], self.arrays["bias"])
        return cell

    def __call__(self, weights: bool = True) -> Any:
        """Make a cell.

        Args:
            weights: bool, with the parent's weights (built) or fresh (unbuilt).

        Returns:
            A cell for the student's LSTM.
        """
        return self.grader_cell(weights) if self.own is None else self._student_cell(self.own, weights)


def _tracked(lstm: Any, cell: Any) -> bool:
    """Tell whether the layer's trainable variables include all of its cell's.

    Args:
        lstm: the student's layer.
        cell: its cell.

    Returns:
        bool.
    """
    ids = {id(v) for v in lstm.trainable_variables}
    return bool(cell.trainable_variables) and all(id(v) in ids for v in cell.trainable_variables)


def weighted_sum(out: Any, weights: tf.Tensor) -> tf.Tensor:
    """The gradient probes' loss, on whatever layout the layer returned.

    The gradient checks judge gradients: a time-major ``(T, B, H)`` output, or only the
    last step ``(B, H)``, is charged at ``layer.output_shape`` and must not break the loss.

    Args:
        out: the layer's (or harness's) output.
        weights: tf.Tensor ``(B, T, H)``, the loss's weights in the contract's layout.

    Returns:
        tf.Tensor, a scalar.
    """
    import tensorflow as tf

    out = tf.convert_to_tensor(out)
    for candidate in (weights, tf.transpose(weights, [1, 0, 2]), weights[:, -1]):
        if out.shape == candidate.shape:
            return tf.reduce_sum(out * candidate)
    return tf.reduce_sum(out)  # any other shape: still a loss that reaches every weight the output uses


def _variable_names(variables: list[Any]) -> list[str]:
    """Names of variables for the report.

    Args:
        variables: list of variables.

    Returns:
        list of str.
    """
    return [str(getattr(v, "path", None) or v.name) for v in variables]


def _in_model(module: types.ModuleType, rec: Recorder, make_cell: Any, x: tf.Tensor, r: tf.Tensor) -> None:
    """Train the student's layer inside :class:`~course.grading.checking.contract.LayerHarness` under each pattern that can cut gradients.

    Records, per pattern, the gradient norm (or, for ``fit``, the change) of every
    trainable variable of the model, and whether the cell's variables are among them.

    Args:
        module: the student's ``layer`` module.
        rec: Recorder.
        make_cell: :class:`CellMaker`.
        x: tf.Tensor ``(B, T, D)``.
        r: tf.Tensor ``(B, T, 1)``, the loss's weights.
    """
    import keras
    import tensorflow as tf

    from course.grading.checking.contract import LayerHarness

    def fresh() -> tuple[LayerHarness, Any]:
        cell = make_cell(weights=False)
        return LayerHarness(module.LSTM(cell), name="harness"), cell

    def record(pattern: str, model: LayerHarness, cell: Any, norms: list[float]) -> None:
        ids = {id(v) for v in model.trainable_variables}
        rec.put(f"in_model.{pattern}.tracked", bool(cell.trainable_variables)
                and all(id(v) in ids for v in cell.trainable_variables))
        rec.put(f"in_model.{pattern}.names", _variable_names(model.trainable_variables))
        rec.put(f"in_model.{pattern}.norms", norms)

    with rec.probe("in_model.lazy_tf_function"):
        model, cell = fresh()

        @tf.function
        def step(inputs: tf.Tensor) -> list[tf.Tensor]:
            with tf.GradientTape() as tape:
                loss = weighted_sum(model(inputs), r)  # the model is built here, inside the train step
            found = tape.gradient(loss, model.trainable_variables)
            return [tf.constant(-1.0) if g is None else tf.norm(g) for g in found]

        record("lazy_tf_function", model, cell, [float(n) for n in step(x)])

    with rec.probe("in_model.eager_tape"):
        model, cell = fresh()
        model(x)  # one eager call outside any tape
        with tf.GradientTape() as tape:
            loss = weighted_sum(model(x), r)
        record("eager_tape", model, cell, gradient_norms(tape.gradient(loss, model.trainable_variables)))

    with rec.probe("in_model.fit"):
        model, cell = fresh()
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        before: dict[int, np.ndarray] = {}

        class Snapshot(keras.callbacks.Callback):
            """Keep every weight after the first step (fit builds the model lazily, in that step)."""

            def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
                if batch == 0:
                    before.update({id(v): np.array(v) for v in model.trainable_variables})

        target = tf.random.stateless_normal(tuple(r.shape), seed=(3, 4))
        # One epoch of two steps (half the batch each): the second step's update is compared.
        model.fit(x, target, batch_size=max(1, int(x.shape[0]) // 2), epochs=1, verbose=0, shuffle=False,
                  callbacks=[Snapshot()])
        changes = [float(np.max(np.abs(np.array(v) - before[id(v)]))) if id(v) in before else -1.0
                   for v in model.trainable_variables]
        record("fit", model, cell, changes)


def _ops(function: Any, spec: tf.TensorSpec) -> list[str]:
    """Trace ``function`` for ``spec`` and list its graph's op types (function library included).

    Args:
        function: a tf.function.
        spec: the input's TensorSpec.

    Returns:
        list of op types, one per node.
    """
    graph = function.get_concrete_function(spec).graph
    return graph_op_types(graph.as_graph_def())


def probe(module: types.ModuleType, rec: Recorder, config: dict[str, Any], arrays: dict[str, np.ndarray],
        guard: RuntimeGuard | None = None, cell_module: types.ModuleType | None = None,
        group: str | None = None) -> None:
    """Run every layer probe, or one group of them (:data:`course.grading.running.tasks.GROUPS`).

    Args:
        module: the student's ``layer`` module.
        rec: Recorder.
        config: dict with ``features``.
        arrays: dict with the cell weights, ``x``, ``x_pert``, ``h0``, ``c0``, ``x_t2``,
            ``x_t200``, ``r``.
        guard: the runtime guard, told about raw ops found in traced graphs.
        cell_module: the module imported as the package's ``cell``.
        group: str or None, ``bare`` (the bare layer's probes) or ``in_model`` (:func:`_in_model`);
            None runs both, in that order.

    Raises:
        ValueError: for an unknown group.
    """
    import tensorflow as tf

    if group not in (None, *GROUPS["layer"]):
        raise ValueError(f"no layer probe group {group!r}")
    x = tf.constant(arrays["x"], tf.float32)
    features = config["features"]
    make_cell = CellMaker(module, cell_module, arrays)
    rec.put("cell", "student" if make_cell.own is not None else "grader")
    if group in (None, "bare"):
        _bare(module, rec, features, make_cell, x, arrays, guard)
    if group in (None, "in_model"):
        _in_model(module, rec, make_cell, x, tf.constant(arrays["r"][..., :1], tf.float32))


def _bare(module: types.ModuleType, rec: Recorder, features: int, make_cell: CellMaker, x: tf.Tensor,
          arrays: dict[str, np.ndarray], guard: RuntimeGuard | None) -> None:
    """The bare layer's probes: states, outputs, graph mode, any length, gradients.

    Args:
        module: the student's ``layer`` module.
        rec: Recorder.
        features: int, the input's last dimension.
        make_cell: :class:`CellMaker`.
        x: tf.Tensor ``(B, T, D)``.
        arrays: the part's inputs.
        guard: the runtime guard, told about raw ops found in traced graphs.
    """
    import tensorflow as tf

    with rec.probe("zero_states"):
        states = module.LSTM(make_cell()).zero_states(ZERO_STATES_BATCH)
        rec.put("zero_states.arity", len(states))
        for i, value in enumerate(list(states)[:2]):
            rec.array(f"zero_states.{i}", value)

    with rec.probe("forward"):
        lstm = module.LSTM(make_cell())
        rec.array("forward.zero", lstm(x))
        rec.array("forward.perturbed", lstm(tf.constant(arrays["x_pert"], tf.float32)))

    with rec.probe("initial_states"):
        lstm = module.LSTM(make_cell())
        states = (tf.constant(arrays["h0"], tf.float32), tf.constant(arrays["c0"], tf.float32))
        rec.array("initial_states.out", lstm(x, states))

    with rec.probe("graph"):
        lstm = module.LSTM(make_cell())
        traced = tf.function(lambda inputs: lstm(inputs), autograph=False)
        ops = _ops(traced, tf.TensorSpec((None, None, features), tf.float32))
        rec.put("graph.while_ops", sum(op in ("While", "StatelessWhile") for op in ops))
        rec.put("graph.op_types", sorted(set(ops)))
        if guard is not None:
            rec.put("graph.forbidden_ops", guard.record_graph_ops(set(ops)))

    with rec.probe("unroll"):
        lstm = module.LSTM(make_cell())
        traced = tf.function(lambda inputs: lstm(inputs), autograph=False)
        rec.put("unroll.nodes", [len(_ops(traced, tf.TensorSpec((2, steps, features), tf.float32)))
                                 for steps in UNROLL_STEPS])

    with rec.probe("any_T"):
        lstm = module.LSTM(make_cell())
        traced = tf.function(lambda inputs: lstm(inputs), autograph=False,
                             input_signature=[tf.TensorSpec((None, None, features), tf.float32)])
        rec.array("any_T.t2", traced(tf.constant(arrays["x_t2"], tf.float32)))
        rec.array("any_T.t200", traced(tf.constant(arrays["x_t200"], tf.float32)))
        rec.put("any_T.traces", traced.experimental_get_tracing_count())

    weights = tf.constant(arrays["r"], tf.float32)

    with rec.probe("gradients_eager"):
        cell = make_cell(weights=False)
        lstm = module.LSTM(cell)
        lstm(x)  # a first call outside any tape (NOTES trap 2b)
        with tf.GradientTape() as tape:
            loss = weighted_sum(lstm(x), weights)
        variables = cell.trainable_variables
        rec.put("gradients_eager.count", len(variables))
        rec.put("gradients_eager.tracked", _tracked(lstm, cell))
        rec.put("gradients_eager.norms", gradient_norms(tape.gradient(loss, variables)))

    with rec.probe("gradients_graph"):
        cell = make_cell(weights=False)
        lstm = module.LSTM(cell)

        @tf.function
        def grads(inputs: tf.Tensor) -> list[tf.Tensor]:
            with tf.GradientTape() as tape:
                loss = weighted_sum(lstm(inputs), weights)  # built lazily, inside (NOTES trap 2a)
            found = tape.gradient(loss, cell.trainable_variables)
            return [tf.constant(-1.0) if g is None else tf.norm(g) for g in found]

        norms = [float(n) for n in grads(x)]
        rec.put("gradients_graph.count", len(cell.trainable_variables))
        rec.put("gradients_graph.tracked", _tracked(lstm, cell))
        rec.put("gradients_graph.norms", norms)


# --------------------------------------------------------------------------- verdicts (parent)
VERDICTS = Verdicts("layer")


def _sizes(case: Case) -> tuple[int, int, int]:
    """The sizes of the sequence the layer ran on.

    Args:
        case: the part's inputs and the child's evidence.

    Returns:
        ``(B, T, H)``.
    """
    batch, steps, _ = case.arrays["x"].shape
    return batch, steps, case.arrays["recurrent"].shape[0]


@VERDICTS.check("layer.zero_states")
def zero_states(case: Case) -> tuple[bool, str]:
    """``zero_states(B)`` returns a pair of zero tensors of shape ``(B, H)``."""
    units = _sizes(case)[2]
    case.need("zero_states")
    if case.value("zero_states.arity") != 2:
        return False, f"returned {case.value('zero_states.arity')} values, not a pair"
    states = [case.array(f"zero_states.{i}") for i in range(2)]
    ok = all(s.shape == (ZERO_STATES_BATCH, units) and not np.any(s) for s in states)
    return ok, (f"zero_states({ZERO_STATES_BATCH}) gave shapes {[s.shape for s in states]} "
                f"(expected ({ZERO_STATES_BATCH}, {units}) zeros)")


@VERDICTS.check("layer.output_shape")
def output_shape(case: Case) -> tuple[bool, str]:
    """The layer returns every step's hidden state, ``(B, T, H)``."""
    expected = _sizes(case)
    case.need("forward")
    shape = case.array("forward.zero").shape
    return shape == expected, f"output shape {shape}, expected {expected}"


def _contract_layout(case: Case, out: np.ndarray, ref: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """Read an output on the layout the grader identified (the layout is charged at output_shape).

    Args:
        case: the part's inputs and the child's evidence.
        out: the layer's output.
        ref: Keras' output ``(B, T, H)``.

    Returns:
        ``(out, ref, note)``: a time-major output transposed back, or only the last step
        compared with Keras' last step.
    """
    batch, steps, units = _sizes(case)
    shown = case.evidence.arrays.get("forward.zero")
    time_major = shown is not None and shown.shape == (steps, batch, units) and steps != batch
    if time_major and out.ndim == 3 and out.shape == ref.shape[1::-1] + ref.shape[2:]:
        return out.transpose(1, 0, 2), ref, " (read as time-major (T, B, H); the layout is charged at output_shape)"
    if out.shape == ref[:, -1].shape:
        return out, ref[:, -1], " (only the last step was returned and compared; the layout is charged at output_shape)"
    return out, ref, ""


@VERDICTS.check("layer.matches_keras")
def matches_keras(case: Case) -> tuple[bool, str]:
    """From zero states, the layer's outputs equal Keras' LSTM."""
    case.need("forward")
    out, ref, note = _contract_layout(case, case.array("forward.zero"), case.references()["zero"])
    return close(out, ref), gap(out, ref) + note


@VERDICTS.check("layer.initial_states")
def initial_states(case: Case) -> tuple[bool, str]:
    """From given states, the layer's outputs equal Keras' LSTM from the same states."""
    case.need("initial_states")
    out, ref, note = _contract_layout(case, case.array("initial_states.out"), case.references()["states"])
    return close(out, ref), gap(out, ref) + note


@VERDICTS.check("layer.carries_state")
def carries_state(case: Case) -> tuple[bool, str]:
    """Changing the first input moves the last output."""
    batch, steps, units = _sizes(case)
    case.need("forward")
    out, pert = case.array("forward.zero"), case.array("forward.perturbed")
    expected = (batch, steps, units)
    if out.shape != expected or pert.shape != expected:
        # Shapes before meaning: out[:, -1] is the last step only for a (B, T, H) output.
        time_major = " (time-major (T, B, H)?)" if out.shape == (steps, batch, units) else ""
        return False, (f"cannot read the last step: the output has shape {out.shape}{time_major}, "
                       f"not (batch, time, units) = {expected}; return (B, T, H)")
    change = float(np.max(np.abs(out[:, -1] - pert[:, -1])))
    return change > 1e-6, f"changing the first input moves the last output by {change:.3g}"


@VERDICTS.check("layer.graph_while")
def graph_while(case: Case) -> tuple[bool, str]:
    """The traced graph holds a While loop and no raw RNN op."""
    case.need("graph")
    loops, forbidden = case.value("graph.while_ops"), case.value("graph.forbidden_ops")
    return loops >= 1 and not forbidden, f"{loops} While op(s) in the traced graph; raw RNN ops: {forbidden or 'none'}"


@VERDICTS.check("layer.graph_no_unroll")
def graph_no_unroll(case: Case) -> tuple[bool, str]:
    """The traced graph has as many nodes for a short sequence as for a long one."""
    case.need("unroll")
    nodes = case.value("unroll.nodes")
    short, long = UNROLL_STEPS
    return nodes[0] == nodes[1], f"graph nodes for T={short}: {nodes[0]}, for T={long}: {nodes[1]}"


@VERDICTS.check("layer.one_trace_any_T")
def one_trace_any_T(case: Case) -> tuple[bool, str]:  # noqa: N802 - the check's name
    """One trace serves T=2 and T=200, with Keras' numbers for both."""
    case.need("any_T")
    ref = case.references()
    t2, ref2, note = _contract_layout(case, case.array("any_T.t2"), ref["t2"])
    t200, ref200, _ = _contract_layout(case, case.array("any_T.t200"), ref["t200"])
    traces = case.value("any_T.traces")
    ok = traces == 1 and close(t2, ref2, ATOL_LONG) and close(t200, ref200, ATOL_LONG)
    return ok, f"{traces} trace(s); T=2: {gap(t2, ref2)}; T=200: {gap(t200, ref200)}{note}"


def _gradients(case: Case, probe_name: str) -> tuple[bool, str]:
    """Every variable of the cell gets a gradient through the layer, in one probe's pattern.

    Args:
        case: the part's inputs and the child's evidence.
        probe_name: str, ``gradients_eager`` or ``gradients_graph``.

    Returns:
        ``(passed, detail)``.
    """
    case.need(probe_name)
    if not case.value(f"{probe_name}.tracked"):
        return False, "the layer's trainable_variables do not include its cell's (keep the cell as an attribute)"
    return all_positive(case.value(f"{probe_name}.norms"))


@VERDICTS.check("layer.gradients_eager")
def gradients_eager(case: Case) -> tuple[bool, str]:
    """Eagerly, after a first call outside the tape, every variable of the cell gets a gradient."""
    return _gradients(case, "gradients_eager")


@VERDICTS.check("layer.gradients_graph")
def gradients_graph(case: Case) -> tuple[bool, str]:
    """Built lazily inside a tf.function, every variable of the cell gets a gradient."""
    return _gradients(case, "gradients_graph")


@VERDICTS.check("layer.trains_in_model")
def trains_in_model(case: Case) -> tuple[bool, str]:
    """Inside a model, every variable of the cell trains under the three patterns that can cut it off."""
    patterns = (("lazy_tf_function", "built lazily in a tf.function train step"),
                ("eager_tape", "one eager call, then an eager tape"),
                ("fit", "model.fit (a weight that a step of SGD leaves unchanged got no gradient)"))
    case.need()
    for pattern, _ in patterns:  # an untouched exercise reads "not implemented yet"
        error = case.evidence.errors.get(f"in_model.{pattern}")
        if isinstance(error, dict) and error.get("not_implemented"):
            raise Missing(error_text(error))
    verdicts, details = [], []
    for pattern, label in patterns:
        probe_name = f"in_model.{pattern}"
        if probe_name in case.evidence.errors:
            verdicts.append(False)
            details.append(f"{label}: {error_text(case.evidence.errors[probe_name])}")
            continue
        if not case.value(f"{probe_name}.tracked"):
            verdicts.append(False)
            details.append(f"{label}: the model's trainable_variables miss the cell's")
            continue
        ok, text = all_positive(case.value(f"{probe_name}.norms"))
        names = case.value(f"{probe_name}.names")
        norms = case.value(f"{probe_name}.norms")
        dead = [n.rsplit("/", 2)[-2] + "/" + n.rsplit("/", 1)[-1] if n.count("/") >= 1 else n
                for n, g in zip(names, norms) if g is None or g <= 1e-12]
        verdicts.append(ok)
        details.append(f"{label}: {text}" + (f" ({', '.join(dead[:4])}{', ...' if len(dead) > 4 else ''})"
                                             if dead else ""))
    return all(verdicts), "; ".join(details)
