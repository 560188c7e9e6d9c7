"""Exact operation, parameter and memory counts of convolution and pooling layers, as Python ints.

The *formulas* of the derive -> count -> time method for CNNs. Written from the
conventions below, they never import ``ops``, ``counting`` or ``conv``: the
tests run `course_lib.conv` under ``count_ops`` and require the counted numbers
to equal these exactly. Derived in notebooks/05_convolution_layer.ipynb (one
layer), notebooks/06_cnn_time_and_space.ipynb (backward, pooling, memory) and
notebooks/07_designing_efficient_cnns.ipynb (groups, depthwise).

Notation: input (N, C_in, H, W) (``batch``, ``c_in``, ``height``, ``width``),
filters (C_out, C_in/G, K_h, K_w) with G = ``groups``, output
(N, C_out, H_out, W_out). ``kernel``, ``stride``, ``padding``, ``dilation`` are
an int or a (height, width) pair. Per dimension

    H_out = floor((H + 2 p - d (K - 1) - 1) / s) + 1.

With L = (C_in/G) K_h K_w (the length of one output's dot product),
E = N C_out H_out W_out (output elements) and P = N H_out W_out:

========================  =====================================================
step                      counted
========================  =====================================================
forward                   E L multiplies (= MACs), E (L - 1) adds, + E adds
                          for the bias; padded zeros are multiplied too
dW (backward)             E L multiplies (= MACs), C_out L (P - 1) adds
db (backward)             C_out (P - 1) adds
dx (backward)             E L multiplies (= MACs) and E L adds: (L x C_out/G)
                          products give N C_in K_h K_w H_out W_out (C_out/G - 1)
                          adds, col2im adds each of the N C_in K_h K_w H_out W_out
                          column entries into a zero-initialised dx
max pool, forward         nothing: K_h K_w - 1 comparisons per output, which
                          are not FLOPs (`max_pool2d_comparisons` reports them)
max pool, backward        1 add per output element
avg pool, forward         K_h K_w - 1 adds + 1 divide per output element
avg pool, backward        1 divide + K_h K_w adds per output element
global avg pool           (H W - 1) adds + 1 divide per (sample, channel);
                          backward 1 divide per (sample, channel)
========================  =====================================================

Parameters: C_out (C_in/G) K_h K_w weights + C_out biases.
"""

from __future__ import annotations

import operator

from course_lib.complexity.cost import Cost

__all__ = [
    "DTYPE_BYTES",
    "OPTIMIZER_STATE_SLOTS",
    "avg_pool2d_backward_cost",
    "avg_pool2d_cost",
    "conv2d_backward_cost",
    "conv2d_backward_costs",
    "conv2d_flops",
    "conv2d_forward_cost",
    "conv2d_im2col_elements",
    "conv2d_macs",
    "conv2d_output_elements",
    "conv2d_output_shape",
    "conv2d_params",
    "conv2d_training_memory",
    "global_avg_pool2d_backward_cost",
    "global_avg_pool2d_cost",
    "max_pool2d_backward_cost",
    "max_pool2d_comparisons",
    "max_pool2d_cost",
    "pool2d_output_shape",
]

IntOrPair = int | tuple[int, int]

DTYPE_BYTES = {"float16": 2, "bfloat16": 2, "float32": 4, "float64": 8}
"""Bytes per element of the floating-point types the memory formulas know."""

OPTIMIZER_STATE_SLOTS = {"sgd": 0, "momentum": 1, "adam": 2}
"""Extra arrays of parameter size an optimizer keeps: none for plain SGD, a velocity for
momentum, first and second moments for Adam (its scalar step counter is left out)."""


# ---------------------------------------------------------------- argument checks


def _int(name: str, value: object, minimum: int) -> int:
    wanted = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
    if isinstance(value, bool):
        raise ValueError(f"{name} must be {wanted}, got {value!r}")
    try:
        exact = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be {wanted}, got {value!r}") from None
    if exact < minimum:
        raise ValueError(f"{name} must be {wanted}, got {exact}")
    return int(exact)


