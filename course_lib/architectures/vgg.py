"""VGG-11 and VGG-16 (configurations A and D) exactly as torchvision builds them.

Simonyan and Zisserman, "Very Deep Convolutional Networks for Large-Scale
Image Recognition", ICLR 2015, arXiv:1409.1556. Every convolution is 3x3 with
padding 1 and a bias, followed by an in-place ReLU; "M" is a 2x2 max pool of
stride 2. torchvision adds an adaptive average pool to 7x7 (the identity for
a 224x224 input) before the three dense layers. No batch normalisation
(that is ``vgg11_bn`` / ``vgg16_bn``).
"""

from __future__ import annotations

from course_lib.architectures.layers import (
    AdaptiveAvgPool2d,
    Conv2d,
    Dropout,
    Flatten,
    Layer,
    Linear,
    MaxPool2d,
    ReLU,
)
from course_lib.architectures.network import Network

CONFIGS: dict[str, tuple[int | str, ...]] = {
    "A": (64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"),
    "D": (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"),
}
"""torchvision's ``cfgs``: output channels of each 3x3 convolution, "M" for a max pool."""


def _features(config: tuple[int | str, ...]) -> tuple[Layer, ...]:
    layers: list[Layer] = []
    channels = 3
    for item in config:
        index = len(layers)
        if item == "M":
            layers.append(MaxPool2d(2, stride=2, name=f"features.{index}"))
        else:
            assert isinstance(item, int)
            layers.append(Conv2d(item, 3, padding=1, in_channels=channels, name=f"features.{index}"))
            layers.append(ReLU(inplace=True, name=f"features.{index + 1}"))
            channels = item
    return tuple(layers)


def _vgg(name: str, config: str, num_classes: int) -> Network:
    classifier = (
        Linear(4096, in_features=512 * 7 * 7, name="classifier.0"),
        ReLU(inplace=True, name="classifier.1"),
        Dropout(0.5, name="classifier.2"),
        Linear(4096, in_features=4096, name="classifier.3"),
        ReLU(inplace=True, name="classifier.4"),
        Dropout(0.5, name="classifier.5"),
        Linear(num_classes, in_features=4096, name="classifier.6"),
    )
    return Network(
        name=name,
        input_shape=(3, 224, 224),
        layers=(
            *_features(CONFIGS[config]),
            AdaptiveAvgPool2d((7, 7), name="avgpool"),
            Flatten(name="flatten"),
            *classifier,
        ),
        num_classes=num_classes,
        description=f"torchvision {name}(): VGG configuration {config} (Simonyan & Zisserman 2015), no BN",
    )


def vgg11(num_classes: int = 1000) -> Network:
    """VGG-11 (configuration A): 8 conv layers, 5 max pools, 3 dense layers."""
    return _vgg("vgg11", "A", num_classes)


def vgg16(num_classes: int = 1000) -> Network:
    """VGG-16 (configuration D): 13 conv layers, 5 max pools, 3 dense layers."""
    return _vgg("vgg16", "D", num_classes)
