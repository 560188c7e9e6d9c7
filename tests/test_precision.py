"""Precision: bfloat16 rounding, int8 quantization, and each layer's error within its proven bound."""

import numpy as np
import pytest

from course_lib import count_ops
from course_lib.complexity import conv2d_forward_cost, dense_forward_cost
from course_lib.conv import conv2d
from course_lib.mlp import MLP, minibatch_sgd
from course_lib.precision import (
    INT8_MAX,
    PRECISIONS,
    UNIT_ROUNDOFF,
    conv2d_at,
    dense_at,
    int8_weights,
    quantize_int8,
    relative_error,
    round_to_bfloat16,
    round_to_precision,
)


def bfloat16_by_frexp(x):
    """Independent reference for normal numbers: x = m 2^e with 1/2 <= |m| < 1; keep 8 bits of m, ties to even."""
    m, e = np.frexp(x.astype(np.float64))
    return np.ldexp(np.rint(m * 2**8) / 2**8, e)


def test_bfloat16_by_hand():
    values = np.array([1.0, 1 + 2**-8, 1 + 3 * 2**-8, 1 + 2**-7, -2.5, 0.0], dtype=np.float32)
    # 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties go to the even one (1); 1 + 3 * 2^-8 goes up.
    expected = [1.0, 1.0, 1 + 2**-6, 1 + 2**-7, -2.5, 0.0]
    assert round_to_bfloat16(values).tolist() == expected
    assert np.isnan(round_to_bfloat16(np.float32("nan")))
    assert np.isinf(round_to_bfloat16(np.float32(3.4e38)))  # beyond bfloat16's largest finite number


def test_bfloat16_equals_an_independent_rounding():
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(20_000) * 10.0 ** rng.integers(-20, 20, 20_000)).astype(np.float32)
    rounded = round_to_bfloat16(x)
    assert rounded.dtype == np.float32 and np.all(rounded.view(np.uint32) & 0xFFFF == 0)
    assert np.array_equal(rounded.astype(np.float64), bfloat16_by_frexp(x))
    assert np.max(np.abs(rounded - x) / np.abs(x)) <= UNIT_ROUNDOFF["bfloat16"]


def test_quantize_int8_error_is_at_most_half_a_step():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((50, 40)) * 3
    q = quantize_int8(x)
    assert q.q.dtype == np.int8 and np.abs(q.q).max() == INT8_MAX
    assert q.scale == pytest.approx(np.abs(x).max() / 127, rel=1e-15)
    assert np.all(np.abs(q.dequantize() - x) <= q.scale / 2 * (1 + 1e-12))
    assert quantize_int8(np.zeros(3)).scale == 1.0


def input_bound(precision, absolute_product, n):
    """Componentwise bound of a layer's error: rounded inputs (2u + u^2), a float32 accumulation of n terms
    (at most n u32 for the course's float16, bfloat16 and float32 products) and the rounded result (u)."""
    u, u32 = UNIT_ROUNDOFF[precision], UNIT_ROUNDOFF["float32"]
    accumulate = 0 if precision == "float64" else n * u32 / (1 - n * u32)
    return (3 * u + 2 * u * u + accumulate) * 1.01 * absolute_product


def int8_bound(x, W, absolute):
    sx, sw = quantize_int8(x).scale, quantize_int8(W).scale
    return absolute(sx / 2, sw / 2) + sx * sw  # (|dx| |W| + |x| |dW| + |dx||dW|) + the bias's half step


def dense_abs(x, W, b):
    return np.abs(x) @ np.abs(W) + np.abs(b)


