"""ipywidgets front ends of the course's experiments, one submodule per notebook.

Each submodule holds a pure ``*_report`` function (unit-tested over its whole
slider range) and an ``*_explorer`` builder that wraps it in an `Explorer`
(see `course_lib.widgets.base`). Notebooks import from the submodule they use,
e.g. ``from course_lib.widgets.matmul import matmul_explorer, matmul_report``.

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
roofline           09 from FLOPs to seconds
learning_theory    11 learning-theory aside
=================  ============================================================
"""

from course_lib.widgets.base import Explorer, int_slider, log_slider, text_box

__all__ = ["Explorer", "int_slider", "log_slider", "text_box"]
