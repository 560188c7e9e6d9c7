"""The one widget pattern of the course: controls on top, a text report below.

Every widget experiment is a *pure* report function ``report(**values) -> str``
(unit-tested over its whole slider range) plus `explorer`, which puts a control
per argument above an HTML panel and re-renders the report whenever a control
moves. Notebooks print ``report(...)`` for one setting in the next cell so the
result reads where widgets do not render (GitHub, static HTML), and nbval
compares that printed text.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping

import ipywidgets as widgets


class Explorer(widgets.VBox):
    """A VBox of ``controls`` (name -> widget) and a panel showing ``report(**values)``."""

    def __init__(self, report: Callable[..., str], controls: Mapping[str, widgets.ValueWidget]) -> None:
        self.report = report
        self.controls = dict(controls)
        self.panel = widgets.HTML()
        super().__init__(children=[*self.controls.values(), self.panel])
        for control in self.controls.values():
            control.observe(self.refresh, names="value")
        self.refresh()

    def values(self) -> dict[str, object]:
        """The current value of every control, by argument name."""
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self, _change: object = None) -> None:
        """Recompute the report for the current control values."""
        text = self.report(**self.values())
        self.panel.value = f"<pre>{html.escape(text)}</pre>"


def int_slider(name: str, value: int, low: int, high: int, step: int = 1) -> widgets.IntSlider:
    """A labelled integer slider that reports only when released (no flood of recomputation)."""
    if not low <= value <= high:
        raise ValueError(f"slider {name}: value {value} is outside [{low}, {high}]")
    return widgets.IntSlider(
        value=value,
        min=low,
        max=high,
        step=step,
        description=name,
        continuous_update=False,
        style={"description_width": "initial"},
    )
