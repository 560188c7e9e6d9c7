"""Every convolution algorithm of course_lib on each 3x3 layer, against PyTorch's convolution of the layer.

One case per (layer, algorithm): the direct im2col + GEMM `conv2d`, Winograd
F(2x2, 3x3) and F(4x4, 3x3) (`course_lib.fast.winograd_conv2d`) and the FFT
convolution (`course_lib.fast.fft_conv2d`, numpy's FFT). The reference of every
case is `torch.nn.functional.conv2d` on the same layer.
"""

from __future__ import annotations

from dataclasses import replace

from benchmarks.cases import CONV_LAYERS, ConvLayer
from benchmarks.harness import (
    NO_TORCH,
    TORCH_SETTLE,
    Settings,
    Threads,
    has_module,
    relative_error,
    time_calls,
)
from benchmarks.report import Case, Comparison
from course_lib.conv import conv2d
from course_lib.fast import fft_conv2d, winograd_conv2d

TITLE = "each algorithm per 3x3 layer vs PyTorch"

ALGORITHMS = {
    "direct": lambda x, w, b, p: conv2d(x, w, b, 1, p),
    "Winograd F(2x2,3x3)": lambda x, w, b, p: winograd_conv2d(x, w, b, p, tile=2),
    "Winograd F(4x4,3x3)": lambda x, w, b, p: winograd_conv2d(x, w, b, p, tile=4),
    "FFT": lambda x, w, b, p: fft_conv2d(x, w, b, p),
}
"""The algorithms timed, by name: each takes (x, w, b, padding) of a stride-1 layer."""


def _cases(layer: ConvLayer, settings: Settings) -> list[Case]:
    import torch
    import torch.nn.functional as F

    x, w, b = layer.arrays()
    tx, tw, tb = (torch.from_numpy(a) for a in (x, w, b))
    p = layer.padding
    reference = F.conv2d(tx, tw, tb, 1, p).numpy()
    cases = []
    for name, algorithm in ALGORITHMS.items():
        error = relative_error(algorithm(x, w, b, p), reference)
        mine, ref = time_calls(
            [lambda a=algorithm: a(x, w, b, p), lambda: F.conv2d(tx, tw, tb, 1, p)], settings
        )
        cases.append(
            Case(
                f"{layer.name}, {name}",
                mine.best,
                ref.best,
                mine.median,
                ref.median,
                note=f"max rel. diff {error:.0e}",
                flops=2 * layer.macs,
            )
        )
    return cases


def run(settings: Settings, threads: Threads) -> Comparison:
    comparison = Comparison(
        "conv_algorithms",
        TITLE,
        ours="`conv2d` (direct), `winograd_conv2d` (tile 2 and 4), `fft_conv2d` (numpy's rfft2), no counter active",
        reference=f"`torch.nn.functional.conv2d` on the same layer, {threads.torch or threads.blas} threads",
    )
    if not has_module("torch"):
        comparison.skipped = NO_TORCH
        return comparison
    import torch

    layers = [layer for layer in CONV_LAYERS if layer.kernel == 3 and layer.stride == 1]
    with torch.inference_mode():
        comparison.cases = [
            case for layer in layers for case in _cases(layer, replace(settings, settle=TORCH_SETTLE))
        ]
    comparison.notes.append(
        "GFLOP/s = 2 x (direct) MACs / best time. The geometric mean mixes algorithms and means little; "
        "read the rows."
    )
    return comparison
