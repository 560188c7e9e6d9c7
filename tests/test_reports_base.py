"""Tests of the reports layer's foundations: `Report`, `new_figure` and the number formats."""

from __future__ import annotations

import subprocess
import sys

import matplotlib.pyplot as plt
import pytest

from course_lib.reports import Report, new_figure
from course_lib.reports.format import (
    format_bytes,
    format_count,
    format_exact,
    format_int,
    format_ratio,
    format_tick,
)


def _report(n: int) -> Report:
    fig, ax = new_figure()
    ax.plot(range(n), range(n))
    ax.set_xlabel("n")
    return Report(f"n = {n}", fig)


def test_png_is_a_png_of_the_figure_size():
    png = _report(3).png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    assert (width, height) == (640, 360)  # 6.4 x 3.6 inches at 100 dpi


def test_figures_stay_out_of_pyplot():
    before = plt.get_fignums()
    for n in range(1, 6):
        _report(n).png()
    assert plt.get_fignums() == before


def test_new_figure_does_not_change_global_style():
    import matplotlib as mpl

    with mpl.rc_context({"axes.spines.top": True}):
        _fig, ax = new_figure()
        assert not ax.spines["top"].get_visible()  # the course style, applied to this figure
        assert mpl.rcParams["axes.spines.top"]  # and not to the global settings


def test_str_is_the_text():
    assert str(_report(4)) == "n = 4"


def test_reports_never_import_ipywidgets():
    code = "import sys, course_lib.reports, course_lib.reports.format; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 B"), (999, "999 B"), (1_000, "1.0 kB"), (93_000_000, "93.0 MB"), (1_280_000_000, "1.3 GB")],
)
def test_format_bytes_uses_si_units(size, text):
    assert format_bytes(size) == text


@pytest.mark.parametrize(
    ("count", "text"),
    [(7, "7"), (999, "999"), (1_500, "1.50 k"), (15_470_264_320, "15.47 G"), (2.5, "2.50")],
)
def test_format_count(count, text):
    assert format_count(count) == text


def test_format_int_and_ratio():
    assert format_int(138_357_544) == "138,357,544"
    assert format_ratio(9, 4) == "2.25x"
    assert format_ratio(1, 0) == "-"


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (1.5e9, "", "1.5 G"),
        (500e6, "", "500 M"),
        (2e6, "B", "2 MB"),
        (1e3, "B", "1 kB"),
        (0, "B", "0 B"),
        (2.5, "", "2.5"),
    ],
)
def test_format_tick_is_as_short_as_exact(value, unit, text):
    assert format_tick(value, unit) == text


def test_format_exact_is_exact_below_10_to_the_15():
    assert format_exact(999_999_999_999_999) == "999,999,999,999,999"
    assert format_exact(10**15) == "1.000e+15"
    assert format_exact(2**100) == "1.268e+30"  # 1,267,650,600,228,229,401,496,703,205,376
