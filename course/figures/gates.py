r"""Two figures for the gates chapter: the cell's wiring, and what its nonlinearities do.

The diagram is drawn with matplotlib patches (no image files to keep in sync):
the cell state runs along the top, the gates read ``[x_t, h_{t-1}]`` from the
bus at the bottom.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from course.figures.style import GATE_COLOURS, plt, save

_LINE = {"color": "#333333", "linewidth": 1.6}


def _arrow(ax: plt.Axes, start: tuple[float, float], end: tuple[float, float], **kwargs) -> None:
    """Draw an arrow from ``start`` to ``end``.

    Args:
        ax: matplotlib Axes to draw on.
        start: (x, y) of the tail.
        end: (x, y) of the head.
        **kwargs: passed on to ``FancyArrowPatch``.
    """
    style = {"arrowstyle": "-|>", "mutation_scale": 12, **_LINE, **kwargs}
    ax.add_patch(FancyArrowPatch(start, end, shrinkA=0, shrinkB=0, **style))


def _node(ax: plt.Axes, xy: tuple[float, float], symbol: str) -> None:
    """Draw a pointwise operation (a circle with ``symbol``) at ``xy``.

    Args:
        ax: matplotlib Axes to draw on.
        xy: (x, y) of the centre.
        symbol: str, the operation's label, e.g. ``"×"``.
    """
    ax.add_patch(Circle(xy, 0.28, facecolor="white", edgecolor="#333333", linewidth=1.6, zorder=3))
    ax.text(*xy, symbol, ha="center", va="center", fontsize=14, zorder=4)


def _gate(ax: plt.Axes, x: float, y: float, label: str, colour: str, name: str) -> None:
    """Draw one gate: a coloured box with its activation and its name.

    Args:
        ax: matplotlib Axes to draw on.
        x: float, centre of the box.
        y: float, centre of the box.
        label: str, the activation shown in the box (``σ`` or ``tanh``).
        colour: str, the box's colour.
        name: str, the gate's name and symbol, written in the box.
    """
    ax.add_patch(FancyBboxPatch((x - 0.6, y - 0.4), 1.2, 0.8, boxstyle="round,pad=0.05",
                                facecolor=colour, edgecolor="none", alpha=0.9, zorder=3))
    ax.text(x, y + 0.13, label, ha="center", va="center", color="white", fontsize=12, weight="bold", zorder=4)
    ax.text(x, y - 0.2, name, ha="center", va="center", color="white", fontsize=8.5, zorder=4)


def draw_cell_diagram(out_dir: Path) -> Path:
    """Draw the LSTM cell: four Dense gates on ``[x_t, h_{t-1}]`` and the cell-state highway.

    Args:
        out_dir: Path, folder for ``lstm-cell.png``.

    Returns:
        The path of the PNG.
    """
    fig, ax = plt.subplots(figsize=(10, 5.2))
    ax.set(xlim=(-0.4, 12.2), ylim=(-0.6, 6.0), aspect="equal")
    ax.axis("off")
    ax.add_patch(FancyBboxPatch((1.2, 0.5), 9.4, 5.0, boxstyle="round,pad=0.1",
                                facecolor="#f4f6fb", edgecolor="#9aa5c4", zorder=0))

    # The cell-state highway: c_{t-1} -> (x f_t) -> (+ i_t g_t) -> c_t
    top, bus = 5.0, 1.2
    forget_x, input_x, cand_x, output_x, out_x = 2.9, 4.6, 6.3, 8.0, 9.6
    gate_y, mix_y = 2.6, 3.9
    ax.text(0.1, top, "$c_{t-1}$", ha="center", va="center", fontsize=13)
    _arrow(ax, (0.5, top), (forget_x - 0.28, top))
    _node(ax, (forget_x, top), "×")
    _arrow(ax, (forget_x + 0.28, top), (cand_x - 0.28, top))
    _node(ax, (cand_x, top), "+")
    _arrow(ax, (cand_x + 0.28, top), (11.5, top))
    ax.text(11.85, top, "$c_t$", ha="center", va="center", fontsize=13)

    # The bus: [x_t, h_{t-1}] feeds every gate
    ax.text(0.1, bus, "$h_{t-1}$", ha="center", va="center", fontsize=13)
    ax.plot([0.5, output_x], [bus, bus], **_LINE)
    ax.text(2.0, -0.35, "$x_t$", ha="center", va="center", fontsize=13)
    _arrow(ax, (2.0, -0.1), (2.0, bus))
    ax.text(2.15, bus + 0.25, "concat", fontsize=8, color="#555555")

    gates = [
        (forget_x, "σ", GATE_COLOURS["forget"], "forget $f_t$"),
        (input_x, "σ", GATE_COLOURS["input"], "input $i_t$"),
        (cand_x, "tanh", GATE_COLOURS["candidate"], "candidate $g_t$"),
        (output_x, "σ", GATE_COLOURS["output"], "output $o_t$"),
    ]
    for x, label, colour, name in gates:
        ax.plot([x, x], [bus, gate_y - 0.45], **_LINE)
        _gate(ax, x, gate_y, label, colour, name)

    _arrow(ax, (forget_x, gate_y + 0.45), (forget_x, top - 0.28))  # f_t scales c_{t-1}
    _node(ax, (cand_x, mix_y), "×")  # i_t * g_t
    ax.plot([input_x, input_x], [gate_y + 0.45, mix_y], **_LINE)
    _arrow(ax, (input_x, mix_y), (cand_x - 0.28, mix_y))
    _arrow(ax, (cand_x, gate_y + 0.45), (cand_x, mix_y - 0.28))
    _arrow(ax, (cand_x, mix_y + 0.28), (cand_x, top - 0.28))

    # h_t = o_t * tanh(c_t)
    ax.plot([out_x, out_x], [top, 4.2], **_LINE)
    ax.add_patch(FancyBboxPatch((out_x - 0.4, 3.55), 0.8, 0.5, boxstyle="round,pad=0.04",
                                facecolor="white", edgecolor="#333333", zorder=3))
    ax.text(out_x, 3.8, "tanh", ha="center", va="center", fontsize=10, zorder=4)
    _arrow(ax, (out_x, 3.5), (out_x, gate_y + 0.28))
    _node(ax, (out_x, gate_y), "×")
    _arrow(ax, (output_x + 0.65, gate_y), (out_x - 0.28, gate_y))
    ax.plot([out_x, out_x], [gate_y - 0.28, bus], **_LINE)
    _arrow(ax, (out_x, bus), (11.5, bus))
    ax.text(11.85, bus, "$h_t$", ha="center", va="center", fontsize=13)

    ax.set_title("One LSTM step: four Dense gates read $[x_t, h_{t-1}]$; the cell state flows along the top",
                 fontsize=11)
    return save(fig, out_dir / "lstm-cell.png")


def draw_gate_activations(out_dir: Path) -> Path:
    """Plot sigmoid and tanh, and where a forget-gate bias of 0 or 1 puts the gate at the start.

    Args:
        out_dir: Path, folder for ``gate-activations.png``.

    Returns:
        The path of the PNG.
    """
    z = np.linspace(-6, 6, 400)
    sigmoid = 1 / (1 + np.exp(-z))
    fig, (ax_sig, ax_keep) = plt.subplots(1, 2, figsize=(10, 3.4), constrained_layout=True)
    ax_sig.plot(z, sigmoid, color=GATE_COLOURS["forget"], label=r"$\sigma(z)$: gates, in (0, 1)")
    ax_sig.plot(z, np.tanh(z), color=GATE_COLOURS["candidate"], label=r"$\tanh(z)$: candidate, in (-1, 1)")
    for bias, marker in ((0.0, "o"), (1.0, "s")):
        value = 1 / (1 + np.exp(-bias))
        ax_sig.plot([bias], [value], marker, color="black")
        ax_sig.annotate(f"$\\sigma({bias:.0f}) = {value:.2f}$", (bias, value),
                        xytext=(14, -16) if bias else (-78, 8), textcoords="offset points", fontsize=9)
    ax_sig.axhline(0, color="black", linewidth=0.6)
    ax_sig.set(xlabel="pre-activation $z$", title="Gate nonlinearities")
    ax_sig.legend(fontsize=8, loc="upper left")
    ax_sig.grid(alpha=0.3)

    # With a gate stuck at its initial value f, a memory decays as f ** steps.
    steps = np.arange(0, 26)
    for bias in (0.0, 1.0):
        f = 1 / (1 + np.exp(-bias))
        ax_keep.plot(steps, f ** steps, "o-", markersize=3, label=f"forget bias {bias:.0f}: $f \\approx {f:.2f}$")
    ax_keep.set(yscale="log", xlabel="steps since the memory was written",
                ylabel="$f^{\\,steps}$", title="Fraction of $c$ kept if $f_t$ stayed at its initial value")
    ax_keep.legend(fontsize=8)
    ax_keep.grid(alpha=0.3, which="both")
    return save(fig, out_dir / "gate-activations.png")
