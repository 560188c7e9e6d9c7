"""The network specs against published numbers, through a small walker written here.

The walker below is independent of course_lib (it only reads the spec
dataclasses): it tracks (C, H, W) through each network with PyTorch's
output-size rules (ceil_mode and adaptive pooling included) and counts

* parameters: conv C_out*(C_in/groups)*K_h*K_w (+ C_out bias), BN 2*C,
  dense n_in*n_out (+ n_out bias);
* MACs of conv and dense layers only: conv out_elements*(C_in/groups)*K_h*K_w,
  dense n_in*n_out.

The totals must equal torchvision's ``num_params`` exactly, and MACs / 1e9
must round to torchvision's ``_ops`` (its docs' "GFLOPS") at the 3 decimals
published. That they do for all nine torchvision networks, while the
variations at the bottom of this file (floor-mode pools, the paper's 5x5
branch, ResNet-50 v1, FLOPs = 2 x MACs, BN counted) do not, is the evidence
for what ``_ops`` means: GMACs of conv + linear layers.
"""

import dataclasses
import math

import pytest

from course_lib import architectures
from course_lib.architectures import (
    AdaptiveAvgPool2d,
    AvgPool2d,
    BatchNorm2d,
    Concat,
    Conv2d,
    Flatten,
    Linear,
    MaxPool2d,
    ReLU6,
    Residual,
    Sequential,
)

TORCHVISION = [
    "alexnet",
    "vgg11",
    "vgg16",
    "googlenet",
    "resnet18",
    "resnet34",
    "resnet50",
    "mobilenet_v2",
    "squeezenet1_0",
]
ALL = [
    "lenet5",
    "alexnet",
    "vgg11",
    "vgg16",
    "googlenet",
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet50_v1",
    "mobilenet_v1",
    "mobilenet_v2",
    "squeezenet1_0",
]


# ------------------------------------------------------------ the test's walker


def window_count(n, kernel, stride, padding, dilation=1, ceil_mode=False):
    """PyTorch's output length of a conv or pooling window sliding over n inputs."""
    span = n + 2 * padding - dilation * (kernel - 1) - 1
    if span < 0:
        raise AssertionError(f"window {kernel} does not fit {n} + 2*{padding}")
    out = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (out - 1) * stride >= n + padding:
        out -= 1
    return out


@dataclasses.dataclass
class Tally:
    params: int = 0
    macs: int = 0
    bn_elements: int = 0
    add_elements: int = 0


def walk(spec, shape, tally):
    """Return the output shape of ``spec`` on ``shape``, adding its costs to ``tally``."""
    if isinstance(spec, Sequential):
        for layer in spec.layers:
            shape = walk(layer, shape, tally)
        return shape
    if isinstance(spec, Concat):
        outs = [walk(branch, shape, tally) for branch in spec.branches]
        assert len({out[1:] for out in outs}) == 1, f"{spec.name}: branch sizes differ {outs}"
        return (sum(out[0] for out in outs), *outs[0][1:])
    if isinstance(spec, Residual):
        body = walk(spec.body, shape, tally)
        short = shape if spec.shortcut is None else walk(spec.shortcut, shape, tally)
        assert body == short, f"{spec.name}: body {body} vs shortcut {short}"
        tally.add_elements += math.prod(body)
        return body
    if isinstance(spec, Conv2d):
        c_in, h, w = shape
        assert c_in % spec.groups == 0, f"{spec.name}: groups {spec.groups} do not divide {c_in}"
        h_out, w_out = (
            window_count(n, k, s, p, d)
            for n, k, s, p, d in zip(
                (h, w), spec.kernel, spec.stride, spec.padding, spec.dilation, strict=True
            )
        )
        fan_in = c_in // spec.groups * spec.kernel[0] * spec.kernel[1]
        tally.params += spec.out_channels * fan_in + (spec.out_channels if spec.bias else 0)
        tally.macs += spec.out_channels * h_out * w_out * fan_in
        return (spec.out_channels, h_out, w_out)
    if isinstance(spec, BatchNorm2d):
        tally.params += 2 * shape[0]
        tally.bn_elements += math.prod(shape)
        return shape
    if isinstance(spec, MaxPool2d | AvgPool2d):
        c, h, w = shape
        h_out, w_out = (
            window_count(n, k, s, p, ceil_mode=spec.ceil_mode)
            for n, k, s, p in zip((h, w), spec.kernel, spec.stride, spec.padding, strict=True)
        )
        return (c, h_out, w_out)
    if isinstance(spec, AdaptiveAvgPool2d):
        assert len(shape) == 3, f"{spec.name}: needs feature maps, got {shape}"
        return (shape[0], *spec.output_size)
    if isinstance(spec, Flatten):
        return (math.prod(shape),)
    if isinstance(spec, Linear):
        assert len(shape) == 1, f"{spec.name}: needs a flat input, got {shape}"
        (n_in,) = shape
        tally.params += n_in * spec.out_features + (spec.out_features if spec.bias else 0)
        tally.macs += n_in * spec.out_features
        return (spec.out_features,)
    assert isinstance(spec, architectures.LEAF_TYPES), f"unknown spec {spec!r}"
    return shape  # activations, dropout: shape kept, nothing counted


