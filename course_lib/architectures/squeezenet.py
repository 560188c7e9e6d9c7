"""SqueezeNet 1.0 exactly as torchvision's ``squeezenet1_0()`` builds it.

Iandola et al., "SqueezeNet: AlexNet-level accuracy with 50x fewer parameters
and <0.5MB model size", arXiv:1602.07360. A Fire module squeezes with a 1x1
convolution + ReLU, then expands with a 1x1 and a 3x3 convolution (each +
ReLU) side by side, concatenated on channels. The max pools use
``ceil_mode=True``. There is no dense layer: the classifier is Dropout(0.5), a
1x1 convolution to 1000 channels, ReLU and global average pooling.
"""

from __future__ import annotations

from course_lib.architectures.layers import (
    AdaptiveAvgPool2d,
    Concat,
    Conv2d,
    Dropout,
    Flatten,
    Layer,
    MaxPool2d,
    ReLU,
    Sequential,
)
from course_lib.architectures.network import Network

FEATURES: tuple[tuple[int, int, int] | str, ...] = (
    "conv",
    "relu",
    "M",
    (16, 64, 64),
    (16, 64, 64),
    (32, 128, 128),
    "M",
    (32, 128, 128),
    (48, 192, 192),
    (48, 192, 192),
    (64, 256, 256),
    "M",
    (64, 256, 256),
)
"""torchvision's ``features`` for version 1_0; a tuple is a Fire (squeeze, expand1x1, expand3x3)."""


def fire(name: str, in_channels: int, squeeze: int, expand1x1: int, expand3x3: int) -> Sequential:
    """A Fire module on ``in_channels``: squeeze 1x1 + ReLU, then Concat(expand 1x1 + ReLU, expand 3x3 + ReLU),
    expand1x1 + expand3x3 channels out."""
    return Sequential(
        name,
        (
            Conv2d(squeeze, 1, in_channels=in_channels, name=f"{name}.squeeze"),
            ReLU(inplace=True, name=f"{name}.squeeze_activation"),
            Concat(
                f"{name}.expand",
                (
                    Sequential(
                        f"{name}.expand1x1_branch",
                        (
                            Conv2d(expand1x1, 1, in_channels=squeeze, name=f"{name}.expand1x1"),
                            ReLU(inplace=True, name=f"{name}.expand1x1_activation"),
                        ),
                    ),
                    Sequential(
                        f"{name}.expand3x3_branch",
                        (
                            Conv2d(expand3x3, 3, padding=1, in_channels=squeeze, name=f"{name}.expand3x3"),
                            ReLU(inplace=True, name=f"{name}.expand3x3_activation"),
                        ),
                    ),
                ),
            ),
        ),
    )


def squeezenet1_0(num_classes: int = 1000) -> Network:
    """torchvision's SqueezeNet 1.0: 8 Fire modules, ceil-mode pools, conv classifier."""
    features: list[Layer] = []
    channels = 3
    for item in FEATURES:
        name = f"features.{len(features)}"
        if item == "conv":
            features.append(Conv2d(96, 7, stride=2, in_channels=channels, name=name))
            channels = 96
        elif item == "relu":
            features.append(ReLU(inplace=True, name=name))
        elif item == "M":
            features.append(MaxPool2d(3, stride=2, ceil_mode=True, name=name))
        else:
            assert isinstance(item, tuple)
            features.append(fire(name, channels, *item))
            channels = item[1] + item[2]
    classifier = (
        Dropout(0.5, name="classifier.0"),
        Conv2d(num_classes, 1, in_channels=channels, name="classifier.1"),
        ReLU(inplace=True, name="classifier.2"),
        AdaptiveAvgPool2d((1, 1), name="classifier.3"),
    )
    return Network(
        name="squeezenet1_0",
        input_shape=(3, 224, 224),
        layers=(*features, *classifier, Flatten(name="flatten")),
        num_classes=num_classes,
        description="torchvision squeezenet1_0() (Iandola et al. 2016): ceil-mode pools, conv classifier",
    )
