"""Report of notebooks/08_fast_algorithms.ipynb: one 3 x 3 layer under Winograd, drawn and costed.

`report` takes one sample (N = 1) of C_in x H x W, C_out filters of 3 x 3 with
bias, stride 1, zero padding p, and Winograd's output tile side m (2 or 4). The
figure has two panels:

* left, the tiling: the padded input grid, the m x m output tiles laid over the
  positions whose windows they compute (output (r, c) is the window centred on
  padded cell (r + 1, c + 1)), the outputs of overhanging tiles that are computed
  and thrown away, and the alpha x alpha input tiles (alpha = m + 2) of the first
  two tiles, which overlap by 2 columns;
* right, one tile through the transforms: d (alpha x alpha) -> B^T d B,
  times U = G g G^T element by element and summed over C_in (alpha^2 C_in C_out
  multiplies per tile), -> A^T M A (m x m), with each step's operation counts.

The text gives the tile counts and, for the direct im2col layer, Winograd
F(2x2, 3x3) and F(4x4, 3x3) (transforms as small matrix products, as `conv2d`
runs them, and as sparse sums) and the FFT layer: multiplies, adds and the
elements of the intermediate arrays. Counts come from `course_lib.complexity`.
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, Rectangle
from matplotlib.ticker import MaxNLocator

from course_lib.complexity.conv import conv2d_forward_cost, conv2d_im2col_elements
from course_lib.complexity.fast import (
    WINOGRAD_SPARSE_COUNTS,
    fft_conv2d_cost,
    fft_workspace_elements,
    winograd_conv2d_cost,
    winograd_tiles,
    winograd_workspace_elements,
)
from course_lib.reports.base import Report, new_figure
from course_lib.reports.format import format_int
from course_lib.validation import require_choice, require_int

ARGUMENTS = ("height", "width", "c_in", "c_out", "tile", "padding")
"""The arguments of `report`, in order: one control each."""

LIMITS = {"height": (1, 32), "width": (1, 32), "c_in": (1, 512), "c_out": (1, 512), "padding": (0, 2)}
"""Allowed (lowest, highest) value of the integer arguments: the explorer's slider ranges."""

TILE_SIDES = (2, 4)
"""Output tile sides m: F(2x2, 3x3) and F(4x4, 3x3)."""

TILE_COLOURS = ("#cfe3f3", "#f6dcc2")
"""Checkerboard colours of the output tiles (light blue, light orange)."""

INPUT_TILE_COLOURS = ("tab:blue", "tab:orange")
"""Outline colours of the first two input tiles."""


def _checked(
    height: object, width: object, c_in: object, c_out: object, tile: object, padding: object
) -> dict[str, int]:
    values = {"height": height, "width": width, "c_in": c_in, "c_out": c_out, "padding": padding}
    checked = {name: require_int(name, value, *LIMITS[name]) for name, value in values.items()}
    checked["tile"] = require_choice("tile", tile, TILE_SIDES)
    for side in ("height", "width"):
        if checked[side] + 2 * checked["padding"] < 3:
            raise ValueError(
                f"{side} {checked[side]} with padding {checked['padding']} is {checked[side] + 2 * checked['padding']}"
                " cells: a 3x3 kernel needs at least 3"
            )
    return checked


def _algorithms(v: dict[str, int]) -> list[tuple[str, int, int, int]]:
    """(name, multiplies, adds, workspace elements) of each algorithm for the layer ``v``."""
    layer = (v["c_in"], v["height"], v["width"], v["c_out"])
    rows = []
    direct = conv2d_forward_cost(*layer, 3, padding=v["padding"])
    columns = conv2d_im2col_elements(v["c_in"], v["height"], v["width"], 3, padding=v["padding"])
    rows.append(("direct (im2col + GEMM)", direct.multiplies, direct.adds, columns))
    for m in TILE_SIDES:
        space = winograd_workspace_elements(*layer, v["padding"], tile=m)
        for transform in ("blas", "sparse"):
            cost = winograd_conv2d_cost(*layer, v["padding"], tile=m, transform=transform)
            label = f"Winograd F({m}x{m},3x3), {'matrix' if transform == 'blas' else 'sparse'} transforms"
            rows.append((label, cost.multiplies, cost.adds, space))
    fft = fft_conv2d_cost(*layer, 3, v["padding"])
    rows.append(
        ("FFT (radix-2 count)", fft.multiplies, fft.adds, fft_workspace_elements(*layer, 3, v["padding"]))
    )
    return rows


