"""Dense layers and MLPs as sympy cost dicts: forward, backward, update, training step.

Derived in notebooks/02_forward_propagation.ipynb, 03_backpropagation.ipynb and
04_gradient_descent.ipynb. The same conventions as `course_lib.complexity.dense`,
built here from `matmul_cost` and sums over layers. A cost is a dict with the
keys of `DENSE_COST_KINDS` (multiplies, adds, divides, activations, macs and
flops = multiplies + adds + divides).
"""

from __future__ import annotations

from typing import overload

import sympy as sp

from course_lib.symbolic.core import COST_KINDS, cost_dict, n, plus, product_cost
from course_lib.validation import parse_int_list, require_int

k, L, B = sp.symbols("k L B", positive=True, integer=True)
"""Layer index k (1..L), number of layers L, batch size B."""

n_in, n_out = sp.symbols("n_in n_out", positive=True, integer=True)
"""Input and output widths of one dense layer."""

width = sp.Function("n", positive=True, integer=True)
"""Symbolic widths: ``width(k)`` is n(k), the number of neurons of layer k (n(0) inputs)."""

DENSE_COST_KINDS = COST_KINDS
"""Keys of every dense cost dict (those of ``OpCounter.as_dict()``)."""


def dense_forward_cost_expr(
    n_in: sp.Expr = n_in, n_out: sp.Expr = n_out, batch: sp.Expr = B, bias_unit: bool = False
) -> dict[str, sp.Expr]:
    """z = x W + b: the product (B x n_in)(n_in x n_out) plus B*n_out bias adds.

    With the essay's bias unit, the product (B x (n_in+1))((n_in+1) x n_out)
    alone. Derived in notebooks/02_forward_propagation.ipynb.
    """
    if bias_unit:
        return product_cost(batch, n_in + 1, n_out)
    return plus(product_cost(batch, n_in, n_out), cost_dict(adds=batch * n_out))


def activation_forward_cost_expr(n: sp.Expr = n_out, batch: sp.Expr = B) -> dict[str, sp.Expr]:
    """a = g(z): B*n activations."""
    return cost_dict(activations=batch * n)


def activation_backward_cost_expr(n: sp.Expr = n_out, batch: sp.Expr = B) -> dict[str, sp.Expr]:
    """dz = da * g'(z): B*n activations (g') and B*n multiplies."""
    return cost_dict(activations=batch * n, multiplies=batch * n)


def dense_backward_costs_expr(
    n_in: sp.Expr = n_in, n_out: sp.Expr = n_out, batch: sp.Expr = B, bias_unit: bool = False
) -> dict[str, dict[str, sp.Expr]]:
    """The gradients separately: dW = x^T dz, db = sum over the batch, dx = dz W^T.

    dW is the product (n_in x B)(B x n_out); db is n_out sums of B numbers
    ((B-1)*n_out adds), or with a bias unit the product (n_out x B)(B x 1);
    dx is the product (B x n_out)(n_out x n_in). Derived in
    notebooks/03_backpropagation.ipynb.
    """
    db = product_cost(n_out, batch, 1) if bias_unit else cost_dict(adds=(batch - 1) * n_out)
    return {"dx": product_cost(batch, n_out, n_in), "dW": product_cost(n_in, batch, n_out), "db": db}


def dense_backward_cost_expr(
    n_in: sp.Expr = n_in,
    n_out: sp.Expr = n_out,
    batch: sp.Expr = B,
    need_dx: bool = True,
    bias_unit: bool = False,
) -> dict[str, sp.Expr]:
    """dW + db (+ dx unless ``need_dx`` is False, as in the first layer)."""
    parts = dense_backward_costs_expr(n_in, n_out, batch, bias_unit)
    return plus(parts["dW"], parts["db"], *([parts["dx"]] if need_dx else []))


def layer_forward_cost_expr(
    n_in: sp.Expr = n_in, n_out: sp.Expr = n_out, batch: sp.Expr = B
) -> dict[str, sp.Expr]:
    """Dense forward + activation of one layer."""
    return plus(dense_forward_cost_expr(n_in, n_out, batch), activation_forward_cost_expr(n_out, batch))


