"""Fewer bits per number: float64, float32, float16, bfloat16 and int8 for a dense and a convolution layer.

Derived and measured in notebooks/10_memory_precision_energy.ipynb.

* float64, float32, float16 are numpy's own types. numpy multiplies float16
  matrices without BLAS, accumulating each dot product in float32 and
  rounding the result to float16 (the arithmetic of mixed-precision tensor
  cores, Micikevicius et al. 2018), one element at a time: on a CPU without
  half-precision vector instructions it is much *slower* than float32.
* bfloat16 is **emulated**: numpy has no bfloat16 type, so `round_to_bfloat16`
  rounds float32 values to the nearest number with bfloat16's 8 significant
  bits (ties to even) and keeps them in float32. A bfloat16 layer rounds its
  inputs and weights, multiplies in float32 and rounds the result, as
  bfloat16 hardware with float32 accumulation does. The values are those of
  bfloat16; the speed and the bytes in memory are float32's.
* int8 is symmetric per-tensor quantization: x ~ scale * q with q an integer
  in [-127, 127] and scale = max|x| / 127 (`quantize_int8`). A quantized layer
  multiplies the int8 codes with int32 accumulation, adds the bias quantized
  to int32 with scale s_x s_W, and converts back: y = s_x s_W (q_x q_W + q_b).
  Jacob et al. (2018) use the asymmetric variant (a zero point) for
  activations; the symmetric one is the usual choice for weights.

Unit roundoff u (half the distance from 1 to the next number): 2^-53 for
float64, 2^-24 float32, 2^-11 float16, 2^-8 bfloat16. Rounding the inputs of
a dot product changes it by at most (2u + u^2) sum |x_i w_i| (`UNIT_ROUNDOFF`).

The products go through `course_lib.ops`, so every precision counts the same
MACs: precision changes bytes and time, not the count.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from course_lib import ops
from course_lib.conv import conv2d, im2col
from course_lib.conv.shapes import conv_geometry
from course_lib.validation import as_float_array, require_choice

__all__ = [
    "INT8_MAX",
    "PRECISIONS",
    "UNIT_ROUNDOFF",
    "Quantized",
    "conv2d_at",
    "dense_at",
    "int8_weights",
    "quantize_int8",
    "relative_error",
    "round_to_bfloat16",
    "round_to_precision",
]

PRECISIONS = ("float64", "float32", "float16", "bfloat16", "int8")
"""The number formats of this module, widest first."""

UNIT_ROUNDOFF = {"float64": 2.0**-53, "float32": 2.0**-24, "float16": 2.0**-11, "bfloat16": 2.0**-8}
"""u = 2^-p for p significant bits (53, 24, 11, 8): the largest relative error of rounding to nearest."""

INT8_MAX = 127
"""Symmetric int8 codes lie in [-127, 127] (-128 is left out, so that q and -q both exist)."""


def _precision(precision: str) -> str:
    return require_choice("precision", precision, PRECISIONS)


def round_to_bfloat16(x: object) -> np.ndarray:
    """``x`` rounded to bfloat16 (8 significant bits, float32's exponent range), returned as float32.

    Round to nearest, ties to even, on the top 16 bits of each float32: add
    0x7FFF plus the lowest kept bit, then clear the low 16 bits. NaN stays NaN;
    values beyond bfloat16's largest finite number become infinite. An
    emulation: numpy has no bfloat16 type.
    """
    x32 = np.asarray(x, dtype=np.float32)
    bits = x32.view(np.uint32)
    bias = np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1))
    rounded = ((bits + bias) & np.uint32(0xFFFF0000)).view(np.float32)
    return np.where(np.isnan(x32), x32, rounded)


def round_to_precision(x: object, precision: str) -> np.ndarray:
    """``x`` rounded to a floating ``precision`` (float64, float32, float16, bfloat16), as float64."""
    precision = _precision(precision)
    if precision == "int8":
        raise ValueError("precision 'int8' is a quantization, not a rounding: use quantize_int8")
    x = as_float_array("x", x).astype(np.float64)
    if precision == "bfloat16":
        return round_to_bfloat16(x).astype(np.float64)
    return x.astype(precision).astype(np.float64)


class Quantized(NamedTuple):
    """int8 codes and the scale they stand for: x ~ scale * q."""

    q: np.ndarray
    scale: float

    def dequantize(self) -> np.ndarray:
        """scale * q as float64."""
        return self.scale * self.q.astype(np.float64)


def quantize_int8(x: object) -> Quantized:
    """Symmetric per-tensor int8: scale = max|x| / 127, q = round(x / scale) clipped to [-127, 127].

    Rounding is to nearest (ties to even), so |x - scale q| <= scale / 2 for
    every element. An all-zero tensor gets scale 1.
    """
    x = as_float_array("x", x).astype(np.float64)
    largest = float(np.max(np.abs(x))) if x.size else 0.0
    scale = largest / INT8_MAX if largest > 0 else 1.0
    q = np.clip(np.rint(x / scale), -INT8_MAX, INT8_MAX).astype(np.int8)
    return Quantized(q, scale)


def relative_error(y: object, reference: object) -> float:
    """||y - reference|| / ||reference|| (Frobenius norms), the output error of a lower precision."""
    y, reference = np.asarray(y, dtype=np.float64), np.asarray(reference, dtype=np.float64)
    if y.shape != reference.shape:
        raise ValueError(f"y must have the reference's shape {reference.shape}, got {y.shape}")
    return float(np.linalg.norm(y - reference) / np.linalg.norm(reference))


def dense_at(x: object, W: object, b: object, precision: str) -> np.ndarray:
    """z = x W + b computed in ``precision``, returned as float64 (the module docstring says how).

    x (B, n_in), W (n_in, n_out), b (n_out,). Counts B n_in n_out MACs at every
    precision (the product goes through `course_lib.ops.matmul`).
    """
    precision = _precision(precision)
    x, W, b = (as_float_array(name, v).astype(np.float64) for name, v in (("x", x), ("W", W), ("b", b)))
    if x.ndim != 2 or W.ndim != 2 or x.shape[1] != W.shape[0] or b.shape != (W.shape[1],):
        raise ValueError(
            f"x (B, n_in), W (n_in, n_out), b (n_out,) do not fit: {x.shape}, {W.shape}, {b.shape}"
        )
    if precision == "int8":
        qx, qw = quantize_int8(x), quantize_int8(W)
        scale = qx.scale * qw.scale
        qb = np.rint(b / scale).astype(np.int32)
        acc = ops.add(ops.matmul(qx.q.astype(np.int32), qw.q.astype(np.int32)), qb)  # int32 accumulation
        return scale * acc.astype(np.float64)
    if precision == "bfloat16":
        z = ops.add(ops.matmul(round_to_bfloat16(x), round_to_bfloat16(W)), round_to_bfloat16(b))
        return round_to_bfloat16(z).astype(np.float64)
    z = ops.add(ops.matmul(x.astype(precision), W.astype(precision)), b.astype(precision))
    return z.astype(np.float64)


def conv2d_at(
    x: object, w: object, b: object, precision: str, *, stride: int = 1, padding: int = 0
) -> np.ndarray:
    """A convolution (`course_lib.conv.conv2d`) computed in ``precision``, returned as float64.

    x (N, C_in, H, W), w (C_out, C_in, K_h, K_w), b (C_out,). The int8 layer
    multiplies the int8 codes of im2col's columns by the int8 filters with
    int32 accumulation. Counts the same MACs at every precision.
    """
    precision = _precision(precision)
    x, w, b = (as_float_array(name, v).astype(np.float64) for name, v in (("x", x), ("w", w), ("b", b)))
    if precision == "int8":
        geo = conv_geometry(x, w, b, stride, padding, 1, 1)
        qx, qw = quantize_int8(x), quantize_int8(w)
        scale = qx.scale * qw.scale
        # im2col copies the codes exactly (small integers are exact in float64), then int32 products
        cols = im2col(qx.q.astype(np.float64), geo.kernel, stride, padding).astype(np.int32)
        filters = qw.q.reshape(geo.c_out, -1).astype(np.int32)
        acc = ops.add(ops.matmul(filters, cols), np.rint(b / scale).astype(np.int32)[:, None])
        return scale * acc.astype(np.float64).reshape(geo.output_shape)
    if precision == "bfloat16":
        z = conv2d(round_to_bfloat16(x), round_to_bfloat16(w), round_to_bfloat16(b), stride, padding)
        return round_to_bfloat16(z).astype(np.float64)
    out = conv2d(x.astype(precision), w.astype(precision), b.astype(precision), stride, padding)
    return out.astype(np.float64)


def int8_weights(params: list[dict[str, np.ndarray]]) -> list[dict[str, np.ndarray]]:
    """An MLP's ``params`` with every weight matrix W replaced by its int8 value scale * q (per tensor).

    Biases stay as they are (they are few and, in Jacob et al.'s scheme, int32).
    The result is "fake-quantized": the numbers an int8 model computes with,
    stored as floats, so the float MLP can run them. Measured in
    notebooks/10_memory_precision_energy.ipynb.
    """
    return [
        {"W": quantize_int8(p["W"]).dequantize().astype(p["W"].dtype), "b": p["b"].copy()} for p in params
    ]
