"""The dashboard of notebooks/12_complexity_playground.ipynb: the course's explorers side by side.

`playground` builds one `Playground`: a short header above an ``ipywidgets.Tab`` with one
tab per calculator, each an `Explorer` over a report of `course_lib.reports.playground`
(controls, then the figure, then the text, redrawn when a control is released). The tabs,
their controls and ranges are listed there; this module only builds the controls.
"""

from __future__ import annotations

from typing import TypedDict

import ipywidgets as widgets

from course_lib.reports import forward, roofline
from course_lib.reports import playground as reports
from course_lib.widgets.base import Explorer, dropdown, int_slider, text_box
from course_lib.widgets.conv_layer import conv_layer_explorer
from course_lib.widgets.networks import network_explorer

HEADER = (
    "<p>Release a slider, pick from a list or press Enter in the widths box to redraw. "
    "MAC = one multiply + one add, FLOPs = multiplies + adds, memory in float32 (4 bytes per element).</p>"
    # The reports are fixed-width tables: keep them in a code font at a text line height (the HTML
    # widget's own line height is that of a control, and some front ends, Voila among them, set a
    # proportional font), within this dashboard only.
    "<style>.course-playground .widget-html-content pre {font-family: var(--jp-code-font-family, monospace); "
    "font-size: var(--jp-code-font-size, 13px); line-height: 1.3; margin: 0.5em 0; "
    "white-space: pre; overflow-x: auto;}</style>"
)
"""The line shown above the tabs (the notebook's title introduces them), with a style rule for the
reports' fixed-width tables."""


class Playground(widgets.VBox):
    """The header above a Tab of the explorers; ``tabs`` maps each title of `reports.TAB_TITLES` to one."""

    def __init__(self, explorers: dict[str, Explorer]) -> None:
        if tuple(explorers) != reports.TAB_TITLES:
            raise ValueError(
                f"explorers must be given for the tabs {reports.TAB_TITLES}, got {tuple(explorers)}"
            )
        self.tabs = dict(explorers)
        self.header = widgets.HTML(HEADER)
        self.tab = widgets.Tab(children=list(self.tabs.values()), titles=list(self.tabs))
        super().__init__(children=[self.header, self.tab])
        self.add_class("course-playground")

    def controls(self) -> dict[tuple[str, str], widgets.ValueWidget]:
        """Every control of the dashboard, by (tab title, argument name)."""
        return {
            (title, name): control
            for title, tab in self.tabs.items()
            for name, control in tab.controls.items()
        }


def mlp_explorer(widths: str = "784,256,128,10", batch: int = 64, cost: str = "forward pass") -> Explorer:
    """The MLP tab: a widths text box, a batch slider and a cost list over `reports.mlp_report`
    (both costs take the same batch range, `forward.BATCH_RANGE`)."""
    forward.checked(widths, batch)  # bad starting values raise here, naming the argument
    controls = {
        "widths": text_box("widths", widths, placeholder="784,256,128,10"),
        "batch": int_slider("batch", batch, *forward.BATCH_RANGE),
        "cost": dropdown("cost", cost, list(reports.MLP_COSTS)),
    }
    return Explorer(reports.mlp_report, controls)


def roofline_tab(
    layer: str = "dense 4096->4096", batch: int = 1, machine: str = "one CPU core (80 GFLOP/s, 20 GB/s)"
) -> Explorer:
    """The roofline tab: a layer list, a batch slider (1 to `roofline.SLIDER_MAX`) and a machine list."""
    controls = {
        "layer": dropdown("layer", layer, list(roofline.LAYERS)),
        "batch": int_slider("batch", batch, 1, roofline.SLIDER_MAX),
        "machine": dropdown("machine", machine, list(reports.MACHINES)),
    }
    return Explorer(reports.roofline_report, controls)


class MLPStart(TypedDict, total=False):
    """Starting values of the MLP tab (the arguments of `mlp_explorer`)."""

    widths: str
    batch: int
    cost: str


class NetworkStart(TypedDict, total=False):
    """Starting values of the network picker (the arguments of `network_explorer`)."""

    name: str
    batch: int


class RooflineStart(TypedDict, total=False):
    """Starting values of the roofline tab (the arguments of `roofline_tab`)."""

    layer: str
    batch: int
    machine: str


def playground(
    mlp: MLPStart | None = None,
    conv: dict[str, int] | None = None,
    network: NetworkStart | None = None,
    roofline: RooflineStart | None = None,
) -> Playground:
    """The whole dashboard; each argument (a dict of control values) overrides that tab's starting values.

    Starting values: MLP 784-256-128-10 at batch 64, forward pass; conv layer a 56 x 56 map,
    64 -> 64 channels, 3 x 3 kernel, stride 1, padding 1 (a VGG or ResNet stage); VGG-16 at
    batch 1; the 4096 x 4096 dense layer at batch 1 on one CPU core.
    """
    conv_start = {"height": 56, "width": 56, "c_in": 64, "c_out": 64, "kernel": 3, "stride": 1, "padding": 1}
    explorers: dict[str, Explorer] = {
        "MLP cost": mlp_explorer(**(mlp or {})),
        "Conv layer": conv_layer_explorer(**{**conv_start, **(conv or {})}),
        "Network picker": network_explorer(**(network or {})),  # its defaults: VGG-16 at batch 1
        "Roofline": roofline_tab(**(roofline or {})),
    }
    return Playground(explorers)
