"""The dashboard of notebooks/12_complexity_playground.ipynb: the course's calculators side by side.

`playground` builds one `Playground` widget: a short header above an
``ipywidgets.Tab`` with one tab per calculator, each an `Explorer` (controls
on top, a text report below it, re-rendered when a control is released):

=============== ================================================ ===================================
tab             controls (range)                                 report (pure function)
=============== ================================================ ===================================
MLP cost        widths (text: 2 to 9 integers, each 1 to 2048),  `mlp_panel`: `reports.forward.text` or
                batch (1 to 1024), cost (forward pass or         `reports.backprop.text`
                training step)
Conv layer      height, width (1 to 64), c_in, c_out (1 to 512), `reports.conv_layer.report`:
                kernel (1 to 11), stride (1 to 4), padding       receptive fields and im2col drawn
                (0 to 5), dilation (1 to 4)
Network picker  network (the 11 of `architectures.names()`),     `reports.networks.report`: per-layer
                batch (1 to 256)                                 bars
Roofline        layer (the 5 of the roofline widget's            `roofline_panel`: `roofline_report`
                `LAYERS`), batch (1 to 256), machine (the 3 of   on a machine of `MACHINES`, and the
                `MACHINES`)                                      layer placed on its roofline
=============== ================================================ ===================================

Nothing here computes a cost itself: the MLP, conv and network tabs reuse the
explorers and pure reports of notebooks 02, 03, 05 and 06
(`course_lib.reports.forward`, ``backprop``, ``conv_layer``, ``networks``), and
the roofline tab calls `roofline_report` of notebook 09 with the peak and
bandwidth of one of three stated machines (`MACHINES`) instead of a measurement,
so that every panel is deterministic. Every control is a slider, a dropdown or
a text box whose input the report parses against fixed limits (bad text gives a
message, not an exception), so no setting can ask for more than the bounded
work the tests check: counts come from closed forms (microseconds) and the
slowest part of any update is drawing one of the three pictures (at most about
half a second on the course's two-core machine, longer while it is busy).
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from course_lib.reports import Report, backprop, conv_layer, forward, networks, roofline
from course_lib.widgets.base import INVALID, Explorer, int_slider
from course_lib.widgets.conv_layer import conv_layer_explorer
from course_lib.widgets.networks import network_explorer

TAB_TITLES = ("MLP cost", "Conv layer", "Network picker", "Roofline")
"""The dashboard's tabs, in order."""


def _text_or_message(text: Callable[[str, int], str]) -> Callable[[str, int], str]:
    """``text`` (a report's text function), giving ``"invalid input: <message>"`` instead of a ValueError."""

    def panel(widths: str, batch: int) -> str:
        try:
            return text(widths, batch)
        except ValueError as error:
            return f"{INVALID}{error}"

    return panel


MLP_COSTS: dict[str, Callable[[str, int], str]] = {
    "forward pass": _text_or_message(forward.text),
    "training step": _text_or_message(backprop.text),
}
"""The MLP tab's ``cost`` choices: the forward pass of notebook 02, or the forward + backward + SGD
update of notebook 03 (both panels show a message instead of raising for bad widths)."""

MLP_MAX_BATCH = min(forward.BATCH_RANGE[1], backprop.BATCH_RANGE[1])
"""Upper end of the MLP tab's batch slider (both reports accept up to 1024)."""

MACHINES: dict[str, tuple[float, float]] = {
    "one CPU core (80 GFLOP/s, 20 GB/s)": (80.0, 20.0),
    "8-core desktop CPU (768 GFLOP/s, 51.2 GB/s)": (768.0, 51.2),
    "NVIDIA A100 GPU (19,500 GFLOP/s, 1,555 GB/s)": (19_500.0, 1_555.0),
}
"""The roofline tab's machines: name -> (peak GFLOP/s in float32, memory bandwidth GB/s).

* One CPU core: the round numbers notebooks/09_from_flops_to_seconds.ipynb uses for its
  printed example (its measured core came out near 100 GFLOP/s and 31 GB/s).
* An 8-core desktop, computed from its specification: 8 cores x 3.0 GHz x 32 float32
  FLOPs per cycle (two 256-bit FMA units) = 768 GFLOP/s; two DDR4-3200 channels x
  8 bytes x 3.2 G transfers/s = 51.2 GB/s.
* NVIDIA A100 (40 GB): 19.5 TFLOP/s float32 without tensor cores and 1,555 GB/s of
  HBM2, from NVIDIA's A100 Tensor Core GPU datasheet (2020).
"""

RATE_RANGE = (0.1, 1e5)
"""y range of the roofline tab's figure (GFLOP/s): the same axes for every machine, so they compare."""

