"""The op counter: exact counts against closed forms, scalar loops and sympy."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import count_ops, ops, symbolic
from course_lib.counting import KINDS, OpCounter, is_counting, matmul_naive, record

sizes = st.integers(min_value=1, max_value=40)


@settings(max_examples=40)
@given(m=sizes, n=sizes, p=sizes)
def test_matmul_count_equals_closed_form(m, n, p):
    a, b = np.ones((m, n)), np.ones((n, p))
    with count_ops() as c:
        ops.matmul(a, b)
    assert (c.multiplies, c.adds, c.macs) == (m * n * p, m * (n - 1) * p, m * n * p)
    assert c.flops == 2 * m * n * p - m * p
    assert c.activations == 0 and c.divides == 0


@settings(max_examples=25)
@given(batch=st.lists(st.integers(1, 4), min_size=1, max_size=2), m=sizes, n=sizes, p=sizes)
def test_batched_matmul_counts_every_matrix_in_the_batch(batch, m, n, p):
    a = np.ones((*batch, m, n))
    b = np.ones((n, p))  # broadcast against every batch entry
    with count_ops() as c:
        out = ops.matmul(a, b)
    assert out.shape == (*batch, m, p)
    copies = int(np.prod(batch))
    assert c.multiplies == copies * m * n * p
    assert c.adds == copies * m * (n - 1) * p


@pytest.mark.parametrize("shape", [(1, 1, 1), (1, 5, 1), (2, 3, 4), (4, 1, 3), (3, 7, 2), (6, 6, 6)])
def test_scalar_loops_count_what_the_formula_and_ops_count(shape):
    m, n, p = shape
    rng = np.random.default_rng(sum(shape))
    a, b = rng.standard_normal((m, n)), rng.standard_normal((n, p))
    with count_ops() as loops:
        slow = matmul_naive(a, b)
    with count_ops() as fast:
        quick = ops.matmul(a, b)
    np.testing.assert_allclose(slow, quick, rtol=1e-12, atol=1e-12)
    assert loops.as_dict() == fast.as_dict()
    formula = symbolic.matmul_cost()
    values = {symbolic.m: m, symbolic.n: n, symbolic.p: p}
    for kind in ("multiplies", "adds", "macs", "flops"):
        assert getattr(loops, kind) == formula[kind].subs(values)


def test_hand_worked_product():
    # (2x3)(3x2) by hand: [[1,2,3],[4,5,6]] @ [[7,8],[9,10],[11,12]] = [[58,64],[139,154]],
    # 4 entries x 3 multiplies = 12 multiplies, 4 entries x 2 adds = 8 adds.
    a = [[1, 2, 3], [4, 5, 6]]
    b = [[7, 8], [9, 10], [11, 12]]
    with count_ops() as c:
        out = matmul_naive(a, b)
    np.testing.assert_array_equal(out, [[58, 64], [139, 154]])
    assert (c.multiplies, c.adds) == (12, 8)


def test_nested_counters_each_see_what_ran_inside_them():
    a, b = np.ones((2, 3)), np.ones((3, 4))
    with count_ops() as outer:
        ops.matmul(a, b)  # 24 multiplies
        with count_ops() as inner:
            ops.add(a, 1.0)  # 6 adds
        ops.multiply(a, a)  # 6 multiplies
    assert inner.as_dict() == {
        "multiplies": 0,
        "adds": 6,
        "divides": 0,
        "activations": 0,
        "macs": 0,
        "flops": 6,
    }
    assert outer.multiplies == 24 + 6
    assert outer.adds == 2 * 2 * 4 + 6
    assert outer.breakdown() == {
        "matmul": {"multiplies": 24, "macs": 24, "adds": 16},
        "add": {"adds": 6},
        "multiply": {"multiplies": 6},
    }
    assert not is_counting()


def test_nothing_is_recorded_outside_a_counter():
    counter = OpCounter()
    ops.matmul(np.ones((2, 2)), np.ones((2, 2)))
    record("anything", adds=5)
    assert counter.as_dict()["flops"] == 0


def test_counter_is_released_when_the_block_raises():
    with pytest.raises(RuntimeError), count_ops():
        raise RuntimeError("boom")
    assert not is_counting()


@settings(max_examples=25)
@given(shape=st.lists(st.integers(1, 6), min_size=1, max_size=3), axis=st.integers(0, 2))
def test_elementwise_and_reduction_counts(shape, axis):
    x = np.ones(shape)
    axis = axis % len(shape)
    size = x.size
    with count_ops() as c:
        ops.add(x, x)
        ops.subtract(x, 1.0)
        ops.multiply(x, 2.0)
        ops.divide(x, 2.0)
        ops.apply(np.tanh, x)
        ops.sum(x, axis=axis)
        ops.mean(x)
    reduced = size // shape[axis]
    assert c.adds == size + size + (size - reduced) + (size - 1)
    assert c.multiplies == size
    assert c.divides == size + 1
    assert c.activations == size
    assert c.breakdown()["tanh"] == {"activations": size}


@pytest.mark.parametrize(
    ("op", "reference", "kind"),
    [
        (ops.add, np.add, "adds"),
        (ops.subtract, np.subtract, "adds"),
        (ops.multiply, np.multiply, "multiplies"),
        (ops.divide, np.divide, "divides"),
    ],
)
def test_elementwise_out_is_filled_and_counted_like_a_new_result(op, reference, kind):
    a = np.arange(1.0, 7.0).reshape(2, 3)
    b = np.array([2.0, 4.0, 8.0])
    out = np.zeros((2, 3))
    with count_ops() as c:
        result = op(a, b, out=out)
    assert result is out  # written in place, no new array
    np.testing.assert_array_equal(out, reference(a, b))
    assert c.as_dict()[kind] == 6  # one op per element of the (2, 3) result, as without out


def test_matmul_out_is_filled_and_counted_like_a_new_result():
    a = np.arange(6.0).reshape(2, 3)
    b = np.arange(6.0).reshape(3, 2)
    out = np.empty((2, 2))
    with count_ops() as c:
        result = ops.matmul(a, b, out=out)
    assert result is out
    np.testing.assert_array_equal(out, [[10.0, 13.0], [28.0, 40.0]])  # worked by hand
    assert (c.multiplies, c.adds, c.macs) == (12, 8, 12)  # m n p = 2*3*2, m (n-1) p = 2*2*2


def test_unknown_kind_is_rejected():
    with pytest.raises(ValueError, match="unknown operation kind"), count_ops():
        record("op", comparisons=1)
    with pytest.raises(ValueError, match="kind must be one of"):
        OpCounter().total("comparisons")
    assert "flops" not in KINDS


@pytest.mark.parametrize(
    ("a_shape", "b_shape", "message"),
    [
        ((3,), (3, 2), r"a must be at least 2-D .* shape \(3,\)"),
        ((2, 3), (3,), r"b must be at least 2-D .* shape \(3,\)"),
        ((2, 3), (4, 2), r"inner dimensions differ: a has shape \(2, 3\) and b has shape \(4, 2\)"),
        ((0, 3), (3, 2), r"a has an empty dimension"),
    ],
)
def test_matmul_rejects_bad_shapes(a_shape, b_shape, message):
    with pytest.raises(ValueError, match=message):
        ops.matmul(np.ones(a_shape), np.ones(b_shape))


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        (np.ones(3), np.ones((3, 2)), r"a must be a 2-D matrix, got shape \(3,\)"),
        (
            np.ones((2, 3)),
            np.ones((2, 2)),
            r"inner dimensions differ: a has shape \(2, 3\) and b has shape \(2, 2\)",
        ),
        (np.ones((2, 0)), np.ones((0, 2)), r"a must have at least one row and one column"),
    ],
)
def test_matmul_naive_rejects_bad_shapes(a, b, message):
    with pytest.raises(ValueError, match=message):
        matmul_naive(a, b)


def test_apply_rejects_a_function_that_is_not_elementwise():
    with pytest.raises(ValueError, match="fn must be elementwise"):
        ops.apply(np.sum, np.ones(3))


def test_sympy_dot_product_matches_a_counted_dot_product():
    n = 17
    x = np.arange(n, dtype=float)
    with count_ops() as c:
        ops.sum(ops.multiply(x, x))
    cost = symbolic.dot_product_cost(sp.Integer(n))
    assert (c.multiplies, c.adds) == (cost["multiplies"], cost["adds"])
