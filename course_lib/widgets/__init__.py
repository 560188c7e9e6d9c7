"""ipywidgets front ends of the course's experiments (see `course_lib.widgets.base`).

Each experiment module holds a pure ``*_report`` function and a builder that
wraps it in an `Explorer`.
"""

from course_lib.widgets.base import Explorer, int_slider

__all__ = ["Explorer", "int_slider"]
