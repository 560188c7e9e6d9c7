"""GoogLeNet (Inception v1) exactly as torchvision's ``googlenet()`` runs at inference.

Szegedy et al., "Going Deeper with Convolutions", CVPR 2015, arXiv:1409.4842.
torchvision's version differs from the paper in ways that change the counts:

* every convolution is a ``BasicConv2d``: conv without bias, then
  BatchNorm (eps=0.001), then ReLU (the paper predates batch normalisation);
* the Inception branch the paper gives a 5x5 convolution uses a 3x3 one in
  torchvision (a known slip kept for the pretrained weights, pytorch/vision
  issue #906); the branch keeps the paper's channel counts (``ch5x5``);
* the max pools use ``ceil_mode=True``;
* the two auxiliary classifiers exist only during training; the pretrained
  model drops them (``aux_logits=False``), and torchvision's published
  6,624,904 parameters exclude them, so they are not encoded here;
* the pretrained model rescales the input channels (``transform_input``), a
  per-channel affine map on the 3x224x224 image that no table counts.
"""

from __future__ import annotations

from course_lib.architectures.layers import (
    AdaptiveAvgPool2d,
    BatchNorm2d,
    Concat,
    Conv2d,
    Dropout,
    Flatten,
    Layer,
    Linear,
    MaxPool2d,
    ReLU,
    Sequential,
)
from course_lib.architectures.network import Network

INCEPTION: dict[str, tuple[int, int, int, int, int, int]] = {
    "inception3a": (64, 96, 128, 16, 32, 32),
    "inception3b": (128, 128, 192, 32, 96, 64),
    "inception4a": (192, 96, 208, 16, 48, 64),
    "inception4b": (160, 112, 224, 24, 64, 64),
    "inception4c": (128, 128, 256, 24, 64, 64),
    "inception4d": (112, 144, 288, 32, 64, 64),
    "inception4e": (256, 160, 320, 32, 128, 128),
    "inception5a": (256, 160, 320, 32, 128, 128),
    "inception5b": (384, 192, 384, 48, 128, 128),
}
"""Per module: ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj (the paper's Table 1)."""


def basic_conv(
    name: str, in_channels: int, out_channels: int, kernel: int, stride: int = 1, padding: int = 0
) -> Sequential:
    """torchvision's BasicConv2d: conv (no bias) + BatchNorm(eps=0.001) + ReLU."""
    conv = Conv2d(
        out_channels,
        kernel,
        stride=stride,
        padding=padding,
        bias=False,
        in_channels=in_channels,
        name=f"{name}.conv",
    )
    return Sequential(
        name,
        (
            conv,
            BatchNorm2d(eps=0.001, name=f"{name}.bn"),
            ReLU(inplace=True, name=f"{name}.relu"),
        ),
    )


def inception(
    name: str,
    in_channels: int,
    ch1x1: int,
    ch3x3red: int,
    ch3x3: int,
    ch5x5red: int,
    ch5x5: int,
    pool_proj: int,
) -> Concat:
    """One Inception module on ``in_channels``: four branches on the same input, concatenated on channels
    (ch1x1 + ch3x3 + ch5x5 + pool_proj of them)."""
    return Concat(
        name,
        (
            basic_conv(f"{name}.branch1", in_channels, ch1x1, 1),
            Sequential(
                f"{name}.branch2",
                (
                    basic_conv(f"{name}.branch2.0", in_channels, ch3x3red, 1),
                    basic_conv(f"{name}.branch2.1", ch3x3red, ch3x3, 3, padding=1),
                ),
            ),
            Sequential(
                f"{name}.branch3",
                # 3x3, not the paper's 5x5: torchvision's known deviation (issue #906).
                (
                    basic_conv(f"{name}.branch3.0", in_channels, ch5x5red, 1),
                    basic_conv(f"{name}.branch3.1", ch5x5red, ch5x5, 3, padding=1),
                ),
            ),
            Sequential(
                f"{name}.branch4",
                (
                    MaxPool2d(3, stride=1, padding=1, ceil_mode=True, name=f"{name}.branch4.0"),
                    basic_conv(f"{name}.branch4.1", in_channels, pool_proj, 1),
                ),
            ),
        ),
    )


def _inceptions(names: tuple[str, ...], in_channels: int) -> tuple[list[Concat], int]:
    """The Inception modules ``names`` in a row from ``in_channels``, and the channels they end with."""
    modules = []
    for name in names:
        ch1x1, _, ch3x3, _, ch5x5, pool_proj = INCEPTION[name]
        modules.append(inception(name, in_channels, *INCEPTION[name]))
        in_channels = ch1x1 + ch3x3 + ch5x5 + pool_proj
    return modules, in_channels


def googlenet(num_classes: int = 1000) -> Network:
    """torchvision's GoogLeNet at inference: no auxiliary classifiers (module docstring)."""
    stage3, channels = _inceptions(("inception3a", "inception3b"), 192)
    stage4, channels = _inceptions(
        ("inception4a", "inception4b", "inception4c", "inception4d", "inception4e"), channels
    )
    stage5, channels = _inceptions(("inception5a", "inception5b"), channels)
    layers: tuple[Layer, ...] = (
        basic_conv("conv1", 3, 64, 7, stride=2, padding=3),
        MaxPool2d(3, stride=2, ceil_mode=True, name="maxpool1"),
        basic_conv("conv2", 64, 64, 1),
        basic_conv("conv3", 64, 192, 3, padding=1),
        MaxPool2d(3, stride=2, ceil_mode=True, name="maxpool2"),
        *stage3,
        MaxPool2d(3, stride=2, ceil_mode=True, name="maxpool3"),
        *stage4,
        MaxPool2d(2, stride=2, ceil_mode=True, name="maxpool4"),
        *stage5,
        AdaptiveAvgPool2d((1, 1), name="avgpool"),
        Flatten(name="flatten"),
        Dropout(0.2, name="dropout"),
        Linear(num_classes, in_features=channels, name="fc"),
    )
    return Network(
        name="googlenet",
        input_shape=(3, 224, 224),
        layers=layers,
        num_classes=num_classes,
        description=(
            "torchvision googlenet() at inference (Szegedy et al. 2015): BN after every conv, "
            "3x3 in the '5x5' branch, ceil-mode pools, no auxiliary classifiers"
        ),
    )
