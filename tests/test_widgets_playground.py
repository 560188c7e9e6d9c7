"""Tests of the playground dashboard (notebooks/12_complexity_playground.ipynb).

The dashboard computes nothing itself, so the tests check the wiring: moving a
control of a tab must make its panel show exactly what the underlying pure
report (of notebooks 02, 03, 05, 06 and 08) returns for the new values, with a
few numbers worked out by hand on top. The ranges of the controls are written
out below as the notebook documents them, not read from the code. Worst cases
are checked by their size (the most windows, bars, widths, batch), never by a
clock.
"""

from __future__ import annotations

import html
import re

import ipywidgets as widgets
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from traitlets import TraitError

from course_lib import architectures
from course_lib.reports.backprop import text as backprop_report
from course_lib.reports.conv_layer import kernel_positions
from course_lib.reports.conv_layer import text as conv_layer_report
from course_lib.reports.forward import text as forward_report
from course_lib.reports.networks import layer_costs
from course_lib.reports.networks import text as network_report
from course_lib.reports.roofline import text as roofline_report
from course_lib.widgets.playground import (
    CONV_WINDOWS_BOUND,
    HEADER,
    MACHINES,
    NETWORK_BARS_BOUND,
    TAB_TITLES,
    WORST_CASE,
    mlp_explorer,
    mlp_panel,
    playground,
    render,
    roofline_panel,
    roofline_tab,
    roofline_tab_report,
)

CORE = "one CPU core (80 GFLOP/s, 20 GB/s)"
DESKTOP = "8-core desktop CPU (768 GFLOP/s, 51.2 GB/s)"
GPU = "NVIDIA A100 GPU (19,500 GFLOP/s, 1,555 GB/s)"
MACHINE_RATES = {CORE: (80.0, 20.0), DESKTOP: (8 * 3.0 * 32, 2 * 8 * 3.2), GPU: (19_500.0, 1_555.0)}
"""(peak GFLOP/s, bandwidth GB/s): the notebook's example core; 8 cores x 3.0 GHz x 32 float32
FLOPs/cycle and two DDR4-3200 channels x 8 bytes x 3.2 GT/s; NVIDIA's A100 datasheet."""

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
    ("Network picker", "name"): [
        "lenet5",
        "alexnet",
        "vgg11",
        "vgg16",
        "googlenet",
        "resnet18",
        "resnet34",
        "resnet50",
        "mobilenet_v1",
        "mobilenet_v2",
        "squeezenet1_0",
    ],
    ("Roofline", "layer"): ROOFLINE_LAYERS,
    ("Roofline", "machine"): [CORE, DESKTOP, GPU],
}
"""Every dropdown and its documented options."""

TEXTS = {("MLP cost", "widths")}
"""Every text box: its text is parsed against fixed limits (2 to 9 widths, each 1 to 2048)."""


@pytest.fixture(scope="module")
def dashboard():
    return playground()


def panel_text(explorer: widgets.Widget) -> str:
    match = re.fullmatch(r"<pre>(.*)</pre>", explorer.panel.value, flags=re.DOTALL)
    assert match, explorer.panel.value
    return html.unescape(match.group(1))


def set_values(explorer: widgets.Widget, values: dict[str, object]) -> None:
    """Move the controls one by one, as a user would: each move re-renders the panel."""
    for name, value in values.items():
        explorer.controls[name].value = value


def set_quietly(explorer: widgets.Widget, values: dict[str, object]) -> None:
    """Set several controls with the explorer's observer detached, then re-render once (saves redraws)."""
    for name, value in values.items():
        control = explorer.controls[name]
        control.unobserve(explorer.refresh, names="value")
        try:
            control.value = value
        finally:
            control.observe(explorer.refresh, names="value")
    explorer.refresh()


def moves(explorer: widgets.Widget, values: dict[str, object]) -> list[tuple[str, object]]:
    """The moves from the explorer's current values to ``values``, one control at a time."""
    return [(name, value) for name, value in values.items() if explorer.controls[name].value != value]


