"""The convolution written the way it is defined: one dot product per output element.

For tiny sizes only (a few thousand output elements): it runs Python loops over
every output element and is hundreds of times slower than `conv2d`. It counts
exactly what `conv2d` counts, which is the point: the GEMM route does the same
arithmetic, only faster. Derived in notebooks/05_convolution_layer.ipynb.
"""

from __future__ import annotations

import math

import numpy as np

from course_lib import ops
from course_lib.conv.shapes import IntOrPair, check_memory, conv_geometry, pad_spatial, padded_elements
from course_lib.validation import as_float_array


def conv2d_naive(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
) -> np.ndarray:
    """2-D cross-correlation by explicit loops over the output (NCHW layout).

    ``out[n, o, r, s] = b[o] + sum_{c, i, j} w[o, c, i, j] *
    x_padded[n, g*C_in/groups + c, r*stride_h + i*dilation_h, s*stride_w + j*dilation_w]``
    where g = o // (C_out/groups) is the group of filter o, c runs over the
    C_in/groups channels of that group and (i, j) over the K_h x K_w taps. The
    kernel is not flipped (cross-correlation, as in PyTorch).

    Parameters
    ----------
    x : (N, C_in, H, W) input.
    w : (C_out, C_in/groups, K_h, K_w) filters.
    b : None or (C_out,) biases.
    stride, padding, dilation : int or (height, width) pair; groups : int.

    Returns
    -------
    out : (N, C_out, H_out, W_out), dtype of ``x`` and ``w`` (float32 or float64).

    Counts: each output element is one dot product of length L = (C_in/groups)*K_h*K_w,
    computed by `ops.matmul` as a (1 x L)(L x 1) product (L multiplies = L MACs,
    L - 1 adds), plus one `ops.add` for the bias when ``b`` is given.
    """
    x = as_float_array("x", x)
    w = as_float_array("w", w)
    dtype = np.result_type(x, w)
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    geo = conv_geometry(x, w, b, stride, padding, dilation, groups)
    b = None if b is None else as_float_array("b", b, dtype=dtype)
    check_memory(
        (geo.height, geo.width),
        geo.padding,
        padded_elements(geo.input_shape, geo.padding) + math.prod(geo.output_shape),
        x.itemsize,
        f"the padded input and the output {geo.output_shape} ({x.dtype})",
    )
    x_padded = pad_spatial(x, geo.padding)
    (k_h, k_w), (s_h, s_w), (d_h, d_w) = geo.kernel, geo.stride, geo.dilation
    h_out, w_out = geo.out_size
    out = np.empty(geo.output_shape, dtype=dtype)
    for o in range(geo.c_out):
        first = (o // geo.group_out) * geo.group_in  # first input channel of this filter's group
        channels = slice(first, first + geo.group_in)
        filter_row = w[o].reshape(1, -1)  # (1, L)
        for n in range(geo.batch):
            for r in range(h_out):
                rows = slice(r * s_h, r * s_h + d_h * (k_h - 1) + 1, d_h)
                for s in range(w_out):
                    cols = slice(s * s_w, s * s_w + d_w * (k_w - 1) + 1, d_w)
                    field = x_padded[n, channels, rows, cols].reshape(-1, 1)  # (L, 1)
                    value = ops.matmul(filter_row, field)[0, 0]
                    if b is not None:
                        value = ops.add(value, b[o])
                    out[n, o, r, s] = value
    return out
