"""Tests of the convolution-layer report (notebooks/05_convolution_layer.ipynb), text and figure.

Every expected number is computed here, independently of the report: output
sizes by enumerating the window positions one by one, costs from the closed
forms written out below (MACs = C_out H_out W_out C_in K^2, one bias add per
output element), parameters, float32 bytes (4 per element) and the im2col
buffer (C_in K^2) x (H_out W_out); never read from the report's own output.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from course_lib.conv import conv2d, im2col
from course_lib.reports import Report, conv_layer
from course_lib.reports.conv_layer import ARGUMENTS, LIMITS, figure, kernel_positions, report, text


def _in_range(name: str) -> st.SearchStrategy[int]:
    low, high = LIMITS[name]
    return st.integers(min_value=low, max_value=high)


def _starts(size: int, kernel: int, stride: int, padding: int, dilation: int) -> list[int]:
    """Brute force: every start i (a multiple of the stride) whose dilated window stays in the padded input."""
    padded, extent = size + 2 * padding, dilation * (kernel - 1) + 1
    return [i for i in range(padded) if i % stride == 0 and i + extent <= padded]


def _touched(height: int, width: int, kernel: int, stride: int, padding: int, dilation: int) -> set:
    """Brute force: padded cells that some tap of some window reads."""
    return {
        (row + i * dilation, col + j * dilation)
        for row in _starts(height, kernel, stride, padding, dilation)
        for col in _starts(width, kernel, stride, padding, dilation)
        for i in range(kernel)
        for j in range(kernel)
    }


def _unread(height: int, width: int, kernel: int, stride: int, padding: int, dilation: int) -> set:
    inside = {(r + padding, c + padding) for r in range(height) for c in range(width)}
    return inside - _touched(height, width, kernel, stride, padding, dilation)


def _number(text: str, pattern: str) -> int:
    match = re.search(pattern, text, re.MULTILINE)
    assert match, f"pattern {pattern!r} not found in:\n{text}"
    return int(match.group(1).replace(",", ""))


def _bytes_line(text: str, label: str) -> tuple[int, int]:
    """(elements, bytes) on the memory line that starts with ``label``."""
    match = re.search(rf"^  {label} .*?([\d,]+) elements? = ([\d,]+) B", text, re.MULTILINE)
    assert match, f"no memory line {label!r} in:\n{text}"
    return tuple(int(group.replace(",", "")) for group in match.groups())


def _fits(height: int, width: int, kernel: int, padding: int, dilation: int) -> bool:
    return dilation * (kernel - 1) + 1 <= min(height, width) + 2 * padding


@settings(max_examples=80, deadline=None)
@given(**{name: _in_range(name) for name in ARGUMENTS})
@example(height=1, width=1, c_in=1, c_out=1, kernel=1, stride=1, padding=0, dilation=1)
@example(height=64, width=64, c_in=512, c_out=512, kernel=11, stride=1, padding=5, dilation=1)
@example(height=64, width=1, c_in=3, c_out=8, kernel=3, stride=4, padding=1, dilation=1)
@example(height=7, width=8, c_in=2, c_out=3, kernel=3, stride=2, padding=0, dilation=1)
@example(height=1, width=1, c_in=1, c_out=1, kernel=11, stride=1, padding=5, dilation=1)
@example(height=5, width=64, c_in=1, c_out=1, kernel=11, stride=1, padding=0, dilation=4)
def test_text_matches_closed_forms(height, width, c_in, c_out, kernel, stride, padding, dilation) -> None:
    shown = text(height, width, c_in, c_out, kernel, stride, padding, dilation)
    weights = c_out * c_in * kernel * kernel
    params = weights + c_out
    assert re.search(rf"{weights:,} weights .*{c_out:,} biases = {params:,}$", shown, re.MULTILINE)
    if not _fits(height, width, kernel, padding, dilation):
        assert "ERROR:" in shown and "no window fits" in shown
        assert "output shape" not in shown and "MACs" not in shown
        return
    assert "ERROR" not in shown
    h_out = len(_starts(height, kernel, stride, padding, dilation))
    w_out = len(_starts(width, kernel, stride, padding, dilation))
    assert f"output shape (N, C_out, H_out, W_out) = (1, {c_out}, {h_out}, {w_out})" in shown
    assert _number(shown, r"H_out = floor\(.*\) \+ 1 = (\d+)$") == h_out
    assert _number(shown, r"W_out = floor\(.*\) \+ 1 = (\d+)$") == w_out
    unread = len(_unread(height, width, kernel, stride, padding, dilation))
    assert f"kernel positions: {h_out} x {w_out} = {h_out * w_out:,};" in shown
    assert f"input cells no window reads: {unread:,} of {height * width:,}" in shown

    macs = c_out * h_out * w_out * c_in * kernel * kernel
    adds = c_out * h_out * w_out * (c_in * kernel * kernel - 1) + c_out * h_out * w_out
    assert _number(shown, r"^  MACs .*= ([\d,]+)$") == macs
    assert _number(shown, r"^  multiplies .*= ([\d,]+)$") == macs
    assert _number(shown, r"^  adds .*= ([\d,]+)$") == adds
    assert _number(shown, r"^  FLOPs .*= ([\d,]+)$") == macs + adds == 2 * macs

    inputs, outputs = c_in * height * width, c_out * h_out * w_out
    columns = c_in * kernel * kernel * h_out * w_out
    assert _bytes_line(shown, "input") == (inputs, 4 * inputs)
    assert _bytes_line(shown, "output") == (outputs, 4 * outputs)
    assert _bytes_line(shown, "parameters") == (params, 4 * params)
    assert _bytes_line(shown, "im2col buffer") == (columns, 4 * columns)
    assert f"im2col buffer / input = {columns / inputs:.2f} " in shown


def test_hand_worked_example() -> None:
    """3 x 5 x 5 input, 2 filters of 3 x 3, stride 2, padding 1: windows start at 0, 2, 4 -> 3 x 3 output."""
    shown = text(5, 5, 3, 2, 3, 2, 1, 1)
    assert "(1, 2, 3, 3)" in shown
    assert _number(shown, r"^  MACs .*= ([\d,]+)$") == 2 * 9 * 27  # 486
    assert _number(shown, r"^  FLOPs .*= ([\d,]+)$") == 972
    assert "54 weights (C_out C_in K^2) + 2 biases = 56" in shown  # 2*3*9 weights
    assert _bytes_line(shown, "im2col buffer") == (27 * 9, 4 * 27 * 9)
    assert "im2col buffer / input = 3.24 (K^2 = 9, K^2 / s^2 = 2.25)" in shown
    # below 1,000 bytes in bytes only; above, also in SI units (1 kB = 1,000 bytes)
    assert "= 75 elements = 300 B\n" in shown and "= 972 B\n" in shown
    assert "324 elements = 1,296 B (1.3 kB)" in text(12, 9, 3, 16, 3, 2, 1, 1)


def test_floor_leaves_the_last_column_unread() -> None:
    """Width 8, kernel 3, stride 2, no padding: windows at 0, 2, 4; column 7 is never read (7 rows of it)."""
    shown = text(7, 8, 1, 1, 3, 2, 0, 1)
    assert "(1, 1, 3, 3)" in shown
    assert "input cells no window reads: 7 of 56" in shown


@settings(max_examples=60, deadline=None)
@given(**{name: _in_range(name) for name in ("height", "width", "kernel", "stride", "padding", "dilation")})
@example(height=7, width=8, kernel=3, stride=2, padding=0, dilation=1)
@example(height=1, width=1, kernel=1, stride=4, padding=0, dilation=4)
@example(height=64, width=64, kernel=11, stride=1, padding=5, dilation=1)
def test_kernel_positions_match_brute_force(height, width, kernel, stride, padding, dilation) -> None:
    if not _fits(height, width, kernel, padding, dilation):
        with pytest.raises(ValueError, match="no window fits"):
            kernel_positions(height, width, kernel, stride, padding, dilation)
        return
    rows = _starts(height, kernel, stride, padding, dilation)
    cols = _starts(width, kernel, stride, padding, dilation)
    assert kernel_positions(height, width, kernel, stride, padding, dilation) == [
        (r, c) for r in rows for c in cols
    ]


@pytest.mark.parametrize(
    ("height", "width", "kernel", "stride", "padding", "dilation"),
    [(5, 7, 3, 1, 0, 1), (7, 8, 3, 2, 1, 1), (9, 6, 2, 3, 2, 2), (6, 6, 1, 4, 0, 1), (10, 11, 3, 2, 0, 3)],
)
def test_kernel_positions_are_where_the_convolution_reads(height, width, kernel, stride, padding, dilation):
    """A filter that is 1 at its first tap and 0 elsewhere copies the padded input at each window's corner."""
    padded = np.arange(1.0, (height + 2 * padding) * (width + 2 * padding) + 1).reshape(
        height + 2 * padding, width + 2 * padding
    )
    x = padded[padding : padding + height, padding : padding + width]
    w = np.zeros((1, 1, kernel, kernel))
    w[0, 0, 0, 0] = 1.0
    out = conv2d(x[None, None], w, stride=stride, padding=padding, dilation=dilation)[0, 0]
    corners = kernel_positions(height, width, kernel, stride, padding, dilation)
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
        for function in (text, figure):
            with pytest.raises(ValueError, match=rf"^{name} must be an integer between {low} and {high}"):
                function(**{**good, name: bad})


