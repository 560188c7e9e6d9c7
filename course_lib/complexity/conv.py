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
adaptive avg pool         (window size - 1) adds + 1 divide per output element,
                          PyTorch's windows (`adaptive_pool_windows`)
batch norm (inference)    1 multiply + 1 add per element (scale and shift folded)
residual add              1 add per element
========================  =====================================================

Parameters: C_out (C_in/G) K_h K_w weights + C_out biases; batch norm 2 C.

Pooling with ``ceil_mode=True`` (PyTorch's option, used by GoogLeNet and
SqueezeNet) rounds the window count up instead of down, so a last window may
hang over the end of the padded input:

    H_out = ceil((H + 2 p - K) / s) + 1, minus 1 if (H_out - 1) s >= H + p

(the last window must start inside the input or its left padding). A window
that hangs over is cut at the end of the padded input, so it holds fewer than
K_h K_w elements; the per-output counts above then use its actual size.
"""

from __future__ import annotations

from course_lib.complexity.cost import Cost
from course_lib.validation import require_int

__all__ = [
    "DTYPE_BYTES",
    "OPTIMIZER_STATE_SLOTS",
    "adaptive_avg_pool2d_cost",
    "adaptive_pool_windows",
    "avg_pool2d_backward_cost",
    "avg_pool2d_cost",
    "batch_norm2d_cost",
    "batch_norm2d_params",
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
    "residual_add_cost",
]

IntOrPair = int | tuple[int, int]

DTYPE_BYTES = {"float16": 2, "bfloat16": 2, "float32": 4, "float64": 8, "int8": 1, "int32": 4}
"""Bytes per element of the number types the memory formulas know (int8 and int32: quantized layers)."""

OPTIMIZER_STATE_SLOTS = {"sgd": 0, "momentum": 1, "adam": 2}
"""Extra arrays of parameter size an optimizer keeps: none for plain SGD, a velocity for
momentum, first and second moments for Adam (its scalar step counter is left out)."""


# ---------------------------------------------------------------- argument checks


def _pair(name: str, value: IntOrPair, minimum: int = 1) -> tuple[int, int]:
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a (height, width) pair, got {value!r}")
        return require_int(f"{name}[0]", value[0], minimum), require_int(f"{name}[1]", value[1], minimum)
    single = require_int(name, value, minimum)
    return single, single


def _out_size(dimension: str, n: int, k: int, p: int, s: int, d: int, what: str = "kernel") -> int:
    """floor((n + 2p - d(k-1) - 1)/s) + 1 along ``dimension``, for checked ints; ValueError if < 1."""
    extent = d * (k - 1) + 1
    if extent > n + 2 * p:
        spans = f" (dilated extent {extent})" if what == "kernel" else ""
        raise ValueError(
            f"{what} {k}{spans} does not fit the padded input {n + 2 * p} along the {dimension} "
            f"(input {n}, padding {p})"
        )
    return (n + 2 * p - extent) // s + 1


def _output_shape(
    height: int,
    width: int,
    kernel: IntOrPair,
    stride: IntOrPair,
    padding: IntOrPair,
    dilation: IntOrPair,
    what: str = "kernel",
) -> tuple[int, int]:
    sizes = (require_int("height", height, 1), require_int("width", width, 1))
    kernels, strides = _pair("kernel", kernel), _pair("stride", stride)
    paddings, dilations = _pair("padding", padding, 0), _pair("dilation", dilation)
    h_out, w_out = (
        _out_size(dimension, *args, what=what)
        for dimension, *args in zip(
            ("height", "width"), sizes, kernels, paddings, strides, dilations, strict=True
        )
    )
    return h_out, w_out


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
        self.c_in, self.c_out = require_int("c_in", c_in, 1), require_int("c_out", c_out, 1)
        self.height, self.width = require_int("height", height, 1), require_int("width", width, 1)
        self.k_h, self.k_w = _pair("kernel", kernel)
        self.groups, self.batch = require_int("groups", groups, 1), require_int("batch", batch, 1)
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

    ValueError (naming the argument, and the dimension, height or width) for a kernel
    whose dilated extent d (K - 1) + 1 exceeds the padded input, or a non-positive size.
    Derived in notebooks/05_convolution_layer.ipynb.
    """
    return _output_shape(height, width, kernel, stride, padding, dilation)


