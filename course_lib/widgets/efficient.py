"""Widget experiment of notebooks/07_designing_efficient_cnns.ipynb: MobileNet v1 thinned and shrunk for a phone.

MobileNet v1 (Howard et al. 2017, arXiv:1704.04861) has two knobs. The *width
multiplier* alpha thins every layer: a layer with c channels in the 1.0 network
gets

    c(alpha) = max(8, floor(alpha c))

(the rule of the reference TF-slim code, ``depth = max(int(d * depth_multiplier),
min_depth)`` with ``min_depth = 8``); the 3 input channels and the 1000 classes
stay. The *resolution multiplier* rho is set through the input side r, rho = r / 224.
A pointwise layer costs M^2 C_in C_out MACs, so it scales as alpha^2 rho^2; a
depthwise layer (M^2 K^2 C) and the first convolution scale as alpha rho^2, the
dense layer (C_last x 1000) as alpha. Parameters do not depend on r.

`course_lib.architectures.mobilenet_v1_variant` builds the thinned network as
data (at alpha = 1 it is `architectures.mobilenet_v1()` with the input side r);
`efficient_costs` costs it with `course_lib.summary.summarize`
(exact formulas, nothing is run); `efficient_report` is the pure text of the
widget: MACs, parameters, float32 memory, the ratios to the 1.0-224 network
beside alpha^2 rho^2, and a verdict against a phone-sized budget. The budget is
illustrative: `PHONE_BUDGET` is about the cost of MobileNet V2 1.0-224 (300.8 M
MACs, torchvision's 0.301 "GFLOPS", ``architectures.published("mobilenet_v2")``)
and 5 M parameters (20 MB of float32 weights). `efficient_explorer` puts a width
and a resolution slider above the report. tests/test_widgets_efficient.py
checks the numbers against closed forms written in the test and against the
paper's Tables 6 and 7.
"""

from __future__ import annotations

import math
import operator
from functools import lru_cache

import ipywidgets as widgets

from course_lib.architectures import Flatten, ReLU
from course_lib.architectures.mobilenet import (
    V1_BLOCKS,
    V1_STEM_CHANNELS,
    mobilenet_v1_variant,
    thinned_channels,
)
from course_lib.summary import LayerRow, Summary, summarize
from course_lib.widgets.base import Explorer, int_slider

FLOAT32_BYTES = 4
"""Bytes per float32 element: every memory number of the report is for float32."""

BASE_RESOLUTION = 224
"""The input side r of the 1.0 network: rho = r / 224."""

BASE_CHANNELS: tuple[int, ...] = (V1_STEM_CHANNELS, *(out for _, out in V1_BLOCKS))
"""Output channels of the first convolution and of the 13 separable blocks at alpha = 1 (Table 1)."""

LIMITS = {"width_multiplier": (0.25, 1.5), "resolution": (96, 320)}
"""Allowed (lowest, highest) value of each argument of `efficient_report`: the sliders' ranges."""

WIDTH_STEP = 0.05
"""Step of the width-multiplier slider."""

RESOLUTION_STEP = 32
"""Step of the resolution slider: multiples of 32 keep every stride-2 halving exact."""

WIDTH_GRID: tuple[float, ...] = tuple(k / 20 for k in range(5, 31))
"""The width multipliers the slider offers: 0.25, 0.30, ..., 1.50."""

RESOLUTION_GRID: tuple[int, ...] = tuple(range(96, 321, 32))
"""The input sides the slider offers: 96, 128, ..., 320."""

PHONE_BUDGET = {"macs": 300_000_000, "params": 5_000_000}
"""An illustrative phone-sized budget (module docstring): at most 300 M MACs and 5 M parameters."""


# ---------------------------------------------------------------- argument checks


def _real(name: str, value: object, low: float, high: float) -> float:
    wanted = f"{name} must be a number between {low} and {high}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{wanted}, got {value!r}")
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{wanted}, got {value!r}")
    return float(value)


def _integer(name: str, value: object, low: int, high: int | None = None) -> int:
    wanted = (
        f"{name} must be an integer >= {low}"
        if high is None
        else f"{name} must be an integer between {low} and {high}"
    )
    if isinstance(value, bool):
        raise ValueError(f"{wanted}, got {value!r}")
    try:
        exact = operator.index(value)
    except TypeError:
        raise ValueError(f"{wanted}, got {value!r}") from None
    if exact < low or (high is not None and exact > high):
        raise ValueError(f"{wanted}, got {exact}")
    return int(exact)


# ---------------------------------------------------------------- costs