def count(net, input_shape=None):
    tally = Tally()
    shape = tuple(input_shape or net.input_shape)
    for layer in net.layers:
        shape = walk(layer, shape, tally)
    return shape, tally


def rebuild(spec, change):
    """A copy of the spec tree with ``change`` applied to every leaf (returns the leaf or a new one)."""
    if isinstance(spec, Sequential):
        return Sequential(spec.name, tuple(rebuild(layer, change) for layer in spec.layers))
    if isinstance(spec, Concat):
        return Concat(spec.name, tuple(rebuild(branch, change) for branch in spec.branches))
    if isinstance(spec, Residual):
        shortcut = None if spec.shortcut is None else rebuild(spec.shortcut, change)
        return Residual(spec.name, rebuild(spec.body, change), shortcut)
    return change(spec)


def variant(name, change):
    net = architectures.get(name)
    return dataclasses.replace(net, layers=tuple(rebuild(layer, change) for layer in net.layers))


def matches_published_ops(name, macs):
    ref = architectures.published(name)
    return round(macs / 1e9, ref["gflops_decimals"]) == ref["gflops"]


# ------------------------------------------------------------- the walker itself


def test_window_count_reproduces_hand_worked_sizes():
    assert window_count(224, 11, 4, 2) == 55  # AlexNet conv1: floor(217/4) + 1
    assert window_count(55, 3, 2, 0) == 27
    assert window_count(112, 3, 2, 0, ceil_mode=True) == 56  # GoogLeNet maxpool1: ceil(109/2) + 1
    assert window_count(112, 3, 2, 0) == 55
    assert window_count(109, 3, 2, 0, ceil_mode=True) == 54  # SqueezeNet: ceil(106/2) + 1
    assert window_count(5, 2, 2, 0, ceil_mode=True) == 3  # the window at 4 hangs over the end: kept
    assert window_count(5, 2, 2, 0) == 2
    # ceil(4/3) + 1 = 3, but the third window would start at 6 - 1 = 5, in the right padding: dropped.
    assert window_count(5, 3, 3, 1, ceil_mode=True) == 2


# ---------------------------------------------------------- registry and names


def test_names_lists_exactly_the_twelve_networks():
    assert sorted(architectures.names()) == sorted(ALL)
    assert len(architectures.names()) == 12


def test_get_unknown_name_raises_listing_the_known_names():
    with pytest.raises(ValueError, match="nope") as error:
        architectures.get("nope")
    for name in ALL:
        assert name in str(error.value)


@pytest.mark.parametrize("name", ALL)
def test_get_returns_the_named_network_with_unique_layer_names(name):
    net = architectures.get(name)
    assert net.name == name
    names = [leaf.name for leaf in architectures.leaves(net.layers)]
    assert all(names) and len(names) == len(set(names)), "every leaf needs its own non-empty name"


# ------------------------------------------------------ shapes and published counts


