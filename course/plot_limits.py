"""Accuracy panels start at a fixed floor (0.4, 0.45) so full runs compare at a glance; lower it when data sits below.

A quick run trains on a few hundred sequences, and its accuracies (near 0.5, often below) sat
under that floor: its panels looked empty (issue 24). :func:`reveal_low_values` lowers the
bottom of every linear y axis of a figure to its lowest value drawn, rounded down to a
twentieth, and leaves axes whose data is all in view as they are: full runs' figures do not
change.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import PathCollection

#: The bottom is rounded down to a multiple of this.
STEP = 0.05


def lowest_value(ax: plt.Axes) -> float:
    """The lowest y value drawn on an axes as a value: lines (means, curves) and dots (seeds).

    The spread drawn around a mean (a band of one standard deviation, an error bar) does not
    count: it may reach below the floor without hiding a value.

    Args:
        ax: matplotlib Axes.

    Returns:
        float, ``inf`` when nothing finite is drawn.
    """
    values = [np.asarray(line.get_ydata(), dtype=float) for line in ax.get_lines()]
    values += [np.asarray(dots.get_offsets(), dtype=float).reshape(-1, 2)[:, 1] for dots in ax.collections
               if isinstance(dots, PathCollection)]
    finite = [v[np.isfinite(v)] for v in values]
    return min((float(v.min()) for v in finite if v.size), default=math.inf)


def reveal_low_values(fig: plt.Figure) -> None:
    """Lower each linear y axis's bottom to show its lowest value; change nothing else.

    Args:
        fig: matplotlib Figure, after everything is drawn and every limit set.
    """
    for ax in fig.axes:
        if ax.get_yscale() != "linear":
            continue
        bottom, top = ax.get_ylim()
        low = lowest_value(ax)
        if low < bottom:
            ax.set_ylim(round(math.floor(low / STEP) * STEP, 6), top)
