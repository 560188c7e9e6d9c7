"""Find a CUDA GPU and time the roofline notebook's layers on it, or say what that would show.

Used by section 6 of notebooks/09_from_flops_to_seconds.ipynb, which predicts the
layers' times on a GPU from its datasheet (`course_lib.roofline.predicted_seconds`)
and measures them here when the machine has a GPU.

* `find_gpu` looks for a GPU driver first (``nvidia-smi``/``rocm-smi`` on the PATH,
  or the driver's device files) and only then imports CuPy or PyTorch, so that a
  machine without a GPU never pays for importing them. It returns a `GpuBackend`
  (random arrays on the device, a synchronisation, a convolution when the library
  has one) or the reasons why there is none.
* `gpu_cases` builds the benchmarks in float32 with the data already on the device:
  dense layers x W + b (2 B n_in n_out FLOPs), the 64-channel 3 x 3 convolution on
  56 x 56 maps (2 B C_out H W C_in K^2 FLOPs; with CuPy, which has no convolution,
  the GEMM of its im2col shape), a large square product for the GPU's peak
  (2 n^3 - n^2 FLOPs) and a large copy for its bandwidth (2 x the array's bytes).
* `time_cases` times each case (best of ``repeats``, after one warm-up call, with a
  synchronisation before the clock stops: GPU calls return before the work is done).
* `gpu_report` does all three and returns the text the notebook prints. It never
  raises: a failed run is reported in the text.

Nothing here runs without a GPU except the search; the tests drive `gpu_cases` and
`time_cases` with a numpy stand-in for the device.
"""

from __future__ import annotations

import importlib
import importlib.util
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course_lib.validation import require_int

DRIVER_COMMANDS = ("nvidia-smi", "rocm-smi")
"""Commands whose presence on the PATH means a GPU driver is installed."""

DRIVER_FILES = ("/proc/driver/nvidia", "/dev/nvidiactl", "/dev/dxg", "/dev/kfd")
"""Files a GPU driver creates (NVIDIA, WSL's GPU bridge, AMD's ROCm)."""

LIBRARIES = ("cupy", "torch")
"""CUDA array libraries tried, in this order."""

DENSE_CASES = ((784, 512, 1), (784, 512, 256), (4096, 4096, 1), (4096, 4096, 256))
"""(n_in, n_out, batch) of the dense layers timed by `gpu_cases`: those of the notebook's section 4."""


@dataclass(frozen=True)
class GpuBackend:
    """What `gpu_cases` needs from a CUDA array library.

    ``randn(*shape)`` makes a float32 array of standard normals on the device;
    ``synchronize()`` waits until the device has finished; ``conv2d(x, w, b)`` is a
    3 x 3 convolution with padding 1 (NCHW), or None when the library has none.
    """

    library: str
    device_name: str
    randn: Callable[..., Any]
    synchronize: Callable[[], Any]
    conv2d: Callable[..., Any] | None = None


@dataclass(frozen=True)
class Case:
    """One benchmark: ``fn(*args)``, doing ``flops`` FLOPs (or, for a copy, moving ``bytes_moved`` bytes)."""

    fn: Callable[..., Any]
    args: tuple[Any, ...]
    flops: int | None = None
    bytes_moved: int | None = None


def driver_found() -> bool:
    """True when a GPU driver's command is on the PATH or one of its files exists."""
    return any(shutil.which(command) for command in DRIVER_COMMANDS) or any(
        Path(path).exists() for path in DRIVER_FILES
    )


def _backend(library: str, module: Any) -> GpuBackend | None:
    """The backend of an imported ``module`` (CuPy or PyTorch), or None when it sees no CUDA device."""
    if library == "torch":
        if not module.cuda.is_available():
            return None
        functional = module.nn.functional
        return GpuBackend(
            library,
            module.cuda.get_device_name(),
            lambda *shape: module.randn(*shape, device="cuda", dtype=module.float32),
            module.cuda.synchronize,
            lambda x, w, b: functional.conv2d(x, w, b, padding=1),
        )
    if module.cuda.runtime.getDeviceCount() < 1:
        return None
    name = module.cuda.runtime.getDeviceProperties(0)["name"]
    return GpuBackend(
        library,
        name.decode() if isinstance(name, bytes) else str(name),
        lambda *shape: module.random.standard_normal(shape, dtype=module.float32),
        module.cuda.Device().synchronize,
    )


def find_gpu() -> tuple[GpuBackend | None, list[str]]:
    """(backend, []) for the first usable CUDA library of `LIBRARIES`, else (None, the reasons).

    Without a GPU driver (`driver_found`) neither library is imported. A library that
    is missing, fails to import or sees no device adds one reason and the next is tried.
    """
    if not driver_found():
        return None, ["no GPU driver found, so CuPy and PyTorch were not imported"]
    reasons = []
    for library in LIBRARIES:
        if importlib.util.find_spec(library) is None:
            reasons.append(f"{library} is not installed")
            continue
        try:
            backend = _backend(library, importlib.import_module(library))
        except Exception as error:  # a broken installation or driver must not stop the notebook
            reasons.append(f"{library}: {type(error).__name__}: {error}")
            continue
        if backend is not None:
            return backend, []
        reasons.append(f"{library} finds no CUDA device")
    return None, reasons


