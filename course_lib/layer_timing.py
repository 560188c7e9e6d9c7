"""Time one layer spec's course_lib kernel on this machine (the *time* step for a single layer).

`layer_kernel` builds, for a layer spec of `course_lib.architectures` and an input
shape, the kernel the course runs for it and seeded float32 arguments:

=============  ===================================================
layer          kernel
=============  ===================================================
Linear         ``ops.add(ops.matmul(x, W), b)``
Conv2d         `course_lib.conv.conv2d` (im2col + GEMM), with bias
Activation     ``ops.apply(max(z, 0))`` (a ReLU), over every element
=============  ===================================================

`time_layer` times it with `course_lib.timing.time_call` (best of a few calls,
inputs built outside the timing). The result varies from run to run and with the
load on the machine. Used by the roofline report of notebooks/09_from_flops_to_seconds.ipynb,
which sets it beside the time `course_lib.roofline.predicted_seconds` predicts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np

from course_lib import ops
from course_lib.architectures import Conv2d, Layer, Linear, ReLU
from course_lib.conv import conv2d
from course_lib.timing import time_call
from course_lib.validation import require_int


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0)


def _dense(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    return ops.add(ops.matmul(x, w), b)


def layer_kernel(
    layer: Layer, input_shape: Sequence[int], batch: int = 1, seed: int = 0
) -> tuple[Callable[..., Any], tuple[np.ndarray, ...]]:
    """The course_lib kernel of ``layer`` and seeded float32 arguments for ``batch`` inputs of ``input_shape``.

    ValueError for a layer type other than Linear, Conv2d or ReLU, or a shape that does not fit it.
    """
    shape = tuple(require_int(f"input_shape[{i}]", size) for i, size in enumerate(input_shape))
    batch = require_int("batch", batch)
    rng = np.random.default_rng(seed)
    if isinstance(layer, Linear) and len(shape) == 1:
        x = rng.standard_normal((batch, shape[0]), dtype=np.float32)
        w = rng.standard_normal((shape[0], layer.out_features), dtype=np.float32)
        return _dense, (x, w, rng.standard_normal(layer.out_features, dtype=np.float32))
    if isinstance(layer, Conv2d) and len(shape) == 3:
        c_in = shape[0]
        x = rng.standard_normal((batch, *shape), dtype=np.float32)
        w = rng.standard_normal((layer.out_channels, c_in // layer.groups, *layer.kernel), dtype=np.float32)
        b = rng.standard_normal(layer.out_channels, dtype=np.float32)
        kernel = partial(
            conv2d, stride=layer.stride, padding=layer.padding, dilation=layer.dilation, groups=layer.groups
        )
        return kernel, (x, w, b)
    if isinstance(layer, ReLU):
        z = rng.standard_normal(batch * math.prod(shape), dtype=np.float32)
        return partial(ops.apply, _relu, name="relu"), (z,)
    raise ValueError(
        f"layer must be a Linear on (n_in,), a Conv2d on (C_in, H, W) or a ReLU, "
        f"got {type(layer).__name__} on {shape}"
    )


def time_layer(
    layer: Layer,
    input_shape: Sequence[int],
    batch: int = 1,
    repeats: int = 3,
    budget: float = 0.3,
    seed: int = 0,
) -> float:
    """Best-of-``repeats`` seconds of one call of `layer_kernel` (at most ``budget`` seconds spent)."""
    fn, args = layer_kernel(layer, input_shape, batch, seed)
    return time_call(fn, *args, repeats=repeats, budget=budget)
