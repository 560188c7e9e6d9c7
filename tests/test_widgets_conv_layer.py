"""Tests of the convolution-layer widget (notebooks/05_convolution_layer.ipynb).

Every expected number is computed here, independently of the widget: output
sizes by enumerating the window positions one by one, costs from the closed
forms written out below (MACs = C_out H_out W_out C_in K^2, one bias add per
output element), parameters, float32 bytes (4 per element) and the im2col
buffer (C_in K^2) x (H_out W_out); never read from the widget's own output.
"""

from __future__ import annotations

import html
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from course_lib.conv import conv2d
from course_lib.widgets.conv_layer import (
    LIMITS,
    conv_layer_explorer,
    conv_layer_panel,
    conv_layer_report,
    draw_kernel_positions,
    kernel_positions,
    kernel_positions_png,
)

ARGUMENTS = ("height", "width", "c_in", "c_out", "kernel", "stride", "padding", "dilation")


def _in_range(name: str) -> st.SearchStrategy[int]:
    low, high = LIMITS[name]
    return st.integers(min_value=low, max_value=high)


def _starts(size: int, kernel: int, stride: int, padding: int, dilation: int) -> list[int]:
    """Brute force: every start i (a multiple of the stride) whose dilated window stays in the padded input."""
    padded, extent = size + 2 * padding, dilation * (kernel - 1) + 1
    return [i for i in range(padded) if i % stride == 0 and i + extent <= padded]