def layer_backward_cost_expr(
    n_in: sp.Expr = n_in, n_out: sp.Expr = n_out, batch: sp.Expr = B, need_dx: bool = True
) -> dict[str, sp.Expr]:
    """Activation backward + dense backward of one layer."""
    return plus(
        activation_backward_cost_expr(n_out, batch), dense_backward_cost_expr(n_in, n_out, batch, need_dx)
    )


def sgd_update_cost_expr(n_in: sp.Expr = n_in, n_out: sp.Expr = n_out) -> dict[str, sp.Expr]:
    """theta -= lr * grad for one layer's n_in*n_out + n_out parameters: one multiply and one add each."""
    params = n_in * n_out + n_out
    return cost_dict(multiplies=params, adds=params)


def mse_loss_cost_expr(n_out: sp.Expr = n_out, batch: sp.Expr = B) -> dict[str, sp.Expr]:
    """Mean squared error and its gradient over N = B*n_out: 2N multiplies, 2N - 1 adds, 2 divides."""
    N = batch * n_out
    return cost_dict(multiplies=2 * N, adds=2 * N - 1, divides=2)


def softmax_cross_entropy_cost_expr(n_classes: sp.Expr = n_out, batch: sp.Expr = B) -> dict[str, sp.Expr]:
    """Softmax cross-entropy and its gradient: 2BC + 2B - 1 adds, 2BC + 1 divides, BC + B activations."""
    C = n_classes
    return cost_dict(
        adds=2 * batch * C + 2 * batch - 1, divides=2 * batch * C + 1, activations=batch * C + batch
    )


def _over_layers(per_layer: dict[str, sp.Expr], first: sp.Expr, last: sp.Expr) -> dict[str, sp.Expr]:
    """Sum over k = first..last of a per-layer cost written with n_in -> n(k-1), n_out -> n(k)."""
    layer_k = {n_in: width(k - 1), n_out: width(k)}
    return {kind: sp.Sum(expr.subs(layer_k), (k, first, last)) for kind, expr in per_layer.items()}


def _sum_costs(*costs: dict[str, sp.Expr]) -> dict[str, sp.Expr]:
    return {kind: sp.Add(*(c[kind] for c in costs)) for kind in DENSE_COST_KINDS}


def mlp_forward_cost_expr(n_layers: sp.Expr = L, batch: sp.Expr = B) -> dict[str, sp.Expr]:
    """Forward pass of an MLP with widths n(0..L): sum over k = 1..L of layer k's cost.

    Multiplies sum_k B n(k-1) n(k): for one sample a matrix-vector product per
    layer, so L layers of n neurons cost L n^2, O(n^3) when L = n (not the
    essay's O(n^4), which is the cost of a batch of B = n samples). Derived in
    notebooks/02_forward_propagation.ipynb.
    """
    return _over_layers(layer_forward_cost_expr(n_in, n_out, batch), 1, n_layers)


def mlp_backward_cost_expr(n_layers: sp.Expr = L, batch: sp.Expr = B) -> dict[str, sp.Expr]:
    """Backward pass: sum over k = 1..L of activation backward + dW + db, plus dx for k = 2..L.

    Derived in notebooks/03_backpropagation.ipynb.
    """
    no_dx = layer_backward_cost_expr(n_in, n_out, batch, need_dx=False)
    dx = dense_backward_costs_expr(n_in, n_out, batch)["dx"]
    return _sum_costs(_over_layers(no_dx, 1, n_layers), _over_layers(dx, 2, n_layers))


def mlp_sgd_update_cost_expr(n_layers: sp.Expr = L) -> dict[str, sp.Expr]:
    """One SGD update of all sum_k (n(k-1) n(k) + n(k)) parameters."""
    return _over_layers(sgd_update_cost_expr(n_in, n_out), 1, n_layers)


