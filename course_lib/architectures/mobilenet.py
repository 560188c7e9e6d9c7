"""MobileNet V1 (Howard et al. 2017) and MobileNet V2 (as torchvision builds it).

MobileNet V1: "MobileNets: Efficient Convolutional Neural Networks for Mobile
Vision Applications", arXiv:1704.04861, Table 1, width multiplier 1.0,
224x224 input. A full 3x3 convolution, then 13 depthwise separable blocks
(3x3 depthwise + BN + ReLU, 1x1 pointwise + BN + ReLU), global average
pooling and a dense 1024 -> 1000 layer. Convolutions have no bias (BN
follows). Table 1 prints the last depthwise layer as stride 2, but its input
and output are both 7x7: it is stride 1, as in the reference TF-slim code
(``mobilenet_v1.py``, ``MOBILENETV1_CONV_DEFS``). TensorFlow's "SAME" padding
is written as padding 1, which gives the same output sizes at 224x224; the
average pool is adaptive (global) so the resolution multiplier can be
explored. Layer names follow TF-slim (``Conv2d_3_depthwise``). No torchvision
model exists. ``mobilenet_v1_variant(alpha, r)`` applies the paper's two knobs:
the width multiplier alpha gives a layer of c channels max(8, floor(alpha c))
(`thinned_channels`, TF-slim's ``depth = max(int(d * depth_multiplier),
min_depth)`` with ``min_depth = 8``) and the input becomes 3 x r x r; at
alpha = 1, r = 224 it is ``mobilenet_v1()``. Notebook 07 explores it.

MobileNet V2: Sandler et al., "MobileNetV2: Inverted Residuals and Linear
Bottlenecks", CVPR 2018, arXiv:1801.04381; exactly torchvision's
``mobilenet_v2()``: width 1.0, ReLU6, inverted residual blocks (1x1 expand,
3x3 depthwise, 1x1 linear projection, with a residual add and no activation
after it when stride is 1 and channels match), a last 1x1 conv to 1280
channels, global average pooling, Dropout(0.2) and a dense layer.
"""

from __future__ import annotations

import math

from course_lib.architectures.layers import (
    Activation,
    AdaptiveAvgPool2d,
    BatchNorm2d,
    Conv2d,
    Dropout,
    Flatten,
    Layer,
    Linear,
    ReLU,
    ReLU6,
    Residual,
    Sequential,
    _positive_int,
)
from course_lib.architectures.network import Network
from course_lib.validation import require_real

MIN_CHANNELS = 8
"""No layer of a thinned MobileNet v1 has fewer channels (TF-slim's ``min_depth``)."""

V1_STEM_CHANNELS = 32
"""Output channels of MobileNet v1's first (full 3x3, stride 2) convolution at width 1.0."""

V1_BLOCKS: tuple[tuple[int, int], ...] = (
    (1, 64),
    (2, 128),
    (1, 128),
    (2, 256),
    (1, 256),
    (2, 512),
    (1, 512),
    (1, 512),
    (1, 512),
    (1, 512),
    (1, 512),
    (2, 1024),
    (1, 1024),
)
"""(depthwise stride, pointwise output channels) of the 13 separable blocks (Table 1, last stride fixed)."""

V2_SETTINGS: tuple[tuple[int, int, int, int], ...] = (
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)
"""MobileNet V2's (t, c, n, s): expansion, output channels, repeats, first stride (paper's Table 2)."""


def _conv_bn_act(
    name: str,
    names: tuple[str, str, str],
    channels: tuple[int, int],
    kernel: int,
    stride: int,
    groups: int,
    act: type[Activation],
) -> tuple[Layer, Layer, Layer]:
    """Conv (``channels`` = (in, out), no bias) + BN + activation, named ``name.<names>``."""
    conv, bn, relu = (f"{name}.{part}" for part in names)
    in_channels, out = channels
    padding = (kernel - 1) // 2
    return (
        Conv2d(
            out,
            kernel,
            stride=stride,
            padding=padding,
            groups=groups,
            bias=False,
            in_channels=in_channels,
            name=conv,
        ),
        BatchNorm2d(name=bn),
        act(inplace=True, name=relu),
    )


def thinned_channels(channels: int, width_multiplier: float) -> int:
    """max(8, floor(alpha c)): the channels a layer of ``channels`` keeps under width multiplier alpha.

    TF-slim's rule for MobileNet v1. The 1e-9 guards the floor against a value such
    as 0.7499999999999999 that stands for 0.75. Derived in
    notebooks/07_designing_efficient_cnns.ipynb.
    """
    channels = _positive_int(channels, "channels", "thinned_channels")
    alpha = _width_multiplier(width_multiplier)
    return max(MIN_CHANNELS, math.floor(alpha * channels + 1e-9))


def _width_multiplier(value: object) -> float:
    return require_real("mobilenet_v1_variant: width_multiplier", value, 0, low_open=True)


