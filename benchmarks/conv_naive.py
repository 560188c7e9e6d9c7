"""course_lib.conv.conv2d_naive (one counted dot product per output element) against conv2d (im2col + GEMM).

This is the speed-up the convolution notebook quotes: the ratio naive / conv2d
on layers small enough for Python loops. Both count exactly the same operations.
"""

from __future__ import annotations

from dataclasses import replace

from benchmarks.cases import SMALL_CONV_LAYERS, ConvLayer
from benchmarks.harness import Settings, Threads, time_calls
from benchmarks.report import Case, Comparison
from course_lib.conv import conv2d, conv2d_naive

TITLE = "conv2d_naive vs conv2d (speed-up of im2col)"


def _case(layer: ConvLayer, settings: Settings) -> Case:
    x, w, b = layer.arrays()
    s, p = layer.stride, layer.padding
    naive, fast = time_calls([lambda: conv2d_naive(x, w, b, s, p), lambda: conv2d(x, w, b, s, p)], settings)
    outputs = layer.batch * layer.c_out * layer.out_size**2
    return Case(
        layer.label, naive.best, fast.best, naive.median, fast.median, note=f"{outputs} output elements"
    )


def run(settings: Settings, threads: Threads) -> Comparison:
    # The loops take tens of milliseconds: a third of the rounds is enough to see a factor of hundreds.
    few = replace(settings, repeats=max(3, settings.repeats // 3), warmup=1)
    comparison = Comparison(
        "conv_naive",
        TITLE,
        ours="`course_lib.conv.conv2d_naive` (Python loops, one `ops.matmul` per output element)",
        reference="`course_lib.conv.conv2d` (im2col + one GEMM)",
        cases=[_case(layer, few) for layer in SMALL_CONV_LAYERS],
    )
    comparison.notes.append("The ratio is the speed-up of conv2d over the loops (larger = im2col faster).")
    return comparison
