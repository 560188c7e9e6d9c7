"""Widget experiment of notebooks/03_backpropagation.ipynb: forward, backward and step costs of an MLP.

`backprop_report` is the pure part. For widths typed as text ("784,256,10")
and a batch of B samples it sets side by side, per layer k and in total, the
FLOPs (multiplies + adds + divides) of

* the forward pass, z = x W + b (2 B n(k-1) n(k) FLOPs; activations apart);
* the backward pass split into its parts: dz = da * g'(z) (B n(k)
  multiplies), dW = x^T dz (2 n(k-1) B n(k) - n(k-1) n(k)), db = the batch
  sum of dz ((B - 1) n(k)) and dx = dz W^T (2 B n(k) n(k-1) - B n(k-1), none
  in layer 1: the input needs no gradient);
* the SGD update (2 (n(k-1) n(k) + n(k))) and the step forward + backward + update;

then the mean-squared-error loss, the whole training step and the ratio
backward / forward, which tends to 2 - 1/L - 1/(2B) for L equal layers as
their width grows. The numbers come from `course_lib.complexity.dense` (exact
ints), so any setting in range reports in well under a millisecond; the tests
check them against closed forms and a counted `MLP` run. Derived in
notebooks/03_backpropagation.ipynb.

`backprop_explorer` wraps it: a text box for the widths and a batch slider;
bad input is shown in the panel instead of raising.
"""

from __future__ import annotations

from fractions import Fraction

import ipywidgets as widgets
import numpy as np

from course_lib.complexity import dense
from course_lib.complexity.cost import Cost
from course_lib.widgets.base import Explorer, int_slider

MAX_WIDTH = 2048
"""Largest width of any layer `backprop_report` accepts."""

MAX_LAYERS = 8
"""Largest number of dense layers L (so at most L + 1 = 9 widths)."""

MAX_BATCH = 1024
"""Largest batch size B (the explorer's slider runs 1..MAX_BATCH)."""

_WIDTHS_HELP = f"text such as '784,256,10': 2 to {MAX_LAYERS + 1} integers between 1 and {MAX_WIDTH}"


def parse_widths(widths: str) -> list[int]:
    """The widths [n(0), ..., n(L)] from text such as ``"784, 256, 10"``; ValueError naming ``widths``.

    Accepts 2 to ``MAX_LAYERS + 1`` comma-separated integers between 1 and
    `MAX_WIDTH` (spaces around them are ignored).
    """
    if not isinstance(widths, str):
        raise ValueError(f"widths must be {_WIDTHS_HELP}, got {widths!r}")
    parts = [part.strip() for part in widths.split(",")]
    if len(parts) < 2 or len(parts) > MAX_LAYERS + 1:
        raise ValueError(
            f"widths must be {_WIDTHS_HELP}, got {len(parts)} entr{'y' if len(parts) == 1 else 'ies'}"
        )
    values = []
    for i, part in enumerate(parts):
        if not part.isascii() or not part.isdigit():
            raise ValueError(f"widths must be {_WIDTHS_HELP}; entry {i} is {part!r}")
        value = int(part)
        if not 1 <= value <= MAX_WIDTH:
            raise ValueError(f"widths must be {_WIDTHS_HELP}; entry {i} is {value}")
        values.append(value)
    return values


def _check_batch(batch: object) -> int:
    if isinstance(batch, bool) or not isinstance(batch, int | np.integer):
        raise ValueError(f"batch must be an integer between 1 and {MAX_BATCH}, got {batch!r}")
    if not 1 <= batch <= MAX_BATCH:
        raise ValueError(f"batch must be an integer between 1 and {MAX_BATCH}, got {batch}")
    return int(batch)


def _ratio(numerator: int, denominator: int) -> str:
    return f"{float(Fraction(numerator, denominator)):.4f}"


