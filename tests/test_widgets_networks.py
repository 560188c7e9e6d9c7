"""Tests of the network widget (notebooks/06_cnn_time_and_space.ipynb).

The expected numbers come from outside the widget: the parameter counts and MACs
that torchvision publishes (``architectures.published``, typed from the weights'
metadata), LeNet-5 and VGG-16 worked out layer by layer from their papers'
configurations in this file, and MobileNet V1's TF-slim table. Properties that
hold whatever the numbers are (memory linear in the batch, parameters constant,
totals equal to the sum of the rows, shares adding up) are checked over every
network and batches across the slider's range.
"""

from __future__ import annotations

import html
import math
import re

import matplotlib.pyplot as plt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import architectures
from course_lib.widgets.networks import (
    BAR_WIDTH,
    LIMITS,
    TOP_LAYERS,
    layer_costs,
    network_explorer,
    network_layers_png,
    network_report,
    network_totals,
    plot_network_layers,
)

NAMES = architectures.names()
BATCHES = (1, 2, 7, 32, 256)
F32 = 4

# LeNet-5, modern variant (1 x 32 x 32 input, full C3, dense output), by hand:
# C1 6@5x5 -> 6x28x28, S2 -> 6x14x14, C3 16@5x5 -> 16x10x10, S4 -> 16x5x5, C5 120@5x5 -> 120x1x1,
# F6 120 -> 84, output 84 -> 10.
LENET_PARAMS = (6 * 25 + 6) + (16 * 6 * 25 + 16) + (120 * 16 * 25 + 120) + (120 * 84 + 84) + (84 * 10 + 10)
LENET_MACS = 6 * 28 * 28 * 25 + 16 * 10 * 10 * 6 * 25 + 120 * 16 * 25 + 120 * 84 + 84 * 10
# every layer writes a new map (tanh is not in place) except the flatten; the input counts too
LENET_MAP_ELEMENTS = (
    32 * 32
    + 2 * 6 * 28 * 28  # C1 and its tanh
    + 6 * 14 * 14  # S2
    + 2 * 16 * 10 * 10  # C3 and its tanh
    + 16 * 5 * 5  # S4
    + 2 * 120  # C5 and its tanh
    + 2 * 84  # F6 and its tanh
    + 10  # output
)

VGG16_CONFIG = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M")
"""Simonyan & Zisserman (2015), Table 1, configuration D: 3x3 convs (padding 1), "M" a 2x2 max pool."""


def _vgg16_by_hand() -> dict[str, int]:
    """VGG-16 on 3 x 224 x 224 from the configuration, one sample: params, MACs, feature-map elements."""
    channels, side = 3, 224
    params = macs = 0
    maps = channels * side * side  # the input
    largest_pair = 0
    for item in VGG16_CONFIG:
        if item == "M":
            side //= 2
            largest_pair = max(largest_pair, channels * (4 * side * side + side * side))
            maps += channels * side * side
            continue
        params += item * channels * 9 + item
        macs += item * side * side * channels * 9
        largest_pair = max(largest_pair, (channels + item) * side * side)
        maps += item * side * side  # the conv's output; the in-place ReLU writes nothing new
        channels = item
    maps += 512 * 7 * 7  # adaptive average pool to 7 x 7 (the identity here, still a new map)
    for n_in, n_out in ((512 * 7 * 7, 4096), (4096, 4096), (4096, 1000)):
        params += n_in * n_out + n_out
        macs += n_in * n_out
        maps += n_out
    maps += 2 * 4096  # the two dropouts
    return {"params": params, "macs": macs, "maps": maps, "largest_pair": largest_pair}


VGG16 = _vgg16_by_hand()


def _expected_params(name: str) -> int:
    return LENET_PARAMS if name == "lenet5" else architectures.published(name)["params"]


def _report_int(text: str, label: str) -> int:
    match = re.search(rf"^{label}\s+([\d,]+)", text, re.MULTILINE)
    assert match, f"no line {label!r} in:\n{text}"
    return int(match.group(1).replace(",", ""))


