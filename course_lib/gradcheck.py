"""Gradient checks: centred finite differences in float64 and the relative error between gradients.

Two centred stencils estimate the derivative of f at x along coordinate i:

* order 2 (the textbook one): (f(x + h e_i) - f(x - h e_i)) / (2h), error
  O(h^2) from truncation plus about eps*|f|/h from rounding, best near h = 1e-5;
* order 4 (five points, the default): (8 (f(x + h e_i) - f(x - h e_i))
  - (f(x + 2h e_i) - f(x - 2h e_i))) / (12h), error O(h^4) + eps*|f|/h, best
  near h = 1e-3. It is Richardson's extrapolation of the order-2 stencil and
  costs twice the evaluations.

Agreement is measured as in CS231n, two ways (``measure``):

* ``"max"`` (the default):
  elementwise |a - b| / max(|a|, |b|), the denominator floored at ``floor``
  (both near zero counts as agreement), the maximum over all entries;
* ``"norm"`` (what notebooks/03_backpropagation.ipynb uses; its section 3.3
  sets the two side by side): ||a - b|| / max(||a||, ||b||) with Euclidean norms (the floor
  again guarding 0 / 0), which weighs each entry by its size: an entry close to
  zero, whose absolute error is tiny but whose *relative* error may be large
  (the centred difference's rounding error does not shrink with the entry),
  cannot decide the verdict alone. It is at most sqrt(2) times the ``"max"`` error.

`verdict` reads an error with CS231n's tiers. The maximum is harsh: one small entry
of a gradient (a deep sigmoid network's first layer has entries ~1e-6) turns
an absolute error of 1e-11 -- all that order 2 can do -- into a relative
error of 1e-5; order 4 usually brings it near 1e-9, though the very smallest
entries can still stay above 1e-7 in deep sigmoid networks (read the error
alongside the entry's size). Checks run in float64 only: in
float32 rounding alone is ~1e-3. Shown in notebooks/03_backpropagation.ipynb.

A ReLU kink within 2h of an input can spoil the check of a correct gradient:
check with inputs away from the kinks, or with smooth activations.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_lib.mlp.activations import activation_backward, activation_forward
from course_lib.mlp.layers import (
    dense_backward,
    dense_backward_bias_unit,
    dense_forward,
    dense_forward_bias_unit,
)
from course_lib.mlp.losses import get_loss
from course_lib.mlp.network import MLP
from course_lib.validation import as_float_array, check_instance, require_choice, require_real

DEFAULT_ORDER = 4
"""Default order of accuracy of the centred stencil (2 or 4)."""

DEFAULT_STEPS = {2: 1e-5, 4: 1e-3}
"""Default step h for each order: near the h that balances truncation and rounding in float64."""

DEFAULT_FLOOR = 1e-12
"""Smallest denominator of the relative error: entries where both gradients are below it count as equal."""


def _float64(name: str, x: object, copy: bool = False) -> np.ndarray:
    """``x`` as a float64 array (a private copy with ``copy``), or ValueError naming ``name``."""
    array = np.array(x, copy=True) if copy else np.asarray(x)
    if array.dtype != np.float64:
        raise ValueError(f"{name} must be a float64 array for a gradient check, got dtype {array.dtype}")
    if array.size == 0:
        raise ValueError(f"{name} is empty, shape {array.shape}")
    return array


MEASURES = ("max", "norm")
"""The two relative errors: the largest entrywise one, or the norm-wise one (`relative_error`)."""

TIERS = (
    (1e-7, "agree"),
    (1e-4, "fine if the function has kinks (ReLU, max), else suspicious"),
    (1e-2, "suspicious"),
)
"""CS231n's reading of a relative error in float64: below each bound, its verdict; above 1e-2, "wrong"."""


def _pair(a: object, b: object) -> tuple[np.ndarray, np.ndarray]:
    a, b = as_float_array("a", a).astype(np.float64), as_float_array("b", b).astype(np.float64)
    if a.shape != b.shape:
        raise ValueError(f"b must have the shape of a {a.shape}, got shape {b.shape}")
    if a.size == 0:
        raise ValueError(f"a and b are empty, shape {a.shape}")
    return a, b