def _writes_new_map(row: LayerRow) -> bool:
    """False for an in-place ReLU and for the flatten (a view): they write no new feature map."""
    return not (isinstance(row.spec, ReLU) and row.spec.inplace) and not isinstance(row.spec, Flatten)


@lru_cache(maxsize=512)
def _summary(width_multiplier: float, resolution: int) -> Summary:
    return summarize(mobilenet_v1_variant(width_multiplier, resolution))


def efficient_costs(width_multiplier: float, resolution: int) -> dict[str, object]:
    """Exact counts of MobileNet v1 at width multiplier alpha and input side r (batch 1, float32).

    * ``macs``: MACs of the conv and dense layers (torchvision's and the paper's "mult-adds");
    * ``params``: parameters, batch-norm scale and shift included (folded into the convolutions
      for deployment, they are 2 per channel, 21,888 at alpha = 1);
    * ``parameter_bytes``: 4 params;
    * ``feature_map_bytes``: 4 x (the input + every map a layer writes): conv and BN
      outputs, the pooled vector and the logits; in-place ReLUs and the flatten write none.
      Training keeps them all for the backward pass;
    * ``peak_bytes``, ``peak_layer``: the largest input + output of one conv, pooling or dense
      layer (both alive while it runs), with BN and ReLU folded into the convolution before
      them, as deployment tools do: what inference needs at least for feature maps;
    * ``channels``: the 14 thinned channel counts (first conv, then the 13 pointwise layers);
    * ``macs_by_kind``: MACs of the ``first conv``, ``depthwise``, ``pointwise`` and ``dense`` layers.

    ValueError naming the argument for alpha or r outside `LIMITS`. Derived in
    notebooks/07_designing_efficient_cnns.ipynb.
    """
    alpha = _real("width_multiplier", width_multiplier, *LIMITS["width_multiplier"])
    resolution = _integer("resolution", resolution, *LIMITS["resolution"])
    summary = _summary(alpha, resolution)
    peak, peak_layer = max(
        (math.prod(row.input_shape) + row.activations, row.name)
        for row in summary.rows
        if row.layer_type in ("Conv2d", "AdaptiveAvgPool2d", "Linear")
    )
    maps = math.prod(summary.input_shape) + sum(
        row.activations for row in summary.rows if _writes_new_map(row)
    )
    kinds = {"first conv": 0, "depthwise": 0, "pointwise": 0, "dense": 0}
    for row in summary.rows:
        if row.layer_type == "Linear":
            kinds["dense"] += row.macs
        elif row.layer_type == "Conv2d":
            kind = (
                "first conv" if row.name.startswith("Conv2d_0") else row.name.split(".")[0].rsplit("_", 1)[1]
            )
            kinds[kind] += row.macs
    return {
        "macs": summary.macs,
        "params": summary.params,
        "parameter_bytes": FLOAT32_BYTES * summary.params,
        "feature_map_bytes": FLOAT32_BYTES * maps,
        "peak_bytes": FLOAT32_BYTES * peak,
        "peak_layer": peak_layer,
        "channels": tuple(thinned_channels(c, alpha) for c in BASE_CHANNELS),
        "macs_by_kind": kinds,
    }


def _fits(alpha: float, resolution: int, mac_budget: int, param_budget: int) -> bool:
    costs = efficient_costs(alpha, resolution)
    return costs["macs"] <= mac_budget and costs["params"] <= param_budget


def _mb(size: int) -> str:
    """Bytes in MB (10^6 bytes) with two decimals."""
    return f"{size / 1e6:.2f} MB"


def _budget_line(label: str, value: int, budget: int) -> str:
    share = value / budget
    verdict = "within budget" if value <= budget else f"OVER budget by {share - 1:.1%}"
    return f"  {label:<11} {value / 1e6:>8.2f} M of {budget / 1e6:g} M ({share:.0%}): {verdict}"


