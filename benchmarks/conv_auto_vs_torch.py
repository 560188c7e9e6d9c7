"""conv2d(..., algorithm="auto") against torch.nn.functional.conv2d, float32, on the CPU.

"auto" runs Winograd F(4x4, 3x3) on the three 3x3 layers and the direct im2col
convolution on the 7x7 stride-2 stem (`course_lib.fast.dispatch.choose_algorithm`),
both with the batch shared between two threads (`course_lib.fast.threads`).
"""

from __future__ import annotations

from dataclasses import replace

from benchmarks.cases import CONV_LAYERS, ConvLayer
from benchmarks.conv_vs_torch import _relative_error
from benchmarks.harness import TORCH_SETTLE, Settings, Threads, has_module, time_calls
from benchmarks.report import Case, Comparison, Goal
from course_lib.conv import conv2d
from course_lib.fast.dispatch import choose_algorithm

TITLE = "conv2d(algorithm='auto') vs PyTorch"


def _case(layer: ConvLayer, settings: Settings) -> Case:
    import torch
    import torch.nn.functional as F

    x, w, b = layer.arrays()
    tx, tw, tb = (torch.from_numpy(a) for a in (x, w, b))
    s, p = layer.stride, layer.padding
    ours = conv2d(x, w, b, s, p, algorithm="auto")
    error = _relative_error(ours, F.conv2d(tx, tw, tb, s, p).numpy())
    chosen = choose_algorithm(layer.c_in, layer.c_out, (layer.kernel,) * 2, (s, s))
    mine, ref = time_calls(
        [lambda: conv2d(x, w, b, s, p, algorithm="auto"), lambda: F.conv2d(tx, tw, tb, s, p)], settings
    )
    return Case(
        layer.label,
        mine.best,
        ref.best,
        mine.median,
        ref.median,
        note=f"runs {chosen}; max rel. diff {error:.0e}",
        flops=2 * layer.macs,
    )


def run(settings: Settings, threads: Threads) -> Comparison:
    comparison = Comparison(
        "conv_auto_vs_torch",
        TITLE,
        ours="`course_lib.conv.conv2d(..., algorithm='auto')` (Winograd F(4x4,3x3) or im2col + GEMM, "
        "two threads with a one-thread BLAS each, no counter active)",
        reference=f"`torch.nn.functional.conv2d` on the CPU, no autograd, {threads.torch or threads.blas} threads",
        goal=Goal(1.0),
    )
    if not has_module("torch"):
        comparison.skipped = "PyTorch is not installed (see benchmarks/README.md to install torch==2.13.0)"
        return comparison
    import torch

    with torch.inference_mode():
        comparison.cases = [_case(layer, replace(settings, settle=TORCH_SETTLE)) for layer in CONV_LAYERS]
    comparison.notes.append(
        "GFLOP/s = 2 x (direct) MACs / best time, for both sides: an effective rate, since Winograd "
        "does fewer multiplies. Outputs agree to the stated relative difference, checked before timing."
    )
    return comparison