@pytest.mark.parametrize("name", ALL)
def test_output_is_a_vector_of_class_scores(name):
    net = architectures.get(name)
    expected_input, classes = ((1, 32, 32), 10) if name == "lenet5" else ((3, 224, 224), 1000)
    assert net.input_shape == expected_input
    shape, _ = count(net)
    assert shape == (classes,) == (net.num_classes,)


@pytest.mark.parametrize("name", TORCHVISION)
def test_parameter_count_equals_torchvision_num_params(name):
    _, tally = count(architectures.get(name))
    assert tally.params == architectures.published(name)["params"]


@pytest.mark.parametrize("name", TORCHVISION)
def test_conv_and_linear_macs_reproduce_torchvision_gflops(name):
    _, tally = count(architectures.get(name))
    assert matches_published_ops(name, tally.macs), tally.macs


def test_published_gflops_are_recorded_at_three_decimals():
    table = {
        "alexnet": (61_100_840, 0.714),
        "vgg11": (132_863_336, 7.609),
        "vgg16": (138_357_544, 15.47),
        "googlenet": (6_624_904, 1.498),
        "resnet18": (11_689_512, 1.814),
        "resnet34": (21_797_672, 3.664),
        "resnet50": (25_557_032, 4.089),
        "mobilenet_v2": (3_504_872, 0.301),
        "squeezenet1_0": (1_248_424, 0.819),
    }
    for name, (params, gflops) in table.items():
        ref = architectures.published(name)
        assert (ref["params"], ref["gflops"], ref["gflops_decimals"]) == (params, gflops, 3)
        assert ref["url"].startswith("https://") and ref["source"]


def test_published_returns_a_copy_and_rejects_unknown_names():
    architectures.published("resnet50")["params"] = 0
    assert architectures.published("resnet50")["params"] == 25_557_032
    with pytest.raises(ValueError, match="nope"):
        architectures.published("nope")


def test_mobilenet_v1_matches_its_paper_and_the_tf_slim_table():
    ref = architectures.published("mobilenet_v1")
    net = architectures.get("mobilenet_v1")
    _, tally = count(net)
    assert tally.params == ref["params"] == 4_231_976
    assert round(tally.params / 1e6, 1) == ref["paper_params_millions"] == 4.2
    assert round(tally.macs / 1e6) == ref["paper_mult_adds_millions"] == 569
    # TF-slim's per-layer table covers the convolutions only (no BN, no dense layer).
    depthwise_in = (32, 64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024)
    pointwise_out = (64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024)
    depthwise = [
        spec for spec in architectures.leaves(net.layers) if isinstance(spec, Conv2d) and spec.groups > 1
    ]
    assert [(spec.groups, spec.out_channels) for spec in depthwise] == [(c, c) for c in depthwise_in]
    assert tally.macs - 1024 * 1000 == ref["tf_slim_base_macs"]
    bn_channels = 32 + sum(depthwise_in) + sum(pointwise_out)
    assert tally.params - 2 * bn_channels - (1024 * 1000 + 1000) == ref["tf_slim_base_params"]


def test_lenet5_modern_variant_reconciles_with_the_paper_per_layer():
    ref = architectures.published("lenet5")
    paper = ref["paper_layers"]
    assert sum(layer["params"] for layer in paper.values()) == ref["params"] == 60_000
    net = architectures.get("lenet5")
    convs = {
        spec.name: spec for spec in architectures.leaves(net.layers) if isinstance(spec, Conv2d | Linear)
    }
    # Layers the two versions share are identical: C1, C5, F6.
    assert 6 * (5 * 5 * 1) + 6 == paper["C1"]["params"]
    assert convs["C5"].out_channels * (16 * 5 * 5) + 120 == paper["C5"]["params"]
    assert 120 * convs["F6"].out_features + 84 == paper["F6"]["params"]
    # C3: the paper's partial connection table gives its 1,516; full connection gives 2,416.
    table = architectures.lenet.C3_CONNECTIONS
    assert len(table) == 16 and sum(len(maps) for maps in table) * 25 + 16 == paper["C3"]["params"]
    assert paper["C3"]["connections"] == paper["C3"]["params"] * 10 * 10
    # Trainable subsampling: one coefficient and one bias per map.
    assert paper["S2"]["params"] == 2 * 6 and paper["S4"]["params"] == 2 * 16
    _, tally = count(net)
    full_c3 = 16 * 6 * 25 + 16
    dense_output = 84 * 10 + 10
    expected = ref["params"] - paper["C3"]["params"] + full_c3 - paper["S2"]["params"] - paper["S4"]["params"]
    assert tally.params == expected + dense_output


