"""The dense (fully connected) layer, forward and backward, written with `course_lib.ops` only.

Layer contract (as in CS231n, and as `course_lib.conv`): ``dense_forward(x, W,
b=None) -> (out, cache)`` and ``dense_backward(dout, cache, *, need_dx=True) ->
Gradients(dx, dw, db)``. Shapes: x (B, n_in), W (n_in, n_out), b (n_out,) or
None (no bias: db is None), out and dout (B, n_out). The public functions check
their arguments; `MLP` checks its data once and calls the ``_unchecked`` kernels.

Counted operations (formulas in `course_lib.complexity.dense`; forward derived
in notebooks/02_forward_propagation.ipynb, backward in
notebooks/03_backpropagation.ipynb):

* forward ``x W`` (``ops.matmul``): B*n_in*n_out multiplies (= MACs),
  B*(n_in-1)*n_out adds; ``+ b`` (``ops.add``): B*n_out adds;
* backward ``dW = x^T dout``: n_in*B*n_out multiplies, n_in*(B-1)*n_out adds;
  ``db = sum over the batch`` (``ops.sum``): (B-1)*n_out adds;
  ``dx = dout W^T``: B*n_out*n_in multiplies, B*(n_out-1)*n_in adds, skipped
  with ``need_dx=False`` (the first layer: the input needs no gradient).

The notation of Kasper Fredenslund's essay "Computational Complexity Of
Neural Networks" (notebook 02) folds the bias into the weights with a bias unit x0 = 1:
theta of shape (n_out, n_in + 1) applied to [1, x]. `dense_forward_bias_unit`
and `dense_backward_bias_unit` compute exactly that, so the counter shows the
price of the notation: B*n_out more multiplies forward (each by the constant 1)
and B*n_out more backward, the same adds. Prepending the column of ones and
transposing are data movement and are not counted.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from course_lib import ops
from course_lib.validation import (
    as_float_array,
    check_batch,
    check_finite,
    check_instance,
    check_shape,
    require_bool,
)


class DenseCache(NamedTuple):
    """What `dense_backward` needs from the forward pass: the input, the weights, the bias (or None)."""

    x: np.ndarray
    W: np.ndarray
    b: np.ndarray | None


class BiasUnitCache(NamedTuple):
    """What `dense_backward_bias_unit` needs: the extended input [1, x] and theta."""

    x1: np.ndarray
    theta: np.ndarray


def _check_weights(W: object, b: object) -> tuple[np.ndarray, np.ndarray | None]:
    W = as_float_array("W", W)
    if W.ndim != 2 or 0 in W.shape:
        raise ValueError(f"W must be a non-empty 2-D array of shape (n_in, n_out), got shape {W.shape}")
    check_finite("W", W)
    if b is None:
        return W, None
    b = as_float_array("b", b)
    check_shape("b", b, (W.shape[1],))
    check_finite("b", b)
    return W, b


def dense_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray | None = None) -> tuple[np.ndarray, DenseCache]:
    """out = x W + b for a batch: x (B, n_in), W (n_in, n_out), b (n_out,) or None -> out (B, n_out).

    Counts B*n_in*n_out multiplies (= MACs) and B*(n_in-1)*n_out adds, plus
    B*n_out adds for the bias when there is one. The result keeps the inputs'
    dtype (float32 stays float32). Raises ValueError naming the argument for
    wrong shapes, an empty batch or non-finite values. Derived in
    notebooks/02_forward_propagation.ipynb.
    """
    W, b = _check_weights(W, b)
    x = as_float_array("x", x)
    check_batch("x", x, W.shape[0])
    check_finite("x", x)
    return dense_forward_unchecked(x, W, b)


def dense_forward_unchecked(
    x: np.ndarray, W: np.ndarray, b: np.ndarray | None
) -> tuple[np.ndarray, DenseCache]:
    """`dense_forward` without the checks, for callers that checked their arrays once (`MLP`)."""
    out = ops.matmul(x, W)
    if b is not None:
        out = ops.add(out, b, out=out)
    return out, DenseCache(x, W, b)


def dense_backward(dout: np.ndarray, cache: DenseCache, *, need_dx: bool = True) -> ops.Gradients:
    """Gradients of a dense layer from dout = dL/d(out), shape (B, n_out).

    Returns `Gradients` (dx, dw, db) with dx = dout W^T (B, n_in), dw = x^T dout
    (n_in, n_out), db = sum of dout over the batch (n_out,); dx is None when
    ``need_dx`` is False (keyword-only, True or False), db is None for a layer
    without bias. Counts n_in*B*n_out multiplies and n_in*(B-1)*n_out adds
    (dW), (B-1)*n_out adds (db), and B*n_out*n_in multiplies and
    B*(n_out-1)*n_in adds (dx). Derived in notebooks/03_backpropagation.ipynb.
    """
    check_instance("cache", cache, DenseCache, "the DenseCache returned by dense_forward")
    need_dx = require_bool("need_dx", need_dx)
    x, W, _ = cache
    dout = as_float_array("dout", dout)
    check_shape("dout", dout, (x.shape[0], W.shape[1]))
    check_finite("dout", dout)
    return dense_backward_unchecked(dout, cache, need_dx)


def dense_backward_unchecked(dout: np.ndarray, cache: DenseCache, need_dx: bool) -> ops.Gradients:
    """`dense_backward` without the checks, for callers that checked their arrays once (`MLP`)."""
    x, W, b = cache
    dW = ops.matmul(x.T, dout)
    db = None if b is None else ops.sum(dout, axis=0)
    dx = ops.matmul(dout, W.T) if need_dx else None
    return ops.Gradients(dx, dW, db)


def add_bias_unit(x: np.ndarray) -> np.ndarray:
    """[1, x]: a (B, n_in) batch with a column of ones in front, (B, n_in + 1). Not counted (copying)."""
    x = as_float_array("x", x)
    check_batch("x", x)
    return np.concatenate([np.ones((x.shape[0], 1), dtype=x.dtype), x], axis=1)


def to_theta(W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The essay's theta (n_out, n_in + 1) from W (n_in, n_out) and b (n_out,): theta = [b, W^T]."""
    W, bias = _check_weights(W, b)
    if bias is None:
        raise ValueError("b must be an array of shape (n_out,): theta holds the bias in its first column")
    return np.concatenate([bias[:, None], W.T], axis=1)


