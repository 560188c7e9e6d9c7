"""Widget experiment of notebooks/02_forward_propagation.ipynb: where a forward pass spends its arithmetic.

`forward_report` is the pure part. For an MLP with widths [n(0), ..., n(L)]
and a batch of B samples it lists, layer by layer, the cost of z = a W + b
followed by a = g(z):

* multiplies (= MACs) B n(k-1) n(k), adds B n(k-1) n(k) (the bias add
  included), FLOPs 2 B n(k-1) n(k), activations B n(k);
* a '#' bar proportional to the layer's FLOPs, its share of the total, the
  totals, the cost per sample and the share of the biggest layer.

The numbers come from `course_lib.complexity.dense.mlp_forward_costs_per_layer`
(exact integers, instant for every allowed size); tests/test_widgets_forward.py
checks them against counted runs of `course_lib.mlp.MLP.forward` and against
closed forms. The text is deterministic (no timings). `forward_panel` is the
same report but turns a ValueError into a message, so that a typo in the
explorer's text box shows a sentence instead of a traceback; `forward_explorer`
wraps it in a text box (widths) and a slider (batch).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Sequence

import ipywidgets as widgets

from course_lib.complexity.dense import mlp_forward_costs_per_layer, mlp_params
from course_lib.widgets.base import Explorer, int_slider

MAX_WIDTH = 2048
"""Largest width n(k) `forward_report` accepts."""

MAX_LAYERS = 8
"""Most layers L `forward_report` accepts (so at most L + 1 = 9 widths)."""

MAX_BATCH = 1024
"""Largest batch B; the explorer's slider runs from 1 to this."""

BAR_WIDTH = 40
"""Length in characters of the bar of the layer with the most FLOPs."""

_INTEGER = re.compile(r"[+-]?[0-9]+")


def _width(index: int, value: object, given: object) -> int:
    """One width, checked: an int in 1..MAX_WIDTH, or ValueError naming ``widths``."""
    if isinstance(value, str):
        if not _INTEGER.fullmatch(value):
            raise ValueError(
                f"widths must be whole numbers separated by commas, like '784,256,10'; "
                f"widths[{index}] is {value!r} in {given!r}"
            )
        value = int(value)
    if isinstance(value, bool):
        raise ValueError(f"widths[{index}] must be an integer, got {value!r}")
    try:
        exact = operator.index(value)
    except TypeError:
        raise ValueError(f"widths[{index}] must be an integer, got {value!r}") from None
    if not 1 <= exact <= MAX_WIDTH:
        raise ValueError(f"widths[{index}] must be between 1 and {MAX_WIDTH}, got {exact}")
    return int(exact)


def parse_widths(widths: str | Sequence[int]) -> tuple[int, ...]:
    """Widths [n(0), ..., n(L)] from text like ``"784,256,128,10"`` (commas and/or spaces) or a sequence.

    Every width must be an integer from 1 to `MAX_WIDTH`, and there must be 2 to
    `MAX_LAYERS` + 1 of them (1 to `MAX_LAYERS` layers). Anything else raises
    ValueError naming ``widths`` and saying what was expected and what came.
    """
    given = widths
    if isinstance(widths, str):
        entries: Sequence[object] = widths.replace(",", " ").split()
        if not entries:
            raise ValueError(
                f"widths is empty; give at least 2 whole numbers like '784,256,10', got {given!r}"
            )
    elif isinstance(widths, bytes) or not isinstance(widths, Sequence):
        raise ValueError(f"widths must be text like '784,256,10' or a sequence of integers, got {given!r}")
    else:
        entries = widths
    parsed = tuple(_width(i, value, given) for i, value in enumerate(entries))
    if not 2 <= len(parsed) <= MAX_LAYERS + 1:
        raise ValueError(
            f"widths must list 2 to {MAX_LAYERS + 1} sizes (input, hidden layers, output: "
            f"1 to {MAX_LAYERS} layers), got {len(parsed)}: {given!r}"
        )
    return parsed


def _batch(batch: object) -> int:
    if isinstance(batch, bool):
        raise ValueError(f"batch must be an integer between 1 and {MAX_BATCH}, got {batch!r}")
    try:
        exact = operator.index(batch)
    except TypeError:
        raise ValueError(f"batch must be an integer between 1 and {MAX_BATCH}, got {batch!r}") from None
    if not 1 <= exact <= MAX_BATCH:
        raise ValueError(f"batch must be an integer between 1 and {MAX_BATCH}, got {exact}")
    return int(exact)


def bar_length(flops: int, biggest: int) -> int:
    """Characters of a layer's bar: round(`BAR_WIDTH` * flops / biggest), half up, at least 1.

    Exact integer arithmetic, so the bars never depend on float rounding; every
    layer gets at least one '#' so that none disappears from the chart.
    """
    return max(1, (2 * BAR_WIDTH * flops + biggest) // (2 * biggest))


def forward_report(widths: str | Sequence[int], batch: int) -> str:
    """The forward cost of an MLP with ``widths`` on a batch of ``batch`` samples, layer by layer, as text.

    Layer k (n(k-1) -> n(k)) costs B n(k-1) n(k) multiplies (= MACs),
    B n(k-1) n(k) adds (bias included), 2 B n(k-1) n(k) FLOPs and B n(k)
    activations; the report adds a '#' bar per layer proportional to its FLOPs
    (see `bar_length`), each layer's share of the FLOPs, the totals, the cost
    per sample, the parameters sum_k (n(k-1) n(k) + n(k)) and the biggest
    layer's share. Derived in notebooks/02_forward_propagation.ipynb.
    ``widths``: text like "784,256,128,10" or a sequence of ints, each 1 to
    `MAX_WIDTH`, 1 to `MAX_LAYERS` layers; ``batch``: 1 to `MAX_BATCH`.
    Raises ValueError naming the argument otherwise.
    """
    w = parse_widths(widths)
    B = _batch(batch)
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
        + "   share  FLOPs bar",
    ]
    for k, (cost, row) in enumerate(zip(costs, values, strict=True), start=1):
        shape = f"{w[k - 1]:>{shape_width}} -> {w[k]:>{shape_width}}"
        share = 100 * cost.flops / total.flops
        lines.append(
            f"{k:>5}  {shape:>{shape_len}}  {numbers(row)}  {share:5.1f}%  {'#' * bar_length(cost.flops, biggest)}"
        )
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


def forward_panel(widths: str | Sequence[int], batch: int) -> str:
    """`forward_report`, or for bad input the line ``"invalid input: <message>"`` instead of an exception.

    The explorer shows this, so a typo in the widths box gives a sentence to act on.
    """
    try:
        return forward_report(widths, batch)
    except ValueError as error:
        return f"invalid input: {error}"


def forward_explorer(widths: str = "784,256,128,10", batch: int = 64) -> Explorer:
    """A text box for the widths (applied on Enter or leaving the box) and a batch slider 1..`MAX_BATCH`."""
    text = widgets.Text(
        value=widths,
        description="widths",
        placeholder="784,256,128,10",
        continuous_update=False,
        style={"description_width": "initial"},
    )
    return Explorer(forward_panel, {"widths": text, "batch": int_slider("batch", batch, 1, MAX_BATCH)})