def conv2d_params(c_in: int, c_out: int, kernel: IntOrPair, groups: int = 1, bias: bool = True) -> int:
    """Parameters: C_out (C_in/G) K_h K_w weights, + C_out biases if ``bias``.

    Independent of the input size. Derived in notebooks/05_convolution_layer.ipynb.
    """
    c_in, c_out, groups = (
        require_int("c_in", c_in, 1),
        require_int("c_out", c_out, 1),
        require_int("groups", groups, 1),
    )
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


def _bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return value


def _pool_size(dimension: str, n: int, k: int, p: int, s: int) -> int:
    """Ceil-mode window count for checked ints: ceil((n + 2p - k)/s) + 1, minus 1 if the last
    window would start at or beyond n + p; ValueError if no window is left."""
    count = -(-(n + 2 * p - k) // s) + 1
    if (count - 1) * s >= n + p:
        count -= 1
    if count < 1:
        raise ValueError(
            f"pooling window {k} does not fit the padded input {n + 2 * p} along the {dimension} "
            f"(input {n}, padding {p}), even with ceil_mode"
        )
    return count


def pool2d_output_shape(
    height: int,
    width: int,
    kernel: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    *,
    ceil_mode: bool = False,
) -> tuple[int, int]:
    """(H_out, W_out) of a pooling window: the convolution formula with dilation 1.

    ``stride`` defaults to ``kernel``; ``padding`` may be at most half the kernel.
    With ``ceil_mode`` (PyTorch's rule) each size is ceil((n + 2p - K)/s) + 1, minus 1
    if the last window would start at or beyond n + p, so a last, partial window is
    kept when it starts inside the input or its left padding. Derived in
    notebooks/06_cnn_time_and_space.ipynb.
    """
    kernels = _pair("kernel", kernel)
    paddings = _pair("padding", padding, 0)
    if paddings[0] > kernels[0] // 2 or paddings[1] > kernels[1] // 2:
        raise ValueError(f"padding {paddings} must be at most half the kernel {kernels}")
    strides = kernels if stride is None else _pair("stride", stride)
    if not _bool("ceil_mode", ceil_mode):
        return _output_shape(height, width, kernels, strides, paddings, 1, what="pooling window")
    sizes = (require_int("height", height, 1), require_int("width", width, 1))
    h_out, w_out = (
        _pool_size(*args) for args in zip(("height", "width"), sizes, kernels, paddings, strides, strict=True)
    )
    return h_out, w_out


def _window_lengths(n: int, k: int, p: int, s: int, count: int) -> int:
    """Sum over the ``count`` windows of their lengths, each cut at the padded end n + 2p."""
    return sum(min(k, n + 2 * p - i * s) for i in range(count))


class _Pool:
    """Checked sizes of one pooling layer: outputs N C H_out W_out and the elements all
    windows hold together (K_h K_w per output unless ceil_mode cuts the last ones)."""

    def __init__(
        self,
        channels: int,
        height: int,
        width: int,
        kernel: IntOrPair,
        stride: IntOrPair | None,
        padding: IntOrPair,
        batch: int,
        ceil_mode: bool,
    ) -> None:
        planes = require_int("channels", channels, 1) * require_int("batch", batch, 1)
        h_out, w_out = pool2d_output_shape(height, width, kernel, stride, padding, ceil_mode=ceil_mode)
        (k_h, k_w), (p_h, p_w) = _pair("kernel", kernel), _pair("padding", padding, 0)
        s_h, s_w = (k_h, k_w) if stride is None else _pair("stride", stride)
        self.outputs = planes * h_out * w_out
        self.window_elements = (
            planes
            * _window_lengths(height, k_h, p_h, s_h, h_out)
            * _window_lengths(width, k_w, p_w, s_w, w_out)
        )


def max_pool2d_cost(
    channels: int,
    height: int,
    width: int,
    kernel: IntOrPair,
    *,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    batch: int = 1,
    ceil_mode: bool = False,
) -> Cost:
    """Arithmetic of max pooling, forward: none (a zero `Cost`); see `max_pool2d_comparisons`.

    Derived in notebooks/06_cnn_time_and_space.ipynb.
    """
    _Pool(channels, height, width, kernel, stride, padding, batch, ceil_mode)
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
    ceil_mode: bool = False,
) -> int:
    """Comparisons of max pooling, forward: (window size - 1) per output element.

    The window size is K_h K_w (less for a window ``ceil_mode`` cuts at the end).
    Not FLOPs in the course's convention, and not recorded by the op counter.
    """
    pool = _Pool(channels, height, width, kernel, stride, padding, batch, ceil_mode)
    return pool.window_elements - pool.outputs


