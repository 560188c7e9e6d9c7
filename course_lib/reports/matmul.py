"""Report of the experiment of notebooks/01_matrix_multiplication.ipynb: the cost of one matrix product.

For A (m x n) times B (n x p) the text sets the counted multiplies, adds, MACs
and FLOPs of `course_lib.ops.matmul` (run on zeros under `count_ops`) beside
the closed forms derived in the notebook (m n p, m (n - 1) p, m n p,
2 m n p - m p, from `course_lib.symbolic.matmul_cost`), with the float64
memory of A, B and C and the arithmetic intensity FLOPs / bytes(A + B + C)
(`course_lib.roofline.matmul_traffic`). The text is deterministic.

The figure, on axes that stay fixed while the sliders move:

* left, multiplies and time against size: the multiplies s^3 of a square
  s x s x s product (left axis) and its measured time with numpy's BLAS on one
  thread (right axis, seconds), with the chosen product drawn at the size of the
  square product doing as many multiplies, s = (m n p)^(1/3);
* right, the arithmetic intensity against p for the chosen m and n: p = 1 is a
  matrix-vector product (about 1/4 FLOP/byte in float64), larger p a
  matrix-matrix product whose intensity grows with p.

The times vary from run to run and with the load on the machine; only the
figure shows them.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FormatStrFormatter

from course_lib import ops, symbolic
from course_lib.counting import count_ops
from course_lib.plotting import COLORS
from course_lib.reports.base import Report, drop_minor_ticks, new_figure
from course_lib.reports.format import format_bytes
from course_lib.roofline import matmul_traffic, time_with_threads
from course_lib.validation import require_int

LIMITS = (1, 512)
"""Range of each of m, n and p (the largest product, 512^3 multiplies, takes a few ms)."""

FLOAT64_BYTES = 8
"""Bytes per float64 element."""

SQUARE_SIZES = tuple(2**k for k in range(10))
"""Sizes s of the square products timed once per session as the reference curve (1 to 512)."""

MULTIPLY_LIMITS = (0.5, 3e8)
"""Fixed range of the multiplies axis (512^3 = 1.3e8 at most)."""

TIME_LIMITS = (1e-7, 1.0)
"""Fixed range of the time axis, in seconds."""

INTENSITY_LIMITS = (0.03, 100.0)
"""Fixed range of the intensity axis, FLOP/byte (from 1/24 at 1 x 1 x 1 to 42.6 at 512^3)."""

TIME_BUDGET = 0.03
"""Seconds spent timing one product (best of the calls that fit, at least one)."""


def _checked(m: object, n: object, p: object) -> tuple[int, int, int]:
    return require_int("m", m, *LIMITS), require_int("n", n, *LIMITS), require_int("p", p, *LIMITS)


def _seconds(m: int, n: int, p: int) -> float:
    """Best wall time of a float64 (m x n)(n x p) product with numpy on one BLAS thread."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((m, n)), rng.standard_normal((n, p))
    return time_with_threads(np.matmul, a, b, threads=(1,), rounds=1, budget=TIME_BUDGET)[1]


@lru_cache(maxsize=1)
def square_seconds() -> tuple[float, ...]:
    """Measured seconds of the square products of `SQUARE_SIZES` (once per session: the reference curve)."""
    return tuple(_seconds(s, s, s) for s in SQUARE_SIZES)


def _memory(elements: int) -> str:
    size = elements * FLOAT64_BYTES
    text = f"{elements:,} element{'s' if elements != 1 else ''} = {size:,} B"
    return text if size < 1000 else f"{text} ({format_bytes(size)})"


def text(m: int, n: int, p: int) -> str:
    """Counted and derived cost, float64 memory and arithmetic intensity of (m x n)(n x p), as text."""
    m, n, p = _checked(m, n, p)
    with count_ops() as counter:
        c = ops.matmul(np.zeros((m, n)), np.zeros((n, p)))
    formula = {kind: int(value) for kind, value in symbolic.matmul_cost(m, n, p).items()}
    counted = {
        "multiplies": counter.multiplies,
        "adds": counter.adds,
        "macs": counter.macs,
        "flops": counter.flops,
    }
    rows = [
        ("multiplies", "multiplies", "m*n*p"),
        ("adds", "adds", "m*(n-1)*p"),
        ("MACs", "macs", "m*n*p"),
        ("FLOPs", "flops", "2*m*n*p - m*p"),
    ]
    width = max(len("counted"), *(len(f"{value:,}") for value in counted.values()))
    elements = {"A": m * n, "B": n * p, "C": m * p}
    traffic = matmul_traffic(m, n, p, dtype="float64")
    agree = "yes" if counted == {key: formula[key] for key in counted} else "NO"
    lines = [
        f"A ({m} x {n}) @ B ({n} x {p}) -> C of shape {c.shape}",
        "",
        f"{'':10}  {'counted':>{width}}  formula",
    ]
    lines += [
        f"{label:10}  {counted[key]:>{width},}  {form:13} = {formula[key]:,}" for label, key, form in rows
    ]
    lines += [
        f"counted == formula: {agree}",
        "",
        f"memory in float64 ({FLOAT64_BYTES} bytes per element)",
        f"  A  m*n = {_memory(elements['A'])}",
        f"  B  n*p = {_memory(elements['B'])}",
        f"  C  m*p = {_memory(elements['C'])}",
        f"  A + B + C = {_memory(sum(elements.values()))}",
        "",
        f"arithmetic intensity = FLOPs / bytes(A+B+C) = {traffic.operations:,} / {traffic.bytes:,}"
        f" = {traffic.intensity:.3f} FLOP/byte",
    ]
    return "\n".join(lines)