CONV_WINDOWS_BOUND = (64 + 2 * 5) ** 2
"""Most kernel windows the conv tab ever draws: 5,476, at the largest input (64 x 64), the largest
padding (5), kernel 1 and stride 1. The report itself is closed-form arithmetic."""

NETWORK_BARS_BOUND = 150
"""Most bars per panel the network tab ever draws (GoogLeNet has the most: 139 layers with MACs,
parameters or a new feature map). The report is read from `course_lib.summary.summarize`."""

WORST_CASE: dict[str, dict[str, object]] = {
    "MLP cost": {"widths": ",".join(["2048"] * 9), "batch": 1024, "cost": "training step"},
    "Conv layer": {
        "height": 64,
        "width": 64,
        "c_in": 512,
        "c_out": 512,
        "kernel": 1,
        "stride": 1,
        "padding": 5,
        "dilation": 1,
    },
    "Network picker": {"name": "googlenet", "batch": 256},
    "Roofline": {
        "layer": "conv 64->64 3x3 @56",
        "batch": 256,
        "machine": "NVIDIA A100 GPU (19,500 GFLOP/s, 1,555 GB/s)",
    },
}
"""The largest setting of each tab: the most layers, widths and batch of the MLP; the most kernel
windows to draw (`CONV_WINDOWS_BOUND`); the network with the most bars (`NETWORK_BARS_BOUND`) at the
largest batch; the largest batch of the roofline (its drawing always computes `SLIDER_MAX` points)."""

HEADER = (
    "<h3>Complexity playground</h3>"
    "<p>Four calculators of the course in one place. Each tab recomputes its report when a control "
    "is released: the cost of an MLP (notebooks 02 and 03), the shape and cost of one convolution "
    "layer (05), where a whole CNN spends its MACs, parameters and memory (06), and where a layer "
    "lands on a machine's roofline (08). Counts follow the course's conventions: MAC = one multiply "
    "+ one add, FLOPs = multiplies + adds, memory in float32 (4 bytes per element).</p>"
    # The reports are fixed-width tables: keep them in a code font at a text line height (the HTML
    # widget's own line height is that of a control, and some front ends, Voila among them, set a
    # proportional font), within this dashboard only.
    "<style>.course-playground .widget-html-content pre {font-family: var(--jp-code-font-family, monospace); "
    "font-size: var(--jp-code-font-size, 13px); line-height: 1.3; margin: 0.5em 0; "
    "white-space: pre; overflow-x: auto;}</style>"
)
"""The HTML shown above the tabs (with a style rule for the reports' fixed-width tables)."""


def _machine(machine: object) -> tuple[float, float]:
    if not isinstance(machine, str) or machine not in MACHINES:
        raise ValueError(f"machine must be one of {list(MACHINES)}, got {machine!r}")
    return MACHINES[machine]


def mlp_panel(widths: str, batch: int, cost: str) -> str:
    """The MLP tab's text: `reports.forward.text` or `reports.backprop.text` of ``widths`` and ``batch``.

    ``cost`` is a key of `MLP_COSTS`. Forward pass: per layer B n(k-1) n(k)
    multiplies and adds, B n(k) activations (derived in
    notebooks/02_forward_propagation.ipynb). Training step: forward, backward
    (dz, dW, db, dx) and SGD update FLOPs per layer (derived in
    notebooks/03_backpropagation.ipynb). Bad widths or batch give the line
    ``"invalid input: ..."``; an unknown ``cost`` raises ValueError.
    """
    if not isinstance(cost, str) or cost not in MLP_COSTS:
        raise ValueError(f"cost must be one of {list(MLP_COSTS)}, got {cost!r}")
    return MLP_COSTS[cost](widths, batch)


def roofline_panel(layer: str, batch: int, machine: str) -> str:
    """The roofline tab's text: notebook 09's report of ``layer`` at ``batch`` on ``machine`` (a `MACHINES` key).

    Intensity I = W / Q, ridge point P / beta, attainable rate min(P, beta I) and
    predicted time max(W / P, Q / beta). Derived in
    notebooks/09_from_flops_to_seconds.ipynb. ValueError naming the argument
    for an unknown layer or machine or a batch outside 1..4096.
    """
    return roofline.text(layer, batch, *_machine(machine))


def roofline_tab_report(layer: str, batch: int, machine: str) -> Report:
    """The roofline tab: `roofline_panel` and the layer on ``machine``'s roofline, on axes shared by the
    machines (`RATE_RANGE`) with the machine named above the layer."""
    peak, bandwidth = _machine(machine)
    figure = roofline.figure(layer, batch, peak, bandwidth, rate_range=RATE_RANGE, title=machine)
    return Report(roofline_panel(layer, batch, machine), figure)