# ---------------------------------------------------------------- the dashboard builds


def test_dashboard_is_a_header_above_one_tab_per_calculator(dashboard) -> None:
    assert list(dashboard.children) == [dashboard.header, dashboard.tab]
    assert dashboard.header.value == HEADER
    # the header's style rule (code font for the fixed-width reports) applies to this dashboard only
    assert "course-playground" in dashboard._dom_classes
    assert "<style>.course-playground .widget-html-content pre {" in HEADER
    assert isinstance(dashboard.tab, widgets.Tab)
    assert (
        tuple(dashboard.tab.titles) == TAB_TITLES == ("MLP cost", "Conv layer", "Network picker", "Roofline")
    )
    assert list(dashboard.tab.children) == list(dashboard.tabs.values())
    for explorer in dashboard.tabs.values():
        # controls first, then what they drive
        assert list(explorer.children[: len(explorer.controls)]) == list(explorer.controls.values())
    # the text/plain repr the notebook stores starts with the fixed header
    assert repr(dashboard).startswith("Playground(children=(HTML(value=")


def test_every_control_is_documented_labelled_and_of_a_bounded_kind(dashboard) -> None:
    controls = dashboard.controls()
    assert set(controls) == set(SLIDERS) | set(DROPDOWNS) | TEXTS
    for (title, name), control in controls.items():
        assert control.description, (title, name)
        assert isinstance(control, widgets.IntSlider | widgets.Dropdown | widgets.Text), (title, name)
        if isinstance(control, widgets.IntSlider):
            assert control.continuous_update is False, (title, name)  # recompute on release only


def test_starting_values_are_the_documented_ones(dashboard) -> None:
    values = {title: tab.values() for title, tab in dashboard.tabs.items()}
    assert values["MLP cost"] == {"widths": "784,256,128,10", "batch": 64, "cost": "forward pass"}
    assert values["Conv layer"] == {
        "height": 56,
        "width": 56,
        "c_in": 64,
        "c_out": 64,
        "kernel": 3,
        "stride": 1,
        "padding": 1,
        "dilation": 1,
    }
    assert values["Network picker"] == {"name": "vgg16", "batch": 1}
    assert values["Roofline"] == {"layer": "dense 4096->4096", "batch": 1, "machine": CORE}


def test_starting_values_can_be_overridden_per_tab() -> None:
    board = playground(
        mlp={"widths": "10,5", "batch": 3},
        conv={"kernel": 5},
        network={"name": "lenet5"},
        roofline={"machine": GPU},
    )
    assert board.tabs["MLP cost"].values() == {"widths": "10,5", "batch": 3, "cost": "forward pass"}
    assert board.tabs["Conv layer"].values()["kernel"] == 5
    assert board.tabs["Conv layer"].values()["height"] == 56
    assert board.tabs["Network picker"].values() == {"name": "lenet5", "batch": 1}
    assert board.tabs["Roofline"].values()["machine"] == GPU


# ---------------------------------------------------------------- ranges


@pytest.mark.parametrize(("key", "bounds"), list(SLIDERS.items()), ids=lambda k: "-".join(map(str, k)))
def test_slider_ranges_are_the_documented_ones_and_clamp(dashboard, key, bounds) -> None:
    slider = dashboard.controls()[key]
    low, high = bounds
    assert (slider.min, slider.max, slider.step) == (low, high, 1)
    explorer = dashboard.tabs[key[0]]
    old = slider.value
    slider.unobserve(explorer.refresh, names="value")  # the slider alone is under test: no redraws
    try:
        slider.value = high + 1000
        assert slider.value == high
        slider.value = low - 1000
        assert slider.value == low
    finally:
        slider.value = old
        slider.observe(explorer.refresh, names="value")


