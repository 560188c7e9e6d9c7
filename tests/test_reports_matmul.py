"""The matrix-product report (course_lib.reports.matmul, notebook 01): text and figure against closed forms.

Every expected number is computed here: m n p multiplies, m (n - 1) p adds,
2 m n p - m p FLOPs, 8 bytes per float64 element, intensity = FLOPs / bytes of
A, B and C. The times in the figure vary; only their place (x) and sign are checked.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from report_checks import assert_labelled, xy

from course_lib.reports.matmul import LIMITS, SQUARE_SIZES, figure, report, text

dims = st.integers(*LIMITS)
TOP = LIMITS[1]


def _row(table: str, label: str) -> str:
    rows = [line for line in table.splitlines() if line.startswith(label)]
    assert len(rows) == 1, f"expected one line starting with {label!r} in:\n{table}"
    return rows[0]


def _counted_and_formula(table: str, label: str) -> tuple[int, int]:
    match = re.fullmatch(rf"{label}\s+([\d,]+)\s+\S.*=\s+([\d,]+)", _row(table, label))
    assert match, f"unexpected {label} line: {_row(table, label)!r}"
    return tuple(int(group.replace(",", "")) for group in match.groups())


def intensity(m: int, n: int, p: int) -> float:
    return (2 * m * n * p - m * p) / (8 * (m * n + n * p + m * p))


@settings(max_examples=40, deadline=None)
@given(m=dims, n=dims, p=dims)
@example(m=1, n=1, p=1)
@example(m=TOP, n=TOP, p=TOP)
@example(m=1, n=TOP, p=1)
@example(m=TOP, n=1, p=TOP)
def test_text_over_the_slider_range(m: int, n: int, p: int) -> None:
    table = text(m, n, p)
    products, adds, flops = m * n * p, m * (n - 1) * p, 2 * m * n * p - m * p
    assert _counted_and_formula(table, "multiplies") == (products, products)
    assert _counted_and_formula(table, "adds") == (adds, adds)
    assert _counted_and_formula(table, "MACs") == (products, products)
    assert _counted_and_formula(table, "FLOPs") == (flops, flops)
    assert "counted == formula: yes" in table and f"C of shape ({m}, {p})" in table
    for name, count in {"A": m * n, "B": n * p, "C": m * p}.items():
        assert re.search(rf"^  {name} .* = {count:,} elements? = {8 * count:,} B", table, re.MULTILINE)
    total_bytes = 8 * (m * n + n * p + m * p)
    assert f"A + B + C = {m * n + n * p + m * p:,} elements = {total_bytes:,} B" in table
    assert _row(table, "arithmetic intensity").endswith(f"= {flops / total_bytes:.3f} FLOP/byte")


def test_hand_worked_example_and_si_bytes() -> None:
    """(2 x 3)(3 x 2): 4 entries of 3 multiplies and 2 adds; (64 x 128): 65,536 B = 65.5 kB."""
    table = text(2, 3, 2)
    assert _counted_and_formula(table, "multiplies") == (12, 12)
    assert _counted_and_formula(table, "adds") == (8, 8)
    assert "A + B + C = 16 elements = 128 B" in table
    assert "A  m*n = 8,192 elements = 65,536 B (65.5 kB)" in text(64, 128, 32)


@pytest.mark.parametrize(("m", "n", "p"), [(1, 1, 1), (64, 128, 32), (TOP, TOP, 1), (7, TOP, TOP)])
def test_figure_plots_the_formulas_on_fixed_axes(m: int, n: int, p: int) -> None:
    fig = figure(m, n, p)
    assert_labelled(fig)
    work, intensity_axes, time_axes = fig.axes
    x, y = xy(fig, "square multiplies")
    np.testing.assert_array_equal(x, np.arange(1, TOP + 1))
    np.testing.assert_array_equal(y, x**3)
    x, y = xy(fig, "chosen multiplies")
    assert x[0] == pytest.approx((m * n * p) ** (1 / 3)) and y.tolist() == [m * n * p]
    x, y = xy(fig, "square time")
    assert x.tolist() == list(SQUARE_SIZES) and np.all(y > 0)
    x, y = xy(fig, "chosen time")
    assert x[0] == pytest.approx((m * n * p) ** (1 / 3)) and 0 < y[0] < 1
    x, y = xy(fig, "intensity")
    np.testing.assert_array_equal(x, np.arange(1, TOP + 1))
    np.testing.assert_allclose(y, [intensity(m, n, int(q)) for q in x], rtol=1e-12)
    assert xy(fig, "chosen intensity")[1][0] == pytest.approx(intensity(m, n, p), rel=1e-12)
    assert "multiplies" in work.get_ylabel() and "seconds" in time_axes.get_ylabel()
    assert "FLOP/byte" in intensity_axes.get_ylabel()
    assert (work.get_xlim(), work.get_ylim(), time_axes.get_ylim()) == ((1, TOP), (0.5, 3e8), (1e-7, 1.0))
    assert intensity_axes.get_ylim() == (0.03, 100.0)


def test_report_is_text_and_figure() -> None:
    shown = report(5, 6, 7)
    assert shown.text == text(5, 6, 7) and shown.figure.axes


def test_numpy_integers_are_accepted() -> None:
    assert "C of shape (3, 1)" in text(np.int64(3), np.int32(2), 1)


@pytest.mark.parametrize("name", ["m", "n", "p"])
@pytest.mark.parametrize("bad", [0, -1, TOP + 1, 2.0, 2.5, "3", None, True])
def test_bad_input_names_the_argument(name: str, bad: object) -> None:
    sizes: dict[str, object] = {"m": 2, "n": 3, "p": 4}
    sizes[name] = bad
    for function in (text, figure):
        with pytest.raises(ValueError, match=rf"^{name} must be an integer between 1 and {TOP}"):
            function(**sizes)
