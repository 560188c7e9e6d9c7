"""Exact operation, parameter and memory counts of convolution layers, as Python ints, from one geometry.

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
batch norm (inference)    1 multiply + 1 add per element (scale and shift folded)
residual add              1 add per element
========================  =====================================================

Parameters: C_out (C_in/G) K_h K_w weights + C_out biases; batch norm 2 C.

One layer's sizes are checked once, in a `ConvShape`; every count is a property
or method of it, and the functions below (the names the notebooks use) build
one and read it. Pooling is in `course_lib.complexity.pooling` (re-exported
here, so ``from course_lib.complexity.conv import max_pool2d_cost`` works).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from course_lib.complexity.cost import Cost, summed
from course_lib.complexity.geometry import (
    IntOrPair,
    Pair,
    conv2d_output_shape,
    pool2d_output_shape,
)
from course_lib.complexity.pooling import (
    adaptive_avg_pool2d_cost,
    adaptive_pool_windows,
    avg_pool2d_backward_cost,
    avg_pool2d_cost,
    global_avg_pool2d_backward_cost,
    global_avg_pool2d_cost,
    max_pool2d_backward_cost,
    max_pool2d_comparisons,
    max_pool2d_cost,
)
from course_lib.validation import require_bool, require_choice, require_int, require_pair

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "DTYPE_BYTES",
    "OPTIMIZER_STATE_SLOTS",
    "ConvOptions",
    "ConvShape",
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

DTYPE_BYTES = {"float16": 2, "bfloat16": 2, "float32": 4, "float64": 8, "int8": 1, "int32": 4}
"""Bytes per element of the number types the memory formulas know (int8 and int32: quantized layers)."""

OPTIMIZER_STATE_SLOTS = {"sgd": 0, "momentum": 1, "adam": 2}
"""Extra arrays of parameter size an optimizer keeps: none for plain SGD, a velocity for
momentum, first and second moments for Adam (its scalar step counter is left out)."""


def dtype_bytes(dtype: str | int) -> int:
    """Bytes per element: a name in `DTYPE_BYTES` or a positive byte count, else ValueError naming ``dtype``."""
    if isinstance(dtype, str):
        return DTYPE_BYTES[require_choice("dtype", dtype, DTYPE_BYTES)]
    return require_int("dtype", dtype, 1)


def optimizer_slots(optimizer: str) -> int:
    """Arrays of parameter size ``optimizer`` keeps (`OPTIMIZER_STATE_SLOTS`), else ValueError naming it."""
    return OPTIMIZER_STATE_SLOTS[require_choice("optimizer", optimizer, OPTIMIZER_STATE_SLOTS)]


@dataclass(frozen=True, init=False)
class ConvShape:
    """The geometry of one convolution layer, checked once; its costs are properties and methods.

    ``ConvShape(c_in, height, width, c_out, kernel, stride=1, padding=0, dilation=1,
    groups=1, bias=True, batch=1)`` takes the arguments of `conv2d_forward_cost`
    (the keywords by name). ``kernel``, ``stride``, ``padding`` and ``dilation``
    may be an int or a (height, width) pair and are stored as pairs. Construction
    raises ValueError, naming the argument, for a size that is not a positive int
    (padding: non-negative), a ``groups`` that does not divide both channel counts,
    a ``bias`` that is not True or False, or a kernel that does not fit the padded
    input (naming the dimension). Derived in notebooks/05_convolution_layer.ipynb.
    """

    c_in: int
    """Input channels C_in."""
    height: int
    """Input height H."""
    width: int
    """Input width W."""
    c_out: int
    """Output channels C_out (filters)."""
    kernel: Pair
    """(K_h, K_w)."""
    stride: Pair
    """(s_h, s_w)."""
    padding: Pair
    """(p_h, p_w), zeros added on each side."""
    dilation: Pair
    """(d_h, d_w), the spacing of the kernel taps."""
    groups: int
    """G: each filter sees C_in / G channels."""
    bias: bool
    """Whether the layer adds a bias per output channel."""
    batch: int
    """Samples N."""
    output_size: Pair = field(repr=False, compare=False)
    """(H_out, W_out), from `conv2d_output_shape`."""

    def __init__(
        self,
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
    ) -> None:
        sizes = [
            require_int(name, value, 1)
            for name, value in (("c_in", c_in), ("height", height), ("width", width))
        ]
        c_out = require_int("c_out", c_out, 1)
        window = [
            require_pair(name, value, low)
            for name, value, low in (("kernel", kernel, 1), ("stride", stride, 1), ("padding", padding, 0))
        ]
        dilation = require_pair("dilation", dilation)
        groups, bias, batch = (
            require_int("groups", groups, 1),
            require_bool("bias", bias),
            require_int("batch", batch, 1),
        )
        if sizes[0] % groups or c_out % groups:
            raise ValueError(f"groups={groups} must divide both c_in={sizes[0]} and c_out={c_out}")
        output_size = conv2d_output_shape(sizes[1], sizes[2], window[0], window[1], window[2], dilation)
        checked = {
            "c_in": sizes[0],
            "height": sizes[1],
            "width": sizes[2],
            "c_out": c_out,
            "kernel": window[0],
            "stride": window[1],
            "padding": window[2],
            "dilation": dilation,
            "groups": groups,
            "bias": bias,
            "batch": batch,
            "output_size": output_size,
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    # ------------------------------------------------------------ sizes

    @property
    def input_shape(self) -> tuple[int, int, int, int]:
        """(N, C_in, H, W)."""
        return (self.batch, self.c_in, self.height, self.width)

    @property
    def output_shape(self) -> tuple[int, int, int, int]:
        """(N, C_out, H_out, W_out)."""
        return (self.batch, self.c_out, *self.output_size)

    @property
    def dot_length(self) -> int:
        """L = (C_in/G) K_h K_w, the length of the dot product behind each output element."""
        return self.c_in // self.groups * self.kernel[0] * self.kernel[1]

    @property
    def positions(self) -> int:
        """P = N H_out W_out, the output positions of all samples."""
        return self.batch * self.output_size[0] * self.output_size[1]

    @property
    def output_elements(self) -> int:
        """E = N C_out H_out W_out."""
        return self.c_out * self.positions

    @property
    def input_elements(self) -> int:
        """N C_in H W."""
        return self.batch * self.c_in * self.height * self.width

    @property
    def params(self) -> int:
        """C_out L weights (C_out (C_in/G) K_h K_w), + C_out biases with ``bias``; independent of the input size."""
        return self.c_out * self.dot_length + (self.c_out if self.bias else 0)

    @property
    def im2col_elements(self) -> int:
        """N C_in K_h K_w H_out W_out: the column buffer, about K_h K_w / (s_h s_w) times the input."""
        return self.c_in * self.kernel[0] * self.kernel[1] * self.positions

    @property
    def macs(self) -> int:
        """E L multiply-accumulates of the forward pass (often quoted as "FLOPs")."""
        return self.output_elements * self.dot_length

    # ------------------------------------------------------------ costs

    def forward_cost(self) -> Cost:
        """E L multiplies (= MACs), E (L - 1) adds, + E adds with a bias."""
        outputs, products = self.output_elements, self.macs
        return Cost(
            multiplies=products, adds=products - outputs + (outputs if self.bias else 0), macs=products
        )

    def backward_costs(self, *, need_dx: bool = True) -> dict[str, Cost]:
        """``{"dx", "dW", "db"}``: dW E L multiplies (= MACs) and C_out L (P - 1) adds; db C_out (P - 1) adds
        (zero without bias); dx E L multiplies (= MACs) and E L adds (zero when ``need_dx`` is False)."""
        products = self.macs
        d_w = Cost(
            multiplies=products, adds=self.c_out * self.dot_length * (self.positions - 1), macs=products
        )
        d_b = Cost(adds=self.c_out * (self.positions - 1)) if self.bias else Cost()
        d_x = Cost(multiplies=products, adds=products, macs=products)
        return {"dx": d_x if require_bool("need_dx", need_dx) else Cost(), "dW": d_w, "db": d_b}

    def backward_cost(self, *, need_dx: bool = True) -> Cost:
        """dx + dW + db: 2 E L multiplies (= MACs), about twice the forward pass."""
        return sum(self.backward_costs(need_dx=need_dx).values(), Cost())

    def training_memory(self, dtype: str | int = "float32", optimizer: str = "sgd") -> dict[str, int]:
        """Bytes the layer holds while it trains, by purpose (see `conv2d_training_memory`)."""
        size, slots = dtype_bytes(dtype), optimizer_slots(optimizer)
        memory = {
            "parameters": self.params * size,
            "gradients": self.params * size,
            "optimizer_state": slots * self.params * size,
            "saved_input": self.input_elements * size,
            "output": self.output_elements * size,
            "im2col_workspace": self.im2col_elements * size,
        }
        memory["total"] = sum(memory.values())
        return memory


class WindowOptions(TypedDict, total=False):
    """Keywords of `conv2d_im2col_elements` (passed on to `ConvShape`), defaults as there."""

    stride: IntOrPair
    """Step between windows (default 1)."""
    padding: IntOrPair
    """Zeros on each side (default 0)."""
    dilation: IntOrPair
    """Spacing of the kernel taps (default 1)."""
    batch: int
    """Samples N (default 1)."""


class ConvOptions(WindowOptions, total=False):
    """Keywords of the conv functions below (passed on to `ConvShape`), defaults as there."""

    groups: int
    """Channel groups G (default 1)."""
    bias: bool
    """Whether the layer adds a bias (default True)."""


# ---------------------------------------------------------------- the functions, each one property of a ConvShape


def conv2d_params(c_in: int, c_out: int, kernel: IntOrPair, groups: int = 1, bias: bool = True) -> int:
    """Parameters: C_out (C_in/G) K_h K_w weights, + C_out biases if ``bias``.

    Independent of the input size (the layer is sized on an input the kernel just fits).
    Derived in notebooks/05_convolution_layer.ipynb.
    """
    k_h, k_w = require_pair("kernel", kernel)
    return ConvShape(c_in, k_h, k_w, c_out, (k_h, k_w), groups=groups, bias=bias).params


def conv2d_output_elements(
    c_in: int, height: int, width: int, c_out: int, kernel: IntOrPair, **options: Unpack[ConvOptions]
) -> int:
    """Elements of the output feature map: N C_out H_out W_out."""
    return ConvShape(c_in, height, width, c_out, kernel, **options).output_elements


def conv2d_im2col_elements(
    c_in: int, height: int, width: int, kernel: IntOrPair, **options: Unpack[WindowOptions]
) -> int:
    """Elements of the im2col buffer: N C_in K_h K_w H_out W_out.

    Compared with the input's N C_in H W elements this is about K_h K_w /
    (s_h s_w) times larger: the K^2 memory blow-up of im2col. Derived in
    notebooks/05_convolution_layer.ipynb.
    """
    unknown = sorted(set(options) - set(WindowOptions.__annotations__))
    if unknown:
        raise TypeError(f"conv2d_im2col_elements() got unexpected keyword arguments {unknown}")
    return ConvShape(c_in, height, width, 1, kernel, **options).im2col_elements


def conv2d_forward_cost(
    c_in: int, height: int, width: int, c_out: int, kernel: IntOrPair, **options: Unpack[ConvOptions]
) -> Cost:
    """Forward cost of a convolution: one dot product of length L per output element.

    multiplies = MACs = N C_out H_out W_out (C_in/G) K_h K_w and
    adds = N C_out H_out W_out ((C_in/G) K_h K_w - 1), plus N C_out H_out W_out
    adds for the bias. With G = C_in = C_out (depthwise) that is N C H_out W_out K_h K_w
    MACs. Derived in notebooks/05_convolution_layer.ipynb.
    """
    return ConvShape(c_in, height, width, c_out, kernel, **options).forward_cost()


def conv2d_macs(
    c_in: int, height: int, width: int, c_out: int, kernel: IntOrPair, **options: Unpack[ConvOptions]
) -> int:
    """MACs of the forward pass: N C_out H_out W_out (C_in/G) K_h K_w (often quoted as "FLOPs")."""
    return ConvShape(c_in, height, width, c_out, kernel, **options).macs


def conv2d_flops(
    c_in: int, height: int, width: int, c_out: int, kernel: IntOrPair, **options: Unpack[ConvOptions]
) -> int:
    """FLOPs of the forward pass, multiplies + adds: 2 x MACs with a bias, 2 x MACs - E without."""
    return ConvShape(c_in, height, width, c_out, kernel, **options).forward_cost().flops


def conv2d_backward_costs(
    c_in: int,
    height: int,
    width: int,
    c_out: int,
    kernel: IntOrPair,
    *,
    need_dx: bool = True,
    **options: Unpack[ConvOptions],
) -> dict[str, Cost]:
    """The three gradients of a convolution, separately: ``{"dx": ..., "dW": ..., "db": ...}``.

    With E = N C_out H_out W_out, L = (C_in/G) K_h K_w and P = N H_out W_out:
    dW: E L multiplies (= MACs), C_out L (P - 1) adds (one dot product of length P per weight);
    db: C_out (P - 1) adds (zero `Cost` without bias);
    dx: E L multiplies (= MACs) and E L adds (zero `Cost` when ``need_dx`` is False).
    Derived in notebooks/06_cnn_time_and_space.ipynb.
    """
    return ConvShape(c_in, height, width, c_out, kernel, **options).backward_costs(need_dx=need_dx)


conv2d_backward_cost = summed(
    conv2d_backward_costs,
    "conv2d_backward_cost",
    """Cost of (dx, dW, db) from dL/dout: the sum of `conv2d_backward_costs` (same arguments).

    2 E L multiplies (= MACs), about twice the forward pass. Derived in
    notebooks/06_cnn_time_and_space.ipynb.
    """,
)


def conv2d_training_memory(
    c_in: int,
    height: int,
    width: int,
    c_out: int,
    kernel: IntOrPair,
    *,
    dtype: str | int = "float32",
    optimizer: str = "sgd",
    **options: Unpack[ConvOptions],
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
    shape = ConvShape(c_in, height, width, c_out, kernel, **options)
    return shape.training_memory(dtype, optimizer)


# ---------------------------------------------------------------- batch norm, residual add


def _elements(channels: int, height: int, width: int, batch: int) -> int:
    """N C H W for checked sizes."""
    sizes = {"batch": batch, "channels": channels, "height": height, "width": width}
    count = 1
    for name, value in sizes.items():
        count *= require_int(name, value, 1)
    return count


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
    elements = _elements(channels, height, width, batch)
    return Cost(multiplies=elements, adds=elements)


def residual_add_cost(channels: int, height: int, width: int, *, batch: int = 1) -> Cost:
    """The add of a residual block, body(x) + shortcut(x): N C H W adds.

    Derived in notebooks/07_designing_efficient_cnns.ipynb.
    """
    return Cost(adds=_elements(channels, height, width, batch))
