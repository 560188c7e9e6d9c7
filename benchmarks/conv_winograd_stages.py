"""Where Winograd F(4x4, 3x3) spends its time: each stage on one thread, against PyTorch on one thread.

`course_lib.fast.winograd.run_winograd` adds the seconds of each stage (filter
transform, gather, input transform, GEMM, output transform, scatter) to a dict
when asked; it then runs on the calling thread. Both sides are held to one
thread here (numpy's BLAS through threadpoolctl, `torch.set_num_threads(1)`),
so each stage's ratio is its share of PyTorch's whole one-thread convolution;
the ratios of a layer add up to the layer's "total" row.
"""

from __future__ import annotations

import time
from dataclasses import replace

from benchmarks.cases import CONV_LAYERS, ConvLayer
from benchmarks.harness import TORCH_SETTLE, Settings, Threads, has_module, time_calls
from benchmarks.report import Case, Comparison
from course_lib.fast.winograd import STAGES, TILES, run_winograd

TITLE = "Winograd F(4x4,3x3) stage by stage (one thread)"


def _stage_times(layer: ConvLayer, settings: Settings) -> dict[str, float]:
    """The best seconds of each stage over ``settings.repeats`` calls (after warm-up)."""
    x, w, b = layer.arrays()
    best: dict[str, float] = {}
    for round_ in range(settings.warmup + settings.repeats):
        time.sleep(settings.settle)
        times: dict[str, float] = {}
        run_winograd(x, w, b, (layer.padding, layer.padding), TILES[4], stage_times=times)
        if round_ >= settings.warmup:
            best = {stage: min(best.get(stage, float("inf")), times[stage]) for stage in STAGES}
    return best


def _cases(layer: ConvLayer, settings: Settings) -> list[Case]:
    import torch
    import torch.nn.functional as F

    x, w, b = layer.arrays()
    tx, tw, tb = (torch.from_numpy(a) for a in (x, w, b))
    (ref,) = time_calls([lambda: F.conv2d(tx, tw, tb, 1, layer.padding)], settings)
    stages = _stage_times(layer, settings)
    cases = [Case(f"{layer.name}: {stage}", seconds, ref.best) for stage, seconds in stages.items()]
    cases.append(Case(f"{layer.name}: total", sum(stages.values()), ref.best, note="sum of the stages"))
    return cases


def run(settings: Settings, threads: Threads) -> Comparison:
    comparison = Comparison(
        "conv_winograd_stages",
        TITLE,
        ours="one stage of `run_winograd` (F(4x4,3x3)), best of the rounds, numpy's BLAS on 1 thread",
        reference="`torch.nn.functional.conv2d`, the whole layer, PyTorch on 1 thread",
    )
    if not has_module("torch") or not has_module("threadpoolctl"):
        comparison.skipped = "needs PyTorch and threadpoolctl (see benchmarks/README.md)"
        return comparison
    import torch
    from threadpoolctl import threadpool_limits

    layers = [layer for layer in CONV_LAYERS if layer.kernel == 3 and layer.stride == 1]
    torch_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with torch.inference_mode(), threadpool_limits(1, user_api="blas"):
            comparison.cases = [
                case for layer in layers for case in _cases(layer, replace(settings, settle=TORCH_SETTLE))
            ]
    finally:
        torch.set_num_threads(torch_threads)
    comparison.notes.append(
        "Each stage's ratio is its time over PyTorch's whole one-thread layer; the geometric mean over "
        "stages means nothing, read the rows (the total row is the one-thread Winograd / PyTorch)."
    )
    return comparison
