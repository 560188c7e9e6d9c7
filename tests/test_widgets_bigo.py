"""Wiring of the growth explorer (course_lib.widgets.bigo): its sliders drive `growth_report`."""

from __future__ import annotations

from report_checks import panel_text

from course_lib.reports.bigo import FACTOR_RANGE, N_RANGE, report
from course_lib.widgets.bigo import growth_explorer


def test_sliders_drive_the_report() -> None:
    explorer = growth_explorer(n=8, factor=2)
    assert [(c.min, c.max) for c in explorer.controls.values()] == [N_RANGE, FACTOR_RANGE]
    assert panel_text(explorer) == report(8, 2).text
    before = explorer.figure_view.value
    explorer.controls["factor"].value = 3
    assert explorer.values() == {"n": 8, "factor": 3}
    assert panel_text(explorer) == report(8, 3).text
    assert explorer.figure_view.value != before
