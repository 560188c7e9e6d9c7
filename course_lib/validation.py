"""Every argument check of the package, in one place: errors that name the argument.

Each check returns the value in a canonical form (a Python ``int``, ``bool``,
``float``, a tuple of ints or a float array) or raises ``ValueError`` whose
message names the argument, says what was expected and shows what came.
Standard library and numpy only, so every layer of the package (``complexity``
included) can use it without depending on the implementations it checks.

Where the checks go: where data enters (a public call with new arrays, a
constructor, a parameter update), never on the internal calls of a hot loop.
"""

from __future__ import annotations

import operator
import os
import re
from collections.abc import Collection, Sequence
from typing import TypeVar

import numpy as np
from numpy.typing import DTypeLike

T = TypeVar("T")

INT64_MAX = 2**63 - 1
"""Largest integer `parse_int_list` accepts without an explicit ``high``: beyond it no size is meaningful."""

FLOAT_DTYPES = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))
"""The floating dtypes kept as they are by `as_float_array` (integers and bools become float64)."""

# ---------------------------------------------------------------- scalars


def _int_wanted(low: int | None, high: int | None) -> str:
    if high is not None:
        return f"an integer between {low} and {high}" if low is not None else f"an integer <= {high}"
    if low == 1:
        return "a positive integer"
    if low == 0:
        return "a non-negative integer"
    return "an integer" if low is None else f"an integer >= {low}"


def _exact_int(value: object) -> int | None:
    """``value`` as an int if it is a Python/numpy integer or a 0-d integer array; None otherwise."""
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, np.ndarray) and (value.ndim != 0 or value.dtype.kind not in "iu"):
        return None
    try:
        return int(operator.index(value))  # type: ignore[arg-type]
    except TypeError:
        return None


def require_int(name: str, value: object, low: int | None = 1, high: int | None = None) -> int:
    """``value`` as a Python int in ``[low, high]`` (either bound may be None), or ValueError naming ``name``.

    Accepts Python ints, numpy integers and 0-d integer arrays; rejects bools,
    floats (even ``2.0``) and strings, so ``stride=1.5`` or ``batch=True`` never
    pass silently.
    """
    wanted = _int_wanted(low, high)
    exact = _exact_int(value)
    if exact is None:
        raise ValueError(f"{name} must be {wanted}, got {value!r}")
    if (low is not None and exact < low) or (high is not None and exact > high):
        raise ValueError(f"{name} must be {wanted}, got {exact}")
    return exact


def require_bool(name: str, value: object) -> bool:
    """``value`` as a Python bool; only True, False and numpy bools pass (not 0, 1 or ``"no"``)."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise ValueError(f"{name} must be True or False, got {value!r}")


def _bounds_text(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    parts = []
    if low is not None:
        parts.append(f"{'>' if low_open else '>='} {low:g}")
    if high is not None:
        parts.append(f"{'<' if high_open else '<='} {high:g}")
    return "a finite real number" + (" " + " and ".join(parts) if parts else "")


def require_real(
    name: str,
    value: object,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``value`` as a finite Python float within the bounds, or ValueError naming ``name``.

    ``low``/``high`` are inclusive unless ``low_open``/``high_open``. Accepts
    Python and numpy integers and floats (and 0-d real arrays); rejects bools,
    strings, complex numbers, NaN and infinities.
    """
    wanted = _bounds_text(low, high, low_open, high_open)
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be {wanted}, got {value!r}")
    number = float(value)
    inside = np.isfinite(number)
    if low is not None:
        inside = inside and (number > low if low_open else number >= low)
    if high is not None:
        inside = inside and (number < high if high_open else number <= high)
    if not inside:
        raise ValueError(f"{name} must be {wanted}, got {value!r}")
    return number


def require_choice(name: str, value: object, choices: Collection[T]) -> T:
    """The member of ``choices`` equal to ``value``, or ValueError naming ``name`` and listing the choices.

    A bool never matches a non-bool choice (``True`` is not the choice ``1``).
    """
    for choice in choices:
        if isinstance(value, bool | np.bool_) != isinstance(choice, bool | np.bool_):
            continue
        try:
            equal = value == choice
        except Exception:  # an object that cannot be compared with a choice is no match
            continue
        if isinstance(equal, bool | np.bool_) and equal:
            return choice
    listed = ", ".join(repr(choice) for choice in choices)
    raise ValueError(f"{name} must be one of {listed}; got {value!r}")