def max_pool2d_backward_cost(
    channels: int,
    height: int,
    width: int,
    kernel: IntOrPair,
    *,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    batch: int = 1,
    ceil_mode: bool = False,
) -> Cost:
    """Max pooling, backward: 1 add per output element (the gradient added at the window's maximum)."""
    pool = _Pool(channels, height, width, kernel, stride, padding, batch, ceil_mode)
    return Cost(adds=pool.outputs)


def avg_pool2d_cost(
    channels: int,
    height: int,
    width: int,
    kernel: IntOrPair,
    *,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    batch: int = 1,
    ceil_mode: bool = False,
) -> Cost:
    """Average pooling, forward: (window size - 1) adds and 1 divide per output element.

    The window size is K_h K_w, padded zeros included (PyTorch's default
    ``count_include_pad=True``); with ``ceil_mode`` a last window cut at the end of
    the padded input holds fewer (and PyTorch divides by that smaller size).
    Derived in notebooks/06_cnn_time_and_space.ipynb.
    """
    pool = _Pool(channels, height, width, kernel, stride, padding, batch, ceil_mode)
    return Cost(adds=pool.window_elements - pool.outputs, divides=pool.outputs)


def avg_pool2d_backward_cost(
    channels: int,
    height: int,
    width: int,
    kernel: IntOrPair,
    *,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    batch: int = 1,
    ceil_mode: bool = False,
) -> Cost:
    """Average pooling, backward: 1 divide and (window size) adds per output element."""
    pool = _Pool(channels, height, width, kernel, stride, padding, batch, ceil_mode)
    return Cost(adds=pool.window_elements, divides=pool.outputs)


