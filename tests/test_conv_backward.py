"""Backward passes of convolution and pooling against centred finite differences.

The loss is L = sum(R * layer(...)) for a fixed random R, so dL/dout = R. Every check is
in float64 and norm-wise: ||analytic - numerical|| / max(||analytic||, ||numerical||) < 1e-7
(`course_lib.gradcheck.relative_error` with measure="norm", CS231n's "agree" tier).

Why norm-wise, not entry by entry: the rounding error of a centred difference is about
eps * |L| / h for *every* entry, whatever its size, so an entry that happens to be near
zero gets a large relative error from an absolute error of 1e-15. Hypothesis found such a
case (the first @example below: an entry of dx of size 1e-10 with an absolute error of
1e-16, an elementwise relative error of 6.7e-7 against a norm-wise one of 1.4e-15).

Why the step is large: each loss here is linear in the perturbed array (max pooling only
piecewise linear; its inputs are spaced 1 apart so a step of 0.25 never changes a window's
maximum). For a linear function the centred difference (L(a + h) - L(a - h)) / 2h is exact
for every h, so h only sets the rounding error, about eps * |L| / h. With h = 1e-3 a
gradient entry that happens to be ~1e-5 failed an elementwise 1e-7 test about once in
2,000 checks; with h = 0.5 the worst of 4,000 random checks was 3e-10, and h = 0.25 is used here.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_conv_support import Config, configs, numerical_gradient

from course_lib.conv import (
    avg_pool2d_backward,
    avg_pool2d_forward,
    conv2d,
    conv2d_backward,
    conv2d_forward,
    global_avg_pool2d_backward,
    global_avg_pool2d_forward,
    max_pool2d_backward,
    max_pool2d_forward,
)
from course_lib.gradcheck import relative_error

STEP = 0.25  # large on purpose: see the module docstring
TOLERANCE = 1e-7


def gradient_error(a: np.ndarray, b: np.ndarray) -> float:
    """The norm-wise relative error (see the module docstring for why not the elementwise one)."""
    return relative_error(a, b, measure="norm")


@settings(max_examples=25)
@given(config=configs(), seed=st.integers(0, 2**16))
@example(
    config=Config(
        batch=2,
        c_in=1,
        height=6,
        width=4,
        c_out=1,
        kernel=(2, 1),
        stride=(1, 1),
        padding=(0, 0),
        dilation=(2, 1),
        groups=1,
        bias=False,
    ),
    seed=1055,
)
def test_conv2d_backward_matches_finite_differences(config: Config, seed: int) -> None:
    x, w, b = config.arrays(seed)
    kwargs = config.kwargs()
    out, cache = conv2d_forward(x, w, b, **kwargs)
    weights = np.random.default_rng(seed + 1).standard_normal(out.shape)
    dx, dw, db = conv2d_backward(weights, cache)

    def loss() -> float:
        return float(np.sum(weights * conv2d(x, w, b, **kwargs)))

    assert dx.shape == x.shape and dw.shape == w.shape
    assert gradient_error(dx, numerical_gradient(loss, x, STEP)) < TOLERANCE
    assert gradient_error(dw, numerical_gradient(loss, w, STEP)) < TOLERANCE
    if b is None:
        assert db is None
    else:
        assert db.shape == b.shape
        assert gradient_error(db, numerical_gradient(loss, b, STEP)) < TOLERANCE


def test_conv2d_backward_by_hand() -> None:
    # out = x * w (1x1 kernel, one channel) + b: dL/dx = R w, dL/dw = sum(R x), dL/db = sum(R).
    x = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    out, cache = conv2d_forward(x, np.array([[[[5.0]]]]), np.array([0.5]))
    np.testing.assert_array_equal(out, [[[[5.5, 10.5], [15.5, 20.5]]]])
    dout = np.array([[[[1.0, 0.0], [0.0, 2.0]]]])
    dx, dw, db = conv2d_backward(dout, cache)
    np.testing.assert_array_equal(dx, [[[[5.0, 0.0], [0.0, 10.0]]]])
    np.testing.assert_array_equal(dw, [[[[1.0 * 1 + 2.0 * 4]]]])
    np.testing.assert_array_equal(db, [3.0])
    dx_none, dw_again, _ = conv2d_backward(dout, cache, need_dx=False)
    assert dx_none is None
    np.testing.assert_array_equal(dw_again, dw)


def test_conv2d_backward_keeps_float32_and_checks_dout() -> None:
    config = Config(1, 2, 5, 5, 2, (3, 3), (1, 1), (1, 1), (1, 1), 1, True)
    x, w, b = config.arrays(3, np.float32)
    out, cache = conv2d_forward(x, w, b, **config.kwargs())
    grads = conv2d_backward(np.ones_like(out), cache)
    assert all(g.dtype == np.float32 for g in grads)
    with pytest.raises(ValueError, match=r"dout must have the output's shape \(1, 2, 5, 5\)"):
        conv2d_backward(np.ones((1, 2, 4, 4)), cache)


@st.composite
def pool_cases(draw: st.DrawFn) -> dict:
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
    stride = draw(st.none() | st.tuples(st.integers(1, 3), st.integers(1, 3)))
    height = draw(st.integers(max(1, kernel[0] - 2 * padding[0]), kernel[0] + 4))
    width = draw(st.integers(max(1, kernel[1] - 2 * padding[1]), kernel[1] + 4))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), height, width)
    return {"shape": shape, "args": (kernel, stride, padding), "seed": draw(st.integers(0, 2**16))}


@settings(max_examples=25)
@given(case=pool_cases())
def test_pooling_backward_matches_finite_differences(case: dict) -> None:
    rng = np.random.default_rng(case["seed"])
    shape, args = case["shape"], case["args"]
    # Distinct values 1 apart: a step of 0.25 never changes which entry is a window's maximum.
    x = rng.permutation(int(np.prod(shape))).reshape(shape).astype(np.float64)
    for forward, backward in (
        (max_pool2d_forward, max_pool2d_backward),
        (avg_pool2d_forward, avg_pool2d_backward),
    ):
        out, cache = forward(x, *args)
        weights = rng.standard_normal(out.shape)
        dx = backward(weights, cache)
        numerical = numerical_gradient(
            lambda f=forward, r=weights: float(np.sum(r * f(x, *args)[0])), x, STEP
        )
        assert dx.shape == x.shape
        assert gradient_error(dx, numerical) < TOLERANCE, forward.__name__

    out, cache = global_avg_pool2d_forward(x)
    weights = rng.standard_normal(out.shape)
    numerical = numerical_gradient(lambda: float(np.sum(weights * global_avg_pool2d_forward(x)[0])), x, STEP)
    assert gradient_error(global_avg_pool2d_backward(weights, cache), numerical) < TOLERANCE


def test_max_pool_backward_by_hand() -> None:
    # Overlapping 2x2 windows, stride 1, on [[1, 9, 2], [3, 4, 5]]: both windows pick the 9,
    # so its gradient is the sum of both outputs' gradients.
    x = np.array([[[[1.0, 9.0, 2.0], [3.0, 4.0, 5.0]]]])
    out, cache = max_pool2d_forward(x, 2, stride=1)
    np.testing.assert_array_equal(out, [[[[9.0, 9.0]]]])
    dx = max_pool2d_backward(np.array([[[[1.5, 2.0]]]]), cache)
    np.testing.assert_array_equal(dx, [[[[0.0, 3.5, 0.0], [0.0, 0.0, 0.0]]]])
