"""Input checks shared by the MLP modules: each raises ValueError naming the argument."""

from __future__ import annotations

import numpy as np


def as_float_array(name: str, value: object) -> np.ndarray:
    """``value`` as a floating-point array (integers become float64), or ValueError naming ``name``."""
    array = np.asarray(value)
    if array.dtype.kind in "biu":
        return array.astype(np.float64)
    if array.dtype.kind != "f":
        raise ValueError(f"{name} must hold real numbers, got dtype {array.dtype}")
    return array


def check_finite(name: str, array: np.ndarray) -> None:
    """ValueError naming ``name`` if ``array`` holds a NaN or an infinity."""
    if not np.isfinite(array).all():
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise ValueError(f"{name} must be finite, but {bad} of its {array.size} entries are NaN or infinite")


def check_batch(name: str, array: np.ndarray, features: int | None = None) -> None:
    """``array`` must be a non-empty 2-D batch (B, features) with B >= 1."""
    expected = f"(B, {features})" if features is not None else "(B, n)"
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D batch of shape {expected}, got shape {array.shape}")
    if array.shape[0] == 0:
        raise ValueError(f"{name} is an empty batch (B = 0), shape {array.shape}; B must be >= 1")
    if features is not None and array.shape[1] != features:
        raise ValueError(f"{name} must have shape {expected}, got shape {array.shape}")
    if array.shape[1] == 0:
        raise ValueError(f"{name} has no features, shape {array.shape}")


def check_shape(name: str, array: np.ndarray, expected: tuple[int, ...]) -> None:
    """ValueError naming ``name`` unless ``array.shape == expected``."""
    if array.shape != expected:
        raise ValueError(f"{name} must have shape {expected}, got shape {array.shape}")


def positive_number(name: str, value: object) -> float:
    """``value`` as a finite float > 0, or ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    number = float(value)
    if not np.isfinite(number) or number <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return number


def positive_int(name: str, value: object) -> int:
    """``value`` as an int >= 1, or ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer (>= 1), got {value}")
    return int(value)
