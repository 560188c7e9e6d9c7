"""Pooling counts in closed form (course_lib.complexity.pooling) against slow references that walk every window.

The references enumerate the window starts one by one in padded coordinates and
add up each window's elements, cut at the end of the padded input: the loop the
closed forms replaced. They run on small sizes; the closed forms must equal them
exactly (floor and ceil mode, padding, non-square kernels and strides) and must
answer sizes no loop could walk in well under a second.
"""

from __future__ import annotations

import math
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import complexity
from course_lib.complexity import Cost, PoolShape
from course_lib.complexity.geometry import adaptive_window_total, window_total
from course_lib.summary import summarize

# ---------------------------------------------------------------- slow references


def _starts(n: int, k: int, p: int, s: int, ceil_mode: bool) -> list[int]:
    """Window starts (padded coordinates) along one axis, PyTorch's rule, one by one."""
    padded = n + 2 * p
    starts = []
    i = 0
    while True:
        start = i * s
        whole = start + k <= padded
        # ceil mode keeps one more window that hangs over the end, if it starts inside the input or its
        # left padding (start < n + p) and the count ceil((padded - k) / s) + 1 allows it
        partial = ceil_mode and start < n + p and start < padded - k + s
        if not (whole or partial):
            return starts
        starts.append(start)
        i += 1


def _lengths(n: int, k: int, p: int, s: int, ceil_mode: bool) -> list[int]:
    return [min(start + k, n + 2 * p) - start for start in _starts(n, k, p, s, ceil_mode)]


def _reference(channels, height, width, kernel, stride, padding, batch, ceil_mode) -> dict[str, object]:
    rows = _lengths(height, kernel[0], padding[0], stride[0], ceil_mode)
    cols = _lengths(width, kernel[1], padding[1], stride[1], ceil_mode)
    planes = channels * batch
    windows = [r * c for r in rows for c in cols]  # elements of each output's window
    return {
        "shape": (len(rows), len(cols)),
        "comparisons": planes * sum(size - 1 for size in windows),
        "max_backward": Cost(adds=planes * len(windows)),
        "avg": Cost(adds=planes * sum(size - 1 for size in windows), divides=planes * len(windows)),
        "avg_backward": Cost(adds=planes * sum(windows), divides=planes * len(windows)),
    }


@st.composite
def pools(draw):
    kernel = (draw(st.integers(1, 6)), draw(st.integers(1, 6)))
    stride = (draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
    height = draw(st.integers(max(1, kernel[0] - 2 * padding[0]), 30))
    width = draw(st.integers(max(1, kernel[1] - 2 * padding[1]), 30))
    return {
        "channels": draw(st.integers(1, 4)),
        "height": height,
        "width": width,
        "kernel": kernel,
        "stride": stride,
        "padding": padding,
        "batch": draw(st.integers(1, 3)),
        "ceil_mode": draw(st.booleans()),
    }


@settings(max_examples=400, deadline=None)
@given(pool=pools())
def test_closed_forms_equal_the_window_by_window_counts(pool):
    expected = _reference(**pool)
    c, h, w, k = pool["channels"], pool["height"], pool["width"], pool["kernel"]
    options = {key: pool[key] for key in ("stride", "padding", "batch", "ceil_mode")}
    assert (
        complexity.pool2d_output_shape(h, w, k, pool["stride"], pool["padding"], ceil_mode=pool["ceil_mode"])
        == (expected["shape"])
    )
    assert complexity.max_pool2d_comparisons(c, h, w, k, **options) == expected["comparisons"]
    assert complexity.max_pool2d_cost(c, h, w, k, **options) == Cost()
    assert complexity.max_pool2d_backward_cost(c, h, w, k, **options) == expected["max_backward"]
    assert complexity.avg_pool2d_cost(c, h, w, k, **options) == expected["avg"]
    assert complexity.avg_pool2d_backward_cost(c, h, w, k, **options) == expected["avg_backward"]


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(1, 60),
    k=st.integers(1, 8),
    p=st.integers(0, 4),
    s=st.integers(1, 6),
    ceil_mode=st.booleans(),
)
def test_only_the_last_window_of_a_row_is_cut(n, k, p, s, ceil_mode):
    if 2 * p > k or k > n + 2 * p:
        return  # PyTorch refuses such pools; pool2d_output_shape does too
    lengths = _lengths(n, k, p, s, ceil_mode)
    assert all(length == k for length in lengths[:-1])
    assert window_total(n, k, p, s, len(lengths)) == sum(lengths)


