"""Explorer of notebooks/05_convolution_layer.ipynb: one slider per argument of `course_lib.reports.conv_layer.report`."""

from __future__ import annotations

from course_lib.reports import conv_layer
from course_lib.widgets.base import Explorer, int_slider


def conv_layer_explorer(
    height: int = 12,
    width: int = 9,
    c_in: int = 3,
    c_out: int = 16,
    kernel: int = 3,
    stride: int = 2,
    padding: int = 1,
    dilation: int = 1,
) -> Explorer:
    """Sliders (ranges `conv_layer.LIMITS`) above the conv layer's receptive fields, im2col matrix and text."""
    start = dict(
        zip(
            conv_layer.ARGUMENTS, (height, width, c_in, c_out, kernel, stride, padding, dilation), strict=True
        )
    )
    controls = {name: int_slider(name, value, *conv_layer.LIMITS[name]) for name, value in start.items()}
    return Explorer(conv_layer.report, controls)
