"""Exact operation counts of dense (fully connected) layers and MLPs, as Python ints.

These are the *formulas* of the course's derive -> count -> time method, written
out by hand from the conventions below. They never import ``ops``,
``counting`` or ``mlp``: the tests run `course_lib.mlp` under ``count_ops`` and
require the counted numbers to equal these exactly. Forward costs are derived
in notebooks/02_forward_propagation.ipynb, backward costs in
notebooks/03_backpropagation.ipynb, updates and training steps in
notebooks/04_gradient_descent.ipynb.

Notation: a layer maps a batch ``x`` of shape (B, n_in) to ``z = x W + b`` with
``W`` of shape (n_in, n_out) and ``b`` of shape (n_out,), then ``a = g(z)``.
An MLP is given by its ``widths`` [n(0), n(1), ..., n(L)]: L layers, layer k
maps n(k-1) to n(k). ``batch`` is B; ``batch=1`` gives the cost per sample.

Conventions (each line is one call of a ``course_lib.ops`` primitive):

========================  =====================================================
step                      counted
========================  =====================================================
z = x W                   B*n_in*n_out multiplies (= MACs), B*(n_in-1)*n_out adds
z += b                    B*n_out adds (one per output element), so the layer
                          adds B*n_in*n_out in all: "n adds with a bias"
a = g(z)                  B*n_out activations (every g, identity included, so
                          the cost depends on the widths only)
g'(z)                     B*n_out activations (the derivative is one
                          elementwise application, whatever its formula)
dz = da * g'(z)           B*n_out multiplies
dW = x^T dz               (n_in x B)(B x n_out): n_in*B*n_out multiplies (= MACs),
                          n_in*(B-1)*n_out adds (0 adds when B = 1)
db = sum_batch dz         (B-1)*n_out adds (0 when B = 1)
dx = dz W^T               B*n_out*n_in multiplies (= MACs), B*(n_out-1)*n_in adds;
                          skipped in the first layer (the input needs no gradient)
W -= lr * dW (SGD)        one multiply and one add per parameter (biases included)
========================  =====================================================

The notation of Kasper Fredenslund's essay "Computational Complexity Of Neural
Networks" (notebook 02), with a bias unit (x0 = 1 folded into theta of shape
(n_out, n_in + 1), applied to [1, x]): the forward product is
B*(n_in+1)*n_out multiplies and B*n_in*n_out adds, i.e. B*n_out more multiplies
(each multiplies the constant 1) and the same adds; backward, the bias column of
dtheta = dz^T [1, x] costs n_out*B multiplies and n_out*(B-1) adds instead of
db's (B-1)*n_out adds: again B*n_out more multiplies.

Losses (N = B*n_out output elements):

* mean squared error, L = sum((y - t)^2) / N and dL/dy = (2/N) (y - t):
  N adds (y - t), N multiplies (squares), N - 1 adds + 1 divide (mean),
  1 divide (2/N) and N multiplies (scaling): 2N multiplies, 2N - 1 adds,
  2 divides.
* softmax cross-entropy over C = n_out classes with integer labels,
  L = mean_i(logsumexp(z_i) - z_i[label_i]), dL/dz = (softmax(z) - onehot) / B:
  BC adds (subtract the row maximum; the maximum itself is a comparison, not
  counted), BC activations (exp), B(C-1) adds (row sums), B activations (log),
  B adds (log-sum minus the label's logit), B - 1 adds + 1 divide (mean), BC
  divides (softmax), B adds (subtract 1 at each label), BC divides (divide by
  B): 2BC + 2B - 1 adds, 2BC + 1 divides, BC + B activations.

A training step is forward + loss + backward + SGD update.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

from course_lib.complexity.cost import Cost, summed
from course_lib.validation import require_bool, require_int

__all__ = [
    "LOSSES",
    "activation_backward_cost",
    "activation_forward_cost",
    "backward_forward_ratio",
    "dense_backward_cost",
    "dense_backward_costs",
    "dense_forward_cost",
    "dense_params",
    "layer_backward_cost",
    "layer_forward_cost",
    "loss_cost",
    "mlp_backward_cost",
    "mlp_backward_costs_per_layer",
    "mlp_forward_cost",
    "mlp_forward_costs_per_layer",
    "mlp_params",
    "mlp_sgd_update_cost",
    "mlp_training_step_cost",
    "mse_loss_cost",
    "sgd_update_cost",
    "softmax_cross_entropy_cost",
]

LOSSES = ("mse", "softmax_cross_entropy")
"""Loss names the training-step formula knows (the same names `course_lib.mlp` uses)."""


def _widths(widths: Sequence[int]) -> list[int]:
    """``widths`` (a list, tuple or 1-D integer array) as a list of >= 2 positive ints, or ValueError
    naming the bad entry."""
    if isinstance(widths, str | bytes | Mapping) or not isinstance(widths, Iterable):
        raise ValueError(f"widths must be a sequence of positive integers, got {widths!r}")
    sizes = list(widths)
    if len(sizes) < 2:
        raise ValueError(
            f"widths must list at least 2 sizes (input and output, [n(0), ..., n(L)]), got {sizes}"
        )
    return [require_int(f"widths[{i}]", w) for i, w in enumerate(sizes)]


# ---------------------------------------------------------------- parameters


def dense_params(n_in: int, n_out: int) -> int:
    """Parameters of one dense layer: n_in*n_out weights + n_out biases."""
    n_in, n_out = require_int("n_in", n_in), require_int("n_out", n_out)
    return n_in * n_out + n_out


def mlp_params(widths: Sequence[int]) -> int:
    """Parameters of an MLP: sum over k = 1..L of n(k-1)*n(k) + n(k)."""
    w = _widths(widths)
    return sum(dense_params(w[k - 1], w[k]) for k in range(1, len(w)))


# ---------------------------------------------------------------- one layer


def dense_forward_cost(n_in: int, n_out: int, batch: int = 1, *, bias_unit: bool = False) -> Cost:
    """Cost of z = x W + b for a batch of B samples (activation not included).

    Standard: B*n_in*n_out multiplies (= MACs) and B*(n_in-1)*n_out + B*n_out =
    B*n_in*n_out adds. With the essay's bias unit (theta applied to [1, x]):
    B*(n_in+1)*n_out multiplies (= MACs) and B*n_in*n_out adds. Derived in
    notebooks/02_forward_propagation.ipynb.
    """
    n_in, n_out = require_int("n_in", n_in), require_int("n_out", n_out)
    B = require_int("batch", batch)
    if require_bool("bias_unit", bias_unit):
        products = B * (n_in + 1) * n_out
        return Cost(multiplies=products, adds=B * n_in * n_out, macs=products)
    products = B * n_in * n_out
    return Cost(multiplies=products, adds=B * (n_in - 1) * n_out + B * n_out, macs=products)


def activation_forward_cost(n: int, batch: int = 1) -> Cost:
    """Cost of a = g(z) on a (B, n) batch: B*n activations. Derived in notebooks/02_forward_propagation.ipynb."""
    n, B = require_int("n", n), require_int("batch", batch)
    return Cost(activations=B * n)


def activation_backward_cost(n: int, batch: int = 1) -> Cost:
    """Cost of dz = da * g'(z) on a (B, n) batch: B*n activations (g') + B*n multiplies.

    Derived in notebooks/03_backpropagation.ipynb.
    """
    n, B = require_int("n", n), require_int("batch", batch)
    return Cost(activations=B * n, multiplies=B * n)


def dense_backward_costs(
    n_in: int, n_out: int, batch: int = 1, *, need_dx: bool = True, bias_unit: bool = False
) -> dict[str, Cost]:
    """The three gradients of a dense layer, separately: ``{"dx": ..., "dW": ..., "db": ...}``.

    dW = x^T dz: n_in*B*n_out multiplies (= MACs), n_in*(B-1)*n_out adds.
    db = sum over the batch of dz: (B-1)*n_out adds.
    dx = dz W^T: B*n_out*n_in multiplies (= MACs), B*(n_out-1)*n_in adds;
    a zero `Cost` when ``need_dx`` is False (first layer).
    With ``bias_unit`` the bias column of dtheta = dz^T [1, x] is a product
    too: ``"db"`` is then n_out*B multiplies (= MACs) and n_out*(B-1) adds.
    Derived in notebooks/03_backpropagation.ipynb.
    """
    n_in, n_out = require_int("n_in", n_in), require_int("n_out", n_out)
    B = require_int("batch", batch)
    need_dx, bias_unit = require_bool("need_dx", need_dx), require_bool("bias_unit", bias_unit)
    dW = Cost(multiplies=n_in * B * n_out, adds=n_in * (B - 1) * n_out, macs=n_in * B * n_out)
    if bias_unit:
        db = Cost(multiplies=n_out * B, adds=n_out * (B - 1), macs=n_out * B)
    else:
        db = Cost(adds=(B - 1) * n_out)
    dx = Cost(multiplies=B * n_out * n_in, adds=B * (n_out - 1) * n_in, macs=B * n_out * n_in)
    return {"dx": dx if need_dx else Cost(), "dW": dW, "db": db}


dense_backward_cost = summed(
    dense_backward_costs,
    "dense_backward_cost",
    """Cost of (dx, dW, db) from dz: the sum of `dense_backward_costs` (same arguments).

    Multiplies 2*B*n_in*n_out (B*n_in*n_out without dx), adds
    n_in*(B-1)*n_out + (B-1)*n_out + B*(n_out-1)*n_in. Derived in
    notebooks/03_backpropagation.ipynb.
    """,
)


def layer_forward_cost(n_in: int, n_out: int, batch: int = 1) -> Cost:
    """Dense forward + activation: B*n_in*n_out multiplies and adds, B*n_out activations."""
    return dense_forward_cost(n_in, n_out, batch) + activation_forward_cost(n_out, batch)


def layer_backward_cost(n_in: int, n_out: int, batch: int = 1, *, need_dx: bool = True) -> Cost:
    """Activation backward (g' and the product with da) + dense backward (dx unless ``need_dx`` is False)."""
    return activation_backward_cost(n_out, batch) + dense_backward_cost(n_in, n_out, batch, need_dx=need_dx)


def sgd_update_cost(n_params: int) -> Cost:
    """theta -= lr * grad over ``n_params`` parameters: one multiply and one add each.

    Derived in notebooks/04_gradient_descent.ipynb.
    """
    P = require_int("n_params", n_params, 0)
    return Cost(multiplies=P, adds=P)


# ---------------------------------------------------------------- losses


def mse_loss_cost(n_out: int, batch: int = 1) -> Cost:
    """Mean squared error and its gradient over N = B*n_out elements: 2N multiplies, 2N-1 adds, 2 divides."""
    N = require_int("n_out", n_out) * require_int("batch", batch)
    return Cost(multiplies=2 * N, adds=2 * N - 1, divides=2)


def softmax_cross_entropy_cost(n_classes: int, batch: int = 1) -> Cost:
    """Softmax cross-entropy and its gradient: 2BC + 2B - 1 adds, 2BC + 1 divides, BC + B activations."""
    C, B = require_int("n_classes", n_classes), require_int("batch", batch)
    return Cost(adds=2 * B * C + 2 * B - 1, divides=2 * B * C + 1, activations=B * C + B)


def loss_cost(loss: str | None, n_out: int, batch: int = 1) -> Cost:
    """Cost of the named loss (one of `LOSSES`) and its gradient; a zero `Cost` for ``None``."""
    if loss is None:
        require_int("n_out", n_out)
        require_int("batch", batch)
        return Cost()
    if loss == "mse":
        return mse_loss_cost(n_out, batch)
    if loss == "softmax_cross_entropy":
        return softmax_cross_entropy_cost(n_out, batch)
    raise ValueError(f"loss must be one of {LOSSES} or None, got {loss!r}")


# ---------------------------------------------------------------- whole network


def mlp_forward_costs_per_layer(widths: Sequence[int], batch: int = 1) -> list[Cost]:
    """Forward cost of each layer k = 1..L (dense + activation), in order."""
    w = _widths(widths)
    B = require_int("batch", batch)
    return [layer_forward_cost(w[k - 1], w[k], B) for k in range(1, len(w))]


def mlp_forward_cost(widths: Sequence[int], batch: int = 1) -> Cost:
    """Forward pass of an MLP: sum over k of B*n(k-1)*n(k) multiplies and adds, B*n(k) activations.

    For one sample (B = 1) and L layers of n neurons that is L*n^2 multiplies,
    O(n^3) when L = n; a batch of B = n samples makes it O(n^4). Derived in
    notebooks/02_forward_propagation.ipynb.
    """
    return sum(mlp_forward_costs_per_layer(widths, batch), Cost())


def mlp_backward_costs_per_layer(widths: Sequence[int], batch: int = 1) -> list[Cost]:
    """Backward cost of each layer k = 1..L, in order; layer 1 computes no dx."""
    w = _widths(widths)
    B = require_int("batch", batch)
    return [layer_backward_cost(w[k - 1], w[k], B, need_dx=k > 1) for k in range(1, len(w))]


def mlp_backward_cost(widths: Sequence[int], batch: int = 1) -> Cost:
    """Backward pass from dL/d(output) to every dW, db (no gradient for the input).

    Derived in notebooks/03_backpropagation.ipynb.
    """
    return sum(mlp_backward_costs_per_layer(widths, batch), Cost())


def mlp_sgd_update_cost(widths: Sequence[int]) -> Cost:
    """One SGD update of every parameter: `mlp_params` multiplies and adds."""
    return sgd_update_cost(mlp_params(widths))


def mlp_training_step_cost(widths: Sequence[int], batch: int = 1, loss: str | None = "mse") -> Cost:
    """One training step on a batch: forward + loss (``None``: left out) + backward + SGD update.

    Derived in notebooks/04_gradient_descent.ipynb.
    """
    w = _widths(widths)
    return (
        mlp_forward_cost(w, batch)
        + loss_cost(loss, w[-1], batch)
        + mlp_backward_cost(w, batch)
        + mlp_sgd_update_cost(w)
    )


def backward_forward_ratio(widths: Sequence[int], batch: int = 1, kind: str = "flops") -> Fraction:
    """Exact ratio backward / forward of one kind of count ("flops", "total", "multiplies", ...).

    Tends to 2 for wide layers (each layer does two products backward, one
    forward), less when the first layer's missing dx weighs in or B = 1.
    Measured in notebooks/03_backpropagation.ipynb.
    """
    allowed = ("flops", "total", "multiplies", "adds", "macs", "activations")
    if kind not in allowed:
        raise ValueError(f"kind must be one of {allowed}, got {kind!r}")
    forward, backward = mlp_forward_cost(widths, batch), mlp_backward_cost(widths, batch)
    return Fraction(getattr(backward, kind), getattr(forward, kind))
