"""`Report`, what every experiment's pure report function returns, and the figure factory.

Figures are built with `matplotlib.figure.Figure` directly, never through
``pyplot``: nothing is registered in pyplot's global list of open figures, so
an explorer that redraws on every move of a slider holds no growing memory, and
a figure is freed as soon as its `Report` is.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from course_lib.plotting import STYLE

PNG_DPI = 100
"""Resolution of `Report.png`; with the course's figure sizes, 640 px wide images."""


def new_figure(width: float = 6.4, height: float = 3.6, **subplots: Any) -> tuple[Figure, Any]:
    """A course-style `Figure` of ``width`` x ``height`` inches and its axes (``Figure.subplots(**subplots)``).

    The style (`course_lib.plotting.STYLE`) is applied to this figure only, so
    calling it never changes the notebook's global matplotlib settings.
    """
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(width, height), layout="constrained")
        axes = fig.subplots(**subplots)
    return fig, axes


def drop_minor_ticks(*axes: Axes) -> None:
    """Remove the minor ticks of ``axes`` (both directions).

    A log axis spanning many decades carries eight minor ticks per decade, each
    a tick object matplotlib lays out on every draw: on a figure with a twin log
    axis they more than double the time of `Report.png`, and an explorer redraws
    at every move of a slider.
    """
    for ax in axes:
        ax.xaxis.set_minor_locator(NullLocator())
        ax.yaxis.set_minor_locator(NullLocator())


@dataclass(frozen=True, eq=False)
class Report:
    """The text and the figure of one experiment at one setting of its controls.

    ``text`` is plain text (monospace-friendly, at most about 90 characters a
    line); ``figure`` is a matplotlib `Figure` with labelled axes and units.
    In a notebook, ``report.show()`` displays the figure and then prints the
    text: the static fallback cell after every widget.
    """

    text: str
    figure: Figure

    def png(self) -> bytes:
        """The figure as PNG bytes (what the explorer shows)."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=PNG_DPI)
        return buffer.getvalue()

    def show(self) -> None:
        """Display the figure, then print the text (for a notebook cell)."""
        from IPython.display import Image, display

        display(Image(self.png()))
        print(self.text)

    def __str__(self) -> str:
        return self.text
