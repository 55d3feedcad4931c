"""The trusted parent's verdicts: each check decided from a child's raw outputs and the oracle.

Every judge takes the part's :class:`~course.grading.checking.inputs.PartInputs` and the
child's :class:`Evidence`, and returns ``{check name: (passed, detail)}``. A probe
that raised makes the checks that need it fail with what it raised; a
``NotImplementedError`` reads "not implemented yet". Nothing the child wrote is
trusted beyond being data: malformed output fails the check, it never crashes the judge.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from course import task
from course.grading.checking.checks import checks_for
from course.grading.checking.inputs import PartInputs

#: Tolerance of "equals Keras" (SPEC: 1e-5), and for 200 steps.
ATOL, ATOL_LONG = 1e-5, 1e-4
#: Text that starts a check's detail when the student's code is still a stub.
NOT_IMPLEMENTED = "not implemented yet"


@dataclass
class Evidence:
    """What one child reported for one submission.

    Attributes:
        values: dict of JSON values.
        arrays: dict of numpy arrays.
        errors: dict of probe name to error description.
        guard: list of str, forbidden uses the runtime guard recorded.
    """

    values: dict[str, Any] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    errors: dict[str, dict[str, Any]] = field(default_factory=dict)
    guard: list[str] = field(default_factory=list)


class Missing(Exception):
    """Evidence a check needs is absent: the detail says why."""


def error_text(error: dict[str, Any]) -> str:
    """Turn a recorded error into one line for the student.

    Args:
        error: dict from :func:`course.grading.checking.probes.describe`.

    Returns:
        str.
    """
    if not isinstance(error, dict):
        return "failed"
    message = str(error.get("message", ""))[:300]
    if error.get("not_implemented"):
        return f"{NOT_IMPLEMENTED}: {message}" if message else NOT_IMPLEMENTED
    where = f" (at {error['where']})" if error.get("where") else ""
    return f"{error.get('type', 'Error')}: {message}{where}"


class View:
    """Checked access to a child's evidence.

    Args:
        evidence: Evidence.
    """

    def __init__(self, evidence: Evidence) -> None:
        """Keep the evidence.

        Args:
            evidence: Evidence.
        """
        self.evidence = evidence

    def need(self, *probes: str) -> None:
        """Raise :class:`Missing` when the import or one of ``probes`` failed.

        Args:
            *probes: str, probe names.

        Raises:
            Missing: with the error's text.
        """
        for probe in ("import", "run", *probes):
            if probe in self.evidence.errors:
                raise Missing(error_text(self.evidence.errors[probe]))

    def value(self, name: str) -> Any:
        """Return a recorded value.

        Args:
            name: str.

        Returns:
            The value.

        Raises:
            Missing: when absent.
        """
        if name not in self.evidence.values:
            raise Missing(f"no value {name} was reported")
        return self.evidence.values[name]

    def array(self, name: str) -> np.ndarray:
        """Return a recorded array as float64 (or int64 for integer data).

        Args:
            name: str.

        Returns:
            np.ndarray.

        Raises:
            Missing: when absent.
        """
        if name not in self.evidence.arrays:
            raise Missing(f"no output {name} was reported")
        return np.asarray(self.evidence.arrays[name])


def _close(actual: np.ndarray, expected: np.ndarray, atol: float = ATOL) -> bool:
    """Tell whether two arrays have the same shape and values within ``atol``.

    Args:
        actual: array.
        expected: array.
        atol: float.

    Returns:
        bool.
    """
    return actual.shape == expected.shape and bool(np.all(np.isfinite(actual))) and bool(
        np.allclose(actual, expected, atol=atol, rtol=atol))


def _gap(actual: np.ndarray, expected: np.ndarray) -> str:
    """Describe how far an output is from the expected one.

    Args:
        actual: array.
        expected: array.

    Returns:
        str.
    """
    if actual.shape != expected.shape:
        return f"shape {actual.shape}, expected {expected.shape}"
    return f"largest difference {float(np.max(np.abs(actual - expected))):.3g}"


def _all_positive(norms: Any) -> tuple[bool, str]:
    """Judge a list of gradient norms (-1 = no gradient).

    Args:
        norms: list of float.

    Returns:
        ``(passed, detail)``.
    """
    if not isinstance(norms, list) or not norms:
        return False, "no trainable variables were found"
    missing = sum(1 for n in norms if n is None or n < 0)
    zero = sum(1 for n in norms if n is not None and 0 <= n <= 1e-12)
    if missing or zero:
        return False, f"of {len(norms)} variables, {missing} got no gradient and {zero} a zero gradient"
    return True, f"all {len(norms)} variables get a gradient"


# --------------------------------------------------------------------------- data
def _verdicts(part: str, scope: dict[str, Any]) -> dict[str, Callable[[], tuple[bool, str]]]:
    """Pick a judge's verdict functions: the local functions named after the part's checks.

    Args:
        part: str, the part (``data``, ``cell``, ...).
        scope: dict, the judge's ``locals()``.

    Returns:
        dict of check name (without the part) to its verdict function.
    """
    names = {check.name.split(".")[1] for check in checks_for(part)}
    return {name: fn for name, fn in scope.items() if name in names}


def judge_data(inputs: PartInputs, view: View, oracle: Any = None) -> dict[str, Callable[[], tuple[bool, str]]]:
    """Verdicts for ``data.py``.

    Args:
        inputs: the part's inputs.
        view: the child's evidence.
        oracle: unused.

    Returns:
        dict of check name to a function giving ``(passed, detail)``.
    """
    config = inputs.config

    def generator_shapes() -> tuple[bool, str]:
        for key in ("gen_a", "gen_b"):
            view.need(key)
            steps, count = config[key]
            got = (view.value(f"{key}.count"), view.value(f"{key}.noise_shapes"),
                   view.value(f"{key}.target_shapes"), view.value(f"{key}.noise_dtypes"))
            want = (count, [f"({steps}, 1)"], ["(1,)"], ["float32"])
            if got != want:
                return False, (f"integration_task({steps}, {count}) gave {got[0]} pairs, noise shapes {got[1]} "
                               f"{got[3]}, target shapes {got[2]}")
        return True, "shapes, dtypes and counts are right"

    def integer_labels() -> tuple[bool, str]:
        view.need("gen_a")
        dtypes = view.value("gen_a.target_dtypes")
        ok = bool(dtypes) and all(d in ("int32", "int64") for d in dtypes)
        return ok, f"target dtype {dtypes}"

    def labels_threshold_0() -> tuple[bool, str]:
        view.need("gen_a")
        noise, target = view.array("gen_a.noise"), view.array("gen_a.target")
        sums = noise.sum(axis=1)
        wrong = (target != (sums > 0)) & (np.abs(sums) > 1e-4)
        return not wrong.any(), f"{int(wrong.sum())} of {len(target)} labels differ from (noise.sum() > 0)"

    def noise_standard_normal() -> tuple[bool, str]:
        view.need("gen_a")
        noise = view.array("gen_a.noise")
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

    def wrapper_no_args() -> tuple[bool, str]:
        view.need("wrapper")
        got = (view.value("wrapper.required"), view.value("wrapper.SEQ_LEN"), view.value("wrapper.NUM_SAMPLES"),
               view.value("wrapper.count"), view.value("wrapper.noise_shapes"))
        seq_len, num_samples = config["wrapper"]  # the task's, course/task.py
        ok = got == ([], seq_len, num_samples, num_samples, [f"({seq_len}, 1)"])
        # the probe stops one pair past the task's count
        count = f"more than {num_samples:,}" if isinstance(got[3], int) and got[3] > num_samples else got[3]
        return ok, (f"required arguments {got[0]}, SEQ_LEN={got[1]}, NUM_SAMPLES={got[2]}, "
                    f"yielded {count} pairs of shape {got[4]} (the task's: SEQ_LEN={seq_len}, "
                    f"NUM_SAMPLES={num_samples})")

    def from_generator() -> tuple[bool, str]:
        # The wrapping only: the labels and the noise have their own checks.
        view.need("dataset")
        seq_len, count = config["dataset"]
        ops, spec = view.value("dataset.ops"), view.value("dataset.spec")
        generator = "GeneratorDataset" in ops and any("PyFunc" in op for op in ops)
        spec_ok = (isinstance(spec, list) and len(spec) == 2 and spec[0] == [[seq_len, 1], "float32"]
                   and spec[1] in ([[1], "int32"], [[1], "int64"]))
        calls = view.evidence.values.get("dataset.from_generator_calls")
        signature = isinstance(calls, list) and any(
            isinstance(c, dict) and ("output_signature" in c.get("keywords", []) or c.get("positional", 0) >= 5)
            for c in calls)
        n = view.value("dataset.count")
        ok = generator and spec_ok and n == count and signature
        said = ("with output_signature" if signature else "without output_signature (output_types/output_shapes "
                "are deprecated; the homework asks for output_signature)" if calls else "not called")
        return ok, (f"from a Python generator: {generator}; from_generator {said}; element spec {spec}; "
                    f"{n} elements (expected {count})")

    def prepare_batches() -> tuple[bool, str]:
        view.need("prep_big", "prep_default")
        sizes, order = view.value("prep_big.sizes"), view.array("prep_big.order")
        default = view.value("prep_default.sizes")
        ok = (sizes == [16] * 6 + [4] and sorted(order.tolist()) == list(range(100)) and default == [64, 36])
        return ok, (f"100 pairs, batch_size=16 gave batches {sizes}; with the defaults {default}; "
                    f"every pair once: {sorted(order.tolist()) == list(range(100))}")

    def prepare_shuffles() -> tuple[bool, str]:
        view.need("prep_big", "prep_one", "prep_bound")
        big = view.array("prep_big.order")
        batches = np.split(big, np.cumsum(view.value("prep_big.sizes"))[:-1])
        mixed = any(len(b) > 1 and not np.array_equal(np.sort(b), np.arange(b.min(), b.min() + len(b)))
                    for b in batches)
        one = view.array("prep_one.order")
        bound = view.array("prep_bound.order")
        within = bool(np.all(bound <= np.arange(len(bound)) + 9)) and len(bound) == 60
        ok = mixed and np.array_equal(one, np.arange(50)) and within and not np.array_equal(bound, np.arange(60))
        return ok, (f"pairs mixed across batches: {mixed}; shuffle_buffer=1 keeps the order: "
                    f"{np.array_equal(one, np.arange(50))}; shuffle_buffer=10 stays within its buffer: {within}")

    def prepare_prefetches() -> tuple[bool, str]:
        view.need("prep_big")
        ops = view.value("prep_big.ops")
        return "PrefetchDataset" in ops, f"dataset ops: {', '.join(op for op in ops if op.endswith('Dataset'))}"

    return _verdicts("data", locals())


# --------------------------------------------------------------------------- cell
def judge_cell(inputs: PartInputs, view: View, oracle: Callable[[], dict[str, np.ndarray]]
               ) -> dict[str, Callable[[], tuple[bool, str]]]:
    """Verdicts for ``cell.py``.

    Args:
        inputs: the part's inputs.
        view: the child's evidence.
        oracle: returns Keras' two steps (:func:`course.grading.checking.oracle.keras_cell_steps`).

    Returns:
        dict of check name to a function giving ``(passed, detail)``.
    """
    units = inputs.config["units"]
    gates = ("input_gate", "forget_gate", "cell_candidate", "output_gate")

    def gate_sublayers() -> tuple[bool, str]:
        view.need("structure")
        found = view.value("structure.gates")
        bad = [g for g in gates if not (found.get(g, {}).get("dense") and found[g].get("units") == units)]
        ok = view.value("structure.units") == units and not bad
        return ok, f"units={view.value('structure.units')}; missing or not Dense({units}): {bad or 'none'}"

    def forget_bias() -> tuple[bool, str]:
        view.need("structure")
        found = view.value("structure.gates")
        if all(found.get(g, {}).get("exists") for g in gates):
            starts = {g: view.array(f"structure.bias.{g}") for g in gates}
            wrong = [g for g in gates if not np.allclose(starts[g], 1.0 if g == "forget_gate" else 0.0)]
            return not wrong, f"gates whose bias starts wrong: {wrong or 'none'}"
        # Behaviour, where the contract's gate names are absent: at zero input and zero h, a fresh
        # cell's c' = f * c + i * g is linear in c, with slope f = sigmoid(b_f) and offset i * tanh(b_g).
        view.need("fresh")
        c0, c1, h1 = view.array("fresh.c0.c"), view.array("fresh.c1.c"), view.array("fresh.c1.h")
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

    def _decorator_note() -> str:
        """Name NOTES' third trap when the evidence shows it: tf.function on call and no build()."""
        values = view.evidence.values
        if values.get("structure.tf_function_call") and values.get("structure.defines_build") is False:
            return ("; call is decorated with @tf.function and the cell has no build(): its Dense gates are "
                    "created inside the first trace, so weights assigned later do not reach the output and "
                    "no variable gets a gradient. Build the gates in build() (or drop the decorator); "
                    "the equations may well be right")
        return ""

    def _outputs() -> tuple[list[np.ndarray], list[np.ndarray], dict[str, np.ndarray]]:
        view.need("forward")
        if view.value("forward.arity") != 2:
            raise Missing(f"call returned {view.value('forward.arity')} values, not a pair")
        step1 = [view.array(f"forward.step1.{i}") for i in range(2)]
        step2 = [view.array(f"forward.step2.{i}") for i in range(2)]
        return step1, step2, oracle()

    def _layout_matches(ref: dict[str, np.ndarray]) -> str:
        """The parametrization whose two steps equal Keras' (in the order (h, c)), or ''."""
        names = view.evidence.values.get("layouts.names")
        if "layouts" in view.evidence.errors or not isinstance(names, list):
            return ""
        for index, name in enumerate(names):
            outputs = [view.evidence.arrays.get(f"layouts.{index}.{i}") for i in range(4)]
            if all(o is not None for o in outputs) and all(
                    _close(np.asarray(o), ref[k]) for o, k in zip(outputs, ("h1", "c1", "h2", "c2"))):
                return str(name)
        return ""

    def matches_keras() -> tuple[bool, str]:
        try:
            step1, step2, ref = _outputs()
        except Missing as missing:
            layout = _layout_matches(oracle()) if "layouts" not in view.evidence.errors else ""
            if layout:
                return True, f"Keras' weights mapped onto {layout} give Keras' numbers"
            raise Missing(f"{missing}{_decorator_note()}") from None
        if _close(step1[0], ref["h1"]) and _close(step1[1], ref["c1"]):
            ok = _close(step2[0], ref["h2"]) and _close(step2[1], ref["c2"])
            if ok:
                return ok, f"step 2: h {_gap(step2[0], ref['h2'])}, c {_gap(step2[1], ref['c2'])}"
        if _close(step1[0], ref["c1"]) and _close(step1[1], ref["h1"]):
            return True, "values match Keras (in the order (c, h))"
        layout = _layout_matches(ref)
        if layout:
            return True, f"Keras' weights mapped onto {layout} give Keras' numbers"
        return False, (f"step 1: h {_gap(step1[0], ref['h1'])}, c {_gap(step1[1], ref['c1'])}, with Keras' weights "
                       f"copied into the named gates and onto every parametrization that fits the cell's variables"
                       f"{_decorator_note()}")

    def _first_step(ref: dict[str, np.ndarray]) -> list[np.ndarray]:
        """The cell's first step with Keras' weights: in the named gates, else on the layout that fits."""
        try:
            view.need("forward")
        except Missing:
            names = view.evidence.values.get("layouts.names")
            if "layouts" in view.evidence.errors or not names:
                raise
            layout = _layout_matches(ref)
            index = names.index(layout) if layout in names else 0
            return [view.array(f"layouts.{index}.{i}") for i in range(2)]
        if view.value("forward.arity") != 2:
            raise Missing(f"call returned {view.value('forward.arity')} values, not a pair")
        return [view.array(f"forward.step1.{i}") for i in range(2)]

    def state_order() -> tuple[bool, str]:
        ref = oracle()
        step1 = _first_step(ref)
        if _close(step1[0], ref["c1"]) and _close(step1[1], ref["h1"]):
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

    def gradients() -> tuple[bool, str]:
        view.need("gradients_eager", "gradients_graph")
        eager = _all_positive(view.value("gradients_eager.norms"))
        graph = _all_positive(view.value("gradients_graph.norms"))
        ok = eager[0] and graph[0]
        return ok, f"eagerly: {eager[1]}; in tf.function: {graph[1]}" + ("" if ok else _decorator_note())

    return _verdicts("cell", locals())