def require_pair(name: str, value: object, low: int = 1) -> tuple[int, int]:
    """``value`` as a (height, width) pair of ints >= ``low``, or ValueError naming ``name``.

    One integer stands for both dimensions; two may come as a tuple, a list or a
    1-D array of length 2 (numpy integers included). A bad entry is named with its
    index (``kernel[1] must be a positive integer, got 0``).
    """
    if isinstance(value, tuple | list) or (isinstance(value, np.ndarray) and value.ndim == 1):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a (height, width) pair, got {value!r}")
        return require_int(f"{name}[0]", value[0], low), require_int(f"{name}[1]", value[1], low)
    single = require_int(name, value, low)
    return single, single


def require_plain_conv(method: str, stride: object, dilation: object, groups: object) -> None:
    """ValueError unless a convolution has stride 1, dilation 1 (int or pair) and one group: the layers
    ``method`` (``"fft"``, ``"winograd"``) computes; the message names ``method`` and the property
    (``fft needs stride 1, got stride 2``)."""
    if require_pair("stride", stride, 1) != (1, 1):
        raise ValueError(f"{method} needs stride 1, got stride {stride!r}")
    if require_pair("dilation", dilation, 1) != (1, 1):
        raise ValueError(f"{method} needs dilation 1, got dilation {dilation!r}")
    if groups != 1:
        raise ValueError(f"{method} needs groups=1, got groups={groups!r}")


# ---------------------------------------------------------------- lists of integers

_TOKEN = re.compile(r"[+-]?[0-9]+")


def _list_wanted(low: int | None, high: int | None, min_len: int, max_len: int | None) -> str:
    if max_len is None:
        count = f"at least {min_len} integer" + ("" if min_len == 1 else "s")
    elif max_len == min_len:
        count = f"exactly {min_len} integer" + ("" if min_len == 1 else "s")
    else:
        count = f"{min_len} to {max_len} integers"
    if low is not None and high is not None:
        return f"{count} between {low} and {high}"
    if low is not None:
        return f"{count} >= {low}"
    return count if high is None else f"{count} <= {high}"


def _text_entries(name: str, text: str, wanted: str) -> list[str]:
    if not text.strip():
        raise ValueError(f"{name} is empty; expected {wanted}, e.g. '784, 256, 10'")
    entries: list[str] = []
    for field in text.split(","):
        tokens = field.split()
        if not tokens:
            raise ValueError(
                f"{name} has an empty entry (two commas in a row, or a comma at an end): {text!r}"
            )
        entries.extend(tokens)
    return entries


def parse_int_list(
    name: str,
    value: object,
    *,
    low: int | None = 1,
    high: int | None = None,
    min_len: int = 1,
    max_len: int | None = None,
) -> tuple[int, ...]:
    """A tuple of ints from text or a sequence, or ValueError naming ``name``.

    Text may separate the integers by commas, spaces or both (``"784 256 10"``,
    ``"784,256,10"``, ``"784, 256 ,10"``); an empty entry (``"784,,10"``) and
    anything but ASCII digits with an optional sign (``"²"``, ``"2.5"``) are
    refused. A list, tuple or 1-D numpy array of integers is accepted too. Each
    integer must lie in ``[low, high]``; without ``high``, numbers beyond
    `INT64_MAX` are refused as too large to be a size. The count must lie in
    ``[min_len, max_len]``.
    """
    ceiling = INT64_MAX if high is None else high
    wanted = _list_wanted(low, high, min_len, max_len)
    items: Sequence[object]
    if isinstance(value, str):
        items = _text_entries(name, value, wanted)
    elif isinstance(value, np.ndarray):
        if value.ndim != 1:
            raise ValueError(f"{name} must be {wanted} (a 1-D array), got an array of shape {value.shape}")
        items = list(value)
    elif isinstance(value, list | tuple | range):
        items = value
    else:
        raise ValueError(f"{name} must be {wanted} (text like '784, 256, 10' or a list), got {value!r}")
    numbers = []
    for i, item in enumerate(items):
        entry = f"{name}[{i}]"
        if isinstance(value, str):
            assert isinstance(item, str)
            if not (item.isascii() and _TOKEN.fullmatch(item)):
                raise ValueError(f"{name} must be {wanted}; {entry} is {item!r}, not a whole number")
            if len(item.lstrip("+-").lstrip("0")) > len(str(ceiling)):
                raise ValueError(f"{name} must be {wanted}; {entry} = {item} is too large (limit {ceiling})")
            number = int(item)
        else:
            exact = _exact_int(item)
            if exact is None:
                raise ValueError(f"{name} must be {wanted}; {entry} is {item!r}, not an integer")
            number = exact
        if (low is not None and number < low) or number > ceiling:
            limit = "" if high is not None or number < ceiling else f" (too large; limit {ceiling})"
            raise ValueError(f"{name} must be {wanted}; {entry} is {number}{limit}")
        numbers.append(number)
    if len(numbers) < min_len or (max_len is not None and len(numbers) > max_len):
        raise ValueError(f"{name} must be {wanted}, got {len(numbers)}: {value!r}")
    return tuple(numbers)


