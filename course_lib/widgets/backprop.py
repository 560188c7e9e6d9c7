"""Explorer of notebooks/03_backpropagation.ipynb: widths and batch above `course_lib.reports.backprop.report`."""

from __future__ import annotations

from course_lib.reports import backprop
from course_lib.widgets.base import Explorer, int_slider, text_box


def backprop_explorer(widths: str = "784,256,10", batch: int = 64) -> Explorer:
    """A widths text box and a batch slider above the forward/backward bars, the ratio and the table."""
    controls = {
        "widths": text_box("widths", widths),
        "batch": int_slider("batch", batch, *backprop.BATCH_RANGE),
    }
    return Explorer(backprop.report, controls)
