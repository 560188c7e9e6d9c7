"""im2col and col2im: a convolution turned into one matrix product, and back.

`im2col` copies every receptive field of the (padded) input into a column, so
that the convolution becomes a single GEMM of the flattened filters with these
columns. Per sample the column matrix has

    (C_in K_h K_w) x (H_out W_out)

entries: each input element is copied about K_h K_w / (stride_h stride_w)
times, the K^2 memory blow-up of the method. `im2col` moves data only and
records no arithmetic. `col2im` is its adjoint: it adds every column entry back
onto the input position it came from (overlapping windows accumulate), which
the op counter sees as one add per column entry,
N * C * K_h * K_w * H_out * W_out adds (accumulating into a zero-initialised
buffer, so the first contribution to each position is also an add).

Derived in notebooks/05_convolution_layer.ipynb.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from course_lib import ops
from course_lib.conv.shapes import (
    IntOrPair,
    check_memory,
    output_shape_2d,
    pad_spatial,
    padded_elements,
)
from course_lib.validation import as_float_array, check_ndim, parse_int_list, require_pair


def windows_view(
    x_padded: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int], dilation: tuple[int, int]
) -> np.ndarray:
    """Read-only view (N, C, H_out, W_out, K_h, K_w) of every receptive field of ``x_padded``."""
    extent = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True))
    view = sliding_window_view(x_padded, extent, axis=(2, 3))
    return view[:, :, :: stride[0], :: stride[1], :: dilation[0], :: dilation[1]]


def write_fields(
    out: np.ndarray,
    x_padded: np.ndarray,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
) -> None:
    """Copy every receptive field of ``x_padded`` (N, C, H, W) into ``out`` (C, K_h, K_w, N, H_out, W_out).

    ``out[c, i, j, n, r, s] = x_padded[n, c, r*stride_h + i*dilation_h, s*stride_w + j*dilation_w]``:
    the im2col copy, written into a buffer the caller owns and laid out so that
    ``out.reshape(C K_h K_w, N H_out W_out)`` is the column matrix of all N
    samples side by side (one GEMM serves the whole batch). With a stride and
    no dilation, the input is first split into its stride_h x stride_w phases
    (rows a, a + stride_h, ...; columns b, b + stride_w, ...), each made
    contiguous: the taps (i, j) with i = a and j = b modulo the stride form a
    stride-1 window over phase (a, b), so the copy reads whole rows instead of
    every other element. No arithmetic is counted.
    """
    (k_h, k_w), (s_h, s_w) = kernel, stride
    h_out, w_out = out.shape[-2:]
    if stride == (1, 1) or dilation != (1, 1):
        np.copyto(out, windows_view(x_padded, kernel, stride, dilation).transpose(1, 4, 5, 0, 2, 3))
        return
    for a in range(min(s_h, k_h)):
        for b in range(min(s_w, k_w)):
            phase = x_padded[:, :, a::s_h, b::s_w].copy()
            taps = (len(range(a, k_h, s_h)), len(range(b, k_w, s_w)))
            fields = windows_view(phase, taps, (1, 1), (1, 1))[:, :, :h_out, :w_out]
            np.copyto(out[:, a::s_h, b::s_w], fields.transpose(1, 4, 5, 0, 2, 3))


def im2col(
    x: np.ndarray, kernel: IntOrPair, stride: IntOrPair = 1, padding: IntOrPair = 0, dilation: IntOrPair = 1
) -> np.ndarray:
    """The receptive fields of ``x`` as columns, for convolution by one matrix product.

    Parameters
    ----------
    x : (N, C, H, W) array, float32 or float64.
    kernel, stride, padding, dilation : int or (height, width) pair.

    Returns
    -------
    cols : (N, C*K_h*K_w, H_out*W_out) array of ``x``'s dtype, where row
        ``(c*K_h + i)*K_w + j`` and column ``r*W_out + s`` hold
        ``x_padded[n, c, r*stride_h + i*dilation_h, s*stride_w + j*dilation_w]``
        (channel slowest, so the rows of one group of channels are contiguous).
        H_out and W_out follow `conv_output_size`. No arithmetic is counted.
    """
    x = as_float_array("x", x)
    check_ndim("x", x, 4, "(N, C, H, W)")
    kernel = require_pair("kernel", kernel, 1)
    stride = require_pair("stride", stride, 1)
    padding = require_pair("padding", padding, 0)
    dilation = require_pair("dilation", dilation, 1)
    batch, channels = x.shape[:2]
    h_out, w_out = output_shape_2d(x.shape[2:], kernel, padding, stride, dilation)
    columns = batch * channels * kernel[0] * kernel[1] * h_out * w_out
    check_memory(
        x.shape[2:],
        padding,
        padded_elements(x.shape, padding) + columns,
        x.itemsize,
        f"the padded input and the columns ({batch}, {channels * kernel[0] * kernel[1]}, {h_out * w_out}) ({x.dtype})",
        "x",
    )
    windows = windows_view(pad_spatial(x, padding), kernel, stride, dilation)
    # (N, C, H_out, W_out, K_h, K_w) -> (N, C, K_h, K_w, H_out, W_out): the reshape copies.
    return windows.transpose(0, 1, 4, 5, 2, 3).reshape(batch, channels * kernel[0] * kernel[1], h_out * w_out)


def col2im(
    cols: np.ndarray,
    x_shape: tuple[int, int, int, int],
    kernel: IntOrPair,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
) -> np.ndarray:
    """Adjoint of `im2col`: add each column entry back where `im2col` took it from.

    ``cols`` is (N, C*K_h*K_w, H_out*W_out) and the result has shape ``x_shape``
    = (N, C, H, W). Entries that came from the same input position (overlapping
    windows) are summed; entries that came from the zero padding are dropped.
    Counts one add per entry of ``cols``: N*C*K_h*K_w*H_out*W_out adds.
    This is how the gradient of a convolution reaches its input.
    """
    cols = as_float_array("cols", cols)
    if isinstance(x_shape, str):
        raise ValueError(f"x_shape must be a tuple (N, C, H, W) of positive integers, got {x_shape!r}")
    batch, channels, height, width = parse_int_list("x_shape", x_shape, min_len=4, max_len=4)
    kernel = require_pair("kernel", kernel, 1)
    stride = require_pair("stride", stride, 1)
    padding = require_pair("padding", padding, 0)
    dilation = require_pair("dilation", dilation, 1)
    h_out, w_out = output_shape_2d((height, width), kernel, padding, stride, dilation)
    check_memory(
        (height, width),
        padding,
        padded_elements((batch, channels, height, width), padding),
        cols.itemsize,
        f"the padded gradient buffer of x_shape {(batch, channels, height, width)} ({cols.dtype})",
        "x_shape",
    )
    expected = (batch, channels * kernel[0] * kernel[1], h_out * w_out)
    if cols.shape != expected:
        raise ValueError(f"cols must have shape (N, C*K_h*K_w, H_out*W_out) = {expected}, got {cols.shape}")
    blocks = cols.reshape(batch, channels, kernel[0], kernel[1], h_out, w_out)
    (p_h, p_w), (s_h, s_w), (d_h, d_w) = padding, stride, dilation
    padded = np.zeros((batch, channels, height + 2 * p_h, width + 2 * p_w), dtype=cols.dtype)
    for i in range(kernel[0]):
        rows = slice(i * d_h, i * d_h + s_h * (h_out - 1) + 1, s_h)
        for j in range(kernel[1]):
            columns = slice(j * d_w, j * d_w + s_w * (w_out - 1) + 1, s_w)
            padded[:, :, rows, columns] = ops.add(padded[:, :, rows, columns], blocks[:, :, i, j])
    return np.ascontiguousarray(padded[:, :, p_h : p_h + height, p_w : p_w + width])
