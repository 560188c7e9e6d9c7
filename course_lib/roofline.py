"""From FLOPs to seconds: arithmetic intensity, the roofline model, Amdahl's law, work and span.

Formulas first, as pure functions (derived in notebooks/09_from_flops_to_seconds.ipynb):

* `Traffic`: the operations a kernel performs and the bytes it must move,
  with ``intensity`` = operations / bytes. The bytes are the *compulsory*
  traffic: every input, weight and output crosses the memory bus exactly
  once (the minimum; caches that are too small, or an unfused bias add, move
  more). `dense_traffic`, `conv2d_traffic` (optionally with the im2col
  buffer written and read once more), `elementwise_traffic` and
  `matmul_traffic` take their operation counts from `course_lib.complexity`;
  `layer_traffic` prices a `course_lib.architectures` layer spec (Linear, Conv2d,
  an activation) and `ridge_batch` finds the batch that brings it to a ridge point.
* The roofline (Williams, Waterman & Patterson, 2009): attainable rate
  min(P_peak, beta * I) for a kernel of intensity I on a machine of peak
  P_peak (GFLOP/s) and memory bandwidth beta (GB/s); the ridge point
  P_peak / beta; the predicted time max(W / P_peak, Q / beta).
* Amdahl's law, S(p) = 1 / (f + (1 - f) / p), and its inverse, the serial
  fraction f = (p / S - 1) / (p - 1) measured from a speed-up (Karp & Flatt, 1990).
* Work and span (Blelloch, 1996): a dot product of length n is n parallel
  multiplies and a pairwise tree of adds, ceil(log2 n) levels deep; the
  layers of a network run one after the other, so their spans add up.
* The theoretical peak cores x clock x FLOPs per cycle, with the FMA
  assumption of notebooks/01_matrix_multiplication.ipynb.

Then measurement helpers that time numpy on this machine (`measure_matmul_gflops`,
`measure_bandwidth_gbs`, `time_with_threads`; their results vary from run to run), and
`cache_sizes`, the data caches the operating system reports (which decide what a
"main-memory" bandwidth measurement really measures).

Like `course_lib.complexity`, this module never imports the implementations
(``ops``, ``counting``, ``mlp``, ``conv``): tests and the notebook set these
formulas beside counted runs of the real kernels.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from course_lib.architectures import Activation, Conv2d, Layer, Linear
from course_lib.complexity import (
    ConvShape,
    activation_forward_cost,
    dense_forward_cost,
    layer_forward_cost,
)
from course_lib.complexity.conv import DTYPE_BYTES
from course_lib.timing import blas_threads, time_call
from course_lib.validation import require_int

__all__ = [
    "DTYPE_BYTES",
    "Traffic",
    "WorkSpan",
    "amdahl_speedup",
    "attainable_gflops",
    "bound",
    "cache_sizes",
    "conv2d_traffic",
    "dense_traffic",
    "dense_work_span",
    "elementwise_traffic",
    "fma_flops_per_cycle",
    "layer_traffic",
    "matmul_traffic",
    "matmul_work_span",
    "measure_bandwidth_gbs",
    "measure_matmul_gflops",
    "mlp_work_span",
    "predicted_seconds",
    "ridge_batch",
    "ridge_point",
    "serial_fraction",
    "sum_depth",
    "theoretical_peak_gflops",
    "time_with_threads",
]

IntOrPair = int | tuple[int, int]


# ---------------------------------------------------------------- argument checks


def _positive(name: str, value: object) -> float:
    """``value`` as a finite float > 0, or ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return number


def _itemsize(dtype: str) -> int:
    if dtype not in DTYPE_BYTES:
        raise ValueError(f"dtype must be one of {sorted(DTYPE_BYTES)}, got {dtype!r}")
    return DTYPE_BYTES[dtype]


# ---------------------------------------------------------------- traffic and intensity


