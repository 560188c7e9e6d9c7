"""Diagrams drawn by code, where a structure is the lesson: one module per diagram.

Each module has one public ``draw_...`` function that returns a
`matplotlib.figure.Figure` built with `course_lib.reports.base.new_figure`
(never through pyplot), so notebooks show it, ``export_figure`` writes it to
``figures/`` and tests read its labels. The numbers written on a diagram come
from `course_lib.complexity`, never typed in by hand.

Import the function from its module (``from course_lib.diagrams.network import
draw_network``); this package re-exports nothing, so that modules written in
parallel never touch the same file.
"""
