"""Train and evaluate one configuration of the reference model: the unit every experiment repeats.

A run is fixed by a :class:`RunConfig`. Its seed fixes the model's initial
weights (``keras.utils.set_random_seed``) and the data (:mod:`.data`), so two
arms of an experiment that differ in one setting start from the same weights
and see the same sequences: the comparison is paired.

Every training sequence is fresh, so the accuracy on each training batch,
measured *before* the update it causes, is an unbiased estimate of held-out
accuracy. The learning curves use it; the final accuracy comes from a separate
held-out set.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace

import keras
import numpy as np
import tensorflow as tf

from course.impl import default_impl, load

from . import data, metrics
from .windows import truncated_forward

log = logging.getLogger(__name__)

#: The implementation whose ``IntegrationModel`` the experiments train; None:
#: :func:`course.impl.default_impl` (the reference here, the student's ``exercises`` in
#: the release). ``lstm-course experiment --impl`` sets it.
IMPLEMENTATION: str | None = None


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines one training run.

    Attributes:
        seq_len: T, time steps per sequence.
        seed: seeds the weights and the data.
        samples: training sequences (each used once).
        forget_bias: initial value of the forget gate's bias (the reference uses 1).
        loss: ``"bce"`` (sign label, sigmoid read-out) or ``"mse"`` (sum / sqrt(T), linear read-out).
        targets: ``"last"`` (many-to-one, the homework) or ``"all"`` (a target at every step).
        window: TBPTT window k (``k = T`` is full BPTT through the same code);
            ``None`` calls the reference model as it is.
        units: H.
        batch_size: B.
        learning_rate: Adam's step size.
        val_samples: held-out sequences for the final accuracy.
        curve_points: points on the learning curve.
    """

    seq_len: int
    seed: int
    samples: int
    forget_bias: float = 1.0
    loss: str = "bce"
    targets: str = "last"
    window: int | None = None
    units: int = 32
    batch_size: int = 64
    learning_rate: float = 1e-3
    val_samples: int = 4096
    curve_points: int = 20


def build_model(config: RunConfig) -> keras.Model:
    """Build the reference ``IntegrationModel`` for ``config``, eagerly.

    The model is called once on zeros before any ``tf.function`` traces it
    (NOTES.md, Keras 3 trap 4). For regression the read-out's sigmoid is
    switched off; the forget gate's bias is overwritten when it is not 1.

    Args:
        config: the run's configuration.

    Returns:
        The built model.
    """
    reference = load(IMPLEMENTATION or default_impl())
    keras.utils.set_random_seed(config.seed)
    model = reference.model.IntegrationModel(units=config.units)
    if config.loss == "mse":
        # Same layers and initial weights; the read-out predicts an unbounded number.
        model.read_out.activation = keras.activations.get("linear")
    model(tf.zeros((1, config.seq_len, 1)))
    if config.forget_bias != 1.0:
        bias = model.lstm.cell.forget_gate.bias
        bias.assign(tf.fill(bias.shape, float(config.forget_bias)))
    return model


