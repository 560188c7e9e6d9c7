"""Tests of course_lib.layer_timing: the kernel it times computes the layer, and the time is a time."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_lib.architectures import BatchNorm2d, Conv2d, Linear, ReLU
from course_lib.conv import conv2d_naive
from course_lib.layer_timing import layer_kernel, time_layer


def test_dense_kernel_is_x_w_plus_b():
    fn, (x, w, b) = layer_kernel(Linear(5), (7,), batch=3, seed=1)
    assert (x.shape, w.shape, b.shape, x.dtype) == ((3, 7), (7, 5), (5,), np.float32)
    np.testing.assert_allclose(fn(x, w, b), x.astype(np.float64) @ w + b, rtol=1e-5)


def test_conv_kernel_is_the_convolution_with_its_geometry():
    fn, (x, w, b) = layer_kernel(Conv2d(4, 3, stride=2, padding=1, groups=2), (6, 9, 9), batch=2)
    assert w.shape == (4, 3, 3, 3)
    reference = conv2d_naive(x.astype(np.float64), w, b, stride=2, padding=1, groups=2)
    np.testing.assert_allclose(fn(x, w, b), reference, rtol=1e-4, atol=1e-4)


def test_relu_kernel_covers_every_element():
    fn, (z,) = layer_kernel(ReLU(), (10, 3), batch=4)
    assert z.shape == (120,)
    assert np.array_equal(fn(z), np.maximum(z, 0))


def test_other_layers_are_refused():
    with pytest.raises(ValueError, match="layer must be a Linear on"):
        layer_kernel(BatchNorm2d(), (3, 4, 4))
    with pytest.raises(ValueError, match="layer must be a Linear on"):
        layer_kernel(Linear(3), (3, 4, 4))


def test_time_layer_is_a_positive_time():
    assert 0 < time_layer(Linear(8), (16,), batch=2, repeats=1, budget=0.01) < math.inf
