"""course_lib.conv.conv2d against the bare GEMM it performs (numpy matmul, columns built beforehand).

The reference is the "ideal" im2col convolution on this BLAS: the same batched
product of the (C_out x C_in K^2) filter matrix by each sample's column matrix,
with the columns already built and nothing else done. The ratio is what
building the columns, adding the bias and checking the arguments cost on top.
Needs numpy only.
"""

from __future__ import annotations

import numpy as np

from benchmarks.cases import CONV_LAYERS, ConvLayer
from benchmarks.harness import Settings, Threads, time_calls
from benchmarks.report import Case, Comparison
from course_lib.conv import conv2d, im2col

TITLE = "conv2d vs its bare GEMM (numpy)"


def _case(layer: ConvLayer, settings: Settings) -> Case:
    x, w, b = layer.arrays()
    s, p = layer.stride, layer.padding
    filters = w.reshape(1, layer.c_out, -1)
    cols = im2col(x, layer.kernel, s, p)[:, None]  # (N, 1, L, H_out W_out)
    out = np.empty((layer.batch, 1, layer.c_out, cols.shape[-1]), dtype=np.float32)
    ours, ref = time_calls(
        [lambda: conv2d(x, w, b, s, p), lambda: np.matmul(filters, cols, out=out)], settings
    )
    return Case(
        layer.label,
        ours.best,
        ref.best,
        ours.median,
        ref.median,
        note=f"columns {cols.nbytes / 2**20:.0f} MiB",
        flops=2 * layer.macs,
    )


def run(settings: Settings, threads: Threads) -> Comparison:
    comparison = Comparison(
        "conv_vs_gemm",
        TITLE,
        ours="`course_lib.conv.conv2d` (im2col + GEMM + bias)",
        reference=f"`numpy.matmul` of the same filter and column matrices, columns prebuilt "
        f"(numpy's BLAS, {threads.blas} threads)",
        cases=[_case(layer, settings) for layer in CONV_LAYERS],
    )
    comparison.notes.append("The reference writes into a preallocated output; the columns are float32.")
    return comparison
