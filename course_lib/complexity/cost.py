"""`Cost`: an exact tally of operations, as the cost formulas of `course_lib.complexity` return it.

A `Cost` holds the same kinds an `course_lib.counting.OpCounter` tallies
(multiplies, adds, divides, activations, MACs) as Python ints, adds up with
``+`` (and ``sum``), scales with ``*`` by an int, and gives ``flops`` =
multiplies + adds + divides. ``cost.as_dict()`` has the same keys, in the same
order, as ``OpCounter.as_dict()``, so a formula and a counted run compare with
``==``. Conventions in notebooks/00_start_here.ipynb.

This module imports nothing from the implementations (``ops``, ``counting``,
``mlp``, ``conv``): the formulas must stay independent of the code they check.
"""

from __future__ import annotations

import inspect
import operator
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import ParamSpec

P = ParamSpec("P")

KINDS = ("multiplies", "adds", "divides", "activations", "macs")
"""The kinds of operation a `Cost` holds (the order of ``OpCounter.as_dict()``)."""


@dataclass(frozen=True)
class Cost:
    """Exact counts of one computation, in operations (Python ints, never floats).

    ``macs`` counts the multiply-accumulate pairs inside products; they are
    already included in ``multiplies`` and ``adds`` and are not added again to
    ``flops``. ``activations`` are elementwise function applications, kept out
    of ``flops`` by the course's convention.
    """

    multiplies: int = 0
    adds: int = 0
    divides: int = 0
    activations: int = 0
    macs: int = 0

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool):
                raise ValueError(f"Cost.{field.name} must be an int, got {value!r}")
            try:
                exact = operator.index(value)
            except TypeError:
                raise ValueError(f"Cost.{field.name} must be an int, got {value!r}") from None
            if exact < 0:
                raise ValueError(f"Cost.{field.name} must be >= 0, got {exact}")
            object.__setattr__(self, field.name, int(exact))

    @property
    def flops(self) -> int:
        """Floating-point arithmetic: multiplies + adds + divides."""
        return self.multiplies + self.adds + self.divides

    @property
    def total(self) -> int:
        """Every operation counted: ``flops`` + ``activations``."""
        return self.flops + self.activations

    def as_dict(self) -> dict[str, int]:
        """Every kind, then ``flops``: the keys of ``OpCounter.as_dict()``."""
        out = {kind: getattr(self, kind) for kind in KINDS}
        out["flops"] = self.flops
        return out

    def __add__(self, other: Cost) -> Cost:
        if not isinstance(other, Cost):
            return NotImplemented
        return Cost(**{kind: getattr(self, kind) + getattr(other, kind) for kind in KINDS})

    def __radd__(self, other: object) -> Cost:
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:  # lets sum() start at 0
            return self
        return NotImplemented

    def __mul__(self, factor: int) -> Cost:
        if isinstance(factor, bool):
            return NotImplemented
        try:
            times = operator.index(factor)
        except TypeError:
            return NotImplemented
        return Cost(**{kind: getattr(self, kind) * times for kind in KINDS})

    __rmul__ = __mul__


def summed(parts: Callable[P, dict[str, Cost]], name: str, doc: str) -> Callable[P, Cost]:
    """A function named ``name`` (docstring ``doc``) taking the arguments of ``parts`` and returning
    the sum of the costs ``parts`` returns: a layer's whole backward pass from its gradients."""

    def total(*args: P.args, **kwargs: P.kwargs) -> Cost:
        return sum(parts(*args, **kwargs).values(), Cost())

    total.__name__ = total.__qualname__ = name
    total.__module__ = parts.__module__
    total.__doc__ = doc
    total.__signature__ = inspect.signature(parts).replace(return_annotation="Cost")  # type: ignore[attr-defined]
    return total
