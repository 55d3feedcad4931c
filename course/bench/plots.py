"""Figures of the benchmark, drawn from the results JSON (no measuring).

``replot_all()`` is what ``lstm-course figures`` calls: it re-draws the
committed figures from the committed ``docs/assets/bench/results.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def growth(results: dict, path: Path) -> Path:
    """Time per time step against T, and train-step time against H.

    Args:
        results: dict, benchmark results with a ``growth`` section.
        path: Path, the PNG to write.

    Returns:
        The path written.
    """
    by_t, by_h = results["growth"]["seq_len"], results["growth"]["units"]
    fig, (ax_t, ax_h) = plt.subplots(1, 2, figsize=(10, 3.8), constrained_layout=True)
    for name, values in by_t["per_step_us"].items():
        ax_t.plot(by_t["values"], values, "o-", label=name)
    for name, values in by_h["step_ms"].items():
        ax_h.plot(by_h["values"], values, "o-", label=name)
    ax_t.set(xscale="log", xlabel="sequence length T", ylabel="µs per time step (whole train step / T)",
             title=f"Growth with T (H = {by_t['units']})")
    ax_h.set(xscale="log", yscale="log", xlabel="units H", ylabel="train step (ms)",
             title=f"Growth with H (T = {by_h['seq_len']})")
    for ax in (ax_t, ax_h):
        ax.set_xticks(by_t["values"] if ax is ax_t else by_h["values"])
        ax.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())  # only the measured sizes
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return _save(fig, path)


def train_step(results: dict, path: Path) -> Path:
    """Train-step time of every variant relative to the Keras twin.

    Args:
        results: dict, benchmark results with a ``train_step`` section.
        path: Path, the PNG to write.

    Returns:
        The path written.
    """
    variants = {n: e for n, e in results["train_step"]["variants"].items() if "median_ms" in e}
    keras_ms = variants["keras"]["median_ms"]
    names = list(variants)
    values = [variants[n]["median_ms"] / keras_ms for n in names]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(names) + 1.2), constrained_layout=True)
    colors = ["tab:green" if v <= 1 else "tab:red" for v in values]
    ax.barh(names[::-1], values[::-1], color=colors[::-1])
    ax.axvline(1.0, color="black", linewidth=1)
    ax.set(xscale="log", xlabel="train-step time relative to keras.layers.LSTM (log scale, lower is faster)",
           title="Train step, B = 64, T = 25, H = 32")
    for y, v in enumerate(values[::-1]):
        ax.text(v, y, f" {v:.2f}×", va="center", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, path)


def pipelines(results: dict, path: Path) -> Path:
    """Samples per second of every data pipeline.

    Args:
        results: dict, benchmark results with a ``pipelines`` section.
        path: Path, the PNG to write.

    Returns:
        The path written.
    """
    through = results["pipelines"]["throughput"]
    names = list(through)
    values = [through[n]["samples_per_s"] for n in names]
    fig, ax = plt.subplots(figsize=(8, 3.2), constrained_layout=True)
    ax.barh(names[::-1], values[::-1], color="tab:blue")
    ax.set(xscale="log", xlabel="samples per second (log scale)", title="Data pipelines, T = 25, batches of 64")
    for y, v in enumerate(values[::-1]):
        ax.text(v, y, f" {v:,.0f}", va="center", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, path)


def time_to_accuracy(results: dict, path: Path) -> Path:
    """Validation accuracy against wall-clock seconds for each data path.

    Args:
        results: dict, benchmark results with a ``time_to_accuracy`` section.
        path: Path, the PNG to write.

    Returns:
        The path written.
    """
    a = results["time_to_accuracy"]
    fig, ax = plt.subplots(figsize=(7, 3.6), constrained_layout=True)
    for name, run in a["runs"].items():
        if run["curve"]:
            seconds, _, acc = zip(*run["curve"])
            ax.plot(seconds, acc, "o-", markersize=3, label=f"{name}: {run['seconds']:.1f} s")
    ax.axhline(a["target"], color="grey", linestyle="--", linewidth=1, label=f"target {a['target']}")
    ax.set(xlabel="seconds since the start (end to end)", ylabel="validation accuracy",
           title=f"Time to {a['target']} validation accuracy, T = {a['seq_len']}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, path)


def _save(fig: plt.Figure, path: Path) -> Path:
    """Write and close a figure."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


#: Figure file name -> (section it needs, drawing function).
FIGURES = {
    "train_step.png": ("train_step", train_step),
    "growth.png": ("growth", growth),
    "pipelines.png": ("pipelines", pipelines),
    "time_to_accuracy.png": ("time_to_accuracy", time_to_accuracy),
}


def draw_all(results: dict, folder: Path) -> list[Path]:
    """Draw every figure whose section is in ``results``.

    Args:
        results: dict, benchmark results.
        folder: Path, where the PNGs go.

    Returns:
        list of the written paths.
    """
    return [draw(results, folder / name) for name, (section, draw) in FIGURES.items() if section in results]


def replot_all(results_json: Path | None = None, out_dir: Path | None = None) -> list[Path]:
    """Re-draw the committed figures from the committed results (no training, no timing).

    Args:
        results_json: Path, the results file; default ``docs/assets/bench/results.json``.
        out_dir: Path or None, where to write the PNGs (default: next to the JSON;
            ``lstm-course figures --quick`` passes a temporary folder).

    Returns:
        list of the written PNG paths.
    """
    from course.bench.run import RESULTS_JSON

    results_json = results_json or RESULTS_JSON
    return draw_all(json.loads(results_json.read_text()), out_dir or results_json.parent)