# ------------------------------------------------- what the specs get exactly right


def test_googlenet_uses_torchvision_basicconv2d_and_3x3_double_branch():
    net = architectures.get("googlenet")
    leaves = list(architectures.leaves(net.layers))
    convs = [spec for spec in leaves if isinstance(spec, Conv2d)]
    assert len(convs) == 3 + 9 * 6 and not any(spec.bias for spec in convs)
    assert all(spec.eps == 0.001 for spec in leaves if isinstance(spec, BatchNorm2d))
    assert all(spec.kernel == (3, 3) for spec in convs if spec.name.endswith("branch3.1.conv"))
    assert all(spec.ceil_mode for spec in leaves if isinstance(spec, MaxPool2d))
    assert not any("aux" in spec.name for spec in leaves)


def test_resnet50_is_v1_5_with_the_stride_in_the_3x3_conv():
    convs = {
        spec.name: spec
        for spec in architectures.leaves(architectures.get("resnet50").layers)
        if isinstance(spec, Conv2d)
    }
    for stage in (2, 3, 4):
        assert convs[f"layer{stage}.0.conv1"].stride == (1, 1)
        assert convs[f"layer{stage}.0.conv2"].stride == (2, 2) and convs[f"layer{stage}.0.conv2"].kernel == (
            3,
            3,
        )
        assert convs[f"layer{stage}.0.downsample.0"].stride == (2, 2)
    assert "layer1.0.downsample.0" in convs  # 64 -> 256 channels needs a projection even at stride 1


def test_resnet_blocks_apply_relu_after_the_residual_add():
    block = architectures.get("resnet18").layers[4].layers[0]
    assert block.name == "layer1.0"
    assert isinstance(block.layers[0], Residual) and block.layers[0].shortcut is None
    assert block.layers[1].function == "relu" and block.layers[1].name == "layer1.0.relu2"


def test_mobilenet_v2_uses_relu6_and_linear_bottlenecks():
    net = architectures.get("mobilenet_v2")
    leaves = list(architectures.leaves(net.layers))
    activations = [spec for spec in leaves if isinstance(spec, architectures.Activation)]
    assert activations and all(isinstance(spec, ReLU6) for spec in activations)
    residuals = [layer for layer in net.layers if isinstance(layer, Residual)]
    assert len(residuals) == 10  # (2-1) + (3-1) + (4-1) + (3-1) + (3-1) repeats keep shape
    for block in residuals:  # no activation right after the projection: the bottleneck is linear
        assert isinstance(block.body.layers[-1], BatchNorm2d) and isinstance(block.body.layers[-2], Conv2d)
    assert net.layers[-1].name == "classifier.1" and net.layers[-2].p == 0.2


def test_names_follow_torchvision_module_paths():
    def leaf_names(name):
        return {spec.name for spec in architectures.leaves(architectures.get(name).layers)}

    assert {"features.0", "features.12", "avgpool", "classifier.6"} <= leaf_names("alexnet")
    assert {"features.28", "classifier.6"} <= leaf_names("vgg16")
    assert {"conv1", "layer1.0.conv1", "layer4.1.bn2", "layer2.0.downsample.1", "fc"} <= leaf_names(
        "resnet18"
    )
    assert {"inception3a.branch2.1.conv", "inception5b.branch4.0", "fc"} <= leaf_names("googlenet")
    assert {"features.0.0", "features.1.conv.0.0", "features.2.conv.3", "features.18.0"} <= leaf_names(
        "mobilenet_v2"
    )
    assert {"features.3.squeeze", "features.12.expand3x3_activation", "classifier.1"} <= leaf_names(
        "squeezenet1_0"
    )


