"""Explorer of notebooks/02_forward_propagation.ipynb: widths and batch above `course_lib.reports.forward.report`."""

from __future__ import annotations

from course_lib.reports import forward
from course_lib.widgets.base import Explorer, int_slider, text_box


def forward_explorer(widths: str = "784,256,128,10", batch: int = 64) -> Explorer:
    """A text box for the widths (applied on Enter) and a batch slider above the per-layer bars and table."""
    controls = {
        "widths": text_box("widths", widths),
        "batch": int_slider("batch", batch, *forward.BATCH_RANGE),
    }
    return Explorer(forward.report, controls)
