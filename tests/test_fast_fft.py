"""FFT convolution and the course's radix-2 FFT: values, exact counts, bad input.

References: numpy.fft.fft (the radix-2 FFT's values), the textbook count of a radix-2 FFT
(n/2 butterflies in each of log2 n stages), scipy.signal.correlate2d (through
tests/test_conv_support.py), the course's direct conv2d and PyTorch when installed. The
closed forms of `course_lib.complexity.fast` are checked against the counter, for both the
counted radix-2 path and the numpy path (which records the radix-2 count).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_conv_support import reference_conv2d

from course_lib.complexity.fast import fft2_cost, fft_conv2d_cost, fft_length
from course_lib.conv import conv2d
from course_lib.counting import count_ops
from course_lib.fast.fft import check_fft, fft_conv2d, fft_size, radix2_fft


@pytest.mark.parametrize("n", [1, 2, 4, 8, 32, 128])
def test_radix2_fft_equals_numpy_and_counts_2nlogn_multiplies(n: int) -> None:
    rng = np.random.default_rng(n)
    re, im = rng.standard_normal((2, 3, n))
    with count_ops() as counter:
        out_re, out_im = radix2_fft(re, im)
    np.testing.assert_allclose(out_re + 1j * out_im, np.fft.fft(re + 1j * im), atol=1e-12 * n)
    back_re, back_im = radix2_fft(out_re, out_im, inverse=True)
    np.testing.assert_allclose((back_re + 1j * back_im) / n, re + 1j * im, atol=1e-12)
    # log2 n stages of n/2 butterflies: a complex product (4 multiplies, 2 adds) and a complex
    # sum and difference (4 adds) each, for each of the 3 transforms.
    stages = n.bit_length() - 1
    assert counter.multiplies == 3 * stages * (n // 2) * 4
    assert counter.adds == 3 * stages * (n // 2) * 6


def test_radix2_fft_rejects_other_lengths() -> None:
    with pytest.raises(ValueError, match="power-of-two length, got 6"):
        radix2_fft(np.zeros(6), np.zeros(6))


@settings(max_examples=20)
@given(
    batch=st.integers(1, 2),
    c_in=st.integers(1, 3),
    c_out=st.integers(1, 3),
    size=st.tuples(st.integers(1, 12), st.integers(1, 12)),
    kernel=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    padding=st.tuples(st.integers(0, 2), st.integers(0, 2)),
    bias=st.booleans(),
)
def test_values_and_counts_on_random_layers(batch, c_in, c_out, size, kernel, padding, bias) -> None:
    height, width = (max(s, k - 2 * p) for s, k, p in zip(size, kernel, padding, strict=True))
    rng = np.random.default_rng(height * 100 + width)
    x = rng.standard_normal((batch, c_in, height, width))
    w = rng.standard_normal((c_out, c_in, *kernel))
    b = rng.standard_normal(c_out) if bias else None
    reference = reference_conv2d(x, w, b, (1, 1), padding, (1, 1), 1)
    formula = fft_conv2d_cost(c_in, height, width, c_out, kernel, padding, batch, bias)
    for fft in ("numpy", "radix2"):
        with count_ops() as counter:
            y = fft_conv2d(x, w, b, padding=padding, fft=fft)
        assert y.shape == reference.shape
        assert np.max(np.abs(y - reference)) <= 1e-9 * np.max(np.abs(reference))
        assert counter.as_dict() == formula.as_dict()


def test_float32_and_pytorch() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 4, 20, 20)).astype(np.float32)
    w = (rng.standard_normal((5, 4, 7, 7)) / 14).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    y = fft_conv2d(x, w, b, padding=3)
    assert y.dtype == np.float32
    exact = reference_conv2d(x, w, b, (1, 1), (3, 3), (1, 1), 1)
    assert np.max(np.abs(y - exact)) <= 1e-4 * np.max(np.abs(exact))
    torch = pytest.importorskip("torch")
    x64, w64, b64 = (a.astype(np.float64) for a in (x, w, b))
    reference = torch.nn.functional.conv2d(*(torch.from_numpy(a) for a in (x64, w64, b64)), padding=3).numpy()
    assert np.max(np.abs(fft_conv2d(x64, w64, b64, padding=3) - reference)) <= 1e-9 * np.max(
        np.abs(reference)
    )


def test_fft_sizes_and_one_transform_by_hand() -> None:
    assert [fft_size(n) for n in (1, 2, 3, 5, 8, 9, 58)] == [1, 2, 4, 8, 8, 16, 64]
    assert [fft_length(n) for n in (1, 3, 58)] == [1, 4, 64]
    # 4 x 8: 4 row FFTs of length 8 (2*8*3 = 48 multiplies, 72 adds each), then the
    # 8/2 + 1 = 5 kept columns, FFTs of length 4 (2*4*2 = 16 multiplies, 24 adds each).
    assert fft2_cost(4, 8).as_dict()["multiplies"] == 4 * 48 + 5 * 16
    assert fft2_cost(4, 8).adds == 4 * 72 + 5 * 24
    # the inverse also flips the sign of the 3 mirrored entries of each of the 4 rows
    assert fft2_cost(4, 8, inverse=True).multiplies == 4 * 48 + 5 * 16 + 4 * 3


def test_pointwise_stage_replaces_k_squared() -> None:
    # A 32 x 32 'same' layer: the direct layer costs K^2 H W multiplies per channel pair,
    # the FFT's pointwise stage 4 P_h (P_w/2 + 1) = 8448 whatever K (P = 64 for 3 <= K <= 33):
    # fewer from K = 3 on (9216), so with many channels (FFTs amortised) the FFT needs fewer.
    direct = {k: 32 * 32 * k * k for k in (1, 2, 3, 5, 9)}
    pointwise = 4 * 64 * 33
    assert [k for k, cost in direct.items() if cost > pointwise] == [3, 5, 9]
    x = np.zeros((1, 1, 32, 32))
    with count_ops() as counter:
        fft_conv2d(x, np.zeros((1, 1, 9, 9)), padding=4)
    assert counter.by_op["matmul"]["multiplies"] == pointwise


@pytest.mark.parametrize(
    ("stride", "dilation", "groups", "match"),
    [(2, 1, 1, "fft needs stride 1, got stride 2"), (1, (1, 2), 1, "dilation 1"), (1, 1, 3, "groups=1")],
)
def test_layers_fft_cannot_do_name_the_property(stride, dilation, groups, match) -> None:
    with pytest.raises(ValueError, match=match):
        check_fft(stride, dilation, groups)


def test_bad_arguments() -> None:
    x, w = np.ones((1, 2, 5, 5)), np.ones((3, 2, 3, 3))
    with pytest.raises(ValueError, match="fft must be one of 'numpy', 'radix2'; got 'cufft'"):
        fft_conv2d(x, w, fft="cufft")
    with pytest.raises(ValueError, match="does not fit"):
        fft_conv2d(x, np.ones((3, 2, 7, 7)))
    with pytest.raises(ValueError, match="cols must be a power of two, got 6"):
        fft2_cost(4, 6)
    assert np.allclose(fft_conv2d(x, w, padding=1), conv2d(x, w, padding=1))
