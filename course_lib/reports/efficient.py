"""Report of notebooks/07_designing_efficient_cnns.ipynb: MobileNet v1 thinned and shrunk for a phone.

MobileNet v1 (Howard et al. 2017, arXiv:1704.04861) has two knobs. The *width
multiplier* alpha thins every layer: a layer with c channels in the 1.0 network
gets c(alpha) = max(8, floor(alpha c)) (`architectures.mobilenet.thinned_channels`);
the 3 input channels and the 1000 classes stay. The *resolution multiplier* rho is
set through the input side r, rho = r / 224. A pointwise layer costs M^2 C_in C_out
MACs, so it scales as alpha^2 rho^2; a depthwise layer (M^2 K^2 C) and the first
convolution as alpha rho^2, the dense layer (C_last x 1000) as alpha. Parameters do
not depend on r.

`costs` prices the network at (alpha, r) with `course_lib.summary.summarize`
(exact formulas, nothing is run; memory from `Summary.memory`). `design_costs`
prices the same network with its 13 separable blocks built four ways (`DESIGNS`):
a standard 3 x 3 convolution (the paper's "Conv MobileNet", Table 4), a 1 x 1
bottleneck to C_in / 4 channels before the 3 x 3 convolution (section 2 of the
notebook), a grouped 3 x 3 convolution, and MobileNet's depthwise separable block.
`report` gives the text (counts, the ratios to the 1.0-224 network beside
alpha^2 rho^2, float32 memory, the four designs, a verdict against a phone-sized
budget) and the figure: MACs and parameters of the four designs as bars on log
axes fixed over the sliders' ranges, with the budget as a line. The budget is
illustrative: `PHONE_BUDGET` is about the cost of MobileNet V2 1.0-224 (300.8 M
MACs, torchvision's 0.301 "GFLOPS") and 5 M parameters (20 MB of float32 weights).
"""

from __future__ import annotations

import itertools
from functools import lru_cache
from typing import TypedDict

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from course_lib.architectures import (
    AdaptiveAvgPool2d,
    BatchNorm2d,
    Conv2d,
    Flatten,
    Layer,
    Linear,
    Network,
    ReLU,
    Sequential,
)
from course_lib.architectures.mobilenet import (
    V1_BLOCKS,
    V1_STEM_CHANNELS,
    mobilenet_v1_variant,
    thinned_channels,
)
from course_lib.plotting import COLORS
from course_lib.reports.base import Report, new_figure
from course_lib.reports.format import format_bytes, format_count, format_tick
from course_lib.summary import LayerRow, Summary, summarize
from course_lib.validation import require_int, require_real

DTYPE = "float32"
"""The dtype of every memory number of the report."""

BASE_RESOLUTION = 224
"""The input side r of the 1.0 network: rho = r / 224."""

BASE_CHANNELS: tuple[int, ...] = (V1_STEM_CHANNELS, *(out for _, out in V1_BLOCKS))
"""Output channels of the first convolution and of the 13 separable blocks at alpha = 1 (Table 1)."""


class Limits(TypedDict):
    """The (lowest, highest) value of each control."""

    width_multiplier: tuple[float, float]
    resolution: tuple[int, int]


LIMITS: Limits = {"width_multiplier": (0.25, 1.5), "resolution": (96, 320)}
"""Allowed (lowest, highest) value of each control: the sliders' ranges."""

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

DESIGNS = {
    "standard": "standard 3x3",
    "bottleneck": "1x1 to C/4, 3x3",
    "grouped": "grouped 3x3",
    "separable": "separable (MobileNet)",
}
"""How each of the 13 blocks is built (block from C_in to C_out channels, stride s):

* ``standard``: one 3 x 3 convolution C_in -> C_out, stride s;
* ``bottleneck``: a 1 x 1 convolution C_in -> R = max(1, floor(C_in / 4)), then a 3 x 3
  convolution R -> C_out, stride s;
* ``grouped``: one 3 x 3 convolution C_in -> C_out with G groups, stride s, G the largest of
  8, 4, 2, 1 that divides both C_in and C_out (`groups`);
* ``separable``: MobileNet's 3 x 3 depthwise convolution (G = C_in), stride s, then a 1 x 1
  convolution C_in -> C_out.

Every convolution is followed by batch norm and an in-place ReLU; the first convolution, the
pooling and the dense layer are MobileNet's."""