def test_text_accepts_numpy_integers_and_is_deterministic() -> None:
    args = (np.int64(9), np.int32(6), 2, 5, 3, 2, 1, 2)
    assert text(*args) == text(9, 6, 2, 5, 3, 2, 1, 2)
    assert "(1, 5, 4, 2)" in text(*args)  # floor((9+2-4-1)/2)+1 = 4, floor((6+2-4-1)/2)+1 = 2


# ------------------------------------------------------------------ the figure

# Settings spanning the sliders' ranges: smallest, largest, odd strides and dilations, a floor
# that leaves cells unread, a single window, and kernels that do not fit.
FIGURE_SETTINGS = [
    (1, 1, 1, 1, 1, 1, 0, 1),
    (12, 9, 3, 16, 3, 2, 1, 1),
    (7, 8, 2, 3, 3, 2, 0, 1),
    (6, 6, 1, 1, 3, 1, 1, 2),
    (64, 64, 512, 512, 11, 1, 5, 1),
    (64, 1, 3, 8, 3, 4, 1, 1),
    (10, 11, 5, 7, 2, 3, 0, 3),
    (5, 5, 3, 16, 3, 1, 0, 3),  # 7x7 dilated kernel on a 5x5 input: no window fits
    (4, 4, 1, 1, 11, 1, 1, 2),
]


