"""Explorer of notebooks/00_start_here.ipynb: sliders n and f above `course_lib.reports.bigo.report`."""

from __future__ import annotations

from course_lib.reports import bigo
from course_lib.widgets.base import Explorer, int_slider


def growth_explorer(n: int = 8, factor: int = 2) -> Explorer:
    """Sliders for the size n and the growth factor f above the growth figure and table."""
    controls = {
        "n": int_slider("n", n, *bigo.N_RANGE),
        "factor": int_slider("factor", factor, *bigo.FACTOR_RANGE),
    }
    return Explorer(bigo.report, controls)
