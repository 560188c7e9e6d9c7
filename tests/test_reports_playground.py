"""Tests of the playground's reports (notebooks/12_complexity_playground.ipynb).

The tabs reuse reports tested in their own files; here: both MLP costs accept exactly
the same widths text (one parsing rule), the roofline tab is notebook 09's report on the
stated machines with shared axes, the machines' rates come from their stated sources, and
each worst case is the largest setting of its tab. Ranges are written out here as the
notebook documents them, not read from the code.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import architectures
from course_lib.reports import backprop, conv_layer, forward, networks, roofline
from course_lib.reports.playground import (
    CONV_WINDOWS_BOUND,
    MACHINES,
    MLP_COSTS,
    NETWORK_BARS_BOUND,
    RATE_RANGE,
    REPORTS,
    TAB_TITLES,
    WORST_CASE,
    mlp_report,
    render,
    roofline_report,
)

CORE = "one CPU core (80 GFLOP/s, 20 GB/s)"
DESKTOP = "8-core desktop CPU (768 GFLOP/s, 51.2 GB/s)"
GPU = "NVIDIA A100 GPU (19,500 GFLOP/s, 1,555 GB/s)"
MACHINE_RATES = {CORE: (80.0, 20.0), DESKTOP: (8 * 3.0 * 32, 2 * 8 * 3.2), GPU: (19_500.0, 1_555.0)}
"""(peak GFLOP/s, bandwidth GB/s): the notebook's example core; 8 cores x 3.0 GHz x 32 float32
FLOPs/cycle and two DDR4-3200 channels x 8 bytes x 3.2 GT/s; NVIDIA's A100 datasheet."""

WIDTHS_TEXTS = [
    "784,256,128,10", "784 256 10", "784, 256 ,10", " 3,4 ", "2048," * 8 + "2048", "10",
    "784,,10", "2049,10", "0,10", "10,x", "", "+784,10", "10;5", "2048," * 9 + "2048", "3.5,2",
]  # fmt: skip


def _outcome(widths: str, cost: str) -> str:
    try:
        return mlp_report(widths, 3, cost).text
    except ValueError as error:
        return f"refused: {error}"


@pytest.mark.parametrize("widths", WIDTHS_TEXTS)
def test_both_costs_accept_the_same_widths_text(widths: str) -> None:
    forward_pass, training_step = _outcome(widths, "forward pass"), _outcome(widths, "training step")
    assert forward_pass.startswith("refused") == training_step.startswith("refused"), widths
    if forward_pass.startswith("refused"):
        assert forward_pass == training_step  # the same message, naming widths
        assert "widths" in forward_pass
    else:
        assert forward_pass == forward.text(widths, 3) and training_step == backprop.text(widths, 3)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="0123456789, +-x", max_size=14))
def test_both_costs_agree_on_any_text(widths: str) -> None:
    assert _outcome(widths, "forward pass").startswith("refused") == _outcome(
        widths, "training step"
    ).startswith("refused")


def test_both_costs_share_the_batch_range() -> None:
    assert forward.BATCH_RANGE == backprop.BATCH_RANGE == (1, 1024)
    for cost in MLP_COSTS:
        with pytest.raises(ValueError, match=r"^batch must be an integer between 1 and 1024"):
            mlp_report("10,10", 1025, cost)


def test_unknown_choices_are_refused_naming_the_argument() -> None:
    with pytest.raises(ValueError, match=r"^cost must be one of"):
        mlp_report("10,10", 1, "backward only")
    with pytest.raises(ValueError, match=r"^machine must be one of"):
        roofline_report("relu 1M", 1, "a quantum computer")
    with pytest.raises(ValueError, match=r"^layer must be one of"):
        roofline_report("dense 1->1", 1, CORE)
    with pytest.raises(ValueError, match=r"^title must be one of"):
        render("Transformer", {})


def test_machines_are_the_stated_ones() -> None:
    assert MACHINES == MACHINE_RATES


@pytest.mark.parametrize("machine", [CORE, DESKTOP, GPU])
def test_roofline_tab_is_notebook_09s_report_on_shared_axes(machine: str) -> None:
    peak, bandwidth = MACHINE_RATES[machine]
    result = roofline_report("dense 4096->4096", 16, machine)
    assert result.text == roofline.text("dense 4096->4096", 16, peak, bandwidth)
    (ax,) = result.figure.axes
    assert ax.get_ylim() == pytest.approx(RATE_RANGE) and machine in ax.get_title()
    (point,) = [line for line in ax.lines if line.get_gid() == "predicted"]
    flops, size = 2 * 16 * 4096**2, 4 * (16 * 4096 + 4096**2 + 4096 + 16 * 4096)
    assert list(point.get_ydata()) == pytest.approx([min(peak, bandwidth * flops / size)])


def test_render_is_each_tabs_report() -> None:
    values = {"widths": "3,4,2", "batch": 5, "cost": "training step"}
    assert render("MLP cost", values).text == backprop.text("3,4,2", 5)
    assert REPORTS["Conv layer"] is conv_layer.report and REPORTS["Network picker"] is networks.report
    assert tuple(REPORTS) == TAB_TITLES


# ---------------------------------------------------------------- worst cases, by size

RANGES = {
    "MLP cost": {"batch": (1, 1024)},
    "Conv layer": {
        "height": (1, 64),
        "width": (1, 64),
        "c_in": (1, 512),
        "c_out": (1, 512),
        "padding": (0, 5),
    },
    "Network picker": {"batch": (1, 256)},
    "Roofline": {"batch": (1, 256)},
}


def test_worst_case_of_each_control_is_its_largest_setting() -> None:
    assert set(WORST_CASE) == set(TAB_TITLES)
    for title, ranges in RANGES.items():
        for name, (_, high) in ranges.items():
            assert WORST_CASE[title][name] == high, (title, name)
    conv = WORST_CASE["Conv layer"]
    assert (conv["kernel"], conv["stride"], conv["dilation"]) == (1, 1, 1)  # the most windows
    assert WORST_CASE["MLP cost"]["widths"] == ",".join(["2048"] * 9)
    assert WORST_CASE["MLP cost"]["cost"] == "training step"


def test_conv_windows_drawn_never_exceed_the_documented_bound() -> None:
    assert CONV_WINDOWS_BOUND == 5476  # (64 + 2 * 5)^2
    worst = {name: WORST_CASE["Conv layer"][name] for name in conv_layer.GEOMETRY}
    assert len(conv_layer.kernel_positions(**worst)) == CONV_WINDOWS_BOUND


def test_network_bars_never_exceed_the_documented_bound() -> None:
    bars = {
        name: sum(
            1
            for layer in networks.layer_costs(name, 1)
            if layer["macs"] or layer["params"] or layer["feature_map_bytes"]
        )
        for name in architectures.names()
    }
    assert max(bars.values()) <= NETWORK_BARS_BOUND
    assert WORST_CASE["Network picker"]["name"] == max(bars, key=bars.get)