@dataclass(frozen=True)
class Traffic:
    """Operations a kernel performs and the bytes it moves (exact ints), and their ratio.

    ``operations`` are FLOPs (multiplies + adds + divides) for arithmetic
    kernels; for an activation such as ReLU they are its applications (one
    max per element), which the course counts apart from FLOPs but which the
    roofline treats as one operation each.
    """

    operations: int
    bytes: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "operations", require_int("operations", self.operations, 0))
        object.__setattr__(self, "bytes", require_int("bytes", self.bytes, 1))

    @property
    def intensity(self) -> float:
        """Arithmetic intensity, operations per byte moved."""
        return self.operations / self.bytes


def dense_traffic(n_in: int, n_out: int, batch: int = 1, dtype: str = "float32") -> Traffic:
    """z = x W + b for a batch: 2 B n_in n_out FLOPs over s (B n_in + n_in n_out + n_out + B n_out) bytes.

    s is the element size (4 for float32). The FLOPs are those of
    `course_lib.complexity.dense_forward_cost` (B n_in n_out multiplies and as
    many adds, the bias included). The intensity grows with B from about 2/s
    FLOP/byte at B = 1 (each weight used once) towards 2 n_in n_out / (s (n_in + n_out)).
    Derived in notebooks/09_from_flops_to_seconds.ipynb.
    """
    size = _itemsize(dtype)
    flops = dense_forward_cost(n_in, n_out, batch).flops
    elements = batch * n_in + n_in * n_out + n_out + batch * n_out
    return Traffic(flops, size * elements)


def elementwise_traffic(elements: int, inputs: int = 1, dtype: str = "float32") -> Traffic:
    """One operation per element, reading ``inputs`` arrays and writing one: s (inputs + 1) bytes each.

    A ReLU (``inputs=1``, one activation application per element, as
    `course_lib.complexity.activation_forward_cost` counts it) has intensity
    1 / (2 s): 1/8 op/byte in float32. An elementwise add (``inputs=2``) has
    1 / (3 s). Derived in notebooks/09_from_flops_to_seconds.ipynb.
    """
    size = _itemsize(dtype)
    inputs = require_int("inputs", inputs)
    operations = activation_forward_cost(require_int("elements", elements)).activations
    return Traffic(operations, size * elements * (inputs + 1))


def conv2d_traffic(
    c_in: int,
    height: int,
    width: int,
    c_out: int,
    kernel: IntOrPair,
    *,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    groups: int = 1,
    batch: int = 1,
    dtype: str = "float32",
    im2col: bool = False,
) -> Traffic:
    """A convolution with bias: FLOPs of `course_lib.complexity.conv2d_flops` over its bytes moved.

    Compulsory bytes: s (N C_in H W + C_out (C_in/G) K_h K_w + C_out + N C_out H_out W_out),
    input, weights, biases and output once each. With ``im2col=True`` the
    column buffer of N C_in K_h K_w H_out W_out elements is also written once
    and read once by the GEMM, 2 s N C_in K_h K_w H_out W_out more bytes: for
    a 3 x 3 kernel that divides the intensity by up to about 2 K^2 + 2 ~ 19.
    Derived in notebooks/09_from_flops_to_seconds.ipynb.
    """
    size = _itemsize(dtype)
    conv = ConvShape(
        c_in, height, width, c_out, kernel, stride=stride, padding=padding, groups=groups, batch=batch
    )
    elements = conv.input_elements + conv.params + conv.output_elements
    if im2col:
        elements += 2 * conv.im2col_elements
    return Traffic(conv.forward_cost().flops, size * elements)