def _by_gid(ax, gid: str) -> list:
    return [artist for artist in (*ax.patches, *ax.collections) if artist.get_gid() == gid]


@pytest.mark.parametrize("values", FIGURE_SETTINGS, ids=lambda v: "-".join(map(str, v)))
def test_figure_draws_the_windows_and_im2col_to_scale(values) -> None:
    height, width, c_in, _, kernel, stride, padding, dilation = values
    fig = figure(*values)
    grid, matrices = fig.axes
    for ax in (grid, matrices):
        assert ax.get_xlabel() and ax.get_ylabel()
    assert grid.get_xlabel() == "column of the padded input (cells)"
    assert matrices.get_xlabel() == "matrix columns (elements)"
    assert grid.get_aspect() == 1.0  # square cells

    (source,) = _by_gid(matrices, "input")
    assert (source.get_width(), source.get_height()) == (height * width, c_in)
    if not _fits(height, width, kernel, padding, dilation):
        assert _by_gid(grid, "misfit") and not _by_gid(matrices, "im2col") and not _by_gid(grid, "centres")
        span = dilation * (kernel - 1) + 1
        (box,) = _by_gid(grid, "misfit")
        assert (box.get_width(), box.get_height()) == (span, span)
        return
    rows = _starts(height, kernel, stride, padding, dilation)
    cols = _starts(width, kernel, stride, padding, dilation)
    (columns,) = _by_gid(matrices, "im2col")
    assert (columns.get_height(), columns.get_width()) == (c_in * kernel * kernel, len(rows) * len(cols))
    if columns.get_width() * columns.get_height() < 10**5:  # the buffer conv2d really builds, if small
        buffer = im2col(np.zeros((1, c_in, height, width)), kernel, stride, padding, dilation)
        assert buffer.shape == (1, columns.get_height(), columns.get_width())
    c_out = values[3]
    assert matrices.get_title().endswith(
        f"({c_out:,} x {c_in * kernel**2:,}) x ({c_in * kernel**2:,} x {len(rows) * len(cols):,})"
    )
    (centres,) = _by_gid(grid, "centres")
    half = dilation * (kernel - 1) / 2
    expected = sorted((c + half, r + half) for r in rows for c in cols)
    assert sorted(map(tuple, centres.get_offsets().tolist())) == expected
    unread = _by_gid(grid, "unread")
    missing = _unread(height, width, kernel, stride, padding, dilation)
    if missing:
        (crosses,) = unread
        assert sorted(map(tuple, crosses.get_offsets().tolist())) == sorted((c, r) for r, c in missing)
    else:
        assert not unread


def test_report_is_the_text_and_the_figure() -> None:
    result = report(12, 9, 3, 16, 3, 2, 1, 1)
    assert isinstance(result, Report)
    assert result.text == text(12, 9, 3, 16, 3, 2, 1, 1)
    assert len(result.figure.axes) == 2
    assert conv_layer.report is report
