"""Report of the experiment of notebooks/03_backpropagation.ipynb: forward, backward and step costs of an MLP.

For widths [n(0), ..., n(L)] and a batch of B samples the text sets side by
side, per layer k and in total, the FLOPs (multiplies + adds + divides) of

* the forward pass, z = x W + b: 2 B n(k-1) n(k) (activations apart);
* the backward pass split into its parts: dz = da * g'(z) (B n(k)
  multiplies), dW = x^T dz (2 n(k-1) B n(k) - n(k-1) n(k)), db = the batch sum
  of dz ((B - 1) n(k)) and dx = dz W^T (2 B n(k) n(k-1) - B n(k-1); none in
  layer 1: the input needs no gradient);
* the SGD update (2 (n(k-1) n(k) + n(k))) and the step forward + backward + update;

then the mean-squared-error loss, the whole training step and the ratio
backward / forward, which tends to 2 - 1/L - 1/(2B) for L equal layers as their
width grows. All counts come from `course_lib.complexity.dense` (exact ints).

The figure: left, per layer, the forward bar beside the backward bar split into
dW, dx and the small rest (dz + db), in FLOPs per sample on an axis fixed for
the typed widths (so moving the batch shows dW growing from n(k-1) n(k) at
B = 1 towards twice that); right, backward / forward of the whole network
against the batch, the chosen B marked, with 2 - 1/L - 1/(2B) dashed.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FormatStrFormatter, FuncFormatter

from course_lib.complexity import dense
from course_lib.plotting import COLORS
from course_lib.reports.base import Report, drop_minor_ticks, new_figure
from course_lib.reports.format import format_tick
from course_lib.validation import parse_int_list, require_int

MAX_WIDTH = 2048
"""Largest width of any layer."""

MAX_LAYERS = 8
"""Largest number of dense layers L (so at most L + 1 = 9 widths)."""

BATCH_RANGE = (1, 1024)
"""Range of the batch B."""

COLUMNS = ("forward", "dz", "dW", "db", "dx", "backward", "update", "step")
"""The per-layer FLOP counts of the text's table, in order."""

RATIO_LIMITS = (0.0, 2.2)
"""Fixed y range of the ratio panel (backward / forward stays below 2)."""

RATIO_BATCHES = np.unique(np.geomspace(1, BATCH_RANGE[1], 60).round().astype(int))
"""Batches at which the ratio curve is evaluated (log-spaced from 1 to 1024)."""


def checked(widths: str | Sequence[int], batch: int) -> tuple[tuple[int, ...], int]:
    """The widths (text like "784,256,10" or a sequence; 2 to 9 integers from 1 to 2048) and the batch."""
    w = parse_int_list("widths", widths, low=1, high=MAX_WIDTH, min_len=2, max_len=MAX_LAYERS + 1)
    return w, require_int("batch", batch, *BATCH_RANGE)


def layer_flops(widths: tuple[int, ...], batch: int) -> list[dict[str, int]]:
    """Per layer, the FLOPs of every column of `COLUMNS` (from `course_lib.complexity.dense`)."""
    rows = []
    for k in range(1, len(widths)):
        n_in, n_out = widths[k - 1], widths[k]
        parts = dense.dense_backward_costs(n_in, n_out, batch, need_dx=k > 1)
        row = {
            "forward": dense.dense_forward_cost(n_in, n_out, batch).flops,
            "dz": dense.activation_backward_cost(n_out, batch).flops,
            "dW": parts["dW"].flops,
            "db": parts["db"].flops,
            "dx": parts["dx"].flops,
            "update": dense.sgd_update_cost(dense.dense_params(n_in, n_out)).flops,
        }
        row["backward"] = row["dz"] + row["dW"] + row["db"] + row["dx"]
        row["step"] = row["forward"] + row["backward"] + row["update"]
        rows.append({key: row[key] for key in COLUMNS})
    return rows


def _ratio(numerator: int, denominator: int) -> str:
    return f"{float(Fraction(numerator, denominator)):.4f}"


