"""Argument checks shared by the formulas, problems and widgets: errors that name the argument.

Standard library only, so every layer of the package (``complexity`` included)
can use it without depending on the implementations it checks.
"""

from __future__ import annotations

import operator


def require_int(name: str, value: object, minimum: int = 1) -> int:
    """``value`` as a Python int >= ``minimum``, or ValueError naming ``name``.

    Accepts anything with ``__index__`` (Python and numpy integers); rejects
    bools, floats and strings, so ``stride=1.5`` or ``batch=True`` never pass
    silently.
    """
    if minimum == 1:
        wanted = "a positive integer"
    elif minimum == 0:
        wanted = "a non-negative integer"
    else:
        wanted = f"an integer >= {minimum}"
    if isinstance(value, bool):
        raise ValueError(f"{name} must be {wanted}, got {value!r}")
    try:
        exact = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be {wanted}, got {value!r}") from None
    if exact < minimum:
        raise ValueError(f"{name} must be {wanted}, got {exact}")
    return int(exact)
