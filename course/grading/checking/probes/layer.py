"""Probes for ``layer.py``, run on the grader's :class:`~course.grading.checking.contract.ContractCell`.

The student's ``LSTM`` gets the grader's cell (which offers ``fused_weights()`` as the
reference cell does), so a broken ``cell.py`` costs nothing here: the layer's checks
test the unrolling only. Besides the bare layer, the probes train the layer inside a
grader-owned model (:class:`LayerHarness`) under the three call patterns that can
silently cut the cell off from its gradients: built lazily inside an outer
``tf.function`` train step, one eager call then an eager tape, and ``model.fit``.
"""

from __future__ import annotations

import types
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from course.grading.checking.contract import ContractCell
from course.grading.running.guard import RuntimeGuard
from course.grading.checking.probes import Recorder, gradient_norms, graph_op_types
from course.grading.running.tasks import GROUPS


class CellMaker:
    """Make the cells the student's ``LSTM`` runs on: the grader's, unless the layer needs its own.

    The layer's checks should test the unrolling only, so they run on
    :class:`ContractCell`. A layer that calls methods of its own cell beyond the
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
        from course.grading.checking.probes.cell import copy_keras_weights

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


class LayerHarness(keras.Model):
    """A grader-owned model around the student's layer: ``Dense(1)`` on its output, no read-in.

    It puts the layer where training uses it, inside a ``keras.Model`` under an optimizer,
    so the probes can watch the call patterns that silently cut a cell off from its
    gradients (see ``docs/graph-mode.md``). It is not the exercise's model: no read-in, no
    sigmoid, and the loss is an arbitrary weighted sum.

    Args:
        layer: the student's ``LSTM``, on a grader cell.
        **kwargs: passed on to ``keras.Model``.
    """

    def __init__(self, layer: keras.layers.Layer, **kwargs: Any) -> None:
        """Keep the layer and add a linear head.

        Args:
            layer: the student's ``LSTM``.
            **kwargs: passed on to ``keras.Model``.
        """
        super().__init__(**kwargs)
        self.layer = layer
        self.head = keras.layers.Dense(1, name="head")

    def call(self, x: tf.Tensor) -> tf.Tensor:
        """Run the layer and the head.

        Args:
            x: tf.Tensor ``(B, T, D)``.

        Returns:
            tf.Tensor ``(B, T, 1)``.
        """
        return self.head(self.layer(x))


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
    """Train the student's layer inside :class:`LayerHarness` under each pattern that can cut gradients.

    Records, per pattern, the gradient norm (or, for ``fit``, the change) of every
    trainable variable of the model, and whether the cell's variables are among them.

    Args:
        module: the student's ``layer`` module.
        rec: Recorder.
        make_cell: :class:`CellMaker`.
        x: tf.Tensor ``(B, T, D)``.
        r: tf.Tensor ``(B, T, 1)``, the loss's weights.
    """
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


def run(module: types.ModuleType, rec: Recorder, config: dict[str, Any], arrays: dict[str, np.ndarray],
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
    with rec.probe("zero_states"):
        states = module.LSTM(make_cell()).zero_states(3)
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
                                 for steps in (2, 20)])

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