def gpu_cases(
    backend: GpuBackend,
    dense: Sequence[tuple[int, int, int]] = DENSE_CASES,
    conv_batches: Sequence[int] = (1, 32),
    conv_shape: tuple[int, int] = (64, 56),
    peak_n: int = 4096,
    copy_mib: int = 256,
) -> dict[str, Case]:
    """The benchmarks, float32, inputs made on the device with ``backend.randn``.

    Dense ``n_in->n_out, B=batch``: x W + b, 2 B n_in n_out FLOPs. Convolution of
    ``conv_shape`` = (C, M) (C -> C channels, 3 x 3, padding 1, M x M maps) at each of
    ``conv_batches``: 2 B C M^2 C 9 FLOPs (a GEMM (C x 9C)(9C x B M^2) of the same FLOPs
    when the backend has no convolution). A ``peak_n`` square product: 2 n^3 - n^2
    FLOPs. A copy of ``copy_mib`` MiB: twice its bytes moved (read once, written once).
    """
    cases: dict[str, Case] = {}
    for n_in, n_out, batch in dense:
        n_in, n_out = require_int("n_in", n_in), require_int("n_out", n_out)
        batch = require_int("batch", batch)
        args = (backend.randn(batch, n_in), backend.randn(n_in, n_out), backend.randn(n_out))
        cases[f"dense {n_in}->{n_out}, B={batch}"] = Case(
            lambda x, w, b: x @ w + b, args, flops=2 * batch * n_in * n_out
        )
    channels, side = (
        require_int("conv_shape[0]", conv_shape[0]),
        require_int("conv_shape[1]", conv_shape[1]),
    )
    for batch in conv_batches:
        batch = require_int("conv_batches", batch)
        flops = 2 * batch * channels * side * side * channels * 9
        label = f"conv {channels}->{channels} 3x3 @{side}, B={batch}"
        if backend.conv2d is not None:
            x = backend.randn(batch, channels, side, side)
            cases[label] = Case(
                backend.conv2d, (x, backend.randn(channels, channels, 3, 3), backend.randn(channels)), flops
            )
        else:
            a, c = backend.randn(channels, 9 * channels), backend.randn(9 * channels, batch * side * side)
            cases[f"{label} (as a GEMM)"] = Case(lambda u, v: u @ v, (a, c), flops)
    n = require_int("peak_n", peak_n)
    cases[f"matmul {n} x {n} (peak)"] = Case(lambda a: a @ a, (backend.randn(n, n),), flops=2 * n**3 - n**2)
    elements = require_int("copy_mib", copy_mib) * 2**20 // 4
    cases[f"copy {copy_mib} MiB (bandwidth)"] = Case(
        lambda a: a * 1, (backend.randn(elements),), bytes_moved=2 * 4 * elements
    )
    return cases


def time_cases(backend: GpuBackend, cases: dict[str, Case], repeats: int = 5) -> dict[str, tuple[float, str]]:
    """name -> (best seconds of ``repeats`` calls, the rate as text: GFLOP/s or GB/s).

    One warm-up call first (kernel compilation, memory pools); the clock stops after
    ``backend.synchronize()``. Varies from run to run.
    """
    repeats = require_int("repeats", repeats)
    results = {}
    for name, case in cases.items():
        case.fn(*case.args)
        backend.synchronize()
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            case.fn(*case.args)
            backend.synchronize()
            best = min(best, time.perf_counter() - start)
        best = max(best, 1e-9)
        if case.flops is not None:
            rate = f"{case.flops / best / 1e9:10.1f} GFLOP/s"
        else:
            rate = f"{(case.bytes_moved or 0) / best / 1e9:10.1f} GB/s"
        results[name] = (best, rate)
    return results


WOULD_MEASURE = (
    "With a CUDA GPU and CuPy or PyTorch, this cell times in float32, data already on the GPU:\n"
    "  dense 784->512 and 4096->4096 at B = 1 and 256, conv 64->64 3x3 @56 at B = 1 and 32,\n"
    "  a 4096 x 4096 product (the GPU's peak) and a 256 MiB copy (its bandwidth).\n"
    "Compare them with the datasheet prediction above: the batch-256 layers and the product\n"
    "should come close to it, the batch-1 layers fall short by a launch overhead of microseconds."
)
"""What `gpu_report` says it would show on a machine without a GPU."""


def gpu_report(repeats: int = 5) -> str:
    """The GPU measurement as text: a table of `time_cases`, or why none was made and what it would show.

    Never raises: an error during the run is reported in the text.
    """
    backend, reasons = find_gpu()
    if backend is None:
        return f"No GPU measurement on this machine: {'; '.join(reasons)}.\n{WOULD_MEASURE}"
    try:
        results = time_cases(backend, gpu_cases(backend), repeats)
    except Exception as error:  # report and go on
        return f"The GPU run failed ({type(error).__name__}: {error})."
    lines = [f"GPU: {backend.device_name} (via {backend.library})"]
    lines += [f"{name:38} {seconds * 1e3:9.3f} ms {rate}" for name, (seconds, rate) in results.items()]
    return "\n".join(lines)
