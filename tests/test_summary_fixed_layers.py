"""summarize knows each network's fixed layers, as PyTorch's modules do.

A torchvision ``Conv2d(in_channels, ...)`` refuses an input with other channels and a
``Linear(in_features, ...)`` a flattened vector of another length; the networks that
put an ``AdaptiveAvgPool2d`` before their classifier take other image sizes. The specs
carry ``in_channels`` / ``in_features`` and the walker refuses what PyTorch refuses,
naming the layer. Expected sizes are worked out by hand from the output-size formula.
"""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import architectures
from course_lib.architectures import AdaptiveAvgPool2d, Conv2d, Flatten, Linear, Network, leaves
from course_lib.summary import summarize

ADAPTIVE = {"alexnet", "vgg11", "vgg16", "googlenet", "resnet18", "resnet34", "resnet50", "resnet50_v1"}
ADAPTIVE |= {"mobilenet_v1", "mobilenet_v2", "squeezenet1_0"}


def test_which_networks_pool_adaptively_before_the_classifier():
    for name in architectures.names():
        specs = list(leaves(architectures.get(name)))
        first_linear = next((i for i, s in enumerate(specs) if isinstance(s, Linear)), len(specs))
        pools = [s for s in specs[:first_linear] if isinstance(s, AdaptiveAvgPool2d)]
        assert bool(pools) == (name in ADAPTIVE), name


def test_every_builder_fixes_every_conv_and_linear_consistently():
    for name in architectures.names():
        specs = list(leaves(architectures.get(name)))
        assert all(s.in_channels is not None for s in specs if isinstance(s, Conv2d)), name
        assert all(s.in_features is not None for s in specs if isinstance(s, Linear)), name
        rows = summarize(name).rows  # at the default input every fixed size must be the one met
        for row in rows:
            if isinstance(row.spec, Conv2d):
                assert row.input_shape[0] == row.spec.in_channels
            if isinstance(row.spec, Linear):
                assert row.input_shape == (row.spec.in_features,)


@pytest.mark.parametrize(
    ("name", "shape", "layer"),
    [
        # LeNet-5 on 64 x 64: C1 60, S2 30, C3 26, S4 13, C5 9: 120 x 9 x 9 = 9,720 features, not 120
        ("lenet5", (1, 64, 64), r"layer 'F6' \(Linear\) on input 9720: expects 120 input features"),
        ("lenet5", (1, 36, 36), r"layer 'F6' \(Linear\) on input 480: expects 120"),  # C5 2 x 2
        ("lenet5", (3, 32, 32), r"layer 'C1' \(Conv2d\) on input 3 x 32 x 32: expects 1 input channels"),
        (
            "vgg16",
            (1, 224, 224),
            r"layer 'features.0' \(Conv2d\) .* expects 3 input channels .*64 x 3 x 3 x 3",
        ),
        ("resnet50", (4, 224, 224), r"layer 'conv1' \(Conv2d\) .* expects 3 input channels, got 4|got 4"),
        ("mobilenet_v2", (1, 224, 224), r"layer 'features.0.0' \(Conv2d\)"),
    ],
)
def test_inputs_pytorch_refuses_are_refused_naming_the_layer(name, shape, layer):
    with pytest.raises(ValueError, match=layer):
        summarize(name, shape)


@pytest.mark.parametrize("side", [32, 33, 34, 35])
def test_lenet5_takes_the_sizes_that_give_c5_one_pixel(side):
    # floor((floor((side - 4) / 2) - 4) / 2) - 4 == 1 for side 32..35
    table = summarize("lenet5", (1, side, side))
    assert table.params == 61_706 and table.output_shape == (10,)


def test_adaptive_pooling_networks_take_other_sizes_like_pytorch():
    # VGG-16 on 32 x 32: five pools leave 512 x 1 x 1, the adaptive pool repeats it to 7 x 7
    small = summarize("vgg16", (3, 32, 32))
    assert small.params == 138_357_544
    assert [r.output_shape for r in small.rows if r.name == "avgpool"] == [(512, 7, 7)]
    # ResNet-50 on 3 x 100 x 150: conv1 50 x 75, maxpool 25 x 38, stages 25x38, 13x19, 7x10, 4x5
    wide = summarize("resnet50", (3, 100, 150))
    assert [r.input_shape for r in wide.rows if r.name == "avgpool"] == [(2048, 4, 5)]
    assert wide.params == 25_557_032


def test_numpy_shapes_and_integers_are_accepted():
    expected = summarize("vgg16", (3, 224, 224))
    for shape in (np.array([3, 224, 224]), (np.int64(3), np.int32(224), np.int64(224)), [3, 224, 224]):
        table = summarize("vgg16", shape)
        assert (table.macs, table.params) == (expected.macs, expected.params)
        assert all(type(size) is int for size in table.input_shape)
    assert summarize("vgg16", batch=np.int64(2)).macs == 2 * expected.macs
    assert Conv2d(np.int64(8), np.int64(3), in_channels=np.int64(4)).in_channels == 4


@pytest.mark.parametrize("bad", [["vgg16"], ("vgg16",), 16, None])
def test_get_names_the_argument_for_a_non_string(bad):
    with pytest.raises(ValueError, match=r"name must be a network name \(a str"):
        architectures.get(bad)


def test_fixed_sizes_are_checked_when_the_spec_is_made():
    with pytest.raises(ValueError, match=r"Conv2d 'c': in_channels must be a positive integer, got 0"):
        Conv2d(4, 3, in_channels=0, name="c")
    with pytest.raises(ValueError, match=r"groups=2 must divide in_channels=3"):
        Conv2d(4, 3, groups=2, in_channels=3, name="c")
    with pytest.raises(ValueError, match=r"Linear 'fc': in_features must be a positive integer"):
        Linear(10, in_features=2.5, name="fc")


def test_hand_written_specs_follow_the_input():
    net = Network("free", (3, 8, 8), (Conv2d(4, 3, name="c"), Flatten(name="f"), Linear(2, name="fc")), 2, "")
    assert summarize(net, (5, 10, 10)).params == 4 * 5 * 9 + 4 + 4 * 8 * 8 * 2 + 2
