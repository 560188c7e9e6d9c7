"""Forward convolution, im2col/col2im and pooling against independent references.

References: numbers worked out by hand in the comments, scipy.signal.correlate2d on single
channels (tests/test_conv_support.py), brute-force enumeration of window positions, and
numpy reductions written out here. Nothing is compared with values taken from the code's
own output.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_conv_support import Config, configs, reference_conv2d

from course_lib.conv import (
    avg_pool2d_forward,
    col2im,
    conv2d,
    conv2d_forward,
    conv2d_naive,
    conv_output_size,
    global_avg_pool2d_forward,
    im2col,
    max_pool2d_forward,
)
from course_lib.conv.im2col import write_fields

CONVS = [conv2d, conv2d_naive, lambda *a, **k: conv2d_forward(*a, **k)[0]]
CONV_IDS = ["conv2d", "conv2d_naive", "conv2d_forward"]

# ---------------------------------------------------------------- hand-worked examples

X3 = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)  # [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
W2 = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])  # [[1, 2], [3, 4]]


@pytest.mark.parametrize("conv", CONVS, ids=CONV_IDS)
def test_hand_worked_cross_correlation(conv) -> None:
    # Cross-correlation slides the kernel unflipped:
    # top-left  1*1 + 2*2 + 4*3 + 5*4 = 37,  top-right    2*1 + 3*2 + 5*3 + 6*4 = 47,
    # bottom-left 4*1 + 5*2 + 7*3 + 8*4 = 67, bottom-right 5*1 + 6*2 + 8*3 + 9*4 = 77.
    # (A flipped convolution would give 1*4 + 2*3 + 4*2 + 5*1 = 23 top-left.)
    np.testing.assert_array_equal(conv(X3, W2), [[[[37.0, 47.0], [67.0, 77.0]]]])
    np.testing.assert_array_equal(conv(X3, W2, np.array([10.0])), [[[[47.0, 57.0], [77.0, 87.0]]]])


@pytest.mark.parametrize("conv", CONVS, ids=CONV_IDS)
def test_hand_worked_stride_padding_dilation(conv) -> None:
    # Padding 1 makes the 5x5 input
    #   0 0 0 0 0 / 0 1 2 3 0 / 0 4 5 6 0 / 0 7 8 9 0 / 0 0 0 0 0;
    # stride 2 puts the 2x2 window at rows/cols 0 and 2: floor((3 + 2 - 2)/2) + 1 = 2.
    # [[0,0],[0,1]] -> 4*1 = 4;  [[0,0],[2,3]] -> 3*2 + 4*3 = 18;
    # [[0,4],[0,7]] -> 2*4 + 4*7 = 36;  [[5,6],[8,9]] -> 5 + 12 + 24 + 36 = 77.
    np.testing.assert_array_equal(conv(X3, W2, stride=2, padding=1), [[[[4.0, 18.0], [36.0, 77.0]]]])
    # Dilation 2 spreads the taps over the corners of the 3x3 input: 1*1 + 2*3 + 3*7 + 4*9 = 64.
    np.testing.assert_array_equal(conv(X3, W2, dilation=2), [[[[64.0]]]])


@pytest.mark.parametrize("conv", CONVS, ids=CONV_IDS)
def test_hand_worked_groups(conv) -> None:
    # Two groups of one channel each: filter 0 sees channel 0 only, filter 1 channel 1 only.
    x = np.stack([X3[0, 0], 10 * X3[0, 0]])[None]  # channel 1 is ten times channel 0
    w = np.array([[[[1.0]]], [[[2.0]]]])  # 1x1 kernels: scale by 1 and by 2
    out = conv(x, w, groups=2)
    np.testing.assert_array_equal(out[0, 0], X3[0, 0])
    np.testing.assert_array_equal(out[0, 1], 20 * X3[0, 0])


# ---------------------------------------------------------------- output size


def _positions(n: int, k: int, padding: int, stride: int, dilation: int) -> int:
    """Count, one by one, the window starts i*stride whose last tap stays inside the padded input."""
    count, start = 0, 0
    while start + dilation * (k - 1) <= n + 2 * padding - 1:
        count, start = count + 1, start + stride
    return count


@settings(max_examples=60)
@given(
    n=st.integers(1, 40),
    k=st.integers(1, 9),
    padding=st.integers(0, 4),
    stride=st.integers(1, 5),
    dilation=st.integers(1, 4),
)
def test_conv_output_size_counts_window_positions(n, k, padding, stride, dilation) -> None:
    expected = _positions(n, k, padding, stride, dilation)
    if expected == 0:
        with pytest.raises(ValueError, match=r"kernel .* does not fit the padded input"):
            conv_output_size(n, k, padding, stride, dilation)
    else:
        assert conv_output_size(n, k, padding, stride, dilation) == expected


def test_conv_output_size_textbook_values() -> None:
    assert conv_output_size(227, 11, stride=4) == 55  # AlexNet conv1
    assert conv_output_size(224, 7, padding=3, stride=2) == 112  # ResNet stem
    assert conv_output_size(224, 3, padding=1) == 224  # VGG "same" 3x3
    assert conv_output_size(7, 3, dilation=2) == 3  # extent 5
    assert conv_output_size(6, 3, stride=2) == 2  # floor((6 - 3)/2) + 1: the floor drops a column
    assert type(conv_output_size(np.int64(10), 3)) is int


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((0, 3), "n"),
        ((5, 0), "k"),
        ((5, 3, -1), "padding"),
        ((5, 3, 0, 0), "stride"),
        ((5, 3, 0, 1, 0), "dilation"),
        ((5.0, 3), "n"),
        ((5, 3, 0, 1.5), "stride"),
        ((5, True), "k"),
        ((4, 7), "kernel 7 .*does not fit the padded input 4"),
        ((4, 3, 0, 1, 2), r"kernel 3 \(dilated extent 5\) does not fit"),
    ],
)
def test_conv_output_size_rejects(args, name) -> None:
    with pytest.raises(ValueError, match=name):
        conv_output_size(*args)


# ---------------------------------------------------------------- against scipy


@settings(max_examples=30)
@given(config=configs(), seed=st.integers(0, 2**16))
def test_conv2d_matches_scipy_reference(config: Config, seed: int) -> None:
    x, w, b = config.arrays(seed)
    kwargs = config.kwargs()
    expected = reference_conv2d(x, w, b, **kwargs)
    fast = conv2d(x, w, b, **kwargs)
    assert fast.shape == expected.shape
    np.testing.assert_allclose(fast, expected, rtol=1e-12, atol=1e-12)
    naive = conv2d_naive(x, w, b, **kwargs)
    np.testing.assert_allclose(naive, expected, rtol=1e-12, atol=1e-12)
    assert np.max(np.abs(fast - naive)) <= 1e-10  # im2col + GEMM and the loops agree


@pytest.mark.parametrize("conv", CONVS, ids=CONV_IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(conv, dtype) -> None:
    config = Config(2, 4, 6, 5, 4, (3, 2), (2, 1), (1, 0), (1, 2), 2, True)
    x, w, b = config.arrays(1, dtype)
    out = conv(x, w, b, **config.kwargs())
    assert out.dtype == dtype
    expected = reference_conv2d(x, w, b, **config.kwargs())
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, expected, rtol=tolerance, atol=tolerance)


def test_integer_input_becomes_float64() -> None:
    out = conv2d(np.arange(9).reshape(1, 1, 3, 3), np.ones((1, 1, 2, 2), dtype=int))
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [[[[8.0, 12.0], [20.0, 24.0]]]])  # 0+1+3+4, 1+2+4+5, ...


# ---------------------------------------------------------------- bad input

GOOD_X = np.zeros((1, 4, 5, 5))
GOOD_W = np.zeros((2, 4, 3, 3))


@pytest.mark.parametrize("conv", [conv2d, conv2d_naive, conv2d_forward], ids=CONV_IDS)
@pytest.mark.parametrize(
    ("x", "w", "kwargs", "pattern"),
    [
        (
            np.zeros((1, 1, 4, 4)),
            np.zeros((1, 1, 7, 7)),
            {},
            r"kernel 7x7 \(dilated extent 7x7\) .*padded input 4x4",
        ),
        (np.zeros((1, 1, 2, 2)), np.zeros((1, 1, 3, 3)), {"dilation": 2}, "kernel 3x3 .*extent 5x5"),
        (GOOD_X, np.zeros((2, 3, 3, 3)), {}, r"channel mismatch.*C_in=4.*w.shape\[1\]\*groups = 3\*1"),
        (GOOD_X, np.zeros((2, 2, 3, 3)), {"groups": 1}, "channel mismatch"),
        (GOOD_X, np.zeros((3, 1, 3, 3)), {"groups": 3}, "groups=3 must divide the input channels C_in=4"),
        (GOOD_X, np.zeros((3, 2, 3, 3)), {"groups": 2}, "groups=2 must divide the output channels C_out=3"),
        (GOOD_X, GOOD_W, {"groups": 0}, "groups must be a positive integer"),
        (GOOD_X, GOOD_W, {"groups": 1.0}, "groups must be a positive integer"),
        (np.zeros((4, 5, 5)), GOOD_W, {}, r"x must be 4-D \(N, C_in, H, W\), got shape \(4, 5, 5\)"),
        (GOOD_X, np.zeros((4, 3, 3)), {}, "w must be 4-D"),
        (GOOD_X, GOOD_W, {"stride": 0}, "stride must be a positive integer"),
        (GOOD_X, GOOD_W, {"stride": 1.5}, "stride must be"),
        (GOOD_X, GOOD_W, {"stride": (1, 2, 3)}, "stride must be"),
        (GOOD_X, GOOD_W, {"stride": True}, "stride must be"),
        (GOOD_X, GOOD_W, {"padding": -1}, "padding must be a non-negative integer"),
        (GOOD_X, GOOD_W, {"padding": (0, 0.5)}, r"padding\[1\] must be a non-negative integer"),
        (GOOD_X, GOOD_W, {"dilation": 0}, "dilation must be"),
        (
            GOOD_X,
            GOOD_W,
            {"b": np.zeros(3)},
            r"b must be None or have shape \(C_out,\) = \(2,\), got shape \(3,\)",
        ),
        (GOOD_X, GOOD_W, {"b": np.zeros((2, 1))}, "b must be None or have shape"),
        (GOOD_X.astype(complex), GOOD_W, {}, "x must hold real numbers"),
        (GOOD_X, GOOD_W, {"b": np.zeros(2, dtype=complex)}, "b must hold real numbers"),
        (np.zeros((0, 4, 5, 5)), GOOD_W, {}, "x has an empty dimension"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(conv, x, w, kwargs, pattern) -> None:
    with pytest.raises(ValueError, match=pattern):
        conv(x, w, **kwargs)


# ---------------------------------------------------------------- im2col and col2im


@settings(max_examples=25)
@given(config=configs(), seed=st.integers(0, 2**16))
def test_im2col_entries_by_definition(config: Config, seed: int) -> None:
    x, _, _ = config.arrays(seed)
    args = (config.kernel, config.stride, config.padding, config.dilation)
    cols = im2col(x, *args)
    (k_h, k_w), (s_h, s_w), (p_h, p_w), (d_h, d_w) = args
    padded = np.pad(x, ((0, 0), (0, 0), (p_h, p_h), (p_w, p_w)))
    rows_out = len(range(0, padded.shape[2] - d_h * (k_h - 1), s_h))
    cols_out = len(range(0, padded.shape[3] - d_w * (k_w - 1), s_w))
    expected = np.empty((config.batch, config.c_in * k_h * k_w, rows_out * cols_out))
    for c in range(config.c_in):
        for i in range(k_h):
            for j in range(k_w):
                for r in range(rows_out):
                    for s in range(cols_out):
                        value = padded[:, c, r * s_h + i * d_h, s * s_w + j * d_w]
                        expected[:, (c * k_h + i) * k_w + j, r * cols_out + s] = value
    np.testing.assert_array_equal(cols, expected)


@settings(max_examples=25)
@given(config=configs(), seed=st.integers(0, 2**16))
def test_write_fields_entries_by_definition(config: Config, seed: int) -> None:
    # The buffer conv2d multiplies: out[c, i, j, n, r, s] = x_padded[n, c, r s_h + i d_h, s s_w + j d_w],
    # checked entry by entry (this covers the stride-phase copy, used for strides without dilation).
    x, _, _ = config.arrays(seed)
    (k_h, k_w), (s_h, s_w), (p_h, p_w), (d_h, d_w) = (
        config.kernel,
        config.stride,
        config.padding,
        config.dilation,
    )
    padded = np.pad(x, ((0, 0), (0, 0), (p_h, p_h), (p_w, p_w)))
    rows_out = len(range(0, padded.shape[2] - d_h * (k_h - 1), s_h))
    cols_out = len(range(0, padded.shape[3] - d_w * (k_w - 1), s_w))
    out = np.full((config.c_in, k_h, k_w, config.batch, rows_out, cols_out), np.nan)
    write_fields(out, padded, config.kernel, config.stride, config.dilation)
    for c, i, j, r, s in np.ndindex(config.c_in, k_h, k_w, rows_out, cols_out):
        expected = padded[:, c, r * s_h + i * d_h, s * s_w + j * d_w]
        np.testing.assert_array_equal(out[c, i, j, :, r, s], expected)


@settings(max_examples=25)
@given(config=configs(), seed=st.integers(0, 2**16))
def test_col2im_is_the_adjoint_of_im2col(config: Config, seed: int) -> None:
    # <im2col(x), C> = <x, col2im(C)> for all x and C: col2im is im2col's transpose.
    x, _, _ = config.arrays(seed)
    args = (config.kernel, config.stride, config.padding, config.dilation)
    cols = im2col(x, *args)
    other = np.random.default_rng(seed + 1).standard_normal(cols.shape)
    back = col2im(other, x.shape, *args)
    assert back.shape == x.shape
    assert np.isclose(np.sum(cols * other), np.sum(x * back), rtol=1e-12, atol=1e-12)


def test_col2im_sums_overlaps_by_hand() -> None:
    # 1x1x3 row... a 1x1x1x3 input, kernel 1x2, stride 1: windows (0,1) and (1,2) overlap at 1.
    cols = np.array([[[1.0, 10.0], [2.0, 20.0]]])  # rows: tap 0, tap 1; columns: window 0, 1
    np.testing.assert_array_equal(col2im(cols, (1, 1, 1, 3), (1, 2)), [[[[1.0, 2.0 + 10.0, 20.0]]]])


def test_im2col_col2im_reject_bad_shapes() -> None:
    with pytest.raises(ValueError, match="kernel must be"):
        im2col(np.zeros((1, 1, 4, 4)), 0)
    with pytest.raises(ValueError, match="x must be 4-D"):
        im2col(np.zeros((4, 4)), 2)
    with pytest.raises(ValueError, match=r"cols must have shape .* = \(1, 4, 9\), got \(1, 4, 8\)"):
        col2im(np.zeros((1, 4, 8)), (1, 1, 4, 4), 2)
    with pytest.raises(ValueError, match="x_shape must be"):
        col2im(np.zeros((1, 4, 9)), (1, 4, 4), 2)


# ---------------------------------------------------------------- pooling, forward


@st.composite
def pool_configs(draw: st.DrawFn) -> dict:
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
    stride = draw(st.none() | st.tuples(st.integers(1, 3), st.integers(1, 3)))
    height = draw(st.integers(max(1, kernel[0] - 2 * padding[0]), kernel[0] + 4))
    width = draw(st.integers(max(1, kernel[1] - 2 * padding[1]), kernel[1] + 4))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)), height, width)
    return {"shape": shape, "kernel": kernel, "stride": stride, "padding": padding}


def _pool_reference(x: np.ndarray, kernel, stride, padding, reduce, fill: float) -> np.ndarray:
    """Pooling by loops over windows of an np.pad-ed input."""
    stride = kernel if stride is None else stride
    padded = np.pad(x, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2), constant_values=fill)
    starts_h = range(0, padded.shape[2] - kernel[0] + 1, stride[0])
    starts_w = range(0, padded.shape[3] - kernel[1] + 1, stride[1])
    out = np.empty((*x.shape[:2], len(starts_h), len(starts_w)))
    for a, r in enumerate(starts_h):
        for c, s in enumerate(starts_w):
            out[:, :, a, c] = reduce(padded[:, :, r : r + kernel[0], s : s + kernel[1]], axis=(2, 3))
    return out


@settings(max_examples=30)
@given(config=pool_configs(), seed=st.integers(0, 2**16))
def test_pooling_forward_matches_loops(config: dict, seed: int) -> None:
    x = np.random.default_rng(seed).standard_normal(config["shape"])
    args = (config["kernel"], config["stride"], config["padding"])
    out_max, _ = max_pool2d_forward(x, *args)
    np.testing.assert_array_equal(out_max, _pool_reference(x, *args, np.max, -np.inf))
    out_avg, _ = avg_pool2d_forward(x, *args)
    np.testing.assert_allclose(out_avg, _pool_reference(x, *args, np.mean, 0.0), rtol=1e-12, atol=1e-14)


def test_pooling_by_hand() -> None:
    x = np.arange(16.0).reshape(1, 1, 4, 4)  # rows 0-3, 4-7, 8-11, 12-15
    out_max, _ = max_pool2d_forward(x, 2)
    np.testing.assert_array_equal(out_max, [[[[5.0, 7.0], [13.0, 15.0]]]])
    out_avg, _ = avg_pool2d_forward(x, 2)  # (0+1+4+5)/4 = 2.5, ...
    np.testing.assert_array_equal(out_avg, [[[[2.5, 4.5], [10.5, 12.5]]]])
    out_global, _ = global_avg_pool2d_forward(x)  # (0 + ... + 15)/16 = 7.5
    np.testing.assert_array_equal(out_global, [[7.5]])
    # padding 1 with a 3x3 window, stride 2: the top-left window holds 0, 1, 4, 5 and five pads.
    out_avg_pad, _ = avg_pool2d_forward(x, 3, stride=2, padding=1)
    assert out_avg_pad[0, 0, 0, 0] == (0 + 1 + 4 + 5) / 9  # padded zeros count (count_include_pad)
    out_max_pad, _ = max_pool2d_forward(-x - 1, 3, stride=2, padding=1)
    assert out_max_pad[0, 0, 0, 0] == -1.0  # the -inf padding never wins


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pooling_keeps_dtype(dtype) -> None:
    x = np.ones((1, 2, 4, 4), dtype=dtype)
    for forward in (max_pool2d_forward, avg_pool2d_forward):
        assert forward(x, 2)[0].dtype == dtype
    assert global_avg_pool2d_forward(x)[0].dtype == dtype


@pytest.mark.parametrize("forward", [max_pool2d_forward, avg_pool2d_forward])
@pytest.mark.parametrize(
    ("x", "kwargs", "pattern"),
    [
        (np.zeros((1, 4, 4)), {"kernel": 2}, "x must be 4-D"),
        (np.zeros((1, 1, 4, 4)), {"kernel": 0}, "kernel must be"),
        (np.zeros((1, 1, 4, 4)), {"kernel": 2, "stride": 0}, "stride must be"),
        (np.zeros((1, 1, 4, 4)), {"kernel": 2, "padding": -1}, "padding must be"),
        (
            np.zeros((1, 1, 4, 4)),
            {"kernel": 2, "padding": 2},
            "padding 2,2 must be at most half the kernel 2x2",
        ),
        (np.zeros((1, 1, 2, 2)), {"kernel": 3, "padding": 0}, "pooling kernel 3x3 .*padded input 2x2"),
    ],
)
def test_pooling_bad_input(forward, x, kwargs, pattern) -> None:
    with pytest.raises(ValueError, match=pattern):
        forward(x, **kwargs)
