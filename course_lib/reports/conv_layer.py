"""Report of notebooks/05_convolution_layer.ipynb: one convolution layer, sized, costed and drawn.

`report` takes one sample (N = 1) of C_in x H x W, C_out square K x K filters
with bias, stride s, zero padding p and dilation d, and gives, per spatial
dimension,

    n_out = floor((n + 2p - d (K - 1) - 1) / s) + 1,

the output shape (1, C_out, H_out, W_out), the number of kernel positions and
of input cells no window reads, and

    MACs = multiplies = C_out H_out W_out C_in K^2,
    adds = C_out H_out W_out C_in K^2  (C_in K^2 - 1 per dot product + 1 for the bias),
    FLOPs = multiplies + adds,
    parameters = C_out C_in K^2 + C_out,

with the float32 bytes of the input, the output, the parameters and the im2col
buffer (C_in K^2) x (H_out W_out). Counts come from the closed forms of
`course_lib.complexity.conv` (one `ConvShape`). When the dilated kernel
d (K - 1) + 1 is larger than the padded input, the text says so in words
instead of raising.

The figure has two panels. Left, the padded input: the first `OUTLINED_WINDOWS`
receptive fields outlined with their taps, every window's centre, the input
cells no window reads. Right, the im2col matrix drawn to scale against the
input: both as matrices in the same axes, measured in elements, the input
C_in x (H W) (one row per channel, the layout im2col reads) and the column
buffer (C_in K^2) x (H_out W_out), with the columns of the outlined windows in
their colours.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from course_lib.complexity import DTYPE_BYTES
from course_lib.complexity.conv import ConvShape, conv2d_output_shape, conv2d_params
from course_lib.reports.base import Report, new_figure
from course_lib.reports.format import format_bytes
from course_lib.validation import require_int

DTYPE = "float32"
"""The dtype the report's memory is given in (`DTYPE_BYTES` bytes per element)."""

LIMITS = {
    "height": (1, 64),
    "width": (1, 64),
    "c_in": (1, 512),
    "c_out": (1, 512),
    "kernel": (1, 11),
    "stride": (1, 4),
    "padding": (0, 5),
    "dilation": (1, 4),
}
"""Allowed (lowest, highest) value of every argument: the explorer's slider ranges."""

ARGUMENTS = ("height", "width", "c_in", "c_out", "kernel", "stride", "padding", "dilation")
"""The arguments of `report`, in order: one slider each."""

GEOMETRY = ("height", "width", "kernel", "stride", "padding", "dilation")
"""The arguments that decide where the kernel lands (the channels do not)."""

REPORT_WIDTH = 92
"""Characters per line at which the report wraps its error message."""

OUTLINED_WINDOWS = 3
"""How many windows the figure outlines (the first ones in row-major order, the first im2col columns)."""

WINDOW_COLOURS = ("tab:blue", "tab:orange", "tab:green")
"""Colour of the outlined windows, in order, in both panels."""

PADDING_SHADE = 0.82
"""Grey level of the padding cells (input cells are white)."""


def _checked(names: tuple[str, ...], values: tuple[object, ...]) -> dict[str, int]:
    """``values`` by name, each checked against its `LIMITS`."""
    return {name: require_int(name, value, *LIMITS[name]) for name, value in zip(names, values, strict=True)}


def extent(kernel: int, dilation: int) -> int:
    """Input cells one dilated kernel spans along a dimension: d (K - 1) + 1."""
    return dilation * (kernel - 1) + 1


def misfit(height: int, width: int, kernel: int, padding: int, dilation: int) -> str | None:
    """The reason no window fits, in words, or None when the dilated kernel fits the padded input."""
    span = extent(kernel, dilation)
    padded_h, padded_w = height + 2 * padding, width + 2 * padding
    if span <= padded_h and span <= padded_w:
        return None
    return (
        f"kernel {kernel}x{kernel} with dilation {dilation} spans {span}x{span} input cells "
        f"(d(K-1)+1 = {dilation}*({kernel}-1)+1 = {span}), more than the padded input "
        f"{padded_h}x{padded_w} ({height}x{width} plus {padding} on each side): no window fits, "
        "so the output would be empty. Increase the padding or the input, or reduce the kernel or "
        "the dilation."
    )


