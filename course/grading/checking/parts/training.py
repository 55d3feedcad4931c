"""The ``training`` part: the student's ``train`` on the grader's model and in-memory data.

The parent draws training, validation and held-out pairs with exact labels
(:func:`inputs`) and sends the held-out noise only (never its labels). The child trains,
then returns the model's last-step probabilities for the held-out and validation noise
(:func:`probe`). The parent computes accuracy against the exact labels (:data:`VERDICTS`).

``train`` may read its datasets in either of the contract's conventions: prepared
batches ``((B, T, 1), (B, 1))`` or unbatched pairs ``((T, 1), (1,))``. The probe first
hands it batches; when that attempt raises (typically a shape or rank error as the
first batch meets the model), it starts again from a fresh, identically seeded model
with unbatched pairs, and records which convention worked. A ``train`` that runs but
trains wrongly does not raise, so it is judged on its first attempt: the retry cannot
hide a bug.
"""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, Any

import numpy as np

from course import task
from course.grading.checking.inputs import PartInputs
from course.grading.checking.judges import Case, Missing, Verdicts, error_text
from course.grading.checking.recording import Recorder, describe

if TYPE_CHECKING:
    import keras
    import tensorflow as tf

#: The training budget: pairs per epoch, epochs, validation and held-out pairs. The
#: reference reaches about 0.95 held-out accuracy in it; the bar is :data:`course.task.ACCURACY_BAR`.
#: The pairs are :data:`course.task.SEQ_LEN` steps long.
TRAINING_BUDGET: dict[str, Any] = {
    "train": 4000, "val": 1000, "test": 2000, "epochs": 2, "learning_rate": 1e-3, "units": 32,
}
#: Fraction of the validation labels the training part flips before handing them over.
VAL_FLIPPED = 0.25
#: The conventions tried, in order: name and whether the datasets are batched.
CONVENTIONS: tuple[tuple[str, bool], ...] = (("batches", True), ("pairs", False))
#: Batch size of the batched convention (the homework's).
BATCH_SIZE = 64


