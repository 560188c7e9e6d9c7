"""The fast convolution (im2col + one GEMM) and its backward pass.

Forward, per group g: the filters of the group flattened to a
(C_out/groups) x L matrix, L = (C_in/groups) K_h K_w, times the group's im2col
columns, an L x (H_out W_out) matrix per sample. The samples go through im2col
a chunk at a time (`CHUNK_BYTES` bounds the columns held at once); a chunk's n
samples sit side by side, so each group's product for the chunk is one GEMM
with n H_out W_out columns, written (with the bias added in the same pass)
straight into the chunk's rows of the output. Each output element is still one
dot product of length L, so the counter records

    multiplies = MACs = N C_out H_out W_out L,   adds = N C_out H_out W_out (L - 1),

plus N C_out H_out W_out adds for the bias: exactly what `conv2d_naive` counts.

Backward, for dout = dL/dout of shape (N, C_out, H_out, W_out):

* db = dout summed over N, H_out, W_out: C_out (N H_out W_out - 1) adds;
* dW = dout (C_out/groups x n H_out W_out per chunk of n samples and group)
  times the chunk's im2col columns transposed, summed over the chunks:
  N C_out H_out W_out L multiplies (= MACs) and C_out L (N H_out W_out - 1)
  adds (n H_out W_out - 1 per chunk in the products, one per further chunk in
  the sum), one sum of N H_out W_out products per weight whatever the chunks;
* dx = `col2im` of W^T dout: N C_out H_out W_out L multiplies (= MACs),
  N C_in K_h K_w H_out W_out (C_out/groups - 1) adds in the product and
  N C_in K_h K_w H_out W_out adds in `col2im`, so adds = multiplies.

Derived in notebooks/05_convolution_layer.ipynb (backward: notebooks/06_cnn_time_and_space.ipynb).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from course_lib import ops
from course_lib.conv.im2col import col2im, write_fields
from course_lib.conv.shapes import (
    ConvGeometry,
    IntOrPair,
    check_memory,
    conv_geometry,
    pad_spatial,
    padded_elements,
)
from course_lib.validation import as_float_array, check_instance, require_bool

CHUNK_BYTES = 8 * 2**20
"""At most this many bytes of im2col columns exist at once (but always at least one sample's).

The samples of a batch go through im2col and the GEMM a chunk at a time: the
columns then stay in the processor's cache between being written and being
multiplied, and the K^2 memory blow-up of im2col is bounded by this size
instead of growing with the batch. The chunks together perform exactly the
products of one batched GEMM, so the counts do not depend on this size.
"""


class ConvCache(NamedTuple):
    """What `conv2d_backward` needs: the layer input (kept for dW), the weights, the geometry."""

    x: np.ndarray
    w: np.ndarray
    has_bias: bool
    geometry: ConvGeometry


def _prepare(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None,
    stride: IntOrPair,
    padding: IntOrPair,
    dilation: IntOrPair,
    groups: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, ConvGeometry]:
    x = as_float_array("x", x)
    w = as_float_array("w", w)
    dtype = np.result_type(x, w)
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    geo = conv_geometry(x, w, b, stride, padding, dilation, groups)
    b = None if b is None else as_float_array("b", b, dtype=dtype)
    per_sample, step = _chunk(geo, x.itemsize)
    padded = padded_elements((step, *geo.input_shape[1:]), geo.padding)
    check_memory(
        (geo.height, geo.width),
        geo.padding,
        math.prod(geo.output_shape) + step * per_sample + padded,
        x.itemsize,
        f"the output {geo.output_shape} and the im2col columns of {step} sample(s) ({x.dtype})",
    )
    return x, w, b, geo


def _chunk(geo: ConvGeometry, itemsize: int) -> tuple[int, int]:
    """(im2col elements of one sample, samples per chunk): the chunk holds at most `CHUNK_BYTES` (or one sample)."""
    per_sample = geo.c_in * geo.kernel[0] * geo.kernel[1] * geo.out_size[0] * geo.out_size[1]
    return per_sample, max(1, min(geo.batch, CHUNK_BYTES // (per_sample * itemsize)))


def _column_chunks(x: np.ndarray, geo: ConvGeometry) -> Iterator[tuple[slice, np.ndarray]]:
    """(samples, im2col columns of those samples as (groups, L, n H_out W_out)), chunk by chunk.

    Within a chunk the n samples' columns sit side by side, so each group's
    product is one GEMM. The columns of every chunk are written into the same
    buffer: each is valid until the next chunk is produced, so the consumer
    must copy what it keeps.
    """
    (k_h, k_w), (h_out, w_out) = geo.kernel, geo.out_size
    per_sample, step = _chunk(geo, x.itemsize)
    buffer = np.empty(step * per_sample, dtype=x.dtype)
    for start in range(0, geo.batch, step):
        samples = slice(start, min(start + step, geo.batch))
        n = samples.stop - start
        block = buffer[: n * per_sample].reshape(geo.c_in, k_h, k_w, n, h_out, w_out)
        write_fields(block, pad_spatial(x[samples], geo.padding), geo.kernel, geo.stride, geo.dilation)
        yield samples, block.reshape(geo.groups, geo.dot_length, n * h_out * w_out)


def conv2d_forward(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
) -> tuple[np.ndarray, ConvCache]:
    """2-D cross-correlation by im2col and one batched GEMM, with a cache for the backward pass.

    Parameters
    ----------
    x : (N, C_in, H, W) input, float32 or float64 (integers become float64).
    w : (C_out, C_in/groups, K_h, K_w) filters.
    b : None or (C_out,) biases.
    stride, dilation : positive int or (height, width) pair.
    padding : non-negative int or pair (zeros on both sides).
    groups : positive int dividing C_in and C_out.

    Returns
    -------
    out : (N, C_out, H_out, W_out) with
        H_out = floor((H + 2 p_h - d_h (K_h - 1) - 1) / s_h) + 1 (W_out likewise) and
        ``out[n, o, r, s] = b[o] + sum_{c,i,j} w[o, c, i, j] x_pad[n, g C_in/groups + c,
        r s_h + i d_h, s s_w + j d_w]``, g the group of filter o; dtype of x and w
        (their common type if they differ).
    cache : `ConvCache` (the input x is kept, not its im2col columns: backward recomputes
        them, which moves data but costs no arithmetic).

    Counts N C_out H_out W_out L multiplies (= MACs) and N C_out H_out W_out (L - 1) adds,
    L = (C_in/groups) K_h K_w, plus N C_out H_out W_out adds for the bias.
    """
    x, w, b, geo = _prepare(x, w, b, stride, padding, dilation, groups)
    filters = w.reshape(geo.groups, geo.group_out, geo.dot_length)  # (G, C_out/G, L)
    bias = None if b is None else b.reshape(-1, 1)
    positions = geo.out_size[0] * geo.out_size[1]
    out = np.empty((geo.batch, geo.c_out, positions), dtype=x.dtype)
    for samples, cols in _column_chunks(x, geo):
        product = ops.matmul(filters, cols)  # (G, C_out/G, n H_out W_out)
        # (C_out, n, H_out W_out) -> the samples' rows of out, plus the bias, in one pass.
        by_sample = product.reshape(geo.c_out, -1, positions).transpose(1, 0, 2)
        if bias is None:
            out[samples] = by_sample
        else:
            ops.add(by_sample, bias, out=out[samples])
    out = out.reshape(geo.output_shape)
    return out, ConvCache(x, w, b is not None, geo)


def conv2d(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
    algorithm: str = "direct",
) -> np.ndarray:
    """2-D cross-correlation, the fast default: `conv2d_forward` without the cache.

    Same arguments, result and counts as `conv2d_forward` (and as `conv2d_naive`).
    ``algorithm``: ``"direct"`` (this im2col + GEMM, the default), ``"winograd"``
    (F(4x4, 3x3), 3 x 3 stride-1 layers), ``"fft"`` (stride-1 layers) or ``"auto"``
    (chosen from the layer's shape by a fixed rule); the counts are those of the
    algorithm that runs. See `course_lib.fast.dispatch` (notebooks/08_fast_algorithms.ipynb).
    """
    if algorithm == "direct":
        return conv2d_forward(x, w, b, stride, padding, dilation, groups)[0]
    from course_lib.fast.dispatch import conv2d_fast  # here: course_lib.fast builds on this module

    return conv2d_fast(x, w, b, stride, padding, dilation, groups, algorithm)


def conv2d_backward(dout: np.ndarray, cache: ConvCache, *, need_dx: bool = True) -> ops.Gradients:
    """Gradients of a convolution from the gradient of its output.

    Parameters
    ----------
    dout : (N, C_out, H_out, W_out), dL/dout.
    cache : from `conv2d_forward`.
    need_dx : keyword-only, True or False; False skips dx (a first layer's input needs no
        gradient) and dx is then None.

    Returns
    -------
    `Gradients` (dx, dw, db), as `course_lib.mlp.dense_backward` returns:
    dx : (N, C_in, H, W), dL/dx = col2im(W^T dout); None if ``need_dx`` is False.
    dw : (C_out, C_in/groups, K_h, K_w), dL/dW = dout times im2col(x) transposed, summed over N.
    db : (C_out,), dout summed over N, H_out, W_out; None if the layer has no bias.

    Counts (M = N C_out H_out W_out L, L = (C_in/groups) K_h K_w, P = N H_out W_out):
    dx: M multiplies (= MACs), M adds; dW: M multiplies (= MACs), C_out L (P - 1) adds;
    db: C_out (P - 1) adds. So backward ~ 2 x forward.
    """
    check_instance("cache", cache, ConvCache, "the ConvCache returned by conv2d_forward")
    need_dx = require_bool("need_dx", need_dx)
    x, w, has_bias, geo = cache
    dout = as_float_array("dout", dout, dtype=x.dtype)
    if dout.shape != geo.output_shape:
        raise ValueError(f"dout must have the output's shape {geo.output_shape}, got {dout.shape}")
    if need_dx:
        per_sample, _ = _chunk(geo, x.itemsize)
        check_memory(
            (geo.height, geo.width),
            geo.padding,
            geo.batch * per_sample + padded_elements(geo.input_shape, geo.padding),
            x.itemsize,
            f"the column gradients of dx {geo.input_shape} and its padded buffer ({x.dtype})",
        )
    batch, groups, g_out, length = geo.batch, geo.groups, geo.group_out, geo.dot_length
    positions = geo.out_size[0] * geo.out_size[1]
    dout_g = dout.reshape(batch, groups, g_out, positions)

    db = ops.sum(dout, axis=(0, 2, 3)) if has_bias else None

    # dW: per group, (C_out/G x n H_out W_out) times the chunk's columns transposed
    # (n H_out W_out x L): the sum over the chunk's samples happens inside the product,
    # then the chunks' partial gradients are summed.
    partial = [
        ops.matmul(dout_g[samples].transpose(1, 2, 0, 3).reshape(groups, g_out, -1), cols.transpose(0, 2, 1))
        for samples, cols in _column_chunks(x, geo)
    ]
    dw = ops.sum(np.stack(partial), axis=0).reshape(w.shape)

    if not need_dx:
        return ops.Gradients(None, dw, db)

    # dx: per sample and group, (L x C_out/G) times (C_out/G x H_out W_out), then col2im.
    filters_t = w.reshape(groups, g_out, length).transpose(0, 2, 1)  # (G, L, C_out/G)
    dcols = ops.matmul(filters_t, dout_g)  # (N, G, L, H_out W_out)
    dx = col2im(
        dcols.reshape(batch, geo.c_in * geo.kernel[0] * geo.kernel[1], positions),
        geo.input_shape,
        geo.kernel,
        geo.stride,
        geo.padding,
        geo.dilation,
    )
    return ops.Gradients(dx, dw, db)
