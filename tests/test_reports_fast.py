"""Tests of notebook 08's Winograd report (course_lib.reports.fast) and its explorer.

Expected numbers are worked out here independently of the report: tile counts from the
output size by ceiling division, the direct layer's MACs C_out H_out W_out C_in 9, and the
GEMM stage of Winograd alpha^2 C_in C_out per tile, checked against the counter by running
the implementation (course_lib.fast) at the same setting.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.counting import count_ops
from course_lib.fast.winograd import winograd_conv2d
from course_lib.reports import Report
from course_lib.reports.fast import LIMITS, TILE_SIDES, report, text


def _row(report_text: str, label: str) -> tuple[int, int, int]:
    line = next(line for line in report_text.splitlines() if line.startswith(label))
    return tuple(int(v.replace(",", "")) for v in re.findall(r"[\d,]{2,}|\b\d\b", line[len(label) :]))


def test_resnet_conv4_sized_layer_by_hand() -> None:
    out = text(14, 14, 64, 64, tile=4, padding=1)
    # 14 x 14 outputs in tiles of 4: ceil(14/4) = 4 per side, 16 tiles, 256 computed, 60 thrown away.
    assert "4 x 4 = 16 tiles of 4x4 outputs" in out
    assert "outputs computed 256, kept 196, thrown away 60" in out
    assert "alpha^2 = 36 instead of 9 m^2 = 144 (4.00x fewer)" in out
    direct = _row(out, "direct (im2col + GEMM)")
    assert direct[0] == 64 * 14 * 14 * 64 * 9  # multiplies
    assert direct[2] == 64 * 9 * 14 * 14  # im2col columns


@settings(max_examples=15, deadline=None)
@given(
    height=st.integers(3, 12),
    width=st.integers(3, 12),
    c_in=st.integers(1, 6),
    c_out=st.integers(1, 6),
    tile=st.sampled_from(TILE_SIDES),
    padding=st.integers(0, 2),
)
def test_rows_equal_counted_runs(height, width, c_in, c_out, tile, padding) -> None:
    out = text(height, width, c_in, c_out, tile, padding)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, c_in, height, width))
    w = rng.standard_normal((c_out, c_in, 3, 3))
    for transform, label in (("blas", "matrix"), ("sparse", "sparse")):
        with count_ops() as counter:
            winograd_conv2d(x, w, np.zeros(c_out), padding=padding, tile=tile, transform=transform)
        row = _row(out, f"Winograd F({tile}x{tile},3x3), {label} transforms")
        assert row[:2] == (counter.multiplies, counter.adds)


def test_report_draws_two_panels() -> None:
    result = report(9, 7, 8, 8, tile=2, padding=1)
    assert isinstance(result, Report)
    tiling, pipeline = result.figure.axes
    assert tiling.get_xlabel() == "input column (padded)"
    assert tiling.get_ylabel() == "input row (padded)"
    assert "5 x 4 output tiles of 2x2" in tiling.get_title()
    assert "F(2x2,3x3)" in pipeline.get_title()
    assert result.text == text(9, 7, 8, 8, tile=2, padding=1)
    assert result.png().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"tile": 3}, "tile must be one of 2, 4; got 3"),
        ({"height": 0}, "height must be an integer between 1 and 32"),
        ({"c_in": 513}, "c_in must be an integer between 1 and 512"),
        ({"padding": 3}, "padding must be an integer between 0 and 2"),
        ({"height": 1, "padding": 0}, "height 1 with padding 0 is 1 cells: a 3x3 kernel needs at least 3"),
    ],
)
def test_bad_values_name_the_argument(kwargs, match) -> None:
    values = {"height": 8, "width": 8, "c_in": 4, "c_out": 4, "tile": 4, "padding": 1, **kwargs}
    with pytest.raises(ValueError, match=match):
        report(**values)
    assert LIMITS["height"] == (1, 32)


def test_explorer_shows_the_report() -> None:
    from course_lib.widgets.fast import winograd_explorer

    explorer = winograd_explorer(height=10, width=10, c_in=16, c_out=8, tile=2, padding=1)
    assert list(explorer.controls) == ["height", "width", "c_in", "c_out", "tile", "padding"]
    assert explorer.controls["tile"].step == 2
    explorer.controls["tile"].value = 4
    assert html.escape(text(10, 10, 16, 8, 4, 1)) in explorer.panel.value
