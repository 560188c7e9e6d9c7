"""The standard vs depthwise-separable diagram: the costs written on it against independent counts.

References: a hand-worked count of MobileNet's 512 -> 512 layer on a 14 x 14 map, which
Howard et al. (2017, arXiv:1704.04861, Table 3) print as 462 and 52.3 million mult-adds and
2.36 and 0.27 million parameters; and the operations `course_lib.conv.conv2d` performs
under the counter on a small layer.
"""

from fractions import Fraction

import numpy as np
import pytest

from course_lib import count_ops
from course_lib.conv import conv2d
from course_lib.diagrams.separable import draw_separable, part_costs
from tests.report_checks import by_gid


def number(fig, gid):
    """The integer at the start of the text with this gid ("462,422,016 MACs" -> 462422016)."""
    return int(by_gid(fig, gid).get_text().split()[0].replace(",", ""))


def test_mobilenet_layer_hand_worked():
    fig = draw_separable(512, 512, 14, 3)
    # 14^2 positions x 9 taps x 512 x 512 = 196 x 9 x 262,144
    assert number(fig, "standard-macs") == 462_422_016
    assert number(fig, "standard-params") == 9 * 512 * 512 == 2_359_296
    assert number(fig, "depthwise-macs") == 196 * 9 * 512 == 903_168
    assert number(fig, "depthwise-params") == 9 * 512 == 4_608
    assert number(fig, "pointwise-macs") == 196 * 512 * 512 == 51_380_224
    assert number(fig, "pointwise-params") == 512 * 512 == 262_144
    total = by_gid(fig, "separable-total").get_text()
    assert "52,283,392 MACs" in total and "266,752 params" in total
    # the paper's rounded millions (Table 3)
    assert round(462_422_016 / 1e6) == 462 and round(52_283_392 / 1e5) / 10 == 52.3
    assert "521/4608" in by_gid(fig, "ratio").get_text()  # 1/512 + 1/9 = (9 + 512) / 4608
    assert "8.84" in by_gid(fig, "ratio").get_text()


@pytest.mark.parametrize(("c_in", "c_out", "side", "kernel"), [(8, 16, 6, 3), (4, 6, 7, 5), (3, 2, 5, 1)])
def test_costs_equal_what_conv2d_counts(c_in, c_out, side, kernel):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, c_in, side, side))
    w_standard = rng.standard_normal((c_out, c_in, kernel, kernel))
    w_depthwise = rng.standard_normal((c_in, 1, kernel, kernel))
    w_pointwise = rng.standard_normal((c_out, c_in, 1, 1))
    pad = kernel // 2
    with count_ops() as standard:
        conv2d(x, w_standard, padding=pad)
    with count_ops() as depthwise:
        filtered = conv2d(x, w_depthwise, padding=pad, groups=c_in)
    with count_ops() as pointwise:
        conv2d(filtered, w_pointwise)
    counted = {
        "standard": (standard.macs, w_standard.size),
        "depthwise": (depthwise.macs, w_depthwise.size),
        "pointwise": (pointwise.macs, w_pointwise.size),
    }
    assert part_costs(c_in, c_out, side, kernel) == counted
    fig = draw_separable(c_in, c_out, side, kernel)
    for part, (macs, params) in counted.items():
        assert number(fig, f"{part}-macs") == macs
        assert number(fig, f"{part}-params") == params
    share = Fraction(depthwise.macs + pointwise.macs, standard.macs)
    assert share == Fraction(1, c_out) + Fraction(1, kernel**2)
    assert f"{share.numerator}/{share.denominator}" in by_gid(fig, "ratio").get_text()


def test_shapes_and_filters_are_written():
    fig = draw_separable(32, 64, 112, 3)
    found = " ".join(text.get_text() for ax in fig.axes for text in ax.texts)
    assert "32 × 112 × 112" in found and "64 × 112 × 112" in found
    assert "64 filters of 3 × 3 × 32" in found  # standard
    assert "32 filters of 3 × 3 × 1" in found  # depthwise
    assert "64 filters of 1 × 1 × 32" in found  # pointwise


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((0, 8, 8, 3), "c_in"),
        ((8, 0, 8, 3), "c_out"),
        ((8, 8, 2, 3), "side"),
        ((8, 8, 8, 4), "kernel"),
        ((8, 8, 8, 17), "kernel"),
        ((8.0, 8, 8, 3), "c_in"),
    ],
)
def test_bad_input_names_the_argument(args, name):
    with pytest.raises(ValueError, match=name):
        draw_separable(*args)
    with pytest.raises(ValueError, match=name):
        part_costs(*args)
