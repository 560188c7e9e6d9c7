"""ResNet-18, -34 and -50 exactly as torchvision builds them.

He, Zhang, Ren and Sun, "Deep Residual Learning for Image Recognition",
CVPR 2016, arXiv:1512.03385. torchvision's ResNet-50 is "v1.5": a bottleneck
that downsamples does so in its 3x3 convolution (``conv2``), not in the first
1x1 as in the paper, which costs more MACs for a little more accuracy.
``resnet50_v1`` is the paper's placement (``stride_in_1x1=True``): the same
weights, but the first 1x1 of stages 2-4 already halves the map, so it costs
3 m^2 (2w) w = 6 m^2 w^2 fewer MACs per stage (m the stage's output side, w its
width: 77,070,336 for each of the three stages, 231,211,008 in all; 3.86 G
against v1.5's 4.09 G, the paper's "3.8 x 10^9"). Derived in
notebooks/06_cnn_time_and_space.ipynb.

Each block is ``Sequential(name, (Residual(name + ".add", body, shortcut), ReLU))``:
the add, then the ReLU torchvision applies after it. torchvision reuses one
ReLU module per block (``layer1.0.relu``); the specs name each application
``relu1``, ``relu2``, ... in the order they run, so the last one of a block is
the one after the add. The shortcut is the identity unless the block changes
the shape, where it is torchvision's ``downsample``: a strided 1x1 conv + BN.
"""

from __future__ import annotations

from course_lib.architectures.layers import (
    AdaptiveAvgPool2d,
    BatchNorm2d,
    Conv2d,
    Flatten,
    Layer,
    Linear,
    MaxPool2d,
    ReLU,
    Residual,
    Sequential,
)
from course_lib.architectures.network import Network

STAGES: dict[str, tuple[str, tuple[int, int, int, int]]] = {
    "resnet18": ("basic", (2, 2, 2, 2)),
    "resnet34": ("basic", (3, 4, 6, 3)),
    "resnet50": ("bottleneck", (3, 4, 6, 3)),
}
"""Block kind and number of blocks in layer1..layer4 (the paper's Table 1)."""

EXPANSION = {"basic": 1, "bottleneck": 4}
"""Output channels of a block = its width x this."""


def _conv_bn(
    name: str, conv: str, bn: str, in_channels: int, out: int, kernel: int, stride: int
) -> tuple[Layer, Layer]:
    return (
        Conv2d(
            out,
            kernel,
            stride=stride,
            padding=kernel // 2,
            bias=False,
            in_channels=in_channels,
            name=f"{name}.{conv}",
        ),
        BatchNorm2d(name=f"{name}.{bn}"),
    )


def _block(
    name: str, kind: str, in_channels: int, width: int, stride: int, stride_in_1x1: bool = False
) -> Sequential:
    """One BasicBlock or Bottleneck (v1.5, or v1 with ``stride_in_1x1``): residual add, then ReLU."""
    out = width * EXPANSION[kind]
    body: tuple[Layer, ...]
    if kind == "basic":
        body = (
            *_conv_bn(name, "conv1", "bn1", in_channels, width, 3, stride),
            ReLU(inplace=True, name=f"{name}.relu1"),
            *_conv_bn(name, "conv2", "bn2", width, width, 3, 1),
        )
    else:
        first, second = (stride, 1) if stride_in_1x1 else (1, stride)
        body = (
            *_conv_bn(name, "conv1", "bn1", in_channels, width, 1, first),  # v1: the stride sits here
            ReLU(inplace=True, name=f"{name}.relu1"),
            *_conv_bn(name, "conv2", "bn2", width, width, 3, second),  # v1.5: the stride sits here
            ReLU(inplace=True, name=f"{name}.relu2"),
            *_conv_bn(name, "conv3", "bn3", width, out, 1, 1),
        )
    shortcut = None
    if stride != 1 or in_channels != out:
        shortcut = Sequential(
            f"{name}.downsample", _conv_bn(f"{name}.downsample", "0", "1", in_channels, out, 1, stride)
        )
    last_relu = f"{name}.relu{len([x for x in body if isinstance(x, ReLU)]) + 1}"
    return Sequential(
        name,
        (
            Residual(f"{name}.add", Sequential(f"{name}.body", body), shortcut),
            ReLU(inplace=True, name=last_relu),
        ),
    )


def _resnet(name: str, num_classes: int, stride_in_1x1: bool = False) -> Network:
    kind, counts = STAGES[name.removesuffix("_v1")]
    layers: list[Layer] = [
        Conv2d(64, 7, stride=2, padding=3, bias=False, in_channels=3, name="conv1"),
        BatchNorm2d(name="bn1"),
        ReLU(inplace=True, name="relu"),
        MaxPool2d(3, stride=2, padding=1, name="maxpool"),
    ]
    channels = 64
    for stage, (count, width) in enumerate(zip(counts, (64, 128, 256, 512), strict=True), start=1):
        blocks = []
        for index in range(count):
            stride = 2 if stage > 1 and index == 0 else 1
            blocks.append(_block(f"layer{stage}.{index}", kind, channels, width, stride, stride_in_1x1))
            channels = width * EXPANSION[kind]
        layers.append(Sequential(f"layer{stage}", tuple(blocks)))
    layers += [
        AdaptiveAvgPool2d((1, 1), name="avgpool"),
        Flatten(name="flatten"),
        Linear(num_classes, in_features=channels, name="fc"),
    ]
    if stride_in_1x1:
        description = "ResNet-50 v1 as in He et al. 2016 (stride in the bottleneck's first 1x1)"
    else:
        version = ", v1.5 (stride in the bottleneck's 3x3)" if kind == "bottleneck" else ""
        description = f"torchvision {name}() (He et al. 2016){version}"
    return Network(
        name=name,
        input_shape=(3, 224, 224),
        layers=tuple(layers),
        num_classes=num_classes,
        description=description,
    )


def resnet18(num_classes: int = 1000) -> Network:
    """ResNet-18: BasicBlocks [2, 2, 2, 2]."""
    return _resnet("resnet18", num_classes)


def resnet34(num_classes: int = 1000) -> Network:
    """ResNet-34: BasicBlocks [3, 4, 6, 3]."""
    return _resnet("resnet34", num_classes)


def resnet50(num_classes: int = 1000) -> Network:
    """ResNet-50 v1.5: Bottlenecks [3, 4, 6, 3], stride in each stage's first 3x3."""
    return _resnet("resnet50", num_classes)


def resnet50_v1(num_classes: int = 1000) -> Network:
    """ResNet-50 v1, the paper's: as `resnet50`, but each stage's first 1x1 convolution has the stride.

    Same layers and parameters as v1.5; MACs 3,857,973,248 (v1.5: 4,089,184,256).
    """
    return _resnet("resnet50_v1", num_classes, stride_in_1x1=True)
