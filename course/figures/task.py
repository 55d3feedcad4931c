"""The figure the homework describes but does not draw: noise, its running integral, the target."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from course import task
from course.figures import implementation
from course.figures.style import NEGATIVE, POSITIVE, plt, save
from course.impl import load


def draw_task(out_dir: Path, seq_len: int | None = None, seed: int = 3) -> Path:
    """Draw three noise sequences, their running sums and the target at every step.

    The samples come from the reference ``integration_task`` with a fixed
    seed, so the figure shows exactly what the graded generator yields.

    Args:
        out_dir: Path, folder for ``task.png``.
        seq_len: int, T, time steps per sequence; None means the task's, :data:`course.task.SEQ_LEN`.
        seed: int, seed passed to ``integration_task``.

    Returns:
        The path of the PNG.
    """
    seq_len = task.SEQ_LEN if seq_len is None else seq_len
    data = load(implementation()).data
    samples = list(data.integration_task(seq_len, 3, seed=seed))
    steps = np.arange(1, seq_len + 1)

    fig, axes = plt.subplots(3, 3, figsize=(11, 6.2), sharex=True, sharey="row",
                             gridspec_kw={"height_ratios": [2, 2, 1]})
    for col, (noise, target) in enumerate(samples):
        x = noise[:, 0]  # (T,)
        running = np.cumsum(x)  # S_t = x_1 + ... + x_t
        per_step = (running > 0).astype(int)  # many-to-many target: sign of S_t at every t
        colour = POSITIVE if target[0] == 1 else NEGATIVE

        ax = axes[0, col]
        ax.bar(steps, x, color=np.where(x > 0, POSITIVE, NEGATIVE), alpha=0.7)
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_title(f"sample {col + 1}: final label y = {target[0]}", color=colour)

        ax = axes[1, col]
        ax.plot(steps, running, "o-", color="black", markersize=3)
        ax.fill_between(steps, running, 0, where=running > 0, color=POSITIVE, alpha=0.25, interpolate=True)
        ax.fill_between(steps, running, 0, where=running <= 0, color=NEGATIVE, alpha=0.25, interpolate=True)
        ax.axhline(0, color="black", linewidth=0.8)
        ax.text(0.03, 0.92, f"$S_T = {running[-1]:+.2f}$", transform=ax.transAxes, fontsize=10,
                va="top", bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8})

        ax = axes[2, col]
        ax.step(steps, per_step, where="mid", color="grey")
        ax.scatter(steps[:-1], per_step[:-1], s=12, color="grey", label="many-to-many target $1[S_t > 0]$ at every step")
        ax.scatter(steps[-1:], per_step[-1:], s=60, color=colour, zorder=3, label="many-to-one target: the label $y = 1[S_T > 0]$")
        ax.set_yticks([0, 1])
        ax.set_xlabel("time step t")
    axes[0, 0].set_ylabel("noise $x_t$")
    axes[1, 0].set_ylabel("running sum $S_t$")
    axes[2, 0].set_ylabel("target")
    handles, labels = axes[2, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=9, frameon=False, bbox_to_anchor=(0.5, -0.04))
    fig.suptitle(f"The integration task: three samples from integration_task(seq_len={seq_len}, seed={seed})")
    return save(fig, out_dir / "task.png")
