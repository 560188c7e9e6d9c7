"""Timing, threads and machine facts shared by the comparisons.

Methodology: inputs are built before timing; every callable is warmed up; a
sample times enough back-to-back calls to last at least ``min_sample`` seconds;
the callables of one comparison are sampled in alternating rounds (ours,
reference, reference, ours, ...) so a burst of load from elsewhere hits both;
the result per callable is the best (and the median) time per call over the
rounds. Garbage collection is off while timing, as in `timeit`.

When the two sides use different thread pools (numpy's OpenBLAS, PyTorch's
OpenMP), ``settle`` seconds of sleep and one untimed call precede every sample:
a pool's idle threads keep spinning for a while after a call (OpenBLAS's for
about 0.1 s), and on a 2-core machine that would steal the cores of whichever
side runs next; the untimed call then wakes the sampled side's own threads, so
each side is timed hot while the other side's threads sleep.
"""

from __future__ import annotations

import gc
import importlib.metadata
import importlib.util
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from benchmarks.cases import CONV_LAYERS, ConvLayer
from benchmarks.report import Case
from course_lib.timing import cpu_facts

TORCH_SETTLE = 0.15
"""Seconds to let idle thread pools go to sleep before each sample of a comparison with PyTorch."""

NO_TORCH = "PyTorch is not installed (see benchmarks/README.md to install torch==2.13.0)"
"""What a comparison with PyTorch reports when it is skipped."""

BLAS_ENV = (
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
)
"""Environment variables that change how fast (or on how many threads) numpy's BLAS and PyTorch run."""

ALLOCATOR_ENV = {"MALLOC_MMAP_THRESHOLD_": str(32 * 2**20), "MALLOC_TRIM_THRESHOLD_": str(2**30)}
"""glibc malloc settings the suite runs under (`benchmarks.__main__` restarts itself with them).

Under glibc's defaults a large buffer may be mapped afresh on every call and
its pages faulted in 4 KiB at a time (numpy asks the kernel for huge pages,
PyTorch does not), and freed memory beyond the trim threshold goes back to the
system. Whether that happens depends on what the process allocated and freed
before, so the same PyTorch call took 26-30 ms in one run and 10 ms in the
next (the 7x7 stem at batch 8, whose oneDNN buffers are ~26 MB each). Serving
buffers up to 32 MiB (glibc's largest mmap threshold) from the heap, and
keeping freed heap memory, lets both sides reuse their buffers on every call.
"""


@dataclass(frozen=True)
class Timing:
    """Best and median seconds per call over the sampled rounds."""

    best: float
    median: float


@dataclass(frozen=True)
class Settings:
    """How hard to measure: rounds, minimum seconds per sample, warm-up calls, sleep before a sample."""

    repeats: int = 5
    min_sample: float = 0.02
    warmup: int = 2
    settle: float = 0.0


def time_calls(fns: Sequence[Callable[[], Any]], settings: Settings) -> list[Timing]:
    """Best-of and median seconds per call of each zero-argument callable, sampled in alternating rounds."""
    loops = []
    for fn in fns:
        if settings.settle:
            time.sleep(settings.settle)
        for _ in range(settings.warmup):
            fn()
        start = time.perf_counter()
        fn()
        once = max(time.perf_counter() - start, 1e-7)
        loops.append(max(1, round(settings.min_sample / once)))
    samples: list[list[float]] = [[] for _ in fns]
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for round_ in range(settings.repeats):
            order = range(len(fns)) if round_ % 2 == 0 else reversed(range(len(fns)))
            for i in order:
                fn, n = fns[i], loops[i]
                if settings.settle:
                    time.sleep(settings.settle)
                    fn()  # untimed: wakes this side's threads and warms its caches after the pause
                start = time.perf_counter()
                for _ in range(n):
                    fn()
                samples[i].append((time.perf_counter() - start) / n)
    finally:
        if gc_was_enabled:
            gc.enable()
    return [Timing(min(s), statistics.median(s)) for s in samples]


def relative_error(ours: np.ndarray, reference: np.ndarray) -> float:
    """max |ours - reference| / max |reference| of two float32 outputs; AssertionError above 1e-4."""
    if ours.shape != reference.shape or ours.dtype != np.float32:
        raise AssertionError(
            f"ours returned {ours.shape} {ours.dtype}, the reference {reference.shape} float32"
        )
    error = float(np.max(np.abs(ours - reference)) / np.max(np.abs(reference)))
    if error > 1e-4:
        raise AssertionError(f"ours and the reference disagree: relative difference {error:.1e}")
    return error


