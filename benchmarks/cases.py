"""The workloads every comparison uses: four ResNet-like convolution layers, a small one, the MLP.

Inputs are float32, drawn from a seeded generator, and built before any timing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SEED = 0


@dataclass(frozen=True)
class ConvLayer:
    """One convolution: batch, C_in -> C_out, H = W = size, a K x K kernel, stride, padding."""

    name: str
    batch: int
    c_in: int
    c_out: int
    size: int
    kernel: int
    stride: int = 1
    padding: int = 0

    @property
    def label(self) -> str:
        return (
            f"{self.name}: N={self.batch}, {self.c_in}->{self.c_out}, {self.kernel}x{self.kernel}"
            f"/s{self.stride}/p{self.padding} at {self.size}x{self.size}"
        )

    @property
    def out_size(self) -> int:
        return (self.size + 2 * self.padding - self.kernel) // self.stride + 1

    @property
    def macs(self) -> int:
        return self.batch * self.c_out * self.out_size**2 * self.c_in * self.kernel**2

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """x (N, C_in, H, W), w (C_out, C_in, K, K), b (C_out,), float32, seeded."""
        rng = np.random.default_rng(SEED)
        x = rng.standard_normal((self.batch, self.c_in, self.size, self.size), dtype=np.float32)
        scale = np.float32(1 / np.sqrt(self.c_in * self.kernel**2))
        w = rng.standard_normal((self.c_out, self.c_in, self.kernel, self.kernel), dtype=np.float32) * scale
        b = rng.standard_normal(self.c_out, dtype=np.float32)
        return x, w, b


CONV_LAYERS = (
    ConvLayer("stem", 8, 3, 64, 224, 7, stride=2, padding=3),
    ConvLayer("conv2", 8, 64, 64, 56, 3, padding=1),
    ConvLayer("conv3", 8, 128, 128, 28, 3, padding=1),
    ConvLayer("conv4", 8, 256, 256, 14, 3, padding=1),
)
"""ResNet-18/34's stem and one 3x3 layer of each of its stages 2-4, batch 8 (He et al., 2016, Table 1)."""

SMALL_CONV_LAYERS = (
    ConvLayer("small", 1, 3, 8, 16, 3, padding=1),
    ConvLayer("small-wide", 1, 8, 16, 24, 3, padding=1),
)
"""Layers small enough for `conv2d_naive`'s Python loops (a few thousand output elements)."""

MLP_WIDTHS = (784, 512, 256, 10)
MLP_BATCH = 128
MLP_LR = 0.01


def mlp_batch() -> tuple[np.ndarray, np.ndarray]:
    """A float32 batch X (128, 784) and integer labels y (128,) in 0..9, seeded."""
    rng = np.random.default_rng(SEED)
    x = rng.standard_normal((MLP_BATCH, MLP_WIDTHS[0]), dtype=np.float32)
    y = rng.integers(0, MLP_WIDTHS[-1], size=MLP_BATCH)
    return x, y
