"""One look for every figure: Agg backend, a readable size, no chart junk."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: figures are files
import matplotlib.pyplot as plt  # noqa: E402

#: Colours for the two classes and the gates, shared by every figure.
POSITIVE = "#1f77b4"
NEGATIVE = "#d62728"
GATE_COLOURS = {"input": "#2ca02c", "forget": "#d62728", "candidate": "#9467bd", "output": "#ff7f0e"}


def save(fig: plt.Figure, path: Path) -> Path:
    """Write ``fig`` to ``path`` (PNG at 130 dpi or SVG, by suffix) and close it.

    Args:
        fig: matplotlib Figure to save.
        path: Path, the output file; its folder is created if needed.

    Returns:
        ``path``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # metadata without a date keeps the file byte-identical between runs
    metadata = {"Date": None} if path.suffix == ".svg" else {"Software": None}
    # An opaque white background: the figures' dark text and lines then read the same on the
    # site's light and dark palettes (tests/site/test_site_reader.py checks every figure).
    fig.savefig(path, dpi=130, bbox_inches="tight", metadata=metadata, facecolor="white", transparent=False)
    plt.close(fig)
    return path