def text(widths: str | Sequence[int], batch: int) -> str:
    """Forward / backward (dz, dW, db, dx) / update / step FLOPs per layer and in total, as text."""
    w, B = checked(widths, batch)
    n_layers = len(w) - 1
    per_layer = layer_flops(w, B)
    totals = {key: sum(row[key] for row in per_layer) for key in COLUMNS}
    rows = [
        (str(k), f"{w[k - 1]} -> {w[k]}", row, _ratio(row["backward"], row["forward"]))
        for k, row in enumerate(per_layer, start=1)
    ]
    rows.append(("total", "", totals, _ratio(totals["backward"], totals["forward"])))
    forward_cost, backward_cost = dense.mlp_forward_cost(w, B), dense.mlp_backward_cost(w, B)
    loss = dense.mse_loss_cost(w[-1], B)
    step = dense.mlp_training_step_cost(w, B, "mse")
    activations = B * sum(w[1:])
    limit = 2 - Fraction(1, n_layers) - Fraction(1, 2 * B)
    column = {key: max(len(key), *(len(f"{row[key]:,}") for _, _, row, _ in rows)) for key in COLUMNS}
    shape_width = max(len("shape"), *(len(shape) for _, shape, _, _ in rows))
    header = f"{'layer':>5}  {'shape':<{shape_width}}" + "".join(f"  {key:>{column[key]}}" for key in COLUMNS)
    lines = [
        f"MLP {' -> '.join(map(str, w))}, batch B = {B}: L = {n_layers} layer{'s' if n_layers > 1 else ''}, "
        f"{dense.mlp_params(w):,} parameters",
        "FLOPs (multiplies + adds) per layer; backward = dz + dW + db + dx (layer 1 needs no dx);",
        "step = forward + backward + update (SGD)",
        "",
        header + "  bwd/fwd",
    ]
    for label, shape, row, ratio in rows:
        numbers = "".join(f"  {row[key]:>{column[key]},}" for key in COLUMNS)
        lines.append(f"{label:>5}  {shape:<{shape_width}}{numbers}  {ratio:>7}")
    lines += [
        "",
        f"activation applications (not FLOPs): forward g {activations:,}, backward g' {activations:,}",
        f"loss (mean squared error on the {w[-1]} outputs) and its gradient: {loss.flops:,} FLOPs",
        f"training step = forward + loss + backward + update: {step.flops:,} FLOPs",
        "",
        f"backward / forward = {_ratio(backward_cost.flops, forward_cost.flops)} in FLOPs, "
        f"{_ratio(backward_cost.total, forward_cost.total)} counting activations too",
        f"(L equal layers tend to 2 - 1/L - 1/(2B) = {float(limit):.4f} as their width grows)",
    ]
    return "\n".join(lines)


def figure(widths: str | Sequence[int], batch: int) -> Figure:
    """Forward vs backward (dW, dx, dz + db) bars per layer, per sample; backward / forward against the batch."""
    w, B = checked(widths, batch)
    n_layers = len(w) - 1
    rows = layer_flops(w, B)
    widest = layer_flops(w, BATCH_RANGE[1])
    top = 1.15 * max(max(row["forward"], row["backward"]) for row in widest) / BATCH_RANGE[1]
    fig, (bars, ratio) = new_figure(7.2, 3.5, ncols=2, width_ratios=(3, 2))
    layers = np.arange(1, n_layers + 1)
    width = 0.38
    forward = np.array([row["forward"] for row in rows]) / B
    dW = np.array([row["dW"] for row in rows]) / B
    dx = np.array([row["dx"] for row in rows]) / B
    rest = np.array([row["dz"] + row["db"] for row in rows]) / B
    bars.bar(layers - width / 2, forward, width, color=COLORS["forward"], label="forward", gid="forward")
    right = layers + width / 2
    bars.bar(right, dW, width, color=COLORS["backward"], label="backward: dW", gid="dW")
    bars.bar(right, dx, width, bottom=dW, color=COLORS["gradient"], label="backward: dx", gid="dx")
    bars.bar(
        right, rest, width, bottom=dW + dx, color=COLORS["theory"], label="backward: dz + db", gid="dz + db"
    )
    bars.set_xticks(layers, [f"{k}\n{w[k - 1]}->{w[k]}" for k in layers], fontsize=8 if n_layers < 6 else 6)
    bars.set(
        ylim=(0, top),
        xlim=(0.4, n_layers + 0.6),
        xlabel="layer k and its widths",
        ylabel="FLOPs per sample (count / B)",
        title=f"Forward vs backward per layer, B = {B}",
    )
    bars.yaxis.set_major_formatter(FuncFormatter(lambda value, _: format_tick(value)))
    bars.grid(axis="x", visible=False)
    bars.legend(fontsize=7, loc="upper right")

    curve = [float(dense.backward_forward_ratio(w, int(b))) for b in RATIO_BATCHES]
    ratio.plot(RATIO_BATCHES, curve, color=COLORS["backward"], label="this network", gid="ratio")
    limit = 2 - 1 / n_layers - 1 / (2 * RATIO_BATCHES)
    ratio.plot(RATIO_BATCHES, limit, "--", color=COLORS["theory"], label="2 - 1/L - 1/(2B)", gid="limit")
    chosen = float(dense.backward_forward_ratio(w, B))
    ratio.plot([B], [chosen], "o", color=COLORS["backward"], markersize=8, gid="chosen ratio")
    ratio.annotate(
        f"{chosen:.3f}", (B, chosen), xytext=(0, -14), textcoords="offset points", ha="center", fontsize=8
    )
    ratio.set(
        xscale="log",
        xlim=BATCH_RANGE,
        ylim=RATIO_LIMITS,
        xlabel="batch B",
        ylabel="backward / forward (FLOPs, times)",
        title="Backward / forward, all layers",
    )
    ratio.xaxis.set_major_formatter(FormatStrFormatter("%g"))
    ratio.legend(fontsize=7, loc="lower right")
    drop_minor_ticks(ratio)
    return fig


def report(widths: str | Sequence[int], batch: int) -> Report:
    """Forward, backward (dz, dW, db, dx), update and step FLOPs of an MLP on a batch, and their picture.

    ``widths``: text like "784,256,10" or a sequence, 2 to `MAX_LAYERS` + 1 integers
    from 1 to `MAX_WIDTH`; ``batch``: 1 to 1024 (`BATCH_RANGE`). ValueError naming
    the argument otherwise. Text: `text`; figure: `figure`. Derived in
    notebooks/03_backpropagation.ipynb.
    """
    return Report(text(widths, batch), figure(widths, batch))