def _pair(name: str, value: IntOrPair, minimum: int = 1) -> tuple[int, int]:
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a (height, width) pair, got {value!r}")
        return _int(f"{name}[0]", value[0], minimum), _int(f"{name}[1]", value[1], minimum)
    single = _int(name, value, minimum)
    return single, single


def _out_size(n: int, k: int, p: int, s: int, d: int) -> int:
    """floor((n + 2p - d(k-1) - 1)/s) + 1, for checked ints; ValueError if < 1."""
    extent = d * (k - 1) + 1
    if extent > n + 2 * p:
        raise ValueError(
            f"kernel {k} (dilated extent {extent}) does not fit the padded input {n + 2 * p} "
            f"(input {n}, padding {p})"
        )
    return (n + 2 * p - extent) // s + 1


class _Conv:
    """Checked sizes of one convolution layer (private: the public API is the functions)."""

    def __init__(
        self,
        c_in: int,
        height: int,
        width: int,
        c_out: int,
        kernel: IntOrPair,
        stride: IntOrPair,
        padding: IntOrPair,
        dilation: IntOrPair,
        groups: int,
        batch: int,
    ) -> None:
        self.c_in, self.c_out = _int("c_in", c_in, 1), _int("c_out", c_out, 1)
        self.height, self.width = _int("height", height, 1), _int("width", width, 1)
        self.k_h, self.k_w = _pair("kernel", kernel)
        self.groups, self.batch = _int("groups", groups, 1), _int("batch", batch, 1)
        if self.c_in % self.groups or self.c_out % self.groups:
            raise ValueError(f"groups={self.groups} must divide both c_in={self.c_in} and c_out={self.c_out}")
        self.h_out, self.w_out = conv2d_output_shape(
            self.height, self.width, kernel, stride, padding, dilation
        )
        self.length = self.c_in // self.groups * self.k_h * self.k_w  # L
        self.outputs = self.batch * self.c_out * self.h_out * self.w_out  # E
        self.positions = self.batch * self.h_out * self.w_out  # P
        self.columns = self.batch * self.c_in * self.k_h * self.k_w * self.h_out * self.w_out


def _forward(layer: _Conv, bias: bool) -> Cost:
    """E L multiplies (= MACs), E (L - 1) adds, + E adds with a bias."""
    products = layer.outputs * layer.length
    adds = layer.outputs * (layer.length - 1) + (layer.outputs if bias else 0)
    return Cost(multiplies=products, adds=adds, macs=products)


# ---------------------------------------------------------------- shapes and sizes


def conv2d_output_shape(
    height: int,
    width: int,
    kernel: IntOrPair,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
) -> tuple[int, int]:
    """(H_out, W_out), each floor((n + 2 p - d (K - 1) - 1) / s) + 1.

    ValueError (naming the argument) for a kernel whose dilated extent
    d (K - 1) + 1 exceeds the padded input, or a non-positive size. Derived in
    notebooks/05_convolution_layer.ipynb.
    """
    sizes = (_int("height", height, 1), _int("width", width, 1))
    kernels, strides = _pair("kernel", kernel), _pair("stride", stride)
    paddings, dilations = _pair("padding", padding, 0), _pair("dilation", dilation)
    h_out, w_out = (
        _out_size(*args) for args in zip(sizes, kernels, paddings, strides, dilations, strict=True)
    )
    return h_out, w_out