def efficient_report(
    width_multiplier: float = 1.0,
    resolution: int = BASE_RESOLUTION,
    mac_budget: int = PHONE_BUDGET["macs"],
    param_budget: int = PHONE_BUDGET["params"],
) -> str:
    """MACs, parameters and float32 memory of MobileNet v1 at (alpha, r), and a verdict against a budget.

    Counts from `efficient_costs`; the ratios to the 1.0-224 network are set beside the
    simple laws alpha^2 rho^2 (MACs), alpha^2 (parameters) and alpha rho^2 (feature maps),
    rho = r / 224. The verdict says whether MACs <= ``mac_budget`` and parameters <=
    ``param_budget`` (default `PHONE_BUDGET`, illustrative) and, on the slider grids, the
    largest width that fits at this resolution and the largest resolution that fits at
    this width. ValueError naming the argument for alpha or r outside `LIMITS` or a
    budget that is not a positive integer. Derived in notebooks/07_designing_efficient_cnns.ipynb.
    """
    alpha = _real("width_multiplier", width_multiplier, *LIMITS["width_multiplier"])
    resolution = _integer("resolution", resolution, *LIMITS["resolution"])
    mac_budget = _integer("mac_budget", mac_budget, 1)
    param_budget = _integer("param_budget", param_budget, 1)
    costs = efficient_costs(alpha, resolution)
    base = efficient_costs(1.0, BASE_RESOLUTION)
    rho = resolution / BASE_RESOLUTION
    channels = costs["channels"]
    rows = [
        ("MACs (conv + dense)", "macs", alpha**2 * rho**2, "alpha^2 rho^2"),
        ("parameters (with BN)", "params", alpha**2, "alpha^2"),
        ("feature maps (bytes)", "feature_map_bytes", alpha * rho**2, "alpha rho^2"),
    ]
    lines = [
        f"MobileNet v1, width multiplier alpha = {alpha:.2f}, input 3 x {resolution} x {resolution} "
        f"(rho = {resolution}/{BASE_RESOLUTION} = {rho:.3f}); batch 1, float32, MB = 10^6 bytes",
        f"channels max(8, floor(alpha c)): {' '.join(str(c) for c in channels)}; dense {channels[-1]} -> 1000",
        "",
        f"{'':<22} {'this network':>14} {'1.0-224':>14} {'ratio':>7}   simple law",
    ]
    for label, key, law, law_name in rows:
        value, reference = costs[key], base[key]
        lines.append(
            f"{label:<22} {value:>14,} {reference:>14,} {value / reference:>7.3f}   {law_name} = {law:.3f}"
        )
    kinds = costs["macs_by_kind"]
    default = (mac_budget, param_budget) == (PHONE_BUDGET["macs"], PHONE_BUDGET["params"])
    origin = "an illustrative phone-sized budget, about MobileNet V2 1.0-224" if default else "your budget"
    lines += [
        "  (feature maps: the input and every map a layer writes; in-place ReLUs write none)",
        "MACs by layer kind: "
        + ", ".join(f"{kind} {value / costs['macs']:.1%}" for kind, value in kinds.items()),
        "",
        "memory, float32",
        f"  parameters                   {_mb(costs['parameter_bytes']):>10}",
        f"  feature maps, all layers     {_mb(costs['feature_map_bytes']):>10}  (what training keeps)",
        f"  inference peak               {_mb(costs['peak_bytes']):>10}  (largest input + output of one "
        f"layer, BN and ReLU fused: {costs['peak_layer']})",
        "",
        f"budget ({mac_budget / 1e6:g} M MACs, {param_budget / 1e6:g} M parameters; {origin})",
        _budget_line("MACs", costs["macs"], mac_budget),
        _budget_line("parameters", costs["params"], param_budget),
    ]
    over = [
        name
        for name, key, budget in (("MACs", "macs", mac_budget), ("parameters", "params", param_budget))
        if costs[key] > budget
    ]
    verdict = "fits the budget" if not over else f"does NOT fit: too many {' and '.join(over)}"
    widths = [a for a in WIDTH_GRID if _fits(a, resolution, mac_budget, param_budget)]
    sides = [r for r in RESOLUTION_GRID if _fits(alpha, r, mac_budget, param_budget)]
    width_hint = f"widths up to {max(widths):.2f} fit" if widths else "no width on the slider fits"
    side_hint = f"inputs up to {max(sides)} fit" if sides else "no input side on the slider fits"
    lines += [
        f"verdict: {verdict}",
        f"  at input {resolution}: {width_hint}; at width {alpha:.2f}: {side_hint}",
    ]
    return "\n".join(lines)


def efficient_explorer(width_multiplier: float = 1.0, resolution: int = BASE_RESOLUTION) -> Explorer:
    """A width-multiplier slider (0.25 to 1.5, step 0.05) and a resolution slider (96 to 320, step 32)
    above `efficient_report`, recomputed when a slider is released (well under a second)."""
    low, high = LIMITS["width_multiplier"]
    alpha = _real("width_multiplier", width_multiplier, low, high)
    width = widgets.FloatSlider(
        value=alpha,
        min=low,
        max=high,
        step=WIDTH_STEP,
        readout_format=".2f",
        description="width_multiplier",
        continuous_update=False,
        style={"description_width": "initial"},
    )
    side = int_slider(
        "resolution",
        _integer("resolution", resolution, *LIMITS["resolution"]),
        *LIMITS["resolution"],
        RESOLUTION_STEP,
    )
    return Explorer(efficient_report, {"width_multiplier": width, "resolution": side})
