"""Max, average and global average pooling: forward and backward passes.

Pooling slides a K_h x K_w window with stride (default: the window size) over
each channel separately; the output size follows the convolution formula
(`conv_output_size` with dilation 1). Padding may be at most half the window,
so every window holds at least one real input value.

What the op counter records (conventions of notebooks/00_start_here.ipynb),
per output element of an (N, C, H_out, W_out) result:

* max pooling, forward: nothing. Taking a maximum of K_h K_w numbers takes
  K_h K_w - 1 comparisons, and comparisons are not FLOPs in the course's
  convention; the counter has no kind for them, so they are left out rather
  than disguised as adds (`course_lib.complexity` reports them on their own).
* max pooling, backward: the gradient is routed to the window's maximum and
  added there (windows may overlap): 1 add.
* average pooling, forward: K_h K_w - 1 adds and 1 divide by K_h K_w (padded
  zeros are part of the average, PyTorch's default ``count_include_pad=True``).
* average pooling, backward: 1 divide, then K_h K_w adds spreading the share
  over the window (accumulated into a zero-initialised buffer).
* global average pooling of (N, C, H, W): H W - 1 adds and 1 divide per
  (sample, channel) forward; 1 divide per (sample, channel) backward.

Derived in notebooks/06_cnn_time_and_space.ipynb.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from course_lib import ops
from course_lib.conv.im2col import windows_view
from course_lib.conv.shapes import (
    IntOrPair,
    Pair,
    check_memory,
    output_shape_2d,
    pad_spatial,
    padded_elements,
)
from course_lib.validation import as_float_array, check_instance, check_ndim, require_pair


class PoolCache(NamedTuple):
    """What a pooling backward pass needs; ``kind`` says which forward made it ("max", "avg", "global")."""

    x_shape: tuple[int, ...]
    kernel: Pair
    stride: Pair
    padding: Pair
    argmax: np.ndarray | None  # max pooling: flat index (i*K_w + j) of each window's maximum
    dtype: np.dtype
    kind: str


def _check_cache(cache: object, kind: str, forward: str) -> PoolCache:
    check_instance("cache", cache, PoolCache, f"the PoolCache returned by {forward}")
    assert isinstance(cache, PoolCache)
    if cache.kind != kind:
        raise ValueError(
            f"cache must be the PoolCache returned by {forward}, got the cache of {cache.kind} pooling"
        )
    return cache


def _pool_setup(
    x: np.ndarray, kernel: IntOrPair, stride: IntOrPair | None, padding: IntOrPair, per_window: int
) -> tuple[np.ndarray, Pair, Pair, Pair]:
    """Checked (x, kernel, stride, padding); ``per_window`` elements are allocated per output (memory guard)."""
    x = as_float_array("x", x)
    check_ndim("x", x, 4, "(N, C, H, W)")
    kernel = require_pair("kernel", kernel, 1)
    stride = kernel if stride is None else require_pair("stride", stride, 1)
    padding = require_pair("padding", padding, 0)
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise ValueError(
            f"padding {padding[0]},{padding[1]} must be at most half the kernel "
            f"{kernel[0]}x{kernel[1]}, i.e. at most {kernel[0] // 2},{kernel[1] // 2}"
        )
    h_out, w_out = output_shape_2d(x.shape[2:], kernel, padding, stride, (1, 1), what="pooling kernel")
    check_memory(
        x.shape[2:],
        padding,
        padded_elements(x.shape, padding) + x.shape[0] * x.shape[1] * h_out * w_out * per_window,
        x.itemsize,
        f"the padded input and the {(x.shape[0], x.shape[1], h_out, w_out)} windows ({x.dtype})",
        "x",
    )
    return x, kernel, stride, padding


def _check_dout(dout: np.ndarray, dtype: np.dtype, shape: tuple[int, ...]) -> np.ndarray:
    dout = as_float_array("dout", dout, dtype=dtype)
    if dout.shape != shape:
        raise ValueError(f"dout must have the output's shape {shape}, got {dout.shape}")
    return dout


def _positions(start: int, stride: int, count: int) -> slice:
    """Rows (or columns) start, start + stride, ... (count of them) of the padded input."""
    return slice(start, start + stride * (count - 1) + 1, stride)


def max_pool2d_forward(
    x: np.ndarray, kernel: IntOrPair, stride: IntOrPair | None = None, padding: IntOrPair = 0
) -> tuple[np.ndarray, PoolCache]:
    """Maximum over each K_h x K_w window of each channel.

    ``x`` is (N, C, H, W); ``stride`` defaults to ``kernel``; ``padding`` (at most
    half the kernel) pads with -inf. Returns ``out`` of shape (N, C, H_out, W_out),
    H_out = floor((H + 2 p_h - K_h) / s_h) + 1, and a cache. Records no
    arithmetic (the K_h K_w - 1 comparisons per output are not FLOPs).

    The cache keeps each window's first maximum (row by row) among its *real*
    cells, as PyTorch does: padding is never chosen, even in a window whose
    real values are all -inf, so the gradient always reaches the input.
    """
    pair = require_pair("kernel", kernel, 1)
    # Per output: a copy of its window's K_h K_w values and an int64 argmax (8 bytes, 1 or 2 items).
    x, kernel, stride, padding = _pool_setup(x, pair, stride, padding, pair[0] * pair[1] + 2)
    windows = windows_view(pad_spatial(x, padding, -np.inf), kernel, stride, (1, 1))
    flat = windows.reshape(*windows.shape[:4], kernel[0] * kernel[1])
    argmax = flat.argmax(axis=-1)
    out = np.take_along_axis(flat, argmax[..., None], axis=-1)[..., 0]
    if padding != (0, 0):
        _first_real_cell_where_all_minus_inf(out, argmax, kernel, stride, padding)
    return out, PoolCache(x.shape, kernel, stride, padding, argmax, x.dtype, "max")


def _first_real_cell_where_all_minus_inf(
    out: np.ndarray, argmax: np.ndarray, kernel: Pair, stride: Pair, padding: Pair
) -> None:
    """In windows whose maximum is -inf, point ``argmax`` (in place) at the window's first real cell.

    ``argmax`` then picks a padded cell only when every value of the window is
    -inf (a finite or +inf maximum is always a real cell, padding being -inf),
    and numpy's first maximum may be padding. PyTorch scans only the real cells
    of a window, so it takes the first real one: row max(0, p_h - r s_h) and
    column max(0, p_w - s s_w) of the window at output (r, s).
    """
    lost = out == -np.inf
    if not lost.any():
        return
    h_out, w_out = out.shape[2:]
    rows = np.maximum(0, padding[0] - stride[0] * np.arange(h_out))
    cols = np.maximum(0, padding[1] - stride[1] * np.arange(w_out))
    first = rows[:, None] * kernel[1] + cols[None, :]  # (H_out, W_out) tap of the first real cell
    np.copyto(argmax, np.broadcast_to(first, argmax.shape), where=lost)


def max_pool2d_backward(dout: np.ndarray, cache: PoolCache) -> np.ndarray:
    """dL/dx of max pooling: each output's gradient goes to its window's maximum.

    ``dout`` is (N, C, H_out, W_out); returns dx of shape (N, C, H, W). Where
    windows overlap, the routed gradients add up. Counts 1 add per element of
    ``dout`` (into a zero-initialised dx).
    """
    cache = _check_cache(cache, "max", "max_pool2d_forward")
    x_shape, kernel, stride, padding, argmax, _, _ = cache
    assert argmax is not None
    dout = _check_dout(dout, cache.dtype, argmax.shape)
    n, c, h, w = x_shape
    padded = np.zeros((n, c, h + 2 * padding[0], w + 2 * padding[1]), dtype=dout.dtype)
    for tap in range(kernel[0] * kernel[1]):
        i, j = divmod(tap, kernel[1])
        sample, channel, r, s = np.nonzero(argmax == tap)
        rows, cols = r * stride[0] + i, s * stride[1] + j  # distinct for a fixed tap
        target = (sample, channel, rows, cols)
        padded[target] = ops.add(padded[target], dout[sample, channel, r, s])
    return np.ascontiguousarray(padded[:, :, padding[0] : padding[0] + h, padding[1] : padding[1] + w])


def avg_pool2d_forward(
    x: np.ndarray, kernel: IntOrPair, stride: IntOrPair | None = None, padding: IntOrPair = 0
) -> tuple[np.ndarray, PoolCache]:
    """Mean over each K_h x K_w window of each channel (padded zeros included).

    ``x`` is (N, C, H, W); ``stride`` defaults to ``kernel``. Returns ``out`` of
    shape (N, C, H_out, W_out) and a cache. Counts K_h K_w - 1 adds and 1 divide
    per output element.
    """
    x, kernel, stride, padding = _pool_setup(x, kernel, stride, padding, 1)
    windows = windows_view(pad_spatial(x, padding), kernel, stride, (1, 1))
    out = ops.mean(windows, axis=(-2, -1))
    return out, PoolCache(x.shape, kernel, stride, padding, None, x.dtype, "avg")


def avg_pool2d_backward(dout: np.ndarray, cache: PoolCache) -> np.ndarray:
    """dL/dx of average pooling: each output's gradient, divided by K_h K_w, to every window cell.

    Counts 1 divide and K_h K_w adds per element of ``dout``.
    """
    cache = _check_cache(cache, "avg", "avg_pool2d_forward")
    x_shape, kernel, stride, padding, _, _, _ = cache
    n, c, h, w = x_shape
    h_out, w_out = output_shape_2d((h, w), kernel, padding, stride, (1, 1))
    dout = _check_dout(dout, cache.dtype, (n, c, h_out, w_out))
    share = ops.divide(dout, kernel[0] * kernel[1])
    padded = np.zeros((n, c, h + 2 * padding[0], w + 2 * padding[1]), dtype=share.dtype)
    for i in range(kernel[0]):
        rows = _positions(i, stride[0], h_out)
        for j in range(kernel[1]):
            cols = _positions(j, stride[1], w_out)
            padded[:, :, rows, cols] = ops.add(padded[:, :, rows, cols], share)
    return np.ascontiguousarray(padded[:, :, padding[0] : padding[0] + h, padding[1] : padding[1] + w])


def global_avg_pool2d_forward(x: np.ndarray) -> tuple[np.ndarray, PoolCache]:
    """Mean of each channel over all H x W positions: (N, C, H, W) -> (N, C).

    Counts H W - 1 adds and 1 divide per (sample, channel).
    """
    x = as_float_array("x", x)
    check_ndim("x", x, 4, "(N, C, H, W)")
    out = ops.mean(x, axis=(2, 3))
    return out, PoolCache(x.shape, x.shape[2:], x.shape[2:], (0, 0), None, x.dtype, "global")


def global_avg_pool2d_backward(dout: np.ndarray, cache: PoolCache) -> np.ndarray:
    """dL/dx of global average pooling: dout[n, c] / (H W) at every position of channel c.

    ``dout`` is (N, C); returns dx of shape (N, C, H, W). Counts 1 divide per
    (sample, channel); copying the share to every position is not arithmetic.
    """
    cache = _check_cache(cache, "global", "global_avg_pool2d_forward")
    n, c, h, w = cache.x_shape
    dout = _check_dout(dout, cache.dtype, (n, c))
    share = ops.divide(dout, h * w)
    return np.ascontiguousarray(np.broadcast_to(share[:, :, None, None], cache.x_shape))
