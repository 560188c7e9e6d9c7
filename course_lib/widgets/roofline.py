"""Widget experiment of notebooks/09_from_flops_to_seconds.ipynb: where a layer lands on the roofline.

`roofline_report` is the pure part: for one of the `LAYERS` at batch size B,
on a machine of peak P (GFLOP/s) and memory bandwidth beta (GB/s), it gives
the layer's FLOPs and compulsory bytes (from `course_lib.roofline`, whose
counts come from `course_lib.complexity`), its arithmetic intensity, the
ridge point P / beta, the attainable rate min(P, beta I), the predicted time
max(W / P, Q / beta), whether the layer is memory- or compute-bound, and the
smallest batch that would reach the ridge point. The text is deterministic for
given inputs, so tests and nbval can compare it.

`measure_layer_seconds` is separate and not pure: it times the layer's
course_lib kernel on this machine. `roofline_explorer` puts a layer dropdown
and a batch slider above the report (with the measured time below it when
``measure`` is true); the notebook fills in the peak and bandwidth it measured.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import partial
from typing import Any

import ipywidgets as widgets
import numpy as np

from course_lib import ops
from course_lib.conv import conv2d
from course_lib.roofline import (
    Traffic,
    attainable_gflops,
    conv2d_traffic,
    dense_traffic,
    elementwise_traffic,
    predicted_seconds,
    ridge_point,
)
from course_lib.timing import time_call
from course_lib.widgets.base import Explorer, int_slider

DTYPE = "float32"
"""Every layer of the explorer computes in float32 (4 bytes per element)."""


@dataclass(frozen=True)
class Layer:
    """One entry of the dropdown: a dense layer, a 'same' convolution or a ReLU, in float32."""

    kind: str  # "dense", "conv" or "relu"
    n_in: int = 0  # dense: inputs; conv: input channels C_in; relu: elements per sample
    n_out: int = 0  # dense: outputs; conv: output channels C_out
    kernel: int = 0  # conv: K (K x K kernel, stride 1, padding K // 2)
    side: int = 0  # conv: input height = width
    groups: int = 1  # conv: 1 = standard, C_in = depthwise


LAYERS = {
    "dense 784->512": Layer("dense", 784, 512),
    "dense 4096->4096": Layer("dense", 4096, 4096),
    "conv 64->64 3x3 @56": Layer("conv", 64, 64, kernel=3, side=56),
    "depthwise 64 3x3 @56": Layer("conv", 64, 64, kernel=3, side=56, groups=64),
    "relu 1M": Layer("relu", 2**20),
}
"""The dropdown's layers: MNIST-sized and large dense layers, a ResNet/VGG-like 3x3 convolution
on 56 x 56 maps, its depthwise (MobileNet) counterpart, and a ReLU over 2^20 elements per sample."""

MAX_BATCH = 4096
"""Largest batch `roofline_report` accepts."""

SLIDER_MAX = 256
"""Upper end of the explorer's batch slider."""

MEASURE_MAX_BYTES = 256 * 2**20
"""`measure_layer_seconds` refuses layers that move more bytes than this per call (memory use)."""

MEASURE_MAX_SECONDS = 0.02
"""... or whose *predicted* time exceeds this (real kernels run up to ~10x slower than predicted)."""


def _check_layer(layer: object) -> Layer:
    if not isinstance(layer, str) or layer not in LAYERS:
        raise ValueError(f"layer must be one of {list(LAYERS)}, got {layer!r}")
    return LAYERS[layer]


def _check_batch(batch: object, maximum: int = MAX_BATCH) -> int:
    if isinstance(batch, bool) or not isinstance(batch, int | np.integer):
        raise ValueError(f"batch must be an integer between 1 and {maximum}, got {batch!r}")
    if not 1 <= batch <= maximum:
        raise ValueError(f"batch must be an integer between 1 and {maximum}, got {batch}")
    return int(batch)