def figure(m: int, n: int, p: int) -> Figure:
    """Multiplies and time against size (chosen product marked), and intensity against p (left, right)."""
    m, n, p = _checked(m, n, p)
    fig, (work, intensity) = new_figure(7.2, 3.4, ncols=2)
    time = work.twinx()
    sizes = np.arange(1, LIMITS[1] + 1, dtype=float)
    equivalent = float(m * n * p) ** (1 / 3)
    work.plot(
        sizes, sizes**3, color=COLORS["forward"], label="multiplies, s x s x s", gid="square multiplies"
    )
    work.plot([equivalent], [m * n * p], "o", color=COLORS["forward"], markersize=8, gid="chosen multiplies")
    time.plot(
        SQUARE_SIZES,
        square_seconds(),
        "s-",
        color=COLORS["time"],
        markersize=3,
        linewidth=1,
        label="time, s x s x s (1 BLAS thread)",
        gid="square time",
    )
    time.plot(
        [equivalent],
        [_seconds(m, n, p)],
        "D",
        color=COLORS["time"],
        markersize=8,
        markeredgecolor="black",
        label=f"time, ({m} x {n})({n} x {p})",
        gid="chosen time",
    )
    work.set(
        xscale="log",
        yscale="log",
        xlim=(1, LIMITS[1]),
        ylim=MULTIPLY_LIMITS,
        xlabel="size s  (chosen product at s = (m n p)^(1/3))",
        ylabel="multiplies (count)",
        title=f"({m} x {n})({n} x {p}): {m * n * p:,} multiplies",
    )
    time.set(yscale="log", ylim=TIME_LIMITS, ylabel="time (seconds)")
    time.grid(False)
    time.spines["right"].set_visible(True)
    work.yaxis.label.set_color(COLORS["forward"])
    time.yaxis.label.set_color(COLORS["time"])
    handles = [*work.get_legend_handles_labels()[0], *time.get_legend_handles_labels()[0]]
    work.legend(handles=handles, fontsize=7, loc="upper left")

    columns = np.arange(1, LIMITS[1] + 1)
    curve = [matmul_traffic(m, n, int(q), dtype="float64").intensity for q in columns]
    chosen = matmul_traffic(m, n, p, dtype="float64").intensity
    intensity.plot(columns, curve, color=COLORS["forward"], label=f"m = {m}, n = {n}", gid="intensity")
    intensity.plot([p], [chosen], "o", color=COLORS["forward"], markersize=8, gid="chosen intensity")
    intensity.annotate(
        f"matrix-vector (p = 1): {curve[0]:.3f}",
        (1, curve[0]),
        xytext=(4, -12),
        textcoords="offset points",
        fontsize=8,
    )
    intensity.annotate(f"{chosen:.2f}", (p, chosen), xytext=(6, 4), textcoords="offset points", fontsize=8)
    intensity.set(
        xscale="log",
        yscale="log",
        xlim=(1, LIMITS[1]),
        ylim=INTENSITY_LIMITS,
        xlabel="p, columns of B",
        ylabel="intensity (FLOP/byte, float64)",
        title="Intensity against p",
    )
    for axis in (work.xaxis, intensity.xaxis, intensity.yaxis):
        axis.set_major_formatter(FormatStrFormatter("%g"))
    intensity.legend(fontsize=8, loc="upper left")
    drop_minor_ticks(work, time, intensity)
    return fig


def report(m: int, n: int, p: int) -> Report:
    """Cost of a (m x n)(n x p) float64 product: counted vs derived counts, memory, intensity, and a figure.

    Multiplies = MACs = m n p, adds = m (n - 1) p, FLOPs = 2mnp - mp; memory of
    A, B and C 8 (mn + np + mp) bytes; intensity FLOPs / those bytes. Each of
    m, n, p from 1 to 512 (`LIMITS`); ValueError naming the argument otherwise.
    Text: `text`; figure: `figure`. Derived in notebooks/01_matrix_multiplication.ipynb.
    """
    return Report(text(m, n, p), figure(m, n, p))
