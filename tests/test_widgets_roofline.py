"""Wiring of the roofline explorer (notebooks/09_from_flops_to_seconds.ipynb); the report is tested
in tests/test_reports_roofline.py."""

from __future__ import annotations

import html

import pytest

from course_lib.reports import roofline
from course_lib.widgets.roofline import roofline_explorer


def test_layer_list_and_batch_slider_wired_to_the_report():
    explorer = roofline_explorer(150.0, 20.0, measure=False)
    assert list(explorer.controls) == ["layer", "batch"]
    assert explorer.values() == {"layer": "dense 784->512", "batch": 1}
    assert list(explorer.controls["layer"].options) == list(roofline.LAYERS)
    assert explorer.controls["batch"].max == roofline.SLIDER_MAX
    first = bytes(explorer.figure_view.value)
    explorer.controls["batch"].value = 4
    assert (
        html.unescape(explorer.panel.value) == f"<pre>{roofline.text('dense 784->512', 4, 150.0, 20.0)}</pre>"
    )
    assert bytes(explorer.figure_view.value) not in (first, b"")


def test_explorer_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="layer"):
        roofline_explorer(100.0, 10.0, layer="nope")
    with pytest.raises(ValueError, match="batch"):
        roofline_explorer(100.0, 10.0, batch=roofline.MAX_BATCH + 1)
    with pytest.raises(ValueError, match="peak_gflops"):
        roofline_explorer(-1, 10.0)