def text(height: int, width: int, c_in: int, c_out: int, tile: int = 4, padding: int = 1) -> str:
    """The report's text (see `report`)."""
    v = _checked(height, width, c_in, c_out, tile, padding)
    m, alpha = v["tile"], v["tile"] + 2
    h_out, w_out = v["height"] + 2 * v["padding"] - 2, v["width"] + 2 * v["padding"] - 2
    t_h, t_w = winograd_tiles(v["height"], v["width"], v["padding"], m)
    computed = t_h * t_w * m * m
    lines = [
        f"layer: one sample, C_in x H x W = {v['c_in']} x {v['height']} x {v['width']}, "
        f"{v['c_out']} filters of 3x3, stride 1, padding {v['padding']} -> output {h_out} x {w_out}",
        f"F({m}x{m},3x3): {t_h} x {t_w} = {t_h * t_w} tiles of {m}x{m} outputs, each read from a "
        f"{alpha}x{alpha} input tile (neighbours overlap by 2)",
        f"  outputs computed {computed:,}, kept {h_out * w_out:,}, thrown away {computed - h_out * w_out:,}",
        f"  element-wise products per tile and channel pair: alpha^2 = {alpha * alpha} "
        f"instead of 9 m^2 = {9 * m * m} ({9 * m * m / (alpha * alpha):.2f}x fewer)",
        "",
        f"{'algorithm':<46} {'multiplies':>13} {'adds':>13} {'workspace':>11}",
    ]
    rows = _algorithms(v)
    for name, multiplies, adds, space in rows:
        lines.append(
            f"{name:<46} {format_int(multiplies):>13} {format_int(adds):>13} {format_int(space):>11}"
        )
    direct = rows[0][1]
    chosen = next(row for row in rows if row[0].startswith(f"Winograd F({m}x{m}") and "matrix" in row[0])
    lines += [
        "",
        f"multiplies, direct / F({m}x{m}) with matrix transforms: {direct / chosen[1]:.2f}x "
        "(workspace in elements: im2col columns, Winograd's U, V and M, the FFT's spectra)",
    ]
    return "\n".join(lines)


def _draw_tiling(ax: Axes, v: dict[str, int]) -> None:
    m, alpha, p = v["tile"], v["tile"] + 2, v["padding"]
    t_h, t_w = winograd_tiles(v["height"], v["width"], p, m)
    h_out, w_out = v["height"] + 2 * p - 2, v["width"] + 2 * p - 2
    rows, cols = t_h * m + 2, t_w * m + 2  # the padded input the tiles read, overhang included
    for r in range(rows):
        for c in range(cols):
            inside = p <= r < p + v["height"] and p <= c < p + v["width"]
            face = "white" if inside else "0.85"
            ax.add_patch(Rectangle((c, r), 1, 1, facecolor=face, edgecolor="0.7", linewidth=0.4))
    for t in range(t_h):
        for u in range(t_w):
            colour = TILE_COLOURS[(t + u) % 2]
            ax.add_patch(
                Rectangle(
                    (u * m + 1, t * m + 1), m, m, facecolor=colour, edgecolor="0.35", alpha=0.8, linewidth=0.8
                )
            )
            for i in range(m):
                for j in range(m):
                    if t * m + i >= h_out or u * m + j >= w_out:
                        ax.plot(u * m + j + 1.5, t * m + i + 1.5, "x", color="tab:red", markersize=4)
    for k, colour in enumerate(INPUT_TILE_COLOURS[: min(2, t_w)]):
        ax.add_patch(
            Rectangle((k * m + 0.08 * k, 0.08 * k), alpha, alpha, fill=False, edgecolor=colour, linewidth=2.2)
        )
    ax.set_xlim(-0.2, cols + 0.2)
    ax.set_ylim(rows + 0.2, -0.2)
    ax.set_aspect("equal")
    ax.grid(False)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("input column (padded)")
    ax.set_ylabel("input row (padded)")
    ax.set_title(f"{t_h} x {t_w} output tiles of {m}x{m}; input tiles {alpha}x{alpha}", fontsize=9)