@settings(max_examples=300, deadline=None)
@given(n=st.integers(1, 200), m=st.integers(1, 200))
def test_adaptive_windows_add_up_to_n_plus_m_minus_gcd(n, m):
    windows = [((i * n) // m, math.ceil((i + 1) * n / m)) for i in range(m)]  # PyTorch's start and end
    assert complexity.adaptive_pool_windows(n, m) == windows
    assert adaptive_window_total(n, m) == sum(end - start for start, end in windows) == n + m - math.gcd(n, m)


@settings(max_examples=100, deadline=None)
@given(
    c=st.integers(1, 3),
    h=st.integers(1, 40),
    w=st.integers(1, 40),
    out=st.tuples(st.integers(1, 45), st.integers(1, 45)),
    batch=st.integers(1, 3),
)
def test_adaptive_cost_equals_the_sum_over_listed_windows(c, h, w, out, batch):
    rows = complexity.adaptive_pool_windows(h, out[0])
    cols = complexity.adaptive_pool_windows(w, out[1])
    sizes = [(r1 - r0) * (c1 - c0) for r0, r1 in rows for c0, c1 in cols]
    expected = Cost(adds=batch * c * sum(size - 1 for size in sizes), divides=batch * c * len(sizes))
    assert complexity.adaptive_avg_pool2d_cost(c, h, w, out, batch=batch) == expected


def test_a_hand_worked_ceil_mode_pool():
    # 5 cells, kernel 2, stride 2, ceil mode: windows [0, 2), [2, 4), [4, 5): lengths 2, 2, 1.
    # 5 x 5 input: 9 windows of 4, 2, 2, 2, 4, 2, 2, 2, 1 elements, 25 in all (every cell once).
    assert complexity.pool2d_output_shape(5, 5, 2, ceil_mode=True) == (3, 3)
    assert complexity.avg_pool2d_backward_cost(1, 5, 5, 2, ceil_mode=True) == Cost(adds=25, divides=9)
    assert complexity.max_pool2d_comparisons(1, 5, 5, 2, ceil_mode=True) == 25 - 9


# ---------------------------------------------------------------- sizes no loop could walk


def _seconds(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


HUGE = [
    # each of these looped over every window before the closed forms (minutes, or never ending)
    pytest.param(lambda: complexity.max_pool2d_cost(1, 10**9, 10**9, 1), id="max_pool2d_cost"),
    pytest.param(lambda: complexity.avg_pool2d_cost(1, 10**9, 10**9, 2), id="avg_pool2d_cost"),
    pytest.param(
        lambda: complexity.max_pool2d_comparisons(1, 10**12, 10**12, 3, stride=1), id="max_pool2d_comparisons"
    ),
    pytest.param(
        lambda: complexity.adaptive_avg_pool2d_cost(1, 10**9, 10**9, 10**9), id="adaptive_avg_pool2d_cost"
    ),
    pytest.param(lambda: summarize("vgg16", (3, 10**9, 10**9)), id="summarize_vgg16"),
]


@pytest.mark.parametrize("call", HUGE)
def test_huge_inputs_answer_in_well_under_a_second(call):
    assert _seconds(call) < 0.5


def test_huge_inputs_give_the_exact_counts():
    n = 10**12  # stride 1, kernel 3: (n - 2)^2 windows of 9 elements, 8 comparisons each
    assert complexity.max_pool2d_comparisons(1, n, n, 3, stride=1) == 8 * (n - 2) ** 2
    assert complexity.avg_pool2d_cost(1, 10**9, 10**9, 2) == Cost(
        adds=3 * (10**9 // 2) ** 2, divides=(10**9 // 2) ** 2
    )
    # one cell per window when output = input: no adds, one divide per cell
    assert complexity.adaptive_avg_pool2d_cost(1, 10**9, 10**9, 10**9) == Cost(divides=10**18)


def test_adaptive_pool_windows_refuses_to_list_a_huge_output():
    with pytest.raises(
        ValueError, match=r"output_size must be at most 1,000,000 .* adaptive_avg_pool2d_cost"
    ):
        complexity.adaptive_pool_windows(10**9, 10**9)


# ---------------------------------------------------------------- the checked geometry


def test_pool_shape_is_checked_once_and_frozen():
    pool = PoolShape(3, 7, 7, 3, stride=2, padding=1, ceil_mode=True)
    assert (pool.kernel, pool.stride, pool.padding, pool.output_size) == ((3, 3), (2, 2), (1, 1), (4, 4))
    assert PoolShape(3, 7, 7, 3) == PoolShape(3, 7, 7, (3, 3), stride=(3, 3))  # stride None means the kernel
    with pytest.raises(AttributeError):
        pool.height = 8  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"ceil_mode": "yes"}, "ceil_mode"),
        ({"ceil_mode": 1}, "ceil_mode"),
        ({"stride": 0}, "stride"),
        ({"padding": 2}, "padding"),
        ({"batch": 2.0}, "batch"),
        ({"kernel": (2, 2, 2)}, "kernel"),
        ({"channels": True}, "channels"),
        ({"height": -1}, "height"),
    ],
)
def test_every_pooling_function_names_the_bad_argument(kwargs, argument):
    arguments = {"channels": 2, "height": 6, "width": 6, "kernel": 3, **kwargs}
    for function in (
        complexity.max_pool2d_cost,
        complexity.max_pool2d_comparisons,
        complexity.max_pool2d_backward_cost,
        complexity.avg_pool2d_cost,
        complexity.avg_pool2d_backward_cost,
    ):
        with pytest.raises(ValueError, match=argument):
            function(**arguments)


def test_the_factory_gives_each_function_its_name_signature_and_formula():
    import inspect

    for function in (complexity.max_pool2d_comparisons, complexity.avg_pool2d_cost):
        parameters = list(inspect.signature(function).parameters)
        assert parameters == [
            "channels",
            "height",
            "width",
            "kernel",
            "stride",
            "padding",
            "batch",
            "ceil_mode",
        ]
        assert function.__name__ in repr(function) and "notebooks/06" in function.__doc__
