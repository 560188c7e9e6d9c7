"""Wiring of the backprop explorer (course_lib.widgets.backprop): widths box and batch slider drive the report."""

from __future__ import annotations

from report_checks import panel_text

from course_lib.reports.backprop import BATCH_RANGE, text
from course_lib.widgets.backprop import backprop_explorer
from course_lib.widgets.base import INVALID


def test_controls_drive_the_report_and_a_typo_shows_a_message() -> None:
    explorer = backprop_explorer(widths="8,4", batch=2)
    assert list(explorer.controls) == ["widths", "batch"]
    assert (explorer.controls["batch"].min, explorer.controls["batch"].max) == BATCH_RANGE
    assert panel_text(explorer) == text("8,4", 2)
    before = explorer.figure_view.value
    explorer.controls["batch"].value = 1
    assert panel_text(explorer) == text("8,4", 1) and explorer.figure_view.value != before
    explorer.controls["widths"].value = "8,four"
    assert panel_text(explorer).startswith(f"{INVALID}widths must be") and "'four'" in panel_text(explorer)
    assert explorer.figure_view.layout.display == "none"