# --------------------------------------------------------------------------- layer
def judge_layer(inputs: PartInputs, view: View, oracle: Callable[[], dict[str, np.ndarray]]
                ) -> dict[str, Callable[[], tuple[bool, str]]]:
    """Verdicts for ``layer.py``.

    Args:
        inputs: the part's inputs.
        view: the child's evidence.
        oracle: returns Keras' outputs (:func:`course.grading.checking.oracle.layer_references`).

    Returns:
        dict of check name to a function giving ``(passed, detail)``.
    """
    arrays = inputs.arrays
    batch, steps, _ = arrays["x"].shape
    units = arrays["recurrent"].shape[0]

    def zero_states() -> tuple[bool, str]:
        view.need("zero_states")
        if view.value("zero_states.arity") != 2:
            return False, f"returned {view.value('zero_states.arity')} values, not a pair"
        states = [view.array(f"zero_states.{i}") for i in range(2)]
        ok = all(s.shape == (3, units) and not np.any(s) for s in states)
        return ok, f"zero_states(3) gave shapes {[s.shape for s in states]} (expected (3, {units}) zeros)"

    def output_shape() -> tuple[bool, str]:
        view.need("forward")
        shape = view.array("forward.zero").shape
        return shape == (batch, steps, units), f"output shape {shape}, expected {(batch, steps, units)}"

    def _contract_layout(out: np.ndarray, ref: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
        """Read an output on the layout the grader identified (the layout is charged at output_shape).

        Args:
            out: the layer's output.
            ref: Keras' output ``(B, T, H)``.

        Returns:
            ``(out, ref, note)``: a time-major output transposed back, or only the last step
            compared with Keras' last step.
        """
        shown = view.evidence.arrays.get("forward.zero")
        time_major = shown is not None and shown.shape == (steps, batch, units) and steps != batch
        if time_major and out.ndim == 3 and out.shape == ref.shape[1::-1] + ref.shape[2:]:
            return out.transpose(1, 0, 2), ref, " (read as time-major (T, B, H); the layout is charged at output_shape)"
        if out.shape == ref[:, -1].shape:
            return out, ref[:, -1], " (only the last step was returned and compared; the layout is charged at output_shape)"
        return out, ref, ""

    def matches_keras() -> tuple[bool, str]:
        view.need("forward")
        out, ref, note = _contract_layout(view.array("forward.zero"), oracle()["zero"])
        return _close(out, ref), _gap(out, ref) + note

    def initial_states() -> tuple[bool, str]:
        view.need("initial_states")
        out, ref, note = _contract_layout(view.array("initial_states.out"), oracle()["states"])
        return _close(out, ref), _gap(out, ref) + note

    def carries_state() -> tuple[bool, str]:
        view.need("forward")
        out, pert = view.array("forward.zero"), view.array("forward.perturbed")
        expected = (batch, steps, units)
        if out.shape != expected or pert.shape != expected:
            # Shapes before meaning: out[:, -1] is the last step only for a (B, T, H) output.
            time_major = " (time-major (T, B, H)?)" if out.shape == (steps, batch, units) else ""
            return False, (f"cannot read the last step: the output has shape {out.shape}{time_major}, "
                           f"not (batch, time, units) = {expected}; return (B, T, H)")
        change = float(np.max(np.abs(out[:, -1] - pert[:, -1])))
        return change > 1e-6, f"changing the first input moves the last output by {change:.3g}"

    def graph_while() -> tuple[bool, str]:
        view.need("graph")
        loops, forbidden = view.value("graph.while_ops"), view.value("graph.forbidden_ops")
        return loops >= 1 and not forbidden, f"{loops} While op(s) in the traced graph; raw RNN ops: {forbidden or 'none'}"

    def graph_no_unroll() -> tuple[bool, str]:
        view.need("unroll")
        nodes = view.value("unroll.nodes")
        return nodes[0] == nodes[1], f"graph nodes for T=2: {nodes[0]}, for T=20: {nodes[1]}"

    def one_trace_any_T() -> tuple[bool, str]:  # noqa: N802 - the check's name
        view.need("any_T")
        ref = oracle()
        t2, ref2, note = _contract_layout(view.array("any_T.t2"), ref["t2"])
        t200, ref200, _ = _contract_layout(view.array("any_T.t200"), ref["t200"])
        traces = view.value("any_T.traces")
        ok = traces == 1 and _close(t2, ref2, ATOL_LONG) and _close(t200, ref200, ATOL_LONG)
        return ok, f"{traces} trace(s); T=2: {_gap(t2, ref2)}; T=200: {_gap(t200, ref200)}{note}"

    def _gradients(probe: str) -> tuple[bool, str]:
        view.need(probe)
        if not view.value(f"{probe}.tracked"):
            return False, "the layer's trainable_variables do not include its cell's (keep the cell as an attribute)"
        return _all_positive(view.value(f"{probe}.norms"))

    def gradients_eager() -> tuple[bool, str]:
        return _gradients("gradients_eager")

    def gradients_graph() -> tuple[bool, str]:
        return _gradients("gradients_graph")

    def trains_in_model() -> tuple[bool, str]:
        patterns = (("lazy_tf_function", "built lazily in a tf.function train step"),
                    ("eager_tape", "one eager call, then an eager tape"),
                    ("fit", "model.fit (a weight that a step of SGD leaves unchanged got no gradient)"))
        view.need()
        for pattern, _ in patterns:  # an untouched exercise reads "not implemented yet"
            error = view.evidence.errors.get(f"in_model.{pattern}")
            if isinstance(error, dict) and error.get("not_implemented"):
                raise Missing(error_text(error))
        verdicts, details = [], []
        for pattern, label in patterns:
            probe = f"in_model.{pattern}"
            if probe in view.evidence.errors:
                verdicts.append(False)
                details.append(f"{label}: {error_text(view.evidence.errors[probe])}")
                continue
            if not view.value(f"{probe}.tracked"):
                verdicts.append(False)
                details.append(f"{label}: the model's trainable_variables miss the cell's")
                continue
            ok, text = _all_positive(view.value(f"{probe}.norms"))
            names = view.value(f"{probe}.names")
            norms = view.value(f"{probe}.norms")
            dead = [n.rsplit("/", 2)[-2] + "/" + n.rsplit("/", 1)[-1] if n.count("/") >= 1 else n
                    for n, g in zip(names, norms) if g is None or g <= 1e-12]
            verdicts.append(ok)
            details.append(f"{label}: {text}" + (f" ({', '.join(dead[:4])}{', ...' if len(dead) > 4 else ''})"
                                                 if dead else ""))
        return all(verdicts), "; ".join(details)

    return _verdicts("layer", locals())


# --------------------------------------------------------------------------- model
def judge_model(inputs: PartInputs, view: View, oracle: Any = None) -> dict[str, Callable[[], tuple[bool, str]]]:
    """Verdicts for ``model.py``.

    Args:
        inputs: the part's inputs.
        view: the child's evidence.
        oracle: unused.

    Returns:
        dict of check name to a function giving ``(passed, detail)``.
    """
    shape = inputs.arrays["x"].shape

    def output_shape() -> tuple[bool, str]:
        view.need("forward")
        got = view.array("forward.out").shape
        return got == shape, f"output shape {got}, expected {shape}"

    def probabilities() -> tuple[bool, str]:
        view.need("forward", "scrambled")
        for out, weights in ((view.array("forward.out"), "fresh"), (view.array("scrambled.out"), "large random")):
            if out.size == 0:
                return False, "no output"
            if not (np.all(np.isfinite(out)) and float(out.min()) >= 0 and float(out.max()) <= 1):
                return False, (f"with {weights} weights the outputs range from "
                               f"{float(np.nanmin(out)):.3g} to {float(np.nanmax(out)):.3g}")
        return True, "outputs stay in [0, 1] with fresh and with large random weights"

    def uses_lstm() -> tuple[bool, str]:
        view.need("forward")
        stack = "student" if "import.student_stack" in view.evidence.values else "grader"
        calls, layers = view.value("forward.lstm_calls"), view.value("forward.lstm_layers")
        ok = layers >= 1 and (calls >= 1 or stack == "student")
        return ok, f"LSTM layers in the model: {layers}; LSTM calls in a forward pass: {calls}"

    def gradients() -> tuple[bool, str]:
        view.need("gradients_eager", "gradients_graph")
        eager = _all_positive(view.value("gradients_eager.norms"))
        graph = _all_positive(view.value("gradients_graph.norms"))
        return eager[0] and graph[0], f"eagerly: {eager[1]}; built inside tf.function: {graph[1]}"

    return _verdicts("model", locals())


# --------------------------------------------------------------------------- training
def _accuracy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """Accuracy of last-step probabilities against exact labels.

    Args:
        probabilities: array ``(N,)``.
        labels: array ``(N,)`` of 0/1.

    Returns:
        float in [0, 1] (0 when the shapes differ or values are not finite).
    """
    if probabilities.shape != labels.shape or not np.all(np.isfinite(probabilities)):
        return 0.0
    return float(np.mean((probabilities > 0.5) == (labels == 1)))


def judge_training(inputs: PartInputs, view: View, oracle: Any = None) -> dict[str, Callable[[], tuple[bool, str]]]:
    """Verdicts for ``train.py``.

    Args:
        inputs: the part's inputs (the held-out labels are in ``secret``).
        view: the child's evidence.
        oracle: unused.

    Returns:
        dict of check name to a function giving ``(passed, detail)``.
    """
    epochs = inputs.config["epochs"]
    keys = ("loss", "accuracy", "val_loss", "val_accuracy")

    def _convention() -> str:
        """Say which reading of the datasets the student's train used (and why not the other)."""
        convention = view.evidence.values.get("train.convention")
        failures = view.evidence.values.get("train.failures") or {}
        text = {"batches": "train read prepared batches ((B, T, 1), (B, 1))",
                "pairs": "train read unbatched pairs ((T, 1), (1,)) and batched them itself"}.get(
                    convention, "train did not finish with either convention")
        if convention == "pairs" and isinstance(failures, dict) and "batches" in failures:
            text += f" (with batches it raised {error_text(failures['batches'])})"
        return text

    def _need_train() -> None:
        """Like ``view.need("train")``, naming both conventions' errors when both failed."""
        failures = view.evidence.values.get("train.failures")
        not_implemented = isinstance(failures, dict) and any(
            isinstance(f, dict) and f.get("not_implemented") for f in failures.values())
        if "train" in view.evidence.errors and isinstance(failures, dict) and len(failures) > 1 and not not_implemented:
            raise Missing("train raised with both readings of its datasets: with prepared batches "
                          f"{error_text(failures.get('batches'))}; with unbatched pairs {error_text(failures.get('pairs'))}")
        view.need("train")

    def history_keys() -> tuple[bool, str]:
        _need_train()
        history = view.value("train.history")
        if not isinstance(history, dict):
            return False, f"train returned a {view.value('train.history_type')}, not a dict"
        bad = [k for k in keys if not (isinstance(history.get(k), list) and len(history[k]) == epochs
                                       and all(isinstance(v, (int, float)) for v in history[k]))]
        return not bad, (f"keys {sorted(history)}; missing or not {epochs} numbers per key: {bad or 'none'}; "
                         f"{_convention()}")

    def updates_weights() -> tuple[bool, str]:
        _need_train()
        change = view.value("train.weights_changed")
        return isinstance(change, float) and change > 1e-6, f"largest weight change {change}"

    def reaches_80() -> tuple[bool, str]:
        _need_train()
        accuracy = _accuracy(view.array("train.test").ravel(), inputs.secret["y_test"])
        return accuracy >= task.ACCURACY_BAR, (
            f"held-out accuracy {accuracy:.3f} after {epochs} epochs of {len(inputs.arrays['x_train'])} pairs "
            f"(the bar is {task.ACCURACY_BAR:.2f}); {_convention()}")

    def loss_last_step() -> tuple[bool, str]:
        _need_train()
        steps, trained = view.value("train.steps"), view.value("train.steps_trained")
        if not isinstance(trained, list):
            raise Missing("no record of the trained steps")
        ok = trained == [steps - 1]
        shown = trained if len(trained) <= 6 else [*trained[:3], "...", *trained[-2:]]
        return ok, (f"the loss reached the grader model's read-out at step(s) {shown} "
                    f"(expected only the last, {steps - 1})")

    def val_accuracy_honest() -> tuple[bool, str]:
        _need_train()
        measured = _accuracy(view.array("train.val").ravel(), inputs.secret["y_val"])
        history = view.value("train.history")
        reported = history.get("val_accuracy", [None])[-1] if isinstance(history, dict) and history.get(
            "val_accuracy") else None
        ok = isinstance(reported, (int, float)) and abs(reported - measured) <= 0.02
        return ok, f"reported val_accuracy {reported}, the grader measures {measured:.3f} on the same data"

    return _verdicts("training", locals())


#: The judge of each run part.
JUDGES: dict[str, Callable[..., dict[str, Callable[[], tuple[bool, str]]]]] = {
    "data": judge_data, "cell": judge_cell, "layer": judge_layer, "model": judge_model, "training": judge_training,
}


def judge(part: str, inputs: PartInputs, evidence: Evidence, oracle: Any = None) -> dict[str, tuple[bool, str]]:
    """Decide every check of a run part.

    Args:
        part: str.
        inputs: the part's inputs.
        evidence: the child's report.
        oracle: a zero-argument callable giving the part's Keras references (cell, layer).

    Returns:
        dict of full check name to ``(passed, detail)``.
    """
    verdicts: dict[str, tuple[bool, str]] = {}
    view = View(evidence)
    notes = import_notes(part, evidence)
    first_with: dict[str, str] = {}
    for short, decide in JUDGES[part](inputs, view, oracle).items():
        try:
            passed, detail = decide()
        except Missing as missing:
            passed, detail = False, str(missing)
        except Exception as error:  # noqa: BLE001 - malformed child output fails the check, never the grader
            passed, detail = False, f"the grader could not read this part's output ({type(error).__name__}: {error})"
        name = f"{part}.{short}"
        if not passed and detail.startswith(NOT_IMPLEMENTED):
            pass  # an unfinished exercise: each check keeps its "not implemented yet" hint
        elif not passed and detail in first_with:  # one cause, stated once: the others point to it
            detail = f"the same failure as {first_with[detail]}, where the grader states it (one cause, charged there)"
        elif not passed:
            for stated, where in first_with.items():  # a cause stated before, quoted inside this detail
                if len(stated) > 40 and stated in detail:
                    detail = detail.replace(stated, f"the failure stated at {where}")
            first_with.setdefault(detail, name)
        if notes and not verdicts:  # said once, on the part's first check
            detail = f"{detail}. {notes}"
        verdicts[name] = (bool(passed), detail)
    return verdicts


def import_notes(part: str, evidence: Evidence) -> str:
    """Say which modules the grader stood in for while this part ran, and why.

    Args:
        part: str, the run part.
        evidence: the child's report (``import.*`` values).

    Returns:
        str, empty when nothing was stood in for.
    """
    from course.grading.checking.checks import PART_FILE

    notes = []
    absent = evidence.values.get("import.absent_modules")
    if isinstance(absent, list) and absent:
        notes.append(f"Note: the code imports {', '.join(map(str, absent[:5]))}, which the grader does not provide; "
                     "a stand-in took its place, which fails only where it is used.")
    for short in ("data", "cell", "layer", "model"):
        error = evidence.values.get(f"import.{short}_stand_in")
        if isinstance(error, dict):
            notes.append(f"Note: {PART_FILE.get(part, part)} imports {short}.py, which could not be imported "
                         f"({error_text(error)}); the grader gave this part its stand-in for {short}.py, so the "
                         f"{part} points do not depend on it.")
    return " ".join(notes)
