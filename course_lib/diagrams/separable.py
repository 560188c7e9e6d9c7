"""Standard against depthwise-separable convolution: the tensors, the filters, and what each step costs.

One layer from C_in to C_out channels with K x K kernels on an M x M map
(stride 1, 'same' padding, no biases) is drawn two ways:

* **standard**: C_out filters of K x K x C_in, one step that filters space and
  mixes channels: M^2 K^2 C_in C_out MACs and K^2 C_in C_out parameters;
* **depthwise separable**: a depthwise step, C_in filters of K x K x 1 (a
  grouped convolution with G = C_in), M^2 K^2 C_in MACs and K^2 C_in
  parameters, then a pointwise step, C_out filters of 1 x 1 x C_in,
  M^2 C_in C_out MACs and C_in C_out parameters.

The separable layer costs 1/C_out + 1/K^2 of the standard one, in MACs and in
parameters alike. Every number written on the diagram comes from
`course_lib.complexity` (`conv2d_macs`, `conv2d_params`). Derived and counted in
notebooks/07_designing_efficient_cnns.ipynb.
"""

from __future__ import annotations

from fractions import Fraction

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Polygon, Rectangle

from course_lib.complexity import conv2d_macs, conv2d_params
from course_lib.plotting import COLORS
from course_lib.reports.base import new_figure
from course_lib.validation import require_int

__all__ = ["draw_separable", "part_costs"]

MAX_CHANNELS = 8192
"""Largest channel count the diagram accepts."""

MAX_SIDE = 4096
"""Largest feature-map side M."""

MAX_KERNEL = 15
"""Largest kernel side K (odd, so that 'same' padding is K // 2)."""

PARTS = ("standard", "depthwise", "pointwise")
"""The three convolutions on the diagram, in the order `part_costs` lists them."""

_FONT = 9
_MAP = 1.25  # drawn side of an M x M feature map
_DEPTH = 0.95  # drawn depth of the widest tensor (channels)
_SLANT = (0.55, 0.4)  # direction of the depth axis (oblique projection)
_MIN_DEPTH = 0.03
_EDGE = "#333333"
_SLICES = 4  # depthwise filters drawn (one per channel, the rest implied)


def _checked(c_in: object, c_out: object, side: object, kernel: object) -> tuple[int, int, int, int]:
    c_in = require_int("c_in", c_in, 1, MAX_CHANNELS)
    c_out = require_int("c_out", c_out, 1, MAX_CHANNELS)
    kernel = require_int("kernel", kernel, 1, MAX_KERNEL)
    if kernel % 2 == 0:
        raise ValueError(
            f"kernel must be odd (1, 3, 5, ...) so that 'same' padding is kernel // 2, got {kernel}"
        )
    side = require_int("side", side, kernel, MAX_SIDE)
    return c_in, c_out, side, kernel


def part_costs(c_in: int, c_out: int, side: int, kernel: int) -> dict[str, tuple[int, int]]:
    """``{part: (MACs, parameters)}`` for the ``standard``, ``depthwise`` and ``pointwise`` convolutions.

    One image, an ``side`` x ``side`` map, stride 1, padding kernel // 2, no biases:
    standard M^2 K^2 C_in C_out and K^2 C_in C_out; depthwise M^2 K^2 C_in and K^2 C_in;
    pointwise M^2 C_in C_out and C_in C_out (`course_lib.complexity`). ValueError naming the
    argument for a count out of range or an even kernel.
    """
    c_in, c_out, side, kernel = _checked(c_in, c_out, side, kernel)
    pad = kernel // 2
    return {
        "standard": (
            conv2d_macs(c_in, side, side, c_out, kernel, padding=pad),
            conv2d_params(c_in, c_out, kernel, bias=False),
        ),
        "depthwise": (
            conv2d_macs(c_in, side, side, c_in, kernel, padding=pad, groups=c_in),
            conv2d_params(c_in, c_in, kernel, groups=c_in, bias=False),
        ),
        "pointwise": (
            conv2d_macs(c_in, side, side, c_out, 1),
            conv2d_params(c_in, c_out, 1, bias=False),
        ),
    }


