"""Activation functions g with forward and backward passes: relu, sigmoid, tanh, identity.

Counting convention (formulas in `course_lib.complexity.dense`; derived in
notebooks/02_forward_propagation.ipynb and notebooks/03_backpropagation.ipynb):

* forward, a = g(z): one ``ops.apply`` -> n activations for n elements;
* backward, dz = da * g'(z): the derivative g' is one more elementwise
  application, n activations (``ops.apply``, recorded as e.g. ``"tanh'"``),
  and the product with da is n multiplies (``ops.multiply``).

Every g counts the same, identity included (its g'(z) = 1 is applied and
multiplied like any other), so the cost of a network depends on its widths
only; a hand-tuned implementation would skip the identity and save those
counts. What happens *inside* one application (the exp in a sigmoid, the
comparison in a ReLU) is not counted as FLOPs: activation applications are
their own kind of operation (the n_g of the essay examined in notebook 02).

The derivatives are written in terms of the output a = g(z), which is what the
cache keeps: relu'(z) = [a > 0] (0 at z = 0), sigmoid'(z) = a (1 - a),
tanh'(z) = 1 - a^2, identity'(z) = 1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from course_lib import ops
from course_lib.validation import as_float_array, check_finite, check_instance, check_shape, require_choice


@dataclass(frozen=True)
class Activation:
    """An elementwise g and its derivative expressed through the output a = g(z)."""

    name: str
    fn: Callable[[np.ndarray], np.ndarray]
    derivative_from_output: Callable[[np.ndarray], np.ndarray]


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0)


def _relu_grad(a: np.ndarray) -> np.ndarray:
    return (a > 0).astype(a.dtype)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # 1 / (1 + e^-z), written with e = exp(-|z|) <= 1 so that no exp overflows.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _sigmoid_grad(a: np.ndarray) -> np.ndarray:
    return a * (1 - a)


def _tanh_grad(a: np.ndarray) -> np.ndarray:
    return 1 - a * a


def _identity(z: np.ndarray) -> np.ndarray:
    return z


def _identity_grad(a: np.ndarray) -> np.ndarray:
    return np.ones_like(a)


ACTIVATIONS: dict[str, Activation] = {
    "relu": Activation("relu", _relu, _relu_grad),
    "sigmoid": Activation("sigmoid", _sigmoid, _sigmoid_grad),
    "tanh": Activation("tanh", np.tanh, _tanh_grad),
    "identity": Activation("identity", _identity, _identity_grad),
}
"""The activations by name."""


def get_activation(name: str, arg: str = "activation") -> Activation:
    """The `Activation` called ``name``; ValueError naming ``arg`` for an unknown one."""
    return ACTIVATIONS[require_choice(arg, name, tuple(ACTIVATIONS))]


class ActivationCache(NamedTuple):
    """What `activation_backward` needs: which g, and its output a = g(z)."""

    name: str
    a: np.ndarray


def activation_forward(z: np.ndarray, activation: str = "relu") -> tuple[np.ndarray, ActivationCache]:
    """a = g(z) elementwise, any shape; counts z.size activations.

    Keeps the dtype of z. Derived in notebooks/02_forward_propagation.ipynb.
    """
    g = get_activation(activation)
    z = as_float_array("z", z)
    check_finite("z", z)
    return activation_forward_unchecked(z, g)


def activation_forward_unchecked(z: np.ndarray, g: Activation) -> tuple[np.ndarray, ActivationCache]:
    """`activation_forward` without the checks, for callers that checked their arrays once (`MLP`)."""
    a = ops.apply(g.fn, z, name=g.name)
    return a, ActivationCache(g.name, a)


def activation_backward(da: np.ndarray, cache: ActivationCache) -> np.ndarray:
    """dz = da * g'(z), with da = dL/da of the same shape as a.

    Counts da.size activations (g') and da.size multiplies. Derived in
    notebooks/03_backpropagation.ipynb.
    """
    check_instance("cache", cache, ActivationCache, "the ActivationCache returned by activation_forward")
    da = as_float_array("da", da)
    check_shape("da", da, cache.a.shape)
    check_finite("da", da)
    return activation_backward_unchecked(da, cache)


def activation_backward_unchecked(da: np.ndarray, cache: ActivationCache) -> np.ndarray:
    """`activation_backward` without the checks, for callers that checked their arrays once (`MLP`)."""
    g = ACTIVATIONS[cache.name]
    slope = ops.apply(g.derivative_from_output, cache.a, name=f"{g.name}'")
    return ops.multiply(da, slope)