def _noise(rng: np.random.Generator, count: int, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Integration-task pairs with exact labels.

    Args:
        rng: numpy Generator.
        count: int, N.
        steps: int, T.

    Returns:
        ``(noise (N, T, 1) float32, labels (N, 1) int32)``.
    """
    noise = rng.standard_normal((count, steps, 1)).astype(np.float32)
    labels = (noise.astype(np.float64).sum(axis=(1, 2)) > 0).astype(np.int32)[:, None]
    return noise, labels


def inputs(rng: np.random.Generator, budget: dict[str, Any] | None = None) -> PartInputs:
    """Training, validation and held-out pairs of the task's length; the held-out labels stay in the parent.

    Args:
        rng: numpy Generator.
        budget: dict, sizes instead of :data:`TRAINING_BUDGET` (keys as there; missing keys keep its
            values); None means :data:`TRAINING_BUDGET`.

    Returns:
        PartInputs, with the held-out and the true validation labels in ``secret``.

    Raises:
        ValueError: for a budget key that :data:`TRAINING_BUDGET` lacks.
    """
    if budget is not None and set(budget) - set(TRAINING_BUDGET):
        raise ValueError(f"unknown training budget keys {sorted(set(budget) - set(TRAINING_BUDGET))}")
    budget = TRAINING_BUDGET if budget is None else {**TRAINING_BUDGET, **budget}
    steps = task.SEQ_LEN
    x_train, y_train = _noise(rng, budget["train"], steps)
    x_val, y_val = _noise(rng, budget["val"], steps)
    # A quarter of the validation labels handed over are flipped on purpose: an honest
    # val_accuracy (measured against the labels train was given) is then visibly lower than
    # the training accuracy, so a train that reports the wrong number cannot pass by luck.
    y_val = np.where(rng.random(y_val.shape) < VAL_FLIPPED, 1 - y_val, y_val).astype(np.int32)
    x_test, y_test = _noise(rng, budget["test"], steps)
    config = {k: budget[k] for k in ("epochs", "learning_rate", "units")}
    # the task's values, for the data.py the child stands in for the student's
    config.update(seq_len=steps, num_samples=task.NUM_SAMPLES)
    config["seed"] = int(rng.integers(2**31))
    return PartInputs(config=config,
                      arrays={"x_train": x_train, "y_train": y_train, "x_val": x_val, "y_val": y_val,
                              "x_test": x_test},
                      secret={"y_test": y_test[:, 0], "y_val": y_val[:, 0]})


# --------------------------------------------------------------------------- probe (child)
def _weights(model: keras.Model) -> np.ndarray:
    """Flatten every weight of a model into one vector.

    Args:
        model: keras.Model.

    Returns:
        1-D float64 array.
    """
    return np.concatenate([np.asarray(w, np.float64).ravel() for w in model.get_weights()])


def _last_step(model: keras.Model, noise: np.ndarray) -> np.ndarray:
    """Predict the last step's probability for every sequence, in batches.

    Args:
        model: keras.Model.
        noise: array ``(N, T, 1)``.

    Returns:
        array ``(N,)``.
    """
    import tensorflow as tf

    out = [np.asarray(model(tf.constant(noise[i:i + 500], tf.float32)))[:, -1].reshape(-1)
           for i in range(0, len(noise), 500)]
    return np.concatenate(out)


def datasets(arrays: dict[str, np.ndarray], batched: bool, seed: int) -> tuple[tf.data.Dataset, tf.data.Dataset]:
    """The training and validation data in one convention, made from the parent's arrays.

    Args:
        arrays: dict with ``x_train``, ``y_train``, ``x_val``, ``y_val``.
        batched: bool, batches of :data:`BATCH_SIZE` (training pairs shuffled once, with
            ``seed``) or unbatched pairs.
        seed: int, the shuffle's seed.

    Returns:
        ``(train_ds, val_ds)``.
    """
    import tensorflow as tf

    pairs = tf.data.Dataset.from_tensor_slices((arrays["x_train"], arrays["y_train"]))
    val = tf.data.Dataset.from_tensor_slices((arrays["x_val"], arrays["y_val"]))
    if not batched:
        return pairs, val
    pairs = pairs.shuffle(len(arrays["x_train"]), seed=seed, reshuffle_each_iteration=True)
    return pairs.batch(BATCH_SIZE), val.batch(BATCH_SIZE)


def probe(module: types.ModuleType, rec: Recorder, config: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    """Train with the student's ``train`` and record the history and predictions.

    Args:
        module: the student's ``train`` module.
        rec: Recorder.
        config: dict with ``epochs``, ``learning_rate``, ``seed``.
        arrays: dict with ``x_train``, ``y_train``, ``x_val``, ``y_val``, ``x_test``.
    """
    import keras
    import tensorflow as tf

    from course.grading.checking.contract import RunningSumModel

    steps = int(arrays["x_train"].shape[1])
    failures: dict[str, dict[str, Any]] = {}
    with rec.probe("train"):
        for convention, batched in CONVENTIONS:
            keras.utils.set_random_seed(config["seed"])
            model = RunningSumModel(steps, name="running_sum")
            model(tf.zeros((1, steps, 1)))  # build, so the weights can be compared before and after
            before = _weights(model)
            train_ds, val_ds = datasets(arrays, batched, config["seed"])
            try:
                history = module.train(model, train_ds, val_ds, epochs=config["epochs"],
                                       learning_rate=config["learning_rate"])
            except Exception as error:  # noqa: BLE001 - maybe the other convention; reported if both fail
                failures[convention] = describe(error)
                if len(failures) == len(CONVENTIONS) or isinstance(error, NotImplementedError):
                    rec.put("train.failures", failures)
                    raise
                continue
            break
        rec.put("train.convention", convention)
        rec.put("train.failures", failures)
        rec.put("train.history_type", type(history).__name__)
        rec.put("train.history", dict(history) if isinstance(history, dict) else None)
        rec.put("train.weights_changed", float(np.max(np.abs(_weights(model) - before))))
        rec.put("train.steps_trained", model.steps_trained())
        rec.put("train.steps", steps)
        rec.array("train.test", _last_step(model, arrays["x_test"]))
        rec.array("train.val", _last_step(model, arrays["x_val"]))


# --------------------------------------------------------------------------- verdicts (parent)
VERDICTS = Verdicts("training")
#: The history's keys (SPEC.md: ``train`` returns per-epoch lists of each).
HISTORY_KEYS = ("loss", "accuracy", "val_loss", "val_accuracy")


def accuracy(probabilities: np.ndarray, labels: np.ndarray) -> float:
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


def _convention(case: Case) -> str:
    """Say which reading of the datasets the student's train used (and why not the other).

    Args:
        case: the part's inputs and the child's evidence.

    Returns:
        str.
    """
    convention = case.evidence.values.get("train.convention")
    failures = case.evidence.values.get("train.failures") or {}
    text = {"batches": "train read prepared batches ((B, T, 1), (B, 1))",
            "pairs": "train read unbatched pairs ((T, 1), (1,)) and batched them itself"}.get(
                convention, "train did not finish with either convention")
    if convention == "pairs" and isinstance(failures, dict) and "batches" in failures:
        text += f" (with batches it raised {error_text(failures['batches'])})"
    return text


def _need_train(case: Case) -> None:
    """Like ``case.need("train")``, naming both conventions' errors when both failed.

    Args:
        case: the part's inputs and the child's evidence.

    Raises:
        Missing: when train raised.
    """
    failures = case.evidence.values.get("train.failures")
    not_implemented = isinstance(failures, dict) and any(
        isinstance(f, dict) and f.get("not_implemented") for f in failures.values())
    if "train" in case.evidence.errors and isinstance(failures, dict) and len(failures) > 1 and not not_implemented:
        raise Missing("train raised with both readings of its datasets: with prepared batches "
                      f"{error_text(failures.get('batches'))}; with unbatched pairs {error_text(failures.get('pairs'))}")
    case.need("train")


@VERDICTS.check("training.history_keys")
def history_keys(case: Case) -> tuple[bool, str]:
    """``train`` returns a dict of per-epoch lists under the contract's keys."""
    epochs = case.config["epochs"]
    _need_train(case)
    history = case.value("train.history")
    if not isinstance(history, dict):
        return False, f"train returned a {case.value('train.history_type')}, not a dict"
    bad = [k for k in HISTORY_KEYS if not (isinstance(history.get(k), list) and len(history[k]) == epochs
                                           and all(isinstance(v, (int, float)) for v in history[k]))]
    return not bad, (f"keys {sorted(history)}; missing or not {epochs} numbers per key: {bad or 'none'}; "
                     f"{_convention(case)}")


@VERDICTS.check("training.updates_weights")
def updates_weights(case: Case) -> tuple[bool, str]:
    """Training changes the model's weights."""
    _need_train(case)
    change = case.value("train.weights_changed")
    return isinstance(change, float) and change > 1e-6, f"largest weight change {change}"


@VERDICTS.check("training.reaches_80")
def reaches_80(case: Case) -> tuple[bool, str]:
    """The trained model clears the accuracy bar on held-out data whose labels only the parent has."""
    epochs = case.config["epochs"]
    _need_train(case)
    measured = accuracy(case.array("train.test").ravel(), case.secret["y_test"])
    return measured >= task.ACCURACY_BAR, (
        f"held-out accuracy {measured:.3f} after {epochs} epochs of {len(case.arrays['x_train'])} pairs "
        f"(the bar is {task.ACCURACY_BAR:.2f}); {_convention(case)}")


@VERDICTS.check("training.loss_last_step")
def loss_last_step(case: Case) -> tuple[bool, str]:
    """The loss reached only the last step's read-out of the grader's model."""
    _need_train(case)
    steps, trained = case.value("train.steps"), case.value("train.steps_trained")
    if not isinstance(trained, list):
        raise Missing("no record of the trained steps")
    ok = trained == [steps - 1]
    shown = trained if len(trained) <= 6 else [*trained[:3], "...", *trained[-2:]]
    return ok, (f"the loss reached the grader model's read-out at step(s) {shown} "
                f"(expected only the last, {steps - 1})")


@VERDICTS.check("training.val_accuracy_honest")
def val_accuracy_honest(case: Case) -> tuple[bool, str]:
    """The reported last ``val_accuracy`` is the one the grader measures on the same data."""
    _need_train(case)
    measured = accuracy(case.array("train.val").ravel(), case.secret["y_val"])
    history = case.value("train.history")
    reported = history.get("val_accuracy", [None])[-1] if isinstance(history, dict) and history.get(
        "val_accuracy") else None
    ok = isinstance(reported, (int, float)) and abs(reported - measured) <= 0.02
    return ok, f"reported val_accuracy {reported}, the grader measures {measured:.3f} on the same data"