# ------------------------------------- variations that must NOT match (the test can fail)


def test_floor_mode_pools_would_miss_squeezenet_and_googlenet():
    def floor_mode(spec):
        return dataclasses.replace(spec, ceil_mode=False) if isinstance(spec, MaxPool2d) else spec

    for name in ("squeezenet1_0", "googlenet"):
        _, tally = count(variant(name, floor_mode))
        assert not matches_published_ops(name, tally.macs)


def test_the_papers_5x5_branch_would_miss_googlenet():
    def five_by_five(spec):
        if isinstance(spec, Conv2d) and spec.name.endswith("branch3.1.conv"):
            return dataclasses.replace(spec, kernel=5, padding=2)
        return spec

    _, tally = count(variant("googlenet", five_by_five))
    assert tally.params != architectures.published("googlenet")["params"]
    assert not matches_published_ops("googlenet", tally.macs)


def test_resnet50_v1_stride_placement_would_miss_the_published_ops():
    def v1(spec):
        if isinstance(spec, Conv2d) and spec.name in {
            f"layer{s}.0.conv{i}" for s in (2, 3, 4) for i in (1, 2)
        }:
            return dataclasses.replace(spec, stride=2 if spec.name.endswith("conv1") else 1)
        return spec

    shape, tally = count(variant("resnet50", v1))
    assert shape == (1000,)
    assert tally.params == architectures.published("resnet50")["params"]  # same weights...
    assert not matches_published_ops("resnet50", tally.macs)  # ...fewer MACs
    # the registered v1 builder is exactly this edit of v1.5, layer for layer
    assert architectures.get("resnet50_v1").layers == variant("resnet50", v1).layers


def test_resnet50_v1_saves_the_hand_counted_macs_of_the_moved_stride():
    v1, v15 = count(architectures.get("resnet50_v1"))[1], count(architectures.get("resnet50"))[1]
    assert v1.params == v15.params == 25_557_032  # moving a stride changes no weight
    # By hand: in the first block of stages 2, 3, 4 (output side m = 28, 14, 7; width w = 128, 256,
    # 512; input 2w channels) v1.5's first 1x1 conv reads the full (2m)^2 map, v1's only m^2 points:
    # ((2m)^2 - m^2) * 2w * w = 6 m^2 w^2 more MACs per stage. The 3x3 writes m^2 points in both.
    by_hand = sum(((2 * m) ** 2 - m**2) * (2 * w) * w for m, w in ((28, 128), (14, 256), (7, 512)))
    assert by_hand == 3 * 77_070_336 == 231_211_008
    assert v15.macs - v1.macs == by_hand
    # He et al. (2016, Table 1) print 3.8 x 10^9; v1.5's 4.089 G cannot be cut to that, v1's 3.86 G is
    assert math.floor(v1.macs / 1e8) == 38 and math.floor(v15.macs / 1e8) == 40
    convs = {s.name: s for s in architectures.leaves(architectures.get("resnet50_v1").layers)}
    for stage in (2, 3, 4):
        first_1x1 = convs[f"layer{stage}.0.conv1"]
        assert first_1x1.stride == (2, 2) and first_1x1.kernel == (1, 1)
        assert convs[f"layer{stage}.0.conv2"].stride == (1, 1)
        assert convs[f"layer{stage}.0.downsample.0"].stride == (2, 2)
    assert architectures.published("resnet50_v1")["paper_mult_adds_billions"] == 3.8


@pytest.mark.parametrize("name", TORCHVISION)
def test_flops_as_twice_the_macs_would_not_match(name):
    _, tally = count(architectures.get(name))
    assert not matches_published_ops(name, 2 * tally.macs)


@pytest.mark.parametrize("name", ["resnet18", "resnet50", "googlenet", "mobilenet_v2"])
def test_counting_batchnorm_and_adds_too_would_not_match(name):
    _, tally = count(architectures.get(name))
    assert not matches_published_ops(name, tally.macs + tally.bn_elements + tally.add_elements)