def layer_traffic(
    layer: Layer, input_shape: Sequence[int], batch: int = 1, dtype: str = "float32"
) -> Traffic:
    """`Traffic` of one layer spec of `course_lib.architectures` on ``batch`` inputs of ``input_shape``.

    A `Linear` on an input of n_in features is `dense_traffic`; a `Conv2d` on a
    (C_in, H, W) input is `conv2d_traffic` (with the spec's stride, padding and groups;
    a bias is assumed, dilation must be 1); an `Activation` on any shape is
    `elementwise_traffic` over all its elements. ValueError for another layer type,
    a shape that does not fit the layer, or a dilated convolution.
    """
    shape = tuple(require_int(f"input_shape[{i}]", size) for i, size in enumerate(input_shape))
    batch = require_int("batch", batch)
    if isinstance(layer, Linear):
        (n_in,) = _shape(shape, 1, "Linear", "(n_in,)")
        return dense_traffic(n_in, layer.out_features, batch, dtype)
    if isinstance(layer, Conv2d):
        c_in, height, width = _shape(shape, 3, "Conv2d", "(C_in, H, W)")
        if layer.dilation != (1, 1):
            raise ValueError(f"layer_traffic: dilation must be 1 for a Conv2d, got {layer.dilation}")
        return conv2d_traffic(
            c_in,
            height,
            width,
            layer.out_channels,
            layer.kernel,
            stride=layer.stride,
            padding=layer.padding,
            groups=layer.groups,
            batch=batch,
            dtype=dtype,
        )
    if isinstance(layer, Activation):
        return elementwise_traffic(batch * math.prod(shape), dtype=dtype)
    raise ValueError(f"layer must be a Linear, Conv2d or Activation spec, got {type(layer).__name__}")


def _shape(shape: tuple[int, ...], length: int, kind: str, wanted: str) -> tuple[int, ...]:
    if len(shape) != length:
        raise ValueError(f"input_shape of a {kind} must be {wanted}, got {shape}")
    return shape


def ridge_batch(layer: Layer, input_shape: Sequence[int], ridge: float, dtype: str = "float32") -> int | None:
    """Smallest batch B whose intensity reaches ``ridge`` (operations per byte), or None if none does.

    A layer of `layer_traffic` does o operations and moves q bytes per sample plus
    q0 bytes (weights and biases) once per call, so I(B) = o B / (q B + q0) grows with
    B towards o / q; I(B) >= r  <=>  B (o - r q) >= r q0, solved here in exact rationals.
    Derived in notebooks/09_from_flops_to_seconds.ipynb.
    """
    r = Fraction(_positive("ridge", ridge))  # exact: the comparisons below are exact too
    one, two = layer_traffic(layer, input_shape, 1, dtype), layer_traffic(layer, input_shape, 2, dtype)
    o, q = two.operations - one.operations, two.bytes - one.bytes
    q0 = one.bytes - q
    if o - r * q <= 0:  # the limit o / q does not exceed the ridge
        return 1 if q0 == 0 and o >= r * q else None
    return max(1, math.ceil(r * q0 / (o - r * q)))


def matmul_traffic(m: int, n: int, p: int, dtype: str = "float32") -> Traffic:
    """(m x n)(n x p): 2mnp - mp FLOPs over s (mn + np + mp) bytes (A, B read once, C written once).

    For m = n = p that is (2n^3 - n^2) / (3 s n^2), about n / (1.5 s): the
    intensity grows with n. Derived in notebooks/01_matrix_multiplication.ipynb
    and notebooks/09_from_flops_to_seconds.ipynb.
    """
    size = _itemsize(dtype)
    m, n, p = require_int("m", m), require_int("n", n), require_int("p", p)
    return Traffic(2 * m * n * p - m * p, size * (m * n + n * p + m * p))


# ---------------------------------------------------------------- the roofline


def ridge_point(peak_gflops: float, bandwidth_gbs: float) -> float:
    """The intensity (FLOP/byte) where the roofline bends: P_peak / beta.

    Below it a kernel is memory-bound, above it compute-bound.
    """
    return _positive("peak_gflops", peak_gflops) / _positive("bandwidth_gbs", bandwidth_gbs)