def _check_rate(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    if not math.isfinite(float(value)) or float(value) <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def layer_traffic(layer: str, batch: int) -> Traffic:
    """Operations and compulsory bytes of ``layer`` (a key of `LAYERS`) at batch size ``batch``."""
    spec, batch = _check_layer(layer), _check_batch(batch, maximum=2**40)
    if spec.kind == "dense":
        return dense_traffic(spec.n_in, spec.n_out, batch, DTYPE)
    if spec.kind == "conv":
        return conv2d_traffic(
            spec.n_in,
            spec.side,
            spec.side,
            spec.n_out,
            spec.kernel,
            padding=spec.kernel // 2,
            groups=spec.groups,
            batch=batch,
            dtype=DTYPE,
        )
    return elementwise_traffic(batch * spec.n_in, inputs=1, dtype=DTYPE)


def _describe(name: str, spec: Layer) -> tuple[str, str, str, str]:
    """(what the layer computes, name of its operations, the operations formula, the bytes formula)."""
    if spec.kind == "dense":
        return (
            f"{name}: x (B x {spec.n_in}) @ W ({spec.n_in} x {spec.n_out}) + b, float32",
            "FLOPs",
            "2*B*n_in*n_out",
            "4*(B*n_in + n_in*n_out + n_out + B*n_out)",
        )
    if spec.kind == "conv":
        depthwise = ", depthwise (groups = C_in)" if spec.groups > 1 else ""
        return (
            f"{name}: {spec.kernel}x{spec.kernel} conv, stride 1, padding {spec.kernel // 2}{depthwise}, "
            f"input (B, {spec.n_in}, {spec.side}, {spec.side}), float32",
            "FLOPs",
            "2*B*C_out*H_out*W_out*(C_in/G)*K*K",
            "4*(input + weights + biases + output)",
        )
    return (
        f"{name}: max(z, 0) on B x {spec.n_in:,} elements, float32",
        "operations",
        f"B*{spec.n_in:,} (one max per element)",
        f"8*B*{spec.n_in:,} (read 4 + write 4 bytes per element)",
    )


def _duration(seconds: float) -> str:
    """Seconds with a readable unit and 4 significant digits."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.4g} {unit}"
    return f"{seconds / 1e-9:.4g} ns"


def ridge_batch(layer: str, ridge: float) -> int | None:
    """Smallest batch B whose intensity reaches ``ridge`` (FLOP/byte), or None if no batch does.

    Every layer of `LAYERS` does o operations per sample and moves q bytes
    per sample plus q0 bytes (weights and biases) once per call, so
    I(B) = o B / (q B + q0) grows with B towards o / q. Then
    I(B) >= r  <=>  B (o - r q) >= r q0, solved exactly in rationals.
    """
    _check_layer(layer)
    r = Fraction(_check_rate("ridge", ridge))  # exact: the comparisons below are exact too
    one, two = layer_traffic(layer, 1), layer_traffic(layer, 2)
    o, q = two.operations - one.operations, two.bytes - one.bytes
    q0 = one.bytes - q
    if o - r * q <= 0:  # the limit o / q does not exceed the ridge
        return 1 if q0 == 0 and o >= r * q else None
    return max(1, math.ceil(r * q0 / (o - r * q)))


def roofline_report(layer: str, batch: int, peak_gflops: float, bandwidth_gbs: float) -> str:
    """Where ``layer`` at batch size ``batch`` lands on the roofline of a (peak, bandwidth) machine, as text.

    Lines: the layer; its operations W (FLOPs, or ReLU applications) and
    compulsory bytes Q with their formulas; the intensity I = W / Q; the
    machine and its ridge point P / beta; the roofline min(P, beta I); the
    compute time W / P, memory time Q / beta and predicted time (the larger);
    the verdict (memory-bound if I < P / beta, else compute-bound); and the
    limit of I as B grows with the smallest batch that reaches the ridge point.
    Derived in notebooks/09_from_flops_to_seconds.ipynb. Raises ValueError
    naming the argument for an unknown layer, a batch outside 1..`MAX_BATCH`
    or a non-positive rate.
    """
    spec = _check_layer(layer)
    batch = _check_batch(batch)
    peak = _check_rate("peak_gflops", peak_gflops)
    bandwidth = _check_rate("bandwidth_gbs", bandwidth_gbs)
    traffic = layer_traffic(layer, batch)
    what, ops_name, ops_formula, bytes_formula = _describe(layer, spec)
    unit, rate = ("FLOP/byte", "GFLOP/s") if ops_name == "FLOPs" else ("op/byte", "Gop/s")
    intensity = traffic.intensity
    ridge = ridge_point(peak, bandwidth)
    compute, memory = traffic.operations / (peak * 1e9), traffic.bytes / (bandwidth * 1e9)
    predicted = predicted_seconds(traffic, peak, bandwidth)
    memory_bound = intensity < ridge
    verdict = (
        f"memory-bound: intensity {intensity:.4f} < ridge point {ridge:.4f}"
        if memory_bound
        else f"compute-bound: intensity {intensity:.4f} >= ridge point {ridge:.4f}"
    )
    one, two = layer_traffic(layer, 1), layer_traffic(layer, 2)
    limit = (two.operations - one.operations) / (two.bytes - one.bytes)  # o / q, as B grows
    needed = ridge_batch(layer, ridge)
    if needed is None:
        batching = f"intensity -> {limit:.4f} {unit} as B grows: no batch reaches the ridge point"
    elif needed == 1:
        batching = f"intensity -> {limit:.4f} {unit} as B grows; B = 1 already reaches the ridge point"
    else:
        batching = f"intensity -> {limit:.4f} {unit} as B grows; B >= {needed:,} reaches the ridge point"
    lines = [
        f"layer        {what}",
        f"batch        B = {batch:,}",
        f"{ops_name:<12} {ops_formula} = {traffic.operations:,}",
        f"bytes        {bytes_formula} = {traffic.bytes:,}",
        f"intensity    {traffic.operations:,} / {traffic.bytes:,} = {intensity:.4f} {unit}",
        f"machine      peak {peak:.2f} GFLOP/s, bandwidth {bandwidth:.2f} GB/s",
        f"ridge point  {peak:.2f} / {bandwidth:.2f} = {ridge:.4f} {unit}",
        f"roofline     min({peak:.2f}, {bandwidth:.2f} x {intensity:.4f}) = "
        f"{attainable_gflops(intensity, peak, bandwidth):.2f} {rate} attainable",
        f"time         compute {_duration(compute)}, memory {_duration(memory)} "
        f"-> predicted {_duration(predicted)}",
        f"verdict      {verdict}",
        f"batching     {batching}",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- measurement (not pure)


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0)


def _kernel(layer: str, batch: int, seed: int) -> tuple[Any, tuple[Any, ...]]:
    """The course_lib kernel of ``layer`` and float32 arguments for it (seeded)."""
    spec = _check_layer(layer)
    rng = np.random.default_rng(seed)
    if spec.kind == "dense":
        x = rng.standard_normal((batch, spec.n_in), dtype=np.float32)
        W = rng.standard_normal((spec.n_in, spec.n_out), dtype=np.float32)
        b = rng.standard_normal(spec.n_out, dtype=np.float32)
        return (lambda x, W, b: ops.add(ops.matmul(x, W), b)), (x, W, b)
    if spec.kind == "conv":
        x = rng.standard_normal((batch, spec.n_in, spec.side, spec.side), dtype=np.float32)
        w = rng.standard_normal(
            (spec.n_out, spec.n_in // spec.groups, spec.kernel, spec.kernel), dtype=np.float32
        )
        b = rng.standard_normal(spec.n_out, dtype=np.float32)
        return partial(conv2d, padding=spec.kernel // 2, groups=spec.groups), (x, w, b)
    z = rng.standard_normal(batch * spec.n_in, dtype=np.float32)
    return partial(ops.apply, _relu, name="relu"), (z,)


def measurable(layer: str, batch: int, peak_gflops: float, bandwidth_gbs: float) -> str | None:
    """Why `measure_layer_seconds` would refuse this setting, or None if it can run it quickly."""
    traffic = layer_traffic(layer, _check_batch(batch))
    if traffic.bytes > MEASURE_MAX_BYTES:
        return f"moves {traffic.bytes / 2**20:,.0f} MiB per call (the explorer measures up to 256 MiB)"
    predicted = predicted_seconds(traffic, peak_gflops, bandwidth_gbs)
    if predicted > MEASURE_MAX_SECONDS:
        return f"predicted {_duration(predicted)} per call (the explorer measures up to 20 ms)"
    return None


def measure_layer_seconds(
    layer: str, batch: int, repeats: int = 3, budget: float = 0.3, seed: int = 0
) -> float:
    """Best-of-``repeats`` seconds of one call of ``layer``'s course_lib kernel at batch ``batch``.

    Dense: ``ops.add(ops.matmul(x, W), b)``; conv: `course_lib.conv.conv2d`
    (im2col + GEMM); ReLU: ``ops.apply(max(z, 0))``; all float32, inputs built
    outside the timing. Varies from run to run and with the load on the machine.
    """
    fn, args = _kernel(layer, _check_batch(batch), seed)
    return time_call(fn, *args, repeats=repeats, budget=budget)


def _report_with_measurement(
    layer: str, batch: int, peak_gflops: float, bandwidth_gbs: float, measure: bool
) -> str:
    text = roofline_report(layer, batch, peak_gflops, bandwidth_gbs)
    if not measure:
        return text
    reason = measurable(layer, batch, peak_gflops, bandwidth_gbs)
    if reason is not None:
        return f"{text}\nmeasured     not measured: {reason}"
    traffic = layer_traffic(layer, batch)
    seconds = measure_layer_seconds(layer, batch)
    predicted = predicted_seconds(traffic, peak_gflops, bandwidth_gbs)
    rate = "GFLOP/s" if LAYERS[layer].kind != "relu" else "Gop/s"
    return (
        f"{text}\nmeasured     {_duration(seconds)} on this machine (best of 3) -> "
        f"{traffic.operations / seconds / 1e9:.2f} {rate}, {seconds / predicted:.2f} x the predicted time"
    )


def roofline_explorer(
    peak_gflops: float,
    bandwidth_gbs: float,
    layer: str = "dense 784->512",
    batch: int = 1,
    measure: bool = True,
) -> Explorer:
    """A layer dropdown and a batch slider (1 to `SLIDER_MAX`) above the live `roofline_report`.

    ``peak_gflops`` and ``bandwidth_gbs`` are fixed (the notebook passes its
    measurements). With ``measure`` the panel also times the layer's kernel
    when that is quick (`measurable`).
    """
    _check_layer(layer)
    report = partial(
        _report_with_measurement,
        peak_gflops=_check_rate("peak_gflops", peak_gflops),
        bandwidth_gbs=_check_rate("bandwidth_gbs", bandwidth_gbs),
        measure=bool(measure),
    )
    controls = {
        "layer": widgets.Dropdown(options=list(LAYERS), value=layer, description="layer"),
        "batch": int_slider("batch", _check_batch(batch, SLIDER_MAX), 1, SLIDER_MAX),
    }
    return Explorer(report, controls)
