"""ipywidgets front ends of the course's experiments (see `course_lib.widgets.base`).

Each experiment module holds a pure ``*_report`` function and a builder that
wraps it in an `Explorer`.
"""

from course_lib.widgets.base import Explorer, int_slider
from course_lib.widgets.bigo import growth_counts, growth_explorer, growth_report

__all__ = ["Explorer", "growth_counts", "growth_explorer", "growth_report", "int_slider"]
