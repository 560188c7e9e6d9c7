"""Report of the experiment of notebooks/02_forward_propagation.ipynb: where a forward pass spends its work.

For an MLP with widths [n(0), ..., n(L)] and a batch of B samples, layer k
(z = a W + b, then a = g(z)) costs B n(k-1) n(k) multiplies (= MACs),
B n(k-1) n(k) adds (the bias add included), 2 B n(k-1) n(k) FLOPs and B n(k)
activations (`course_lib.complexity.dense.mlp_forward_costs_per_layer`).

The text lists every layer's counts and share of the FLOPs, the totals, the
cost per sample, the parameters and the biggest layer. The figure draws, per
layer, the multiplies of one sample beside those of the batch on a log axis
fixed over the whole control range: moving the batch lifts the batch's bars by
log10(B) while the one-sample bars stay, and the bars' pattern (which layer
dominates) never changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from course_lib.complexity.dense import mlp_forward_costs_per_layer, mlp_params
from course_lib.plotting import COLORS
from course_lib.reports.base import Report, drop_minor_ticks, new_figure
from course_lib.reports.format import format_count, format_tick
from course_lib.validation import parse_int_list, require_int

MAX_WIDTH = 2048
"""Largest width n(k)."""

MAX_LAYERS = 8
"""Most layers L (so at most L + 1 = 9 widths)."""

BATCH_RANGE = (1, 1024)
"""Range of the batch B."""

MULTIPLY_LIMITS = (0.5, 2e10)
"""Fixed range of the figure's y axis (2048 x 2048 x 1024 = 4.3e9 multiplies at most)."""


def checked(widths: str | Sequence[int], batch: int) -> tuple[tuple[int, ...], int]:
    """The widths (text like "784,256,10" or a sequence; 2 to 9 integers from 1 to 2048) and the batch."""
    w = parse_int_list("widths", widths, low=1, high=MAX_WIDTH, min_len=2, max_len=MAX_LAYERS + 1)
    return w, require_int("batch", batch, *BATCH_RANGE)


def text(widths: str | Sequence[int], batch: int) -> str:
    """Per-layer multiplies, adds, FLOPs, activations and FLOP shares, totals and per-sample cost, as text."""
    w, B = checked(widths, batch)
    costs = mlp_forward_costs_per_layer(list(w), B)
    total = sum(costs[1:], costs[0])
    biggest_k = max(range(len(costs)), key=lambda i: costs[i].flops) + 1  # first of the largest
    biggest = costs[biggest_k - 1].flops
    columns = ("multiplies", "adds", "FLOPs", "activations")
    values = [(c.multiplies, c.adds, c.flops, c.activations) for c in costs]
    totals = (total.multiplies, total.adds, total.flops, total.activations)
    col = [
        max(len(name), *(len(f"{row[i]:,}") for row in [*values, totals])) for i, name in enumerate(columns)
    ]
    shape_width = max(len(str(x)) for x in w)

    def numbers(row: tuple[int, ...]) -> str:
        return "  ".join(f"{value:>{col[i]},}" for i, value in enumerate(row))

    shape_head = "n(k-1) -> n(k)"
    shape_len = max(len(shape_head), 2 * shape_width + 4)
    plural = "s" if len(costs) > 1 else ""
    lines = [
        f"MLP {' -> '.join(map(str, w))}: {len(costs)} layer{plural}, batch B = {B}",
        "layer k: B n(k-1) n(k) multiplies and adds, B n(k) activations (course_lib.complexity.dense)",
        "",
        f"{'layer':>5}  {shape_head:>{shape_len}}  "
        + "  ".join(f"{name:>{col[i]}}" for i, name in enumerate(columns))
        + "   share",
    ]
    for k, (cost, row) in enumerate(zip(costs, values, strict=True), start=1):
        shape = f"{w[k - 1]:>{shape_width}} -> {w[k]:>{shape_width}}"
        lines.append(f"{k:>5}  {shape:>{shape_len}}  {numbers(row)}  {100 * cost.flops / total.flops:5.1f}%")
    lines += [
        f"{'total':>5}  {'':>{shape_len}}  {numbers(totals)}  100.0%",
        "",
        f"MACs = multiplies = {total.macs:,}; FLOPs = multiplies + adds = {total.flops:,}",
        f"per sample (divided by B = {B}): {total.flops // B:,} FLOPs, {total.activations // B:,} activations",
        f"parameters (weights + biases): {mlp_params(list(w)):,}",
        f"biggest layer: layer {biggest_k} ({w[biggest_k - 1]} -> {w[biggest_k]}), "
        f"{100 * biggest / total.flops:.1f}% of the FLOPs",
    ]
    return "\n".join(lines)


def figure(widths: str | Sequence[int], batch: int) -> Figure:
    """Per-layer bars of multiplies, one sample beside the batch, on a log axis fixed for every setting."""
    w, B = checked(widths, batch)
    one = [cost.multiplies for cost in mlp_forward_costs_per_layer(list(w), 1)]
    many = [cost.multiplies for cost in mlp_forward_costs_per_layer(list(w), B)]
    fig, ax = new_figure(6.4, 3.4)
    layers = np.arange(1, len(w))
    bar = 0.4
    ax.bar(layers - bar / 2, one, bar, color=COLORS["parameters"], label="one sample", gid="one sample")
    ax.bar(layers + bar / 2, many, bar, color=COLORS["forward"], label=f"batch of B = {B}", gid="batch")
    for x, value in zip(layers + bar / 2, many, strict=True):
        ax.annotate(
            format_count(value),
            (x, value),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            fontsize=7,
        )
    ax.set_xticks(layers, [f"{k}\n{w[k - 1]}->{w[k]}" for k in layers], fontsize=8 if len(layers) < 7 else 7)
    ax.set(
        yscale="log",
        ylim=MULTIPLY_LIMITS,
        xlim=(0.4, len(layers) + 0.6),
        xlabel="layer k and its widths n(k-1) -> n(k)",
        ylabel="multiplies (= MACs, count)",
    )
    ax.set_title(
        f"Batch of {B}: {format_count(sum(many))} multiplies; one sample: {format_count(sum(one))}",
        fontsize=10,
    )
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: format_tick(value)))
    ax.set_yticks([10.0**k for k in range(0, 11, 2)])
    ax.grid(axis="x", visible=False)
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=2, fontsize=8)
    drop_minor_ticks(ax)
    return fig


def report(widths: str | Sequence[int], batch: int) -> Report:
    """The forward cost of an MLP with ``widths`` on a batch of ``batch`` samples, layer by layer.

    ``widths``: text like "784,256,128,10" or a sequence of ints, 2 to `MAX_LAYERS` + 1
    of them, each 1 to `MAX_WIDTH`; ``batch``: 1 to 1024 (`BATCH_RANGE`). ValueError
    naming the argument otherwise. Text: `text`; figure: `figure`. Derived in
    notebooks/02_forward_propagation.ipynb.
    """
    return Report(text(widths, batch), figure(widths, batch))