@pytest.mark.parametrize("precision", PRECISIONS)
def test_dense_error_within_its_bound_and_same_count(precision):
    rng = np.random.default_rng(2)
    x, W, b = rng.standard_normal((16, 300)), rng.standard_normal((300, 40)) / 17, rng.standard_normal(40)
    exact = x @ W + b
    with count_ops() as counter:
        y = dense_at(x, W, b, precision)
    assert counter.macs == dense_forward_cost(300, 40, 16).macs
    error = np.abs(y - exact)
    if precision == "int8":
        bound = int8_bound(
            x, W, lambda dx, dw: dx * np.abs(W).sum(0) + dw * np.abs(x).sum(1)[:, None] + 300 * dx * dw
        )
    else:
        bound = input_bound(precision, dense_abs(x, W, b), 300)
    assert np.all(error <= bound)


@pytest.mark.parametrize("precision", PRECISIONS)
def test_conv_error_within_its_bound_and_same_count(precision):
    rng = np.random.default_rng(3)
    x, w, b = (
        rng.standard_normal((2, 4, 10, 10)),
        rng.standard_normal((6, 4, 3, 3)) / 6,
        rng.standard_normal(6),
    )
    exact = conv2d(x, w, b, padding=1)
    with count_ops() as counter:
        y = conv2d_at(x, w, b, precision, padding=1)
    assert counter.macs == conv2d_forward_cost(4, 10, 10, 6, 3, padding=1, batch=2).macs
    n = 4 * 9
    if precision == "int8":
        ones_x, ones_w = np.ones_like(x), np.ones_like(w)

        def absolute(dx, dw):
            return (
                dx * conv2d(ones_x, np.abs(w), None, padding=1)
                + dw * conv2d(np.abs(x), ones_w, None, padding=1)
                + n * dx * dw
            )

        bound = int8_bound(x, w, absolute)
    else:
        bound = input_bound(precision, conv2d(np.abs(x), np.abs(w), np.abs(b), padding=1), n)
    assert np.all(np.abs(y - exact) <= bound)


def test_errors_follow_the_unit_roundoff():
    rng = np.random.default_rng(4)
    x, W, b = rng.standard_normal((32, 256)), rng.standard_normal((256, 64)) / 16, np.zeros(64)
    exact = x @ W
    errors = {p: relative_error(dense_at(x, W, b, p), exact) for p in PRECISIONS}
    assert errors["float64"] < errors["float32"] < errors["float16"] < errors["bfloat16"] < errors["int8"]
    # random rounding errors of about u each: within a factor 4 of u (float16 and bfloat16)
    for p in ("float16", "bfloat16"):
        assert UNIT_ROUNDOFF[p] / 4 < errors[p] < 4 * UNIT_ROUNDOFF[p]


def test_round_to_precision_and_bad_precision():
    assert round_to_precision([1 + 2**-12], "float16")[0] == 1.0
    with pytest.raises(ValueError, match="precision"):
        dense_at(np.ones((1, 2)), np.ones((2, 2)), np.ones(2), "float8")
    with pytest.raises(ValueError, match="precision"):
        conv2d_at(np.ones((1, 1, 3, 3)), np.ones((1, 1, 3, 3)), np.ones(1), "int4")
    with pytest.raises(ValueError, match="int8"):
        round_to_precision([1.0], "int8")


def test_a_trained_mlp_keeps_its_accuracy_with_int8_weights():
    # four well-separated Gaussian blobs in 2-D, a 2-32-32-4 MLP
    rng = np.random.default_rng(5)
    centres = np.array([[2, 2], [-2, 2], [-2, -2], [2, -2]])
    labels = rng.integers(0, 4, 800)
    X = centres[labels] + rng.standard_normal((800, 2))
    model = MLP([2, 32, 32, 4], "relu", seed=0)
    minibatch_sgd(model, X, labels, lr=0.1, batch_size=32, epochs=10, loss="softmax_cross_entropy")
    accuracy = np.mean(model.forward(X).argmax(1) == labels)
    model.params = int8_weights(model.params)
    quantized = np.mean(model.forward(X).argmax(1) == labels)
    assert accuracy > 0.85  # the blobs overlap a little: about 0.9 is the best possible
    assert abs(quantized - accuracy) <= 0.01
