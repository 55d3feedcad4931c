"""Experiment: classification (BCE on the sign) against regression (MSE on the scaled sum).

Four arms, the same model and data: the loss is binary cross-entropy on the
sign label (sigmoid read-out) or squared error on ``S / sqrt(T)`` (linear
read-out, a unit-variance target); the target is on the last step only
(many-to-one, the homework) or on every step (many-to-many: the running
sign, or the running sum ``S_t / sqrt(T)``). Accuracy is always the sign at
the last step.
"""

from __future__ import annotations

from . import metrics
from .runner import RunConfig, train_run

NAME = "regression"
ARMS = (("bce", "last"), ("mse", "last"), ("bce", "all"), ("mse", "all"))
SETTINGS: dict[str, dict] = {
    "full": {"seq_lens": [25, 100], "samples": 9_600, "val_samples": 2048, "seeds": 3},
    "quick": {"seq_lens": [8], "samples": 256, "val_samples": 256, "seeds": 2},
}


def run(settings: dict, seeds: list[int]) -> dict:
    """Train every arm at every sequence length and seed.

    Args:
        settings: ``seq_lens``, ``samples``, ``val_samples`` (one of :data:`SETTINGS`).
        seeds: the seeds to run.

    Returns:
        ``{"runs", "summary"}``; per sequence length and arm the spread of the
        held-out accuracy and of the calibration error (ECE), R^2 of the
        predicted sum for regression, the mean learning curve, and the first
        seed's reliability diagram and behaviour against the true sum.
    """
    runs, summary = [], []
    for seq_len in settings["seq_lens"]:
        for loss, targets in ARMS:
            arm = [train_run(RunConfig(seq_len, seed, settings["samples"], loss=loss, targets=targets,
                                       val_samples=settings["val_samples"])) for seed in seeds]
            runs += arm
            entry = {
                "seq_len": seq_len, "loss": loss, "targets": targets,
                "val_accuracy": metrics.spread([r["val_accuracy"] for r in arm]),
                "ece": metrics.spread([r["ece"] for r in arm]),
                "curve": metrics.mean_curve([r["curve"] for r in arm]),
                "reliability": arm[0]["reliability"],
                "by_sum": arm[0]["by_sum"],
            }
            if loss == "mse":
                entry["r2"] = metrics.spread([r["r2"] for r in arm])
            summary.append(entry)
    return {"runs": runs, "summary": summary}
