"""Output sizes and argument checking for 2-D convolution and pooling.

One spatial dimension of length ``n``, a kernel of ``k`` taps spaced
``dilation`` apart (so it spans ``dilation*(k-1) + 1`` input positions), zero
padding ``padding`` on both sides and stride ``stride`` give

    n_out = floor((n + 2*padding - dilation*(k - 1) - 1) / stride) + 1,

the number of window positions ``i*stride`` (i = 0, 1, ...) at which the whole
dilated kernel lies inside the padded input. Derived in
notebooks/05_convolution_layer.ipynb.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from course_lib.validation import array_nbytes, check_allocation, check_ndim, require_int, require_pair

Pair = tuple[int, int]
IntOrPair = int | tuple[int, int]


def conv_output_size(n: int, k: int, padding: int = 0, stride: int = 1, dilation: int = 1) -> int:
    """Length of a convolution's output along one dimension.

    ``floor((n + 2*padding - dilation*(k-1) - 1) / stride) + 1`` for an input of
    length ``n`` and a kernel of ``k`` taps. ``n``, ``k``, ``stride`` and
    ``dilation`` must be positive integers and ``padding`` a non-negative one;
    a kernel whose dilated extent ``dilation*(k-1) + 1`` exceeds the padded
    length ``n + 2*padding`` raises ValueError. Derived in
    notebooks/05_convolution_layer.ipynb.
    """
    n = require_int("n", n, 1)
    k = require_int("k", k, 1)
    padding = require_int("padding", padding, 0)
    stride = require_int("stride", stride, 1)
    dilation = require_int("dilation", dilation, 1)
    extent = dilation * (k - 1) + 1
    if extent > n + 2 * padding:
        raise ValueError(
            f"kernel {k} (dilated extent {extent}) does not fit the padded input {n + 2 * padding} "
            f"(n={n}, padding={padding}): the output would be empty"
        )
    return (n + 2 * padding - extent) // stride + 1


def output_shape_2d(
    size: Pair, kernel: Pair, padding: Pair, stride: Pair, dilation: Pair, what: str = "kernel"
) -> Pair:
    """(H_out, W_out) by `conv_output_size` per dimension, with a 2-D error message."""
    extent = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True))
    padded = tuple(n + 2 * p for n, p in zip(size, padding, strict=True))
    if extent[0] > padded[0] or extent[1] > padded[1]:
        raise ValueError(
            f"{what} {kernel[0]}x{kernel[1]} (dilated extent {extent[0]}x{extent[1]}) does not fit "
            f"the padded input {padded[0]}x{padded[1]} (input {size[0]}x{size[1]}, "
            f"padding {padding[0]},{padding[1]})"
        )
    return (
        conv_output_size(size[0], kernel[0], padding[0], stride[0], dilation[0]),
        conv_output_size(size[1], kernel[1], padding[1], stride[1], dilation[1]),
    )


@dataclass(frozen=True)
class ConvGeometry:
    """Every size of one 2-D convolution, checked: the symbols of the course's formulas."""

    batch: int
    c_in: int
    height: int
    width: int
    c_out: int
    kernel: Pair
    stride: Pair
    padding: Pair
    dilation: Pair
    groups: int
    out_size: Pair

    @property
    def group_in(self) -> int:
        """Input channels each filter sees: C_in / groups."""
        return self.c_in // self.groups

    @property
    def group_out(self) -> int:
        """Filters per group: C_out / groups."""
        return self.c_out // self.groups

    @property
    def dot_length(self) -> int:
        """Length of the dot product behind one output element: (C_in/groups) K_h K_w."""
        return self.group_in * self.kernel[0] * self.kernel[1]

    @property
    def input_shape(self) -> tuple[int, int, int, int]:
        return (self.batch, self.c_in, self.height, self.width)

    @property
    def output_shape(self) -> tuple[int, int, int, int]:
        return (self.batch, self.c_out, *self.out_size)


def conv_geometry(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None,
    stride: IntOrPair,
    padding: IntOrPair,
    dilation: IntOrPair,
    groups: int,
) -> ConvGeometry:
    """Check the arguments of a convolution and return its `ConvGeometry`.

    ``x`` is (N, C_in, H, W), ``w`` is (C_out, C_in/groups, K_h, K_w) and ``b``
    is None or (C_out,). Every inconsistency raises ValueError naming the argument.
    """
    check_ndim("x", x, 4, "(N, C_in, H, W)")
    check_ndim("w", w, 4, "(C_out, C_in/groups, K_h, K_w)")
    stride = require_pair("stride", stride, 1)
    padding = require_pair("padding", padding, 0)
    dilation = require_pair("dilation", dilation, 1)
    groups = require_int("groups", groups)
    batch, c_in, height, width = x.shape
    c_out, w_in, k_h, k_w = w.shape
    if c_in % groups:
        raise ValueError(f"groups={groups} must divide the input channels C_in={c_in}")
    if c_out % groups:
        raise ValueError(f"groups={groups} must divide the output channels C_out={c_out} (w.shape[0])")
    if w_in * groups != c_in:
        raise ValueError(
            f"channel mismatch: x has C_in={c_in} channels but w.shape[1]*groups = {w_in}*{groups} "
            f"= {w_in * groups}; w must have shape ({c_out}, {c_in // groups}, {k_h}, {k_w})"
        )
    if b is not None and np.shape(b) != (c_out,):
        raise ValueError(f"b must be None or have shape (C_out,) = ({c_out},), got shape {np.shape(b)}")
    out_size = output_shape_2d((height, width), (k_h, k_w), padding, stride, dilation)
    return ConvGeometry(
        batch, c_in, height, width, c_out, (k_h, k_w), stride, padding, dilation, groups, out_size
    )


def check_memory(
    size: Pair, padding: Pair, elements: int, itemsize: int, what: str, sizes: str = "x and w"
) -> None:
    """The memory guard of the conv and pooling kernels: refuse ``elements`` items of ``itemsize`` bytes
    beyond the memory available, with a ValueError naming ``padding`` when padding makes up most of the
    padded input (over 3/4 of its area), else ``sizes`` (the arguments whose sizes multiply into the buffers).
    ``size`` is the input's (H, W).
    """
    padded_area = (size[0] + 2 * padding[0]) * (size[1] + 2 * padding[1])
    name = "padding" if padded_area > 4 * size[0] * size[1] else sizes
    check_allocation(name, elements * itemsize, what)


def padded_elements(shape: tuple[int, ...], padding: Pair) -> int:
    """Elements of an (N, C, H, W) array padded by ``padding`` on both sides."""
    n, c, h, w = shape
    return array_nbytes((n, c, h + 2 * padding[0], w + 2 * padding[1]), np.int8)


def pad_spatial(x: np.ndarray, padding: Pair, value: float = 0.0) -> np.ndarray:
    """``x`` (N, C, H, W) with ``padding`` rows/columns of ``value`` on each side (a copy if any)."""
    p_h, p_w = padding
    if p_h == 0 and p_w == 0:
        return x
    batch, channels, height, width = x.shape
    out = np.full((batch, channels, height + 2 * p_h, width + 2 * p_w), value, dtype=x.dtype)
    out[:, :, p_h : p_h + height, p_w : p_w + width] = x  # a third faster than np.pad here
    return out