def _v1_layers(alpha: float, num_classes: int) -> tuple[Layer, ...]:
    names = ("conv", "bn", "relu")
    channels = thinned_channels(V1_STEM_CHANNELS, alpha)
    stem = _conv_bn_act("Conv2d_0", names, (3, channels), 3, 2, 1, ReLU)
    layers: list[Layer] = [Sequential("Conv2d_0", stem)]
    for index, (stride, out) in enumerate(V1_BLOCKS, start=1):
        dw, pw = f"Conv2d_{index}_depthwise", f"Conv2d_{index}_pointwise"
        layers.append(
            Sequential(dw, _conv_bn_act(dw, names, (channels, channels), 3, stride, channels, ReLU))
        )
        pointwise = (channels, thinned_channels(out, alpha))
        layers.append(Sequential(pw, _conv_bn_act(pw, names, pointwise, 1, 1, 1, ReLU)))
        channels = pointwise[1]
    layers += [
        AdaptiveAvgPool2d((1, 1), name="avgpool"),
        Flatten(name="flatten"),
        Linear(num_classes, in_features=channels, name="fc"),
    ]
    return tuple(layers)


def mobilenet_v1(num_classes: int = 1000) -> Network:
    """MobileNet V1 1.0-224 with BatchNorm (module docstring)."""
    return Network(
        name="mobilenet_v1",
        input_shape=(3, 224, 224),
        layers=_v1_layers(1.0, _positive_int(num_classes, "num_classes", "mobilenet_v1")),
        num_classes=num_classes,
        description="MobileNet V1 1.0-224 (Howard et al. 2017, Table 1) with BN, last depthwise stride 1",
    )


def mobilenet_v1_variant(
    width_multiplier: float = 1.0, resolution: int = 224, num_classes: int = 1000
) -> Network:
    """MobileNet v1 with width multiplier alpha and input 3 x r x r, as layer specs.

    Every layer's channels become `thinned_channels` (c, alpha); strides, kernels and
    layer names are those of `mobilenet_v1` (Table 1 of the paper, last depthwise
    stride 1), so alpha = 1, r = 224 gives exactly that network. The global average
    pool makes any r >= 1 valid. ValueError naming the argument for a non-positive
    alpha, r or ``num_classes``. Derived in notebooks/07_designing_efficient_cnns.ipynb.
    """
    alpha = _width_multiplier(width_multiplier)
    resolution = _positive_int(resolution, "resolution", "mobilenet_v1_variant")
    num_classes = _positive_int(num_classes, "num_classes", "mobilenet_v1_variant")
    return Network(
        name=f"mobilenet_v1_{alpha:g}_{resolution}",
        input_shape=(3, resolution, resolution),
        layers=_v1_layers(alpha, num_classes),
        num_classes=num_classes,
        description=f"MobileNet v1, width multiplier {alpha:g}, input 3 x {resolution} x {resolution}",
    )


def _inverted_residual(name: str, in_channels: int, out: int, stride: int, expand: int) -> Layer:
    """torchvision's InvertedResidual; a Residual (add, no activation) when stride 1 and in == out."""
    names = ("0", "1", "2")
    hidden = in_channels * expand  # torchvision: int(round(inp * expand_ratio)); t is an int here
    layers: list[Layer] = []
    if expand != 1:
        expand_layer = _conv_bn_act(f"{name}.conv.0", names, (in_channels, hidden), 1, 1, 1, ReLU6)
        layers.append(Sequential(f"{name}.conv.0", expand_layer))
    index = len(layers)
    dw = f"{name}.conv.{index}"
    layers.append(Sequential(dw, _conv_bn_act(dw, names, (hidden, hidden), 3, stride, hidden, ReLU6)))
    layers.append(Conv2d(out, 1, bias=False, in_channels=hidden, name=f"{name}.conv.{index + 1}"))
    layers.append(BatchNorm2d(name=f"{name}.conv.{index + 2}"))
    if stride == 1 and in_channels == out:
        return Residual(name, Sequential(f"{name}.conv", tuple(layers)))
    return Sequential(name, tuple(layers))


def mobilenet_v2(num_classes: int = 1000) -> Network:
    """torchvision's MobileNet V2, width 1.0 (module docstring)."""
    names = ("0", "1", "2")
    layers: list[Layer] = [
        Sequential("features.0", _conv_bn_act("features.0", names, (3, 32), 3, 2, 1, ReLU6))
    ]
    channels = 32
    for expand, out, repeats, first_stride in V2_SETTINGS:
        for repeat in range(repeats):
            stride = first_stride if repeat == 0 else 1
            layers.append(_inverted_residual(f"features.{len(layers)}", channels, out, stride, expand))
            channels = out
    last = f"features.{len(layers)}"
    layers.append(Sequential(last, _conv_bn_act(last, names, (channels, 1280), 1, 1, 1, ReLU6)))
    layers += [
        AdaptiveAvgPool2d((1, 1), name="avgpool"),
        Flatten(name="flatten"),
        Dropout(0.2, name="classifier.0"),
        Linear(num_classes, in_features=1280, name="classifier.1"),
    ]
    return Network(
        name="mobilenet_v2",
        input_shape=(3, 224, 224),
        layers=tuple(layers),
        num_classes=num_classes,
        description="torchvision mobilenet_v2() (Sandler et al. 2018), width 1.0, ReLU6, last channel 1280",
    )