def adaptive_pool_windows(size: int, output_size: int) -> list[tuple[int, int]]:
    """PyTorch's adaptive-pooling windows along one axis: ``[(start, end), ...]``, end exclusive.

    Output cell i averages input positions floor(i n / m) to ceil((i + 1) n / m) - 1
    (n = ``size``, m = ``output_size``). The windows cover the input; neighbours
    overlap when m does not divide n, and every window has n / m elements when it
    does. ``output_size`` may exceed ``size`` (windows then repeat inputs).
    Derived in notebooks/07_designing_efficient_cnns.ipynb.
    """
    n, m = require_int("size", size, 1), require_int("output_size", output_size, 1)
    return [((i * n) // m, -(-((i + 1) * n) // m)) for i in range(m)]


def adaptive_avg_pool2d_cost(
    channels: int, height: int, width: int, output_size: IntOrPair, *, batch: int = 1
) -> Cost:
    """Adaptive average pooling to (h, w) = ``output_size``, forward.

    Per output element (window size - 1) adds and 1 divide, with PyTorch's windows
    (`adaptive_pool_windows`). The window sizes multiply, so with S_H, S_W the sums
    of the window lengths along each axis: adds = N C (S_H S_W - h w), divides = N C h w.
    ``output_size=1`` is global average pooling (`global_avg_pool2d_cost`); when h
    divides H and w divides W it is `avg_pool2d_cost` with kernel = stride = (H/h, W/w).
    Derived in notebooks/07_designing_efficient_cnns.ipynb.
    """
    planes = require_int("channels", channels, 1) * require_int("batch", batch, 1)
    out_h, out_w = _pair("output_size", output_size)
    rows = adaptive_pool_windows(require_int("height", height, 1), out_h)
    cols = adaptive_pool_windows(require_int("width", width, 1), out_w)
    elements = sum(end - start for start, end in rows) * sum(end - start for start, end in cols)
    return Cost(adds=planes * (elements - out_h * out_w), divides=planes * out_h * out_w)


def global_avg_pool2d_cost(channels: int, height: int, width: int, batch: int = 1) -> Cost:
    """Global average pooling, forward: N C (H W - 1) adds and N C divides.

    Derived in notebooks/07_designing_efficient_cnns.ipynb.
    """
    c, n = require_int("channels", channels, 1), require_int("batch", batch, 1)
    area = require_int("height", height, 1) * require_int("width", width, 1)
    return Cost(adds=n * c * (area - 1), divides=n * c)


def global_avg_pool2d_backward_cost(channels: int, height: int, width: int, batch: int = 1) -> Cost:
    """Global average pooling, backward: N C divides (the share is then copied, not computed)."""
    c, n = require_int("channels", channels, 1), require_int("batch", batch, 1)
    require_int("height", height, 1), require_int("width", width, 1)
    return Cost(divides=n * c)


# ---------------------------------------------------------------- batch norm, residual add


def batch_norm2d_params(channels: int) -> int:
    """Parameters of batch normalisation over ``channels``: 2 C (a scale and a shift per channel).

    The running mean and variance are buffers, not parameters.
    """
    return 2 * require_int("channels", channels, 1)


def batch_norm2d_cost(channels: int, height: int, width: int, *, batch: int = 1) -> Cost:
    """Batch normalisation at inference: N C H W multiplies and N C H W adds.

    At inference the statistics are fixed, so y = gamma (x - mu) / sqrt(var + eps) + beta
    folds into y = a x + b with a = gamma / sqrt(var + eps) and b = beta - a mu per
    channel, computed once, not per element (so not counted): one multiply and one
    add per element. (A framework that does not fold may do more; training-mode batch
    norm also computes the batch statistics.) It is not a MAC of a product, so
    ``macs`` stays 0. Derived in notebooks/06_cnn_time_and_space.ipynb.
    """
    elements = require_int("batch", batch, 1) * require_int("channels", channels, 1)
    elements *= require_int("height", height, 1) * require_int("width", width, 1)
    return Cost(multiplies=elements, adds=elements)


def residual_add_cost(channels: int, height: int, width: int, *, batch: int = 1) -> Cost:
    """The add of a residual block, body(x) + shortcut(x): N C H W adds.

    Derived in notebooks/07_designing_efficient_cnns.ipynb.
    """
    elements = require_int("batch", batch, 1) * require_int("channels", channels, 1)
    return Cost(adds=elements * require_int("height", height, 1) * require_int("width", width, 1))


# ---------------------------------------------------------------- training memory


def _dtype_bytes(dtype: str | int) -> int:
    if isinstance(dtype, str):
        if dtype not in DTYPE_BYTES:
            raise ValueError(f"dtype must be one of {sorted(DTYPE_BYTES)} or a byte count, got {dtype!r}")
        return DTYPE_BYTES[dtype]
    return require_int("dtype", dtype, 1)


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
      built for the whole batch at once (transient, but present at the peak;
      `course_lib.conv.conv2d` builds it a chunk of samples at a time, at most
      `course_lib.conv.layer.CHUNK_BYTES` or one sample's columns);
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