Conv2dFunction = Callable[[np.ndarray, np.ndarray, np.ndarray, int, int], np.ndarray]
"""A convolution called as ``conv(x, w, b, stride, padding)``."""


def conv2d_cases_vs_torch(
    conv: Conv2dFunction, settings: Settings, note: Callable[[ConvLayer], str] = lambda layer: ""
) -> list[Case]:
    """One case per layer of `CONV_LAYERS`: ``conv`` against ``torch.nn.functional.conv2d``.

    Outputs are compared first (`relative_error`); both sides are timed in
    PyTorch's inference mode, settling `TORCH_SETTLE` seconds before each
    sample. ``note(layer)`` starts each case's note. Needs PyTorch (callers
    check `has_module` first).
    """
    import torch

    with torch.inference_mode():
        return [
            _conv2d_case(layer, conv, replace(settings, settle=TORCH_SETTLE), note(layer))
            for layer in CONV_LAYERS
        ]


def _conv2d_case(layer: ConvLayer, conv: Conv2dFunction, settings: Settings, note: str) -> Case:
    import torch
    import torch.nn.functional as F

    x, w, b = layer.arrays()
    tx, tw, tb = (torch.from_numpy(a) for a in (x, w, b))
    s, p = layer.stride, layer.padding
    error = relative_error(conv(x, w, b, s, p), F.conv2d(tx, tw, tb, s, p).numpy())
    ours, ref = time_calls([lambda: conv(x, w, b, s, p), lambda: F.conv2d(tx, tw, tb, s, p)], settings)
    return Case(
        layer.label,
        ours.best,
        ref.best,
        ours.median,
        ref.median,
        note=f"{note}max rel. diff {error:.0e}",
        flops=2 * layer.macs,
    )


def has_module(name: str) -> bool:
    """True if ``name`` can be imported (without importing it)."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # e.g. sys.modules[name] = None, the usual way to hide a module
        return False


def version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


@dataclass
class Threads:
    """numpy's BLAS thread count, how it was found, and the count PyTorch is set to."""

    blas: int
    source: str
    blas_library: str = "unknown"
    torch: int | None = None


def numpy_blas_threads(requested: int | None = None) -> Threads:
    """The thread count numpy's BLAS uses (set to ``requested`` if given), via threadpoolctl if installed.

    Without threadpoolctl the count cannot be read; it is then assumed from
    OPENBLAS_NUM_THREADS / OMP_NUM_THREADS or the number of cores, and the
    report says so.
    """
    import numpy as np  # noqa: F401  (loads the BLAS library threadpoolctl inspects)

    if has_module("threadpoolctl"):
        from threadpoolctl import ThreadpoolController

        controller = ThreadpoolController().select(user_api="blas")
        if controller.lib_controllers:
            if requested is not None:
                controller.limit(limits=requested)
            lib = controller.lib_controllers[0]
            info = lib.info()
            name = f"{info.get('internal_api')} {info.get('version')} ({info.get('architecture')})"
            return Threads(lib.num_threads, "threadpoolctl", name)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        if os.environ.get(var, "").isdigit():
            return Threads(int(os.environ[var]), f"assumed from {var} (threadpoolctl not installed)")
    count = requested or os.cpu_count() or 1
    return Threads(count, "assumed = cores (threadpoolctl not installed: the real count is not known)")


def match_torch_threads(threads: Threads) -> None:
    """Give PyTorch the same number of intra-op threads as numpy's BLAS."""
    import torch

    torch.set_num_threads(threads.blas)
    threads.torch = torch.get_num_threads()


def machine_facts() -> dict[str, str]:
    """CPU, cores, Python and package versions, and the BLAS-related environment, as strings."""
    cpu = cpu_facts()
    vector = sorted(
        f for f in cpu["flags"] if f in {"avx2", "fma", "avx512f", "avx512_bf16", "neon", "asimd"}
    )
    facts = {
        "CPU": f"{cpu['model'] or platform.processor() or 'unknown'} ({platform.machine()})",
        "cores": str(cpu["cores"]),
        "clock (MHz, as reported)": f"{cpu['mhz']:.0f}" if cpu["mhz"] else "unknown",
        "vector extensions": ", ".join(vector) or "none found",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": sys.version.split()[0],
    }
    for dist in ("numpy", "scipy", "torch", "threadpoolctl"):
        facts[dist] = version(dist)
    for var in (*BLAS_ENV, *ALLOCATOR_ENV):
        facts[var] = os.environ.get(var, "unset")
    return facts
