"""Wiring of the MobileNet explorer (notebooks/07_designing_efficient_cnns.ipynb); the report is tested
in tests/test_reports_efficient.py."""

from __future__ import annotations

import html

import pytest

from course_lib.reports import efficient
from course_lib.widgets.efficient import efficient_explorer


def test_width_and_resolution_sliders_wired_to_the_report() -> None:
    explorer = efficient_explorer(0.5, 160)
    assert explorer.report is efficient.report
    width, side = explorer.controls["width_multiplier"], explorer.controls["resolution"]
    assert (width.min, width.max, width.step) == (*efficient.LIMITS["width_multiplier"], efficient.WIDTH_STEP)
    assert (side.min, side.max, side.step) == (*efficient.LIMITS["resolution"], efficient.RESOLUTION_STEP)
    first = bytes(explorer.figure_view.value)
    side.value = 288
    assert html.unescape(explorer.panel.value) == f"<pre>{efficient.text(0.5, 288)}</pre>"
    assert bytes(explorer.figure_view.value) not in (first, b"")


def test_explorer_rejects_a_start_outside_the_sliders() -> None:
    with pytest.raises(ValueError, match="resolution"):
        efficient_explorer(1.0, 400)
