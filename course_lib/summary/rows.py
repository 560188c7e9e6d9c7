"""Walk a network spec through the cost formulas of `course_lib.complexity`: one `LayerRow` per layer.

The walking rules are those of `course_lib.architectures` (its package
docstring): start from the input shape ``(C, H, W)`` of one sample, carry the
shape through every layer, walk the branches of a `Concat` and the body and
shortcut of a `Residual` from the same input. Every number comes from a formula
in `course_lib.complexity` (never from running an implementation):

===================  =========================================================
layer                formula
===================  =========================================================
Conv2d               `conv2d_output_shape`, `conv2d_params`, `conv2d_forward_cost`
Linear               `dense_params`, `dense_forward_cost` (bias adds removed
                     when the layer has no bias)
BatchNorm2d          `batch_norm2d_params`, `batch_norm2d_cost` (inference:
                     1 multiply + 1 add per element)
ReLU, Tanh, ...      `activation_forward_cost` (activation applications)
MaxPool2d            `pool2d_output_shape` (``ceil_mode`` included), no arithmetic
AvgPool2d            `avg_pool2d_cost` (``ceil_mode`` included)
AdaptiveAvgPool2d    `adaptive_pool_windows`, `adaptive_avg_pool2d_cost`
Residual (add)       `residual_add_cost`: 1 add per element
Concat, Flatten,     free: no arithmetic (a copy, a view, the identity at
Dropout              inference)
===================  =========================================================

A `Concat` and a `Residual` get a row of their own after the rows of their
branches (type ``Concat`` and ``Add``); a `Sequential` is only walked. Shapes
in a row are per sample; counts are for the whole batch. Used by `summarize`;
derived in notebooks/06_cnn_time_and_space.ipynb.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from course_lib.architectures import (
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
    Residual,
    Sequential,
)
from course_lib.complexity import (
    ConvShape,
    Cost,
    activation_forward_cost,
    adaptive_avg_pool2d_cost,
    avg_pool2d_cost,
    batch_norm2d_cost,
    batch_norm2d_params,
    dense_forward_cost,
    dense_params,
    max_pool2d_cost,
    pool2d_output_shape,
    residual_add_cost,
)

Shape = tuple[int, ...]


@dataclass(frozen=True)
class LayerRow:
    """One line of a per-layer table.

    ``name``: the spec's name (torchvision's module path where there is one);
    ``layer_type``: ``Conv2d``, ``BatchNorm2d``, ``ReLU``, ..., ``Concat`` or ``Add``;
    ``input_shape``, ``output_shape``: per sample, ``(C, H, W)`` or ``(n,)``;
    ``params``: parameters (biases and batch-norm scale and shift included);
    ``cost``: the forward `Cost` for the whole batch (``cost.activations`` counts
    activation *applications*, e.g. ReLUs);
    ``activations``: activation *elements*, the output elements of the layer for
    the whole batch (a feature map's size, whether or not it is stored);
    ``detail``: the hyper-parameters in short (``"11x11 /4 pad 2"``);
    ``spec``: the layer spec itself.
    """

    name: str
    layer_type: str
    input_shape: Shape
    output_shape: Shape
    params: int
    cost: Cost
    activations: int
    detail: str = ""
    spec: Layer | None = field(default=None, repr=False, compare=False)

    @property
    def macs(self) -> int:
        """Multiply-accumulates of the layer's products (conv and linear layers only)."""
        return self.cost.macs

    @property
    def flops(self) -> int:
        """Multiplies + adds + divides (activation applications not included)."""
        return self.cost.flops


def format_shape(shape: Shape) -> str:
    """``(64, 55, 55)`` as ``"64 x 55 x 55"``."""
    return " x ".join(str(size) for size in shape)


def _window(kernel: tuple[int, int], stride: tuple[int, int], padding: tuple[int, int]) -> str:
    text = f"{kernel[0]}x{kernel[1]}"
    if stride != (1, 1):
        text += f" /{stride[0]}" if stride[0] == stride[1] else f" /{stride[0]},{stride[1]}"
    if padding != (0, 0):
        text += f" pad {padding[0]}" if padding[0] == padding[1] else f" pad {padding[0]},{padding[1]}"
    return text


def _feature_map(shape: Shape) -> tuple[int, int, int]:
    if len(shape) != 3:
        raise ValueError(f"needs a (C, H, W) feature map, got shape {format_shape(shape)}")
    return shape[0], shape[1], shape[2]


def conv_shape(spec: Conv2d, shape: Shape, batch: int) -> ConvShape:
    """The checked `ConvShape` of ``spec`` on a (C, H, W) input ``shape`` for ``batch`` samples.

    ValueError if the input is not a feature map, or if its C differs from the
    spec's fixed ``in_channels`` (PyTorch refuses such an input too).
    """
    c, h, w = _feature_map(shape)
    if spec.in_channels is not None and c != spec.in_channels:
        weights = (
            f"{spec.out_channels} x {spec.in_channels // spec.groups} x {spec.kernel[0]} x {spec.kernel[1]}"
        )
        raise ValueError(f"expects {spec.in_channels} input channels (its weights are {weights}), got {c}")
    return ConvShape(
        c,
        h,
        w,
        spec.out_channels,
        spec.kernel,
        stride=spec.stride,
        padding=spec.padding,
        dilation=spec.dilation,
        groups=spec.groups,
        bias=spec.bias,
        batch=batch,
    )


def _conv(spec: Conv2d, shape: Shape, batch: int) -> tuple[Shape, int, Cost, str]:
    layer = conv_shape(spec, shape, batch)
    c, (h_out, w_out), params, cost = layer.c_in, layer.output_size, layer.params, layer.forward_cost()
    detail = _window(spec.kernel, spec.stride, spec.padding)
    if spec.dilation != (1, 1):
        detail += f" dil {spec.dilation[0]}"
    if spec.groups > 1:
        detail += " depthwise" if spec.groups == c == spec.out_channels else f" groups {spec.groups}"
    if not spec.bias:
        detail += " no bias"
    return (spec.out_channels, h_out, w_out), params, cost, detail


def _linear(spec: Linear, shape: Shape, batch: int) -> tuple[Shape, int, Cost, str]:
    if len(shape) != 1:
        raise ValueError(f"needs a flat (n,) input, got shape {format_shape(shape)}; add a Flatten")
    (n_in,) = shape
    n_out = spec.out_features
    if spec.in_features is not None and n_in != spec.in_features:
        raise ValueError(
            f"expects {spec.in_features} input features (its weights are {n_out} x {spec.in_features}), got "
            f"{n_in}: this input size changes the flattened length, and no adaptive pooling restores it"
        )
    cost = dense_forward_cost(n_in, n_out, batch)
    params = dense_params(n_in, n_out)
    if not spec.bias:  # the formula includes the B n_out bias adds and the n_out biases
        cost = Cost(multiplies=cost.multiplies, adds=cost.adds - batch * n_out, macs=cost.macs)
        params -= n_out
    return (n_out,), params, cost, f"{n_in} -> {n_out}" + ("" if spec.bias else " no bias")


def _pool(spec: MaxPool2d | AvgPool2d, shape: Shape, batch: int) -> tuple[Shape, int, Cost, str]:
    c, h, w = _feature_map(shape)
    stride = spec.kernel if spec.stride is None else spec.stride  # never None after construction
    options = {"stride": stride, "padding": spec.padding, "batch": batch, "ceil_mode": spec.ceil_mode}
    h_out, w_out = pool2d_output_shape(h, w, spec.kernel, stride, spec.padding, ceil_mode=spec.ceil_mode)
    formula = max_pool2d_cost if isinstance(spec, MaxPool2d) else avg_pool2d_cost
    cost = formula(c, h, w, spec.kernel, **options)
    detail = _window(spec.kernel, stride, spec.padding) + (" ceil" if spec.ceil_mode else "")
    return (c, h_out, w_out), 0, cost, detail


def _leaf(spec: Layer, shape: Shape, batch: int) -> tuple[Shape, int, Cost, str]:
    """(output shape, parameters, forward cost, detail) of a leaf spec on ``shape``."""
    if isinstance(spec, Conv2d):
        return _conv(spec, shape, batch)
    if isinstance(spec, Linear):
        return _linear(spec, shape, batch)
    if isinstance(spec, MaxPool2d | AvgPool2d):
        return _pool(spec, shape, batch)
    if isinstance(spec, BatchNorm2d):
        c, h, w = _feature_map(shape)
        return shape, batch_norm2d_params(c), batch_norm2d_cost(c, h, w, batch=batch), ""
    if isinstance(spec, Activation):
        cost = activation_forward_cost(math.prod(shape), batch)
        return shape, 0, cost, "in place" if spec.inplace else ""
    if isinstance(spec, AdaptiveAvgPool2d):
        c, h, w = _feature_map(shape)
        cost = adaptive_avg_pool2d_cost(c, h, w, spec.output_size, batch=batch)
        return (c, *spec.output_size), 0, cost, f"to {spec.output_size[0]}x{spec.output_size[1]}"
    if isinstance(spec, Flatten):
        return (math.prod(shape),), 0, Cost(), ""
    if isinstance(spec, Dropout):
        return shape, 0, Cost(), f"p={spec.p}"
    raise ValueError(f"no cost rule for a {type(spec).__name__} spec")


def _walk(spec: Layer, shape: Shape, batch: int, rows: list[LayerRow]) -> Shape:
    """Append the rows of ``spec`` on input ``shape`` to ``rows``; return its output shape."""
    if isinstance(spec, Sequential):
        for layer in spec.layers:
            shape = _walk(layer, shape, batch, rows)
        return shape
    if isinstance(spec, Concat):
        outs = [_walk(branch, shape, batch, rows) for branch in spec.branches]
        if any(len(out) != 3 or out[1:] != outs[0][1:] for out in outs):
            raise ValueError(
                f"layer {spec.name!r} (Concat): branch outputs "
                f"{', '.join(format_shape(out) for out in outs)} differ in height and width"
            )
        out = (sum(o[0] for o in outs), *outs[0][1:])
        detail = f"{len(outs)} branches"
        rows.append(
            LayerRow(spec.name, "Concat", shape, out, 0, Cost(), batch * math.prod(out), detail, spec)
        )
        return out
    if isinstance(spec, Residual):
        body = _walk(spec.body, shape, batch, rows)
        short = shape if spec.shortcut is None else _walk(spec.shortcut, shape, batch, rows)
        if body != short:
            raise ValueError(
                f"layer {spec.name!r} (Residual): body output {format_shape(body)} and shortcut "
                f"{format_shape(short)} differ"
            )
        c, h, w = (*body, 1, 1) if len(body) == 1 else body
        cost = residual_add_cost(c, h, w, batch=batch)
        detail = "identity shortcut" if spec.shortcut is None else "projection shortcut"
        rows.append(LayerRow(spec.name, "Add", shape, body, 0, cost, batch * math.prod(body), detail, spec))
        return body
    try:
        out, params, cost, detail = _leaf(spec, shape, batch)
    except ValueError as error:
        raise ValueError(
            f"layer {spec.name!r} ({type(spec).__name__}) on input {format_shape(shape)}: {error}"
        ) from None
    rows.append(
        LayerRow(
            spec.name, type(spec).__name__, shape, out, params, cost, batch * math.prod(out), detail, spec
        )
    )
    return out


def walk(layers: tuple[Layer, ...], input_shape: Shape, batch: int) -> tuple[list[LayerRow], Shape]:
    """The rows of ``layers`` walked from ``input_shape`` (per sample) for ``batch`` samples,
    and the final output shape. ValueError, naming the layer, if a layer does not fit."""
    rows: list[LayerRow] = []
    shape = tuple(input_shape)
    for layer in layers:
        shape = _walk(layer, shape, batch, rows)
    return rows, shape