def backprop_report(widths: str, batch: int) -> str:
    """Forward / backward (dz, dW, db, dx) / update / step FLOPs of an MLP, per layer and in total, as text.

    ``widths``: text "n(0),n(1),...,n(L)" (see `parse_widths`); ``batch``: B,
    1..`MAX_BATCH`. Costs from `course_lib.complexity.dense`: per layer k,
    forward 2 B n(k-1) n(k); dz B n(k); dW 2 B n(k-1) n(k) - n(k-1) n(k);
    db (B - 1) n(k); dx 2 B n(k-1) n(k) - B n(k-1) for k >= 2, 0 for k = 1;
    update 2 (n(k-1) n(k) + n(k)). Activation applications (B sum n(k) forward,
    as many g' backward) are listed apart, as the course's conventions say.
    Raises ValueError naming ``widths`` or ``batch`` for bad input. Derived in
    notebooks/03_backpropagation.ipynb.
    """
    w = parse_widths(widths)
    B = _check_batch(batch)
    n_layers = len(w) - 1
    rows: list[tuple[str, str, dict[str, int], str]] = []
    totals = {key: 0 for key in ("forward", "dz", "dW", "db", "dx", "backward", "update", "step")}
    for k in range(1, n_layers + 1):
        n_in, n_out = w[k - 1], w[k]
        parts = dense.dense_backward_costs(n_in, n_out, B, need_dx=k > 1)
        forward = dense.dense_forward_cost(n_in, n_out, B)
        dz = dense.activation_backward_cost(n_out, B)
        backward: Cost = dz + parts["dW"] + parts["db"] + parts["dx"]
        update = dense.sgd_update_cost(dense.dense_params(n_in, n_out))
        row = {
            "forward": forward.flops,
            "dz": dz.flops,
            "dW": parts["dW"].flops,
            "db": parts["db"].flops,
            "dx": parts["dx"].flops,
            "backward": backward.flops,
            "update": update.flops,
            "step": forward.flops + backward.flops + update.flops,
        }
        for key, value in row.items():
            totals[key] += value
        rows.append((str(k), f"{n_in} -> {n_out}", row, _ratio(row["backward"], row["forward"])))
    rows.append(("total", "", totals, _ratio(totals["backward"], totals["forward"])))

    forward_cost, backward_cost = dense.mlp_forward_cost(w, B), dense.mlp_backward_cost(w, B)
    loss = dense.mse_loss_cost(w[-1], B)
    step = dense.mlp_training_step_cost(w, B, "mse")
    activations = B * sum(w[1:])
    limit = 2 - Fraction(1, n_layers) - Fraction(1, 2 * B)

    keys = list(totals)
    column = {key: max(len(key), *(len(f"{row[key]:,}") for _, _, row, _ in rows)) for key in keys}
    shape_width = max(len("shape"), *(len(shape) for _, shape, _, _ in rows))
    header = f"{'layer':>5}  {'shape':<{shape_width}}" + "".join(f"  {key:>{column[key]}}" for key in keys)
    lines = [
        f"MLP {' -> '.join(map(str, w))}, batch B = {B}: L = {n_layers} layer{'s' if n_layers > 1 else ''}, "
        f"{dense.mlp_params(w):,} parameters",
        "FLOPs (multiplies + adds) per layer; backward = dz + dW + db + dx (layer 1 needs no dx);",
        "step = forward + backward + update (SGD)",
        "",
        header + "  bwd/fwd",
    ]
    for label, shape, row, ratio in rows:
        numbers = "".join(f"  {row[key]:>{column[key]},}" for key in keys)
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


def backprop_panel(widths: str, batch: int) -> str:
    """`backprop_report`, or the message of its ValueError (what the explorer shows for bad input)."""
    try:
        return backprop_report(widths, batch)
    except ValueError as error:
        return f"invalid input: {error}"


def backprop_explorer(widths: str = "784,256,10", batch: int = 64) -> Explorer:
    """A widths text box and a batch slider (1..`MAX_BATCH`) above the live `backprop_report`."""
    controls = {
        "widths": widgets.Text(
            value=widths,
            description="widths",
            continuous_update=False,
            style={"description_width": "initial"},
        ),
        "batch": int_slider("batch", batch, 1, MAX_BATCH),
    }
    return Explorer(backprop_panel, controls)
