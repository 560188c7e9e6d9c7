"""Wiring of the matrix-product explorer (course_lib.widgets.matmul): sliders m, n, p drive the report."""

from __future__ import annotations

from report_checks import panel_text

from course_lib.reports.matmul import LIMITS, text
from course_lib.widgets.matmul import matmul_explorer


def test_sliders_drive_the_report() -> None:
    explorer = matmul_explorer(m=4, n=4, p=4)
    assert list(explorer.controls) == ["m", "n", "p"]
    assert all((c.min, c.max) == LIMITS for c in explorer.controls.values())
    assert panel_text(explorer) == text(4, 4, 4)
    before = explorer.figure_view.value
    explorer.controls["n"].value = 10
    assert explorer.values() == {"m": 4, "n": 10, "p": 4}
    assert panel_text(explorer) == text(4, 10, 4)
    assert explorer.figure_view.value != before
