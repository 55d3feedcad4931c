"""Probes for ``model.py``, run on the grader's cell and layer (see :mod:`course.grading.checking.contract`)."""

from __future__ import annotations

import types
from typing import Any

import numpy as np
import tensorflow as tf

from course.grading.checking.contract import ContractLSTM
from course.grading.checking.probes import Recorder, gradient_norms

#: Seed, number and scale of the weight draws behind the ``scrambled`` probe.
SCRAMBLE_SEED, SCRAMBLE_DRAWS, SCRAMBLE_SCALE = 7, 3, 2.0


def run(module: types.ModuleType, rec: Recorder, config: dict[str, Any], arrays: dict[str, np.ndarray],
        layer_class: type | None = None) -> None:
    """Run every model probe.

    Args:
        module: the student's ``model`` module.
        rec: Recorder.
        config: dict (unused).
        arrays: dict with ``x`` ``(B, T, 1)`` and ``r`` ``(B, T, 1)``.
        layer_class: the ``LSTM`` class the model was imported with (the grader's by default).
    """
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
