"""The growth-rate report (course_lib.reports.bigo, notebook 00): text and figure against closed forms by hand.

Closed forms (tests/test_growth.py checks them against counted runs): a sum of
n numbers n - 1 FLOPs, all-pairs squared differences 2 n^2, an n x n matrix
product 2 n^3 - n^2.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from report_checks import assert_labelled, by_gid, xy

from course_lib.reports.bigo import FACTOR_RANGE, N_RANGE, figure, report, text

NAMES = ("sum of n numbers", "all-pairs squared differences", "n x n matrix product")
FORMS = (lambda n: n - 1, lambda n: 2 * n * n, lambda n: 2 * n**3 - n**2)


def parse_rows(text: str) -> dict[str, list[str]]:
    """The table rows of a report: algorithm name -> [order, at n, at f n, ratio, limit]."""
    return {
        name: line[len(name) :].split()
        for line in text.splitlines()
        for name in NAMES
        if line.startswith(name)
    }


@settings(max_examples=12, deadline=None)
@given(n=st.integers(*N_RANGE), factor=st.integers(*FACTOR_RANGE))
@example(n=N_RANGE[0], factor=FACTOR_RANGE[0])
@example(n=N_RANGE[0], factor=FACTOR_RANGE[1])
@example(n=N_RANGE[1], factor=FACTOR_RANGE[1])
def test_report_text_and_figure_over_the_slider_range(n: int, factor: int) -> None:
    shown = report(n, factor)
    assert shown.text == text(n, factor)
    table, fig = shown.text, figure(n, factor)
    assert f"n = {n}" in table and f"{factor}n = {factor * n}" in table
    rows = parse_rows(table)
    assert tuple(rows) == NAMES
    stretch = np.arange(n, factor * n + 1)
    every_n = np.arange(N_RANGE[0], N_RANGE[1] + 1)
    for k, (name, form) in enumerate(zip(NAMES, FORMS, strict=True), start=1):
        small, large = form(n), form(factor * n)
        power, at_n, at_fn, ratio, limit = rows[name]
        assert power == ("n" if k == 1 else f"n^{k}")
        assert (int(at_n.replace(",", "")), int(at_fn.replace(",", ""))) == (small, large)
        assert ratio == f"{float(Fraction(large, small)):.3f}"
        assert int(limit.replace(",", "")) == factor**k

        x, y = xy(fig, f"stretch:{name}")
        np.testing.assert_array_equal(x, stretch)
        np.testing.assert_array_equal(y, [form(int(s)) for s in stretch])
        assert xy(fig, f"counted:{name}")[1].tolist() == [small, large]
        x, y = xy(fig, f"ratio:{name}")
        np.testing.assert_array_equal(x, every_n)
        np.testing.assert_allclose(y, [form(factor * int(m)) / form(int(m)) for m in every_n], rtol=1e-12)
        assert set(xy(fig, f"limit:{name}")[1]) == {factor**k}
        x, y = xy(fig, f"counted ratio:{name}")
        assert x.tolist() == [n] and y[0] == pytest.approx(large / small, rel=1e-12)

    work, ratio_axes = fig.axes
    assert_labelled(fig)
    assert "FLOPs" in work.get_ylabel() and "times" in ratio_axes.get_ylabel()
    # Fixed axes: the same limits at every setting, holding every plotted point.
    assert work.get_xlim() == (1, 600) and work.get_ylim() == (0.5, 1e9)
    assert ratio_axes.get_xlim() == N_RANGE and ratio_axes.get_ylim() == (1, 300)
    assert work.get_xscale() == work.get_yscale() == ratio_axes.get_yscale() == "log"


@pytest.mark.parametrize("n", [2, 10, 100])
def test_ratio_tends_to_the_limit_from_above(n: int) -> None:
    # (2n - 1)/(n - 1) = 2 + 1/(n - 1) and 4 (4n - 1)/(2n - 1) = 8 + 4/(2n - 1).
    rows = parse_rows(text(n, 2))
    assert float(rows["sum of n numbers"][3]) == pytest.approx(2 + 1 / (n - 1), abs=5e-4)
    assert float(rows["all-pairs squared differences"][3]) == 4.0
    assert float(rows["n x n matrix product"][3]) == pytest.approx(8 + 4 / (2 * n - 1), abs=5e-4)


def test_the_figure_follows_the_controls() -> None:
    a, b = report(8, 2), report(9, 2)
    assert a.png() != b.png()
    assert by_gid(a.figure, "chosen n").get_xdata()[0] == 8


@pytest.mark.parametrize(
    ("n", "factor", "message"),
    [
        (1, 2, r"^n must be an integer between 2 and 100, got 1"),
        (0, 2, r"^n must be an integer between 2 and 100, got 0"),
        (101, 2, r"^n must be an integer between 2 and 100, got 101"),
        (2.5, 2, r"^n must be an integer between 2 and 100"),
        ("8", 2, r"^n must be an integer between 2 and 100"),
        (True, 2, r"^n must be an integer between 2 and 100"),
        (5, 1, r"^factor must be an integer between 2 and 5, got 1"),
        (5, 6, r"^factor must be an integer between 2 and 5, got 6"),
        (5, None, r"^factor must be an integer between 2 and 5"),
    ],
)
def test_bad_input_names_the_argument(n: object, factor: object, message: str) -> None:
    for function in (text, figure, report):
        with pytest.raises(ValueError, match=message):
            function(n, factor)  # type: ignore[arg-type]