@pytest.mark.parametrize(("key", "options"), list(DROPDOWNS.items()), ids=lambda k: "-".join(map(str, k)))
def test_dropdown_options_are_the_documented_ones(dashboard, key, options) -> None:
    dropdown = dashboard.controls()[key]
    assert list(dropdown.options) == options
    with pytest.raises(TraitError, match="Invalid selection"):
        dropdown.value = "not an option"


def test_documented_network_options_are_the_course_architectures() -> None:
    assert DROPDOWNS[("Network picker", "name")] == architectures.names()


def test_machines_are_the_stated_ones() -> None:
    assert MACHINES == MACHINE_RATES


def test_widths_text_is_bounded_by_its_parser() -> None:
    assert not mlp_panel(",".join(["2048"] * 9), 1024, "training step").startswith("invalid input")
    assert not mlp_panel(",".join(["2048"] * 9), 1024, "forward pass").startswith("invalid input")
    for cost in ("forward pass", "training step"):
        for widths in (",".join(["2048"] * 10), "2049,10", "0,10", "10", "", "10,x"):
            assert mlp_panel(widths, 1, cost).startswith("invalid input: "), (cost, widths)
        assert mlp_panel("10,10", 1025, cost).startswith("invalid input: ")


def test_panels_refuse_unknown_choices() -> None:
    with pytest.raises(ValueError, match="cost must be one of"):
        mlp_panel("10,10", 1, "backward only")
    with pytest.raises(ValueError, match="machine must be one of"):
        roofline_panel("relu 1M", 1, "a quantum computer")
    with pytest.raises(ValueError, match="layer must be one of"):
        roofline_panel("dense 1->1", 1, CORE)
    with pytest.raises(ValueError, match="batch must be an integer between 1 and 4096"):
        roofline_tab_report("relu 1M", 4097, CORE)
    with pytest.raises(ValueError, match="batch must be an integer"):
        roofline_tab_report("relu 1M", True, CORE)
    with pytest.raises(ValueError, match="cost must be one of"):
        mlp_explorer(cost="backward")
    with pytest.raises(ValueError, match="machine must be one of"):
        roofline_tab(machine="laptop")


# ---------------------------------------------------------------- each tab's controls change its output


def test_mlp_tab_follows_its_controls_hand_worked() -> None:
    explorer = mlp_explorer(widths="3,4,2", batch=5)
    # B n(0) n(1) + B n(1) n(2) = 5*3*4 + 5*4*2 = 100 multiplies, 200 FLOPs, B (4 + 2) = 30 activations
    text = panel_text(explorer)
    assert text == forward_report("3,4,2", 5)
    assert "FLOPs = multiplies + adds = 200" in text
    explorer.controls["cost"].value = "training step"
    text = panel_text(explorer)
    assert text == backprop_report("3,4,2", 5)
    # forward 200; backward: dz 5*(4+2) = 30, dW 2*5*(12+8) - 20 = 180, db 4*(4+2) = 24, dx (layer 2) 2*5*8 - 5*4 = 60;
    # update 2*(12+4+8+2) = 52; step 200 + 294 + 52 = 546 (the loss comes on top)
    assert re.search(r"^total\s.*\b546\b", text, flags=re.MULTILINE), text


@settings(max_examples=40, deadline=None)
@given(
    widths=st.lists(st.integers(1, 2048), min_size=2, max_size=9),
    batch=st.integers(1, 1024),
    cost=st.sampled_from(["forward pass", "training step"]),
)
def test_mlp_tab_panel_equals_the_pure_report(widths, batch, cost) -> None:
    explorer = mlp_explorer()
    text = ",".join(map(str, widths))
    set_values(explorer, {"widths": text, "batch": batch, "cost": cost})
    report = forward_report if cost == "forward pass" else backprop_report
    assert panel_text(explorer) == report(text, batch)


def test_mlp_tab_shows_bad_text_as_a_message(dashboard) -> None:
    explorer = dashboard.tabs["MLP cost"]
    old = explorer.values()
    try:
        explorer.controls["widths"].value = "784,x,10"
        assert panel_text(explorer).startswith("invalid input: widths")
    finally:
        set_quietly(explorer, old)


