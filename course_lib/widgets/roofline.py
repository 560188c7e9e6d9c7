"""Explorer of notebooks/09_from_flops_to_seconds.ipynb: a layer list and a batch slider over
`course_lib.reports.roofline.measured_report` on the machine the notebook measured."""

from __future__ import annotations

from functools import partial

from course_lib.reports import roofline
from course_lib.widgets.base import Explorer, dropdown, int_slider


def roofline_explorer(
    peak_gflops: float,
    bandwidth_gbs: float,
    layer: str = "dense 784->512",
    batch: int = 1,
    measure: bool = True,
) -> Explorer:
    """A layer list (`roofline.LAYERS`) and a batch slider (1 to `roofline.SLIDER_MAX`) above the layer
    on the roofline of a machine of ``peak_gflops`` and ``bandwidth_gbs``; with ``measure`` the kernel is
    also timed when that is quick (`roofline.measurable`)."""
    report = partial(
        roofline.measured_report, peak_gflops=peak_gflops, bandwidth_gbs=bandwidth_gbs, measure=measure
    )
    roofline.text(layer, batch, peak_gflops, bandwidth_gbs)  # bad arguments raise here, not in the panel
    controls = {
        "layer": dropdown("layer", layer, list(roofline.LAYERS)),
        "batch": int_slider("batch", batch, 1, roofline.SLIDER_MAX),
    }
    return Explorer(report, controls)
