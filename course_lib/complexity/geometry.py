"""Where windows fall: output sizes of convolution and pooling, and window totals in closed form.

One spatial dimension of n cells, zero padding p on both sides (a padded length
of n + 2p), a kernel of K taps spaced d apart (spanning d (K - 1) + 1 cells) and
stride s. The windows start at 0, s, 2s, ... in padded coordinates and

    n_out = floor((n + 2p - d (K - 1) - 1) / s) + 1

of them lie wholly inside the padded input. Pooling (d = 1) with ``ceil_mode``
(PyTorch's option) rounds up instead, ceil((n + 2p - K) / s) + 1, minus 1 if the
last window would start at or beyond n + p, so a last window may hang over the
end of the padded input and is cut there.

Only that last window can be cut: window n_out - 2 starts at (n_out - 2) s <
n + 2p - K, so it ends inside. The elements of all windows along one axis are
therefore, in closed form (O(1) in n, no loop over windows),

    (n_out - 1) K + min(K, n + 2p - (n_out - 1) s).

Adaptive pooling from n cells to m (PyTorch's windows) puts output i over the
cells floor(i n / m) to ceil((i + 1) n / m) - 1. Their lengths add up to

    n + m - gcd(n, m),

since sum_i ceil((i + 1) n / m) - sum_i floor(i n / m) = n + #{i : m does not divide i n}
and exactly gcd(n, m) of i = 1..m make i n a multiple of m. Derived in
notebooks/05_convolution_layer.ipynb (output size) and
notebooks/06_cnn_time_and_space.ipynb (pooling); tests/test_complexity_pooling.py
checks both closed forms against loops over the windows.
"""

from __future__ import annotations

import math

from course_lib.validation import require_bool, require_int, require_pair

IntOrPair = int | tuple[int, int]
Pair = tuple[int, int]

DIMENSIONS = ("height", "width")
"""The two spatial dimensions, in the order of every (height, width) pair."""


def output_size(dimension: str, n: int, k: int, p: int, s: int, d: int = 1, what: str = "kernel") -> int:
    """floor((n + 2p - d (k - 1) - 1) / s) + 1 along ``dimension`` for checked ints; ValueError if < 1."""
    extent = d * (k - 1) + 1
    if extent > n + 2 * p:
        spans = f" (dilated extent {extent})" if what == "kernel" else ""
        raise ValueError(
            f"{what} {k}{spans} does not fit the padded input {n + 2 * p} along the {dimension} "
            f"(input {n}, padding {p})"
        )
    return (n + 2 * p - extent) // s + 1


def ceil_mode_size(dimension: str, n: int, k: int, p: int, s: int) -> int:
    """Ceil-mode window count for checked ints: ceil((n + 2p - k) / s) + 1, minus 1 if the last
    window would start at or beyond n + p; ValueError if no window is left."""
    count = -(-(n + 2 * p - k) // s) + 1
    if (count - 1) * s >= n + p:
        count -= 1
    if count < 1:
        raise ValueError(
            f"pooling window {k} does not fit the padded input {n + 2 * p} along the {dimension} "
            f"(input {n}, padding {p}), even with ceil_mode"
        )
    return count


def window_total(n: int, k: int, p: int, s: int, count: int) -> int:
    """Elements of ``count`` windows of ``k`` cells at stride ``s`` on n + 2p padded cells, each cut at
    the padded end: (count - 1) k + min(k, n + 2p - (count - 1) s), only the last window can be cut."""
    return (count - 1) * k + min(k, n + 2 * p - (count - 1) * s)


def adaptive_window_total(n: int, m: int) -> int:
    """Elements of PyTorch's ``m`` adaptive-pooling windows over ``n`` cells: n + m - gcd(n, m)."""
    return n + m - math.gcd(n, m)


def conv2d_output_shape(
    height: int,
    width: int,
    kernel: IntOrPair,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
) -> Pair:
    """(H_out, W_out), each floor((n + 2 p - d (K - 1) - 1) / s) + 1.

    ValueError (naming the argument, and the dimension, height or width) for a kernel
    whose dilated extent d (K - 1) + 1 exceeds the padded input, or a non-positive size.
    Derived in notebooks/05_convolution_layer.ipynb.
    """
    sizes = (require_int("height", height, 1), require_int("width", width, 1))
    kernels, strides = require_pair("kernel", kernel), require_pair("stride", stride)
    paddings, dilations = require_pair("padding", padding, 0), require_pair("dilation", dilation)
    h_out, w_out = (
        output_size(*args)
        for args in zip(DIMENSIONS, sizes, kernels, paddings, strides, dilations, strict=True)
    )
    return h_out, w_out


def pool2d_output_shape(
    height: int,
    width: int,
    kernel: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    *,
    ceil_mode: bool = False,
) -> Pair:
    """(H_out, W_out) of a pooling window: the convolution formula with dilation 1.

    ``stride`` defaults to ``kernel``; ``padding`` may be at most half the kernel.
    With ``ceil_mode`` (PyTorch's rule) each size is ceil((n + 2p - K)/s) + 1, minus 1
    if the last window would start at or beyond n + p, so a last, partial window is
    kept when it starts inside the input or its left padding. Derived in
    notebooks/06_cnn_time_and_space.ipynb.
    """
    kernels = require_pair("kernel", kernel)
    paddings = require_pair("padding", padding, 0)
    if paddings[0] > kernels[0] // 2 or paddings[1] > kernels[1] // 2:
        raise ValueError(f"padding {paddings} must be at most half the kernel {kernels}")
    strides = kernels if stride is None else require_pair("stride", stride)
    sizes = (require_int("height", height, 1), require_int("width", width, 1))
    ceil = require_bool("ceil_mode", ceil_mode)
    per_axis = zip(DIMENSIONS, sizes, kernels, paddings, strides, strict=True)
    h_out, w_out = (ceil_mode_size(*a) if ceil else output_size(*a, what="pooling window") for a in per_axis)
    return h_out, w_out
