"""The accuracy panels' floor comes down only for values drawn below it (course/plot_limits.py)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from course.plot_limits import reveal_low_values  # noqa: E402


def test_floor_moves_for_low_values_only() -> None:
    fig, (low, high, band, dots, log) = plt.subplots(1, 5)
    low.plot([0, 1], [0.23, 0.9])
    high.plot([0, 1], [0.55, 0.9])
    band.plot([0, 1], [0.55, 0.9])
    band.fill_between([0, 1], [0.1, 0.1], [0.9, 0.9])  # a spread, not a value
    dots.scatter([0, 1], [0.31, 0.8])
    log.plot([1, 2], [0.01, 4])
    log.set_yscale("log")
    for ax in (low, high, band, dots):
        ax.set_ylim(0.4, 1.0)
    log_limits = log.get_ylim()
    reveal_low_values(fig)
    assert low.get_ylim() == (0.2, 1.0)
    assert high.get_ylim() == band.get_ylim() == (0.4, 1.0)
    assert dots.get_ylim() == (0.3, 1.0)
    assert log.get_ylim() == log_limits
    plt.close(fig)
