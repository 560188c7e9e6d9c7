"""Gradient checkpointing: keep only each segment's input, recompute the segment during the backward pass.

Chen, Xu, Zhang and Guestrin (2016). A network is a list of *steps* that share
one protocol, ``forward(x) -> (out, cache)`` and ``backward(dout, cache,
need_dx) -> (dx, grads)``: `DenseStep` (`dense_forward` / `dense_backward`) and
`ActivationStep` (`activation_forward` / `activation_backward`) here, the
convolution and pooling steps in `course_lib.conv.steps`. Every operation
goes through `course_lib.ops`, so the op counter sees the recomputation.

`checkpointed_gradients` cuts the steps into k segments and

1. runs the forward pass keeping only the input of each segment (the caches
   of segments 1..k-1 are dropped as soon as the next step has used them) and
   the caches of the last segment;
2. computes the loss and its gradient at the output;
3. back-propagates through the last segment, then, for j = k-1, ..., 1,
   recomputes segment j's forward pass from its input, with caches, and
   back-propagates through it, dropping its caches and its input afterwards.

The gradients equal those of the plain backward pass exactly (the same
operations on the same numbers). Counted: a plain training step plus the
forward cost of segments 1..k-1 (`course_lib.complexity.mlp_checkpoint_extra_cost`);
activations held at the peak: `course_lib.complexity.mlp_checkpoint_peak_bytes`.
Derived in notebooks/10_memory_precision_energy.ipynb.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, Protocol

import numpy as np

from course_lib.complexity.memory import split_layers
from course_lib.mlp.activations import activation_backward, activation_forward
from course_lib.mlp.layers import dense_backward, dense_forward
from course_lib.mlp.losses import get_loss
from course_lib.mlp.network import MLP
from course_lib.validation import as_float_array, check_batch, check_instance

Grads = dict[str, np.ndarray]


class Step(Protocol):
    """One step of a sequential network: a layer with a forward and a backward pass."""

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, Any]: ...

    def backward(self, dout: np.ndarray, cache: Any, need_dx: bool) -> tuple[np.ndarray | None, Grads]: ...


class DenseStep(NamedTuple):
    """z = x W + b (`dense_forward`); gradients ``{"W": dW, "b": db}``."""

    W: np.ndarray
    b: np.ndarray

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, Any]:
        return dense_forward(x, self.W, self.b)

    def backward(self, dout: np.ndarray, cache: Any, need_dx: bool) -> tuple[np.ndarray | None, Grads]:
        dx, dW, db = dense_backward(dout, cache, need_dx=need_dx)
        assert db is not None  # the step has a bias
        return dx, {"W": dW, "b": db}


class ActivationStep(NamedTuple):
    """a = g(z) (`activation_forward`); no parameters. Its dz is always computed (the layer below needs it)."""

    name: str

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, Any]:
        return activation_forward(x, self.name)

    def backward(self, dout: np.ndarray, cache: Any, need_dx: bool) -> tuple[np.ndarray | None, Grads]:
        return activation_backward(dout, cache), {}


def mlp_steps(model: MLP) -> list[Step]:
    """The 2L steps of ``model``: dense then activation for each layer, sharing the model's arrays."""
    check_instance("model", model, MLP, "a course_lib.mlp.MLP")
    steps: list[Step] = []
    for p, g in zip(model.params, model.activations, strict=True):
        steps += [DenseStep(p["W"], p["b"]), ActivationStep(g)]
    return steps


def _forward(steps: Sequence[Step], x: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    caches = []
    for step in steps:
        x, cache = step.forward(x)
        caches.append(cache)
    return x, caches


def _backward(
    steps: Sequence[Step], first: int, caches: list[Any], dout: np.ndarray | None, grads: list[Grads]
) -> np.ndarray | None:
    """Back-propagate ``dout`` through steps first, first+1, ... (their ``caches``); step 0 computes no dx."""
    for i in reversed(range(len(caches))):
        assert dout is not None  # only step 0, the last one back, returns no dx
        dout, grads[first + i] = steps[first + i].backward(dout, caches[i], need_dx=first + i > 0)
        caches[i] = None  # free the cache as soon as it is used
    return dout


def run_checkpointed(
    steps: Sequence[Step],
    x: np.ndarray,
    segments: Sequence[tuple[int, int]],
    head: Callable[[np.ndarray], tuple[float, np.ndarray]],
) -> tuple[float, list[Grads]]:
    """Loss and per-step gradients by the checkpointed schedule of the module docstring.

    ``segments``: half-open step ranges (first, stop) covering the steps in
    order; ``head(output) -> (loss, dL/doutput)``. One segment is the plain
    forward and backward pass.
    """
    bounds = list(segments)
    checkpoints: list[np.ndarray | None] = []
    a = x
    for first, stop in bounds[:-1]:
        checkpoints.append(a)
        for step in steps[first:stop]:
            a, _ = step.forward(a)  # the cache is dropped at once
    last_first, last_stop = bounds[-1]
    a, caches = _forward(steps[last_first:last_stop], a)
    value, head_grad = head(a)
    del a
    grads: list[Grads] = [{} for _ in steps]
    dout = _backward(steps, last_first, caches, head_grad, grads)
    for j in reversed(range(len(bounds) - 1)):
        first, stop = bounds[j]
        segment_input, checkpoints[j] = checkpoints[j], None
        assert segment_input is not None
        _, caches = _forward(steps[first:stop], segment_input)  # the recomputation
        del segment_input
        dout = _backward(steps, first, caches, dout, grads)
    return value, grads


def checkpointed_gradients(
    model: MLP, X: np.ndarray, Y: np.ndarray, segments: int, loss: str = "mse"
) -> float:
    """Gradients of ``loss`` on the batch (X, Y) by checkpointing with ``segments`` segments of layers.

    Sets ``model.grads`` (exactly those of ``model.forward`` + ``model.backward``)
    and returns the loss, so ``model.step(lr)`` can follow. Segments are
    `course_lib.complexity.split_layers` (1 <= segments <= L, else ValueError
    naming ``segments``). Counts the plain forward, loss and backward plus
    `course_lib.complexity.mlp_checkpoint_extra_cost`. Derived in
    notebooks/10_memory_precision_energy.ipynb.
    """
    steps = mlp_steps(model)
    bounds = [(2 * a, 2 * b) for a, b in split_layers(model.n_layers, segments)]
    loss_fn = get_loss(loss)
    X = as_float_array("X", X)
    check_batch("X", X, model.widths[0])
    X = X.astype(model.dtype, copy=False)
    value, step_grads = run_checkpointed(steps, X, bounds, lambda out: loss_fn(out, Y))
    model.grads = [step_grads[2 * k] for k in range(model.n_layers)]
    return value


def checkpointed_training_step(
    model: MLP, X: np.ndarray, Y: np.ndarray, lr: float, segments: int, loss: str = "mse"
) -> float:
    """`checkpointed_gradients` then ``model.step(lr)``: one SGD step; returns the loss before the update.

    Counts `course_lib.complexity.mlp_training_step_cost` + `mlp_checkpoint_extra_cost`.
    """
    value = checkpointed_gradients(model, X, Y, segments, loss)
    model.step(lr)
    return value