def render(title: str, values: dict[str, object]) -> tuple[str, bytes | None]:
    """What the tab ``title`` shows for the control ``values``: its text and its PNG picture (None: no picture).

    The same work the tab's explorer does on an update, without widgets:
    `mlp_panel`; `course_lib.reports.conv_layer.report`; `course_lib.reports.networks.report`; `roofline_tab_report`. The notebook
    times it at the `WORST_CASE` settings. ValueError for an unknown title.
    """
    if title == "MLP cost":
        return mlp_panel(**values), None
    if title == "Conv layer":
        result = conv_layer.report(**values)
        return result.text, result.png()
    if title == "Network picker":
        result = networks.report(**values)
        return result.text, result.png()
    if title == "Roofline":
        result = roofline_tab_report(**values)
        return result.text, result.png()
    raise ValueError(f"title must be one of {TAB_TITLES}, got {title!r}")


def _dropdown(description: str, options: list[str], value: str) -> widgets.Dropdown:
    if value not in options:
        raise ValueError(f"{description} must be one of {options}, got {value!r}")
    return widgets.Dropdown(
        options=options,
        value=value,
        description=description,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="max-content"),
    )


def mlp_explorer(widths: str = "784,256,128,10", batch: int = 64, cost: str = "forward pass") -> Explorer:
    """The MLP tab: a widths text box, a batch slider (1 to `MLP_MAX_BATCH`) and a cost dropdown."""
    controls = {
        "widths": widgets.Text(
            value=widths,
            description="widths",
            placeholder="784,256,128,10",
            continuous_update=False,
            style={"description_width": "initial"},
        ),
        "batch": int_slider("batch", batch, 1, MLP_MAX_BATCH),
        "cost": _dropdown("cost", list(MLP_COSTS), cost),
    }
    return Explorer(mlp_panel, controls)


def roofline_tab(
    layer: str = "dense 4096->4096", batch: int = 1, machine: str = "one CPU core (80 GFLOP/s, 20 GB/s)"
) -> Explorer:
    """The roofline tab: a layer dropdown, a batch slider (1 to `roofline.SLIDER_MAX`) and a machine dropdown."""
    controls = {
        "layer": _dropdown("layer", list(roofline.LAYERS), layer),
        "batch": int_slider("batch", batch, 1, roofline.SLIDER_MAX),
        "machine": _dropdown("machine", list(MACHINES), machine),
    }
    return Explorer(roofline_tab_report, controls)


class Playground(widgets.VBox):
    """The header above a Tab of the four explorers; ``tabs`` maps each title of `TAB_TITLES` to its explorer."""

    def __init__(self, explorers: dict[str, Explorer]) -> None:
        if tuple(explorers) != TAB_TITLES:
            raise ValueError(f"explorers must be given for the tabs {TAB_TITLES}, got {tuple(explorers)}")
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


def playground(
    mlp: dict[str, object] | None = None,
    conv: dict[str, int] | None = None,
    network: dict[str, object] | None = None,
    roofline: dict[str, object] | None = None,
) -> Playground:
    """The whole dashboard; each argument (a dict of control values) overrides that tab's starting values.

    Starting values: MLP 784-256-128-10 at batch 64, forward pass; conv layer a
    56 x 56 map, 64 -> 64 channels, 3 x 3 kernel, stride 1, padding 1 (a VGG or
    ResNet stage); VGG-16 at batch 1; the 4096 x 4096 dense layer at batch 1 on
    one CPU core.
    """
    conv_start = {"height": 56, "width": 56, "c_in": 64, "c_out": 64, "kernel": 3, "stride": 1, "padding": 1}
    explorers: dict[str, Explorer] = {
        "MLP cost": mlp_explorer(**(mlp or {})),
        "Conv layer": conv_layer_explorer(**{**conv_start, **(conv or {})}),
        "Network picker": network_explorer(**({"name": "vgg16", "batch": 1} | (network or {}))),
        "Roofline": roofline_tab(**(roofline or {})),
    }
    return Playground(explorers)


__all__ = [
    "CONV_WINDOWS_BOUND",
    "HEADER",
    "MACHINES",
    "MLP_COSTS",
    "MLP_MAX_BATCH",
    "NETWORK_BARS_BOUND",
    "RATE_RANGE",
    "TAB_TITLES",
    "WORST_CASE",
    "Playground",
    "mlp_explorer",
    "mlp_panel",
    "playground",
    "render",
    "roofline_panel",
    "roofline_tab",
    "roofline_tab_report",
]
