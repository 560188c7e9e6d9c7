"""Wiring of the forward explorer (course_lib.widgets.forward): the widths box and batch slider drive the report."""

from __future__ import annotations

from report_checks import panel_text

from course_lib.reports.forward import BATCH_RANGE, text
from course_lib.widgets.base import INVALID
from course_lib.widgets.forward import forward_explorer


def test_controls_drive_the_report_and_a_typo_shows_a_message() -> None:
    explorer = forward_explorer(widths="3,4,2", batch=1)
    assert list(explorer.controls) == ["widths", "batch"]
    assert (explorer.controls["batch"].min, explorer.controls["batch"].max) == BATCH_RANGE
    assert not explorer.controls["widths"].continuous_update
    assert panel_text(explorer) == text("3,4,2", 1)
    before = explorer.figure_view.value
    explorer.controls["batch"].value = 10
    assert panel_text(explorer) == text("3,4,2", 10) and explorer.figure_view.value != before
    explorer.controls["widths"].value = "3,4,abc"
    assert panel_text(explorer).startswith(f"{INVALID}widths must be") and "'abc'" in panel_text(explorer)
    explorer.controls["widths"].value = "10,20,5"
    assert panel_text(explorer) == text("10,20,5", 10)
