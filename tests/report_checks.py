"""Helpers for testing reports (course_lib.reports) and their explorers: find plotted data, read panels.

Report figures tag what a test needs to read with a ``gid`` (``line.set_gid``,
``ax.plot(..., gid=...)``; ``ax.bar(..., gid=...)`` gives it to every bar): `by_gid` finds it, so a
test compares the plotted numbers with a formula it computes itself.
"""

from __future__ import annotations

import html

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure


def by_gid(fig: Figure, gid: str) -> Artist:
    """The one artist of ``fig`` (in any axes) whose gid is ``gid``."""
    found = [artist for ax in fig.axes for artist in ax.get_children() if artist.get_gid() == gid]
    assert len(found) == 1, f"expected one artist with gid {gid!r}, found {len(found)}"
    return found[0]


def xy(fig: Figure, gid: str) -> tuple[np.ndarray, np.ndarray]:
    """The x and y data of the line with gid ``gid``, as float arrays."""
    line = by_gid(fig, gid)
    return np.asarray(line.get_xdata(), dtype=float), np.asarray(line.get_ydata(), dtype=float)


def bar_heights(fig: Figure, gid: str) -> np.ndarray:
    """Heights of the bars whose gid is ``gid``, in the order they were drawn (at least one)."""
    heights = [patch.get_height() for ax in fig.axes for patch in ax.patches if patch.get_gid() == gid]
    assert heights, f"no bar with gid {gid!r}"
    return np.array(heights)


def assert_labelled(fig: Figure) -> None:
    """Every axes of ``fig`` has a y label ending with a unit in parentheses, and a title and an x label
    unless it is the twin (``twinx``) of an earlier axes, whose title and x axis it shares."""
    assert fig.axes
    for i, ax in enumerate(fig.axes):
        twin = any(ax.get_shared_x_axes().joined(ax, other) for other in fig.axes[:i])
        assert twin or (ax.get_title() and ax.get_xlabel()), ax
        assert "(" in ax.get_ylabel() and ax.get_ylabel().endswith(")"), ax.get_ylabel()


def panel_text(explorer: object) -> str:
    """The text an explorer's panel shows (its <pre>, unescaped)."""
    value = explorer.panel.value
    assert value.startswith("<pre>") and value.endswith("</pre>")
    return html.unescape(value[len("<pre>") : -len("</pre>")])
