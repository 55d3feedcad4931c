"""Figures of the experiments, drawn from their JSON results only (no training).

``replot_all()`` re-draws every committed figure from the committed JSON;
``lstm-course figures`` (the site's command) calls it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from course import task  # noqa: E402
from course.plot_limits import reveal_low_values  # noqa: E402

from .paths import RESULTS_DIR  # noqa: E402

#: The homework's accuracy bar (course/task.py), drawn on the study's plots.
BAR = task.ACCURACY_BAR
COLORS = ["#3f51b5", "#ff5722", "#009688", "#9c27b0", "#795548"]


def _bar(ax: plt.Axes) -> None:
    """Draw the homework's accuracy bar (:data:`BAR`) on ``ax``."""
    ax.axhline(BAR, color="grey", linestyle="--", linewidth=1, label=f"homework's bar ({BAR:.2f})")


def _curve(ax: plt.Axes, curve: dict, label: str, color: str) -> None:
    """Plot a mean learning curve with a band of one standard deviation over seeds."""
    x = np.array(curve["samples"])
    mean, std = np.array(curve["accuracy_mean"]), np.array(curve["accuracy_std"])
    ax.plot(x, mean, color=color, label=label)
    ax.fill_between(x, mean - std, mean + std, color=color, alpha=0.2, linewidth=0)


def _per_seed(ax: plt.Axes, xs: list, runs_by_x: list[list[float]], color: str, label: str,
              offset: float = 0.0, log: bool = False) -> None:
    """Mean with error bars (one standard deviation) and every seed as a dot."""
    xs_arr = np.array(xs, dtype=float) * (1 + offset) if log else np.array(xs, dtype=float) + offset
    means = [np.mean(v) for v in runs_by_x]
    stds = [np.std(v, ddof=1) if len(v) > 1 else 0.0 for v in runs_by_x]
    ax.errorbar(xs_arr, means, yerr=stds, color=color, marker="o", capsize=3, label=label)
    for x, values in zip(xs_arr, runs_by_x):
        ax.scatter([x] * len(values), values, color=color, s=10, alpha=0.5, zorder=3)


def _log_t_axis(ax: plt.Axes, seq_lens: list[int]) -> None:
    """A log-scale sequence-length axis labelled only at the lengths that were run."""
    ax.set_xscale("log")
    ax.set_xticks(seq_lens, [str(t) for t in seq_lens])
    ax.minorticks_off()
    ax.set_xlabel("sequence length T")


def _footer(fig: plt.Figure, result: dict) -> None:
    """Write the command, seeds and trained implementation above the figure; show every value drawn."""
    reveal_low_values(fig)  # a quick run's accuracies sit below the panels' usual floor
    trained = f"  ·  trained: {result['implementation']}" if "implementation" in result else ""
    # Above the axes, clear of their labels: bbox_inches="tight" grows the PNG to hold it.
    fig.text(0.005, 1.0, f"{result['command']}  ·  seeds {result['seeds']}  ·  {result['mode']} mode{trained}",
             fontsize=7, color="grey", ha="left", va="bottom")


def _runs(result: dict, **match) -> list[dict]:
    """The runs whose config matches every ``key=value`` in ``match``."""
    return [r for r in result["runs"] if all(r["config"][k] == v for k, v in match.items())]


