"""course_lib.conv.conv2d (im2col + one GEMM) against torch.nn.functional.conv2d, float32, on the CPU."""

from __future__ import annotations

from benchmarks.harness import NO_TORCH, Settings, Threads, conv2d_cases_vs_torch, has_module
from benchmarks.report import Comparison, Goal
from course_lib.conv import conv2d

TITLE = "conv2d vs PyTorch"


def run(settings: Settings, threads: Threads) -> Comparison:
    comparison = Comparison(
        "conv_vs_torch",
        TITLE,
        ours="`course_lib.conv.conv2d` (im2col + one batched GEMM through `course_lib.ops`, no counter active)",
        reference=f"`torch.nn.functional.conv2d` on the CPU, no autograd, {threads.torch or threads.blas} threads",
        goal=Goal(1.5),
    )
    if not has_module("torch"):
        comparison.skipped = NO_TORCH
        return comparison
    comparison.cases = conv2d_cases_vs_torch(conv2d, settings)
    comparison.notes.append(
        "GFLOP/s = 2 x MACs / best time. Outputs agree to the stated relative difference "
        "(max |ours - torch| / max |torch|), checked before timing."
    )
    return comparison
