"""Summary statistics of the experiments: spread over seeds, calibration, binned behaviour."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def spread(values: Sequence[float]) -> dict[str, float]:
    """Mean, sample standard deviation, minimum and maximum over seeds.

    Args:
        values: one number per seed.

    Returns:
        ``{"mean", "std", "min", "max", "n"}``; ``std`` is 0 for a single seed.
    """
    arr = np.asarray(values, dtype=float)
    return {
        "mean": float(arr.mean()),
        "std": float(arr.std(ddof=1)) if arr.size > 1 else 0.0,
        "min": float(arr.min()),
        "max": float(arr.max()),
        "n": int(arr.size),
    }


def reliability(prob: np.ndarray, label: np.ndarray, bins: int = 10) -> dict[str, list[float] | float]:
    """Reliability diagram and expected calibration error (ECE) of P(label = 1).

    Args:
        prob: array ``(N,)`` of predicted probabilities that the label is 1.
        label: array ``(N,)`` of 0/1 labels.
        bins: int, equal-width bins on [0, 1].

    Returns:
        ``{"ece", "bin_mean_prob", "bin_frequency", "bin_count"}``; the ECE is
        the count-weighted mean of ``|observed frequency - mean probability|``
        over the bins. An empty bin has weight 0 and ``None`` as its mean
        probability and frequency.
    """
    prob, label = np.asarray(prob, float).ravel(), np.asarray(label, float).ravel()
    index = np.clip((prob * bins).astype(int), 0, bins - 1)
    mean_prob, frequency, count, ece = [], [], [], 0.0
    for b in range(bins):
        mask = index == b
        n = int(mask.sum())
        count.append(n)
        if n == 0:
            mean_prob.append(None)
            frequency.append(None)
            continue
        mean_prob.append(float(prob[mask].mean()))
        frequency.append(float(label[mask].mean()))
        ece += n / prob.size * abs(frequency[-1] - mean_prob[-1])
    return {"ece": float(ece), "bin_mean_prob": mean_prob, "bin_frequency": frequency, "bin_count": count}


def normal_cdf(z: np.ndarray) -> np.ndarray:
    """Phi(z), the standard normal CDF, elementwise.

    Args:
        z: array of any shape.

    Returns:
        Array of the same shape with values in [0, 1].
    """
    return 0.5 * (1.0 + np.vectorize(math.erf)(np.asarray(z, float) / math.sqrt(2.0)))


def binned_by_sum(z: np.ndarray, output: np.ndarray, correct: np.ndarray,
                  edges: Sequence[float] = tuple(np.linspace(-3, 3, 13))) -> dict[str, list]:
    """What the model does as a function of the true (scaled) sum.

    Args:
        z: array ``(N,)``, the true sum divided by sqrt(T) (a standard normal).
        output: array ``(N,)``, the model's last-step output (probability or
            predicted scaled sum).
        correct: array ``(N,)`` of 0/1, whether the sign was right.
        edges: bin edges on z; values outside go to the first or last bin.

    Returns:
        ``{"centers", "mean_output", "accuracy", "count"}``, one value per bin
        (``None`` for an empty bin).
    """
    edges = np.asarray(edges, float)
    index = np.clip(np.digitize(z, edges) - 1, 0, len(edges) - 2)
    result: dict[str, list] = {"centers": list((edges[:-1] + edges[1:]) / 2), "mean_output": [],
                               "accuracy": [], "count": []}
    for b in range(len(edges) - 1):
        mask = index == b
        n = int(mask.sum())
        result["count"].append(n)
        result["mean_output"].append(float(output[mask].mean()) if n else None)
        result["accuracy"].append(float(correct[mask].mean()) if n else None)
    result["centers"] = [float(c) for c in result["centers"]]
    return result


def mean_curve(curves: Sequence[dict]) -> dict[str, list[float]]:
    """Average learning curves of several seeds (same budget, so the same x values).

    Args:
        curves: each ``{"samples", "accuracy", "loss"}`` as made by a run.

    Returns:
        ``{"samples", "accuracy_mean", "accuracy_std", "loss_mean"}``.
    """
    acc = np.array([c["accuracy"] for c in curves])
    loss = np.array([c["loss"] for c in curves])
    return {
        "samples": list(curves[0]["samples"]),
        "accuracy_mean": [float(v) for v in acc.mean(axis=0)],
        "accuracy_std": [float(v) for v in (acc.std(axis=0, ddof=1) if len(curves) > 1 else 0 * acc[0])],
        "loss_mean": [float(v) for v in loss.mean(axis=0)],
    }


def samples_to_reach(curve: dict, level: float) -> int | None:
    """Training samples until a learning curve first reaches ``level`` accuracy.

    Args:
        curve: ``{"samples", "accuracy"}`` of one run.
        level: float, the accuracy to reach (for example 0.8).

    Returns:
        The samples seen at the first point at or above ``level``, or ``None``
        if the curve never gets there within the budget.
    """
    for samples, accuracy in zip(curve["samples"], curve["accuracy"]):
        if accuracy >= level:
            return int(samples)
    return None
