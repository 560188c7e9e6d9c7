"""The primitives every kernel of the course is written with.

Each function computes with numpy and reports exactly what it computed to the
active `course_lib.counting.OpCounter` (conventions in
notebooks/00_start_here.ipynb). With no counter active, the only overhead is
one context-variable lookup.

=============  ==================================================================
op             counted, for a result of ``size`` elements
=============  ==================================================================
matmul         (m x n)(n x p), per batch entry: m*n*p multiplies and MACs,
               m*(n-1)*p adds
add, subtract  ``size`` adds
multiply       ``size`` multiplies
divide         ``size`` divides
apply          ``size`` activations (elementwise function applications)
sum            input size - output size adds (n - 1 adds to sum n numbers)
mean           as ``sum``, plus one divide per output element
=============  ==================================================================
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from course_lib.counting import is_counting, record

ArrayLike = np.ndarray | float | int


class Gradients(NamedTuple):
    """What every layer's backward returns (dense and conv alike): ``(dx, dw, db)``.

    dx: gradient of the input, None when the caller passed ``need_dx=False``;
    dw: gradient of the weights; db: gradient of the bias, None for a layer
    without bias. A tuple, so ``dx, dw, db = backward(...)`` works.
    """

    dx: np.ndarray | None
    dw: np.ndarray
    db: np.ndarray | None


def _check_matmul_operand(name: str, x: np.ndarray) -> None:
    if x.ndim < 2:
        raise ValueError(
            f"matmul: {name} must be at least 2-D (a matrix, or a batch of matrices), "
            f"got shape {x.shape}; write a vector as a (1, n) row or an (n, 1) column"
        )
    if 0 in x.shape:
        raise ValueError(f"matmul: {name} has an empty dimension, shape {x.shape}")
    if x.dtype.kind not in "biufc":
        raise ValueError(f"matmul: {name} must hold numbers, got dtype {x.dtype}")


def matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Matrix product ``a @ b`` of (..., m, n) and (..., n, p) arrays.

    Leading (batch) dimensions broadcast as in numpy; ``out``, if given, receives
    the result (as in `numpy.matmul`) and is returned. Counts, per matrix in the
    broadcast batch: m*n*p multiplies (each one a MAC) and m*(n-1)*p adds
    (derived in notebooks/01_matrix_multiplication.ipynb).
    """
    a = np.asarray(a)
    b = np.asarray(b)
    _check_matmul_operand("a", a)
    _check_matmul_operand("b", b)
    (m, n), (n_b, p) = a.shape[-2:], b.shape[-2:]
    if n != n_b:
        raise ValueError(
            f"matmul: inner dimensions differ: a has shape {a.shape} and b has shape {b.shape}; "
            f"b must have {n} rows (a's last dimension)"
        )
    out = np.matmul(a, b, out=out)
    if is_counting():
        batch = math.prod(out.shape[:-2])
        products = batch * m * n * p
        record("matmul", multiplies=products, macs=products, adds=batch * m * (n - 1) * p)
    return out


def _elementwise(
    op: str, kind: str, ufunc: np.ufunc, a: ArrayLike, b: ArrayLike, out: np.ndarray | None
) -> np.ndarray:
    out = ufunc(a, b, out=out)
    if is_counting():
        record(op, **{kind: np.size(out)})
    return out


def add(a: ArrayLike, b: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    """Elementwise ``a + b`` with broadcasting (into ``out`` if given): one add per output element."""
    return _elementwise("add", "adds", np.add, a, b, out)


def subtract(a: ArrayLike, b: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    """Elementwise ``a - b`` with broadcasting (into ``out`` if given): one add (subtraction) per output element."""
    return _elementwise("subtract", "adds", np.subtract, a, b, out)


def multiply(a: ArrayLike, b: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    """Elementwise ``a * b`` with broadcasting (into ``out`` if given): one multiply per output element."""
    return _elementwise("multiply", "multiplies", np.multiply, a, b, out)


def divide(a: ArrayLike, b: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    """Elementwise ``a / b`` with broadcasting (into ``out`` if given): one divide per output element."""
    return _elementwise("divide", "divides", np.divide, a, b, out)


def apply(fn: Callable[[np.ndarray], np.ndarray], x: ArrayLike, name: str | None = None) -> np.ndarray:
    """Apply the elementwise function ``fn`` (an activation, exp, log, ...) to ``x``.

    Counts ``x.size`` activations, recorded under ``name`` (default: the
    function's ``__name__``). The arithmetic inside ``fn`` is deliberately not
    counted as FLOPs: the course counts activation applications on their own
    (the n_g of the essay examined in notebook 02).
    """
    x = np.asarray(x)
    out = np.asarray(fn(x))
    if out.shape != x.shape:
        raise ValueError(f"apply: fn must be elementwise; input shape {x.shape} became {out.shape}")
    if is_counting():
        record(name or str(getattr(fn, "__name__", "apply")), activations=out.size)
    return out


def sum(x: ArrayLike, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> np.ndarray:  # noqa: A001
    """Sum of ``x`` over ``axis``: summing n numbers costs n - 1 adds, per output element."""
    x = np.asarray(x)
    # np.add.reduce is what np.sum calls, without np.sum's Python wrapper (a few us per call)
    out = np.add.reduce(x, axis=axis, keepdims=True) if keepdims else np.add.reduce(x, axis=axis)
    if is_counting():
        record("sum", adds=x.size - np.size(out))
    return out


def mean(x: ArrayLike, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> np.ndarray:
    """Mean of ``x`` over ``axis``: a `sum`, then one divide per output element."""
    x = np.asarray(x)
    out = np.mean(x, axis=axis, keepdims=keepdims)
    if is_counting():
        record("mean", adds=x.size - np.size(out), divides=np.size(out))
    return out