def _draw_pipeline(ax: Axes, v: dict[str, int]) -> None:
    m, alpha = v["tile"], v["tile"] + 2
    counts = WINOGRAD_SPARSE_COUNTS[m]
    gemm = alpha * alpha * v["c_in"] * v["c_out"]

    def ops(name: str, columns: int) -> str:
        adds, multiplies = counts[name][2] * columns, counts[name][3] * columns
        return f"{adds} adds" + (f"\n{multiplies} mult." if multiplies else "")

    boxes = [
        (0.0, alpha, "d", "input tile"),
        (1.0, alpha, "B^T d B", ops("BT", 2 * alpha)),
        (
            2.0,
            alpha,
            "(.) U, sum over C_in",
            f"{alpha * alpha} x {v['c_in']} x {v['c_out']}\n= {gemm:,} mult.",
        ),
        (3.0, m, "A^T M A", ops("AT", alpha + m)),
    ]
    scale = 0.11
    for x, side, label, note in boxes:
        size = side * scale
        left, bottom = x * 1.05 + (0.7 - size) / 2, 0.55 - size / 2
        ax.add_patch(Rectangle((left, bottom), size, size, facecolor="#e8eef5", edgecolor="0.3"))
        for k in range(1, side):
            ax.plot([left + k * scale] * 2, [bottom, bottom + size], color="0.75", linewidth=0.5)
            ax.plot([left, left + size], [bottom + k * scale] * 2, color="0.75", linewidth=0.5)
        ax.text(
            x * 1.05 + 0.35,
            0.55 + size / 2 + 0.05,
            f"{label}\n{side}x{side}",
            ha="center",
            va="bottom",
            fontsize=8,
        )
        ax.text(x * 1.05 + 0.35, 0.55 - size / 2 - 0.05, note, ha="center", va="top", fontsize=8)
    for x in range(3):
        ax.add_patch(
            FancyArrowPatch(
                (x * 1.05 + 0.72, 0.55), (x * 1.05 + 1.03, 0.55), arrowstyle="->", mutation_scale=10
            )
        )
    ax.set_xlim(-0.05, 4.2)
    ax.set_ylim(-0.2, 1.4)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"one tile of F({m}x{m},3x3): sparse transform counts", fontsize=9)


def report(height: int, width: int, c_in: int, c_out: int, tile: int = 4, padding: int = 1) -> Report:
    """Tiles, transforms and costs of a 3 x 3, stride-1 layer under Winograd F(m x m, 3 x 3), and its picture.

    Input C_in x H x W (one sample), C_out 3 x 3 filters with bias, ``padding`` zeros,
    ``tile`` m in (2, 4). Raises ValueError naming the argument for a value outside
    `LIMITS` or a layer the 3 x 3 kernel does not fit. Derived in
    notebooks/08_fast_algorithms.ipynb.
    """
    v = _checked(height, width, c_in, c_out, tile, padding)
    fig, (left, right) = new_figure(9.6, 4.2, ncols=2, width_ratios=[1.0, 1.25])
    _draw_tiling(left, v)
    _draw_pipeline(right, v)
    return Report(text(**v), fig)
