"""course_lib.conv.conv2d against a convolution built from scipy.signal.correlate (no torch needed).

The reference shares no code with course_lib: zero padding by ``np.pad``, then
one 'valid' N-D correlation of each sample's (C_in, H, W) block with each
(C_in, K, K) filter, which scipy computes directly or by FFT as it judges best.
Its per-(sample, filter) loop makes it slow on large layers, so it runs on the
small ones only.
"""

from __future__ import annotations

import numpy as np

from benchmarks.cases import SMALL_CONV_LAYERS, ConvLayer
from benchmarks.harness import Settings, Threads, has_module, time_calls
from benchmarks.report import Case, Comparison
from course_lib.conv import conv2d

TITLE = "conv2d vs scipy.signal.correlate"


def scipy_conv2d(x: np.ndarray, w: np.ndarray, b: np.ndarray, layer: ConvLayer) -> np.ndarray:
    """out[n, o] = correlate(x_padded[n], w[o], 'valid')[0, ::stride, ::stride] + b[o]."""
    from scipy.signal import correlate

    p, s = layer.padding, layer.stride
    padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    out = np.empty((layer.batch, layer.c_out, layer.out_size, layer.out_size), dtype=x.dtype)
    for n in range(layer.batch):
        for o in range(layer.c_out):
            out[n, o] = correlate(padded[n], w[o], mode="valid")[0, ::s, ::s] + b[o]
    return out


def _case(layer: ConvLayer, settings: Settings) -> Case:
    x, w, b = layer.arrays()
    s, p = layer.stride, layer.padding
    error = float(np.max(np.abs(conv2d(x, w, b, s, p) - scipy_conv2d(x, w, b, layer))))
    if error > 1e-4:
        raise AssertionError(f"conv2d and the scipy reference disagree by {error:.1e} on {layer.label}")
    ours, ref = time_calls([lambda: conv2d(x, w, b, s, p), lambda: scipy_conv2d(x, w, b, layer)], settings)
    return Case(layer.label, ours.best, ref.best, ours.median, ref.median, note=f"max abs. diff {error:.0e}")


def run(settings: Settings, threads: Threads) -> Comparison:
    comparison = Comparison(
        "conv_vs_scipy",
        TITLE,
        ours="`course_lib.conv.conv2d` (im2col + one GEMM)",
        reference="loop over (sample, filter) of `scipy.signal.correlate(x_padded[n], w[o], 'valid')` + bias",
    )
    if not has_module("scipy"):
        comparison.skipped = "scipy is not installed"
        return comparison
    comparison.cases = [_case(layer, settings) for layer in SMALL_CONV_LAYERS]
    return comparison
