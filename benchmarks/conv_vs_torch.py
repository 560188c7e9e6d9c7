"""course_lib.conv.conv2d (im2col + one GEMM) against torch.nn.functional.conv2d, float32, on the CPU."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from benchmarks.cases import CONV_LAYERS, ConvLayer
from benchmarks.harness import TORCH_SETTLE, Settings, Threads, has_module, time_calls
from benchmarks.report import Case, Comparison, Goal
from course_lib.conv import conv2d

TITLE = "conv2d vs PyTorch"


def _case(layer: ConvLayer, settings: Settings) -> Case:
    import torch
    import torch.nn.functional as F

    x, w, b = layer.arrays()
    tx, tw, tb = (torch.from_numpy(a) for a in (x, w, b))
    s, p = layer.stride, layer.padding
    error = _relative_error(conv2d(x, w, b, s, p), F.conv2d(tx, tw, tb, s, p).numpy())
    ours, ref = time_calls([lambda: conv2d(x, w, b, s, p), lambda: F.conv2d(tx, tw, tb, s, p)], settings)
    return Case(
        layer.label,
        ours.best,
        ref.best,
        ours.median,
        ref.median,
        note=f"max rel. diff {error:.0e}",
        flops=2 * layer.macs,
    )


def run(settings: Settings, threads: Threads) -> Comparison:
    comparison = Comparison(
        "conv_vs_torch",
        TITLE,
        ours="`course_lib.conv.conv2d` (im2col + one batched GEMM through `course_lib.ops`, no counter active)",
        reference=f"`torch.nn.functional.conv2d` on the CPU, no autograd, {threads.torch or threads.blas} threads",
        goal=Goal(1.5),
    )
    if not has_module("torch"):
        comparison.skipped = "PyTorch is not installed (see benchmarks/README.md to install torch==2.13.0)"
        return comparison
    import torch

    with torch.inference_mode():
        comparison.cases = [_case(layer, replace(settings, settle=TORCH_SETTLE)) for layer in CONV_LAYERS]
    comparison.notes.append(
        "GFLOP/s = 2 x MACs / best time. Outputs agree to the stated relative difference "
        "(max |ours - torch| / max |torch|), checked before timing."
    )
    return comparison


def _relative_error(ours: np.ndarray, reference: np.ndarray) -> float:
    if ours.shape != reference.shape or ours.dtype != np.float32:
        raise AssertionError(f"conv2d returned {ours.shape} {ours.dtype}, torch {reference.shape} float32")
    error = float(np.max(np.abs(ours - reference)) / np.max(np.abs(reference)))
    if error > 1e-4:
        raise AssertionError(f"conv2d and torch disagree: relative difference {error:.1e}")
    return error
