"""Experiment: truncated BPTT with windows of k steps against full BPTT, label on the last step.

Accuracy comes from full training runs per window and seed. Time comes from
a separate side-by-side measurement: the training steps of every k are timed
in interleaved rounds on the same batch, so that the machine's drift hits
them all alike.
"""

from __future__ import annotations

import time

import numpy as np
import tensorflow as tf

from . import data, metrics
from .runner import RunConfig, train_run, trainer, trainer_key

NAME = "tbptt"
SETTINGS: dict[str, dict] = {
    "full": {"seq_len": 25, "windows": [5, 10, 25], "samples": 9_600, "val_samples": 2048, "seeds": 3,
             "timing_rounds": 15, "timing_steps": 30},
    "quick": {"seq_len": 8, "windows": [4, 8], "samples": 256, "val_samples": 256, "seeds": 2,
              "timing_rounds": 2, "timing_steps": 2},
}


def time_steps(seq_len: int, windows: list[int], rounds: int, steps: int, samples: int, val_samples: int,
               seed: int = 0) -> dict[int, list[float]]:
    """Median time of one training step for every window, measured side by side.

    Args:
        seq_len: int, T.
        windows: the k values (``k = T`` is full BPTT).
        rounds: int, interleaved rounds.
        steps: int, timed steps per window in each round.
        samples: int, the runs' training budget (part of the trainer's key).
        val_samples: int, the runs' held-out size (part of the trainer's key).
        seed: int, seeds the models and the batch.

    Returns:
        For every k, one median step time (ms) per round.
    """
    batch = tf.constant(data.noise(seed, seq_len, 64, data.VAL_STREAM))
    train_steps = {}
    for k in windows:
        # The traced steps of the training runs (their weights change; their speed does not).
        shared = trainer(trainer_key(RunConfig(seq_len, seed, samples, window=k, val_samples=val_samples)))
        train_steps[k] = shared.train_step
        train_steps[k](batch)  # traced already, or trace once now, outside the timing
    times: dict[int, list[float]] = {k: [] for k in windows}
    for _ in range(rounds):
        for k in windows:
            laps = []
            for _ in range(steps):
                tick = time.perf_counter()
                float(train_steps[k](batch)[0])
                laps.append(time.perf_counter() - tick)
            times[k].append(1e3 * float(np.median(laps)))
    return times


def run(settings: dict, seeds: list[int]) -> dict:
    """Train with every window and seed, then time the steps side by side.

    Args:
        settings: ``seq_len``, ``windows``, ``samples``, ``val_samples``,
            ``timing_rounds``, ``timing_steps`` (one of :data:`SETTINGS`).
        seeds: the seeds to run.

    Returns:
        ``{"runs", "summary", "timing"}``; per window the spread of the held-out
        accuracy, the samples to reach 80 % and the mean learning curve; the
        timing holds per window the per-round median step times, their median
        and minimum, the per-round ratios to full BPTT and their median.
    """
    seq_len = settings["seq_len"]
    runs, summary = [], []
    for k in settings["windows"]:
        arm = [train_run(RunConfig(seq_len, seed, settings["samples"], window=k, val_samples=settings["val_samples"]))
               for seed in seeds]
        runs += arm
        summary.append({
            "window": k, "full_bptt": k >= seq_len,
            "val_accuracy": metrics.spread([r["val_accuracy"] for r in arm]),
            "samples_to_80": [metrics.samples_to_reach(r["curve"], 0.8) for r in arm],
            "curve": metrics.mean_curve([r["curve"] for r in arm]),
        })
    times = time_steps(seq_len, settings["windows"], settings["timing_rounds"], settings["timing_steps"],
                       settings["samples"], settings["val_samples"])
    # Other processes slow whole rounds down: compare windows within a round, then take the median.
    full = np.array(times[max(settings["windows"])])
    timing = []
    for k in settings["windows"]:
        ratios = np.array(times[k]) / full
        timing.append({"window": k, "step_ms_rounds": times[k], "step_ms": float(np.median(times[k])),
                       "step_ms_best": float(np.min(times[k])), "ratio_rounds": [float(r) for r in ratios],
                       "ratio_to_full": float(np.median(ratios))})
    return {"runs": runs, "summary": summary, "timing": timing}
