"""The one widget pattern of the course: controls, then the report's figure, then its text.

Every widget experiment is a *pure* report function ``report(**values) -> Report``
in `course_lib.reports` (unit-tested over its whole control range) plus an
`Explorer`, which puts one control per argument above an image of the report's
figure and a panel with its text, and redraws both when a control is released.
Notebooks show ``report(...).show()`` for one setting in the next cell, so the
figure and text read where widgets do not render (GitHub, the static site), and
nbval compares that printed text.

A report that rejects the values (a typo in a text box) raises ValueError; the
explorer then shows ``invalid input: <message>`` in the panel and hides the
figure, instead of a traceback. During the second edition's migration a report
may still return a plain string; the explorer then shows the text alone.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import ipywidgets as widgets

from course_lib.reports import Report

FIGURE_MAX_WIDTH = "720px"
"""Widest the explorer's picture is drawn; it shrinks with a narrower window, keeping its aspect ratio."""

INVALID = "invalid input: "
"""How the panel starts when the report rejected the controls' values (followed by the ValueError's message)."""


WIDGET_REPR_PREFIX = "Widget experiment (controls: "
"""Start of an explorer's plain-text form; tests/nbval_sanitize.cfg matches it."""

RUN_HINT = "Run the notebook's cells (Run > Run All Cells) to use it; the next cell shows one setting."
"""The hint a reader sees in place of a widget that has not been drawn yet."""


class Explorer(widgets.VBox):
    """Controls (name -> widget), the figure of ``report(**values)`` and its text, redrawn on release."""

    def __init__(
        self, report: Callable[..., Report | str], controls: Mapping[str, widgets.ValueWidget]
    ) -> None:
        self.report = report
        self.controls = dict(controls)
        self.figure_view = widgets.Image(
            format="png",
            layout=widgets.Layout(
                width="100%", max_width=FIGURE_MAX_WIDTH, height="auto", object_fit="contain"
            ),
        )
        self.panel = widgets.HTML(layout=widgets.Layout(width="100%", overflow="auto"))
        super().__init__(children=[*self.controls.values(), self.figure_view, self.panel])
        for control in self.controls.values():
            control.observe(self.refresh, names="value")
        self.refresh()

    def __repr__(self) -> str:
        """What a notebook shows where the widget cannot render (before its cells run, or without a kernel)."""
        return f"{WIDGET_REPR_PREFIX}{', '.join(self.controls)}). {RUN_HINT}"

    def values(self) -> dict[str, object]:
        """The current value of every control, by argument name."""
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self, _change: object = None) -> None:
        """Recompute the report for the current control values and show it (or the reason it was refused)."""
        try:
            result = self.report(**self.values())
        except ValueError as error:
            result = f"{INVALID}{error}"
        if isinstance(result, Report):
            self.figure_view.value = result.png()
            self.figure_view.layout.display = None
            text = result.text
        else:
            self.figure_view.layout.display = "none"
            text = result
        self.panel.value = f"<pre>{html.escape(text)}</pre>"


_STYLE = {"description_width": "initial"}

Slider = TypeVar("Slider", widgets.IntSlider, widgets.FloatSlider, widgets.FloatLogSlider)


def _released(kind: type[Slider], name: str, **options: Any) -> Slider:
    """A ``kind`` slider labelled ``name`` that reports only when released (no flood of recomputation)."""
    layout = widgets.Layout(width="320px")
    return kind(description=name, continuous_update=False, style=_STYLE, layout=layout, **options)


def int_slider(name: str, value: int, low: int, high: int, step: int = 1) -> widgets.IntSlider:
    """A labelled integer slider that reports only when released (no flood of recomputation)."""
    if not low <= value <= high:
        raise ValueError(f"slider {name}: value {value} is outside [{low}, {high}]")
    return _released(widgets.IntSlider, name, value=value, min=low, max=high, step=step)


def float_slider(name: str, value: float, low: float, high: float, step: float) -> widgets.FloatSlider:
    """A labelled slider over [low, high] in steps of ``step`` (two decimals shown), reporting when released."""
    if not low <= value <= high:
        raise ValueError(f"slider {name}: value {value} is outside [{low:g}, {high:g}]")
    return _released(
        widgets.FloatSlider, name, value=value, min=low, max=high, step=step, readout_format=".2f"
    )


def log_slider(
    name: str, value: float, low: float, high: float, step: float = 0.05
) -> widgets.FloatLogSlider:
    """A labelled slider over [low, high] on a log scale (``step`` in powers of ten), reporting when released."""
    if not 0 < low <= value <= high:
        raise ValueError(f"slider {name}: value {value} is outside [{low:g}, {high:g}] (low > 0)")
    bottom, top = math.log10(low), math.log10(high)  # the slider's range is in powers of ten
    return _released(
        widgets.FloatLogSlider,
        name,
        value=value,
        base=10,
        min=bottom,
        max=top,
        step=step,
        readout_format=".3g",
    )


def text_box(name: str, value: str, placeholder: str = "") -> widgets.Text:
    """A labelled text box, applied on Enter or when it loses focus (not at every keystroke)."""
    return widgets.Text(
        value=value,
        description=name,
        placeholder=placeholder or value,
        continuous_update=False,
        style=_STYLE,
    )


def dropdown(name: str, value: str, options: Sequence[str]) -> widgets.Dropdown:
    """A labelled list of ``options`` starting at ``value`` (ValueError naming ``name`` if it is not one)."""
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(str, options))}; got {value!r}")
    return widgets.Dropdown(
        options=list(options),
        value=value,
        description=name,
        style=_STYLE,
        layout=widgets.Layout(width="max-content"),
    )
