"""`MLP`: a multilayer perceptron of dense layers, built from `layers` and `activations`.

``MLP([n0, n1, ..., nL], activation="relu")`` has L dense layers; layer k maps
n(k-1) features to n(k) and is followed by ``activation`` (hidden layers) or
``output_activation`` (the last layer, identity by default, giving logits or
regression outputs). Its counted costs are `course_lib.complexity.dense`'s
``mlp_forward_cost`` / ``mlp_backward_cost`` / ``mlp_sgd_update_cost``
(derived in notebooks/02_forward_propagation.ipynb,
notebooks/03_backpropagation.ipynb and notebooks/04_gradient_descent.ipynb).

Gradients cannot pile up by accident:

* `MLP.forward` stores the caches of one pass; `MLP.backward` uses them up and
  *overwrites* ``grads`` (it never adds to them). Calling ``backward`` again
  without a new ``forward`` raises RuntimeError.
* `MLP.step` applies ``grads`` once and clears them; a second ``step`` without
  a new ``backward`` raises RuntimeError. `MLP.zero_grad` clears them too.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from course_lib import ops
from course_lib.mlp.activations import (
    ActivationCache,
    activation_backward_unchecked,
    activation_forward_unchecked,
    get_activation,
)
from course_lib.mlp.layers import DenseCache, dense_backward_unchecked, dense_forward_unchecked
from course_lib.validation import (
    as_float_array,
    check_allocation,
    check_batch,
    check_finite,
    check_shape,
    parse_int_list,
    require_int,
    require_real,
)

UPDATE_BLOCK_BYTES = 256 * 1024
"""`MLP.step` updates a parameter in blocks of rows of about this many bytes (see `MLP._sgd_update`)."""

DTYPES = (np.float32, np.float64)
"""Floating-point types an `MLP` can compute in."""


def _check_dtype(dtype: object) -> np.dtype:
    try:
        kind = np.dtype(dtype)  # type: ignore[call-overload]
    except TypeError:
        kind = None
    if kind is None or kind not in [np.dtype(d) for d in DTYPES]:
        raise ValueError(f"dtype must be np.float32 or np.float64 (or their names), got {dtype!r}")
    return kind


def init_scale(n_in: int, n_out: int, activation: str) -> float:
    """Standard deviation of the initial weights: He sqrt(2 / n_in) for relu, else Glorot sqrt(2 / (n_in + n_out))."""
    return float(np.sqrt(2 / n_in)) if activation == "relu" else float(np.sqrt(2 / (n_in + n_out)))


class MLP:
    """A multilayer perceptron: ``params[k] = {"W": (n_in, n_out), "b": (n_out,)}`` for each layer k.

    ``widths``: [n0, ..., nL], n0 inputs and nL outputs (a list, a tuple, a 1-D
    integer array, or text such as ``"784 256 10"``). ``activation``: g of
    the hidden layers (relu, sigmoid, tanh, identity); ``output_activation``:
    g of the last layer. Weights are drawn from ``np.random.default_rng(seed)``
    with He (relu) or Glorot (others) scaling, biases start at 0; ``dtype``
    (float64 or float32) is kept through forward, backward and updates.
    ``seed`` is a non-negative integer (or None for fresh entropy). Parameters
    that would not fit in the memory available are refused with a ValueError.

    Arguments are checked where they enter: here, in `forward` (X), `backward`
    (dloss) and `step` (lr); the layers inside run unchecked.
    """

    def __init__(
        self,
        widths: Sequence[int],
        activation: str = "relu",
        seed: int | None = 0,
        dtype: type = np.float64,
        *,
        output_activation: str = "identity",
    ) -> None:
        self.widths = list(parse_int_list("widths", widths, min_len=2))
        hidden = get_activation(activation)
        last = get_activation(output_activation, "output_activation")
        self.dtype = _check_dtype(dtype)
        seed = None if seed is None else require_int("seed", seed, 0)
        n_layers = len(self.widths) - 1
        self.activations = [hidden.name] * (n_layers - 1) + [last.name]
        self._g = [hidden] * (n_layers - 1) + [last]
        pairs = list(zip(self.widths[:-1], self.widths[1:], strict=True))
        n_params = sum(n_in * n_out + n_out for n_in, n_out in pairs)
        largest = max(n_in * n_out for n_in, n_out in pairs)
        check_allocation(
            "widths",
            n_params * self.dtype.itemsize + largest * 8,  # the parameters, and one layer's float64 draw
            f"the {n_params:,} parameters of MLP({self.widths}) in {self.dtype.name}",
        )
        rng = np.random.default_rng(seed)
        self.params: list[dict[str, np.ndarray]] = []
        shapes = zip(self.widths[:-1], self.widths[1:], strict=True)
        for (n_in, n_out), g in zip(shapes, self.activations, strict=True):
            W = rng.standard_normal((n_in, n_out)) * init_scale(n_in, n_out, g)
            self.params.append({"W": W.astype(self.dtype), "b": np.zeros(n_out, dtype=self.dtype)})
        self.grads: list[dict[str, np.ndarray]] = [{} for _ in range(n_layers)]
        self._caches: list[tuple[DenseCache, ActivationCache]] | None = None
        self._scratch = np.empty(0, dtype=self.dtype)

    def __repr__(self) -> str:
        hidden = self.activations[0] if len(self.activations) > 1 else "-"
        return (
            f"MLP(widths={self.widths}, activation={hidden!r}, "
            f"output_activation={self.activations[-1]!r}, dtype={self.dtype.name}, n_params={self.n_params})"
        )

    @property
    def n_layers(self) -> int:
        """L, the number of dense layers."""
        return len(self.params)

    @property
    def n_params(self) -> int:
        """Number of parameters, biases included: sum over k of n(k-1)*n(k) + n(k)."""
        return sum(int(p["W"].size + p["b"].size) for p in self.params)

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Output of the network for a batch X (B, n0) -> (B, nL), caching what `backward` needs.

        X is converted to the network's dtype. Counts `mlp_forward_cost(widths, B)`.
        """
        X = as_float_array("X", X)
        check_batch("X", X, self.widths[0])
        check_finite("X", X)
        check_allocation(
            "X",
            X.shape[0] * 2 * sum(self.widths[1:]) * self.dtype.itemsize,
            f"the activations of a batch of {X.shape[0]:,} through MLP({self.widths})",
        )
        a = X.astype(self.dtype, copy=False)
        caches = []
        for p, g in zip(self.params, self._g, strict=True):  # checked once above and at construction
            z, dense_cache = dense_forward_unchecked(a, p["W"], p["b"])
            a, act_cache = activation_forward_unchecked(z, g)
            caches.append((dense_cache, act_cache))
        self._caches = caches
        return a

    def backward(self, dloss: np.ndarray) -> None:
        """Set ``grads`` from dloss = dL/d(output) of the last `forward` (shape (B, nL)).

        Overwrites ``grads`` (never accumulates) and uses up the cached pass:
        a second call without a new `forward` raises RuntimeError. The first
        layer computes no input gradient. Counts `mlp_backward_cost(widths, B)`.
        """
        if self._caches is None:
            raise RuntimeError("backward needs a forward pass first (each forward allows one backward)")
        out = self._caches[-1][1].a
        da = as_float_array("dloss", dloss)
        check_shape("dloss", da, out.shape)
        check_finite("dloss", da)
        da = da.astype(self.dtype, copy=False)
        caches, self._caches = self._caches, None
        grads: list[dict[str, np.ndarray]] = [{} for _ in caches]
        for k in reversed(range(len(caches))):
            dense_cache, act_cache = caches[k]
            dz = activation_backward_unchecked(da, act_cache)
            dx, dW, db = dense_backward_unchecked(dz, dense_cache, need_dx=k > 0)
            assert db is not None  # every layer of an MLP has a bias
            grads[k] = {"W": dW, "b": db}
            if dx is not None:
                da = dx
        self.grads = grads

    def zero_grad(self) -> None:
        """Forget the gradients (`step` then raises until the next `backward`)."""
        self.grads = [{} for _ in self.params]

    def step(self, lr: float) -> None:
        """SGD update theta <- theta - lr * grad for every parameter, in place; then clear ``grads``.

        Counts one multiply and one add per parameter (`mlp_sgd_update_cost`).
        Derived in notebooks/04_gradient_descent.ipynb.
        """
        lr = require_real("lr", lr, 0, low_open=True)
        if any(not g for g in self.grads):
            raise RuntimeError(
                "step needs gradients: call forward and backward first (each backward allows one step)"
            )
        for p, g in zip(self.params, self.grads, strict=True):
            for name in ("W", "b"):
                self._sgd_update(p[name], g[name], lr)
        self.zero_grad()

    def _sgd_update(self, param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        """param -= lr * grad in place, one block of rows at a time: the same counts as in one go.

        lr * grad goes into one small buffer kept between steps, which the
        subtraction reads back while it is still in the cache: one pass over
        the parameter and its gradient instead of two, and nothing allocated
        (the update of a 784-512-256-10 float32 network took about 0.75 of
        the time of the unblocked one; benchmarks/README.md).
        """
        rows = max(1, UPDATE_BLOCK_BYTES * len(param) // param.nbytes)  # rows of W (numbers of b) per block
        size = min(rows, len(param)) * param[0].size
        if self._scratch.size < size or self._scratch.dtype != param.dtype:
            self._scratch = np.empty(size, dtype=param.dtype)
        for start in range(0, len(param), rows):
            p, g = param[start : start + rows], grad[start : start + rows]
            buffer = self._scratch[: g.size].reshape(g.shape)
            ops.subtract(p, ops.multiply(lr, g, out=buffer), out=p)