def kernel_positions(
    height: int, width: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> list[tuple[int, int]]:
    """Top-left corner (row, column) of every window, in the coordinates of the padded input.

    The padded input has (H + 2p) x (W + 2p) cells and the original input sits in
    rows and columns p .. p + H - 1 (p .. p + W - 1). Window (r, c), for
    r = 0 .. H_out - 1 and c = 0 .. W_out - 1, starts at (r s, c s) and reads the
    taps (r s + i d, c s + j d), i, j = 0 .. K - 1. The list is in row-major order
    (the order of the output elements and of the im2col columns). Raises ValueError
    naming the argument for a value outside `LIMITS`, or when the dilated kernel
    does not fit the padded input. Derived in notebooks/05_convolution_layer.ipynb.
    """
    g = _checked(GEOMETRY, (height, width, kernel, stride, padding, dilation))
    reason = misfit(g["height"], g["width"], g["kernel"], g["padding"], g["dilation"])
    if reason is not None:
        raise ValueError(reason)
    h_out, w_out = conv2d_output_shape(
        g["height"], g["width"], g["kernel"], g["stride"], g["padding"], g["dilation"]
    )
    return [(r * g["stride"], c * g["stride"]) for r in range(h_out) for c in range(w_out)]


def read_cells(height: int, width: int, kernel: int, stride: int, padding: int, dilation: int) -> np.ndarray:
    """Boolean (H, W) mask of the input cells at least one window reads (all False when none fits)."""
    read = np.zeros((height + 2 * padding, width + 2 * padding), dtype=bool)
    if misfit(height, width, kernel, padding, dilation) is None:
        h_out, w_out = conv2d_output_shape(height, width, kernel, stride, padding, dilation)
        for i in range(kernel):
            for j in range(kernel):
                rows = slice(i * dilation, i * dilation + stride * (h_out - 1) + 1, stride)
                cols = slice(j * dilation, j * dilation + stride * (w_out - 1) + 1, stride)
                read[rows, cols] = True
    return read[padding : padding + height, padding : padding + width]


def _bytes(elements: int) -> str:
    size = elements * DTYPE_BYTES[DTYPE]
    text = f"{elements:,} element{'s' if elements != 1 else ''} = {size:,} B"
    return text if size < 1000 else f"{text} ({format_bytes(size)})"


def text(
    height: int,
    width: int,
    c_in: int,
    c_out: int,
    kernel: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
) -> str:
    """The report's text (see `report`); arguments checked against `LIMITS`."""
    v = _checked(ARGUMENTS, (height, width, c_in, c_out, kernel, stride, padding, dilation))
    height, width, c_in, c_out, kernel, stride, padding, dilation = (v[name] for name in ARGUMENTS)
    params = conv2d_params(c_in, c_out, kernel)
    weights = params - c_out
    lines = [
        f"input (C_in, H, W) = ({c_in}, {height}, {width}), one sample; "
        f"{c_out} filter{'s' if c_out != 1 else ''} of {c_in} x {kernel} x {kernel} with bias",
        f"stride {stride}, padding {padding}, dilation {dilation}",
        "",
        "output size per dimension: floor((n + 2p - d(K-1) - 1) / s) + 1",
    ]
    reason = misfit(height, width, kernel, padding, dilation)
    if reason is not None:
        return "\n".join(
            [
                *lines,
                textwrap.fill(f"ERROR: {reason}", width=REPORT_WIDTH, subsequent_indent="  "),
                "",
                f"parameters (do not depend on the input): {weights:,} weights + {c_out:,} biases = {params:,}",
            ]
        )
    layer = ConvShape(c_in, height, width, c_out, kernel, stride=stride, padding=padding, dilation=dilation)
    h_out, w_out = layer.output_size
    cost = layer.forward_cost()
    inputs, outputs, columns = layer.input_elements, layer.output_elements, layer.im2col_elements
    unread = int(np.count_nonzero(~read_cells(height, width, kernel, stride, padding, dilation)))
    span = f"{dilation}*({kernel}-1) - 1) / {stride}) + 1"
    length = c_in * kernel * kernel
    lines += [
        f"  H_out = floor(({height} + 2*{padding} - {span} = {h_out}",
        f"  W_out = floor(({width} + 2*{padding} - {span} = {w_out}",
        f"output shape (N, C_out, H_out, W_out) = (1, {c_out}, {h_out}, {w_out})",
        f"kernel positions: {h_out} x {w_out} = {h_out * w_out:,}; "
        f"input cells no window reads: {unread:,} of {height * width:,}",
        "",
        f"cost, one sample (each output element is a dot product of length C_in K^2 = {length:,})",
        *(
            f"  {label:<10} = {formula:<45} = {value:,}"
            for label, formula, value in (
                ("MACs", "C_out H_out W_out C_in K^2", cost.macs),
                ("multiplies", "MACs", cost.multiplies),
                ("adds", "C_out H_out W_out (C_in K^2 - 1) + bias adds", cost.adds),
                ("FLOPs", "multiplies + adds", cost.flops),
            )
        ),
        f"parameters: {weights:,} weights (C_out C_in K^2) + {c_out:,} biases = {params:,}",
        "",
        f"memory in {DTYPE} ({DTYPE_BYTES[DTYPE]} bytes per element; kB = 10^3, MB = 10^6 bytes)",
        f"  input          C_in H W          = {_bytes(inputs)}",
        f"  output         C_out H_out W_out = {_bytes(outputs)}",
        f"  parameters                       = {_bytes(params)}",
        f"  im2col buffer  (C_in K^2) x (H_out W_out) = {length:,} x {h_out * w_out:,} = {_bytes(columns)}",
        f"  im2col buffer / input = {columns / inputs:.2f} (K^2 = {kernel * kernel}, "
        f"K^2 / s^2 = {kernel * kernel / stride**2:.2f})",
    ]
    return "\n".join(lines)


def draw_receptive_fields(
    ax: Axes, height: int, width: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> None:
    """Draw the padded input grid and where the kernel lands on it, on ``ax``.

    Padding cells are grey, input cells white. The first `OUTLINED_WINDOWS`
    windows are outlined in `WINDOW_COLOURS` with their K x K taps (``dilation``
    apart) filled; every window's centre is a black dot (gid ``"centres"``);
    input cells no window reads are red crosses (gid ``"unread"``). When the
    kernel does not fit, the dilated kernel is drawn dashed red over the grid
    (gid ``"misfit"``). Cells are square (equal aspect). Arguments checked
    against `LIMITS`.
    """
    g = _checked(GEOMETRY, (height, width, kernel, stride, padding, dilation))
    height, width, kernel, stride, padding, dilation = (g[name] for name in GEOMETRY)
    padded_h, padded_w = height + 2 * padding, width + 2 * padding
    shade = np.full((padded_h, padded_w), PADDING_SHADE)
    shade[padding : padding + height, padding : padding + width] = 1.0
    ax.imshow(
        shade,
        cmap="gray",
        vmin=0,
        vmax=1,
        extent=(-0.5, padded_w - 0.5, padded_h - 0.5, -0.5),
        interpolation="nearest",
    )
    grid_width = 0.4 if max(padded_h, padded_w) <= 40 else 0.2
    ax.hlines(np.arange(padded_h + 1) - 0.5, -0.5, padded_w - 0.5, color="0.6", linewidth=grid_width)
    ax.vlines(np.arange(padded_w + 1) - 0.5, -0.5, padded_h - 0.5, color="0.6", linewidth=grid_width)
    if padding:
        ax.plot(
            [], [], "s", color=str(PADDING_SHADE), markeredgecolor="0.6", label=f"padding ({padding} a side)"
        )
    span = extent(kernel, dilation)
    if misfit(height, width, kernel, padding, dilation) is not None:
        ax.add_patch(
            Rectangle(
                (-0.5, -0.5),
                span,
                span,
                fill=False,
                edgecolor="red",
                linewidth=2,
                linestyle="--",
                gid="misfit",
                label=f"dilated kernel {span}x{span}: does not fit",
            )
        )
        size = max(padded_h, padded_w, span)
        ax.set_xlim(-0.5, size - 0.5)
        ax.set_ylim(size - 0.5, -0.5)
        ax.set_title(f"the {span}x{span} kernel does not fit", fontsize=10)
    else:
        corners = kernel_positions(height, width, kernel, stride, padding, dilation)
        h_out, w_out = conv2d_output_shape(height, width, kernel, stride, padding, dilation)
        marker = max(4.0, 900.0 / max(padded_h, padded_w) ** 1.3)
        for number, (row, col) in enumerate(corners[:OUTLINED_WINDOWS]):
            colour = WINDOW_COLOURS[number]
            ax.add_patch(
                Rectangle((col - 0.5, row - 0.5), span, span, fill=False, edgecolor=colour, linewidth=2)
            )
            taps = [(row + i * dilation, col + j * dilation) for i in range(kernel) for j in range(kernel)]
            tap_rows, tap_cols = zip(*taps, strict=True)
            ax.scatter(
                tap_cols,
                tap_rows,
                marker="s",
                s=marker,
                color=colour,
                alpha=0.45,
                label=f"window {number + 1}",
            )
        centres = np.array(corners, dtype=float) + (span - 1) / 2
        ax.scatter(
            centres[:, 1],
            centres[:, 0],
            s=min(12.0, 40.0 / max(padded_h, padded_w)) if len(corners) > 1 else 12.0,
            color="black",
            gid="centres",
            label=f"centres of all {h_out * w_out} windows",
        )
        unread = np.argwhere(~read_cells(height, width, kernel, stride, padding, dilation)) + padding
        if unread.size:
            ax.scatter(unread[:, 1], unread[:, 0], marker="x", color="red", gid="unread", label="never read")
        ax.set_xlim(-0.5, padded_w - 0.5)
        ax.set_ylim(padded_h - 0.5, -0.5)
        ax.set_title(f"{h_out} x {w_out} = {h_out * w_out} window positions", fontsize=10)
    ax.set_aspect("equal")
    ax.set_xlabel("column of the padded input (cells)")
    ax.set_ylabel("row of the padded input (cells)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(False)


def _tap_columns(
    height: int, width: int, kernel: int, padding: int, dilation: int, corner: tuple[int, int]
) -> list[int]:
    """Flat indices r W + c of the input cells (not padding) a window at ``corner`` reads."""
    row, col = corner
    flat = []
    for i in range(kernel):
        for j in range(kernel):
            r, c = row + i * dilation - padding, col + j * dilation - padding
            if 0 <= r < height and 0 <= c < width:
                flat.append(r * width + c)
    return flat


def draw_im2col(
    ax: Axes,
    height: int,
    width: int,
    c_in: int,
    kernel: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
) -> None:
    """Draw the input and its im2col matrix to scale, as two matrices in the same axes (units: elements).

    The input is a C_in x (H W) rectangle (gid ``"input"``): one row per channel,
    one column per pixel, the layout im2col reads. The column buffer is a
    (C_in K^2) x (H_out W_out) rectangle (gid ``"im2col"``) to its right, one
    column per window. The first `OUTLINED_WINDOWS` columns are filled in the
    windows' colours, and the pixels each of them reads are marked in the input
    in the same colour. Nothing but the input when the kernel does not fit.
    """
    values = (height, width, c_in, kernel, stride, padding, dilation)
    names = ("height", "width", "c_in", "kernel", "stride", "padding", "dilation")
    g = _checked(names, values)
    height, width, c_in, kernel, stride, padding, dilation = (g[name] for name in names)
    pixels = height * width
    ax.add_patch(Rectangle((0, 0), pixels, c_in, facecolor="0.85", edgecolor="black", gid="input"))
    ax.text(pixels / 2, c_in, f"input\n{c_in} x {pixels:,}", ha="center", va="bottom", fontsize=8)
    right: float = pixels
    top = c_in
    if misfit(height, width, kernel, padding, dilation) is None:
        h_out, w_out = conv2d_output_shape(height, width, kernel, stride, padding, dilation)
        rows, cols = c_in * kernel * kernel, h_out * w_out
        left = pixels + max(1.0, 0.08 * max(pixels, cols))
        ax.add_patch(Rectangle((left, 0), cols, rows, facecolor="0.95", edgecolor="black", gid="im2col"))
        corners = kernel_positions(height, width, kernel, stride, padding, dilation)
        for number, corner in enumerate(corners[:OUTLINED_WINDOWS]):
            colour = WINDOW_COLOURS[number]
            ax.add_patch(Rectangle((left + number, 0), 1, rows, color=colour, alpha=0.8, linewidth=0))
            taps = _tap_columns(height, width, kernel, padding, dilation, corner)
            ax.broken_barh([(flat, 1) for flat in taps], (0, c_in), facecolors=colour, alpha=0.5)
        ax.text(left + cols / 2, rows, f"im2col\n{rows:,} x {cols:,}", ha="center", va="bottom", fontsize=8)
        right, top = left + cols, max(top, rows)
    ax.set_xlim(0, right * 1.02)
    ax.set_ylim(0, top * 1.25)
    ax.set_xlabel("matrix columns (elements)")
    ax.set_ylabel("matrix rows (elements)")
    ax.set_title(
        "im2col to scale (same axes)" if right > pixels else "no window: no im2col matrix", fontsize=10
    )
    ax.grid(False)


def figure(
    height: int,
    width: int,
    c_in: int,
    c_out: int,
    kernel: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
) -> Figure:
    """The report's figure: `draw_receptive_fields` and `draw_im2col` side by side, one legend below.

    When a window fits, the right panel's title is the matrix product the layer becomes,
    (C_out x C_in K^2) x (C_in K^2 x H_out W_out). Arguments checked against `LIMITS`.
    """
    v = _checked(ARGUMENTS, (height, width, c_in, c_out, kernel, stride, padding, dilation))
    fig, (grid, matrices) = new_figure(7.2, 3.9, ncols=2)
    draw_receptive_fields(grid, *(v[name] for name in GEOMETRY))
    draw_im2col(matrices, v["height"], v["width"], v["c_in"], *(v[name] for name in GEOMETRY[2:]))
    if misfit(v["height"], v["width"], v["kernel"], v["padding"], v["dilation"]) is None:
        rows = v["c_in"] * v["kernel"] ** 2
        cols = math.prod(conv2d_output_shape(*(v[name] for name in GEOMETRY)))
        matrices.set_title(
            f"im2col to scale; one product\n({v['c_out']:,} x {rows:,}) x ({rows:,} x {cols:,})", fontsize=10
        )
    fig.legend(
        *grid.get_legend_handles_labels(), loc="outside lower center", ncols=3, fontsize=8, handlelength=1.2
    )
    return fig


def report(
    height: int,
    width: int,
    c_in: int,
    c_out: int,
    kernel: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
) -> Report:
    """Shape, cost, parameters and float32 memory of one convolution layer on one sample, and its picture.

    Input C_in x H x W, C_out filters of K x K with bias, stride s, padding p,
    dilation d (the same along both dimensions). Per dimension
    n_out = floor((n + 2p - d(K-1) - 1)/s) + 1; MACs = multiplies =
    C_out H_out W_out C_in K^2; adds = the same number (C_in K^2 - 1 per output
    element plus 1 for the bias); FLOPs = 2 MACs; parameters C_out C_in K^2 + C_out;
    memory in float32 of the input C_in H W, the output C_out H_out W_out, the
    parameters and the im2col buffer (C_in K^2) x (H_out W_out). When the dilated
    kernel d(K-1)+1 exceeds the padded input, the text explains that instead of the
    output and costs (it does not raise). The figure: `figure`. Derived in
    notebooks/05_convolution_layer.ipynb. Raises ValueError naming the argument for
    a value outside `LIMITS`.
    """
    values = (height, width, c_in, c_out, kernel, stride, padding, dilation)
    return Report(text(*values), figure(*values))