# ---------------------------------------------------------------- arrays


def as_float_array(
    name: str, value: object, *, ndim: int | None = None, dtype: DTypeLike | None = None
) -> np.ndarray:
    """``value`` as a real floating-point array: the one dtype rule of ``mlp`` and ``conv``.

    Integers and bools become float64; float16, float32 and float64 are kept
    (no copy); complex, object, string and other dtypes raise ValueError naming
    ``name``. With ``dtype`` given, the accepted array is cast to it (e.g. a bias
    to the input's dtype). With ``ndim`` given, the number of dimensions must match.
    """
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"{name} must be an array of real numbers; numpy could not read it ({error})"
        ) from None
    kind = array.dtype.kind
    if kind in "biu":
        array = array.astype(np.float64)
    elif array.dtype not in FLOAT_DTYPES:
        what = {"c": "complex numbers", "O": "Python objects", "U": "text", "S": "bytes"}.get(kind, "")
        held = f" ({what})" if what else ""
        raise ValueError(
            f"{name} must hold real numbers (float16/32/64, or integers), got dtype {array.dtype}{held}"
        )
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got shape {array.shape}")
    if dtype is not None:
        array = array.astype(dtype, copy=False)
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


def check_ndim(name: str, array: np.ndarray, ndim: int, layout: str) -> None:
    """ValueError naming ``name`` unless ``array`` has ``ndim`` non-empty dimensions (``layout`` says which)."""
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D {layout}, got shape {array.shape}")
    if 0 in array.shape:
        raise ValueError(f"{name} has an empty dimension, shape {array.shape}")


def check_instance(name: str, value: object, kind: type | tuple[type, ...], what: str) -> None:
    """ValueError naming ``name`` unless ``value`` is a ``kind`` (``what`` says where it comes from)."""
    if not isinstance(value, kind):
        raise ValueError(f"{name} must be {what}, got {'None' if value is None else type(value).__name__}")


# ---------------------------------------------------------------- memory

_ALWAYS_FITS = 64 * 2**20
"""Allocations up to 64 MiB are never checked: reading /proc/meminfo would cost more than they risk."""


def available_memory() -> int:
    """Bytes of memory available to a new allocation: ``MemAvailable`` of /proc/meminfo, else os.sysconf."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 2**63 - 1  # unknown: let numpy decide


def format_bytes(nbytes: int) -> str:
    """``nbytes`` with a binary unit: ``format_bytes(3 * 2**30) == '3.0 GiB'``."""
    size = float(nbytes)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if size < 1024 or unit == "PiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def array_nbytes(shape: Sequence[int], dtype: DTypeLike = np.float64) -> int:
    """Bytes of an array of ``shape`` and ``dtype``, as an exact Python int (no overflow)."""
    total = np.dtype(dtype).itemsize
    for size in shape:
        total *= int(size)
    return total


def check_allocation(name: str, nbytes: int, what: str) -> None:
    """ValueError giving the size and the limit if ``nbytes`` exceeds the memory available now.

    ``name`` is the argument responsible, ``what`` the buffer (e.g. "the padded
    input (1, 1, 200001, 200001) float64"). Call it before a large allocation, so
    a bad size gets a sentence instead of numpy's ``MemoryError``.
    """
    nbytes = int(nbytes)
    if nbytes <= _ALWAYS_FITS:
        return
    limit = available_memory()
    if nbytes > limit:
        raise ValueError(
            f"{name} too large: {what} would need {format_bytes(nbytes)}, more than the "
            f"{format_bytes(limit)} of memory available on this machine"
        )
