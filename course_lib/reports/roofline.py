"""Report of notebooks/09_from_flops_to_seconds.ipynb: where a layer lands on a machine's roofline.

`report(layer, batch, peak_gflops, bandwidth_gbs)` takes one of the `LAYERS`
(layer specs of `course_lib.architectures` with their input shape) at batch B, on
a machine of peak P (GFLOP/s) and memory bandwidth beta (GB/s). The text gives
the layer's operations W and compulsory bytes Q (`course_lib.roofline.layer_traffic`,
whose counts come from `course_lib.complexity`), its arithmetic intensity I = W / Q,
the ridge point P / beta, the attainable rate min(P, beta I), the predicted time
max(W / P, Q / beta), whether the layer is memory- or compute-bound, and the
smallest batch that would reach the ridge point (`course_lib.roofline.ridge_batch`).
The figure draws the machine's roofline on log-log axes with the layer as a point
and, faintly, the path it takes as the batch grows from 1 to `SLIDER_MAX`.

With ``measured_seconds`` (a time measured on this machine) the text adds the
measured rate and the figure the measured point. `measured_report` measures it
first, with `course_lib.layer_timing.time_layer`, when that is quick (`measurable`):
it is the one function here whose result varies from run to run.
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from course_lib.architectures import Activation, Conv2d, Layer, Linear, ReLU
from course_lib.layer_timing import time_layer
from course_lib.plotting import COLORS
from course_lib.reports.base import Report, new_figure
from course_lib.reports.format import format_tick
from course_lib.roofline import (
    Traffic,
    attainable_gflops,
    layer_traffic,
    predicted_seconds,
    ridge_batch,
    ridge_point,
)
from course_lib.validation import require_bool, require_choice, require_int, require_real

DTYPE = "float32"
"""Every layer computes in float32 (4 bytes per element)."""

LAYERS: dict[str, tuple[Layer, tuple[int, ...]]] = {
    "dense 784->512": (Linear(512, in_features=784), (784,)),
    "dense 4096->4096": (Linear(4096, in_features=4096), (4096,)),
    "conv 64->64 3x3 @56": (Conv2d(64, 3, padding=1, in_channels=64), (64, 56, 56)),
    "depthwise 64 3x3 @56": (Conv2d(64, 3, padding=1, groups=64, in_channels=64), (64, 56, 56)),
    "relu 1M": (ReLU(), (2**20,)),
}
"""name -> (layer spec, input shape of one sample): MNIST-sized and large dense layers, a
ResNet/VGG-like 3x3 convolution on 56 x 56 maps, its depthwise (MobileNet) counterpart, and a
ReLU over 2^20 elements per sample."""

MAX_BATCH = 4096
"""Largest batch `report` accepts."""

SLIDER_MAX = 256
"""Upper end of the explorer's batch slider; the figure's faint path runs from B = 1 to it."""

INTENSITY_RANGE = (0.05, 1000.0)
"""x range of the figure (operations per byte): every layer of `LAYERS` at every batch lies inside."""

MEASURE_MAX_BYTES = 256 * 2**20
"""`measured_report` measures only layers that move at most this many bytes per call (memory use) ..."""

MEASURE_MAX_SECONDS = 0.02
"""... and whose *predicted* time is at most this (real kernels run up to ~10x slower than predicted)."""


def _checked(layer: object, batch: object) -> tuple[str, int]:
    return require_choice("layer", layer, list(LAYERS)), require_int("batch", batch, 1, MAX_BATCH)


def _machine(peak_gflops: object, bandwidth_gbs: object) -> tuple[float, float]:
    return (
        require_real("peak_gflops", peak_gflops, 0, low_open=True),
        require_real("bandwidth_gbs", bandwidth_gbs, 0, low_open=True),
    )


def traffic(layer: str, batch: int) -> Traffic:
    """Operations and compulsory bytes of the layer named ``layer`` (a key of `LAYERS`) at batch ``batch``."""
    layer, batch = _checked(layer, batch)
    spec, shape = LAYERS[layer]
    return layer_traffic(spec, shape, batch, DTYPE)


def _arithmetic(layer: str) -> bool:
    """True when the layer's operations are FLOPs (an activation's are applications, 'op')."""
    return not isinstance(LAYERS[layer][0], Activation)


def _describe(layer: str) -> tuple[str, str, str, str]:
    """(what the layer computes, name of its operations, the operations formula, the bytes formula)."""
    spec, shape = LAYERS[layer]
    if isinstance(spec, Linear):
        return (
            f"{layer}: x (B x {shape[0]}) @ W ({shape[0]} x {spec.out_features}) + b, {DTYPE}",
            "FLOPs",
            "2*B*n_in*n_out",
            "4*(B*n_in + n_in*n_out + n_out + B*n_out)",
        )
    if isinstance(spec, Conv2d):
        depthwise = ", depthwise (groups = C_in)" if spec.groups > 1 else ""
        return (
            f"{layer}: {spec.kernel[0]}x{spec.kernel[1]} conv, stride 1, padding {spec.padding[0]}{depthwise}, "
            f"input (B, {', '.join(map(str, shape))}), {DTYPE}",
            "FLOPs",
            "2*B*C_out*H_out*W_out*(C_in/G)*K*K",
            "4*(input + weights + biases + output)",
        )
    elements = shape[0]
    return (
        f"{layer}: max(z, 0) on B x {elements:,} elements, {DTYPE}",
        "operations",
        f"B*{elements:,} (one max per element)",
        f"8*B*{elements:,} (read 4 + write 4 bytes per element)",
    )


def _duration(seconds: float) -> str:
    """Seconds with a readable unit and 4 significant digits."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.4g} {unit}"
    return f"{seconds / 1e-9:.4g} ns"