def relative_error(
    a: np.ndarray, b: np.ndarray, floor: float = DEFAULT_FLOOR, *, measure: str = "max"
) -> float:
    """CS231n's relative error between two gradients of the same shape, as a float.

    ``measure="max"``: max over entries of |a - b| / max(|a|, |b|, floor).
    ``measure="norm"``: ||a - b|| / max(||a||, ||b||, floor), Euclidean norms
    (use it when some entries are near zero: see the module docstring).
    Derived in notebooks/03_backpropagation.ipynb.
    """
    a, b = _pair(a, b)
    floor = require_real("floor", floor, 0, low_open=True)
    if require_choice("measure", measure, MEASURES) == "norm":
        return float(np.linalg.norm(a - b)) / max(float(np.linalg.norm(a)), float(np.linalg.norm(b)), floor)
    denominator = np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)
    return float(np.max(np.abs(a - b) / denominator))


def verdict(error: float) -> str:
    """CS231n's tiers for a relative error in float64: "agree" below 1e-7, ..., "wrong" above 1e-2."""
    error = require_real("error", error, 0)
    return next((text for bound, text in TIERS if error < bound), "wrong")


def _step(h: float | None, order: int) -> float:
    order = require_choice("order", order, tuple(DEFAULT_STEPS))
    return DEFAULT_STEPS[order] if h is None else require_real("h", h, 0, low_open=True)


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float | None = None, order: int = DEFAULT_ORDER
) -> np.ndarray:
    """Centred finite-difference gradient of the scalar function f at x (float64), same shape as x.

    order 2: (f(x + h e_i) - f(x - h e_i)) / (2h); order 4:
    (8 (f(x + h e_i) - f(x - h e_i)) - (f(x + 2h e_i) - f(x - 2h e_i))) / (12h).
    ``h`` defaults to `DEFAULT_STEPS` [order]. ``x`` is perturbed in place, one
    entry at a time, and restored, so f may read x through a closure (a layer's
    weights, say). Costs ``order`` x x.size evaluations of f.
    """
    x = _float64("x", x)
    h = _step(h, order)
    grad = np.empty_like(x)
    flat, out = x.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat, x):
        raise ValueError("x must be contiguous so it can be perturbed in place")

    def at(i: int, value: float) -> float:
        flat[i] = value
        return float(f(x))

    for i in range(flat.size):
        saved = flat[i]
        near = at(i, saved + h) - at(i, saved - h)
        if order == 2:
            out[i] = near / (2 * h)
        else:
            far = at(i, saved + 2 * h) - at(i, saved - 2 * h)
            out[i] = (8 * near - far) / (12 * h)
        flat[i] = saved
    return grad


def numerical_gradient_array(
    f: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    dout: np.ndarray,
    h: float | None = None,
    order: int = DEFAULT_ORDER,
) -> np.ndarray:
    """Centred-difference gradient of sum(f(x) * dout) at x: what backward(dout) should return for x."""
    dout = _float64("dout", dout)
    return numerical_gradient(lambda v: float(np.sum(f(v) * dout)), x, h, order)


def check_gradient(
    f: Callable[[np.ndarray], float],
    x: np.ndarray,
    analytic: np.ndarray,
    h: float | None = None,
    order: int = DEFAULT_ORDER,
    *,
    measure: str = "max",
) -> float:
    """Relative error (``measure``: "max" or "norm") between ``analytic`` and the centred-difference gradient of f at x."""
    analytic = np.asarray(analytic)
    if analytic.shape != np.shape(x):
        raise ValueError(f"analytic must have the shape of x {np.shape(x)}, got shape {analytic.shape}")
    return relative_error(analytic, numerical_gradient(f, x, h, order), measure=measure)