CONV_SETTINGS = [
    {"height": 32, "width": 20, "c_in": 3, "c_out": 8, "kernel": 5, "stride": 2, "padding": 2, "dilation": 1},
    {"height": 7, "width": 7, "c_in": 16, "c_out": 1, "kernel": 3, "stride": 1, "padding": 0, "dilation": 2},
    {"height": 2, "width": 2, "c_in": 1, "c_out": 1, "kernel": 11, "stride": 4, "padding": 0, "dilation": 4},
    {
        "height": 64,
        "width": 1,
        "c_in": 512,
        "c_out": 512,
        "kernel": 1,
        "stride": 3,
        "padding": 5,
        "dilation": 3,
    },
]


def test_conv_tab_every_slider_changes_the_report(dashboard) -> None:
    explorer = dashboard.tabs["Conv layer"]
    old = explorer.values()
    try:
        for name, value in moves(explorer, CONV_SETTINGS[0]):
            text, picture = panel_text(explorer), explorer.figure_view.value
            explorer.controls[name].value = value
            assert panel_text(explorer) != text, name
            assert panel_text(explorer) == conv_layer_report(**explorer.values()), name
            if name not in ("c_out",):  # the picture shows the geometry and the input's channels
                assert explorer.figure_view.value != picture, name
    finally:
        set_quietly(explorer, old)


@pytest.mark.parametrize("values", CONV_SETTINGS[1:])
def test_conv_tab_follows_its_controls(dashboard, values) -> None:
    explorer = dashboard.tabs["Conv layer"]
    old = explorer.values()
    try:
        set_quietly(explorer, dict(list(values.items())[:-1]))
        name, value = list(values.items())[-1]
        explorer.controls[name].value = value  # the last move re-renders through the control
        assert panel_text(explorer) == conv_layer_report(**values)
    finally:
        set_quietly(explorer, old)


def test_conv_tab_starting_layer_hand_worked(dashboard) -> None:
    text = panel_text(dashboard.tabs["Conv layer"])
    # 56 x 56, 3 x 3, stride 1, padding 1: (56 + 2 - 3) / 1 + 1 = 56; MACs 64 * 56 * 56 * 64 * 9
    assert "output shape (N, C_out, H_out, W_out) = (1, 64, 56, 56)" in text
    assert f"= {64 * 56 * 56 * 64 * 9:,}" in text
    assert f"{64 * 64 * 9:,} weights (C_out C_in K^2) + 64 biases = {64 * 64 * 9 + 64:,}" in text


@pytest.mark.parametrize(
    ("name", "batch"), [("lenet5", 1), ("alexnet", 8), ("resnet18", 256), ("mobilenet_v2", 3)]
)
def test_network_tab_follows_its_controls(dashboard, name, batch) -> None:
    explorer = dashboard.tabs["Network picker"]
    old = explorer.values()
    try:
        for control, value in moves(explorer, {"name": name, "batch": batch}):
            text, picture = panel_text(explorer), explorer.figure_view.value
            explorer.controls[control].value = value
            assert panel_text(explorer) != text, control
            assert explorer.figure_view.value != picture, control
        assert panel_text(explorer) == network_report(name, batch)
    finally:
        set_quietly(explorer, old)


def test_network_tab_lenet_hand_worked(dashboard) -> None:
    explorer = dashboard.tabs["Network picker"]
    old = explorer.values()
    try:
        set_quietly(explorer, {"name": "lenet5", "batch": 2})
        # C1 6@5x5 on 32x32, C3 16@5x5 on 6x14x14, C5 120@5x5 on 16x5x5, F6 120->84, out 84->10
        params = (6 * 25 + 6) + (16 * 6 * 25 + 16) + (120 * 16 * 25 + 120) + (120 * 84 + 84) + (84 * 10 + 10)
        macs = 6 * 28 * 28 * 25 + 16 * 10 * 10 * 6 * 25 + 120 * 16 * 25 + 120 * 84 + 84 * 10
        text = panel_text(explorer)
        assert re.search(rf"^parameters\s+{params:,} ", text, flags=re.MULTILINE), text
        assert re.search(rf"^MACs \(conv \+ linear\)\s+{2 * macs:,} ", text, flags=re.MULTILINE), text
    finally:
        set_quietly(explorer, old)