def plot_forget_bias(result: dict, path: Path) -> Path:
    """Learning curves per sequence length, final accuracy and forget-gate activation, bias 1 vs 0."""
    seq_lens = result["settings"]["seq_lens"]
    summary = [s for s in result["summary"] if s["forget_bias"] != "1 - 0"]
    fig = plt.figure(figsize=(12, 7))
    grid = fig.add_gridspec(2, len(seq_lens), hspace=0.45, wspace=0.3)
    for i, seq_len in enumerate(seq_lens):
        ax = fig.add_subplot(grid[0, i])
        for color, bias in zip(COLORS, (1.0, 0.0)):
            entry = next(s for s in summary if s["seq_len"] == seq_len and s["forget_bias"] == bias)
            _curve(ax, entry["curve"], f"bias {bias:g}", color)
        _bar(ax)
        ax.set(title=f"T = {seq_len}", xlabel="training sequences", ylim=(0.4, 1.0))
        if i == 0:
            ax.set_ylabel("accuracy on fresh batches")
            ax.legend(fontsize=7, loc="lower right")
        ax.grid(alpha=0.3)
    ax_acc = fig.add_subplot(grid[1, : len(seq_lens) // 2])
    ax_gate = fig.add_subplot(grid[1, len(seq_lens) // 2:])
    for j, (color, bias) in enumerate(zip(COLORS, (1.0, 0.0))):
        accs = [[r["val_accuracy"] for r in _runs(result, seq_len=t, forget_bias=bias)] for t in seq_lens]
        _per_seed(ax_acc, seq_lens, accs, color, f"bias {bias:g}", offset=0.04 * (j - 0.5), log=True)
        for style, key, when in (("-", "forget_gate_init", "at init"), (":", "forget_gate_trained", "trained")):
            values = [[r[key] for r in _runs(result, seq_len=t, forget_bias=bias)] for t in seq_lens]
            ax_gate.plot(seq_lens, [np.mean(v) for v in values], style, marker="o", color=color,
                         label=f"bias {bias:g}, {when}")
    _bar(ax_acc)
    samples = result["settings"]["samples"]
    ax_acc.set(ylabel="held-out accuracy", title=f"After {samples:,} training sequences", ylim=(0.4, 1.0))
    ax_gate.set(ylabel="mean forget gate $f_t$", title="Forget gate activation", ylim=(0.4, 1.0))
    for ax in (ax_acc, ax_gate):
        _log_t_axis(ax, seq_lens)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower left")
    _footer(fig, result)
    return _save(fig, path)


def plot_seq_len(result: dict, path: Path) -> Path:
    """Held-out accuracy against sequence length with the 80 % bar, and learning curves."""
    seq_lens = result["settings"]["seq_lens"]
    fig, (ax_acc, ax_curve) = plt.subplots(1, 2, figsize=(11, 4), constrained_layout=True)
    accs = [[r["val_accuracy"] for r in _runs(result, seq_len=t)] for t in seq_lens]
    _per_seed(ax_acc, seq_lens, accs, COLORS[0], "reference (mean ± std, dots: seeds)")
    _bar(ax_acc)
    samples = result["settings"]["samples"]
    _log_t_axis(ax_acc, seq_lens)
    ax_acc.set(ylabel="held-out accuracy", title=f"After {samples:,} training sequences", ylim=(0.4, 1.02))
    for color, entry in zip(COLORS, result["summary"]):
        _curve(ax_curve, entry["curve"], f"T = {entry['seq_len']}", color)
    _bar(ax_curve)
    ax_curve.set(xlabel="training sequences", ylabel="accuracy on fresh batches", title="Learning curves",
                 ylim=(0.4, 1.02))
    for ax in (ax_acc, ax_curve):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower right" if ax is ax_curve else "lower left")
    _footer(fig, result)
    return _save(fig, path)


def plot_tbptt(result: dict, path: Path) -> Path:
    """Learning curves, final accuracy and step time for every window k."""
    seq_len = result["settings"]["seq_len"]
    windows = result["settings"]["windows"]
    fig, (ax_curve, ax_acc, ax_time) = plt.subplots(1, 3, figsize=(13, 3.8), constrained_layout=True)

    def label(k: int) -> str:
        return f"k = {k} (full BPTT)" if k >= seq_len else f"k = {k}"

    for color, entry in zip(COLORS, result["summary"]):
        _curve(ax_curve, entry["curve"], label(entry["window"]), color)
    _bar(ax_curve)
    ax_curve.set(xlabel="training sequences", ylabel="accuracy on fresh batches",
                 title=f"Learning curves, T = {seq_len}", ylim=(0.4, 1.0))
    for i, (color, k) in enumerate(zip(COLORS, windows)):
        values = [r["val_accuracy"] for r in result["runs"] if r["config"]["window"] == k]
        _per_seed(ax_acc, [i], [values], color, label(k))
    _bar(ax_acc)
    ax_acc.set(xticks=range(len(windows)), xticklabels=[label(k) for k in windows], ylabel="held-out accuracy",
               title=f"After {result['settings']['samples']:,} sequences", ylim=(0.75, 1.0))
    for i, (color, entry) in enumerate(zip(COLORS, result["timing"])):
        ax_time.bar(i, entry["ratio_to_full"], color=color, alpha=0.7)
        ax_time.scatter([i] * len(entry["ratio_rounds"]), entry["ratio_rounds"], color="k", s=8, zorder=3)
        ax_time.annotate(f"{entry['ratio_to_full']:.2f}x", (i, entry["ratio_to_full"]), xytext=(12, 3),
                         textcoords="offset points", fontsize=8)
    # Log scale: a ratio of 2 and one of 1/2 are the same distance from 1, and busy rounds stay in view.
    ax_time.set_yscale("log")
    ax_time.set_yticks([0.25, 0.5, 1, 2, 4], ["0.25", "0.5", "1", "2", "4"])
    ax_time.minorticks_off()
    ax_time.set(xticks=range(len(windows)), xticklabels=[label(k) for k in windows],
                ylabel="step time / full BPTT's, same round", title="Time per training step, side by side")
    for ax in (ax_curve, ax_acc, ax_time):
        ax.grid(alpha=0.3)
    ax_curve.legend(fontsize=7, loc="lower right")
    _footer(fig, result)
    return _save(fig, path)


ARM_LABELS = {("bce", "last"): "BCE on sign, last step", ("mse", "last"): "MSE on sum, last step",
              ("bce", "all"): "BCE on sign, every step", ("mse", "all"): "MSE on sum, every step"}


def plot_regression(result: dict, path: Path) -> Path:
    """Accuracy and calibration against T for the four arms; behaviour at the shortest T."""
    seq_lens = result["settings"]["seq_lens"]
    arms = list(ARM_LABELS)
    fig, axes = plt.subplots(2, 3, figsize=(14, 7.5))
    (ax_acc, ax_ece, ax_rel), (ax_prob, ax_sum, ax_bin) = axes
    for j, (color, (loss, targets)) in enumerate(zip(COLORS, arms)):
        accs = [[r["val_accuracy"] for r in _runs(result, seq_len=t, loss=loss, targets=targets)] for t in seq_lens]
        eces = [[r["ece"] for r in _runs(result, seq_len=t, loss=loss, targets=targets)] for t in seq_lens]
        offset = 0.03 * (j - 1.5)
        _per_seed(ax_acc, seq_lens, accs, color, ARM_LABELS[(loss, targets)], offset=offset, log=True)
        _per_seed(ax_ece, seq_lens, eces, color, ARM_LABELS[(loss, targets)], offset=offset, log=True)
    _bar(ax_acc)
    for ax, title, ylabel in ((ax_acc, f"Accuracy after {result['settings']['samples']:,} sequences",
                               "held-out accuracy (sign, last step)"),
                              (ax_ece, "Calibration error (lower is better)", "ECE, 10 bins")):
        _log_t_axis(ax, seq_lens)
        ax.set(title=title, ylabel=ylabel)
        ax.grid(alpha=0.3)
    ax_acc.legend(fontsize=7, loc="lower left")

    t0 = seq_lens[0]
    entries = {(s["loss"], s["targets"]): s for s in result["summary"] if s["seq_len"] == t0}
    ax_rel.plot([0, 1], [0, 1], color="grey", linewidth=1, label="perfect calibration")
    for color, arm in zip(COLORS, arms):
        rel = entries[arm]["reliability"]
        pts = [(p, f) for p, f in zip(rel["bin_mean_prob"], rel["bin_frequency"]) if p is not None]
        ax_rel.plot(*zip(*pts), marker="o", color=color, label=ARM_LABELS[arm])
    ax_rel.set(xlabel="predicted P(sum > 0)", ylabel="observed frequency",
               title=f"Reliability, T = {t0}, seed {result['seeds'][0]}")
    ax_rel.legend(fontsize=7, loc="upper left")

    for color, arm in zip(COLORS, arms):
        by_sum = entries[arm]["by_sum"]
        centers = by_sum["centers"]
        target_ax = ax_prob if arm[0] == "bce" else ax_sum
        target_ax.plot(centers, by_sum["mean_output"], marker="o", color=color, label=ARM_LABELS[arm])
        ax_bin.plot(centers, by_sum["accuracy"], marker="o", color=color, label=ARM_LABELS[arm])
    centers = np.array(entries[arms[0]]["by_sum"]["centers"])
    ax_prob.step(centers, (centers > 0).astype(float), where="mid", color="grey", linewidth=1,
                 label="the label (a step)")
    ax_sum.plot(centers, centers, color="grey", linewidth=1, label="the target (identity)")
    ax_prob.set(xlabel="true sum / sqrt(T)", ylabel="mean predicted probability", title="What the classifier outputs")
    ax_sum.set(xlabel="true sum / sqrt(T)", ylabel="mean predicted sum / sqrt(T)", title="What the regressor outputs")
    ax_bin.set(xlabel="true sum / sqrt(T)", ylabel="accuracy in bin", title="Where the errors are", ylim=(0.4, 1.02))
    for ax in (ax_rel, ax_prob, ax_sum, ax_bin):
        ax.grid(alpha=0.3)
    for ax in (ax_prob, ax_sum):
        ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    _footer(fig, result)
    return _save(fig, path)


def _save(fig: plt.Figure, path: Path) -> Path:
    """Save ``fig`` as a PNG at ``path`` and close it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return path


PLOTTERS: dict[str, Callable[[dict, Path], Path]] = {
    "forget-bias": plot_forget_bias, "seq-len": plot_seq_len, "tbptt": plot_tbptt, "regression": plot_regression,
}


def plot(result: dict, path: Path) -> Path:
    """Draw the figure of one experiment's result.

    Args:
        result: dict, the experiment's JSON result.
        path: Path, the PNG to write.

    Returns:
        ``path``.
    """
    return PLOTTERS[result["name"]](result, path)


def replot_all(results_dir: Path = RESULTS_DIR, out_dir: Path | None = None) -> list[Path]:
    """Re-draw every experiment figure from its committed JSON, without training.

    Args:
        results_dir: Path, the folder with ``NAME.json`` files (default: the committed ones).
        out_dir: Path or None, where to write the PNGs (default: next to the JSON).

    Returns:
        The paths of the figures written, one per JSON result found.
    """
    written = []
    for name in PLOTTERS:
        source = results_dir / f"{name}.json"
        if source.exists():
            result = json.loads(source.read_text())
            written.append(plot(result, (out_dir or results_dir) / f"{name}.png"))
    return written