def mlp_training_step_cost_expr(
    n_layers: sp.Expr = L, batch: sp.Expr = B, loss: str | None = "mse"
) -> dict[str, sp.Expr]:
    """Forward + loss on the n(L) outputs (``"mse"``, ``"softmax_cross_entropy"`` or None) + backward + update.

    Derived in notebooks/04_gradient_descent.ipynb.
    """
    losses = {"mse": mse_loss_cost_expr, "softmax_cross_entropy": softmax_cross_entropy_cost_expr}
    if loss is not None and loss not in losses:
        raise ValueError(f"loss must be one of {sorted(losses)} or None, got {loss!r}")
    loss_cost = losses[loss](width(n_layers), batch) if loss is not None else cost_dict()
    parts = (mlp_forward_cost_expr(n_layers, batch), loss_cost, mlp_backward_cost_expr(n_layers, batch))
    return _sum_costs(*parts, mlp_sgd_update_cost_expr(n_layers))


def seed_forward_multiplies_expr(n_layers: sp.Expr = L) -> sp.Expr:
    """The count of forward multiplications in Kasper Fredenslund's essay (it is wrong, kept to compare with).

    The essay: "Computational Complexity Of Neural Networks".

    n_mul = sum_{k=2}^{L} n(k) n(k-1) n(k-2) + n(1) n(0) 1: it treats each
    activation vector a(k-1) as if it were an n(k-1) x n(k-2) matrix. For one
    sample the correct count is sum_k n(k) n(k-1) (a matrix-vector product
    per layer, `mlp_forward_cost_expr` with B = 1); the essay's n_layers * n^3,
    hence O(n^4) with n layers, is the cost of a batch of n samples. In the
    essay n(k) includes the bias unit. Examined in notebooks/02_forward_propagation.ipynb.
    """
    return sp.Sum(width(k) * width(k - 1) * width(k - 2), (k, 2, n_layers)) + width(1) * width(0) * 1


def seed_activation_count_expr(n_layers: sp.Expr = L) -> sp.Expr:
    """The essay's n_g = sum_{k=1}^{L} n(k): activation applications of one sample (this one is right)."""
    return sp.Sum(width(k), (k, 1, n_layers))


def substitute_widths(
    cost: dict[str, sp.Expr] | sp.Expr, widths: list[int], batch: int | None = None
) -> dict[str, sp.Expr] | sp.Expr:
    """Evaluate an MLP cost for concrete widths [n(0), ..., n(L)] (and batch B when given).

    Sets L = len(widths) - 1, expands the sums over layers and replaces each
    n(i) by widths[i]; with every symbol given the result is a sympy Integer.
    """
    sizes = parse_int_list("widths", widths, min_len=2)
    values = {width(i): sp.Integer(size) for i, size in enumerate(sizes)}
    if batch is not None:
        values[B] = sp.Integer(require_int("batch", batch))

    def evaluate(expr: sp.Expr) -> sp.Expr:
        return sp.expand(sp.sympify(expr).subs(L, len(sizes) - 1).doit().subs(values))

    return {kind: evaluate(expr) for kind, expr in cost.items()} if isinstance(cost, dict) else evaluate(cost)


@overload
def uniform_widths(cost: dict[str, sp.Expr], neurons: sp.Expr = n) -> dict[str, sp.Expr]: ...
@overload
def uniform_widths(cost: sp.Expr, neurons: sp.Expr = n) -> sp.Expr: ...
def uniform_widths(cost: dict[str, sp.Expr] | sp.Expr, neurons: sp.Expr = n) -> dict[str, sp.Expr] | sp.Expr:
    """The uniform case: every n(k) = ``neurons`` (default the symbol n), sums over layers done in closed form.

    E.g. the forward multiplies become B L n^2; take `leading_term` / `big_o`
    of the result, after setting L = n or B = n if wanted.
    """

    def evaluate(expr: sp.Expr) -> sp.Expr:
        return sp.expand(sp.simplify(sp.sympify(expr).replace(width, sp.Lambda(k, neurons)).doit()))

    return {kind: evaluate(expr) for kind, expr in cost.items()} if isinstance(cost, dict) else evaluate(cost)