def _unread(height: int, width: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """Brute force: input cells (not padding) that no tap of any window touches."""
    touched = set()
    for row in _starts(height, kernel, stride, padding, dilation):
        for col in _starts(width, kernel, stride, padding, dilation):
            for i in range(kernel):
                for j in range(kernel):
                    touched.add((row + i * dilation, col + j * dilation))
    inside = {(r + padding, c + padding) for r in range(height) for c in range(width)}
    return len(inside - touched)


def _number(text: str, pattern: str) -> int:
    match = re.search(pattern, text, re.MULTILINE)
    assert match, f"pattern {pattern!r} not found in:\n{text}"
    return int(match.group(1).replace(",", ""))


def _bytes_line(text: str, label: str) -> tuple[int, int]:
    """(elements, bytes) on the memory line that starts with ``label``."""
    match = re.search(rf"^  {label} .*?([\d,]+) elements? = ([\d,]+) B", text, re.MULTILINE)
    assert match, f"no memory line {label!r} in:\n{text}"
    return tuple(int(group.replace(",", "")) for group in match.groups())


settings_sweep = settings(max_examples=60, deadline=None)


@settings_sweep
@given(**{name: _in_range(name) for name in ARGUMENTS})
@example(height=1, width=1, c_in=1, c_out=1, kernel=1, stride=1, padding=0, dilation=1)
@example(height=64, width=64, c_in=512, c_out=512, kernel=11, stride=1, padding=5, dilation=1)
@example(height=64, width=1, c_in=3, c_out=8, kernel=3, stride=4, padding=1, dilation=1)
@example(height=7, width=8, c_in=2, c_out=3, kernel=3, stride=2, padding=0, dilation=1)
@example(height=1, width=1, c_in=1, c_out=1, kernel=11, stride=1, padding=5, dilation=1)
@example(height=5, width=64, c_in=1, c_out=1, kernel=11, stride=1, padding=0, dilation=4)
def test_report_matches_closed_forms(
    height: int, width: int, c_in: int, c_out: int, kernel: int, stride: int, padding: int, dilation: int
) -> None:
    text = conv_layer_report(height, width, c_in, c_out, kernel, stride, padding, dilation)
    weights = c_out * c_in * kernel * kernel
    params = weights + c_out
    assert re.search(rf"{weights:,} weights .*{c_out:,} biases = {params:,}$", text, re.MULTILINE)
    extent = dilation * (kernel - 1) + 1
    if extent > min(height, width) + 2 * padding:
        assert "ERROR:" in text and "no window fits" in text
        assert "output shape" not in text and "MACs" not in text
        return
    assert "ERROR" not in text
    h_out = len(_starts(height, kernel, stride, padding, dilation))
    w_out = len(_starts(width, kernel, stride, padding, dilation))
    assert f"output shape (N, C_out, H_out, W_out) = (1, {c_out}, {h_out}, {w_out})" in text
    assert _number(text, r"H_out = floor\(.*\) \+ 1 = (\d+)$") == h_out
    assert _number(text, r"W_out = floor\(.*\) \+ 1 = (\d+)$") == w_out
    assert f"kernel positions: {h_out} x {w_out} = {h_out * w_out:,};" in text
    unread = _unread(height, width, kernel, stride, padding, dilation)
    assert f"input cells no window reads: {unread:,} of {height * width:,}" in text

    macs = c_out * h_out * w_out * c_in * kernel * kernel
    adds = c_out * h_out * w_out * (c_in * kernel * kernel - 1) + c_out * h_out * w_out
    assert _number(text, r"^  MACs .*= ([\d,]+)$") == macs
    assert _number(text, r"^  multiplies .*= ([\d,]+)$") == macs
    assert _number(text, r"^  adds .*= ([\d,]+)$") == adds
    assert _number(text, r"^  FLOPs .*= ([\d,]+)$") == macs + adds == 2 * macs

    inputs, outputs = c_in * height * width, c_out * h_out * w_out
    columns = c_in * kernel * kernel * h_out * w_out
    assert _bytes_line(text, "input") == (inputs, 4 * inputs)
    assert _bytes_line(text, "output") == (outputs, 4 * outputs)
    assert _bytes_line(text, "parameters") == (params, 4 * params)
    assert _bytes_line(text, "im2col buffer") == (columns, 4 * columns)
    assert f"im2col buffer / input = {columns / inputs:.2f} " in text


def test_hand_worked_example() -> None:
    """3 x 5 x 5 input, 2 filters of 3 x 3, stride 2, padding 1: windows start at 0, 2, 4 -> 3 x 3 output."""
    text = conv_layer_report(5, 5, 3, 2, 3, 2, 1, 1)
    assert "(1, 2, 3, 3)" in text
    assert _number(text, r"^  MACs .*= ([\d,]+)$") == 2 * 9 * 27  # 486
    assert _number(text, r"^  FLOPs .*= ([\d,]+)$") == 972
    assert "54 weights (C_out C_in K^2) + 2 biases = 56" in text  # 2*3*9 weights
    assert _bytes_line(text, "im2col buffer") == (27 * 9, 4 * 27 * 9)
    assert "im2col buffer / input = 3.24 (K^2 = 9, K^2 / s^2 = 2.25)" in text


def test_floor_leaves_the_last_column_unread() -> None:
    """Width 8, kernel 3, stride 2, no padding: windows at 0, 2, 4; column 7 is never read (7 rows of it)."""
    text = conv_layer_report(7, 8, 1, 1, 3, 2, 0, 1)
    assert "(1, 1, 3, 3)" in text
    assert "input cells no window reads: 7 of 56" in text


@settings(max_examples=60, deadline=None)
@given(
    height=_in_range("height"),
    width=_in_range("width"),
    kernel=_in_range("kernel"),
    stride=_in_range("stride"),
    padding=_in_range("padding"),
    dilation=_in_range("dilation"),
)
@example(height=7, width=8, kernel=3, stride=2, padding=0, dilation=1)
@example(height=1, width=1, kernel=1, stride=4, padding=0, dilation=4)
@example(height=64, width=64, kernel=11, stride=1, padding=5, dilation=1)
def test_kernel_positions_match_brute_force(
    height: int, width: int, kernel: int, stride: int, padding: int, dilation: int
) -> None:
    extent = dilation * (kernel - 1) + 1
    if extent > min(height, width) + 2 * padding:
        with pytest.raises(ValueError, match="no window fits"):
            kernel_positions(height, width, kernel, stride, padding, dilation)
        return
    rows = _starts(height, kernel, stride, padding, dilation)
    cols = _starts(width, kernel, stride, padding, dilation)
    expected = [(r, c) for r in rows for c in cols]
    assert kernel_positions(height, width, kernel, stride, padding, dilation) == expected


@pytest.mark.parametrize(
    ("height", "width", "kernel", "stride", "padding", "dilation"),
    [(5, 7, 3, 1, 0, 1), (7, 8, 3, 2, 1, 1), (9, 6, 2, 3, 2, 2), (6, 6, 1, 4, 0, 1), (10, 11, 3, 2, 0, 3)],
)
def test_kernel_positions_are_where_the_convolution_reads(
    height: int, width: int, kernel: int, stride: int, padding: int, dilation: int
) -> None:
    """A filter that is 1 at its first tap and 0 elsewhere copies the padded input at each window's corner."""
    padded = np.arange(1.0, (height + 2 * padding) * (width + 2 * padding) + 1).reshape(
        height + 2 * padding, width + 2 * padding
    )
    x = padded[padding : padding + height, padding : padding + width]
    w = np.zeros((1, 1, kernel, kernel))
    w[0, 0, 0, 0] = 1.0
    out = conv2d(x[None, None], w, stride=stride, padding=padding, dilation=dilation)[0, 0]
    corners = kernel_positions(height, width, kernel, stride, padding, dilation)
    assert len(corners) == out.size
    # value at padded cell (r, c) is r*W_pad + c + 1 inside the input, 0 in the padding
    inside = np.zeros_like(padded)
    inside[padding : padding + height, padding : padding + width] = x
    assert out.ravel().tolist() == [inside[r, c] for r, c in corners]


@pytest.mark.parametrize("name", ARGUMENTS)
def test_bad_input_names_the_argument(name: str) -> None:
    good = {
        "height": 8,
        "width": 8,
        "c_in": 3,
        "c_out": 4,
        "kernel": 3,
        "stride": 1,
        "padding": 1,
        "dilation": 1,
    }
    low, high = LIMITS[name]
    for bad in (low - 1, high + 1, 2.0, "3", None, True):
        values = {**good, name: bad}
        with pytest.raises(ValueError, match=rf"^{name} must be an integer between {low} and {high}"):
            conv_layer_report(**values)
        assert conv_layer_panel(**values).startswith(f"invalid input: {name} must be")
    assert "(1, 4, 8, 8)" in conv_layer_report(**{**good, name: good[name]})


def test_geometry_arguments_of_kernel_positions_are_checked() -> None:
    with pytest.raises(ValueError, match=r"^stride must be an integer between 1 and 4"):
        kernel_positions(8, 8, 3, 0)
    with pytest.raises(ValueError, match=r"^padding must be an integer between 0 and 5"):
        kernel_positions(8, 8, 3, 1, -1)
    with pytest.raises(ValueError, match=r"^kernel must be an integer"):
        draw_kernel_positions(8, 8, 2.5)


def test_report_accepts_numpy_integers_and_is_deterministic() -> None:
    args = (np.int64(9), np.int32(6), 2, 5, 3, 2, 1, 2)
    assert conv_layer_report(*args) == conv_layer_report(9, 6, 2, 5, 3, 2, 1, 2)
    assert "(1, 5, 4, 2)" in conv_layer_report(*args)  # floor((9+2-4-1)/2)+1 = 4, floor((6+2-4-1)/2)+1 = 2


def test_drawing_has_labelled_axes_and_survives_a_misfit() -> None:
    for geometry in ((7, 8, 3, 2, 0, 1), (4, 4, 11, 1, 1, 2), (64, 64, 11, 1, 5, 4)):
        fig = draw_kernel_positions(*geometry)
        ax = fig.axes[0]
        assert "padded input" in ax.get_xlabel() and "(cells)" in ax.get_xlabel()
        assert "padded input" in ax.get_ylabel()
        plt.close(fig)
    fig = draw_kernel_positions(4, 4, 11, 1, 1, 2)
    assert "does not fit" in fig.axes[0].get_title()
    plt.close(fig)
    png = kernel_positions_png(7, 8, 3, 2, 0, 1)
    assert png.startswith(b"\x89PNG") and png == kernel_positions_png(7, 8, 3, 2, 0, 1)


def _panel_text(explorer: object) -> str:
    value = explorer.panel.value
    assert value.startswith("<pre>") and value.endswith("</pre>")
    return html.unescape(value[len("<pre>") : -len("</pre>")])


def test_explorer_sliders_are_bounded_and_come_first() -> None:
    explorer = conv_layer_explorer()
    assert list(explorer.controls) == list(ARGUMENTS)
    for name, control in explorer.controls.items():
        assert (control.min, control.max) == LIMITS[name]
    assert repr(explorer).startswith("ConvLayerExplorer(children=(IntSlider(value=")


def test_explorer_updates_text_and_drawing_and_shows_errors_in_the_panel() -> None:
    explorer = conv_layer_explorer(
        height=8, width=8, c_in=2, c_out=4, kernel=3, stride=1, padding=1, dilation=1
    )
    assert "(1, 4, 8, 8)" in _panel_text(explorer)
    first_png = bytes(explorer.image.value)
    assert first_png.startswith(b"\x89PNG")
    explorer.controls["stride"].value = 2
    assert "(1, 4, 4, 4)" in _panel_text(explorer)
    assert bytes(explorer.image.value).startswith(b"\x89PNG") and bytes(explorer.image.value) != first_png
    explorer.controls["padding"].value = 0
    explorer.controls["kernel"].value = 11  # 11 > 8 + 0: does not fit
    text = _panel_text(explorer)
    assert "ERROR:" in text and "no window fits" in text
    assert bytes(explorer.image.value).startswith(b"\x89PNG")
    explorer.controls["dilation"].value = 4
    assert "spans 41x41 input cells" in _panel_text(explorer)