def text(
    layer: str, batch: int, peak_gflops: float, bandwidth_gbs: float, measured_seconds: float | None = None
) -> str:
    """The report's text (see `report`): the first five lines depend on the layer and the batch only."""
    layer, batch = _checked(layer, batch)
    peak, bandwidth = _machine(peak_gflops, bandwidth_gbs)
    moved = traffic(layer, batch)
    what, ops_name, ops_formula, bytes_formula = _describe(layer)
    unit, rate = ("FLOP/byte", "GFLOP/s") if _arithmetic(layer) else ("op/byte", "Gop/s")
    intensity, ridge = moved.intensity, ridge_point(peak, bandwidth)
    compute, memory = moved.operations / (peak * 1e9), moved.bytes / (bandwidth * 1e9)
    predicted = predicted_seconds(moved, peak, bandwidth)
    verdict = (
        f"memory-bound: intensity {intensity:.4f} < ridge point {ridge:.4f}"
        if intensity < ridge
        else f"compute-bound: intensity {intensity:.4f} >= ridge point {ridge:.4f}"
    )
    one, two = traffic(layer, 1), traffic(layer, 2)
    limit = (two.operations - one.operations) / (two.bytes - one.bytes)  # o / q, as B grows
    needed = ridge_batch(*LAYERS[layer], ridge, DTYPE)
    if needed is None:
        batching = f"intensity -> {limit:.4f} {unit} as B grows: no batch reaches the ridge point"
    elif needed == 1:
        batching = f"intensity -> {limit:.4f} {unit} as B grows; B = 1 already reaches the ridge point"
    else:
        batching = f"intensity -> {limit:.4f} {unit} as B grows; B >= {needed:,} reaches the ridge point"
    lines = [
        f"layer        {what}",
        f"batch        B = {batch:,}",
        f"{ops_name:<12} {ops_formula} = {moved.operations:,}",
        f"bytes        {bytes_formula} = {moved.bytes:,}",
        f"intensity    {moved.operations:,} / {moved.bytes:,} = {intensity:.4f} {unit}",
        f"machine      peak {peak:.2f} GFLOP/s, bandwidth {bandwidth:.2f} GB/s",
        f"ridge point  {peak:.2f} / {bandwidth:.2f} = {ridge:.4f} {unit}",
        f"roofline     min({peak:.2f}, {bandwidth:.2f} x {intensity:.4f}) = "
        f"{attainable_gflops(intensity, peak, bandwidth):.2f} {rate} attainable",
        f"time         compute {_duration(compute)}, memory {_duration(memory)} -> predicted {_duration(predicted)}",
        f"verdict      {verdict}",
        f"batching     {batching}",
    ]
    if measured_seconds is not None:
        seconds = require_real("measured_seconds", measured_seconds, 0, low_open=True)
        lines.append(
            f"measured     {_duration(seconds)} on this machine (best of 3) -> "
            f"{moved.operations / seconds / 1e9:.2f} {rate}, {seconds / predicted:.2f} x the predicted time"
        )
    return "\n".join(lines)


