"""FFT convolution (Mathieu, Henaff & LeCun, 2014): a cross-correlation as products of spectra.

By the convolution theorem, a circular cross-correlation of two P_h x P_w arrays
is the inverse FFT of X conj(W). Zero-padding the (padded) input and the filters
to P_h x P_w, powers of two at least as large as the padded input, makes every
output the layer keeps free of wrap-around, so for each sample n and filter o

    y[n, o] = crop( IFFT2( sum_c FFT2(x[n, c]) conj(FFT2(w[o, c])) ) ) + b[o].

The sum over input channels, per frequency, is a complex matrix product
(N x C_in)(C_in x C_out); it is written as four real `ops.matmul` products
(real and imaginary parts), so the counter sees it. With F = P_h (P_w/2 + 1)
kept frequencies (real input, so half the spectrum suffices):

* pointwise stage: 4 F N C_in C_out multiplies, 4 F N (C_in - 1) C_out + 2 F N C_out adds;
* scaling by 1/(P_h P_w) and the bias: N C_out H_out W_out multiplies and adds;
* the FFTs: N C_in forward transforms of the input, C_out C_in of the filters and
  N C_out inverse transforms, each costing what the course's radix-2 FFT
  (`radix2_fft`, below) counts: 2 n log2(n) multiplies and 3 n log2(n) adds for a
  complex transform of length n, done along the rows (a real row treated as complex
  with zero imaginary part), then along the P_w/2 + 1 kept columns; the inverse
  also rebuilds the mirrored half of each row (one sign change, counted as a
  multiply by -1, per mirrored entry).

``fft="radix2"`` runs that radix-2 FFT on `course_lib.ops`, so the counter sees
every operation. ``fft="numpy"`` (the fast default) runs `numpy.fft.rfft2`, whose
inner operations the counter cannot see; it records the radix-2 count for the
same sizes instead (numpy's mixed-radix, real-input FFT does fewer operations).
The tests check that both record the same numbers. Closed form:
`course_lib.complexity.fast.fft_conv2d_cost`; derived in notebooks/08_fast_algorithms.ipynb.
"""

from __future__ import annotations

import numpy as np

from course_lib import ops
from course_lib.conv.shapes import IntOrPair, conv_geometry
from course_lib.counting import is_counting, record
from course_lib.validation import as_float_array, require_choice, require_int, require_plain_conv

__all__ = ["FFT_KINDS", "check_fft", "fft_conv2d", "fft_size", "radix2_fft"]

FFT_KINDS = ("numpy", "radix2")
"""Which FFT `fft_conv2d` runs: numpy's (fast; its radix-2 count is recorded) or the course's on ops."""


def fft_size(n: int) -> int:
    """The smallest power of two >= ``n``: the FFT length for a padded side of ``n``."""
    n = require_int("n", n)
    return 1 << (n - 1).bit_length()


def check_fft(stride: IntOrPair, dilation: IntOrPair, groups: int) -> None:
    """Raise ValueError naming the property if a layer is not one `fft_conv2d` computes."""
    require_plain_conv("fft", stride, dilation, groups)


def _bit_reversed(n: int) -> np.ndarray:
    bits = n.bit_length() - 1
    order = np.zeros(n, dtype=np.intp)
    for bit in range(bits):
        order |= ((np.arange(n) >> bit) & 1) << (bits - 1 - bit)
    return order


