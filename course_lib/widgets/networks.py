"""Explorer of notebooks/06_cnn_time_and_space.ipynb: a network list and a batch slider over
`course_lib.reports.networks.report`."""

from __future__ import annotations

from course_lib import architectures
from course_lib.reports import networks
from course_lib.widgets.base import Explorer, dropdown, int_slider


def network_explorer(name: str = "vgg16", batch: int = 1) -> Explorer:
    """A list of ``architectures.names()`` and a batch slider (`networks.LIMITS`) above the per-layer bars."""
    controls = {
        "name": dropdown("network", name, architectures.names()),
        "batch": int_slider("batch", batch, *networks.LIMITS["batch"]),
    }
    return Explorer(networks.report, controls)
