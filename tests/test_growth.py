"""The growth experiment's algorithms (course_lib.growth): counted FLOPs against closed forms worked out by hand.

* sum of n numbers: n - 1 adds;
* all-pairs squared differences (x_i - x_j)^2: n^2 subtracts + n^2 multiplies = 2 n^2;
* n x n matrix product: n^2 dot products of length n, each n multiplies and
  n - 1 adds, so n^3 + n^2 (n - 1) = 2 n^3 - n^2.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.growth import ALGORITHMS, growth_counts, growth_formula

NAMES = ("sum of n numbers", "all-pairs squared differences", "n x n matrix product")


def by_hand(n: int) -> tuple[int, int, int]:
    return n - 1, 2 * n * n, 2 * n**3 - n**2


def test_hand_worked_example_n_3() -> None:
    # sum of 3 numbers: 2 adds; 9 pairs, each a subtract and a multiply: 18; 3x3 product: 9 x (3 + 2) = 45.
    assert list(growth_counts(3).values()) == [2, 18, 45]


@settings(max_examples=30)
@given(st.integers(min_value=1, max_value=500))
def test_counts_and_formulas_match_the_closed_forms(n: int) -> None:
    counts = growth_counts(n)
    assert tuple(counts) == NAMES and [a.order for a in ALGORITHMS.values()] == [1, 2, 3]
    assert tuple(counts.values()) == by_hand(n)
    assert tuple(growth_formula(name, n) for name in NAMES) == by_hand(n)
    assert all(type(value) is int for value in counts.values())


@pytest.mark.parametrize("n", [0, -1, 2.5, "8", True, None])
def test_bad_size_names_n(n: object) -> None:
    with pytest.raises(ValueError, match=r"^n must be a positive integer"):
        growth_counts(n)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^n must be a positive integer"):
        growth_formula(NAMES[0], n)  # type: ignore[arg-type]


def test_unknown_algorithm_names_name() -> None:
    with pytest.raises(ValueError, match=r"^name must be one of 'sum of n numbers'"):
        growth_formula("bubble sort", 4)
