"""Layer specifications: frozen dataclasses that describe a network as plain data.

A spec says *what* a layer is (its hyper-parameters), never how to run it and
never what it costs: input channels and spatial sizes are not stored, they
follow from walking the network from its input shape (rules in the package
docstring, `course_lib.architectures`). Costs come from `course_lib.complexity`
(derived in notebooks/06_cnn_time_and_space.ipynb); shapes from the output-size
formula of notebooks/05_convolution_layer.ipynb.

Every spec carries a ``name``, the row label of a per-layer table; the
network modules use torchvision's module paths where there is one
(``"features.0"``, ``"layer1.0.conv1"``).

Integer arguments that describe a 2-D window (``kernel``, ``stride``,
``padding``, ``dilation``, ``output_size``) accept an int ``n`` or a pair
``(h, w)`` and are stored as the pair ``(n, n)`` / ``(h, w)``. Bad values
raise ``ValueError`` naming the argument.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from course_lib.validation import check_instance, require_bool, require_int, require_pair, require_real

Pair = tuple[int, int]
IntOrPair = int | Pair
"""What a window argument accepts: one int for both sides, or (height, width)."""


def _positive_int(value: object, arg: str, owner: str) -> int:
    """``value`` as a positive int (numpy integers too), or ValueError naming ``owner`` and ``arg``."""
    return require_int(f"{owner}: {arg}", value, 1)


def _optional_positive_int(value: object, arg: str, owner: str) -> int | None:
    return None if value is None else _positive_int(value, arg, owner)


def _pair(value: object, arg: str, owner: str, *, minimum: int) -> Pair:
    """``value`` (an int or an (h, w) pair) as an (h, w) pair of ints >= ``minimum``."""
    return require_pair(f"{owner}: {arg}", value, minimum)


def _bool(value: object, arg: str, owner: str) -> bool:
    return require_bool(f"{owner}: {arg}", value)


def _name(value: object, owner: str) -> str:
    check_instance(f"{owner}: name", value, str, "a str")
    assert isinstance(value, str)
    return value


def _set(spec: object, **values: object) -> None:
    for key, value in values.items():
        object.__setattr__(spec, key, value)


# ---------------------------------------------------------------- leaf layers


@dataclass(frozen=True)
class Conv2d:
    """2-D convolution (cross-correlation, as PyTorch), ``C_in -> out_channels``.

    ``groups`` splits input and output channels into that many independent
    groups (``groups == C_in == out_channels`` is a depthwise convolution);
    it must divide ``out_channels`` (checked here) and ``C_in`` (checked by
    the walker, which knows ``C_in``). Output side:
    ``floor((H + 2*padding - dilation*(kernel - 1) - 1) / stride) + 1``.
    Parameters: ``out_channels * (C_in / groups) * K_h * K_w`` (+ ``out_channels`` with bias).

    ``in_channels``: the C_in the layer's weights were made for, as in PyTorch's
    ``Conv2d(in_channels, out_channels, ...)``; the walker refuses an input with
    other channels, naming the layer. ``None`` (the default, for specs written by
    hand) lets C_in follow from the input. The network builders fix it everywhere.
    """

    out_channels: int
    kernel: Pair
    stride: Pair
    padding: Pair
    dilation: Pair
    groups: int
    bias: bool
    in_channels: int | None
    name: str

    def __init__(
        self,
        out_channels: int,
        kernel: IntOrPair,
        stride: IntOrPair = 1,
        padding: IntOrPair = 0,
        dilation: IntOrPair = 1,
        groups: int = 1,
        bias: bool = True,
        *,
        in_channels: int | None = None,
        name: str = "",
    ) -> None:
        owner = f"Conv2d {name!r}" if name else "Conv2d"
        out_channels = _positive_int(out_channels, "out_channels", owner)
        groups = _positive_int(groups, "groups", owner)
        if out_channels % groups:
            raise ValueError(f"{owner}: groups={groups} must divide out_channels={out_channels}")
        checked_in = _optional_positive_int(in_channels, "in_channels", owner)
        if checked_in is not None and checked_in % groups:
            raise ValueError(f"{owner}: groups={groups} must divide in_channels={checked_in}")
        _set(
            self,
            out_channels=out_channels,
            kernel=_pair(kernel, "kernel", owner, minimum=1),
            stride=_pair(stride, "stride", owner, minimum=1),
            padding=_pair(padding, "padding", owner, minimum=0),
            dilation=_pair(dilation, "dilation", owner, minimum=1),
            groups=groups,
            bias=_bool(bias, "bias", owner),
            in_channels=checked_in,
            name=_name(name, owner),
        )


@dataclass(frozen=True)
class BatchNorm2d:
    """Batch normalisation over channels; shape unchanged.

    Parameters: ``2 * C`` (a scale and a shift per channel). The running mean
    and variance are buffers, not parameters, and are not counted.
    """

    eps: float = 1e-5
    name: str = field(default="", kw_only=True)

    def __post_init__(self) -> None:
        owner = f"BatchNorm2d {self.name!r}" if self.name else "BatchNorm2d"
        _set(
            self, eps=require_real(f"{owner}: eps", self.eps, 0, low_open=True), name=_name(self.name, owner)
        )


@dataclass(frozen=True)
class Activation:
    """An elementwise nonlinearity; shape unchanged, no parameters.

    ``function`` names it (``"relu"``, ``"relu6"``, ``"tanh"``, ``"sigmoid"``);
    ``inplace`` says the output overwrites the input (PyTorch's ``inplace=True``),
    which matters for feature-map memory, not for arithmetic.
    """

    function: ClassVar[str] = "identity"
    inplace: bool = False
    name: str = field(default="", kw_only=True)

    def __post_init__(self) -> None:
        owner = f"{type(self).__name__} {self.name!r}" if self.name else type(self).__name__
        _set(self, inplace=_bool(self.inplace, "inplace", owner), name=_name(self.name, owner))


@dataclass(frozen=True)
class ReLU(Activation):
    """``max(0, x)``."""

    function: ClassVar[str] = "relu"


@dataclass(frozen=True)
class ReLU6(Activation):
    """``min(max(0, x), 6)`` (MobileNet V2)."""

    function: ClassVar[str] = "relu6"


@dataclass(frozen=True)
class Tanh(Activation):
    """``tanh(x)`` (the modern LeNet-5)."""

    function: ClassVar[str] = "tanh"


@dataclass(frozen=True)
class Sigmoid(Activation):
    """``1 / (1 + exp(-x))``."""

    function: ClassVar[str] = "sigmoid"


@dataclass(frozen=True)
class _Pool2d:
    kernel: Pair
    stride: Pair
    padding: Pair
    ceil_mode: bool
    name: str

    def __init__(
        self,
        kernel: IntOrPair,
        stride: IntOrPair | None = None,
        padding: IntOrPair = 0,
        ceil_mode: bool = False,
        *,
        name: str = "",
    ) -> None:
        owner = f"{type(self).__name__} {name!r}" if name else type(self).__name__
        window = _pair(kernel, "kernel", owner, minimum=1)
        margin = _pair(padding, "padding", owner, minimum=0)
        if any(2 * p > k for p, k in zip(margin, window, strict=True)):
            raise ValueError(f"{owner}: padding {margin} must be at most half the kernel {window}")
        _set(
            self,
            kernel=window,
            stride=window if stride is None else _pair(stride, "stride", owner, minimum=1),
            padding=margin,
            ceil_mode=_bool(ceil_mode, "ceil_mode", owner),
            name=_name(name, owner),
        )


# The two pools inherit _Pool2d's fields, __init__, __eq__, __hash__ and __repr__ (which names
# the subclass); decorating them again would replace that __init__ with a generated one.


class MaxPool2d(_Pool2d):
    """Max over each ``kernel`` window; channels unchanged, no parameters.

    ``stride=None`` means ``stride = kernel`` (stored so). Output side:
    ``floor((H + 2*padding - kernel) / stride) + 1``, or with ``ceil_mode=True``
    the ceiling, minus one if the last window would start beyond
    ``H + padding`` (PyTorch's rule). GoogLeNet and SqueezeNet use ceil_mode.
    """


class AvgPool2d(_Pool2d):
    """Mean over each ``kernel`` window; output size as `MaxPool2d`, no parameters."""


@dataclass(frozen=True)
class AdaptiveAvgPool2d:
    """Average pooling to a fixed ``output_size`` (h, w), whatever the input size.

    PyTorch's window for output cell i spans input rows
    ``floor(i*H/h)`` to ``ceil((i+1)*H/h)``; ``(1, 1)`` is global average pooling.
    """

    output_size: Pair
    name: str

    def __init__(self, output_size: IntOrPair, *, name: str = "") -> None:
        owner = f"AdaptiveAvgPool2d {name!r}" if name else "AdaptiveAvgPool2d"
        _set(
            self,
            output_size=_pair(output_size, "output_size", owner, minimum=1),
            name=_name(name, owner),
        )


@dataclass(frozen=True)
class Flatten:
    """``(C, H, W) -> (C*H*W,)``; no arithmetic, no parameters."""

    name: str = field(default="", kw_only=True)

    def __post_init__(self) -> None:
        _set(self, name=_name(self.name, "Flatten"))


@dataclass(frozen=True)
class Linear:
    """Dense layer ``n_in -> out_features`` on a flat input.

    Parameters: ``n_in * out_features`` (+ ``out_features`` with bias).

    ``in_features``: the n_in the weights were made for, as in PyTorch's
    ``Linear(in_features, out_features)``; the walker refuses an input whose
    flattened length differs (a network without adaptive pooling before its
    classifier accepts only the input sizes that give it), naming the layer.
    ``None`` (the default, for specs written by hand) lets n_in follow from the input.
    """

    out_features: int
    bias: bool = True
    in_features: int | None = field(default=None, kw_only=True)
    name: str = field(default="", kw_only=True)

    def __post_init__(self) -> None:
        owner = f"Linear {self.name!r}" if self.name else "Linear"
        _set(
            self,
            out_features=_positive_int(self.out_features, "out_features", owner),
            in_features=_optional_positive_int(self.in_features, "in_features", owner),
            bias=_bool(self.bias, "bias", owner),
            name=_name(self.name, owner),
        )


@dataclass(frozen=True)
class Dropout:
    """Zeroes a fraction ``p`` of activations in training; identity at inference."""

    p: float = 0.5
    name: str = field(default="", kw_only=True)

    def __post_init__(self) -> None:
        owner = f"Dropout {self.name!r}" if self.name else "Dropout"
        _set(self, p=require_real(f"{owner}: p", self.p, 0, 1), name=_name(self.name, owner))


# ----------------------------------------------------------------- composites


@dataclass(frozen=True)
class Sequential:
    """``layers`` applied one after another."""

    name: str
    layers: tuple[Layer, ...]

    def __post_init__(self) -> None:
        owner = f"Sequential {self.name!r}"
        _set(self, name=_name(self.name, owner), layers=_specs(self.layers, "layers", owner))


@dataclass(frozen=True)
class Concat:
    """Every branch applied to the same input; outputs concatenated on channels.

    The branches must agree on height and width; output channels are the sum
    of the branches' (Inception modules, SqueezeNet's Fire expand stage).
    """

    name: str
    branches: tuple[Layer, ...]

    def __post_init__(self) -> None:
        owner = f"Concat {self.name!r}"
        branches = _specs(self.branches, "branches", owner)
        if len(branches) < 2:
            raise ValueError(f"{owner}: branches must hold at least 2 specs, got {len(branches)}")
        _set(self, name=_name(self.name, owner), branches=branches)


@dataclass(frozen=True)
class Residual:
    """``body(x) + shortcut(x)``, an elementwise add; ``shortcut=None`` is the identity.

    Body and shortcut see the same input and must produce the same shape. The
    add is all a `Residual` does: an activation after it (torchvision's ReLU
    after the add in ResNet blocks) is an explicit layer that follows it.
    """

    name: str
    body: Layer
    shortcut: Layer | None = None

    def __post_init__(self) -> None:
        owner = f"Residual {self.name!r}"
        _check_spec(self.body, "body", owner)
        if self.shortcut is not None:
            _check_spec(self.shortcut, "shortcut", owner)
        _set(self, name=_name(self.name, owner))


LEAF_TYPES = (
    Conv2d,
    BatchNorm2d,
    Activation,
    MaxPool2d,
    AvgPool2d,
    AdaptiveAvgPool2d,
    Flatten,
    Linear,
    Dropout,
)
"""The leaf spec types (`Activation` covers ReLU, ReLU6, Tanh, Sigmoid)."""

COMPOSITE_TYPES = (Sequential, Concat, Residual)
"""The spec types that hold other specs."""

Layer = (
    Conv2d
    | BatchNorm2d
    | Activation
    | MaxPool2d
    | AvgPool2d
    | AdaptiveAvgPool2d
    | Flatten
    | Linear
    | Dropout
    | Sequential
    | Concat
    | Residual
)
"""Any layer spec, leaf or composite."""


def _check_spec(spec: object, arg: str, owner: str) -> None:
    if not isinstance(spec, LEAF_TYPES + COMPOSITE_TYPES):
        raise ValueError(f"{owner}: {arg} must be a layer spec, got {type(spec).__name__}")


def _specs(specs: object, arg: str, owner: str) -> tuple[Layer, ...]:
    if isinstance(specs, str) or not isinstance(specs, Iterable):
        raise ValueError(f"{owner}: {arg} must be a sequence of layer specs, got {specs!r}")
    specs = tuple(specs)
    if not specs:
        raise ValueError(f"{owner}: {arg} must not be empty")
    for spec in specs:
        _check_spec(spec, arg, owner)
    return specs


def children(spec: Layer) -> tuple[Layer, ...]:
    """The specs directly inside ``spec``, in walking order (a leaf has none).

    Sequential: its layers; Concat: its branches; Residual: body, then the
    shortcut if there is one.
    """
    if isinstance(spec, Sequential):
        return spec.layers
    if isinstance(spec, Concat):
        return spec.branches
    if isinstance(spec, Residual):
        return (spec.body,) if spec.shortcut is None else (spec.body, spec.shortcut)
    return ()


def leaves(spec: Layer | Iterable[Layer]) -> Iterator[Layer]:
    """Every leaf spec under ``spec``, depth first, in walking order.

    ``spec`` may be one spec, a sequence of specs, or a `Network` (its
    ``layers``). Shapes are not tracked: this is for questions like "how many
    Conv2d layers" or "are the names unique", not for costs.
    """
    if isinstance(spec, LEAF_TYPES + COMPOSITE_TYPES):
        stack = [spec]
    elif hasattr(spec, "layers"):  # a Network (not imported here: it imports this module)
        stack = list(spec.layers)
    else:
        stack = list(spec)
    for item in stack:
        if isinstance(item, COMPOSITE_TYPES):
            for child in children(item):
                yield from leaves(child)
        else:
            yield item
