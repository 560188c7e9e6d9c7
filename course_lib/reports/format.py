"""Numbers and units, formatted one way across the course's reports.

Bytes use decimal (SI) units, as the published tables the course reproduces do
(CS231n's "93 MB" of VGG activations, torchinfo's summaries): kB = 10^3 bytes,
MB = 10^6 bytes, GB = 10^9 bytes. Counts use thousands separators when exact
and k / M / G / T suffixes when rounded.
"""

from __future__ import annotations

from decimal import Decimal

_BYTE_UNITS = ((10**12, "TB"), (10**9, "GB"), (10**6, "MB"), (10**3, "kB"))
_COUNT_UNITS = ((10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "k"))


def format_bytes(size: float, digits: int = 1) -> str:
    """``size`` bytes with the largest SI unit that keeps the number >= 1: ``format_bytes(93_000_000) == '93.0 MB'``."""
    for scale, unit in _BYTE_UNITS:
        if abs(size) >= scale:
            return f"{size / scale:,.{digits}f} {unit}"
    return f"{size:,.0f} B"


def format_count(count: float, digits: int = 2) -> str:
    """``count`` rounded with an SI suffix: ``format_count(15_470_264_320) == '15.47 G'``; below 1,000 exact."""
    for scale, unit in _COUNT_UNITS:
        if abs(count) >= scale:
            return f"{count / scale:,.{digits}f} {unit}"
    return f"{count:,.0f}" if float(count).is_integer() else f"{count:,.{digits}f}"


def format_int(count: int) -> str:
    """An exact integer with thousands separators: ``format_int(138357544) == '138,357,544'``."""
    return f"{count:,}"


def format_exact(count: int | Decimal) -> str:
    """An exact count with thousands separators below 10^15, else in scientific notation (4 digits):
    ``format_exact(19_683) == '19,683'``, ``format_exact(2**100) == '1.268e+30'``."""
    if isinstance(count, int) and count < 10**15:
        return f"{count:,}"
    return f"{Decimal(count):.3e}"


def format_ratio(numerator: float, denominator: float, digits: int = 2) -> str:
    """``numerator / denominator`` as ``'2.25x'``, or ``'-'`` when the denominator is 0."""
    if denominator == 0:
        return "-"
    return f"{numerator / denominator:.{digits}f}x"


def format_tick(value: float, unit: str = "") -> str:
    """An axis tick in SI form, as short as exact: ``format_tick(1.5e9) == '1.5 G'``,
    ``format_tick(2e6, 'B') == '2 MB'``, ``format_tick(0, 'B') == '0 B'``; below 1,000 as ``:g``."""
    for scale, prefix in _COUNT_UNITS:
        if abs(value) >= scale:
            return f"{value / scale:g} {prefix}{unit}"
    return f"{value:g} {unit}".rstrip()
