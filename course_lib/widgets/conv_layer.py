"""Widget experiment of notebooks/05_convolution_layer.ipynb: one convolution layer, sized and drawn.

`conv_layer_report` is the pure part. For one sample (N = 1) of C_in x H x W,
C_out square K x K filters with bias, stride s, zero padding p and dilation d
it gives, per spatial dimension,

    n_out = floor((n + 2p - d (K - 1) - 1) / s) + 1,

the output shape (1, C_out, H_out, W_out), the number of kernel positions and
of input cells no window reads, and

    MACs = multiplies = C_out H_out W_out C_in K^2,
    adds = C_out H_out W_out C_in K^2  (C_in K^2 - 1 per dot product + 1 for the bias),
    FLOPs = multiplies + adds,
    parameters = C_out C_in K^2 + C_out,

with the float32 bytes of the input, the output, the parameters and the im2col
buffer (C_in K^2) x (H_out W_out). The counts come from the closed forms of
`course_lib.complexity.conv` (exact ints, instant at every slider setting);
tests/test_widgets_conv_layer.py checks them against closed forms written in
the test. When the dilated kernel d (K - 1) + 1 is larger than the padded
input, the report says so in words instead of raising.

`kernel_positions` lists the top-left corner of every window (pure), and
`draw_kernel_positions` draws them on the padded input grid (matplotlib).
`conv_layer_explorer` puts sliders above the report and the drawing (a PNG in
an ``ipywidgets.Image``), both redrawn when a slider is released.
"""

from __future__ import annotations

import io
import operator
import textwrap

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from course_lib.complexity.conv import (
    conv2d_forward_cost,
    conv2d_im2col_elements,
    conv2d_output_elements,
    conv2d_output_shape,
    conv2d_params,
)
from course_lib.widgets.base import Explorer, int_slider

FLOAT32_BYTES = 4
"""Bytes per float32 element, the dtype the report's memory is given in."""

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

REPORT_WIDTH = 92
"""Characters per line at which the report wraps its error message."""

OUTLINED_WINDOWS = 3
"""How many windows `draw_kernel_positions` outlines (the first ones in row-major order)."""

_WINDOW_COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:brown")


def _check(name: str, value: object) -> int:
    """``value`` as an int within `LIMITS`[name], or ValueError naming the argument."""
    low, high = LIMITS[name]
    wanted = f"{name} must be an integer between {low} and {high}"
    if isinstance(value, bool):
        raise ValueError(f"{wanted}, got {value!r}")
    try:
        exact = operator.index(value)
    except TypeError:
        raise ValueError(f"{wanted}, got {value!r}") from None
    if not low <= exact <= high:
        raise ValueError(f"{wanted}, got {exact}")
    return int(exact)


def _extent(kernel: int, dilation: int) -> int:
    """Input cells one dilated kernel spans along a dimension: d (K - 1) + 1."""
    return dilation * (kernel - 1) + 1


