"""Tests of the growth-rate widget (course_lib.widgets.bigo).

The counted FLOPs are checked against closed forms worked out by hand, not
against the module's own output:

* sum of n numbers: n - 1 adds;
* all-pairs squared differences (x_i - x_j)^2: n^2 subtracts + n^2 multiplies = 2 n^2;
* n x n matrix product: n^2 dot products of length n, each n multiplies and
  n - 1 adds, so n^3 + n^2 (n - 1) = 2 n^3 - n^2.
"""

from __future__ import annotations

import html
import itertools
import re
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.widgets.bigo import (
    FACTOR_RANGE,
    N_RANGE,
    growth_counts,
    growth_explorer,
    growth_report,
)

NAMES = ("sum of n numbers", "all-pairs squared differences", "n x n matrix product")
ORDERS = (1, 2, 3)


def closed_forms(n: int) -> tuple[int, int, int]:
    """FLOPs of the three algorithms at size n, by hand."""
    return n - 1, 2 * n * n, 2 * n**3 - n**2


def parse_rows(report: str) -> dict[str, list[str]]:
    """The table rows of a report: algorithm name -> [order, at n, at f n, ratio, limit]."""
    rows = {}
    for line in report.splitlines():
        for name in NAMES:
            if line.startswith(name):
                rows[name] = line[len(name) :].split()
    return rows


def test_hand_worked_example_n_3() -> None:
    # sum of 3 numbers: 2 adds; 9 pairs, each a subtract and a multiply: 18;
    # 3x3 product: 9 entries x (3 multiplies + 2 adds) = 45.
    assert list(growth_counts(3).values()) == [2, 18, 45]


@settings(max_examples=40)
@given(st.integers(min_value=1, max_value=N_RANGE[1] * FACTOR_RANGE[1]))
def test_counts_match_closed_forms(n: int) -> None:
    counts = growth_counts(n)
    assert tuple(counts) == NAMES
    assert tuple(counts.values()) == closed_forms(n)
    assert all(type(value) is int for value in counts.values())


SLIDER_RANGE = list(
    itertools.product(range(N_RANGE[0], N_RANGE[1] + 1), range(FACTOR_RANGE[0], FACTOR_RANGE[1] + 1))
)


@pytest.mark.parametrize(("n", "factor"), SLIDER_RANGE)
def test_report_over_whole_slider_range(n: int, factor: int) -> None:
    report = growth_report(n, factor)
    assert f"n = {n}" in report
    assert f"{factor}n = {factor * n}" in report
    rows = parse_rows(report)
    assert tuple(rows) == NAMES
    for name, order, small, large in zip(
        NAMES, ORDERS, closed_forms(n), closed_forms(factor * n), strict=True
    ):
        power, at_n, at_fn, ratio, limit = rows[name]
        assert power == ("n" if order == 1 else f"n^{order}")
        assert int(at_n.replace(",", "")) == small
        assert int(at_fn.replace(",", "")) == large
        assert ratio == f"{float(Fraction(large, small)):.3f}"
        assert int(limit.replace(",", "")) == factor**order


@pytest.mark.parametrize("n", [2, 10, 100])
def test_ratio_tends_to_the_limit_from_above(n: int) -> None:
    # Lower-order terms make the sum's and the product's ratios exceed f^k, less so as n grows:
    # (2n - 1)/(n - 1) = 2 + 1/(n - 1) and 4 (4n - 1)/(2n - 1) = 8 + 4/(2n - 1).
    rows = parse_rows(growth_report(n, 2))
    assert float(rows["sum of n numbers"][3]) == pytest.approx(2 + 1 / (n - 1), abs=5e-4)
    assert float(rows["all-pairs squared differences"][3]) == 4.0
    assert float(rows["n x n matrix product"][3]) == pytest.approx(8 + 4 / (2 * n - 1), abs=5e-4)


@pytest.mark.parametrize("n", [0, -1, -100])
def test_non_positive_n_raises_naming_n(n: int) -> None:
    with pytest.raises(ValueError, match=r"\bn must be an integer >= 2, got -?\d+"):
        growth_report(n, 2)
    with pytest.raises(ValueError, match=r"\bn must be an integer >= 1"):
        growth_counts(n)


def test_n_of_one_raises_in_the_report() -> None:
    # A sum of one number costs no adds, so a ratio at n = 1 would divide by zero.
    with pytest.raises(ValueError, match=r"\bn must be an integer >= 2, got 1"):
        growth_report(1, 2)


@pytest.mark.parametrize("factor", [1, 0, -3])
def test_bad_factor_raises_naming_factor(factor: int) -> None:
    with pytest.raises(ValueError, match=rf"factor must be an integer >= 2, got {factor}"):
        growth_report(5, factor)


@pytest.mark.parametrize("n", [2.5, "8", True, None])
def test_non_integer_n_raises(n: object) -> None:
    with pytest.raises(ValueError, match=r"\bn must be an integer"):
        growth_report(n, 2)  # type: ignore[arg-type]


def test_sliders_are_bounded_by_the_tested_ranges() -> None:
    explorer = growth_explorer()
    assert (explorer.controls["n"].min, explorer.controls["n"].max) == N_RANGE
    assert (explorer.controls["factor"].min, explorer.controls["factor"].max) == FACTOR_RANGE


def panel_text(explorer) -> str:
    match = re.fullmatch(r"<pre>(.*)</pre>", explorer.panel.value, flags=re.DOTALL)
    assert match is not None
    return html.unescape(match.group(1))


def test_explorer_panel_follows_the_controls() -> None:
    explorer = growth_explorer(n=8, factor=2)
    assert panel_text(explorer) == growth_report(8, 2)
    before = explorer.panel.value
    explorer.controls["n"].value = 37
    assert explorer.panel.value != before
    assert panel_text(explorer) == growth_report(37, 2)
    explorer.controls["factor"].value = 5
    assert panel_text(explorer) == growth_report(37, 5)
    assert explorer.values() == {"n": 37, "factor": 5}
    rows = parse_rows(panel_text(explorer))
    assert int(rows["n x n matrix product"][2].replace(",", "")) == closed_forms(185)[2]
