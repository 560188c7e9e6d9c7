"""A kernel sweeping a padded input, and the im2col matrix the sweep becomes.

For a batch of N inputs of C x H x W, a K x K kernel with stride s, zero
padding p and dilation d, window (r, c) of sample n reads the taps

    x_padded[n, ch, r s + i d, c s + j d],   i, j = 0 .. K - 1,  ch = 0 .. C - 1,

and im2col copies them into one column, channel by channel (row (ch K + i) K + j),
one column per window and sample: a matrix of

    (C K^2) rows x (N H_out W_out) columns,  n_out = floor((n + 2p - d(K - 1) - 1) / s) + 1.

The figure has two panels. Left, channel 1 of the padded input of sample 1:
padding cells grey and marked 0, every input cell numbered 1 .. H W in reading
order, three windows outlined in their colours with their taps shaded (the first
two of the first row and the first of the second, so both strides show; `outlined`). Right, the column matrix with the same numbers in its cells (0
where a tap falls on the padding), so a reader sees each input value copied into
up to K^2 columns; the outlined windows' columns are outlined in the same
colours, the channels' row bands are labelled, and the title gives the shape
(C K^2) x (N H_out W_out) with its numbers. Shapes and element counts come
from `course_lib.complexity` (`conv2d_output_shape`, `conv2d_im2col_elements`);
the cell numbers from `course_lib.conv.im2col`, the implementation the course
times. Derived in notebooks/05_convolution_layer.ipynb.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from course_lib.complexity import conv2d_im2col_elements, conv2d_output_shape
from course_lib.conv import im2col
from course_lib.reports.base import new_figure
from course_lib.validation import require_int

__all__ = ["column_matrix", "draw_im2col_sweep"]

LIMITS = {
    "height": (1, 8),
    "width": (1, 8),
    "channels": (1, 3),
    "kernel": (1, 5),
    "stride": (1, 4),
    "padding": (0, 2),
    "dilation": (1, 3),
    "batch": (1, 3),
}
"""Allowed (lowest, highest) value of every argument, in the functions' argument order: small enough
for a number in every cell."""

OUTLINED_WINDOWS = 3
"""How many windows are outlined in both panels (see `outlined`)."""

WINDOW_COLOURS = ("#0072B2", "#D55E00", "#009E73")
"""Colours of the outlined windows (Okabe and Ito's colour-blind-safe set)."""

PADDING_SHADE = "0.85"
"""Fill of the padding cells and of the matrix cells that copy a padding zero."""

MAX_MATRIX_COLUMNS = 36
"""Widest matrix drawn (N H_out W_out); beyond it the numbers would not fit their cells."""


def _checked(*values: int) -> dict[str, int]:
    """The arguments, in the order of `LIMITS` (the functions' order), by name, each checked against it."""
    return {name: require_int(name, value, *LIMITS[name]) for name, value in zip(LIMITS, values, strict=True)}


def column_matrix(
    height: int,
    width: int,
    channels: int,
    kernel: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    batch: int = 1,
) -> np.ndarray:
    """The integer matrix the diagram writes: (C K^2) x (N H_out W_out).

    Every input cell holds its number in reading order, 1 .. H W, in every channel
    and sample; `course_lib.conv.im2col` copies them, so an entry is the number of
    the input cell that tap reads, 0 for padding. Sample n's windows are columns
    n H_out W_out .. (n + 1) H_out W_out - 1. ValueError naming the argument for a
    value outside `LIMITS` or a dilated kernel larger than the padded input.
    """
    v = _checked(height, width, channels, kernel, stride, padding, dilation, batch)
    numbers = np.arange(1, v["height"] * v["width"] + 1, dtype=float).reshape(v["height"], v["width"])
    x = np.broadcast_to(numbers, (v["batch"], v["channels"], v["height"], v["width"])).copy()
    cols = im2col(x, v["kernel"], v["stride"], v["padding"], v["dilation"])  # (N, C K^2, H_out W_out)
    return np.concatenate(list(cols), axis=1).astype(int)


def outlined(h_out: int, w_out: int) -> list[int]:
    """Indices (reading order, = im2col columns) of the outlined windows: 0, 1 and w_out when they exist."""
    wanted = [0, 1, w_out] if h_out > 1 else [0, 1, 2]
    return [index for index in dict.fromkeys(wanted) if index < h_out * w_out][:OUTLINED_WINDOWS]


def _draw_input(ax: Axes, v: dict[str, int], corners: list[tuple[int, int]], chosen: list[int]) -> None:
    """Channel 1 of sample 1, padded, numbered; the first windows outlined with their taps."""
    p, k, d = v["padding"], v["kernel"], v["dilation"]
    rows, cols = v["height"] + 2 * p, v["width"] + 2 * p
    for r in range(rows):
        for c in range(cols):
            inside = p <= r < p + v["height"] and p <= c < p + v["width"]
            ax.add_patch(
                Rectangle(
                    (c, r), 1, 1, facecolor="white" if inside else PADDING_SHADE, edgecolor="0.6", lw=0.5
                )
            )
            label = (r - p) * v["width"] + (c - p) + 1 if inside else 0
            ax.text(c + 0.5, r + 0.5, str(label), ha="center", va="center", fontsize=7, color="0.2", zorder=4)
    span = d * (k - 1) + 1
    offsets = (np.arange(k) * d).tolist()
    for number, index in enumerate(chosen):
        row, col = corners[index]
        colour = WINDOW_COLOURS[number]
        inset = 0.07 * (number + 1)
        ax.add_patch(
            Rectangle(
                (col + inset, row + inset),
                span - 2 * inset,
                span - 2 * inset,
                fill=False,
                edgecolor=colour,
                lw=2,
                zorder=5,
                gid=f"window-{index + 1}",
            )
        )
        for i in offsets:
            for j in offsets:
                ax.add_patch(Rectangle((col + j, row + i), 1, 1, color=colour, alpha=0.18, lw=0, zorder=3))
    ax.set_xlim(0, cols)
    ax.set_ylim(rows, 0)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    channel_note = f"channel 1 of {v['channels']}" if v["channels"] > 1 else "one channel"
    ax.set_title(
        f"{v['height']}x{v['width']} input, padding {p} ({channel_note})\n"
        f"{k}x{k} kernel, stride {v['stride']}, dilation {d}",
        fontsize=9,
    )
    names = ", ".join(str(index + 1) for index in chosen)
    ax.set_xlabel(f"windows {names} of {len(corners)} outlined; 0 = padding", fontsize=8)


def _draw_matrix(ax: Axes, v: dict[str, int], matrix: np.ndarray, per_sample: int, chosen: list[int]) -> None:
    """The column matrix, numbered; channel bands and samples labelled; first windows outlined."""
    n_rows, n_cols = matrix.shape
    taps = v["kernel"] ** 2
    for r in range(n_rows):
        for c in range(n_cols):
            value = int(matrix[r, c])
            ax.add_patch(
                Rectangle(
                    (c, r), 1, 1, facecolor=PADDING_SHADE if value == 0 else "white", edgecolor="0.7", lw=0.4
                )
            )
            ax.text(
                c + 0.5,
                r + 0.5,
                str(value),
                ha="center",
                va="center",
                fontsize=6.5,
                color="0.25",
                gid=f"cell-{r}-{c}",
            )
    for band in range(1, v["channels"]):
        ax.axhline(band * taps, color="black", lw=1.2)
    for sample in range(1, v["batch"]):
        ax.axvline(sample * per_sample, color="black", lw=1.2)
    for number, index in enumerate(chosen):
        ax.add_patch(
            Rectangle(
                (index + 0.06, 0.06),
                0.88,
                n_rows - 0.12,
                fill=False,
                edgecolor=WINDOW_COLOURS[number],
                lw=2,
                gid=f"column-{index + 1}",
            )
        )
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)
    ax.set_aspect("equal")
    ax.set_yticks(
        [(band + 0.5) * taps for band in range(v["channels"])],
        [f"ch {band + 1}" for band in range(v["channels"])],
        fontsize=8,
    )
    ax.set_xticks(
        [(sample + 0.5) * per_sample for sample in range(v["batch"])],
        [f"sample {sample + 1}" for sample in range(v["batch"])] if v["batch"] > 1 else [""],
        fontsize=8,
    )
    ax.tick_params(length=0)
    ax.set_ylabel(f"one row per tap and channel: C K² = {n_rows}", fontsize=8)