def _misfit(height: int, width: int, kernel: int, padding: int, dilation: int) -> str | None:
    """The reason no window fits, in words, or None when the kernel fits."""
    extent = _extent(kernel, dilation)
    padded_h, padded_w = height + 2 * padding, width + 2 * padding
    if extent <= padded_h and extent <= padded_w:
        return None
    return (
        f"kernel {kernel}x{kernel} with dilation {dilation} spans {extent}x{extent} input cells "
        f"(d(K-1)+1 = {dilation}*({kernel}-1)+1 = {extent}), more than the padded input "
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
    (the order of the output elements), H_out W_out corners with H_out, W_out from
    floor((n + 2p - d (K - 1) - 1) / s) + 1. Raises ValueError (naming the argument)
    for a value outside `LIMITS`, or when the dilated kernel does not fit the padded
    input. Derived in notebooks/05_convolution_layer.ipynb.
    """
    height, width = _check("height", height), _check("width", width)
    kernel, stride = _check("kernel", kernel), _check("stride", stride)
    padding, dilation = _check("padding", padding), _check("dilation", dilation)
    reason = _misfit(height, width, kernel, padding, dilation)
    if reason is not None:
        raise ValueError(reason)
    h_out, w_out = conv2d_output_shape(height, width, kernel, stride, padding, dilation)
    return [(r * stride, c * stride) for r in range(h_out) for c in range(w_out)]


def _bytes(elements: int) -> str:
    """``elements`` float32 values as elements and bytes, with KiB / MiB when that reads better."""
    size = elements * FLOAT32_BYTES
    text = f"{elements:,} element{'s' if elements != 1 else ''} = {size:,} B"
    if size >= 2**20:
        return f"{text} ({size / 2**20:.1f} MiB)"
    if size >= 2**10:
        return f"{text} ({size / 2**10:.1f} KiB)"
    return text


def _read_cells(height: int, width: int, kernel: int, stride: int, padding: int, dilation: int) -> np.ndarray:
    """Boolean (H, W) mask of the input cells at least one window reads (all False if none fits)."""
    read = np.zeros((height + 2 * padding, width + 2 * padding), dtype=bool)
    if _misfit(height, width, kernel, padding, dilation) is None:
        h_out, w_out = conv2d_output_shape(height, width, kernel, stride, padding, dilation)
        for i in range(kernel):
            for j in range(kernel):
                rows = slice(i * dilation, i * dilation + stride * (h_out - 1) + 1, stride)
                cols = slice(j * dilation, j * dilation + stride * (w_out - 1) + 1, stride)
                read[rows, cols] = True
    return read[padding : padding + height, padding : padding + width]


def conv_layer_report(
    height: int,
    width: int,
    c_in: int,
    c_out: int,
    kernel: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
) -> str:
    """Shape, cost, parameters and float32 memory of one convolution layer on one sample, as text.

    Input C_in x H x W, C_out filters of K x K with bias, stride s, padding p,
    dilation d (the same along both dimensions). Per dimension
    n_out = floor((n + 2p - d(K-1) - 1)/s) + 1; MACs = multiplies =
    C_out H_out W_out C_in K^2; adds = the same number (C_in K^2 - 1 per output
    element plus 1 for the bias); FLOPs = 2 MACs; parameters C_out C_in K^2 + C_out;
    memory in float32 (4 bytes) of the input C_in H W, the output C_out H_out W_out,
    the parameters and the im2col buffer (C_in K^2) x (H_out W_out). When the dilated
    kernel d(K-1)+1 exceeds the padded input, the text explains that instead of the
    output and costs (it does not raise). Derived in notebooks/05_convolution_layer.ipynb.
    Raises ValueError naming the argument for a value outside `LIMITS`.
    """
    height, width = _check("height", height), _check("width", width)
    c_in, c_out = _check("c_in", c_in), _check("c_out", c_out)
    kernel, stride = _check("kernel", kernel), _check("stride", stride)
    padding, dilation = _check("padding", padding), _check("dilation", dilation)

    params = conv2d_params(c_in, c_out, kernel)
    weights = params - c_out
    lines = [
        f"input (C_in, H, W) = ({c_in}, {height}, {width}), one sample; "
        f"{c_out} filter{'s' if c_out != 1 else ''} of {c_in} x {kernel} x {kernel} with bias",
        f"stride {stride}, padding {padding}, dilation {dilation}",
        "",
        "output size per dimension: floor((n + 2p - d(K-1) - 1) / s) + 1",
    ]
    reason = _misfit(height, width, kernel, padding, dilation)
    if reason is not None:
        lines += [
            textwrap.fill(f"ERROR: {reason}", width=REPORT_WIDTH, subsequent_indent="  "),
            "",
            f"parameters (do not depend on the input): {weights:,} weights + {c_out:,} biases = {params:,}",
        ]
        return "\n".join(lines)

    h_out, w_out = conv2d_output_shape(height, width, kernel, stride, padding, dilation)
    geometry = {"stride": stride, "padding": padding, "dilation": dilation}
    cost = conv2d_forward_cost(c_in, height, width, c_out, kernel, **geometry)
    outputs = conv2d_output_elements(c_in, height, width, c_out, kernel, **geometry)
    columns = conv2d_im2col_elements(c_in, height, width, kernel, **geometry)
    inputs = c_in * height * width
    unread = int(np.count_nonzero(~_read_cells(height, width, kernel, stride, padding, dilation)))
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
        f"memory in float32 ({FLOAT32_BYTES} bytes per element)",
        f"  input          C_in H W          = {_bytes(inputs)}",
        f"  output         C_out H_out W_out = {_bytes(outputs)}",
        f"  parameters                       = {_bytes(params)}",
        f"  im2col buffer  (C_in K^2) x (H_out W_out) = {length:,} x {h_out * w_out:,} = {_bytes(columns)}",
        f"  im2col buffer / input = {columns / inputs:.2f} (K^2 = {kernel * kernel}, "
        f"K^2 / s^2 = {kernel * kernel / stride**2:.2f})",
    ]
    return "\n".join(lines)


def conv_layer_panel(**values: int) -> str:
    """`conv_layer_report`, or the line ``"invalid input: <message>"`` instead of a ValueError."""
    try:
        return conv_layer_report(**values)
    except ValueError as error:
        return f"invalid input: {error}"


def _draw(
    ax: plt.Axes, height: int, width: int, kernel: int, stride: int, padding: int, dilation: int
) -> None:
    """Draw the padded grid, the first windows and every window centre on ``ax``."""
    padded_h, padded_w = height + 2 * padding, width + 2 * padding
    shade = np.full((padded_h, padded_w), 0.82)
    shade[padding : padding + height, padding : padding + width] = 1.0
    ax.imshow(
        shade,
        cmap="gray",
        vmin=0,
        vmax=1,
        extent=(-0.5, padded_w - 0.5, padded_h - 0.5, -0.5),
        interpolation="nearest",
    )
    line = {"color": "0.6", "linewidth": 0.4 if max(padded_h, padded_w) <= 40 else 0.2}
    ax.hlines(np.arange(padded_h + 1) - 0.5, -0.5, padded_w - 0.5, **line)
    ax.vlines(np.arange(padded_w + 1) - 0.5, -0.5, padded_h - 0.5, **line)
    ax.plot([], [], "s", color="0.82", markeredgecolor="0.6", label=f"padding ({padding} on each side)")
    extent = _extent(kernel, dilation)
    reason = _misfit(height, width, kernel, padding, dilation)
    if reason is not None:
        ax.add_patch(
            Rectangle((-0.5, -0.5), extent, extent, fill=False, edgecolor="red", linewidth=2, linestyle="--")
        )
        ax.plot([], [], "--", color="red", label=f"dilated kernel {extent}x{extent}: does not fit")
        ax.set_xlim(-0.5, max(padded_w, extent) - 0.5)
        ax.set_ylim(max(padded_h, extent) - 0.5, -0.5)
        ax.set_title(f"{height}x{width} input, padding {padding}: the {extent}x{extent} kernel does not fit")
    else:
        corners = kernel_positions(height, width, kernel, stride, padding, dilation)
        h_out, w_out = conv2d_output_shape(height, width, kernel, stride, padding, dilation)
        for number, (row, col) in enumerate(corners[:OUTLINED_WINDOWS]):
            colour = _WINDOW_COLOURS[number % len(_WINDOW_COLOURS)]
            ax.add_patch(
                Rectangle((col - 0.5, row - 0.5), extent, extent, fill=False, edgecolor=colour, linewidth=2)
            )
            taps = [(row + i * dilation, col + j * dilation) for i in range(kernel) for j in range(kernel)]
            tap_rows, tap_cols = zip(*taps, strict=True)
            ax.scatter(
                tap_cols,
                tap_rows,
                marker="s",
                s=max(4.0, 900.0 / max(padded_h, padded_w) ** 1.3),
                color=colour,
                alpha=0.45,
                label=f"window {number + 1}: taps and outline",
            )
        centres = np.array(corners, dtype=float) + (extent - 1) / 2
        ax.scatter(
            centres[:, 1],
            centres[:, 0],
            s=max(2.0, 60.0 / max(padded_h, padded_w) ** 0.8),
            color="black",
            label=f"centres of all {h_out}x{w_out} windows",
        )
        unread = np.argwhere(~_read_cells(height, width, kernel, stride, padding, dilation)) + padding
        if unread.size:
            ax.scatter(
                unread[:, 1], unread[:, 0], marker="x", color="red", label="input cells no window reads"
            )
        ax.set_xlim(-0.5, padded_w - 0.5)
        ax.set_ylim(padded_h - 0.5, -0.5)
        ax.set_title(
            f"{height}x{width} input, kernel {kernel}, stride {stride}, padding {padding}, "
            f"dilation {dilation}: {h_out}x{w_out} output"
        )
    ax.set_xlabel("column of the padded input (cells)")
    ax.set_ylabel("row of the padded input (cells)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8)


def draw_kernel_positions(
    height: int,
    width: int,
    kernel: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    ax: plt.Axes | None = None,
) -> Figure:
    """A figure of the padded input grid and where the kernel lands on it.

    Padding cells are grey, input cells white. The first `OUTLINED_WINDOWS`
    windows (row-major order, see `kernel_positions`) are outlined in colour with
    their K x K taps (spaced ``dilation`` apart) filled; every window's centre is a
    black dot; input cells that no window reads (what the floor in the output-size
    formula, or a stride larger than the dilated kernel, leaves out) are marked with
    a red x. When the kernel does not fit, the dilated kernel is drawn dashed red
    over the grid instead. Draws on ``ax`` if given (else a new pyplot figure) and
    returns the figure. Arguments as in `kernel_positions` (checked against `LIMITS`).
    """
    height, width = _check("height", height), _check("width", width)
    kernel, stride = _check("kernel", kernel), _check("stride", stride)
    padding, dilation = _check("padding", padding), _check("dilation", dilation)
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 4.5))
    _draw(ax, height, width, kernel, stride, padding, dilation)
    return ax.figure


def kernel_positions_png(
    height: int, width: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> bytes:
    """`draw_kernel_positions` rendered to PNG bytes, without pyplot (so nothing shows in a notebook)."""
    fig = Figure(figsize=(7.5, 4.5), dpi=80)
    ax = fig.add_subplot()
    draw_kernel_positions(height, width, kernel, stride, padding, dilation, ax=ax)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


class ConvLayerExplorer(Explorer):
    """Sliders above the `conv_layer_panel` text and the `kernel_positions_png` drawing, side by side."""

    def __init__(self, controls: dict[str, widgets.IntSlider]) -> None:
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="600px"))
        super().__init__(conv_layer_panel, controls)
        self.children = (*self.controls.values(), widgets.HBox([self.panel, self.image]))

    def refresh(self, _change: object = None) -> None:
        """Recompute the report and redraw the kernel positions for the current slider values."""
        super().refresh()
        values = self.values()
        geometry = {
            name: values[name] for name in ("height", "width", "kernel", "stride", "padding", "dilation")
        }
        try:
            self.image.value = kernel_positions_png(**geometry)
        except ValueError:  # out-of-range values: the panel already shows the message
            self.image.value = b""


def conv_layer_explorer(
    height: int = 12,
    width: int = 9,
    c_in: int = 3,
    c_out: int = 16,
    kernel: int = 3,
    stride: int = 2,
    padding: int = 1,
    dilation: int = 1,
) -> ConvLayerExplorer:
    """Sliders for every argument of `conv_layer_report` (ranges in `LIMITS`), the report and the drawing."""
    start = {
        "height": height,
        "width": width,
        "c_in": c_in,
        "c_out": c_out,
        "kernel": kernel,
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
    }
    controls = {name: int_slider(name, value, *LIMITS[name]) for name, value in start.items()}
    return ConvLayerExplorer(controls)