def radix2_fft(re: np.ndarray, im: np.ndarray, inverse: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Unscaled DFT of ``re + i im`` along the last axis (length a power of two), on `course_lib.ops`.

    Iterative Cooley-Tukey, decimation in time: after the bit-reversal permutation
    (data movement), log2(n) stages of n/2 butterflies, each one complex product
    by a twiddle factor (4 multiplies, 2 adds; a twiddle of 1 is multiplied too) and
    one complex sum and difference (4 adds): 2 n log2(n) multiplies and 3 n log2(n)
    adds per transform. ``inverse`` uses the conjugate twiddles (no 1/n scaling).
    Returns the real and imaginary parts.
    """
    n = re.shape[-1]
    if n & (n - 1):
        raise ValueError(f"radix2_fft needs a power-of-two length, got {n}")
    order = _bit_reversed(n)
    re, im = re[..., order], im[..., order]
    lead = re.shape[:-1]
    sign = 1.0 if inverse else -1.0
    size = 2
    while size <= n:
        half = size // 2
        angle = sign * 2.0 * np.pi * np.arange(half) / size
        w_re, w_im = np.cos(angle).astype(re.dtype), np.sin(angle).astype(re.dtype)
        r = re.reshape(*lead, n // size, size)
        i = im.reshape(*lead, n // size, size)
        odd_re, odd_im = r[..., half:], i[..., half:]
        t_re = ops.subtract(ops.multiply(odd_re, w_re), ops.multiply(odd_im, w_im))
        t_im = ops.add(ops.multiply(odd_re, w_im), ops.multiply(odd_im, w_re))
        new_re, new_im = np.empty_like(r), np.empty_like(i)
        ops.add(r[..., :half], t_re, out=new_re[..., :half])
        ops.subtract(r[..., :half], t_re, out=new_re[..., half:])
        ops.add(i[..., :half], t_im, out=new_im[..., :half])
        ops.subtract(i[..., :half], t_im, out=new_im[..., half:])
        re, im = new_re.reshape(*lead, n), new_im.reshape(*lead, n)
        size *= 2
    return re, im


def _fft_columns(re: np.ndarray, im: np.ndarray, inverse: bool) -> tuple[np.ndarray, np.ndarray]:
    """`radix2_fft` along the second-to-last axis."""
    re, im = radix2_fft(np.swapaxes(re, -1, -2), np.swapaxes(im, -1, -2), inverse)
    return np.swapaxes(re, -1, -2), np.swapaxes(im, -1, -2)


def _radix2_rfft2(x: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Real and imaginary parts of the 2-D spectrum of ``x`` zero-padded to ``size``, columns 0..P_w/2."""
    p_h, p_w = size
    padded = np.zeros((*x.shape[:-2], p_h, p_w), dtype=x.dtype)
    padded[..., : x.shape[-2], : x.shape[-1]] = x
    re, im = radix2_fft(padded, np.zeros_like(padded))
    kept = p_w // 2 + 1
    return _fft_columns(re[..., :kept], im[..., :kept], inverse=False)


def _radix2_irfft2(re: np.ndarray, im: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Unscaled inverse of `_radix2_rfft2`: the real P_h x P_w array whose half-spectrum is given."""
    p_w = size[1]
    re, im = _fft_columns(re, im, inverse=True)
    kept = p_w // 2 + 1
    mirrored = slice(p_w - kept, 0, -1) if p_w > 1 else slice(0, 0)  # entries k = kept..P_w-1 from P_w - k
    full_re = np.concatenate([re, re[..., mirrored]], axis=-1)
    full_im = np.concatenate([im, ops.multiply(im[..., mirrored], re.dtype.type(-1))], axis=-1)
    out_re, _ = radix2_fft(full_re, full_im, inverse=True)
    return out_re


def _record_fft(maps: int, size: tuple[int, int], inverse: bool) -> None:
    """Record, for ``maps`` 2-D real transforms of ``size``, what `_radix2_rfft2`/`_radix2_irfft2` count."""
    p_h, p_w = size
    kept = p_w // 2 + 1
    log_h, log_w = p_h.bit_length() - 1, p_w.bit_length() - 1
    rows = p_h * 2 * p_w * log_w, p_h * 3 * p_w * log_w
    cols = kept * 2 * p_h * log_h, kept * 3 * p_h * log_h
    multiplies, adds = rows[0] + cols[0], rows[1] + cols[1]
    if inverse:
        multiplies += p_h * (p_w - kept)
    record("irfft2" if inverse else "rfft2", multiplies=maps * multiplies, adds=maps * adds)


def _spectra(x: np.ndarray, size: tuple[int, int], fft: str) -> tuple[np.ndarray, np.ndarray]:
    """(re, im) of the half-spectra of every 2-D map of ``x`` (..., H, W) zero-padded to ``size``."""
    if fft == "radix2":
        return _radix2_rfft2(x, size)
    spectrum = np.fft.rfft2(x, s=size)
    if is_counting():
        _record_fft(int(np.prod(x.shape[:-2])), size, inverse=False)
    return spectrum.real.astype(x.dtype), spectrum.imag.astype(x.dtype)


def _inverse(re: np.ndarray, im: np.ndarray, size: tuple[int, int], fft: str) -> np.ndarray:
    if fft == "radix2":
        return _radix2_irfft2(re, im, size)
    spectrum = np.empty(re.shape, dtype=np.result_type(re.dtype, np.complex64))
    spectrum.real, spectrum.imag = re, im
    if is_counting():
        _record_fft(int(np.prod(re.shape[:-2])), size, inverse=True)
    return np.fft.irfft2(spectrum, s=size, norm="forward").astype(re.dtype, copy=False)


def fft_conv2d(
    x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, padding: IntOrPair = 0, fft: str = "numpy"
) -> np.ndarray:
    """Stride-1 cross-correlation by FFTs: any kernel size, groups = 1.

    Parameters
    ----------
    x : (N, C_in, H, W) input, float32 or float64 (computed in this precision).
    w : (C_out, C_in, K_h, K_w) filters.
    b : None or (C_out,) biases.
    padding : non-negative int or (height, width) pair.
    fft : ``"numpy"`` (`numpy.fft.rfft2`, the radix-2 count recorded) or ``"radix2"``
        (the course's FFT on `course_lib.ops`, every operation counted).

    Returns
    -------
    (N, C_out, H_out, W_out), H_out = H + 2 p_h - K_h + 1: the values of `course_lib.conv.conv2d`
    up to rounding. Counts: module docstring; `course_lib.complexity.fast.fft_conv2d_cost`.
    """
    fft = require_choice("fft", fft, FFT_KINDS)
    x, w = as_float_array("x", x), as_float_array("w", w)
    dtype = np.result_type(x, w)
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    geo = conv_geometry(x, w, b, 1, padding, 1, 1)
    check_fft(geo.stride, geo.dilation, geo.groups)
    b = None if b is None else as_float_array("b", b, dtype=dtype)
    return run_fft(x, w, b, geo.padding, fft)


def run_fft(
    x: np.ndarray, w: np.ndarray, b: np.ndarray | None, padding: tuple[int, int], fft: str = "numpy"
) -> np.ndarray:
    """`fft_conv2d` on checked arguments (the lean path of `conv2d`'s dispatch)."""
    batch, c_in, height, width = x.shape
    c_out, _, k_h, k_w = w.shape
    (p_h, p_w) = padding
    h_pad, w_pad = height + 2 * p_h, width + 2 * p_w
    h_out, w_out = h_pad - k_h + 1, w_pad - k_w + 1
    size = (fft_size(h_pad), fft_size(w_pad))
    x_pad = np.zeros((batch, c_in, h_pad, w_pad), dtype=x.dtype)
    x_pad[:, :, p_h : p_h + height, p_w : p_w + width] = x
    x_re, x_im = _spectra(x_pad, size, fft)  # (N, C_in, P_h, F_w)
    w_re, w_im = _spectra(w, size, fft)  # (C_out, C_in, P_h, F_w)
    freqs = x_re.shape[-2] * x_re.shape[-1]

    def by_frequency(part: np.ndarray, first: int) -> np.ndarray:
        # (A, B, P_h, F_w) -> (F, A, B) if first is 0, (F, B, A) otherwise.
        moved = part.reshape(*part.shape[:2], freqs).transpose(2, 0, 1)
        return np.ascontiguousarray(moved if first == 0 else moved.transpose(0, 2, 1))

    xr, xi = by_frequency(x_re, 0), by_frequency(x_im, 0)  # (F, N, C_in)
    wr, wi = by_frequency(w_re, 1), by_frequency(w_im, 1)  # (F, C_in, C_out)
    # X conj(W) summed over C_in: real part Xr Wr + Xi Wi, imaginary part Xi Wr - Xr Wi.
    y_re = ops.add(ops.matmul(xr, wr), ops.matmul(xi, wi))
    y_im = ops.subtract(ops.matmul(xi, wr), ops.matmul(xr, wi))  # (F, N, C_out)

    def by_map(part: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(part.transpose(1, 2, 0)).reshape(batch, c_out, *x_re.shape[-2:])

    full = _inverse(by_map(y_re), by_map(y_im), size, fft)  # (N, C_out, P_h, P_w), unscaled
    scaled = ops.multiply(full[:, :, :h_out, :w_out], x.dtype.type(1.0 / (size[0] * size[1])))
    if b is None:
        return scaled
    return ops.add(scaled, b.reshape(1, -1, 1, 1))
