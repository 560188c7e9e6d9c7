"""Training a tiny network two ways: exactly, by exhaustive search, and by gradient descent from many seeds.

Both are set side by side in notebooks/11_learning_theory_aside.ipynb.

**Exhaustive search** (`exhaustive_search`). A network of threshold units
(each unit outputs +1 if its weighted sum plus bias is > 0, else -1) with
widths [n(0), ..., n(L)] has

    P = sum over k of (n(k-1) + 1) n(k)     weights, biases included.

If every weight takes one of q levels, there are exactly q^P networks. The
search evaluates every one of them on the m training samples and records its
number of training errors, so it finds the global minimum of the training
error over the quantized class, and it decides realizability (is some network
of the class right on every sample?). Counted per network, with the
course's conventions (notebooks/00_start_here.ipynb):

* layer k: m n(k-1) n(k) multiplies, m (n(k-1) - 1) n(k) adds for the product
  and m n(k) adds for the bias, m n(k) activations (the threshold);
* the error count: m - 1 adds (summing m mistakes, 0 or 1 each); comparing an
  output with its label is a comparison, not counted.

So the whole search costs q^P x (forward FLOPs of one network on m samples +
m - 1): exponential in P. Enumerating the weight vectors (digits of the index
in base q) is bookkeeping and is not counted.

**Gradient descent from many seeds** (`train_many`). Full-batch gradient
descent with the mean squared error on a smooth network (tanh hidden units,
sigmoid output by default), run for S seeds at once by stacking the S
networks' weights along a leading axis; every product and elementwise step
goes through `course_lib.ops` and the activations of `course_lib.mlp`. The
initial weights of seed s are those of ``course_lib.mlp.MLP(widths, ...,
seed=s)``, and each seed's run computes what ``course_lib.mlp.gradient_descent``
computes for that model (the tests check both), so one step of one seed counts
exactly ``complexity.dense.mlp_training_step_cost(widths, m, "mse")``:
polynomial in the widths.

Built on numpy, `course_lib.ops` and `course_lib.mlp` only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np

from course_lib import ops
from course_lib.counting import count_ops
from course_lib.mlp import MLP, activation_backward, activation_forward, get_activation
from course_lib.validation import as_float_array, check_finite, parse_int_list, require_int, require_real

XOR_INPUTS = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
"""The four XOR inputs, false encoded as -1 and true as +1 (shape (4, 2))."""

XOR_SIGNS = np.array([-1, 1, 1, -1])
"""XOR labels as signs, for threshold networks: +1 where the two inputs differ (shape (4,))."""

XOR_TARGETS = np.array([[0.0], [1.0], [1.0], [0.0]])
"""XOR targets as 0/1, for a sigmoid output (shape (4, 1))."""

XOR_LR = 1.0
"""Learning rate of `xor_runs` (full-batch gradient descent on the mean squared error)."""

DEFAULT_MAX_NETWORKS = 2**20
"""`exhaustive_search` refuses searches larger than this unless told otherwise (about a second)."""


# ---------------------------------------------------------------- checks


def _widths(widths: Sequence[int]) -> tuple[int, ...]:
    return parse_int_list("widths", widths, min_len=2)


def _levels(levels: Sequence[float]) -> np.ndarray:
    if isinstance(levels, str | bytes):
        raise ValueError(f"levels must be a 1-D sequence of at least 2 weight values, got {levels!r}")
    values = as_float_array("levels", levels).astype(np.float64)
    if values.ndim != 1 or values.size < 2:
        raise ValueError(f"levels must be a 1-D sequence of at least 2 weight values, got {levels!r}")
    if not np.isfinite(values).all() or np.unique(values).size != values.size:
        raise ValueError(f"levels must be distinct finite numbers, got {levels!r}")
    return values


def _matrix(name: str, value: object, columns: int) -> np.ndarray:
    array = as_float_array(name, value).astype(np.float64)
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] != columns:
        raise ValueError(f"{name} must have shape (m, {columns}) with m >= 1, got shape {array.shape}")
    check_finite(name, array)
    return array


# ---------------------------------------------------------------- counting the search space


def n_weights(widths: Sequence[int]) -> int:
    """P = sum over k of (n(k-1) + 1) n(k): the weights of an MLP with these widths, biases included.

    Derived in notebooks/11_learning_theory_aside.ipynb.
    """
    w = _widths(widths)
    return sum((n_in + 1) * n_out for n_in, n_out in pairwise(w))


def search_space_size(n_weights: int, levels: int) -> int:
    """levels ** n_weights: the networks an exhaustive search over quantized weights evaluates (exact int).

    Derived in notebooks/11_learning_theory_aside.ipynb.
    """
    return require_int("levels", levels, 2) ** require_int("n_weights", n_weights, 1)


# ---------------------------------------------------------------- threshold networks


def _threshold(z: np.ndarray) -> np.ndarray:
    return np.where(z > 0, 1.0, -1.0)


_threshold.__name__ = "threshold"


def network_params(
    index: int, widths: Sequence[int], levels: Sequence[float]
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The weights [(W1, b1), ..., (WL, bL)] of network number ``index`` of an exhaustive search.

    Network ``index`` has weight j equal to levels[d_j], where d_0, d_1, ... are
    the digits of ``index`` in base q = len(levels), least significant first.
    The P weights are laid out layer by layer: W (n_in, n_out) row by row, then
    b (n_out,). Derived in notebooks/11_learning_theory_aside.ipynb.
    """
    w, values = _widths(widths), _levels(levels)
    P, q = n_weights(w), values.size
    index = require_int("index", index, 0)
    if index >= q**P:
        raise ValueError(f"index must be below levels**P = {q}**{P} = {q**P:,}, got {index:,}")
    digits = [(index // q**j) % q for j in range(P)]
    flat = values[digits]
    params, offset = [], 0
    for n_in, n_out in pairwise(w):
        W = flat[offset : offset + n_in * n_out].reshape(n_in, n_out)
        offset += n_in * n_out
        b = flat[offset : offset + n_out]
        offset += n_out
        params.append((W, b))
    return params


def threshold_forward(X: np.ndarray, params: Sequence[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Outputs (+1 or -1) of one threshold network on the samples X (m, n0): shape (m, n(L)).

    Each layer computes a = threshold(a W + b), threshold(z) = +1 if z > 0
    else -1, with `course_lib.ops` (counted as in `exhaustive_search`, for one network).
    """
    if not params or np.ndim(params[0][0]) != 2:
        raise ValueError("params must be a non-empty list of layers (W, b), each W of shape (n_in, n_out)")
    a = _matrix("X", X, np.shape(params[0][0])[0])
    for k, (W, b) in enumerate(params):
        W, b = np.asarray(W, dtype=float), np.asarray(b, dtype=float)
        if W.ndim != 2 or W.shape[0] != a.shape[1] or b.shape != (W.shape[1],):
            raise ValueError(
                f"params[{k}] must be (W, b) with W of shape ({a.shape[1]}, n_out) and b of shape (n_out,), "
                f"got W {W.shape} and b {b.shape}"
            )
        a = ops.apply(_threshold, ops.add(ops.matmul(a, W), b), name="threshold")
    return a


@dataclass(frozen=True)
class SearchResult:
    """What `exhaustive_search` found.

    ``errors[i]``: training errors of network i (see `network_params` for the
    numbering), for every one of the ``evaluated`` = q^P networks.
    """

    widths: tuple[int, ...]
    levels: tuple[float, ...]
    n_weights: int
    evaluated: int
    errors: np.ndarray = field(repr=False)

    @property
    def best_errors(self) -> int:
        """The fewest training errors any network of the class makes (the global minimum)."""
        return int(self.errors.min())

    @property
    def realizable(self) -> bool:
        """True when some network of the class makes no training error."""
        return self.best_errors == 0

    @property
    def n_best(self) -> int:
        """How many networks reach `best_errors` (the consistent ones, when realizable)."""
        return int(np.count_nonzero(self.errors == self.best_errors))

    @property
    def first_best(self) -> int:
        """The smallest index of a network with `best_errors` errors."""
        return int(np.argmin(self.errors))

    def params(self, index: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """The weights of network ``index`` (`network_params`)."""
        return network_params(index, self.widths, self.levels)


def exhaustive_search(
    X: np.ndarray,
    y: np.ndarray,
    widths: Sequence[int],
    levels: Sequence[float] = (-1.0, 1.0),
    *,
    chunk: int = 2**11,
    max_networks: int = DEFAULT_MAX_NETWORKS,
) -> SearchResult:
    """Evaluate every threshold network with weights in ``levels`` on (X, y); exact training by brute force.

    X (m, n(0)) samples, y (m,) labels in {-1, +1}, ``widths`` [n(0), ..., 1]
    (one output unit), ``levels`` the q allowed weight values. Networks are
    evaluated ``chunk`` at a time, vectorized: a batch of C weight sets is a
    stack of C matrices per layer and one ``ops.matmul`` evaluates them all.

    Counts, per network: the forward pass on m samples (sum over k of
    m n(k-1) n(k) multiplies and as many adds, m n(k) activations) plus m - 1
    adds for the error count; q^P networks in all, P = `n_weights` (widths).
    Raises ValueError naming the argument for bad input, or when q^P exceeds
    ``max_networks``. Derived in notebooks/11_learning_theory_aside.ipynb.
    """
    w, values = _widths(widths), _levels(levels)
    if w[-1] != 1:
        raise ValueError(f"widths must end with one output unit (widths[-1] == 1), got {list(w)}")
    X = _matrix("X", X, w[0])
    labels = np.asarray(y)
    if labels.shape != (X.shape[0],) or not np.isin(labels, (-1, 1)).all():
        raise ValueError(f"y must hold {X.shape[0]} labels, each -1 or +1 (shape ({X.shape[0]},)), got {y!r}")
    chunk = require_int("chunk", chunk, 1)
    max_networks = require_int("max_networks", max_networks, 1)
    P, q = n_weights(w), values.size
    total = q**P
    if total > max_networks:
        raise ValueError(
            f"widths {list(w)} have P = {P} weights; with levels of {q} values the search would evaluate "
            f"{q}**{P} = {total:,} networks, more than max_networks = {max_networks:,}"
        )
    powers = q ** np.arange(P, dtype=np.int64)
    layers = list(pairwise(w))
    errors = np.empty(total, dtype=np.int64)
    for start in range(0, total, chunk):
        index = np.arange(start, min(start + chunk, total), dtype=np.int64)
        flat = values[(index[:, None] // powers) % q]  # (C, P): enumeration, not counted
        C, offset, a = index.size, 0, X
        for n_in, n_out in layers:
            W = flat[:, offset : offset + n_in * n_out].reshape(C, n_in, n_out)
            offset += n_in * n_out
            b = flat[:, offset : offset + n_out].reshape(C, 1, n_out)
            offset += n_out
            a = ops.apply(_threshold, ops.add(ops.matmul(a, W), b), name="threshold")
        wrong = a[:, :, 0] != labels  # comparisons: not counted
        errors[start : start + C] = ops.sum(wrong, axis=1)
    return SearchResult(w, tuple(float(v) for v in values), P, total, errors)


# ---------------------------------------------------------------- gradient descent from many seeds


@dataclass(frozen=True)
class ManyRuns:
    """What `train_many` did: one entry per seed.

    ``outputs`` (S, m, n(L)): the networks' outputs after training.
    ``final_loss`` (S,): mean squared error after the last update.
    ``solved`` (S,): every output within 0.5 of its target (for 0/1 targets
    and a sigmoid output: every sample on the right side of 0.5).
    ``counts``: operations counted over all training steps of all seeds
    (keys of ``OpCounter.as_dict()``); the final evaluation is not counted.
    """

    widths: tuple[int, ...]
    seeds: tuple[int, ...]
    steps: int
    lr: float
    outputs: np.ndarray = field(repr=False)
    final_loss: np.ndarray = field(repr=False)
    solved: np.ndarray = field(repr=False)
    counts: dict[str, int] = field(repr=False)

    @property
    def n_solved(self) -> int:
        """How many seeds ended with every sample classified correctly."""
        return int(np.count_nonzero(self.solved))

    @property
    def success_rate(self) -> float:
        """n_solved / number of seeds."""
        return self.n_solved / len(self.seeds)


def train_many(
    widths: Sequence[int],
    X: np.ndarray,
    Y: np.ndarray,
    seeds: Sequence[int],
    *,
    lr: float,
    steps: int,
    activation: str = "tanh",
    output_activation: str = "sigmoid",
) -> ManyRuns:
    """Full-batch gradient descent on the mean squared error, from every seed in ``seeds`` at once.

    Seed s starts from the weights of ``MLP(widths, activation, seed=s,
    output_activation=output_activation)`` and takes ``steps`` steps of
    forward, loss, backward and update with learning rate ``lr``, exactly as
    ``course_lib.mlp.gradient_descent`` would for that model. X (m, n(0)),
    Y (m, n(L)). Counts S x steps x ``mlp_training_step_cost(widths, m, "mse")``
    for S seeds. Derived in notebooks/11_learning_theory_aside.ipynb.
    """
    w = _widths(widths)
    X = _matrix("X", X, w[0])
    Y = _matrix("Y", Y, w[-1])
    if Y.shape[0] != X.shape[0]:
        raise ValueError(f"Y must have one row per row of X: shape ({X.shape[0]}, {w[-1]}), got {Y.shape}")
    if isinstance(seeds, str):
        raise ValueError(f"seeds must be a non-empty sequence of integers, got {seeds!r}")
    seeds = parse_int_list("seeds", seeds, low=0)
    steps = require_int("steps", steps, 1)
    lr = require_real("lr", lr, 0, low_open=True)
    models = [MLP(list(w), activation, seed=s, output_activation=output_activation) for s in seeds]
    layers = range(len(w) - 1)
    Ws = [np.stack([m.params[k]["W"] for m in models]) for k in layers]  # (S, n_in, n_out)
    bs = [np.stack([m.params[k]["b"] for m in models])[:, None, :] for k in layers]  # (S, 1, n_out)
    gs = models[0].activations
    S, N = len(seeds), Y.size
    two_over_n = np.full((S, 1, 1), 2.0)
    with count_ops() as counter:
        for _ in range(steps):
            a, caches = X, list[Any]()
            for W, b, g in zip(Ws, bs, gs, strict=True):
                z = ops.add(ops.matmul(a, W), b)
                caches.append(a)
                a, act_cache = activation_forward(z, g)
                caches.append(act_cache)
            diff = ops.subtract(a, Y)
            ops.mean(ops.multiply(diff, diff), axis=(1, 2))  # the loss of each seed, as mse_loss computes it
            da = ops.multiply(diff, ops.divide(two_over_n, float(N)))
            for k in reversed(range(len(Ws))):
                a_in, act_cache = caches[2 * k], caches[2 * k + 1]
                dz = activation_backward(da, act_cache)
                dW = ops.matmul(np.swapaxes(a_in, -1, -2), dz)
                db = ops.sum(dz, axis=-2, keepdims=True)
                if k > 0:
                    da = ops.matmul(dz, np.swapaxes(Ws[k], -1, -2))
                Ws[k] = ops.subtract(Ws[k], ops.multiply(lr, dW))
                bs[k] = ops.subtract(bs[k], ops.multiply(lr, db))
    a = X
    for W, b, g in zip(Ws, bs, gs, strict=True):  # plain numpy: the evaluation is not counted
        a = get_activation(g).fn(np.matmul(a, W) + b)
    final_loss = np.mean((a - Y) ** 2, axis=(1, 2))
    solved = np.all(np.abs(a - Y) < 0.5, axis=(1, 2))
    return ManyRuns(w, seeds, steps, float(lr), a, final_loss, solved, counter.as_dict())


def xor_runs(hidden: int, seeds: int, steps: int, lr: float = XOR_LR) -> ManyRuns:
    """`train_many` on XOR for a 2-``hidden``-1 tanh/sigmoid network from seeds 0..seeds-1.

    Inputs `XOR_INPUTS`, targets `XOR_TARGETS`, ``steps`` full-batch steps with
    learning rate ``lr`` (default `XOR_LR`). Derived in notebooks/11_learning_theory_aside.ipynb.
    """
    hidden = require_int("hidden", hidden, 1)
    seeds = require_int("seeds", seeds, 1)
    return train_many([2, hidden, 1], XOR_INPUTS, XOR_TARGETS, range(seeds), lr=lr, steps=steps)
