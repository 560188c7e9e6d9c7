"""Strassen's product and the direct block recursion: values, exact counts, bad input.

References: the 2 x 2 product worked by hand (Strassen's seven products written out in the
comments), numpy's matmul, the textbook closed forms for n = 2^k (7^k multiplies and
6 (7^k - 4^k) adds with the recursion down to scalars), and the counts of one ordinary
`ops.matmul`. The formulas of `course_lib.complexity.fast` are checked against the counter.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import ops
from course_lib.complexity.fast import recursion_sizes, recursive_matmul_cost, strassen_cost
from course_lib.counting import count_ops
from course_lib.fast import recursive_matmul, strassen_matmul


def test_two_by_two_by_hand() -> None:
    # A = [[1, 2], [3, 4]], B = [[5, 6], [7, 8]]:
    # M1 = (1+4)(5+8) = 65, M2 = (3+4)5 = 35, M3 = 1(6-8) = -2, M4 = 4(7-5) = 8,
    # M5 = (1+2)8 = 24, M6 = (3-1)(5+6) = 22, M7 = (2-4)(7+8) = -30;
    # C11 = 65+8-24-30 = 19, C12 = -2+24 = 22, C21 = 35+8 = 43, C22 = 65-35-2+22 = 50.
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = np.array([[5.0, 6.0], [7.0, 8.0]])
    with count_ops() as counter:
        c = strassen_matmul(a, b, cutoff=1)
    np.testing.assert_array_equal(c, [[19.0, 22.0], [43.0, 50.0]])
    # seven 1x1 products, ten additions before them and eight after
    assert (counter.multiplies, counter.adds, counter.macs) == (7, 18, 7)


@pytest.mark.parametrize("k", range(0, 6))
def test_counts_down_to_scalars_are_the_textbook_closed_forms(k: int) -> None:
    n = 2**k
    rng = np.random.default_rng(k)
    a, b = rng.standard_normal((2, n, n))
    with count_ops() as counter:
        strassen_matmul(a, b, cutoff=1)
    assert counter.multiplies == 7**k
    assert counter.adds == 6 * (7**k - 4**k)
    assert counter.as_dict() == strassen_cost(n, 1).as_dict()


@pytest.mark.parametrize(("n", "cutoff"), [(64, 8), (32, 4), (128, 32), (16, 16), (256, 64)])
def test_counts_for_powers_of_two_with_a_cutoff(n: int, cutoff: int) -> None:
    levels = (n // cutoff).bit_length() - 1
    rng = np.random.default_rng(n + cutoff)
    a, b = rng.standard_normal((2, n, n)).astype(np.float32)
    with count_ops() as counter:
        c = strassen_matmul(a, b, cutoff)
    assert c.dtype == np.float32
    # 7^L n_0^3 multiplies and 7^L n_0^2 (n_0 + 5) - 6 n^2 adds (module docstring).
    assert counter.multiplies == 7**levels * cutoff**3
    assert counter.adds == 7**levels * cutoff**2 * (cutoff + 5) - 6 * n**2
    assert counter.as_dict() == strassen_cost(n, cutoff).as_dict()


@pytest.mark.parametrize(("n", "cutoff"), [(64, 8), (48, 6), (32, 1)])
def test_direct_recursion_counts_an_ordinary_product(n: int, cutoff: int) -> None:
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((2, n, n))
    with count_ops() as recursive:
        c = recursive_matmul(a, b, cutoff)
    with count_ops() as plain:
        ops.matmul(a, b)
    np.testing.assert_allclose(c, a @ b, rtol=1e-12, atol=1e-12 * n)
    assert recursive.as_dict() == plain.as_dict() == recursive_matmul_cost(n, cutoff).as_dict()


def test_odd_sizes_are_padded_and_the_padding_is_counted() -> None:
    # n = 5, cutoff 2: pad to 6, blocks of 3 > 2, pad to 4, blocks of 2:
    # sizes 5, 3, 2; 49 products of 2x2 (8 multiplies, 4 adds each) and
    # 18 block adds of 3x3 (9 adds) + 7 * 18 block adds of 2x2 (4 adds).
    assert recursion_sizes(5, 2) == [5, 3, 2]
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal((2, 5, 5))
    with count_ops() as counter:
        c = strassen_matmul(a, b, cutoff=2)
    np.testing.assert_allclose(c, a @ b, rtol=1e-12, atol=1e-12)
    assert c.shape == (5, 5)
    assert counter.multiplies == 49 * 8
    assert counter.adds == 49 * 4 + 18 * 9 + 7 * 18 * 4


@settings(max_examples=25)
@given(n=st.integers(1, 40), cutoff=st.integers(3, 12), single=st.booleans())
def test_any_size_counts_equal_the_formula(n: int, cutoff: int, single: bool) -> None:
    dtype = np.float32 if single else np.float64
    rng = np.random.default_rng(n * 100 + cutoff)
    a, b = rng.standard_normal((2, n, n)).astype(dtype)
    with count_ops() as fast:
        c = strassen_matmul(a, b, cutoff)
    with count_ops() as direct:
        d = recursive_matmul(a, b, cutoff)
    reference = a.astype(np.float64) @ b.astype(np.float64)
    tolerance = 1e-3 if single else 1e-10
    np.testing.assert_allclose(c, reference, rtol=tolerance, atol=tolerance * n)
    np.testing.assert_allclose(d, reference, rtol=tolerance, atol=tolerance * n)
    assert fast.as_dict() == strassen_cost(n, cutoff).as_dict()
    assert direct.as_dict() == recursive_matmul_cost(n, cutoff).as_dict()
    assert fast.multiplies <= direct.multiplies


def test_fewer_multiplies_than_n_cubed_only_past_the_cutoff() -> None:
    assert strassen_cost(64, 64).as_dict() == recursive_matmul_cost(64, 64).as_dict()
    assert strassen_cost(128, 64).multiplies == 7 * 64**3 < 128**3


@pytest.mark.parametrize(
    ("a", "b", "cutoff", "match"),
    [
        (np.ones((2, 3)), np.ones((3, 2)), 1, "a must be a non-empty square"),
        (np.ones((2, 2)), np.ones((3, 3)), 1, "a and b must have the same shape"),
        (np.ones((2, 2)), np.ones(2), 1, "b must be a non-empty square"),
        (np.ones((2, 2), dtype=complex), np.ones((2, 2)), 1, "a must hold real numbers"),
        (np.ones((2, 2)), np.ones((2, 2)), 0, "cutoff must be a positive integer"),
        (np.ones((2, 2)), np.ones((2, 2)), 2.5, "cutoff must be a positive integer"),
    ],
)
@pytest.mark.parametrize("matmul", [strassen_matmul, recursive_matmul])
def test_bad_input_names_the_argument(matmul, a, b, cutoff, match) -> None:
    with pytest.raises(ValueError, match=match):
        matmul(a, b, cutoff)


def test_formula_rejects_bad_sizes() -> None:
    with pytest.raises(ValueError, match="n must be a positive integer"):
        strassen_cost(0)
    with pytest.raises(ValueError, match="cutoff must be a positive integer"):
        recursive_matmul_cost(4, 0)
