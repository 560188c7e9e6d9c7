"""Widget experiment of notebooks/10_memory_precision_energy.ipynb: memory bars and the energy split.

The pure part is `course_lib.reports.memory.memory_report`; `memory_explorer`
puts a network and a precision dropdown and batch and segments sliders above
its figure and text.
"""

from __future__ import annotations

import ipywidgets as widgets

from course_lib.energy import PRECISIONS
from course_lib.reports.memory import MAX_BATCH, MAX_SEGMENTS, NETWORKS, memory_report
from course_lib.widgets.base import Explorer, int_slider


def memory_explorer(
    network: str = "mlp", batch: int = 32, precision: str = "float32", segments: int = 1
) -> Explorer:
    """Dropdowns of `NETWORKS` and `PRECISIONS`, sliders for the batch (1..256) and the segments (1..12)."""
    memory_report(network, batch, precision, segments)  # bad arguments fail here, naming themselves
    return Explorer(
        memory_report,
        {
            "network": widgets.Dropdown(options=list(NETWORKS), value=network, description="network"),
            "batch": int_slider("batch", batch, 1, MAX_BATCH),
            "precision": widgets.Dropdown(options=list(PRECISIONS), value=precision, description="precision"),
            "segments": int_slider("segments", segments, 1, MAX_SEGMENTS),
        },
    )