@settings(max_examples=50, deadline=None)
@given(
    layer=st.sampled_from(ROOFLINE_LAYERS),
    batch=st.integers(1, 256),
    machine=st.sampled_from([CORE, DESKTOP, GPU]),
)
def test_roofline_panel_is_the_report_on_the_stated_machine(layer, batch, machine) -> None:
    peak, bandwidth = MACHINE_RATES[machine]
    assert roofline_panel(layer, batch, machine) == roofline_report(layer, batch, peak, bandwidth)


def test_roofline_tab_every_control_changes_report_and_picture() -> None:
    explorer = roofline_tab()
    for name, value in (("batch", 64), ("layer", "conv 64->64 3x3 @56"), ("machine", DESKTOP)):
        text, picture = panel_text(explorer), explorer.figure_view.value
        explorer.controls[name].value = value
        values = explorer.values()
        peak, bandwidth = MACHINE_RATES[values["machine"]]
        assert panel_text(explorer) != text, name
        assert panel_text(explorer) == roofline_report(values["layer"], values["batch"], peak, bandwidth), (
            name
        )
        assert explorer.figure_view.value != picture, name
        assert explorer.figure_view.value == roofline_tab_report(**values).png(), name
    assert explorer.values() == {"layer": "conv 64->64 3x3 @56", "batch": 64, "machine": DESKTOP}


def test_roofline_tab_hand_worked(dashboard) -> None:
    explorer = dashboard.tabs["Roofline"]
    old = explorer.values()
    try:
        # dense 4096 -> 4096 at B = 1: 2 * 4096^2 FLOPs over 4 (4096 + 4096^2 + 4096 + 4096) bytes
        flops, size = 2 * 4096**2, 4 * (3 * 4096 + 4096**2)
        text = panel_text(explorer)
        assert f"intensity    {flops:,} / {size:,} = {flops / size:.4f} FLOP/byte" in text
        assert "ridge point  80.00 / 20.00 = 4.0000 FLOP/byte" in text
        assert "memory-bound" in text
        before = explorer.figure_view.value
        explorer.controls["machine"].value = GPU
        assert f"ridge point  19500.00 / 1555.00 = {19500 / 1555:.4f} FLOP/byte" in panel_text(explorer)
        assert explorer.figure_view.value != before
        # relu: one op per element, 8 bytes per element (read + write float32): 0.125 op/byte at any B
        set_quietly(explorer, {"layer": "relu 1M", "batch": 7})
        assert "= 0.1250 op/byte" in panel_text(explorer)
    finally:
        set_quietly(explorer, old)


def test_roofline_drawing_places_the_layer_on_the_roof() -> None:
    fig = roofline_tab_report("dense 4096->4096", 16, CORE).figure
    ax = fig.axes[0]
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert "intensity" in ax.get_xlabel() and "GFLOP/s" in ax.get_ylabel()
    (point,) = [line for line in ax.lines if line.get_gid() == "predicted"]
    (x,), (y,) = point.get_xdata(), point.get_ydata()
    flops, size = 2 * 16 * 4096**2, 4 * (16 * 4096 + 4096**2 + 4096 + 16 * 4096)
    assert x == pytest.approx(flops / size)
    assert y == pytest.approx(min(80.0, 20.0 * flops / size))
    (roof,) = [line for line in ax.lines if line.get_gid() == "roofline"]
    assert ax.get_ylim() == roofline_tab_report("relu 1M", 1, GPU).figure.axes[0].get_ylim()  # shared axes
    assert list(roof.get_xdata()) == pytest.approx([0.05, 4.0, 1000.0])
    assert list(roof.get_ydata()) == pytest.approx([1.0, 80.0, 80.0])


