"""The ``model`` part: shape, probabilities, the custom LSTM inside, gradients.

The child runs the student's ``IntegrationModel`` on the grader's cell and layer (see
:mod:`course.grading.checking.contract`) and records its outputs and gradient norms
(:func:`probe`); the parent judges them (:data:`VERDICTS`).
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np

from course.grading.checking.inputs import PartInputs
from course.grading.checking.judges import Case, Verdicts, all_positive
from course.grading.checking.recording import Recorder, gradient_norms

#: Seed, number and scale of the weight draws behind the ``scrambled`` probe.
SCRAMBLE_SEED, SCRAMBLE_DRAWS, SCRAMBLE_SCALE = 7, 3, 2.0


def inputs(rng: np.random.Generator) -> PartInputs:
    """Large noise ``x`` (B, T, 1) and a loss's weights ``r`` of the same shape.

    Args:
        rng: numpy Generator.

    Returns:
        PartInputs.
    """
    return PartInputs(config={}, arrays={
        "x": (4.0 * rng.normal(0, 1, (3, 7, 1))).astype(np.float32),
        "r": rng.normal(0, 1, (3, 7, 1)).astype(np.float32),
    })


# --------------------------------------------------------------------------- probe (child)
def probe(module: types.ModuleType, rec: Recorder, config: dict[str, Any], arrays: dict[str, np.ndarray],
          layer_class: type | None = None) -> None:
    """Run every model probe.

    Args:
        module: the student's ``model`` module.
        rec: Recorder.
        config: dict (unused).
        arrays: dict with ``x`` ``(B, T, 1)`` and ``r`` ``(B, T, 1)``.
        layer_class: the ``LSTM`` class the model was imported with (the grader's by default).
    """
    import tensorflow as tf

    from course.grading.checking.contract import ContractLSTM

    layer_class = layer_class or ContractLSTM
    x = tf.constant(arrays["x"], tf.float32)
    weights = tf.constant(arrays["r"], tf.float32)

    with rec.probe("forward"):
        ContractLSTM.calls = 0
        model = module.IntegrationModel()
        out = model(x)
        rec.array("forward.out", out)
        rec.put("forward.lstm_calls", ContractLSTM.calls)
        rec.put("forward.lstm_layers", sum(isinstance(layer, layer_class) for layer in model._flatten_layers()))  # noqa: SLF001

    with rec.probe("scrambled"):
        # Fresh weights are small, so a read-out without its sigmoid can still land in [0, 1]
        # by chance. Large random weights (seeded by the grader) take logits far outside it,
        # while a sigmoid keeps any weights inside: the range check stops depending on luck.
        rng = np.random.default_rng(SCRAMBLE_SEED)
        outputs = []
        for _ in range(SCRAMBLE_DRAWS):
            for variable in model.trainable_variables:
                variable.assign(SCRAMBLE_SCALE * rng.standard_normal(tuple(variable.shape)).astype(np.float32))
            outputs.append(np.asarray(model(x)))
        rec.array("scrambled.out", np.stack(outputs))

    def loss_of(model: Any, inputs: tf.Tensor) -> tf.Tensor:
        return tf.reduce_sum(model(inputs) * weights)

    with rec.probe("gradients_eager"):
        model = module.IntegrationModel()
        model(x)  # a first call outside the tape
        with tf.GradientTape() as tape:
            loss = loss_of(model, x)
        variables = model.trainable_variables
        rec.put("gradients_eager.names", [getattr(v, "path", v.name) for v in variables])
        rec.put("gradients_eager.norms", gradient_norms(tape.gradient(loss, variables)))

    with rec.probe("gradients_graph"):
        model = module.IntegrationModel()

        @tf.function
        def grads(inputs: tf.Tensor) -> list[tf.Tensor]:
            with tf.GradientTape() as tape:
                loss = loss_of(model, inputs)  # built lazily, inside the tf.function
            found = tape.gradient(loss, model.trainable_variables)
            return [tf.constant(-1.0) if g is None else tf.norm(g) for g in found]

        norms = [float(n) for n in grads(x)]
        rec.put("gradients_graph.names", [getattr(v, "path", v.name) for v in model.trainable_variables])
        rec.put("gradients_graph.norms", norms)


# --------------------------------------------------------------------------- verdicts (parent)
VERDICTS = Verdicts("model")


@VERDICTS.check("model.output_shape")
def output_shape(case: Case) -> tuple[bool, str]:
    """The model maps ``(B, T, 1)`` to ``(B, T, 1)``."""
    shape = case.arrays["x"].shape
    case.need("forward")
    got = case.array("forward.out").shape
    return got == shape, f"output shape {got}, expected {shape}"


@VERDICTS.check("model.probabilities")
def probabilities(case: Case) -> tuple[bool, str]:
    """The outputs stay in [0, 1] with fresh and with large random weights."""
    case.need("forward", "scrambled")
    for out, weights in ((case.array("forward.out"), "fresh"), (case.array("scrambled.out"), "large random")):
        if out.size == 0:
            return False, "no output"
        if not (np.all(np.isfinite(out)) and float(out.min()) >= 0 and float(out.max()) <= 1):
            return False, (f"with {weights} weights the outputs range from "
                           f"{float(np.nanmin(out)):.3g} to {float(np.nanmax(out)):.3g}")
    return True, "outputs stay in [0, 1] with fresh and with large random weights"


@VERDICTS.check("model.uses_lstm")
def uses_lstm(case: Case) -> tuple[bool, str]:
    """The model holds the LSTM layer and calls it in a forward pass."""
    case.need("forward")
    stack = "student" if "import.student_stack" in case.evidence.values else "grader"
    calls, layers = case.value("forward.lstm_calls"), case.value("forward.lstm_layers")
    ok = layers >= 1 and (calls >= 1 or stack == "student")
    return ok, f"LSTM layers in the model: {layers}; LSTM calls in a forward pass: {calls}"


@VERDICTS.check("model.gradients")
def gradients(case: Case) -> tuple[bool, str]:
    """Every trainable variable of the model gets a gradient, eagerly and when built inside tf.function."""
    case.need("gradients_eager", "gradients_graph")
    eager = all_positive(case.value("gradients_eager.norms"))
    graph = all_positive(case.value("gradients_graph.norms"))
    return eager[0] and graph[0], f"eagerly: {eager[1]}; built inside tf.function: {graph[1]}"