def targets_and_loss(config: RunConfig, x: tf.Tensor, output: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """The training loss and the last step's sign accuracy for one batch.

    Args:
        config: the run's configuration (``loss`` and ``targets``).
        x: tf.Tensor ``(B, T, 1)`` of noise.
        output: tf.Tensor ``(B, T', 1)``, the model's output over the last T'
            steps (T' = T without truncation, k with it).

    Returns:
        ``(loss, accuracy)``, two scalar tensors.
    """
    steps = tf.shape(output)[1]
    label = data.sign_label(x)[:, -steps:]  # (B, T', 1)
    # Regression target: the running sum over sqrt(T), a standard normal at the last step.
    scaled_sum = data.running_sum(x)[:, -steps:] / math.sqrt(config.seq_len)  # (B, T', 1)
    if config.targets == "last":
        output, label, scaled_sum = output[:, -1:], label[:, -1:], scaled_sum[:, -1:]
    if config.loss == "bce":
        loss = keras.losses.binary_crossentropy(label, output)
        positive = output[:, -1] > 0.5
    else:
        loss = tf.square(output - scaled_sum)
        positive = output[:, -1] > 0.0
    accuracy = tf.reduce_mean(tf.cast(positive == (label[:, -1] > 0.5), tf.float32))
    return tf.reduce_mean(loss), accuracy


def forget_gate_mean(model: keras.Model, x: tf.Tensor) -> float:
    """Mean activation of the forget gate over a batch, every step and unit.

    Runs the reference cell eagerly, step by step, and recomputes the forget
    gate from its own Dense layer on ``[x_t, h_{t-1}]`` as the cell does.

    Args:
        model: a built reference ``IntegrationModel``.
        x: tf.Tensor ``(B, T, 1)`` of noise.

    Returns:
        The mean of f_t.
    """
    cell = model.lstm.cell
    features = model.read_in(x)  # (B, T, H)
    h, c = model.lstm.zero_states(tf.shape(x)[0])
    total = 0.0
    for t in range(int(x.shape[1])):
        # f_t = sigma(W_f [x_t, h_{t-1}] + b_f)
        total += float(tf.reduce_mean(tf.sigmoid(cell.forget_gate(tf.concat([features[:, t], h], -1)))))
        h, c = cell(features[:, t], (h, c))
    return total / int(x.shape[1])


def evaluate(config: RunConfig, predict: Callable[[tf.Tensor], tf.Tensor], x: np.ndarray) -> dict:
    """Held-out accuracy, calibration and behaviour against the true sum.

    Args:
        config: the run's configuration.
        predict: the trained model's last-step output, ``(B, T, 1) -> (B,)``.
        x: float32 array ``(N, T, 1)`` of held-out noise.

    Returns:
        ``val_accuracy``, ``val_loss``, ``ece`` and ``reliability`` (for
        regression through P = Phi(prediction / sigma), sigma the residual
        spread on the first half of the held-out set, scored on the second
        half), ``by_sum`` (:func:`metrics.binned_by_sum`), and for regression
        ``r2`` and ``rmse`` of the predicted scaled sum.
    """
    output = np.concatenate([predict(tf.constant(x[i:i + 1024])).numpy() for i in range(0, len(x), 1024)])
    z = x.sum(axis=(1, 2)) / math.sqrt(config.seq_len)  # (N,) the true scaled sum
    label = (z > 0).astype(float)
    result: dict = {}
    if config.loss == "bce":
        prob = np.clip(output, 1e-7, 1 - 1e-7)
        correct = ((prob > 0.5) == (label > 0.5)).astype(float)
        result["val_loss"] = float(-np.mean(label * np.log(prob) + (1 - label) * np.log(1 - prob)))
        calibration = metrics.reliability(prob, label)
    else:
        correct = ((output > 0) == (label > 0.5)).astype(float)
        residual = output - z
        result["val_loss"] = float(np.mean(residual ** 2))
        result["rmse"] = float(np.sqrt(np.mean(residual ** 2)))
        result["r2"] = float(1 - np.mean(residual ** 2) / np.var(z))
        half = len(x) // 2
        sigma = float(np.sqrt(np.mean(residual[:half] ** 2)))
        result["sigma"] = sigma
        calibration = metrics.reliability(metrics.normal_cdf(output[half:] / sigma), label[half:])
    result["val_accuracy"] = float(correct.mean())
    result["ece"] = calibration.pop("ece")
    result["reliability"] = calibration
    result["by_sum"] = metrics.binned_by_sum(z, output, correct)
    return result


def make_train_step(config: RunConfig, model: keras.Model,
                    optimizer: keras.optimizers.Optimizer) -> Callable[[tf.Tensor], tuple[tf.Tensor, tf.Tensor]]:
    """A ``tf.function`` training step (Adam) for ``config``, with or without truncation.

    Args:
        config: the run's configuration.
        model: the built model (see :func:`build_model`).
        optimizer: the optimizer that applies the gradients.

    Returns:
        ``train_step(x) -> (loss, accuracy)`` for a ``(B, T, 1)`` batch of
        noise; the accuracy is measured before the update.

    Raises:
        RuntimeError: (when traced) if a trainable variable gets no gradient,
            the Keras 3 trap that silently leaves the cell untrained.
    """
    variables = model.trainable_variables

    @tf.function
    def train_step(x: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        with tf.GradientTape() as tape:
            if config.window is not None:  # TBPTT's code path, also for k = T
                output = truncated_forward(model, x, config.window)  # (B, k, 1)
            else:  # the reference model as it is
                output = model(x, training=True)  # (B, T, 1)
            loss, accuracy = targets_and_loss(config, x, output)
        grads = tape.gradient(loss, variables)
        missing = [v.path for v, g in zip(variables, grads) if g is None]
        if missing:
            raise RuntimeError(f"no gradient for {missing}")
        optimizer.apply_gradients(zip(grads, variables))
        return loss, accuracy

    return train_step


@dataclass
class Trainer:
    """A model, its optimizer and their traced training and prediction steps, reused across seeds.

    Tracing a training step costs seconds; a seed only changes the numbers
    in the variables, so :func:`trainer` traces once per configuration and
    :meth:`reset` loads the next seed's initial weights.
    """

    model: keras.Model
    optimizer: keras.optimizers.Optimizer
    train_step: Callable[[tf.Tensor], tuple[tf.Tensor, tf.Tensor]]
    predict: Callable[[tf.Tensor], tf.Tensor]

    def reset(self, config: RunConfig) -> None:
        """Give the model ``config.seed``'s initial weights and the optimizer a fresh state.

        Args:
            config: the run's configuration.
        """
        self.model.set_weights(build_model(config).get_weights())
        for variable in self.optimizer.variables:  # iterations, moments, learning rate
            variable.assign(tf.zeros_like(variable))
        self.optimizer.learning_rate = config.learning_rate


def trainer_key(config: RunConfig) -> RunConfig:
    """The part of a configuration that changes the traced graph.

    The seed and the forget bias only change initial values, which
    :meth:`Trainer.reset` loads; the budgets and the learning rate (a
    variable) do not enter the graph either.

    Args:
        config: the run's configuration.

    Returns:
        ``config`` with those fields set to fixed values.
    """
    return replace(config, seed=0, forget_bias=1.0, samples=0, val_samples=0, curve_points=0, learning_rate=1e-3)


@functools.lru_cache(maxsize=None)
def trainer(config: RunConfig) -> Trainer:
    """The traced :class:`Trainer` for a configuration; call it with :func:`trainer_key`.

    Args:
        config: the configuration's graph-relevant part (see :func:`trainer_key`).

    Returns:
        A trainer whose weights must be set with :meth:`Trainer.reset` before use.
    """
    model = build_model(config)
    optimizer = keras.optimizers.Adam(config.learning_rate)
    predict = tf.function(lambda batch: model(batch)[:, -1, 0])  # (B, T, 1) -> (B,)
    return Trainer(model, optimizer, make_train_step(config, model, optimizer), predict)


@functools.lru_cache(maxsize=None)
def train_run(config: RunConfig) -> dict:
    """Train one configuration and evaluate it (cached: experiments share identical runs).

    Args:
        config: the run's configuration.

    Returns:
        A JSON-ready dict: ``config``, ``val_accuracy`` and the rest of
        :func:`evaluate`, ``curve`` (``samples``, ``accuracy``, ``loss`` per
        point), ``forget_gate_init`` and ``forget_gate_trained``, ``seconds``
        and ``step_ms`` (median wall time of one training step).

    Raises:
        ValueError: for truncation with a target at every step.
        RuntimeError: if a trainable variable gets no gradient.
    """
    if config.window is not None and config.targets != "last":
        raise ValueError("truncated BPTT is only defined here for the label on the last step")
    shared = trainer(trainer_key(config))
    shared.reset(config)
    model, train_step = shared.model, shared.train_step
    train_x = data.noise(config.seed, config.seq_len, config.samples, data.TRAIN_STREAM)
    val_x = data.noise(config.seed, config.seq_len, config.val_samples, data.VAL_STREAM)
    probe = tf.constant(val_x[:256])
    forget_init = forget_gate_mean(model, probe)

    losses, accuracies, seen, step_seconds = [], [], [], []
    start = time.perf_counter()
    for x in data.batches(train_x, config.batch_size):
        tick = time.perf_counter()
        loss, accuracy = train_step(x)
        losses.append(float(loss))  # float() waits for the step: the timing is honest
        accuracies.append(float(accuracy))
        step_seconds.append(time.perf_counter() - tick)
        seen.append(int(x.shape[0]))
    seconds = time.perf_counter() - start

    chunks = np.array_split(np.arange(len(losses)), min(config.curve_points, len(losses)))
    cumulative = np.cumsum(seen)
    curve = {
        "samples": [int(cumulative[c[-1]]) for c in chunks],
        "accuracy": [float(np.average(np.take(accuracies, c), weights=np.take(seen, c))) for c in chunks],
        "loss": [float(np.average(np.take(losses, c), weights=np.take(seen, c))) for c in chunks],
    }
    result = {"config": asdict(config), **evaluate(config, shared.predict, val_x), "curve": curve,
              "forget_gate_init": forget_init, "forget_gate_trained": forget_gate_mean(model, probe),
              "seconds": seconds, "step_ms": 1e3 * float(np.median(step_seconds[min(5, len(step_seconds) - 1):]))}
    log.info("T=%d seed=%d bias=%g loss=%s targets=%s window=%s: accuracy %.3f in %.0f s", config.seq_len,
             config.seed, config.forget_bias, config.loss, config.targets, config.window, result["val_accuracy"], seconds)
    return result
