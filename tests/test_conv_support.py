"""Shared pieces of the convolution tests (no tests here): a hypothesis strategy of small
convolution configurations, an independent scipy reference, and a finite-difference gradient.

The reference builds the convolution from scipy.signal.correlate2d on single channels:
zero padding by np.pad, dilation by a kernel with zeros inserted between its taps, stride
by subsampling the stride-1 'valid' correlation. It shares no code with course_lib.conv.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st
from scipy.signal import correlate2d


@dataclass(frozen=True)
class Config:
    batch: int
    c_in: int
    height: int
    width: int
    c_out: int
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    groups: int
    bias: bool

    def kwargs(self) -> dict:
        return {
            "stride": self.stride,
            "padding": self.padding,
            "dilation": self.dilation,
            "groups": self.groups,
        }

    def arrays(self, seed: int, dtype: type = np.float64) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        rng = np.random.default_rng(seed)
        x = rng.standard_normal((self.batch, self.c_in, self.height, self.width)).astype(dtype)
        w = rng.standard_normal((self.c_out, self.c_in // self.groups, *self.kernel)).astype(dtype)
        b = rng.standard_normal(self.c_out).astype(dtype) if self.bias else None
        return x, w, b


@st.composite
def configs(
    draw: st.DrawFn, max_batch: int = 2, max_channels_per_group: int = 2, max_extra: int = 3
) -> Config:
    """A small random convolution whose (dilated) kernel fits the padded input."""
    groups = draw(st.integers(1, 3))
    c_in = groups * draw(st.integers(1, max_channels_per_group))
    c_out = groups * draw(st.integers(1, max_channels_per_group))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    sizes = []
    for k, d, p in zip(kernel, dilation, padding, strict=True):
        extent = d * (k - 1) + 1
        sizes.append(draw(st.integers(max(1, extent - 2 * p), extent + max_extra)))
    return Config(
        batch=draw(st.integers(1, max_batch)),
        c_in=c_in,
        height=sizes[0],
        width=sizes[1],
        c_out=c_out,
        kernel=kernel,
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
        bias=draw(st.booleans()),
    )


def reference_conv2d(
    x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride, padding, dilation, groups: int
) -> np.ndarray:
    """Grouped, strided, padded, dilated cross-correlation from scipy's single-channel correlate2d."""
    (s_h, s_w), (p_h, p_w), (d_h, d_w) = stride, padding, dilation
    c_out, per_group, k_h, k_w = w.shape
    dilated = np.zeros((c_out, per_group, d_h * (k_h - 1) + 1, d_w * (k_w - 1) + 1))
    dilated[:, :, ::d_h, ::d_w] = w
    padded = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (p_h, p_h), (p_w, p_w)))
    filters_per_group = c_out // groups
    samples = []
    for n in range(x.shape[0]):
        maps = []
        for o in range(c_out):
            first = (o // filters_per_group) * per_group
            full = sum(
                correlate2d(padded[n, first + c], dilated[o, c], mode="valid") for c in range(per_group)
            )
            out = full[::s_h, ::s_w]
            maps.append(out + (0.0 if b is None else b[o]))
        samples.append(maps)
    return np.array(samples)


def numerical_gradient(f: Callable[[], float], array: np.ndarray, step: float) -> np.ndarray:
    """Centred differences (f(a + h e_i) - f(a - h e_i)) / 2h of a scalar f of ``array`` (changed in place)."""
    grad = np.zeros_like(array)
    flat, out = array.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + step
        plus = f()
        flat[i] = saved - step
        minus = f()
        flat[i] = saved
        out[i] = (plus - minus) / (2 * step)
    return grad
