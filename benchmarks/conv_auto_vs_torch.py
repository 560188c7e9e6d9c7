"""conv2d(..., algorithm="auto") against torch.nn.functional.conv2d, float32, on the CPU.

"auto" runs Winograd F(4x4, 3x3) on the three 3x3 layers and the direct im2col
convolution on the 7x7 stride-2 stem (`course_lib.fast.dispatch.choose_algorithm`),
both with the batch shared between two threads (`course_lib.fast.threads`).
"""

from __future__ import annotations

import numpy as np

from benchmarks.cases import ConvLayer
from benchmarks.harness import NO_TORCH, Settings, Threads, conv2d_cases_vs_torch, has_module
from benchmarks.report import Comparison, Goal
from course_lib.conv import conv2d
from course_lib.fast.dispatch import choose_algorithm

TITLE = "conv2d(algorithm='auto') vs PyTorch"


def _auto(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int, padding: int) -> np.ndarray:
    return conv2d(x, w, b, stride, padding, algorithm="auto")


def _chosen(layer: ConvLayer) -> str:
    return f"runs {choose_algorithm(layer.c_in, layer.c_out, (layer.kernel,) * 2, (layer.stride,) * 2)}; "


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
        comparison.skipped = NO_TORCH
        return comparison
    comparison.cases = conv2d_cases_vs_torch(_auto, settings, note=_chosen)
    comparison.notes.append(
        "GFLOP/s = 2 x (direct) MACs / best time, for both sides: an effective rate, since Winograd "
        "does fewer multiplies. Outputs agree to the stated relative difference, checked before timing."
    )
    return comparison