MAX_GROUPS = 8
"""The grouped design uses up to this many groups."""


def _checked(width_multiplier: object, resolution: object) -> tuple[float, int]:
    alpha = require_real("width_multiplier", width_multiplier, *LIMITS["width_multiplier"])
    return alpha, require_int("resolution", resolution, *LIMITS["resolution"])


def groups(c_in: int, c_out: int) -> int:
    """The groups of the grouped design: the largest of 8, 4, 2, 1 dividing both channel counts."""
    return next(g for g in (MAX_GROUPS, 4, 2, 1) if c_in % g == 0 and c_out % g == 0)


def _conv(name: str, c_in: int, c_out: int, kernel: int, stride: int = 1, groups_: int = 1) -> Sequential:
    """Conv (no bias) + BN + in-place ReLU, as in MobileNet."""
    return Sequential(
        name,
        (
            Conv2d(
                c_out,
                kernel,
                stride=stride,
                padding=kernel // 2,
                groups=groups_,
                bias=False,
                in_channels=c_in,
                name=f"{name}.conv",
            ),
            BatchNorm2d(name=f"{name}.bn"),
            ReLU(inplace=True, name=f"{name}.relu"),
        ),
    )


def _block(design: str, index: int, c_in: int, c_out: int, stride: int) -> tuple[Layer, ...]:
    name = f"Conv2d_{index}"
    if design == "standard":
        return (_conv(name, c_in, c_out, 3, stride),)
    if design == "bottleneck":
        reduced = max(1, c_in // 4)
        return (_conv(f"{name}_reduce", c_in, reduced, 1), _conv(name, reduced, c_out, 3, stride))
    return (_conv(name, c_in, c_out, 3, stride, groups(c_in, c_out)),)


def variant(width_multiplier: float, resolution: int, design: str) -> Network:
    """MobileNet v1 at (alpha, r) with its 13 blocks built as ``design`` (a key of `DESIGNS`).

    ``"separable"`` is `architectures.mobilenet.mobilenet_v1_variant` itself.
    """
    alpha, resolution = _checked(width_multiplier, resolution)
    if design not in DESIGNS:
        raise ValueError(f"design must be one of {', '.join(DESIGNS)}; got {design!r}")
    if design == "separable":
        return mobilenet_v1_variant(alpha, resolution)
    channels = [thinned_channels(c, alpha) for c in BASE_CHANNELS]
    layers: list[Layer] = [_conv("Conv2d_0", 3, channels[0], 3, 2)]
    for index, ((stride, _), (c_in, c_out)) in enumerate(
        zip(V1_BLOCKS, itertools.pairwise(channels), strict=True), start=1
    ):
        layers += _block(design, index, c_in, c_out, stride)
    layers += [
        AdaptiveAvgPool2d((1, 1), name="avgpool"),
        Flatten(name="flatten"),
        Linear(1000, in_features=channels[-1], name="fc"),
    ]
    return Network(
        name=f"mobilenet_v1_{design}",
        input_shape=(3, resolution, resolution),
        layers=tuple(layers),
        num_classes=1000,
        description=f"MobileNet v1 {alpha:.2f}-{resolution}, blocks: {DESIGNS[design]}",
    )


@lru_cache(maxsize=1024)
def _summary(width_multiplier: float, resolution: int, design: str = "separable") -> Summary:
    return summarize(variant(width_multiplier, resolution, design))


def _kind(row: LayerRow) -> str | None:
    """first conv, depthwise, pointwise or dense, from the layer spec; None for the other layers."""
    spec = row.spec
    if isinstance(spec, Linear):
        return "dense"
    if not isinstance(spec, Conv2d):
        return None
    if spec.groups > 1:
        return "depthwise"
    return "pointwise" if spec.kernel == (1, 1) else "first conv"


class Costs(TypedDict):
    """What `costs` returns (its docstring says what each entry is)."""

    macs: int
    params: int
    parameter_bytes: int
    feature_map_bytes: int
    peak_bytes: int
    peak_layer: str
    channels: tuple[int, ...]
    macs_by_kind: dict[str, int]


def costs(width_multiplier: float, resolution: int) -> Costs:
    """Exact counts of MobileNet v1 at width multiplier alpha and input side r (batch 1, float32).

    * ``macs``: MACs of the conv and dense layers (torchvision's and the paper's "mult-adds");
    * ``params``: parameters, batch-norm scale and shift included;
    * ``parameter_bytes``, ``feature_map_bytes`` (the input and every map a layer writes: what
      training keeps), ``peak_bytes`` and ``peak_layer`` (the largest input + output of one layer,
      BN and ReLU fused: what inference needs at least), from `Summary.memory`;
    * ``channels``: the 14 thinned channel counts (first conv, then the 13 pointwise layers);
    * ``macs_by_kind``: MACs of the ``first conv``, ``depthwise``, ``pointwise`` and ``dense`` layers.

    ValueError naming the argument for alpha or r outside `LIMITS`. Derived in
    notebooks/07_designing_efficient_cnns.ipynb.
    """
    alpha, resolution = _checked(width_multiplier, resolution)
    summary = _summary(alpha, resolution)
    memory = summary.memory(DTYPE)
    kinds = {"first conv": 0, "depthwise": 0, "pointwise": 0, "dense": 0}
    for row in summary.rows:
        kind = _kind(row)
        if kind is not None:
            kinds[kind] += row.macs
    return {
        "macs": summary.macs,
        "params": summary.params,
        "parameter_bytes": memory["parameters"],
        "feature_map_bytes": memory["saved_activations"],
        "peak_bytes": memory["inference_peak"],
        "peak_layer": summary.inference_peak()[1],
        "channels": tuple(thinned_channels(c, alpha) for c in BASE_CHANNELS),
        "macs_by_kind": kinds,
    }


def design_costs(width_multiplier: float, resolution: int) -> dict[str, dict[str, int]]:
    """``{design: {"macs": ..., "params": ...}}`` of the network at (alpha, r) built each way of `DESIGNS`."""
    alpha, resolution = _checked(width_multiplier, resolution)
    return {
        design: {
            "macs": _summary(alpha, resolution, design).macs,
            "params": _summary(alpha, resolution, design).params,
        }
        for design in DESIGNS
    }


def _fits(alpha: float, resolution: int, mac_budget: int, param_budget: int) -> bool:
    summary = _summary(alpha, resolution)
    return summary.macs <= mac_budget and summary.params <= param_budget


def _budget_line(label: str, value: int, budget: int) -> str:
    share = value / budget
    verdict = "within budget" if value <= budget else f"OVER budget by {share - 1:.1%}"
    return f"  {label:<11} {value / 1e6:>8.2f} M of {budget / 1e6:g} M ({share:.0%}): {verdict}"


def _budgets(mac_budget: object, param_budget: object) -> tuple[int, int]:
    return require_int("mac_budget", mac_budget, 1), require_int("param_budget", param_budget, 1)


def text(
    width_multiplier: float = 1.0,
    resolution: int = BASE_RESOLUTION,
    mac_budget: int = PHONE_BUDGET["macs"],
    param_budget: int = PHONE_BUDGET["params"],
) -> str:
    """The report's text (see `report`)."""
    alpha, resolution = _checked(width_multiplier, resolution)
    mac_budget, param_budget = _budgets(mac_budget, param_budget)
    here, base = costs(alpha, resolution), costs(1.0, BASE_RESOLUTION)
    rho = resolution / BASE_RESOLUTION
    channels = here["channels"]
    lines = [
        f"MobileNet v1, width multiplier alpha = {alpha:.2f}, input 3 x {resolution} x {resolution} "
        f"(rho = {resolution}/{BASE_RESOLUTION} = {rho:.3f})",
        f"batch 1, {DTYPE}; kB = 10^3, MB = 10^6 bytes",
        f"channels max(8, floor(alpha c)): {' '.join(str(c) for c in channels)}; dense {channels[-1]} -> 1000",
        "",
        f"{'':<22} {'this network':>14} {'1.0-224':>14} {'ratio':>7}   simple law",
    ]
    for label, value, reference, law, law_name in (
        ("MACs (conv + dense)", here["macs"], base["macs"], alpha**2 * rho**2, "alpha^2 rho^2"),
        ("parameters (with BN)", here["params"], base["params"], alpha**2, "alpha^2"),
        (
            "feature maps (bytes)",
            here["feature_map_bytes"],
            base["feature_map_bytes"],
            alpha * rho**2,
            "alpha rho^2",
        ),
    ):
        lines.append(
            f"{label:<22} {value:>14,} {reference:>14,} {value / reference:>7.3f}   {law_name} = {law:.3f}"
        )
    kinds = here["macs_by_kind"]
    lines += [
        "  (feature maps: the input and every map a layer writes; in-place ReLUs write none)",
        "MACs by layer kind: "
        + ", ".join(f"{kind} {value / here['macs']:.1%}" for kind, value in kinds.items()),
        "",
        f"memory, {DTYPE}",
        f"  parameters                   {format_bytes(here['parameter_bytes'], 2):>10}",
        f"  feature maps, all layers     {format_bytes(here['feature_map_bytes'], 2):>10}  (what training keeps)",
        f"  inference peak               {format_bytes(here['peak_bytes'], 2):>10}  (largest input + output of one",
        f"                                            layer, BN and ReLU fused: {here['peak_layer']})",
        "",
        "the 13 blocks built four ways (the same stem, widths, strides and head):",
        f"  {'design':<24} {'MACs':>10} {'parameters':>11}  {'fits the budget':>15}",
    ]
    for design, label in DESIGNS.items():
        cost = design_costs(alpha, resolution)[design]
        fits = cost["macs"] <= mac_budget and cost["params"] <= param_budget
        lines.append(
            f"  {label:<24} {format_count(cost['macs']):>10} {format_count(cost['params']):>11}  "
            f"{'yes' if fits else 'no':>15}"
        )
    grouped = [groups(c_in, c_out) for c_in, c_out in itertools.pairwise(channels)]
    lines.append(
        f"  (grouped: G = {MAX_GROUPS} in {grouped.count(MAX_GROUPS)} of 13 blocks, fewer where the channels"
    )
    lines.append(f"   do not divide by {MAX_GROUPS}; bottleneck: 1x1 to floor(C_in / 4) channels first)")
    default = (mac_budget, param_budget) == (PHONE_BUDGET["macs"], PHONE_BUDGET["params"])
    origin = "illustrative, about MobileNet V2 1.0-224" if default else "your budget"
    lines += [
        "",
        f"budget ({mac_budget / 1e6:g} M MACs, {param_budget / 1e6:g} M parameters; {origin})",
        _budget_line("MACs", here["macs"], mac_budget),
        _budget_line("parameters", here["params"], param_budget),
    ]
    over = [
        name
        for name, value, budget in (
            ("MACs", here["macs"], mac_budget),
            ("parameters", here["params"], param_budget),
        )
        if value > budget
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


@lru_cache(maxsize=1)
def axis_limits() -> dict[str, tuple[float, float]]:
    """Fixed y ranges of the figure: every design at every setting of the sliders lies inside.

    Costs grow with alpha and r, so the smallest are at the sliders' lower corner and the
    largest at the upper one; half and twice those, so the budget lines always show too.
    """
    low = design_costs(LIMITS["width_multiplier"][0], LIMITS["resolution"][0])
    high = design_costs(LIMITS["width_multiplier"][1], LIMITS["resolution"][1])
    return {
        key: (
            min(min(c[key] for c in low.values()), budget) / 2,
            max(max(c[key] for c in high.values()), budget) * 2,
        )
        for key, budget in PHONE_BUDGET.items()
    }


def figure(
    width_multiplier: float = 1.0,
    resolution: int = BASE_RESOLUTION,
    mac_budget: int = PHONE_BUDGET["macs"],
    param_budget: int = PHONE_BUDGET["params"],
) -> Figure:
    """MACs and parameters of the four designs (`DESIGNS`) at (alpha, r), with the budget as a dashed line.

    Bars (gid ``"macs"`` and ``"params"``, in the order of `DESIGNS`) on log axes whose limits
    are fixed over the sliders' ranges (`axis_limits`); MobileNet's own design is drawn solid,
    the others lighter; each bar carries its value.
    """
    alpha, resolution = _checked(width_multiplier, resolution)
    budgets = dict(zip(("macs", "params"), _budgets(mac_budget, param_budget), strict=True))
    cost = design_costs(alpha, resolution)
    fig, axes = new_figure(7.2, 3.6, ncols=2)
    limits = axis_limits()
    positions = list(range(len(DESIGNS)))
    for ax, key, label, colour in (
        (axes[0], "macs", "MACs (count)", COLORS["forward"]),
        (axes[1], "params", "parameters (count)", COLORS["parameters"]),
    ):
        values = [cost[design][key] for design in DESIGNS]
        bars = ax.bar(positions, values, color=colour, width=0.7, gid=key)
        for bar, design in zip(bars, DESIGNS, strict=True):
            bar.set_alpha(1.0 if design == "separable" else 0.45)
        for position, value in zip(positions, values, strict=True):
            ax.text(position, value * 1.15, format_count(value, 1), ha="center", va="bottom", fontsize=8)
        ax.axhline(
            budgets[key],
            color=COLORS["theory"],
            linestyle="--",
            linewidth=1,
            gid=f"{key}_budget",
            label=f"budget {format_count(budgets[key], 0)}",
        )
        ax.legend(loc="upper right", fontsize=8)
        ax.set_yscale("log")
        ax.set_ylim(*limits[key])
        ax.yaxis.set_major_locator(LogLocator(base=10, numticks=6))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: format_tick(value)))
        ax.set_xticks(positions, [DESIGNS[design].replace(" ", "\n", 1) for design in DESIGNS], fontsize=8)
        ax.set_ylabel(label)
        ax.set_xlabel("how each of the 13 blocks is built")
        ax.set_title(f"{label.split(' (')[0]}, MobileNet v1 {alpha:.2f}-{resolution}", fontsize=10)
    return fig


def report(
    width_multiplier: float = 1.0,
    resolution: int = BASE_RESOLUTION,
    mac_budget: int = PHONE_BUDGET["macs"],
    param_budget: int = PHONE_BUDGET["params"],
) -> Report:
    """MACs, parameters and float32 memory of MobileNet v1 at (alpha, r), four block designs, a verdict.

    Counts from `costs` and `design_costs`; the ratios to the 1.0-224 network are set beside
    the simple laws alpha^2 rho^2 (MACs), alpha^2 (parameters) and alpha rho^2 (feature maps),
    rho = r / 224. The verdict says whether MACs <= ``mac_budget`` and parameters <=
    ``param_budget`` (default `PHONE_BUDGET`, illustrative) and, on the slider grids, the
    largest width that fits at this resolution and the largest resolution that fits at this
    width. The figure: `figure`. ValueError naming the argument for alpha or r outside
    `LIMITS` or a budget that is not a positive integer. Derived in
    notebooks/07_designing_efficient_cnns.ipynb.
    """
    values = (width_multiplier, resolution, mac_budget, param_budget)
    return Report(text(*values), figure(*values))
