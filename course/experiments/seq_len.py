"""Experiment: the reference model's accuracy against the sequence length, with the homework's 80 % bar.

The runs are the reference configuration (forget bias 1), so they are the
same runs as the forget-bias experiment's bias-1 arm at the lengths both use
(``lstm-course experiment all`` trains them once).
"""

from __future__ import annotations

from course import task

from . import metrics
from .runner import RunConfig, train_run

NAME = "seq-len"
#: The homework's accuracy bar (course/task.py): the study counts the seeds that clear it.
BAR = task.ACCURACY_BAR
SETTINGS: dict[str, dict] = {
    "full": {"seq_lens": [10, 25, 50, 100, 200], "samples": 9_600, "val_samples": 2048, "seeds": 3},
    "quick": {"seq_lens": [8, 16], "samples": 256, "val_samples": 256, "seeds": 2},
}


def run(settings: dict, seeds: list[int]) -> dict:
    """Train the reference at every sequence length and seed.

    Args:
        settings: ``seq_lens``, ``samples``, ``val_samples`` (one of :data:`SETTINGS`).
        seeds: the seeds to run.

    Returns:
        ``{"bar", "runs", "summary"}``; per sequence length the spread of the
        held-out accuracy, how many seeds clear the bar, the samples to reach
        it and the mean learning curve.
    """
    runs, summary = [], []
    for seq_len in settings["seq_lens"]:
        arm = [train_run(RunConfig(seq_len, seed, settings["samples"], val_samples=settings["val_samples"]))
               for seed in seeds]
        runs += arm
        summary.append({
            "seq_len": seq_len,
            "val_accuracy": metrics.spread([r["val_accuracy"] for r in arm]),
            "seeds_above_bar": sum(r["val_accuracy"] >= BAR for r in arm),
            "samples_to_80": [metrics.samples_to_reach(r["curve"], BAR) for r in arm],
            "curve": metrics.mean_curve([r["curve"] for r in arm]),
        })
    return {"bar": BAR, "runs": runs, "summary": summary}
