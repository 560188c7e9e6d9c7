"""Exact counts of pooling layers (max, average, adaptive, global), O(1) in the input size.

Written from the conventions below, never from running `course_lib.conv`: the
tests count the implementation and require equality. Derived in
notebooks/06_cnn_time_and_space.ipynb (max and average pooling) and
notebooks/07_designing_efficient_cnns.ipynb (adaptive and global pooling).

========================  =====================================================
step                      counted
========================  =====================================================
max pool, forward         nothing: K_h K_w - 1 comparisons per output, which
                          are not FLOPs (`max_pool2d_comparisons` reports them)
max pool, backward        1 add per output element
avg pool, forward         K_h K_w - 1 adds + 1 divide per output element
avg pool, backward        1 divide + K_h K_w adds per output element
global avg pool           (H W - 1) adds + 1 divide per (sample, channel);
                          backward 1 divide per (sample, channel)
adaptive avg pool         (window size - 1) adds + 1 divide per output element,
                          PyTorch's windows (`adaptive_pool_windows`)
========================  =====================================================

Pooling with ``ceil_mode=True`` (PyTorch's option, used by GoogLeNet and
SqueezeNet) rounds the window count up instead of down, so a last window may
hang over the end of the padded input:

    H_out = ceil((H + 2 p - K) / s) + 1, minus 1 if (H_out - 1) s >= H + p

(the last window must start inside the input or its left padding). A window
that hangs over is cut at the end of the padded input, so it holds fewer than
K_h K_w elements; the per-output counts above then use its actual size. Since
only the last window of a row (or column) can be cut, the elements of all
windows are a product of two closed forms (`course_lib.complexity.geometry`),
never a loop over windows: ``max_pool2d_cost(1, 10**9, 10**9, 1)`` answers at once.

The five max/avg pooling functions share one signature and come from one
factory, `pool_function`, each reading one count off a checked `PoolShape`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from course_lib.complexity.cost import Cost
from course_lib.complexity.geometry import (
    IntOrPair,
    Pair,
    adaptive_window_total,
    pool2d_output_shape,
    window_total,
)
from course_lib.validation import require_bool, require_int, require_pair

T = TypeVar("T")

MAX_LISTED_WINDOWS = 10**6
"""`adaptive_pool_windows` lists at most this many windows; the cost functions count them without a list."""


@dataclass(frozen=True, init=False)
class PoolShape:
    """The geometry of one max or average pooling layer, checked once.

    ``PoolShape(channels, height, width, kernel, stride=None, padding=0, batch=1,
    ceil_mode=False)`` takes the arguments of `max_pool2d_cost` (the keywords by
    name); ``stride=None`` means the kernel. ValueError, naming the argument, for a
    bad size, a padding over half the kernel, a non-boolean ``ceil_mode`` or a
    window that does not fit. Derived in notebooks/06_cnn_time_and_space.ipynb.
    """

    channels: int
    """Channels C (pooling keeps them)."""
    height: int
    """Input height H."""
    width: int
    """Input width W."""
    kernel: Pair
    """(K_h, K_w), the window."""
    stride: Pair
    """(s_h, s_w); the kernel when none is given."""
    padding: Pair
    """(p_h, p_w), at most half the kernel."""
    batch: int
    """Samples N."""
    ceil_mode: bool
    """Round the window count up (PyTorch's ``ceil_mode``)."""
    output_size: Pair = field(repr=False, compare=False)
    """(H_out, W_out), from `pool2d_output_shape`."""

    def __init__(
        self,
        channels: int,
        height: int,
        width: int,
        kernel: IntOrPair,
        *,
        stride: IntOrPair | None = None,
        padding: IntOrPair = 0,
        batch: int = 1,
        ceil_mode: bool = False,
    ) -> None:
        kernels = require_pair("kernel", kernel)
        strides = kernels if stride is None else require_pair("stride", stride)
        paddings = require_pair("padding", padding, 0)
        checked = {
            "channels": require_int("channels", channels, 1),
            "height": require_int("height", height, 1),
            "width": require_int("width", width, 1),
            "kernel": kernels,
            "stride": strides,
            "padding": paddings,
            "batch": require_int("batch", batch, 1),
            "ceil_mode": require_bool("ceil_mode", ceil_mode),
        }
        checked["output_size"] = pool2d_output_shape(
            height, width, kernels, strides, paddings, ceil_mode=ceil_mode
        )
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    @property
    def planes(self) -> int:
        """N C: the (sample, channel) planes pooled independently."""
        return self.batch * self.channels

    @property
    def outputs(self) -> int:
        """N C H_out W_out output elements."""
        return self.planes * self.output_size[0] * self.output_size[1]

    @property
    def window_elements(self) -> int:
        """Elements of all windows together: N C S_H S_W, with S the closed-form window total of each axis
        (K H_out along the height unless ceil_mode cuts the last window)."""
        rows = window_total(self.height, self.kernel[0], self.padding[0], self.stride[0], self.output_size[0])
        cols = window_total(self.width, self.kernel[1], self.padding[1], self.stride[1], self.output_size[1])
        return self.planes * rows * cols


def pool_function(name: str, count: Callable[[PoolShape], T], doc: str) -> Callable[..., T]:
    """A public pooling function ``name(channels, height, width, kernel, *, stride=None, padding=0,
    batch=1, ceil_mode=False)`` returning ``count(PoolShape(...))``, with ``doc`` as its docstring."""

    def function(*args: object, **kwargs: object) -> T:
        return count(PoolShape(*args, **kwargs))  # type: ignore[arg-type]

    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    function.__signature__ = inspect.signature(PoolShape).replace(  # type: ignore[attr-defined]
        return_annotation=inspect.signature(count).return_annotation
    )
    return function


def _no_arithmetic(pool: PoolShape) -> Cost:
    return Cost()


def _comparisons(pool: PoolShape) -> int:
    return pool.window_elements - pool.outputs


def _max_backward(pool: PoolShape) -> Cost:
    return Cost(adds=pool.outputs)


def _avg_forward(pool: PoolShape) -> Cost:
    return Cost(adds=pool.window_elements - pool.outputs, divides=pool.outputs)


def _avg_backward(pool: PoolShape) -> Cost:
    return Cost(adds=pool.window_elements, divides=pool.outputs)


max_pool2d_cost = pool_function(
    "max_pool2d_cost",
    _no_arithmetic,
    """Arithmetic of max pooling, forward: none (a zero `Cost`); see `max_pool2d_comparisons`.

    The arguments are still checked. Derived in notebooks/06_cnn_time_and_space.ipynb.
    """,
)

max_pool2d_comparisons = pool_function(
    "max_pool2d_comparisons",
    _comparisons,
    """Comparisons of max pooling, forward: (window size - 1) per output element.

    The window size is K_h K_w (less for a window ``ceil_mode`` cuts at the end).
    Not FLOPs in the course's convention, and not recorded by the op counter.
    Derived in notebooks/06_cnn_time_and_space.ipynb.
    """,
)

max_pool2d_backward_cost = pool_function(
    "max_pool2d_backward_cost",
    _max_backward,
    """Max pooling, backward: 1 add per output element (the gradient added at the window's maximum).

    Derived in notebooks/06_cnn_time_and_space.ipynb.
    """,
)

avg_pool2d_cost = pool_function(
    "avg_pool2d_cost",
    _avg_forward,
    """Average pooling, forward: (window size - 1) adds and 1 divide per output element.

    The window size is K_h K_w, padded zeros included (PyTorch's default
    ``count_include_pad=True``); with ``ceil_mode`` a last window cut at the end of
    the padded input holds fewer (and PyTorch divides by that smaller size).
    Derived in notebooks/06_cnn_time_and_space.ipynb.
    """,
)

avg_pool2d_backward_cost = pool_function(
    "avg_pool2d_backward_cost",
    _avg_backward,
    """Average pooling, backward: 1 divide and (window size) adds per output element.

    Derived in notebooks/06_cnn_time_and_space.ipynb.
    """,
)


# ---------------------------------------------------------------- adaptive and global pooling


def adaptive_pool_windows(size: int, output_size: int) -> list[tuple[int, int]]:
    """PyTorch's adaptive-pooling windows along one axis: ``[(start, end), ...]``, end exclusive.

    Output cell i averages input positions floor(i n / m) to ceil((i + 1) n / m) - 1
    (n = ``size``, m = ``output_size``). The windows cover the input; neighbours
    overlap when m does not divide n, and every window has n / m elements when it
    does. ``output_size`` may exceed ``size`` (windows then repeat inputs). The list
    has one entry per output cell, so ``output_size`` is limited to
    `MAX_LISTED_WINDOWS`; `adaptive_avg_pool2d_cost` counts any size without it.
    Derived in notebooks/07_designing_efficient_cnns.ipynb.
    """
    n, m = require_int("size", size, 1), require_int("output_size", output_size, 1)
    if m > MAX_LISTED_WINDOWS:
        raise ValueError(
            f"output_size must be at most {MAX_LISTED_WINDOWS:,} to list its windows, got {m:,}; "
            "adaptive_avg_pool2d_cost counts windows of any size without listing them"
        )
    return [((i * n) // m, -(-((i + 1) * n) // m)) for i in range(m)]


def adaptive_avg_pool2d_cost(
    channels: int, height: int, width: int, output_size: IntOrPair, *, batch: int = 1
) -> Cost:
    """Adaptive average pooling to (h, w) = ``output_size``, forward.

    Per output element (window size - 1) adds and 1 divide, with PyTorch's windows
    (`adaptive_pool_windows`). The window sizes multiply, so with S_H = H + h - gcd(H, h)
    and S_W = W + w - gcd(W, w) the sums of the window lengths along each axis
    (`course_lib.complexity.geometry`): adds = N C (S_H S_W - h w), divides = N C h w.
    ``output_size=1`` is global average pooling (`global_avg_pool2d_cost`); when h
    divides H and w divides W it is `avg_pool2d_cost` with kernel = stride = (H/h, W/w).
    Derived in notebooks/07_designing_efficient_cnns.ipynb.
    """
    planes = require_int("channels", channels, 1) * require_int("batch", batch, 1)
    out_h, out_w = require_pair("output_size", output_size)
    rows = adaptive_window_total(require_int("height", height, 1), out_h)
    cols = adaptive_window_total(require_int("width", width, 1), out_w)
    return Cost(adds=planes * (rows * cols - out_h * out_w), divides=planes * out_h * out_w)


def global_avg_pool2d_cost(channels: int, height: int, width: int, batch: int = 1) -> Cost:
    """Global average pooling, forward: N C (H W - 1) adds and N C divides.

    Derived in notebooks/07_designing_efficient_cnns.ipynb.
    """
    return adaptive_avg_pool2d_cost(channels, height, width, 1, batch=batch)


def global_avg_pool2d_backward_cost(channels: int, height: int, width: int, batch: int = 1) -> Cost:
    """Global average pooling, backward: N C divides (the share is then copied, not computed).

    Derived in notebooks/07_designing_efficient_cnns.ipynb.
    """
    return Cost(divides=global_avg_pool2d_cost(channels, height, width, batch).divides)
