"""Experiment: does the forget gate's initial bias (1 vs 0) matter, and from which sequence length?

For every seed and sequence length, the two arms start from the same weights
except the forget gate's bias, and see the same data (a paired comparison).
"""

from __future__ import annotations

from . import metrics
from .runner import RunConfig, train_run

NAME = "forget-bias"
BIASES = (1.0, 0.0)
SETTINGS: dict[str, dict] = {
    "full": {"seq_lens": [25, 50, 100, 200], "samples": 9_600, "val_samples": 2048, "seeds": 3},
    "quick": {"seq_lens": [8, 16], "samples": 256, "val_samples": 256, "seeds": 2},
}


def run(settings: dict, seeds: list[int]) -> dict:
    """Train both arms at every sequence length and seed.

    Args:
        settings: ``seq_lens``, ``samples``, ``val_samples`` (one of :data:`SETTINGS`).
        seeds: the seeds to run.

    Returns:
        ``{"runs": [...], "summary": [...]}``: every run, and per sequence
        length and bias the spread over seeds of the held-out accuracy, the
        forget gate's mean activation at initialisation and after training,
        the samples to reach 80 %, the mean learning curve, and the paired
        accuracy difference (bias 1 minus bias 0).
    """
    runs, summary = [], []
    for seq_len in settings["seq_lens"]:
        by_bias = {}
        for bias in BIASES:
            arm = [train_run(RunConfig(seq_len, seed, settings["samples"], forget_bias=bias,
                                       val_samples=settings["val_samples"])) for seed in seeds]
            runs += arm
            reached = [metrics.samples_to_reach(r["curve"], 0.8) for r in arm]
            by_bias[bias] = arm
            summary.append({
                "seq_len": seq_len, "forget_bias": bias,
                "val_accuracy": metrics.spread([r["val_accuracy"] for r in arm]),
                "forget_gate_init": metrics.spread([r["forget_gate_init"] for r in arm]),
                "forget_gate_trained": metrics.spread([r["forget_gate_trained"] for r in arm]),
                "samples_to_80": reached,
                "curve": metrics.mean_curve([r["curve"] for r in arm]),
            })
        difference = [a["val_accuracy"] - b["val_accuracy"] for a, b in zip(by_bias[1.0], by_bias[0.0])]
        summary.append({"seq_len": seq_len, "forget_bias": "1 - 0", "val_accuracy": metrics.spread(difference)})
    return {"runs": runs, "summary": summary}