def figure(
    layer: str,
    batch: int,
    peak_gflops: float,
    bandwidth_gbs: float,
    measured_seconds: float | None = None,
    rate_range: tuple[float, float] | None = None,
    title: str = "",
) -> Figure:
    """The machine's roofline min(P, beta I) on log-log axes with the layer placed at batch ``batch``.

    Drawn: the roofline (gid ``"roofline"``, through the ridge point), the ridge point
    (dotted), the layer's path as B runs from 1 to `SLIDER_MAX` (gid ``"path"``), the
    layer at this batch on the roofline (gid ``"predicted"``) and, with
    ``measured_seconds``, at its measured rate (gid ``"measured"``). The axes are fixed
    for the machine: x `INTENSITY_RANGE`, y ``rate_range`` or, by default, from a tenth of the
    roof at the left edge (room for measured points below it) to three times the peak. ``title`` goes above the
    layer's line (the playground names the machine there).
    """
    layer, batch = _checked(layer, batch)
    peak, bandwidth = _machine(peak_gflops, bandwidth_gbs)
    unit = "GFLOP/s" if _arithmetic(layer) else "Gop/s"
    low, high = INTENSITY_RANGE
    ridge = ridge_point(peak, bandwidth)
    fig, ax = new_figure(7.2, 4.2)
    corners = [low, *([ridge] if low < ridge < high else []), high]
    ax.plot(
        corners,
        [attainable_gflops(x, peak, bandwidth) for x in corners],
        color="black",
        gid="roofline",
        label=f"roofline: {peak:,.4g} GFLOP/s, {bandwidth:,.4g} GB/s",
    )
    ax.axvline(ridge, color=COLORS["theory"], linestyle=":", label=f"ridge point {ridge:.3g} FLOP/byte")
    path = [traffic(layer, b).intensity for b in range(1, SLIDER_MAX + 1)]
    ax.plot(
        path,
        [attainable_gflops(x, peak, bandwidth) for x in path],
        color=COLORS["forward"],
        alpha=0.35,
        linewidth=5,
        gid="path",
        label=f"{layer}, B = 1 to {SLIDER_MAX}",
    )
    intensity = traffic(layer, batch).intensity
    rate = attainable_gflops(intensity, peak, bandwidth)
    ax.plot(
        [intensity],
        [rate],
        "o",
        color=COLORS["forward"],
        markersize=10,
        gid="predicted",
        label=f"B = {batch}, predicted",
    )
    if measured_seconds is not None:
        seconds = require_real("measured_seconds", measured_seconds, 0, low_open=True)
        measured = traffic(layer, batch).operations / seconds / 1e9
        ax.plot(
            [intensity], [measured], "s", color=COLORS["time"], markersize=9, gid="measured", label="measured"
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(*INTENSITY_RANGE)
    ax.set_ylim(*(rate_range or (min(peak, bandwidth * low) / 10, peak * 3)))
    for axis, suffix in ((ax.xaxis, ""), (ax.yaxis, "")):
        axis.set_major_locator(LogLocator(base=10, numticks=8))
        axis.set_minor_locator(NullLocator())
        axis.set_major_formatter(FuncFormatter(lambda value, _, suffix=suffix: format_tick(value, suffix)))
    ax.set_xlabel("arithmetic intensity (operations per byte moved)")
    ax.set_ylabel(f"attainable rate ({unit})")
    bound = "memory-bound" if intensity < ridge else "compute-bound"
    heading = f"{layer}, B = {batch}: {rate:,.3g} {unit} attainable, {bound}"
    ax.set_title(f"{title}\n{heading}" if title else heading, fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    return fig


def report(
    layer: str, batch: int, peak_gflops: float, bandwidth_gbs: float, measured_seconds: float | None = None
) -> Report:
    """Where ``layer`` at batch ``batch`` lands on the roofline of a (peak, bandwidth) machine: text and figure.

    Text lines: the layer; its operations W (FLOPs, or ReLU applications) and compulsory
    bytes Q with their formulas; the intensity I = W / Q; the machine and its ridge point
    P / beta; the roofline min(P, beta I); the compute time W / P, memory time Q / beta and
    predicted time (the larger); the verdict (memory-bound if I < P / beta, else
    compute-bound); the limit of I as B grows with the smallest batch that reaches the
    ridge point; with ``measured_seconds``, the measured rate. The figure: `figure`.
    Derived in notebooks/09_from_flops_to_seconds.ipynb. ValueError naming the argument
    for an unknown layer, a batch outside 1..`MAX_BATCH` or a non-positive rate.
    """
    values = (layer, batch, peak_gflops, bandwidth_gbs, measured_seconds)
    return Report(text(*values), figure(*values))


def measurable(layer: str, batch: int, peak_gflops: float, bandwidth_gbs: float) -> str | None:
    """Why `measured_report` would not time this setting, or None when it can, quickly."""
    moved = traffic(layer, batch)
    if moved.bytes > MEASURE_MAX_BYTES:
        return f"moves {moved.bytes / 1e6:,.0f} MB per call (the explorer measures up to {MEASURE_MAX_BYTES / 1e6:.0f} MB)"
    predicted = predicted_seconds(moved, *_machine(peak_gflops, bandwidth_gbs))
    if predicted > MEASURE_MAX_SECONDS:
        return f"predicted {_duration(predicted)} per call (the explorer measures up to 20 ms)"
    return None


def measured_report(
    layer: str, batch: int, peak_gflops: float, bandwidth_gbs: float, measure: bool = True
) -> Report:
    """`report` with the layer's course_lib kernel timed on this machine when ``measure`` and `measurable`.

    Otherwise the text says why it was not measured (or nothing, without ``measure``).
    Not deterministic: the measured time varies from run to run.
    """
    layer, batch = _checked(layer, batch)
    if not require_bool("measure", measure):
        return report(layer, batch, peak_gflops, bandwidth_gbs)
    reason = measurable(layer, batch, peak_gflops, bandwidth_gbs)
    if reason is not None:
        result = report(layer, batch, peak_gflops, bandwidth_gbs)
        return Report(f"{result.text}\nmeasured     not measured: {reason}", result.figure)
    seconds = time_layer(*LAYERS[layer], batch)
    return report(layer, batch, peak_gflops, bandwidth_gbs, measured_seconds=seconds)