def from_theta(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """W (n_in, n_out) and b (n_out,) from the essay's theta (n_out, n_in + 1); inverse of `to_theta`."""
    theta = as_float_array("theta", theta)
    if theta.ndim != 2 or theta.shape[0] == 0 or theta.shape[1] < 2:
        raise ValueError(f"theta must have shape (n_out, n_in + 1) with n_in >= 1, got shape {theta.shape}")
    return theta[:, 1:].T.copy(), theta[:, 0].copy()


def dense_forward_bias_unit(x: np.ndarray, theta: np.ndarray) -> tuple[np.ndarray, BiasUnitCache]:
    """out = [1, x] theta^T, the essay's z = theta a with the bias unit a_0 = 1, for a batch.

    x (B, n_in), theta (n_out, n_in + 1) -> out (B, n_out), equal to
    `dense_forward` with (W, b) = `from_theta(theta)`. Counts
    B*(n_in+1)*n_out multiplies (= MACs) and B*n_in*n_out adds: B*n_out
    multiplies more than `dense_forward` (each by the constant 1), the same adds.
    Derived in notebooks/02_forward_propagation.ipynb.
    """
    theta = as_float_array("theta", theta)
    if theta.ndim != 2 or theta.shape[0] == 0 or theta.shape[1] < 2:
        raise ValueError(f"theta must have shape (n_out, n_in + 1) with n_in >= 1, got shape {theta.shape}")
    check_finite("theta", theta)
    x = as_float_array("x", x)
    check_batch("x", x, theta.shape[1] - 1)
    check_finite("x", x)
    x1 = add_bias_unit(x)
    return ops.matmul(x1, theta.T), BiasUnitCache(x1, theta)


def dense_backward_bias_unit(
    dout: np.ndarray, cache: BiasUnitCache, *, need_dx: bool = True
) -> tuple[np.ndarray | None, np.ndarray]:
    """Gradients in the essay's notation: (dx, dtheta) with dtheta = dout^T [1, x] (n_out, n_in + 1).

    dx = dout theta[:, 1:] (B, n_in), only the real inputs (the bias unit is a
    constant and gets no gradient); None when ``need_dx`` is False. Counts
    n_out*B*(n_in+1) multiplies and n_out*(B-1)*(n_in+1) adds (dtheta), and
    B*n_out*n_in multiplies and B*(n_out-1)*n_in adds (dx). Column 0 of
    dtheta is db. Derived in notebooks/03_backpropagation.ipynb.
    """
    check_instance("cache", cache, BiasUnitCache, "the BiasUnitCache returned by dense_forward_bias_unit")
    need_dx = require_bool("need_dx", need_dx)
    x1, theta = cache
    dout = as_float_array("dout", dout)
    check_shape("dout", dout, (x1.shape[0], theta.shape[0]))
    check_finite("dout", dout)
    dtheta = ops.matmul(dout.T, x1)
    dx = ops.matmul(dout, theta[:, 1:]) if need_dx else None
    return dx, dtheta
