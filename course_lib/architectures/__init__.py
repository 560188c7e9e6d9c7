"""Classic CNNs as plain data: layer-by-layer specs that formulas walk.

``get(name)`` returns a `Network` for each of `names()`: ``lenet5``,
``alexnet``, ``vgg11``, ``vgg16``, ``googlenet``, ``resnet18``, ``resnet34``,
``resnet50``, ``resnet50_v1``, ``mobilenet_v1``, ``mobilenet_v2``,
``squeezenet1_0`` (``mobilenet_v1_variant(alpha, r)`` thins and rescales MobileNet v1). The
torchvision ones match torchvision's models exactly (same layers, same
parameter count); ``published(name)`` gives the published counts and their
sources (course_lib/architectures/SOURCES.md). Used in
notebooks/06_cnn_time_and_space.ipynb and notebooks/07_designing_efficient_cnns.ipynb.
This package imports only the standard library and `course_lib.validation`
(its argument checks).

Fixed layers: like PyTorch's ``Conv2d(in_channels, ...)`` and
``Linear(in_features, ...)``, every builder's `Conv2d` carries its
``in_channels`` and every `Linear` its ``in_features``. Walking a network on an
input with other channels, or with a size that changes the flattened length a
`Linear` receives, is refused, naming the layer, as PyTorch refuses it. The
networks with adaptive average pooling before their classifier (AlexNet, VGG,
GoogLeNet, ResNet, MobileNet, SqueezeNet) take any input size the earlier layers
fit, exactly as in PyTorch; LeNet-5 has none and takes only the sizes that give
C5 a 1 x 1 output (32 to 35 pixels a side). Specs written by hand may leave
``in_channels`` / ``in_features`` out (None): they then follow the input.

Walking rules
-------------
Walk ``net.layers`` in order from ``net.input_shape = (C, H, W)`` (one sample,
no batch axis), carrying the current shape: ``(C, H, W)`` for feature maps,
``(n,)`` after `Flatten`. ``out(n, k, s, p, d) = floor((n + 2p - d(k - 1) - 1) / s) + 1``
per spatial axis (height with the first element of each pair, width with
the second).

* `Conv2d`: needs ``C % groups == 0``; shape ``(out_channels, out(H), out(W))``;
  params ``out_channels * (C / groups) * K_h * K_w`` (+ ``out_channels`` if
  ``bias``); MACs ``out_channels * H_out * W_out * (C / groups) * K_h * K_w``.
* `BatchNorm2d`: shape kept; params ``2 * C`` (running statistics are buffers).
* `Activation` (`ReLU`, `ReLU6`, `Tanh`, `Sigmoid`), `Dropout`: shape kept, no
  params; ``inplace=True`` means no new feature map is stored, and a `Dropout`
  (the identity at inference) stores none either.
* `MaxPool2d`, `AvgPool2d`: channels kept; ``out`` with ``d = 1``; with
  ``ceil_mode`` use the ceiling instead of the floor, then subtract 1 if
  ``(out - 1) * stride >= n + padding`` (the last window must start inside
  the input or its left padding, PyTorch's rule). ``stride`` is never None
  after construction (None means the kernel).
* `AdaptiveAvgPool2d`: shape ``(C, *output_size)``.
* `Flatten`: ``(C, H, W) -> (C * H * W,)``.
* `Linear`: needs a flat ``(n,)``; shape ``(out_features,)``; params
  ``n * out_features`` (+ ``out_features`` if ``bias``); MACs ``n * out_features``.
* `Sequential`: walk ``layers`` in order.
* `Concat`: walk every branch from the same input shape; the branches'
  ``(H, W)`` must agree; output channels are the sum.
* `Residual`: walk ``body`` and ``shortcut`` (``None``: the identity) from the
  same input; their shapes must agree; the add costs ``C * H * W`` additions.
  Anything after the add (the ReLU of a ResNet block) is the next layer.

Under these rules the parameter total of each torchvision network equals
torchvision's ``num_params``, and the conv + linear MACs, in billions, equal
its ``_ops`` (docs column "GFLOPS") to the 3 decimals published:
tests/test_architectures_published.py checks both with its own walker.
`leaves` lists the leaf specs (no shapes) for simpler questions.
"""

from collections.abc import Callable

from course_lib.architectures.alexnet import alexnet
from course_lib.architectures.googlenet import googlenet
from course_lib.architectures.layers import (
    COMPOSITE_TYPES,
    LEAF_TYPES,
    Activation,
    AdaptiveAvgPool2d,
    AvgPool2d,
    BatchNorm2d,
    Concat,
    Conv2d,
    Dropout,
    Flatten,
    Layer,
    Linear,
    MaxPool2d,
    ReLU,
    ReLU6,
    Residual,
    Sequential,
    Sigmoid,
    Tanh,
    children,
    leaves,
)
from course_lib.architectures.lenet import lenet5
from course_lib.architectures.mobilenet import (
    mobilenet_v1,
    mobilenet_v1_variant,
    mobilenet_v2,
    thinned_channels,
)
from course_lib.architectures.network import Network
from course_lib.architectures.references import PUBLISHED, published
from course_lib.architectures.resnet import resnet18, resnet34, resnet50, resnet50_v1
from course_lib.architectures.squeezenet import squeezenet1_0
from course_lib.architectures.vgg import vgg11, vgg16

_BUILDERS: dict[str, Callable[[], Network]] = {
    "lenet5": lenet5,
    "alexnet": alexnet,
    "vgg11": vgg11,
    "vgg16": vgg16,
    "googlenet": googlenet,
    "resnet18": resnet18,
    "resnet34": resnet34,
    "resnet50": resnet50,
    "resnet50_v1": resnet50_v1,
    "mobilenet_v1": mobilenet_v1,
    "mobilenet_v2": mobilenet_v2,
    "squeezenet1_0": squeezenet1_0,
}


def names() -> list[str]:
    """The networks `get` knows, in order of publication (torchvision's spelling where it has one)."""
    return list(_BUILDERS)


def get(name: str) -> Network:
    """The `Network` spec called ``name`` (one of `names()`); ValueError for any other name or type."""
    if not isinstance(name, str):
        raise ValueError(f"name must be a network name (a str, one of {', '.join(_BUILDERS)}), got {name!r}")
    if name not in _BUILDERS:
        raise ValueError(f"unknown network {name!r}; known networks: {', '.join(_BUILDERS)}")
    return _BUILDERS[name]()


__all__ = [
    "COMPOSITE_TYPES",
    "LEAF_TYPES",
    "PUBLISHED",
    "Activation",
    "AdaptiveAvgPool2d",
    "AvgPool2d",
    "BatchNorm2d",
    "Concat",
    "Conv2d",
    "Dropout",
    "Flatten",
    "Layer",
    "Linear",
    "MaxPool2d",
    "Network",
    "ReLU",
    "ReLU6",
    "Residual",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "alexnet",
    "children",
    "get",
    "googlenet",
    "leaves",
    "lenet5",
    "mobilenet_v1",
    "mobilenet_v1_variant",
    "mobilenet_v2",
    "names",
    "published",
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet50_v1",
    "squeezenet1_0",
    "thinned_channels",
    "vgg11",
    "vgg16",
]