# ---------------------------------------------------------------- worst cases, by size


def test_worst_cases_are_settings_the_controls_accept(dashboard) -> None:
    assert set(WORST_CASE) == set(TAB_TITLES)
    for title, values in WORST_CASE.items():
        explorer = dashboard.tabs[title]
        old = explorer.values()
        try:
            set_quietly(explorer, values)
            assert explorer.values() == values  # no slider clamped: each value is in range
            assert panel_text(explorer) == str(explorer.report(**values))
            assert not panel_text(explorer).startswith("invalid input")
            text, picture = render(title, values)  # what the notebook times: the same work, no widgets
            assert text == panel_text(explorer)
            shown = getattr(explorer, "image", explorer.figure_view).value
            assert picture == (shown if picture is not None else None)
        finally:
            set_quietly(explorer, old)


def test_worst_case_of_each_slider_is_its_largest_value() -> None:
    for (title, name), (_, high) in SLIDERS.items():
        worst = WORST_CASE[title][name]
        if title == "Conv layer" and name in ("kernel", "stride", "dilation"):
            assert worst == 1, name  # the most windows: the smallest kernel, stride and dilation
        else:
            assert worst == high, (title, name)
    widths = [int(w) for w in str(WORST_CASE["MLP cost"]["widths"]).split(",")]
    assert widths == [2048] * 9
    assert WORST_CASE["MLP cost"]["cost"] == "training step"


def test_conv_windows_drawn_never_exceed_the_documented_bound() -> None:
    assert CONV_WINDOWS_BOUND == 5476  # (64 + 2 * 5)^2
    worst = {k: v for k, v in WORST_CASE["Conv layer"].items() if k not in ("c_in", "c_out")}
    assert len(kernel_positions(**worst)) == CONV_WINDOWS_BOUND


@settings(max_examples=60, deadline=None)
@given(
    height=st.integers(1, 64),
    width=st.integers(1, 64),
    kernel=st.integers(1, 11),
    stride=st.integers(1, 4),
    padding=st.integers(0, 5),
    dilation=st.integers(1, 4),
)
def test_conv_windows_within_bound_over_the_whole_range(
    height, width, kernel, stride, padding, dilation
) -> None:
    extent = dilation * (kernel - 1) + 1
    if extent > height + 2 * padding or extent > width + 2 * padding:
        return  # nothing to draw but the outline of the kernel
    windows = kernel_positions(height, width, kernel, stride, padding, dilation)
    assert len(windows) <= CONV_WINDOWS_BOUND


def test_network_bars_never_exceed_the_documented_bound() -> None:
    bars = {
        name: sum(
            1
            for layer in layer_costs(name, 1)
            if layer["macs"] or layer["params"] or layer["feature_map_bytes"]
        )
        for name in architectures.names()
    }
    assert max(bars.values()) <= NETWORK_BARS_BOUND
    assert WORST_CASE["Network picker"]["name"] == max(bars, key=bars.get)


def test_render_refuses_an_unknown_tab() -> None:
    with pytest.raises(ValueError, match="title must be one of"):
        render("Transformer", {})


def test_render_of_the_conv_tab_matches_the_explorer_even_for_a_misfit() -> None:
    explorer = playground().tabs["Conv layer"]
    unfit = {
        "height": 2,
        "width": 2,
        "c_in": 1,
        "c_out": 1,
        "kernel": 5,
        "stride": 1,
        "padding": 0,
        "dilation": 1,
    }
    set_quietly(explorer, unfit)
    text, picture = render("Conv layer", unfit)
    assert "ERROR: kernel 5x5" in text  # the report explains, the picture outlines the kernel
    assert (text, picture) == (panel_text(explorer), explorer.figure_view.value)
    assert picture.startswith(b"\x89PNG")
    with pytest.raises(ValueError, match=r"^height must be an integer between 1 and 64"):
        render("Conv layer", {**unfit, "height": 65})  # no slider can do this
