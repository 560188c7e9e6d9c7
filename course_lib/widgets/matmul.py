"""Explorer of notebooks/01_matrix_multiplication.ipynb: sliders m, n, p above `course_lib.reports.matmul.report`."""

from __future__ import annotations

from course_lib.reports import matmul
from course_lib.widgets.base import Explorer, int_slider


def matmul_explorer(m: int = 64, n: int = 64, p: int = 64) -> Explorer:
    """Sliders m, n, p (`matmul.LIMITS`) above the product's cost, time and intensity."""
    controls = {
        name: int_slider(name, value, *matmul.LIMITS) for name, value in (("m", m), ("n", n), ("p", p))
    }
    return Explorer(matmul.report, controls)
