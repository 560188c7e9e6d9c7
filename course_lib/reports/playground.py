"""Reports of the dashboard of notebooks/12_complexity_playground.ipynb: one per tab, all reused.

=============== ================================================ =====================================
tab             controls (range)                                 report
=============== ================================================ =====================================
MLP cost        widths (text: 2 to 9 integers, each 1 to 2048),  `mlp_report`: the forward pass of
                batch (1 to 1024), cost (forward pass or         notebook 02 or the training step of
                training step)                                   notebook 03
Conv layer      height, width (1 to 64), c_in, c_out (1 to 512), `course_lib.reports.conv_layer.report`
                kernel (1 to 11), stride (1 to 4), padding       (notebook 05)
                (0 to 5), dilation (1 to 4)
Network picker  network (the 11 of `architectures.names()`),     `course_lib.reports.networks.report`
                batch (1 to 256)                                 (notebook 06)
Roofline        layer (the 5 of `roofline.LAYERS`), batch (1 to  `roofline_report`: the roofline report
                256), machine (the 3 of `MACHINES`)              of notebook 09 on a stated machine
=============== ================================================ =====================================

Nothing here computes a cost: the tabs call the reports of the notebooks that derive
them. Both costs of the MLP tab read the widths text with the same rule
(`course_lib.validation.parse_int_list`), so they accept exactly the same text. The
roofline tab uses one of three stated machines (`MACHINES`) instead of a measurement, so
every tab is deterministic, and draws every machine on the same axes (`RATE_RANGE`) so
they compare. Every control is bounded, so no setting asks for more than the bounded work
of `WORST_CASE`.
"""

from __future__ import annotations

from collections.abc import Callable

from course_lib.reports import backprop, conv_layer, forward, networks, roofline
from course_lib.reports.base import Report
from course_lib.validation import require_choice

TAB_TITLES = ("MLP cost", "Conv layer", "Network picker", "Roofline")
"""The dashboard's tabs, in order."""

MLP_COSTS: dict[str, Callable[[str, int], Report]] = {
    "forward pass": forward.report,
    "training step": backprop.report,
}
"""The MLP tab's ``cost`` choices: the forward pass of notebook 02 (per-layer multiplies, one sample
beside the batch), or the training step of notebook 03 (forward against backward per layer)."""

MACHINES: dict[str, tuple[float, float]] = {
    "one CPU core (80 GFLOP/s, 20 GB/s)": (80.0, 20.0),
    "8-core desktop CPU (768 GFLOP/s, 51.2 GB/s)": (768.0, 51.2),
    "NVIDIA A100 GPU (19,500 GFLOP/s, 1,555 GB/s)": (19_500.0, 1_555.0),
}
"""The roofline tab's machines: name -> (peak GFLOP/s in float32, memory bandwidth GB/s).

* One CPU core: the round numbers notebooks/09_from_flops_to_seconds.ipynb uses for its
  printed example, close to the core it measures (a measurement would make the tab machine-dependent).
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
padding (5), kernel 1 and stride 1."""

NETWORK_BARS_BOUND = 150
"""Most bars per panel the network tab ever draws (GoogLeNet has the most: 139 layers with MACs,
parameters or a new feature map)."""

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
"""The largest setting of each tab: the most layers, widths and batch of the MLP (its training step); the most kernel
windows to draw (`CONV_WINDOWS_BOUND`); the network with the most bars (`NETWORK_BARS_BOUND`) at the
largest batch; the largest batch of the roofline (its path always has `roofline.SLIDER_MAX` points)."""


def mlp_report(widths: str, batch: int, cost: str) -> Report:
    """The MLP tab: `course_lib.reports.forward.report` or `course_lib.reports.backprop.report` of
    ``widths`` (text such as ``"784, 256, 10"``: 2 to 9 integers from 1 to 2048) and ``batch`` (1 to
    1024), by ``cost`` (a key of `MLP_COSTS`). ValueError naming the argument for bad input."""
    return MLP_COSTS[require_choice("cost", cost, list(MLP_COSTS))](widths, batch)


def roofline_report(layer: str, batch: int, machine: str) -> Report:
    """The roofline tab: notebook 09's report of ``layer`` at ``batch`` on ``machine`` (a key of `MACHINES`).

    The figure names the machine above the layer and uses `RATE_RANGE` for every machine.
    ValueError naming the argument for an unknown layer or machine or a batch outside 1..4096.
    """
    peak, bandwidth = MACHINES[require_choice("machine", machine, list(MACHINES))]
    return Report(
        roofline.text(layer, batch, peak, bandwidth),
        roofline.figure(layer, batch, peak, bandwidth, rate_range=RATE_RANGE, title=machine),
    )


REPORTS: dict[str, Callable[..., Report]] = {
    "MLP cost": mlp_report,
    "Conv layer": conv_layer.report,
    "Network picker": networks.report,
    "Roofline": roofline_report,
}
"""The report of each tab, by title."""


def render(title: str, values: dict[str, object]) -> Report:
    """What the tab ``title`` shows for the control ``values``: its report (text and figure).

    The same work the tab's explorer does on an update, without widgets; the notebook
    times it at the `WORST_CASE` settings. ValueError for an unknown title.
    """
    return REPORTS[require_choice("title", title, TAB_TITLES)](**values)