def attainable_gflops(intensity: float, peak_gflops: float, bandwidth_gbs: float) -> float:
    """The roofline: min(P_peak, beta * I) GFLOP/s for a kernel of intensity I FLOP/byte.

    Williams, Waterman & Patterson (2009). Derived in notebooks/09_from_flops_to_seconds.ipynb.
    """
    peak, bandwidth = _positive("peak_gflops", peak_gflops), _positive("bandwidth_gbs", bandwidth_gbs)
    return min(peak, bandwidth * _positive("intensity", intensity))


def predicted_seconds(traffic: Traffic, peak_gflops: float, bandwidth_gbs: float) -> float:
    """max(W / P_peak, Q / beta): the larger of the compute time and the memory time, in seconds.

    The same as W / `attainable_gflops` (for W > 0): arithmetic and data
    transfer overlap perfectly and the slower of the two sets the pace. Per-call
    overhead is not included.
    """
    if not isinstance(traffic, Traffic):
        raise ValueError(f"traffic must be a Traffic, got {type(traffic).__name__}")
    peak, bandwidth = _positive("peak_gflops", peak_gflops), _positive("bandwidth_gbs", bandwidth_gbs)
    return max(traffic.operations / (peak * 1e9), traffic.bytes / (bandwidth * 1e9))


def bound(intensity: float, peak_gflops: float, bandwidth_gbs: float) -> str:
    """``"memory"`` if the intensity lies below the ridge point, else ``"compute"``."""
    ridge = ridge_point(peak_gflops, bandwidth_gbs)
    return "memory" if _positive("intensity", intensity) < ridge else "compute"


# ---------------------------------------------------------------- Amdahl's law


def amdahl_speedup(serial_fraction: float, workers: int) -> float:
    """Amdahl's law: S(p) = 1 / (f + (1 - f) / p) for a serial fraction f on p workers.

    Amdahl (1967); S tends to 1/f as p grows. Derived in notebooks/09_from_flops_to_seconds.ipynb.
    """
    if isinstance(serial_fraction, bool) or not isinstance(serial_fraction, int | float | np.floating):
        raise ValueError(f"serial_fraction must be a number in [0, 1], got {serial_fraction!r}")
    f = float(serial_fraction)
    if not 0 <= f <= 1:
        raise ValueError(f"serial_fraction must be in [0, 1], got {serial_fraction!r}")
    p = require_int("workers", workers)
    return 1 / (f + (1 - f) / p)


def serial_fraction(speedup: float, workers: int) -> float:
    """The f for which Amdahl's law gives ``speedup`` on p workers: (p / S - 1) / (p - 1).

    Karp & Flatt's experimentally determined serial fraction (1990). Only a
    speed-up between 1 and p corresponds to an f in [0, 1]; others raise
    ValueError (a speed-up below 1 means the parallel run was slowed by
    something Amdahl's law does not model, such as another program on a core).
    """
    s = _positive("speedup", speedup)
    p = require_int("workers", workers, 2)
    if not 1 <= s <= p:
        raise ValueError(f"speedup must lie between 1 and workers={p} for Amdahl's law, got {speedup!r}")
    return (p / s - 1) / (p - 1)


# ---------------------------------------------------------------- work and span


@dataclass(frozen=True)
class WorkSpan:
    """Work (all operations, exact int), span (longest chain of dependent operations) and their ratio."""

    work: int
    span: int

    @property
    def parallelism(self) -> float:
        """work / span: the most workers that can be kept busy on average."""
        return self.work / self.span


def sum_depth(count: int) -> int:
    """Levels of a pairwise (tree) sum of ``count`` numbers: ceil(log2 count), 0 for one number.

    Each level adds disjoint pairs in parallel and halves (rounding up) the
    numbers left. The count of adds is count - 1 whatever the order.
    """
    return (require_int("count", count) - 1).bit_length()


def matmul_work_span(m: int, n: int, p: int) -> WorkSpan:
    """(m x n)(n x p) product: work 2mnp - mp FLOPs, span 1 + ceil(log2 n).

    All mnp multiplies are independent (one level); each output entry then
    sums its n products in a tree. The span does not depend on m or p.
    Derived in notebooks/09_from_flops_to_seconds.ipynb.
    """
    return WorkSpan(matmul_traffic(m, n, p).operations, 1 + sum_depth(n))


