"""Training loops: full-batch gradient descent, SGD and mini-batch SGD, with counted costs.

Every loop runs training steps -- forward, loss, backward, SGD update -- and
records, per step, the loss of the batch it used (before the update) and the
*cumulative* counted operations (``OpCounter.as_dict()`` summed over the
steps so far, taken with ``count_ops`` around each step). One step on a batch
of B samples counts exactly ``complexity.dense.mlp_training_step_cost(widths,
B, loss)``. Derived in notebooks/04_gradient_descent.ipynb.

Shuffling is seeded (``np.random.default_rng(seed)``, a new permutation each
epoch); a last batch smaller than ``batch_size`` is kept. Shuffling and
indexing move data and are not counted.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from course_lib.counting import count_ops
from course_lib.mlp.losses import get_loss
from course_lib.mlp.network import MLP
from course_lib.validation import (
    as_float_array,
    check_allocation,
    check_batch,
    check_finite,
    check_instance,
    require_bool,
    require_int,
    require_real,
)

HISTORY_BYTES_PER_STEP = 512
"""Memory one step of a `History` takes, about: a loss and a batch size, and a dict of six counts (CPython 3.11)."""


@dataclass
class History:
    """What a training loop did, one entry per step.

    ``loss[t]``: loss of the batch of step t, before its update.
    ``batch_sizes[t]``: B of step t. ``counts[t]``: operations counted in steps
    0..t together (keys of ``OpCounter.as_dict()``: multiplies, adds, divides,
    activations, macs, flops). ``full_loss[t]``: loss on all the data after
    step t's update, when the loop was asked to track it (its cost is not in
    ``counts``), else empty.
    """

    loss: list[float] = field(default_factory=list)
    batch_sizes: list[int] = field(default_factory=list)
    counts: list[dict[str, int]] = field(default_factory=list)
    full_loss: list[float] = field(default_factory=list)

    @property
    def steps(self) -> int:
        """Number of steps taken."""
        return len(self.loss)

    def cumulative(self, kind: str = "flops") -> list[int]:
        """Cumulative counts of one kind after each step; ``"total"`` is flops + activations."""
        if kind == "total":
            return [c["flops"] + c["activations"] for c in self.counts]
        allowed = ("multiplies", "adds", "divides", "activations", "macs", "flops", "total")
        if kind not in allowed:
            raise ValueError(f"kind must be one of {allowed}, got {kind!r}")
        return [c[kind] for c in self.counts]


def _check_data(model: MLP, X: object, Y: object, loss: str) -> tuple[np.ndarray, np.ndarray]:
    check_instance("model", model, MLP, "an MLP")
    get_loss(loss)
    X = as_float_array("X", X)
    check_batch("X", X, model.widths[0])
    check_finite("X", X)
    N, n_out = X.shape[0], model.widths[-1]
    Y = np.asarray(Y)
    if loss == "softmax_cross_entropy":
        if Y.dtype.kind not in "iu" or Y.shape != (N,):
            raise ValueError(
                f"Y must be {N} integer class labels of shape ({N},), got dtype {Y.dtype}, shape {Y.shape}"
            )
        if Y.min() < 0 or Y.max() >= n_out:
            raise ValueError(f"Y must hold class labels in 0..{n_out - 1}, got values {Y.min()}..{Y.max()}")
    else:
        Y = as_float_array("Y", Y)
        if Y.shape != (N, n_out):
            raise ValueError(f"Y must have shape ({N}, {n_out}) (one target row per row of X), got {Y.shape}")
        check_finite("Y", Y)
    return X, Y


def training_step(model: MLP, X: np.ndarray, Y: np.ndarray, lr: float, loss: str = "mse") -> float:
    """One step on the batch (X, Y): forward, loss and its gradient, backward, SGD update; returns the loss.

    Counts `mlp_training_step_cost(model.widths, B, loss)`. Derived in
    notebooks/04_gradient_descent.ipynb.
    """
    check_instance("model", model, MLP, "an MLP")
    output = model.forward(X)
    value, dout = get_loss(loss)(output, Y)
    model.backward(dout)
    model.step(lr)
    return value


def _batches(n: int, batch_size: int, epochs: int, seed: int) -> Iterator[np.ndarray]:
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            yield order[start : start + batch_size]


def _check_history(name: str, steps: int, track: bool) -> None:
    per_step = HISTORY_BYTES_PER_STEP + (32 if track else 0)
    check_allocation(name, steps * per_step, f"the history of {steps:,} steps (about {per_step} bytes each)")


def _run(
    model: MLP, X: np.ndarray, Y: np.ndarray, lr: float, loss: str, batches: Iterator[np.ndarray], track: bool
) -> History:
    history = History()
    total: dict[str, int] = {}
    for rows in batches:
        with count_ops() as counter:
            value = training_step(model, X[rows], Y[rows], lr, loss)
        total = {kind: total.get(kind, 0) + n for kind, n in counter.as_dict().items()}
        history.loss.append(value)
        history.batch_sizes.append(len(rows))
        history.counts.append(total)
        if track:
            history.full_loss.append(get_loss(loss)(model.forward(X), Y)[0])
    return history


def gradient_descent(
    model: MLP,
    X: np.ndarray,
    Y: np.ndarray,
    *,
    lr: float,
    steps: int,
    loss: str = "mse",
    track_full_loss: bool = False,
) -> History:
    """Full-batch gradient descent: ``steps`` updates, each on all N samples.

    Cost: steps x `mlp_training_step_cost(widths, N, loss)`. ``Y``: targets
    (N, nL) for "mse", integer labels (N,) for "softmax_cross_entropy".
    Derived in notebooks/04_gradient_descent.ipynb.
    """
    X, Y = _check_data(model, X, Y, loss)
    lr, steps = require_real("lr", lr, 0, low_open=True), require_int("steps", steps)
    track_full_loss = require_bool("track_full_loss", track_full_loss)
    _check_history("steps", steps, track_full_loss)
    every = np.arange(X.shape[0])
    return _run(model, X, Y, lr, loss, itertools.repeat(every, steps), track_full_loss)


def minibatch_sgd(
    model: MLP,
    X: np.ndarray,
    Y: np.ndarray,
    *,
    lr: float,
    batch_size: int,
    epochs: int = 1,
    loss: str = "mse",
    seed: int = 0,
    track_full_loss: bool = False,
) -> History:
    """Mini-batch SGD: each epoch shuffles the N samples (seeded) and steps on batches of ``batch_size``.

    ceil(N / batch_size) steps per epoch; the last batch of an epoch may be
    smaller. Derived in notebooks/04_gradient_descent.ipynb.
    """
    X, Y = _check_data(model, X, Y, loss)
    lr, epochs = require_real("lr", lr, 0, low_open=True), require_int("epochs", epochs)
    batch_size = require_int("batch_size", batch_size)
    seed = require_int("seed", seed, 0)
    track_full_loss = require_bool("track_full_loss", track_full_loss)
    if batch_size > X.shape[0]:
        raise ValueError(f"batch_size must be at most the number of samples {X.shape[0]}, got {batch_size}")
    _check_history("epochs", epochs * math.ceil(X.shape[0] / batch_size), track_full_loss)
    return _run(model, X, Y, lr, loss, _batches(X.shape[0], batch_size, epochs, seed), track_full_loss)


def sgd(
    model: MLP,
    X: np.ndarray,
    Y: np.ndarray,
    *,
    lr: float,
    epochs: int = 1,
    loss: str = "mse",
    seed: int = 0,
    track_full_loss: bool = False,
) -> History:
    """Stochastic gradient descent: one sample per step, N steps per epoch, seeded shuffling.

    Derived in notebooks/04_gradient_descent.ipynb.
    """
    return minibatch_sgd(
        model, X, Y, lr=lr, batch_size=1, epochs=epochs, loss=loss, seed=seed, track_full_loss=track_full_loss
    )