def conv2d_params(c_in: int, c_out: int, kernel: IntOrPair, groups: int = 1, bias: bool = True) -> int:
    """Parameters: C_out (C_in/G) K_h K_w weights, + C_out biases if ``bias``.

    Independent of the input size. Derived in notebooks/05_convolution_layer.ipynb.
    """
    c_in, c_out, groups = _int("c_in", c_in, 1), _int("c_out", c_out, 1), _int("groups", groups, 1)
    k_h, k_w = _pair("kernel", kernel)
    if c_in % groups or c_out % groups:
        raise ValueError(f"groups={groups} must divide both c_in={c_in} and c_out={c_out}")
    return c_out * (c_in // groups) * k_h * k_w + (c_out if bias else 0)


def conv2d_output_elements(
    c_in: int,
    height: int,
    width: int,
    c_out: int,
    kernel: IntOrPair,
    *,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
    batch: int = 1,
) -> int:
    """Elements of the output feature map: N C_out H_out W_out."""
    return _Conv(c_in, height, width, c_out, kernel, stride, padding, dilation, groups, batch).outputs


def conv2d_im2col_elements(
    c_in: int,
    height: int,
    width: int,
    kernel: IntOrPair,
    *,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    batch: int = 1,
) -> int:
    """Elements of the im2col buffer: N C_in K_h K_w H_out W_out.

    Compared with the input's N C_in H W elements this is about K_h K_w /
    (s_h s_w) times larger: the K^2 memory blow-up of im2col. Derived in
    notebooks/05_convolution_layer.ipynb.
    """
    return _Conv(c_in, height, width, 1, kernel, stride, padding, dilation, 1, batch).columns


# ---------------------------------------------------------------- convolution costs


def conv2d_forward_cost(
    c_in: int,
    height: int,
    width: int,
    c_out: int,
    kernel: IntOrPair,
    *,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
    bias: bool = True,
    batch: int = 1,
) -> Cost:
    """Forward cost of a convolution: one dot product of length L per output element.

    multiplies = MACs = N C_out H_out W_out (C_in/G) K_h K_w and
    adds = N C_out H_out W_out ((C_in/G) K_h K_w - 1), plus N C_out H_out W_out
    adds for the bias. With G = C_in = C_out (depthwise) that is N C H_out W_out K_h K_w
    MACs. Derived in notebooks/05_convolution_layer.ipynb.
    """
    return _forward(_Conv(c_in, height, width, c_out, kernel, stride, padding, dilation, groups, batch), bias)


def conv2d_macs(
    c_in: int,
    height: int,
    width: int,
    c_out: int,
    kernel: IntOrPair,
    *,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
    batch: int = 1,
) -> int:
    """MACs of the forward pass: N C_out H_out W_out (C_in/G) K_h K_w (often quoted as "FLOPs")."""
    return _forward(
        _Conv(c_in, height, width, c_out, kernel, stride, padding, dilation, groups, batch), False
    ).macs


def conv2d_flops(
    c_in: int,
    height: int,
    width: int,
    c_out: int,
    kernel: IntOrPair,
    *,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
    bias: bool = True,
    batch: int = 1,
) -> int:
    """FLOPs of the forward pass, multiplies + adds: 2 x MACs with a bias, 2 x MACs - E without."""
    return _forward(
        _Conv(c_in, height, width, c_out, kernel, stride, padding, dilation, groups, batch), bias
    ).flops


def conv2d_backward_costs(
    c_in: int,
    height: int,
    width: int,
    c_out: int,
    kernel: IntOrPair,
    *,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
    bias: bool = True,
    batch: int = 1,
    need_dx: bool = True,
) -> dict[str, Cost]:
    """The three gradients of a convolution, separately: ``{"dx": ..., "dW": ..., "db": ...}``.

    With E = N C_out H_out W_out, L = (C_in/G) K_h K_w and P = N H_out W_out:
    dW: E L multiplies (= MACs), C_out L (P - 1) adds (one dot product of length P per weight);
    db: C_out (P - 1) adds (zero `Cost` without bias);
    dx: E L multiplies (= MACs) and E L adds (zero `Cost` when ``need_dx`` is False).
    Derived in notebooks/06_cnn_time_and_space.ipynb.
    """
    layer = _Conv(c_in, height, width, c_out, kernel, stride, padding, dilation, groups, batch)
    products = layer.outputs * layer.length
    d_w = Cost(multiplies=products, adds=layer.c_out * layer.length * (layer.positions - 1), macs=products)
    d_b = Cost(adds=layer.c_out * (layer.positions - 1)) if bias else Cost()
    d_x = Cost(multiplies=products, adds=products, macs=products) if need_dx else Cost()
    return {"dx": d_x, "dW": d_w, "db": d_b}


def conv2d_backward_cost(
    c_in: int,
    height: int,
    width: int,
    c_out: int,
    kernel: IntOrPair,
    *,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
    bias: bool = True,
    batch: int = 1,
    need_dx: bool = True,
) -> Cost:
    """Cost of (dx, dW, db) from dL/dout: the sum of `conv2d_backward_costs`.

    2 E L multiplies (= MACs), about twice the forward pass. Derived in
    notebooks/06_cnn_time_and_space.ipynb.
    """
    parts = conv2d_backward_costs(
        c_in,
        height,
        width,
        c_out,
        kernel,
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
        bias=bias,
        batch=batch,
        need_dx=need_dx,
    )
    return sum(parts.values(), Cost())


# ---------------------------------------------------------------- pooling


def pool2d_output_shape(
    height: int, width: int, kernel: IntOrPair, stride: IntOrPair | None = None, padding: IntOrPair = 0
) -> tuple[int, int]:
    """(H_out, W_out) of a pooling window: the convolution formula with dilation 1.

    ``stride`` defaults to ``kernel``; ``padding`` may be at most half the kernel.
    """
    kernels = _pair("kernel", kernel)
    paddings = _pair("padding", padding, 0)
    if paddings[0] > kernels[0] // 2 or paddings[1] > kernels[1] // 2:
        raise ValueError(f"padding {paddings} must be at most half the kernel {kernels}")
    return conv2d_output_shape(height, width, kernels, kernels if stride is None else stride, paddings)


def _pool_outputs(
    channels: int,
    height: int,
    width: int,
    kernel: IntOrPair,
    stride: IntOrPair | None,
    padding: IntOrPair,
    batch: int,
) -> tuple[int, int]:
    """(output elements N C H_out W_out, window size K_h K_w)."""
    c, n = _int("channels", channels, 1), _int("batch", batch, 1)
    h_out, w_out = pool2d_output_shape(height, width, kernel, stride, padding)
    k_h, k_w = _pair("kernel", kernel)
    return n * c * h_out * w_out, k_h * k_w


def max_pool2d_cost(
    channels: int,
    height: int,
    width: int,
    kernel: IntOrPair,
    *,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    batch: int = 1,
) -> Cost:
    """Arithmetic of max pooling, forward: none (a zero `Cost`); see `max_pool2d_comparisons`.

    Derived in notebooks/06_cnn_time_and_space.ipynb.
    """
    _pool_outputs(channels, height, width, kernel, stride, padding, batch)
    return Cost()


def max_pool2d_comparisons(
    channels: int,
    height: int,
    width: int,
    kernel: IntOrPair,
    *,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    batch: int = 1,
) -> int:
    """Comparisons of max pooling, forward: (K_h K_w - 1) per output element.

    Not FLOPs in the course's convention, and not recorded by the op counter.
    """
    outputs, window = _pool_outputs(channels, height, width, kernel, stride, padding, batch)
    return outputs * (window - 1)


def max_pool2d_backward_cost(
    channels: int,
    height: int,
    width: int,
    kernel: IntOrPair,
    *,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    batch: int = 1,
) -> Cost:
    """Max pooling, backward: 1 add per output element (the gradient added at the window's maximum)."""
    outputs, _ = _pool_outputs(channels, height, width, kernel, stride, padding, batch)
    return Cost(adds=outputs)


def avg_pool2d_cost(
    channels: int,
    height: int,
    width: int,
    kernel: IntOrPair,
    *,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    batch: int = 1,
) -> Cost:
    """Average pooling, forward: (K_h K_w - 1) adds and 1 divide per output element.

    Derived in notebooks/06_cnn_time_and_space.ipynb.
    """
    outputs, window = _pool_outputs(channels, height, width, kernel, stride, padding, batch)
    return Cost(adds=outputs * (window - 1), divides=outputs)


def avg_pool2d_backward_cost(
    channels: int,
    height: int,
    width: int,
    kernel: IntOrPair,
    *,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    batch: int = 1,
) -> Cost:
    """Average pooling, backward: 1 divide and K_h K_w adds per output element."""
    outputs, window = _pool_outputs(channels, height, width, kernel, stride, padding, batch)
    return Cost(adds=outputs * window, divides=outputs)


def global_avg_pool2d_cost(channels: int, height: int, width: int, batch: int = 1) -> Cost:
    """Global average pooling, forward: N C (H W - 1) adds and N C divides.

    Derived in notebooks/07_designing_efficient_cnns.ipynb.
    """
    c, n = _int("channels", channels, 1), _int("batch", batch, 1)
    area = _int("height", height, 1) * _int("width", width, 1)
    return Cost(adds=n * c * (area - 1), divides=n * c)


def global_avg_pool2d_backward_cost(channels: int, height: int, width: int, batch: int = 1) -> Cost:
    """Global average pooling, backward: N C divides (the share is then copied, not computed)."""
    c, n = _int("channels", channels, 1), _int("batch", batch, 1)
    _int("height", height, 1), _int("width", width, 1)
    return Cost(divides=n * c)


# ---------------------------------------------------------------- training memory


def _dtype_bytes(dtype: str | int) -> int:
    if isinstance(dtype, str):
        if dtype not in DTYPE_BYTES:
            raise ValueError(f"dtype must be one of {sorted(DTYPE_BYTES)} or a byte count, got {dtype!r}")
        return DTYPE_BYTES[dtype]
    return _int("dtype", dtype, 1)


def conv2d_training_memory(
    c_in: int,
    height: int,
    width: int,
    c_out: int,
    kernel: IntOrPair,
    *,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
    bias: bool = True,
    batch: int = 1,
    dtype: str | int = "float32",
    optimizer: str = "sgd",
) -> dict[str, int]:
    """Bytes one convolution layer holds while it trains, by what they are for.

    With b bytes per element (``dtype``: a name in `DTYPE_BYTES` or a byte count),
    and P = `conv2d_params`:

    * ``parameters``: P b; ``gradients``: P b (dW and db);
    * ``optimizer_state``: slots P b, slots from `OPTIMIZER_STATE_SLOTS`
      (SGD 0, momentum 1, Adam 2);
    * ``saved_input``: N C_in H W b, the activation kept for the backward pass (dW needs it);
    * ``output``: N C_out H_out W_out b, the feature map produced (and the next layer's
      saved input);
    * ``im2col_workspace``: N C_in K_h K_w H_out W_out b, the column buffer of the GEMM route
      (transient, but present at the peak);
    * ``total``: the sum of the above.

    Derived in notebooks/06_cnn_time_and_space.ipynb.
    """
    size = _dtype_bytes(dtype)
    if optimizer not in OPTIMIZER_STATE_SLOTS:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZER_STATE_SLOTS)}, got {optimizer!r}")
    layer = _Conv(c_in, height, width, c_out, kernel, stride, padding, dilation, groups, batch)
    params = conv2d_params(c_in, c_out, kernel, groups, bias)
    memory = {
        "parameters": params * size,
        "gradients": params * size,
        "optimizer_state": OPTIMIZER_STATE_SLOTS[optimizer] * params * size,
        "saved_input": layer.batch * layer.c_in * layer.height * layer.width * size,
        "output": layer.outputs * size,
        "im2col_workspace": layer.columns * size,
    }
    memory["total"] = sum(memory.values())
    return memory