def _cuboid(ax: Axes, x: float, y: float, face: float, depth: float, colour: str) -> None:
    """A box in oblique projection: front face ``face`` x ``face`` at (x, y), ``depth`` along the slant."""
    dx, dy = _SLANT[0] * depth, _SLANT[1] * depth
    top = [(x, y + face), (x + dx, y + face + dy), (x + face + dx, y + face + dy), (x + face, y + face)]
    side = [(x + face, y), (x + face + dx, y + dy), (x + face + dx, y + face + dy), (x + face, y + face)]
    for corners in (top, side):
        ax.add_patch(Polygon(corners, facecolor=colour, edgecolor=_EDGE, linewidth=0.8, zorder=2))
    ax.add_patch(Rectangle((x, y), face, face, facecolor="white", edgecolor=_EDGE, linewidth=0.8, zorder=2))
    ax.add_patch(
        Rectangle((x, y), face, face, facecolor=colour, alpha=0.35, edgecolor=_EDGE, linewidth=0.8, zorder=2)
    )


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float]) -> None:
    ax.add_patch(
        FancyArrowPatch(
            start, end, arrowstyle="-|>", mutation_scale=11, color="#333333", linewidth=1.2, zorder=1
        )
    )


def draw_separable(c_in: int = 512, c_out: int = 512, side: int = 14, kernel: int = 3) -> Figure:
    """A standard K x K convolution above its depthwise-separable replacement, with shapes and costs.

    Feature maps are boxes (front face M x M, depth the channels, drawn in proportion to the
    widest tensor), filters are boxes whose front face is K x K or 1 x 1 at the scale of the
    map; under each step its MACs and parameters (`part_costs`). Text gids: ``"{part}-macs"``
    and ``"{part}-params"`` for the three parts, ``"separable-total"`` (MACs and parameters of
    depthwise + pointwise) and ``"ratio"`` (their share of the standard layer's MACs as a
    fraction, 1/C_out + 1/K^2). ValueError naming the argument for bad sizes.
    """
    c_in, c_out, side, kernel = _checked(c_in, c_out, side, kernel)
    costs = part_costs(c_in, c_out, side, kernel)
    fig, ax = new_figure(7.4, 4.6)
    ax.set_xlim(-0.1, 13.6)
    ax.set_ylim(-1.2, 7.15)
    ax.set_aspect("equal")
    ax.set_axis_off()
    widest = max(c_in, c_out)

    def depth(channels: int) -> float:
        return max(_MIN_DEPTH, _DEPTH * channels / widest)

    def kernel_face(k: int) -> float:
        return max(0.06, _MAP * k / side)

    def tensor(x: float, y: float, channels: int, colour: str, name: str) -> tuple[float, float]:
        _cuboid(ax, x, y, _MAP, depth(channels), colour)
        centre = x + (_MAP + _SLANT[0] * depth(channels)) / 2
        ax.text(
            centre, y - 0.12, f"{channels:,} × {side:,} × {side:,}", ha="center", va="top", fontsize=_FONT
        )
        ax.text(centre, y - 0.45, name, ha="center", va="top", fontsize=_FONT - 0.5, color="#555555")
        return x + _MAP + _SLANT[0] * depth(channels), y + _MAP / 2  # right edge, middle height

    def step(x: float, y: float, part: str, k: int, channels: int, count: str, title: str) -> None:
        """A filter icon centred at x, its name above and its costs below."""
        face = kernel_face(k)
        if part == "depthwise":  # one thin K x K x 1 filter per channel, spread along the channel axis
            slices = min(_SLICES, c_in)
            gap = 0.18
            span = face + _SLANT[0] * gap * (slices - 1)
            for i in range(slices):
                sx = x - span / 2 + _SLANT[0] * gap * i
                sy = y + _MAP / 2 - face / 2 - 0.15 + _SLANT[1] * gap * i
                _cuboid(ax, sx, sy, face, _MIN_DEPTH, COLORS["parameters"])
        else:
            d = depth(channels)
            left = x - (face + _SLANT[0] * d) / 2
            _cuboid(ax, left, y + _MAP / 2 - face / 2, face, d, COLORS["parameters"])
        ax.text(x, y + _MAP + 0.55, title, ha="center", va="bottom", fontsize=_FONT, fontweight="bold")
        ax.text(x, y + _MAP + 0.2, count, ha="center", va="bottom", fontsize=_FONT - 0.5)
        macs, params = costs[part]
        ax.text(x, y - 0.12, f"{macs:,} MACs", ha="center", va="top", fontsize=_FONT,
                color=COLORS["forward"], gid=f"{part}-macs")  # fmt: skip
        ax.text(x, y - 0.45, f"{params:,} params", ha="center", va="top", fontsize=_FONT,
                color=COLORS["parameters"], gid=f"{part}-params")  # fmt: skip

    input_colour, output_colour, middle_colour = "#BBBBBB", COLORS["forward"], "#8FC1E3"
    k = kernel
    # ---- top row: the standard convolution
    top = 4.6
    ax.text(0.0, top + 2.15, "standard convolution: one step filters space and mixes channels",
            fontsize=_FONT + 1, ha="left", va="bottom")  # fmt: skip
    right, mid = tensor(0.3, top, c_in, input_colour, r"input $C_\mathrm{in} \times M \times M$")
    step(
        6.3, top, "standard", k, c_in, f"{c_out:,} filters of {k} × {k} × {c_in:,}", f"{k} × {k} convolution"
    )
    _arrow(ax, (right + 0.1, mid), (5.2, mid))
    out_x = 10.9
    _arrow(ax, (7.45, mid), (out_x - 0.1, mid))
    tensor(out_x, top, c_out, output_colour, r"output $C_\mathrm{out} \times M \times M$")

    # ---- bottom row: depthwise, then pointwise
    low = 1.0
    ax.text(0.0, low + 2.15, "depthwise separable: filter each channel alone, then mix the channels",
            fontsize=_FONT + 1, ha="left", va="bottom")  # fmt: skip
    right, mid = tensor(0.3, low, c_in, input_colour, "input")
    step(3.65, low, "depthwise", k, 1, f"{c_in:,} filters of {k} × {k} × 1", f"depthwise {k} × {k}")
    _arrow(ax, (right + 0.1, mid), (3.15, mid))
    mid_x = 5.15
    _arrow(ax, (4.2, mid), (mid_x - 0.1, mid))
    right, _ = tensor(mid_x, low, c_in, middle_colour, r"filtered $C_\mathrm{in} \times M \times M$")
    step(8.75, low, "pointwise", 1, c_in, f"{c_out:,} filters of 1 × 1 × {c_in:,}", "pointwise 1 × 1")
    _arrow(ax, (right + 0.1, mid), (8.35, mid))
    _arrow(ax, (9.4, mid), (out_x - 0.1, mid))
    tensor(out_x, low, c_out, output_colour, "output")

    # ---- the bill
    macs = costs["depthwise"][0] + costs["pointwise"][0]
    params = costs["depthwise"][1] + costs["pointwise"][1]
    share = Fraction(macs, costs["standard"][0])
    ax.text(0.0, -0.45, f"separable total: {macs:,} MACs, {params:,} params", fontsize=_FONT,
            ha="left", va="top", gid="separable-total")  # fmt: skip
    ax.text(0.0, -0.8, f"= {share.numerator}/{share.denominator} of the standard layer's MACs "
            r"($1/C_\mathrm{out} + 1/K^2$): " f"{float(1 / share):.2f}× fewer", fontsize=_FONT, ha="left", va="top",
            gid="ratio")  # fmt: skip
    fig.suptitle(
        f"Depthwise separable: {float(1 / share):.1f}× fewer MACs than a standard {k} × {k} layer",
        fontsize=_FONT + 2,
    )
    return fig