def dense_work_span(n_in: int, n_out: int, batch: int = 1) -> WorkSpan:
    """Dense layer with bias and activation: work 2 B n_in n_out FLOPs + B n_out activations.

    Span 1 + ceil(log2(n_in + 1)) + 1: the multiplies, a tree over the n_in
    products and the bias, then the activation. Batch and n_out add work but
    no span. Derived in notebooks/09_from_flops_to_seconds.ipynb.
    """
    work = layer_forward_cost(n_in, n_out, batch).total
    return WorkSpan(work, 2 + sum_depth(require_int("n_in", n_in) + 1))


def mlp_work_span(widths: Sequence[int], batch: int = 1) -> WorkSpan:
    """An MLP of widths [n(0), ..., n(L)]: the layers run in sequence, so work and span both add up.

    Derived in notebooks/09_from_flops_to_seconds.ipynb.
    """
    if isinstance(widths, str | bytes) or not isinstance(widths, Sequence) or len(widths) < 2:
        raise ValueError(f"widths must be a sequence of at least 2 positive integers, got {widths!r}")
    layers = [dense_work_span(widths[k - 1], widths[k], batch) for k in range(1, len(widths))]
    return WorkSpan(sum(layer.work for layer in layers), sum(layer.span for layer in layers))


# ---------------------------------------------------------------- theoretical peak


def fma_flops_per_cycle(flags: Iterable[str], dtype: str = "float32") -> int | None:
    """FLOPs per cycle per core from FMA instructions, or None when the flags do not tell.

    The assumption of notebooks/01_matrix_multiplication.ipynb: two FMA units
    of 256 bits per core (exact for AMD Zen 2-4, which runs 512-bit
    instructions as two halves, and Intel Haswell-Skylake client cores; a
    lower bound for cores with two 512-bit FMA units), 2 FLOPs per lane:
    16 float64 or 32 float32 FLOPs per cycle when the CPU reports ``fma``
    and ``avx2`` (or ``avx512f``).
    """
    flags = set(flags)
    if dtype not in ("float32", "float64"):
        raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
    if "fma" not in flags or not flags & {"avx2", "avx512f"}:
        return None
    lanes = 256 // (8 * DTYPE_BYTES[dtype])
    return 2 * lanes * 2


def theoretical_peak_gflops(cores: int, mhz: float, flops_per_cycle: int) -> float:
    """cores x clock (GHz) x FLOPs per cycle per core, in GFLOP/s.

    Derived in notebooks/01_matrix_multiplication.ipynb.
    """
    return (
        require_int("cores", cores)
        * _positive("mhz", mhz)
        / 1000
        * require_int("flops_per_cycle", flops_per_cycle)
    )


# ---------------------------------------------------------------- measurements on this machine


def measure_matmul_gflops(
    n: int = 2048, dtype: str = "float32", repeats: int = 3, seed: int = 0, budget: float = 3.0
) -> float:
    """Best-of-``repeats`` GFLOP/s of numpy's (n x n)(n x n) product (BLAS), FLOPs 2n^3 - n^2.

    The practical compute ceiling of the roofline. Varies from run to run and
    with the load on the machine.
    """
    if dtype not in ("float32", "float64"):
        raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
    n = require_int("n", n)
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n, n)).astype(dtype)
    b = rng.standard_normal((n, n)).astype(dtype)
    seconds = time_call(np.matmul, a, b, repeats=require_int("repeats", repeats), budget=budget)
    return matmul_traffic(n, n, n).operations / seconds / 1e9


_SIZE_UNITS = {"K": 2**10, "M": 2**20, "G": 2**30}


