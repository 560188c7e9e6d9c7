"""Shared pieces of the sympy cost formulas: matrix products, cost dicts, big-O and leading terms.

The *derive* step of the course's derive -> count -> time method: the
notebooks build each cost symbolically, simplify it, and take its leading term
or big-O here, never by hand. A cost is a dict with the keys of `COST_KINDS`
(multiplies, adds, divides, activations, macs, flops = multiplies + adds +
divides), the keys of ``OpCounter.as_dict()``. Nothing in `course_lib.symbolic`
imports the implementations (``ops``, ``counting``, ...): a formula that called
the code it checks would check nothing.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import ParamSpec

import sympy as sp

P = ParamSpec("P")

m, n, p = sp.symbols("m n p", positive=True, integer=True)
"""Default matrix-product sizes: (m x n) times (n x p)."""


def dot_product_cost(length: sp.Expr = n) -> dict[str, sp.Expr]:
    """A dot product of ``length`` terms: ``length`` multiplies and ``length - 1`` adds.

    Derived in notebooks/00_start_here.ipynb.
    """
    return {"multiplies": length, "adds": length - 1}


def matmul_cost(rows: sp.Expr = m, inner: sp.Expr = n, cols: sp.Expr = p) -> dict[str, sp.Expr]:
    """Cost of a (rows x inner)(inner x cols) product, one dot product per output entry.

    Returns multiplies = rows*inner*cols, adds = rows*(inner-1)*cols,
    macs = rows*inner*cols and flops = multiplies + adds. Derived in
    notebooks/01_matrix_multiplication.ipynb.
    """
    per_entry = dot_product_cost(inner)
    entries = rows * cols
    cost = {kind: sp.expand(entries * count) for kind, count in per_entry.items()}
    cost["macs"] = cost["multiplies"]
    cost["flops"] = sp.expand(cost["multiplies"] + cost["adds"])
    return cost


def layer_sum(per_layer: sp.Expr, index: sp.Symbol, first: sp.Expr, last: sp.Expr) -> sp.Expr:
    """``Sum(per_layer, (index, first, last))``, evaluated and simplified where sympy can."""
    return sp.simplify(sp.Sum(per_layer, (index, first, last)).doit())


def big_o(expr: sp.Expr, *variables: sp.Symbol) -> sp.Order:
    """Big-O of ``expr`` as every one of ``variables`` grows to infinity, as sympy computes it.

    With no variables given, all free symbols of ``expr`` grow.
    """
    variables = variables or tuple(sorted(expr.free_symbols, key=str))
    if not variables:
        raise ValueError(f"expr {expr} has no free symbols to grow")
    return sp.Order(expr, *[(v, sp.oo) for v in variables])


def leading_term(expr: sp.Expr, variable: sp.Symbol) -> sp.Expr:
    """The dominant term of ``expr`` as ``variable`` -> infinity, coefficient included.

    Computed by substituting variable = 1/t and taking sympy's leading term as
    t -> 0, so ``leading_term(2*n**3 - n**2, n) == 2*n**3``.
    """
    if variable not in expr.free_symbols:
        raise ValueError(f"variable {variable} does not occur in {expr}")
    t = sp.Dummy("t", positive=True)
    return sp.expand(expr.subs(variable, 1 / t)).as_leading_term(t).subs(t, 1 / variable)


COST_KINDS = ("multiplies", "adds", "divides", "activations", "macs", "flops")
"""Keys of every cost dict (those of ``OpCounter.as_dict()``)."""


def cost_dict(
    multiplies: sp.Expr = 0,
    adds: sp.Expr = 0,
    divides: sp.Expr = 0,
    activations: sp.Expr = 0,
    macs: sp.Expr = 0,
) -> dict[str, sp.Expr]:
    """A cost dict with the given counts (expanded) and ``flops`` = multiplies + adds + divides."""
    parts = {
        "multiplies": multiplies,
        "adds": adds,
        "divides": divides,
        "activations": activations,
        "macs": macs,
    }
    cost = {kind: sp.expand(sp.sympify(value)) for kind, value in parts.items()}
    cost["flops"] = sp.expand(cost["multiplies"] + cost["adds"] + cost["divides"])
    return cost


def plus(*costs: dict[str, sp.Expr]) -> dict[str, sp.Expr]:
    """The kind-by-kind sum of cost dicts, expanded."""
    return {kind: sp.expand(sum((c[kind] for c in costs), sp.Integer(0))) for kind in COST_KINDS}


def product_cost(rows: sp.Expr, inner: sp.Expr, cols: sp.Expr) -> dict[str, sp.Expr]:
    """A (rows x inner)(inner x cols) matrix product as a cost dict, from `matmul_cost`."""
    mm = matmul_cost(rows, inner, cols)
    return cost_dict(multiplies=mm["multiplies"], adds=mm["adds"], macs=mm["macs"])


def scaled(cost: dict[str, sp.Expr], factor: sp.Expr) -> dict[str, sp.Expr]:
    """Every count of ``cost`` times ``factor`` (the same computation done ``factor`` times), expanded."""
    return {kind: sp.expand(factor * value) for kind, value in cost.items()}


def summed(
    parts: Callable[P, dict[str, dict[str, sp.Expr]]], name: str, doc: str
) -> Callable[P, dict[str, sp.Expr]]:
    """A function named ``name`` (docstring ``doc``) taking the arguments of ``parts`` and returning
    the kind-by-kind sum of the cost dicts ``parts`` returns: a layer's backward pass from its gradients."""

    def total(*args: P.args, **kwargs: P.kwargs) -> dict[str, sp.Expr]:
        return plus(*parts(*args, **kwargs).values())

    total.__name__ = total.__qualname__ = name
    total.__module__ = parts.__module__
    total.__doc__ = doc
    signature = inspect.signature(parts).replace(return_annotation="dict[str, sp.Expr]")
    total.__signature__ = signature  # type: ignore[attr-defined]
    return total