def _section(text: str, heading: str) -> list[str]:
    """The indented lines under the line that starts with ``heading``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    body = []
    for line in lines[start + 1 :]:
        if not line.startswith("  "):
            break
        body.append(line)
    return body


# ---------------------------------------------------------------- published and hand-worked numbers


def test_lenet_by_hand_is_the_modern_variant_of_the_paper() -> None:
    # the paper's 60,000 trainable parameters + 900 (full C3) - 44 (pooling coefficients) + 850 (dense output)
    assert LENET_PARAMS == 60_000 + 900 - 44 + 850 == 61_706


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("batch", BATCHES)
def test_parameters_are_the_published_ones_for_every_batch(name: str, batch: int) -> None:
    totals = network_totals(name, batch)
    assert totals["params"] == _expected_params(name)
    assert totals["parameter_bytes"] == F32 * _expected_params(name)
    assert _report_int(network_report(name, batch), "parameters") == _expected_params(name)


@pytest.mark.parametrize("name", [name for name in NAMES if architectures.published(name).get("gflops")])
def test_macs_round_to_torchvision_gflops(name: str) -> None:
    published = architectures.published(name)
    for batch in BATCHES:
        macs = network_totals(name, batch)["macs"]
        assert macs % batch == 0
        assert round(macs // batch / 1e9, published["gflops_decimals"]) == published["gflops"]


def test_mobilenet_v1_macs_are_tf_slims_conv_table_plus_the_dense_layer() -> None:
    published = architectures.published("mobilenet_v1")
    assert network_totals("mobilenet_v1", 3)["macs"] == 3 * (published["tf_slim_base_macs"] + 1024 * 1000)
    assert round(network_totals("mobilenet_v1", 1)["macs"] / 1e6) == published["paper_mult_adds_millions"]


@pytest.mark.parametrize("batch", BATCHES)
def test_lenet_by_hand(batch: int) -> None:
    totals = network_totals("lenet5", batch)
    assert totals["macs"] == batch * LENET_MACS
    assert totals["feature_map_bytes"] == F32 * batch * LENET_MAP_ELEMENTS
    # the largest live pair: C1's tanh reads the 6x28x28 map and writes another one
    assert totals["largest_pair_bytes"] == F32 * batch * 2 * 6 * 28 * 28


@pytest.mark.parametrize("batch", BATCHES)
def test_vgg16_by_hand(batch: int) -> None:
    totals = network_totals("vgg16", batch)
    assert totals["params"] == VGG16["params"] == 138_357_544
    assert totals["macs"] == batch * VGG16["macs"]
    assert totals["feature_map_bytes"] == F32 * batch * VGG16["maps"]
    assert (
        totals["largest_pair_bytes"] == F32 * batch * VGG16["largest_pair"] == F32 * batch * 2 * 64 * 224**2
    )
    assert totals["inference_bytes"] == F32 * (VGG16["params"] + batch * VGG16["largest_pair"])
    text = network_report("vgg16", batch)
    assert _report_int(text, "MACs \\(conv \\+ linear\\)") == batch * VGG16["macs"]
    assert re.search(rf"^feature maps written\s+{batch * F32 * VGG16['maps']:,} B", text, re.MULTILINE)


def test_vgg16_shares_where_flops_and_parameters_live() -> None:
    conv_macs = sum(
        item * side**2 * c_in * 9
        for item, side, c_in in [
            (64, 224, 3), (64, 224, 64), (128, 112, 64), (128, 112, 128), (256, 56, 128), (256, 56, 256),
            (256, 56, 256), (512, 28, 256), (512, 28, 512), (512, 28, 512), (512, 14, 512), (512, 14, 512),
            (512, 14, 512),
        ]
    )  # fmt: skip
    fc_params = (25088 * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * 1000 + 1000)
    table = dict(
        (line.split()[0], line.split()[1:])
        for line in _section(network_report("vgg16", 1), "share of each")[1:]
    )
    assert table["Conv2d"][1] == f"{conv_macs / VGG16['macs']:.1%}" == "99.2%"
    assert table["Linear"][2] == f"{fc_params / VGG16['params']:.1%}" == "89.4%"


@pytest.mark.parametrize("batch", (1, 32))
def test_vgg16_top_mac_layer_and_bars(batch: int) -> None:
    lines = _section(network_report("vgg16", batch), "MACs:")
    biggest = 64 * 64 * 9 * 224**2 * batch  # the second conv: 64 -> 64 channels at 224 x 224
    first = lines[0]
    assert first.split()[0] == "features.2"
    assert f"{biggest / 1e9:.3f} G MACs" in first
    share = biggest / (batch * VGG16["macs"])
    assert f"{share:.1%}" in first
    assert first.endswith(" " + "#" * round(share * BAR_WIDTH))


# ---------------------------------------------------------------- properties over every network and batch


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(NAMES), batch=st.integers(*LIMITS["batch"]))
def test_scaling_with_the_batch(name: str, batch: int) -> None:
    one, many = network_totals(name, 1), network_totals(name, batch)
    assert many["params"] == one["params"] and many["parameter_bytes"] == one["parameter_bytes"]
    for key in ("macs", "feature_map_bytes", "largest_pair_bytes"):
        assert many[key] == batch * one[key]
    assert many["inference_bytes"] == one["parameter_bytes"] + batch * one["largest_pair_bytes"]
    per_layer_one, per_layer = layer_costs(name, 1), layer_costs(name, batch)
    assert [layer.params for layer in per_layer] == [layer.params for layer in per_layer_one]
    assert [layer.macs for layer in per_layer] == [batch * layer.macs for layer in per_layer_one]


@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from(NAMES), batch=st.integers(*LIMITS["batch"]))
def test_totals_are_the_sums_of_the_rows(name: str, batch: int) -> None:
    layers, totals = layer_costs(name, batch), network_totals(name, batch)
    net = architectures.get(name)
    input_bytes = F32 * batch * math.prod(net.input_shape)
    assert totals["params"] == sum(layer.params for layer in layers)
    assert totals["macs"] == sum(layer.macs for layer in layers)
    assert totals["feature_map_bytes"] == input_bytes + sum(layer.feature_map_bytes for layer in layers)
    assert totals["largest_pair_bytes"] == max(layer.live_pair_bytes for layer in layers)
    for layer in layers:
        if layer.layer_type == "Flatten":
            assert layer.feature_map_bytes == 0
        assert layer.live_pair_bytes >= layer.feature_map_bytes
        assert layer.feature_map_bytes % (F32 * batch) == 0


@settings(max_examples=25, deadline=None)
@given(name=st.sampled_from(NAMES), batch=st.sampled_from(BATCHES))
def test_report_sections_list_the_largest_layers_in_order(name: str, batch: int) -> None:
    text = network_report(name, batch)
    layers = layer_costs(name, batch)
    for heading, quantity in (("MACs:", "macs"), ("parameters:", "params"), ("feature maps written:", None)):
        lines = _section(text, heading)
        if quantity is None:
            quantity = "feature_map_bytes"
        nonzero = sorted(
            (getattr(layer, quantity) for layer in layers if getattr(layer, quantity)), reverse=True
        )
        listed = [line for line in lines if not line.lstrip().startswith("the other")]
        assert len(listed) == min(TOP_LAYERS, len(nonzero))
        shares = [float(re.search(r"(\d+\.\d)%", line).group(1)) for line in lines]
        assert shares[: len(listed)] == sorted(shares[: len(listed)], reverse=True)
        assert sum(shares) == pytest.approx(100.0, abs=0.05 * len(shares) + 1e-9)
        total = sum(nonzero)
        for line, amount in zip(listed, nonzero, strict=False):
            assert f"{amount / total:.1%}" in line


def test_in_place_activations_write_no_feature_map() -> None:
    for layer in layer_costs("vgg16", 2):
        if layer.layer_type == "ReLU":  # every ReLU of torchvision's VGG is in place
            assert layer.feature_map_bytes == 0
    for layer in layer_costs("lenet5", 2):
        if layer.layer_type == "Tanh":  # LeNet-5's tanh layers are not
            assert layer.feature_map_bytes > 0


def test_branching_networks_say_the_inference_memory_is_a_lower_bound() -> None:
    assert "at least" in network_report("resnet18", 1)
    assert "at least" not in network_report("vgg11", 1)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("name", ["vgg17", "VGG16", "", 16, None])
def test_unknown_name_raises_naming_the_argument(name: object) -> None:
    for call in (network_report, network_totals, layer_costs, plot_network_layers, network_explorer):
        with pytest.raises(ValueError, match=r"^name must be one of lenet5, alexnet"):
            call(name, 1)


@pytest.mark.parametrize("batch", [0, -1, 257, 2.0, 1.5, True, "3", None])
def test_bad_batch_raises_naming_the_argument(batch: object) -> None:
    for call in (network_report, network_totals, layer_costs, plot_network_layers, network_explorer):
        with pytest.raises(ValueError, match=r"^batch must be an integer between 1 and 256"):
            call("vgg16", batch)


def test_bad_log_flag_raises() -> None:
    with pytest.raises(ValueError, match=r"^log must be True or False"):
        plot_network_layers("vgg16", 1, log="yes")


# ---------------------------------------------------------------- figure and explorer


@pytest.mark.parametrize("log", [False, True])
def test_figure_bars_are_the_layer_costs(log: bool) -> None:
    fig = plot_network_layers("alexnet", 4, log=log)
    try:
        axes = fig.axes
        assert len(axes) == 3
        shown = [
            layer
            for layer in layer_costs("alexnet", 4)
            if layer.macs or layer.params or layer.feature_map_bytes
        ]
        for ax, quantity, scale in zip(
            axes, ("macs", "params", "feature_map_bytes"), (1e9, 1e6, 1e6), strict=True
        ):
            heights = [patch.get_height() for patch in ax.patches]
            assert heights == pytest.approx([getattr(layer, quantity) / scale for layer in shown])
            assert ax.get_ylabel()
            assert ax.get_yscale() == ("log" if log else "linear")
        assert [tick.get_text() for tick in axes[-1].get_xticklabels()] == [layer.name for layer in shown]
    finally:
        plt.close(fig)


def test_png_is_a_png() -> None:
    assert network_layers_png("lenet5", 1).startswith(b"\x89PNG\r\n\x1a\n")


def test_explorer_follows_its_controls() -> None:
    explorer = network_explorer("alexnet", 2)
    dropdown, slider = explorer.controls["name"], explorer.controls["batch"]
    assert list(dropdown.options) == NAMES
    assert (slider.min, slider.max, slider.value) == (*LIMITS["batch"], 2)
    assert explorer.panel.value == f"<pre>{html.escape(network_report('alexnet', 2))}</pre>"
    first_image = explorer.image.value
    slider.value = 64
    assert explorer.panel.value == f"<pre>{html.escape(network_report('alexnet', 64))}</pre>"
    dropdown.value = "lenet5"
    assert explorer.panel.value == f"<pre>{html.escape(network_report('lenet5', 64))}</pre>"
    assert bytes(explorer.image.value) != bytes(first_image)
    assert bytes(explorer.image.value).startswith(b"\x89PNG")
    assert list(explorer.children[:2]) == [dropdown, slider]
