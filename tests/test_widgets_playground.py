"""Wiring of the playground dashboard (notebooks/12_complexity_playground.ipynb).

The dashboard computes nothing itself: every tab is an Explorer over a report of
`course_lib.reports.playground` (tested in tests/test_reports_playground.py and in the
reports' own tests). Here: the layout, each control's documented range or options (read
from the controls, never by moving them through every value), the starting values, and
that a move redraws. One dashboard is built for the whole module.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import pytest

from course_lib import architectures
from course_lib.reports import playground as reports
from course_lib.widgets.base import INVALID
from course_lib.widgets.playground import HEADER, mlp_explorer, playground, roofline_tab

CORE, GPU = "one CPU core (80 GFLOP/s, 20 GB/s)", "NVIDIA A100 GPU (19,500 GFLOP/s, 1,555 GB/s)"
ROOFLINE_LAYERS = [
    "dense 784->512",
    "dense 4096->4096",
    "conv 64->64 3x3 @56",
    "depthwise 64 3x3 @56",
    "relu 1M",
]

SLIDERS = {
    ("MLP cost", "batch"): (1, 1024),
    ("Conv layer", "height"): (1, 64),
    ("Conv layer", "width"): (1, 64),
    ("Conv layer", "c_in"): (1, 512),
    ("Conv layer", "c_out"): (1, 512),
    ("Conv layer", "kernel"): (1, 11),
    ("Conv layer", "stride"): (1, 4),
    ("Conv layer", "padding"): (0, 5),
    ("Conv layer", "dilation"): (1, 4),
    ("Network picker", "batch"): (1, 256),
    ("Roofline", "batch"): (1, 256),
}
"""Every slider of the dashboard and its documented (lowest, highest) value."""

DROPDOWNS = {
    ("MLP cost", "cost"): ["forward pass", "training step"],
    ("Network picker", "name"): architectures.names(),
    ("Roofline", "layer"): ROOFLINE_LAYERS,
    ("Roofline", "machine"): [CORE, "8-core desktop CPU (768 GFLOP/s, 51.2 GB/s)", GPU],
}
"""Every list and its documented options."""


@pytest.fixture(scope="module")
def dashboard():
    return playground()


def panel_text(explorer) -> str:
    value = explorer.panel.value
    assert value.startswith("<pre>") and value.endswith("</pre>")
    return html.unescape(value[len("<pre>") : -len("</pre>")])


def test_dashboard_is_a_header_above_one_tab_per_report(dashboard) -> None:
    assert list(dashboard.children) == [dashboard.header, dashboard.tab]
    assert dashboard.header.value == HEADER and "course-playground" in dashboard._dom_classes
    assert (
        tuple(dashboard.tab.titles)
        == reports.TAB_TITLES
        == ("MLP cost", "Conv layer", "Network picker", "Roofline")
    )
    for title, explorer in dashboard.tabs.items():
        assert explorer.report is reports.REPORTS[title]
        assert list(explorer.children[: len(explorer.controls)]) == list(explorer.controls.values())
        shown = reports.render(title, explorer.values())
        assert panel_text(explorer) == shown.text  # the tab shows its report for its controls' values
        assert bytes(explorer.figure_view.value).startswith(b"\x89PNG")


def test_every_control_is_documented_labelled_and_bounded(dashboard) -> None:
    controls = dashboard.controls()
    assert set(controls) == set(SLIDERS) | set(DROPDOWNS) | {("MLP cost", "widths")}
    for key, control in controls.items():
        assert control.description, key
        if not isinstance(control, widgets.Dropdown):
            assert control.continuous_update is False, key  # recompute on release (or Enter) only
        if key in SLIDERS:
            assert (control.min, control.max, control.step) == (*SLIDERS[key], 1), key
        if key in DROPDOWNS:
            assert list(control.options) == DROPDOWNS[key], key
    assert isinstance(controls[("MLP cost", "widths")], widgets.Text)


def test_starting_values_are_the_documented_ones(dashboard) -> None:
    values = {title: tab.values() for title, tab in dashboard.tabs.items()}
    assert values["MLP cost"] == {"widths": "784,256,128,10", "batch": 64, "cost": "forward pass"}
    assert values["Conv layer"] == {
        "height": 56, "width": 56, "c_in": 64, "c_out": 64, "kernel": 3, "stride": 1, "padding": 1, "dilation": 1,
    }  # fmt: skip
    assert values["Network picker"] == {"name": "vgg16", "batch": 1}
    assert values["Roofline"] == {"layer": "dense 4096->4096", "batch": 1, "machine": CORE}


def test_a_move_redraws_and_bad_text_shows_a_message() -> None:
    explorer = mlp_explorer(widths="3,4,2", batch=5)
    first = bytes(explorer.figure_view.value)
    explorer.controls["cost"].value = "training step"
    assert panel_text(explorer) == reports.mlp_report("3,4,2", 5, "training step").text
    assert bytes(explorer.figure_view.value) not in (first, b"")
    explorer.controls["widths"].value = "784,x,10"
    assert panel_text(explorer).startswith(f"{INVALID}widths")
    tab = roofline_tab(machine=GPU)
    assert (tab.values()["machine"] == GPU and GPU in panel_text(tab)) or "19500.00" in panel_text(tab)


def test_starting_values_are_checked() -> None:
    with pytest.raises(ValueError, match="cost must be one of"):
        mlp_explorer(cost="backward")
    with pytest.raises(ValueError, match="machine must be one of"):
        roofline_tab(machine="laptop")
    with pytest.raises(ValueError, match="widths"):
        mlp_explorer(widths="10")
