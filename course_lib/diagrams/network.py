"""A small MLP drawn by code: neurons per layer, the widths, and the cost of every layer's edges.

Layer k of an MLP with widths [n(0), ..., n(L)] (z = a W + b, then a = g(z))
costs, for a batch of B samples, B n(k-1) n(k) multiplies and as many adds (a
dot product of length n(k-1) has n(k-1) - 1 adds, the bias one more), so
B n(k-1) n(k) MACs = 2 B n(k-1) n(k) FLOPs, and B n(k) activations. The numbers
on the diagram come from `course_lib.complexity.dense.mlp_forward_costs_per_layer`.
Derived in notebooks/02_forward_propagation.ipynb.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from course_lib.complexity.dense import mlp_forward_cost, mlp_forward_costs_per_layer
from course_lib.plotting import COLORS
from course_lib.reports.base import new_figure
from course_lib.validation import parse_int_list, require_int

MAX_LAYERS = 6
"""Most layers L drawn (L + 1 columns of neurons)."""

MAX_WIDTH = 100_000
"""Largest width n(k); wide layers are drawn with a gap (at most `MAX_DRAWN` circles)."""

MAX_DRAWN = 8
"""Most circles drawn for one layer; a wider layer shows 7 of them and a vertical ellipsis."""

LABEL_POINTS = 48
"""Height, in points, kept under the neurons for the two lines under each layer and the footnote."""

LAYER_GAP = 3.0
"""Horizontal distance between two layers, in units of the vertical distance between two neurons."""


def _drawn_rows(width: int) -> tuple[np.ndarray, float | None]:
    """Heights of the circles drawn for a layer of ``width`` neurons, and of its ellipsis (None if none)."""
    if width <= MAX_DRAWN:
        return np.arange(width) - (width - 1) / 2, None
    slots = np.arange(MAX_DRAWN) - (MAX_DRAWN - 1) / 2  # one slot is the ellipsis
    gap = MAX_DRAWN // 2
    return np.delete(slots, gap), float(slots[gap])


def draw_network(widths: str | Sequence[int] = (4, 6, 5, 3), batch: int = 1) -> Figure:
    """The MLP with ``widths`` as circles per layer, with each layer's forward cost on its edges.

    Under layer k its width n(k) and its B n(k) activations; on the edges into
    layer k its B n(k-1) n(k) MACs (bias adds included) and 2 B n(k-1) n(k)
    FLOPs; the title gives the totals. ``widths`` is text ("4,6,5,3") or a
    sequence of 2 to 7 integers from 1 to 100,000; ``batch`` is B >= 1.
    """
    w = parse_int_list("widths", widths, low=1, high=MAX_WIDTH, min_len=2, max_len=MAX_LAYERS + 1)
    B = require_int("batch", batch, 1, 10**9)
    costs = mlp_forward_costs_per_layer(list(w), B)
    total = mlp_forward_cost(list(w), B)
    rows = [_drawn_rows(n) for n in w]
    half = (min(max(w), MAX_DRAWN) - 1) / 2

    fig, ax = new_figure(6.4, 4.0)
    xs = [LAYER_GAP * k for k in range(len(w))]
    for k in range(1, len(w)):  # the edges first, under the neurons
        for y0 in rows[k - 1][0]:
            for y1 in rows[k][0]:
                ax.plot([xs[k - 1], xs[k]], [y0, y1], color=COLORS["theory"], linewidth=0.5, alpha=0.45)
    # The y span holds the neurons (1 unit apart), 0.6 above and below them, and LABEL_POINTS of text
    # under them; about 230 of the figure's 288 points of height are the axes'.
    span = (2 * half + 1.2) / (1 - LABEL_POINTS / 230)
    points_per_unit = 230 / span
    size = (0.55 * min(points_per_unit, 30)) ** 2  # circles: scatter markers stay round whatever the aspect
    for k, (x, (ys, ellipsis)) in enumerate(zip(xs, rows, strict=True)):
        color = COLORS["parameters"] if k == 0 else COLORS["forward"]
        ax.scatter(
            np.full(len(ys), x), ys, s=size, color=color, edgecolor="white", zorder=3, gid=f"layer {k}"
        )
        if ellipsis is not None:
            ax.text(x, ellipsis, "⋮", ha="center", va="center", fontsize=14)
        under = "input" if k == 0 else f"{costs[k - 1].activations:,} activations"
        ax.text(x, -half - 0.6, f"n({k}) = {w[k]:,}\n{under}", ha="center", va="top", fontsize=9)
    for k, cost in enumerate(costs, start=1):
        label = f"{w[k - 1]:,} × {w[k]:,}" + (f" × {B:,}" if B > 1 else "")
        label += f"\n= {cost.macs:,} MACs\n{cost.flops:,} FLOPs"
        ax.text(
            (xs[k - 1] + xs[k]) / 2,
            0,
            label,
            ha="center",
            va="center",
            fontsize=9,
            zorder=4,
            bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": COLORS["forward"]},
            gid=f"cost {k}",
        )
    who = "one sample" if B == 1 else f"a batch of {B:,}"
    ax.set_title(
        f"Forward pass of the MLP {'-'.join(f'{n:,}' for n in w)}, {who}:\n"
        f"{total.macs:,} MACs = {total.flops:,} FLOPs, and {total.activations:,} activations",
        fontsize=10,
    )
    ax.text(
        0.5,
        0.0,
        "MAC = one multiply and one add; a neuron's bias add is the last add of its dot product",
        transform=ax.transAxes,
        ha="center",
        va="bottom",
        fontsize=8,
        color=COLORS["theory"],
    )
    ax.set_xlim(-1.2, xs[-1] + 1.2)
    ax.set_ylim(half + 0.6 - span, half + 0.6)
    ax.set_axis_off()
    return fig
