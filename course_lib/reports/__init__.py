"""The pure side of every widget experiment: ``report(**values) -> Report``.

A report function takes the values of an experiment's controls and returns a
`Report`: the short text a reader reads and a matplotlib figure drawn in the
course style. Reports compute only through `course_lib.complexity`,
`course_lib.summary`, `course_lib.architectures`, `course_lib.timing` and
`course_lib.validation`; they never import ipywidgets, so the CLI, the tests,
the benchmarks and a static notebook cell can all use them.
`course_lib.widgets.Explorer` is the thin front end that wires controls to one.

Numbers and units are formatted in one place, `course_lib.reports.format`.
"""

from course_lib.reports.base import Report, drop_minor_ticks, new_figure

__all__ = ["Report", "drop_minor_ticks", "new_figure"]
