"""Convolution, pooling and flatten as steps of a sequential network, for `course_lib.mlp.checkpoint`.

Each step has ``forward(x) -> (out, cache)`` and ``backward(dout, cache,
need_dx) -> (dx, grads)``, the protocol of `course_lib.mlp.checkpoint.Step`,
and wraps the layer functions of this package, so the op counter sees every
operation (recomputations included). With `course_lib.mlp.checkpoint.DenseStep`
and ``ActivationStep`` they make a small CNN such as LeNet-5 that
`course_lib.mlp.checkpoint.run_checkpointed` trains with checkpointing.

What each cache keeps (the table of `course_lib.complexity.memory`): a
convolution its input x (and references to its weights), max pooling one
int64 index per output element, average pooling and flatten only shapes.
Derived in notebooks/10_memory_precision_energy.ipynb.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from course_lib.conv.layer import conv2d_backward, conv2d_forward
from course_lib.conv.pooling import (
    avg_pool2d_backward,
    avg_pool2d_forward,
    max_pool2d_backward,
    max_pool2d_forward,
)

Grads = dict[str, np.ndarray]


class ConvStep(NamedTuple):
    """`conv2d_forward` with weights w (C_out, C_in, K_h, K_w) and biases b; gradients ``{"w": dw, "b": db}``."""

    w: np.ndarray
    b: np.ndarray
    stride: int = 1
    padding: int = 0

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, Any]:
        return conv2d_forward(x, self.w, self.b, stride=self.stride, padding=self.padding)

    def backward(self, dout: np.ndarray, cache: Any, need_dx: bool) -> tuple[np.ndarray | None, Grads]:
        dx, dw, db = conv2d_backward(dout, cache, need_dx=need_dx)
        assert db is not None  # the step has a bias
        return dx, {"w": dw, "b": db}


class MaxPoolStep(NamedTuple):
    """`max_pool2d_forward` over ``kernel`` x ``kernel`` windows (stride = kernel)."""

    kernel: int

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, Any]:
        return max_pool2d_forward(x, self.kernel)

    def backward(self, dout: np.ndarray, cache: Any, need_dx: bool) -> tuple[np.ndarray | None, Grads]:
        return max_pool2d_backward(dout, cache), {}


class AvgPoolStep(NamedTuple):
    """`avg_pool2d_forward` over ``kernel`` x ``kernel`` windows (stride = kernel)."""

    kernel: int

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, Any]:
        return avg_pool2d_forward(x, self.kernel)

    def backward(self, dout: np.ndarray, cache: Any, need_dx: bool) -> tuple[np.ndarray | None, Grads]:
        return avg_pool2d_backward(dout, cache), {}


class FlattenStep(NamedTuple):
    """(N, C, H, W) -> (N, C H W), a view; the cache is the input's shape. No arithmetic."""

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, Any]:
        return x.reshape(x.shape[0], -1), x.shape

    def backward(self, dout: np.ndarray, cache: Any, need_dx: bool) -> tuple[np.ndarray | None, Grads]:
        return dout.reshape(cache), {}
