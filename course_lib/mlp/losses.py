"""Losses returning ``(loss, dlogits)``: mean squared error and softmax cross-entropy.

Both compute the loss and its gradient with respect to the network's output
in one call, with `course_lib.ops`, so the counter sees the whole cost
(formulas in `course_lib.complexity.dense`; derived in
notebooks/03_backpropagation.ipynb). The loss is a Python float; the gradient
keeps the output's dtype.

* ``mse_loss(y, target)``: L = sum((y - t)^2) / N over all N = B*n elements
  (PyTorch's ``reduction="mean"``), dL/dy = (2/N)(y - t). Counts: N adds,
  N multiplies (squares), N - 1 adds + 1 divide (mean), 1 divide (2/N),
  N multiplies: 2N multiplies, 2N - 1 adds, 2 divides.
* ``softmax_cross_entropy(logits, labels)``: logits (B, C), integer labels
  (B,); L = mean_i(logsumexp(z_i) - z_i[label_i]),
  dL/dz = (softmax(z) - onehot(labels)) / B. The row maximum is subtracted
  first so exp cannot overflow; finding it takes comparisons, which are not
  arithmetic and are not counted. Counts: BC adds (shift), BC activations
  (exp), B(C-1) adds (row sums), B activations (log), B adds (log-sum minus
  the label's logit), B - 1 adds + 1 divide (mean), BC divides (softmax),
  B adds (minus 1 at each label), BC divides (over B): 2BC + 2B - 1 adds,
  2BC + 1 divides, BC + B activations.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_lib import ops
from course_lib.validation import as_float_array, check_batch, check_finite, check_shape, require_choice


def mse_loss(y: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error over all elements and its gradient: (sum((y - t)^2) / N, 2 (y - t) / N).

    ``y`` and ``target`` have the same shape (B, n). Counts 2N multiplies,
    2N - 1 adds and 2 divides, N = y.size. Derived in notebooks/03_backpropagation.ipynb.
    """
    y = as_float_array("y", y)
    check_batch("y", y)
    check_finite("y", y)
    target = as_float_array("target", target)
    check_shape("target", target, y.shape)
    check_finite("target", target)
    target = target.astype(y.dtype, copy=False)
    diff = ops.subtract(y, target)
    loss = ops.mean(ops.multiply(diff, diff))
    scale = ops.divide(y.dtype.type(2), y.dtype.type(y.size))
    return float(loss), ops.multiply(diff, scale)


def _check_labels(labels: object, batch: int, classes: int) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise ValueError(f"labels must be integer class indices, got dtype {labels.dtype}")
    check_shape("labels", labels, (batch,))
    if labels.min() < 0 or labels.max() >= classes:
        raise ValueError(
            f"labels must lie in 0..{classes - 1} (logits have {classes} classes), "
            f"got values from {labels.min()} to {labels.max()}"
        )
    return labels


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of softmax(logits) against integer labels, and dL/dlogits.

    logits (B, C), labels (B,) in 0..C-1. Returns
    (mean_i(logsumexp(z_i) - z_i[label_i]), (softmax(z) - onehot) / B).
    Counts 2BC + 2B - 1 adds, 2BC + 1 divides, BC + B activations. Derived in
    notebooks/03_backpropagation.ipynb.
    """
    logits = as_float_array("logits", logits)
    check_batch("logits", logits)
    check_finite("logits", logits)
    B, C = logits.shape
    labels = _check_labels(labels, B, C)
    rows = np.arange(B)
    # A copy with the classes in columns (data movement, not counted): numpy reduces across a few
    # long columns several times faster than along B short rows (about 8x, copy included, for the
    # row maxima of (128, 10) float32 logits). Every array below keeps that layout.
    logits = np.asfortranarray(logits)
    shifted = ops.subtract(logits, logits.max(axis=1, keepdims=True))  # comparisons: not counted
    exps = ops.apply(np.exp, shifted, name="exp")
    sums = ops.sum(exps, axis=1, keepdims=True)
    log_sums = ops.apply(np.log, sums, name="log")
    loss = ops.mean(ops.subtract(log_sums[:, 0], shifted[rows, labels]))
    probs = ops.divide(exps, sums)
    probs[rows, labels] = ops.subtract(probs[rows, labels], 1)
    return float(loss), ops.divide(probs, logits.dtype.type(B))


LOSSES: dict[str, Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]] = {
    "mse": mse_loss,
    "softmax_cross_entropy": softmax_cross_entropy,
}
"""The losses by name (the names `course_lib.complexity.dense.loss_cost` takes)."""


def get_loss(name: str) -> Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]:
    """The loss function called ``name``; ValueError naming ``loss`` for an unknown one."""
    return LOSSES[require_choice("loss", name, tuple(LOSSES))]
