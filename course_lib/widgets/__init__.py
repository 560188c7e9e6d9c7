"""ipywidgets front ends of the course's experiments, one submodule per notebook.

Each submodule holds an ``*_explorer`` builder that wires controls to a pure
report function (in `course_lib.reports` once migrated; unit-tested over its
whole control range there) with an `Explorer` (see `course_lib.widgets.base`).
Notebooks import the explorer from here and the report from `course_lib.reports`.

=================  ============================================================
submodule          notebook
=================  ============================================================
bigo               00 start here (growth of counted work with n)
matmul             01 matrix multiplication
forward            02 forward propagation
backprop           03 backpropagation
training           04 gradient descent
conv_layer         05 the convolution layer
networks           06 CNN time and space
efficient          07 designing efficient CNNs (MobileNet width and resolution)
fast               08 fast algorithms (Winograd tiling, transforms and costs)
roofline           09 from FLOPs to seconds
learning_theory    11 learning-theory aside (search-space size, gradient descent on XOR)
playground         12 complexity playground (four tabs over the reports of 02, 03, 05, 06, 09)
=================  ============================================================
"""

from course_lib.widgets.base import Explorer, dropdown, float_slider, int_slider, log_slider, text_box

__all__ = ["Explorer", "dropdown", "float_slider", "int_slider", "log_slider", "text_box"]
