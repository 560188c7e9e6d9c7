"""Tests of the network report (notebooks/06_cnn_time_and_space.ipynb), text and figure.

The expected numbers come from outside the report: the parameter counts and MACs
that torchvision publishes (``architectures.published``, typed from the weights'
metadata), LeNet-5 and VGG-16 worked out layer by layer from their papers'
configurations in this file, and MobileNet V1's TF-slim table. Properties that
hold whatever the numbers are (memory linear in the batch, parameters constant,
totals equal to the sum of the bars, axes that do not move with the batch) are
checked over every network and batches across the slider's range.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import architectures
from course_lib.reports import Report, networks
from course_lib.reports.networks import LIMITS, TOP_LAYERS, figure, layer_costs, report, text, totals

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
# the largest input + output of one layer, tanh fused into the layer before it: S2 reads 6x28x28, writes 6x14x14
LENET_PEAK = 6 * 28 * 28 + 6 * 14 * 14

VGG16_CONFIG = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M")
"""Simonyan & Zisserman (2015), Table 1, configuration D: 3x3 convs (padding 1), "M" a 2x2 max pool."""


def _vgg16_by_hand() -> dict[str, int]:
    """VGG-16 on 3 x 224 x 224 from the configuration, one sample: params, MACs, feature-map elements."""
    channels, side = 3, 224
    params = macs = 0
    maps = channels * side * side  # the input
    peak = 0
    for item in VGG16_CONFIG:
        if item == "M":
            side //= 2
            peak = max(peak, channels * (4 * side * side + side * side))
            maps += channels * side * side
            continue
        params += item * channels * 9 + item
        macs += item * side * side * channels * 9
        peak = max(peak, (channels + item) * side * side)
        maps += item * side * side  # the conv's output; the in-place ReLU writes nothing new
        channels = item
    maps += 512 * 7 * 7  # adaptive average pool to 7 x 7 (the identity here, still a new map)
    for n_in, n_out in ((512 * 7 * 7, 4096), (4096, 4096), (4096, 1000)):
        params += n_in * n_out + n_out
        macs += n_in * n_out
        maps += n_out
    # the two dropouts are the identity at inference: they write nothing (Summary.feature_maps)
    return {"params": params, "macs": macs, "maps": maps, "peak": peak}


VGG16 = _vgg16_by_hand()


def _expected_params(name: str) -> int:
    if name == "resnet50_v1":  # the paper gives no count; moving a stride changes no weight
        return architectures.published("resnet50")["params"]
    return LENET_PARAMS if name == "lenet5" else architectures.published(name)["params"]


def _report_int(shown: str, label: str) -> int:
    match = re.search(rf"^{label}\s+([\d,]+)", shown, re.MULTILINE)
    assert match, f"no line {label!r} in:\n{shown}"
    return int(match.group(1).replace(",", ""))


def _section(shown: str, heading: str) -> list[str]:
    """The indented lines under the line that starts with ``heading``."""
    lines = shown.splitlines()
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
def test_parameters_are_the_published_ones_for_every_batch(name: str) -> None:
    for batch in BATCHES:
        sums = totals(name, batch)
        assert sums["params"] == _expected_params(name)
        assert sums["parameter_bytes"] == F32 * _expected_params(name)
        assert _report_int(text(name, batch), "parameters") == _expected_params(name)


@pytest.mark.parametrize("name", [name for name in NAMES if architectures.published(name).get("gflops")])
def test_macs_round_to_torchvision_gflops(name: str) -> None:
    published = architectures.published(name)
    for batch in BATCHES:
        macs = totals(name, batch)["macs"]
        assert macs % batch == 0
        assert round(macs // batch / 1e9, published["gflops_decimals"]) == published["gflops"]


def test_mobilenet_v1_macs_are_tf_slims_conv_table_plus_the_dense_layer() -> None:
    published = architectures.published("mobilenet_v1")
    assert totals("mobilenet_v1", 3)["macs"] == 3 * (published["tf_slim_base_macs"] + 1024 * 1000)
    assert round(totals("mobilenet_v1", 1)["macs"] / 1e6) == published["paper_mult_adds_millions"]


@pytest.mark.parametrize("batch", BATCHES)
def test_lenet_by_hand(batch: int) -> None:
    sums = totals("lenet5", batch)
    assert sums["macs"] == batch * LENET_MACS
    assert sums["feature_map_bytes"] == F32 * batch * LENET_MAP_ELEMENTS
    assert (sums["peak_bytes"], sums["peak_layer"]) == (F32 * batch * LENET_PEAK, "S2")


@pytest.mark.parametrize("batch", BATCHES)
def test_vgg16_by_hand(batch: int) -> None:
    sums = totals("vgg16", batch)
    assert sums["params"] == VGG16["params"] == 138_357_544
    assert sums["macs"] == batch * VGG16["macs"]
    assert sums["feature_map_bytes"] == F32 * batch * VGG16["maps"]
    assert sums["peak_bytes"] == F32 * batch * VGG16["peak"] == F32 * batch * 2 * 64 * 224**2
    assert sums["inference_bytes"] == F32 * (VGG16["params"] + batch * VGG16["peak"])
    shown = text("vgg16", batch)
    assert _report_int(shown, "MACs \\(conv \\+ linear\\)") == batch * VGG16["macs"]
    assert re.search(rf"^feature maps written\s+{batch * F32 * VGG16['maps']:,} B", shown, re.MULTILINE)


def test_vgg16_text_in_si_units() -> None:
    shown = text("vgg16", 32)
    # 138,357,544 parameters x 4 bytes = 553,430,176 bytes; 2 x 64 x 224^2 x 4 x 32 = 822,083,584 bytes
    assert "138,357,544 = 138.36 M, 553.4 MB (the same for every batch)" in shown
    assert "= 553.4 MB + 822.1 MB (features.2) = 1.4 GB" in shown
    assert "MiB" not in shown and "KiB" not in shown


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
        (line.split()[0], line.split()[1:]) for line in _section(text("vgg16", 1), "share of each")[1:]
    )
    assert table["Conv2d"][1] == f"{conv_macs / VGG16['macs']:.1%}" == "99.2%"
    assert table["Linear"][2] == f"{fc_params / VGG16['params']:.1%}" == "89.4%"


@pytest.mark.parametrize("batch", (1, 32))
def test_vgg16_top_mac_layer(batch: int) -> None:
    first = _section(text("vgg16", batch), "MACs:")[0]
    biggest = 64 * 64 * 9 * 224**2 * batch  # the second conv: 64 -> 64 channels at 224 x 224
    assert first.split()[0] == "features.2"
    assert f"{biggest / 1e9:.2f} G" in first
    assert first.endswith(f"{biggest / (batch * VGG16['macs']):.1%}")


def test_branching_networks_say_the_inference_memory_is_a_lower_bound() -> None:
    assert "at least" in text("resnet18", 1)
    assert "at least" not in text("vgg11", 1)


def test_text_lines_fit_a_narrow_panel() -> None:
    for name in NAMES:
        assert max(len(line) for line in text(name, 256).splitlines()) <= 100, name


# ---------------------------------------------------------------- properties over every network and batch


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(NAMES), batch=st.integers(*LIMITS["batch"]))
def test_scaling_with_the_batch_and_totals_as_sums(name: str, batch: int) -> None:
    one, many = totals(name, 1), totals(name, batch)
    assert many["params"] == one["params"] and many["parameter_bytes"] == one["parameter_bytes"]
    for key in ("macs", "feature_map_bytes", "peak_bytes"):
        assert many[key] == batch * one[key]
    layers = layer_costs(name, batch)
    assert many["params"] == sum(layer["params"] for layer in layers)
    assert many["macs"] == sum(layer["macs"] for layer in layers)
    inputs = (
        F32 * batch * architectures.get(name).input_shape[0] * architectures.get(name).input_shape[1] ** 2
    )
    assert many["feature_map_bytes"] == inputs + sum(layer["feature_map_bytes"] for layer in layers)
    for layer in layers:
        if layer["type"] == "Flatten" or (layer["type"] == "ReLU" and name.startswith("vgg")):
            assert layer["feature_map_bytes"] == 0  # a view; torchvision's VGG ReLUs are in place


@settings(max_examples=20, deadline=None)
@given(name=st.sampled_from(NAMES), batch=st.sampled_from(BATCHES))
def test_text_lists_the_largest_layers_in_order(name: str, batch: int) -> None:
    shown, layers = text(name, batch), layer_costs(name, batch)
    for heading, quantity in (
        ("MACs:", "macs"),
        ("parameters:", "params"),
        ("feature maps the layers write:", "feature_map_bytes"),
    ):
        lines = _section(shown, heading)
        nonzero = sorted((layer[quantity] for layer in layers if layer[quantity]), reverse=True)
        listed = [line for line in lines if not line.lstrip().startswith("the other")]
        assert len(listed) == min(TOP_LAYERS, len(nonzero))
        shares = [float(re.search(r"(\d+\.\d)%$", line).group(1)) for line in lines]
        assert shares[: len(listed)] == sorted(shares[: len(listed)], reverse=True)
        assert sum(shares) == pytest.approx(100.0, abs=0.05 * len(shares) + 1e-9)
        for line, amount in zip(listed, nonzero, strict=False):
            assert line.endswith(f"{amount / sum(nonzero):.1%}")


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("name", ["vgg17", "VGG16", "", 16, None])
def test_unknown_name_raises_naming_the_argument(name: object) -> None:
    for call in (text, totals, layer_costs, figure):
        with pytest.raises(ValueError, match=r"^name must be one of 'lenet5', 'alexnet'"):
            call(name, 1)


@pytest.mark.parametrize("batch", [0, -1, 257, 2.0, 1.5, True, "3", None])
def test_bad_batch_raises_naming_the_argument(batch: object) -> None:
    for call in (text, totals, layer_costs, figure):
        with pytest.raises(ValueError, match=r"^batch must be an integer between 1 and 256"):
            call("vgg16", batch)


def test_bad_log_flag_raises() -> None:
    with pytest.raises(ValueError, match=r"^log must be True or False"):
        figure("vgg16", 1, log="yes")


# ---------------------------------------------------------------- the figure


def _bars(fig, gid: str) -> list[float]:
    return [patch.get_height() for ax in fig.axes for patch in ax.patches if patch.get_gid() == gid]


@pytest.mark.parametrize(("name", "batch"), [("lenet5", 1), ("alexnet", 4), ("vgg16", 256), ("googlenet", 3)])
def test_figure_bars_are_the_layer_costs_on_fixed_log_axes(name: str, batch: int) -> None:
    fig = figure(name, batch)
    drawn = [
        layer
        for layer in layer_costs(name, batch)
        if layer["macs"] or layer["params"] or layer["feature_map_bytes"]
    ]
    smallest = figure(name, LIMITS["batch"][0])
    for ax, other, quantity in zip(
        fig.axes, smallest.axes, ("macs", "params", "feature_map_bytes"), strict=True
    ):
        assert _bars(fig, quantity) == [layer[quantity] for layer in drawn]
        assert ax.get_yscale() == "log"
        assert ax.get_ylim() == other.get_ylim()  # the axes do not move with the batch
        low, high = ax.get_ylim()
        assert all(low < height < high for height in _bars(fig, quantity) if height)
        assert ax.get_ylabel().endswith(")") and ax.get_title()
    if len(drawn) <= networks.LABELLED_BARS:
        assert [tick.get_text() for tick in fig.axes[-1].get_xticklabels()] == [
            layer["name"] for layer in drawn
        ]
    assert fig.axes[-1].get_xlabel().startswith("layer")


def test_macs_bars_rise_with_the_batch_and_parameters_stay() -> None:
    one, many = figure("alexnet", 1), figure("alexnet", 64)
    assert _bars(many, "macs") == [64 * height for height in _bars(one, "macs")]
    assert _bars(many, "params") == _bars(one, "params")


def test_linear_figure_for_the_notebook() -> None:
    fig = figure("vgg16", 1, log=False)
    assert all(ax.get_yscale() == "linear" for ax in fig.axes)
    assert fig.get_suptitle() == "vgg16, batch 1"
    titled = figure("vgg16", 1, log=False, title="VGG-16: where the cost sits")
    assert titled.get_suptitle() == "VGG-16: where the cost sits"
    assert titled.legends[0]._loc != fig.legends[0]._loc  # moved below, out of the title's way


def test_report_is_the_text_and_the_figure() -> None:
    result = report("lenet5", 2)
    assert isinstance(result, Report) and result.text == text("lenet5", 2)
    assert len(result.figure.axes) == 3