def draw_im2col_sweep(
    height: int = 5,
    width: int = 5,
    channels: int = 2,
    kernel: int = 3,
    stride: int = 2,
    padding: int = 1,
    dilation: int = 1,
    batch: int = 1,
) -> Figure:
    """The kernel sweeping the padded input (left) and the im2col matrix it becomes (right).

    See the module docstring. The right panel's title (gid ``"shape"``) reads
    ``(C K²) × (N H_out W_out)``, then ``= (c·k²) × (n·h·w) = rows × cols``; its x label
    gives the matrix's elements against the input's. Matrix
    cell (r, c) is a text with gid ``"cell-r-c"``. ValueError naming the argument
    for a value outside `LIMITS`, a kernel that does not fit, or a matrix wider
    than `MAX_MATRIX_COLUMNS`.
    """
    v = _checked(height, width, channels, kernel, stride, padding, dilation, batch)
    geometry = {"stride": v["stride"], "padding": v["padding"], "dilation": v["dilation"]}
    h_out, w_out = conv2d_output_shape(v["height"], v["width"], v["kernel"], **geometry)
    per_sample = h_out * w_out
    if v["batch"] * per_sample > MAX_MATRIX_COLUMNS:
        raise ValueError(
            f"batch, height, width, kernel, stride, padding, dilation: the matrix would have "
            f"N H_out W_out = {v['batch']}*{h_out}*{w_out} = {v['batch'] * per_sample} columns, "
            f"more than the {MAX_MATRIX_COLUMNS} the diagram can number; use a smaller input or batch"
        )
    matrix = column_matrix(**v)
    rows, cols = v["channels"] * v["kernel"] ** 2, v["batch"] * per_sample
    elements = conv2d_im2col_elements(
        v["channels"], v["height"], v["width"], v["kernel"], batch=v["batch"], **geometry
    )
    assert matrix.shape == (rows, cols) and matrix.size == elements
    corners = [(r * v["stride"], c * v["stride"]) for r in range(h_out) for c in range(w_out)]
    padded = v["width"] + 2 * v["padding"]
    fig, (left, right) = new_figure(
        7.2, 4.6, ncols=2, width_ratios=[max(padded, 0.75 * cols), max(cols, padded)]
    )
    chosen = outlined(h_out, w_out)
    _draw_input(left, v, corners, chosen)
    _draw_matrix(right, v, matrix, per_sample, chosen)
    shape = (
        f"(C K²) × (N H_out W_out)\n= ({v['channels']}·{v['kernel']}²) × "
        f"({v['batch']}·{h_out}·{w_out}) = {rows} × {cols}"
    )
    right.set_title(shape, fontsize=9, gid="shape")
    inputs = v["batch"] * v["channels"] * v["height"] * v["width"]
    right.set_xlabel(
        f"one column per window: {elements:,} elements, {elements / inputs:.2f}x the input's {inputs:,}",
        fontsize=8,
        gid="elements",
    )
    fig.suptitle(
        "im2col copies every window into a column: inputs repeat, the layer is one product", fontsize=10
    )
    return fig