def cache_sizes(root: str | Path = "/sys/devices/system/cpu/cpu0/cache") -> dict[str, int]:
    """Bytes of each data cache of one core as Linux reports them: {"L1d": ..., "L2": ..., "L3": ...}.

    Read from ``root``/index*/{level,type,size} (sysfs); instruction caches are left out,
    a data-only cache is named with a "d" (L1d). An empty dict where the files do not
    exist (not Linux) or cannot be read. A shared cache (usually L3) is reported whole,
    not per core. Used by notebooks/09_from_flops_to_seconds.ipynb to say whether its
    streaming arrays are larger than the caches.
    """
    sizes: dict[str, int] = {}
    for index in sorted(Path(root).glob("index*")):
        try:
            level = (index / "level").read_text().strip()
            kind = (index / "type").read_text().strip()
            size = (index / "size").read_text().strip()
        except OSError:
            continue
        if kind == "Instruction" or not size:
            continue
        number, unit = (size[:-1], size[-1]) if size[-1] in _SIZE_UNITS else (size, "")
        if not number.isdigit():
            continue
        sizes[f"L{level}{'d' if kind == 'Data' else ''}"] = int(number) * _SIZE_UNITS.get(unit, 1)
    return sizes


STREAM_KERNELS = {"copy": 1, "add": 2}
"""Kernels of `measure_bandwidth_gbs` and how many arrays each reads (each writes one)."""


def measure_bandwidth_gbs(
    megabytes: float = 64, kernel: str = "copy", dtype: str = "float32", repeats: int = 5, budget: float = 2.0
) -> float:
    """Best-of-``repeats`` memory bandwidth (GB/s) of a streaming kernel over arrays of ``megabytes`` MiB each.

    ``"copy"`` (c = a) counts 2 array sizes of traffic per call, ``"add"``
    (c = a + b) counts 3, as McCalpin's STREAM benchmark does (1995): the extra
    read a cache does before overwriting c ("write allocate") is not counted.
    Arrays much larger than the caches measure main memory; small ones measure
    the caches. Varies from run to run.
    """
    if kernel not in STREAM_KERNELS:
        raise ValueError(f"kernel must be one of {sorted(STREAM_KERNELS)}, got {kernel!r}")
    elements = int(_positive("megabytes", megabytes) * 2**20) // _itemsize(dtype)
    if elements < 1:
        raise ValueError(f"megabytes={megabytes} holds no {dtype} element")
    sources = [np.full(elements, 1.0 + i, dtype=dtype) for i in range(STREAM_KERNELS[kernel])]
    target = np.empty(elements, dtype=dtype)
    if kernel == "copy":
        seconds = time_call(np.copyto, target, sources[0], repeats=repeats, budget=budget)
    else:
        seconds = time_call(np.add, *sources, out=target, repeats=repeats, budget=budget)
    moved = (len(sources) + 1) * target.nbytes
    return moved / seconds / 1e9


def time_with_threads(
    fn: Callable[..., Any], *args: Any, threads: Sequence[int] = (1, 2), rounds: int = 7, budget: float = 0.2
) -> dict[int, float]:
    """Best seconds per call of ``fn(*args)`` with numpy's BLAS limited to each thread count.

    The thread counts are tried in alternating rounds (1, 2, 2, 1, 1, 2, ...),
    so that a burst of load from other programs hits every setting, and the
    minimum over the rounds is kept (each round is a `time_call` of at most
    ``budget`` seconds, which loops calls shorter than 0.2 ms). Needs ``threadpoolctl``. Varies from run
    to run; on a machine whose cores are busy with other work, more threads
    can be slower.
    """
    counts = [require_int("threads", count) for count in threads]
    if not counts:
        raise ValueError("threads must list at least one thread count")
    rounds = require_int("rounds", rounds)
    best = {count: math.inf for count in counts}
    for round_ in range(rounds):
        order = counts if round_ % 2 == 0 else counts[::-1]
        for count in order:
            with blas_threads(count):
                best[count] = min(best[count], time_call(fn, *args, repeats=2, budget=budget))
    return best
