"""Wiring of the convolution-layer explorer (notebooks/05_convolution_layer.ipynb); the report is tested
in tests/test_reports_conv_layer.py."""

from __future__ import annotations

import html

from course_lib.reports import conv_layer
from course_lib.widgets.conv_layer import conv_layer_explorer


def test_one_slider_per_argument_wired_to_the_report() -> None:
    explorer = conv_layer_explorer(
        height=8, width=8, c_in=2, c_out=4, kernel=3, stride=1, padding=1, dilation=1
    )
    assert explorer.report is conv_layer.report
    assert list(explorer.controls) == list(conv_layer.ARGUMENTS)
    for name, control in explorer.controls.items():
        assert (control.min, control.max) == conv_layer.LIMITS[name]
    first = bytes(explorer.figure_view.value)
    assert html.unescape(explorer.panel.value) == f"<pre>{conv_layer.text(8, 8, 2, 4, 3, 1, 1, 1)}</pre>"
    explorer.controls["stride"].value = 2
    assert html.unescape(explorer.panel.value) == f"<pre>{conv_layer.text(8, 8, 2, 4, 3, 2, 1, 1)}</pre>"
    assert bytes(explorer.figure_view.value) not in (first, b"")