def check_dense(
    x: np.ndarray,
    W: np.ndarray,
    b: np.ndarray,
    dout: np.ndarray,
    h: float | None = None,
    order: int = DEFAULT_ORDER,
    *,
    measure: str = "max",
) -> dict[str, float]:
    """Relative errors (``measure``) of `dense_backward`'s dx, dW and db against finite differences."""
    x, W, b, dout = (_float64(n, v, copy=True) for n, v in (("x", x), ("W", W), ("b", b), ("dout", dout)))
    _, cache = dense_forward(x, W, b)
    dx, dW, db = dense_backward(dout, cache)
    assert dx is not None and db is not None  # need_dx and a bias

    def out(_: np.ndarray) -> np.ndarray:
        return dense_forward(x, W, b)[0]

    return {
        "dx": relative_error(dx, numerical_gradient_array(out, x, dout, h, order), measure=measure),
        "dW": relative_error(dW, numerical_gradient_array(out, W, dout, h, order), measure=measure),
        "db": relative_error(db, numerical_gradient_array(out, b, dout, h, order), measure=measure),
    }


def check_dense_bias_unit(
    x: np.ndarray,
    theta: np.ndarray,
    dout: np.ndarray,
    h: float | None = None,
    order: int = DEFAULT_ORDER,
    *,
    measure: str = "max",
) -> dict[str, float]:
    """Relative errors (``measure``) of `dense_backward_bias_unit`'s dx and dtheta against finite differences."""
    x, theta, dout = (_float64(n, v, copy=True) for n, v in (("x", x), ("theta", theta), ("dout", dout)))
    _, cache = dense_forward_bias_unit(x, theta)
    dx, dtheta = dense_backward_bias_unit(dout, cache)
    assert dx is not None  # need_dx

    def out(_: np.ndarray) -> np.ndarray:
        return dense_forward_bias_unit(x, theta)[0]

    return {
        "dx": relative_error(dx, numerical_gradient_array(out, x, dout, h, order), measure=measure),
        "dtheta": relative_error(
            dtheta, numerical_gradient_array(out, theta, dout, h, order), measure=measure
        ),
    }


def check_activation(
    activation: str,
    z: np.ndarray,
    da: np.ndarray,
    h: float | None = None,
    order: int = DEFAULT_ORDER,
    *,
    measure: str = "max",
) -> float:
    """Relative error (``measure``) of `activation_backward` (dz) against finite differences of g at z."""
    z, da = _float64("z", z, copy=True), _float64("da", da)
    _, cache = activation_forward(z, activation)
    dz = activation_backward(da, cache)
    numerical = numerical_gradient_array(lambda v: activation_forward(v, activation)[0], z, da, h, order)
    return relative_error(dz, numerical, measure=measure)


def check_loss(
    loss: str,
    output: np.ndarray,
    target: np.ndarray,
    h: float | None = None,
    order: int = DEFAULT_ORDER,
    *,
    measure: str = "max",
) -> float:
    """Relative error (``measure``) of a loss's returned gradient against finite differences of the loss."""
    fn = get_loss(loss)
    output = _float64("output", output, copy=True)
    _, grad = fn(output, target)
    return check_gradient(lambda v: fn(v, target)[0], output, grad, h, order, measure=measure)


def check_mlp(
    model: MLP,
    X: np.ndarray,
    Y: np.ndarray,
    loss: str = "mse",
    h: float | None = None,
    order: int = DEFAULT_ORDER,
    *,
    measure: str = "max",
) -> dict[str, float]:
    """Relative error (``measure``) of every parameter's gradient of a float64 `MLP`, keyed "W1", "b1", ..., "bL".

    The analytic gradients come from forward, the loss and `MLP.backward`; the
    numerical ones from perturbing each parameter in place. The model's
    parameters are unchanged afterwards; it is left as after ``forward(X)``.
    """
    check_instance("model", model, MLP, "an MLP")
    if model.dtype != np.float64:
        raise ValueError(f"model must compute in float64 for a gradient check, got {model.dtype}")
    fn = get_loss(loss)
    X = _float64("X", X)
    _, dout = fn(model.forward(X), Y)
    model.backward(dout)
    grads = model.grads
    model.zero_grad()

    def value(_: np.ndarray) -> float:
        return fn(model.forward(X), Y)[0]

    errors = {}
    for k, (params, layer_grads) in enumerate(zip(model.params, grads, strict=True), start=1):
        for name in ("W", "b"):
            errors[f"{name}{k}"] = check_gradient(
                value, params[name], layer_grads[name], h, order, measure=measure
            )
    model.forward(X)  # leave the cache of the unperturbed model, as after an ordinary forward
    return errors
