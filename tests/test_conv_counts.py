"""Counted operations of course_lib.conv equal the closed forms of course_lib.complexity.conv exactly.

Both routes of the forward pass (the loops of `conv2d_naive`, im2col + GEMM of `conv2d`),
each gradient of `conv2d_backward`, and every pooling pass are run under `count_ops` for
random configurations (strides, paddings, dilations, groups, non-square kernels and inputs),
and the whole counter (multiplies, adds, divides, activations, MACs, FLOPs) must equal the
formula. The formulas never import the implementation.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_conv_support import Config, configs

from course_lib.complexity.conv import (
    avg_pool2d_backward_cost,
    avg_pool2d_cost,
    conv2d_backward_cost,
    conv2d_backward_costs,
    conv2d_forward_cost,
    conv2d_im2col_elements,
    conv2d_output_shape,
    global_avg_pool2d_backward_cost,
    global_avg_pool2d_cost,
    max_pool2d_backward_cost,
    max_pool2d_cost,
    pool2d_output_shape,
)
from course_lib.conv import (
    avg_pool2d_backward,
    avg_pool2d_forward,
    col2im,
    conv2d,
    conv2d_backward,
    conv2d_forward,
    conv2d_naive,
    global_avg_pool2d_backward,
    global_avg_pool2d_forward,
    im2col,
    max_pool2d_backward,
    max_pool2d_forward,
)
from course_lib.counting import count_ops


def _layer(config: Config) -> tuple[tuple, dict]:
    """Positional and keyword arguments of the complexity functions for ``config``."""
    args = (config.c_in, config.height, config.width, config.c_out, config.kernel)
    kwargs = {**config.kwargs(), "bias": config.bias, "batch": config.batch}
    return args, kwargs


def _spatial(config: Config) -> dict:
    return {"stride": config.stride, "padding": config.padding, "dilation": config.dilation}


@settings(max_examples=30)
@given(config=configs(), seed=st.integers(0, 2**16))
def test_forward_counts_equal_formula_on_both_routes(config: Config, seed: int) -> None:
    x, w, b = config.arrays(seed)
    args, kwargs = _layer(config)
    expected = conv2d_forward_cost(*args, **kwargs).as_dict()
    with count_ops() as naive:
        conv2d_naive(x, w, b, **config.kwargs())
    with count_ops() as fast:
        out = conv2d(x, w, b, **config.kwargs())
    assert naive.as_dict() == expected
    assert fast.as_dict() == expected
    assert out.shape == (
        config.batch,
        config.c_out,
        *conv2d_output_shape(*args[1:3], args[4], **_spatial(config)),
    )


@settings(max_examples=30)
@given(config=configs(max_batch=3, max_channels_per_group=3), seed=st.integers(0, 2**16))
def test_backward_counts_equal_formula_part_by_part(config: Config, seed: int) -> None:
    x, w, b = config.arrays(seed)
    args, kwargs = _layer(config)
    out, cache = conv2d_forward(x, w, b, **config.kwargs())
    dout = np.ones_like(out)
    with count_ops() as everything:
        conv2d_backward(dout, cache)
    with count_ops() as without_dx:
        conv2d_backward(dout, cache, need_dx=False)
    parts = conv2d_backward_costs(*args, **kwargs)
    assert everything.as_dict() == conv2d_backward_cost(*args, **kwargs).as_dict()
    assert without_dx.as_dict() == (parts["dW"] + parts["db"]).as_dict()
    dx_counted = {k: everything.as_dict()[k] - without_dx.as_dict()[k] for k in everything.as_dict()}
    assert dx_counted == parts["dx"].as_dict()
    assert conv2d_backward_cost(*args, **kwargs, need_dx=False) == parts["dW"] + parts["db"]


@settings(max_examples=25)
@given(config=configs(), seed=st.integers(0, 2**16))
def test_im2col_buffer_size_and_col2im_adds(config: Config, seed: int) -> None:
    x, _, _ = config.arrays(seed)
    geometry = (config.kernel, config.stride, config.padding, config.dilation)
    with count_ops() as moved:
        cols = im2col(x, *geometry)
    assert moved.flops == 0  # im2col only copies
    elements = conv2d_im2col_elements(
        config.c_in, config.height, config.width, config.kernel, **_spatial(config), batch=config.batch
    )
    assert cols.size == elements
    with count_ops() as scattered:
        col2im(cols, x.shape, *geometry)
    assert scattered.as_dict() == {**moved.as_dict(), "adds": elements, "flops": elements}


@st.composite
def pool_configs(draw: st.DrawFn) -> dict:
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
    stride = draw(st.none() | st.tuples(st.integers(1, 3), st.integers(1, 3)))
    height = draw(st.integers(max(1, kernel[0] - 2 * padding[0]), kernel[0] + 5))
    width = draw(st.integers(max(1, kernel[1] - 2 * padding[1]), kernel[1] + 5))
    return {
        "batch": draw(st.integers(1, 3)),
        "channels": draw(st.integers(1, 3)),
        "height": height,
        "width": width,
        "kernel": kernel,
        "stride": stride,
        "padding": padding,
    }


@settings(max_examples=30)
@given(config=pool_configs(), seed=st.integers(0, 2**16))
def test_pooling_counts_equal_formulas(config: dict, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((config["batch"], config["channels"], config["height"], config["width"]))
    pool = (config["kernel"], config["stride"], config["padding"])
    sizes = (config["channels"], config["height"], config["width"], config["kernel"])
    kwargs = {"stride": config["stride"], "padding": config["padding"], "batch": config["batch"]}
    cases = [
        (max_pool2d_forward, max_pool2d_backward, max_pool2d_cost, max_pool2d_backward_cost),
        (avg_pool2d_forward, avg_pool2d_backward, avg_pool2d_cost, avg_pool2d_backward_cost),
    ]
    for forward, backward, forward_cost, backward_cost in cases:
        with count_ops() as counted_forward:
            out, cache = forward(x, *pool)
        assert out.shape[2:] == pool2d_output_shape(config["height"], config["width"], *pool)
        with count_ops() as counted_backward:
            backward(rng.standard_normal(out.shape), cache)
        assert counted_forward.as_dict() == forward_cost(*sizes, **kwargs).as_dict(), forward.__name__
        assert counted_backward.as_dict() == backward_cost(*sizes, **kwargs).as_dict(), backward.__name__

    with count_ops() as counted_forward:
        out, cache = global_avg_pool2d_forward(x)
    with count_ops() as counted_backward:
        global_avg_pool2d_backward(rng.standard_normal(out.shape), cache)
    area = (config["channels"], config["height"], config["width"])
    assert counted_forward.as_dict() == global_avg_pool2d_cost(*area, batch=config["batch"]).as_dict()
    assert (
        counted_backward.as_dict() == global_avg_pool2d_backward_cost(*area, batch=config["batch"]).as_dict()
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_counts_do_not_depend_on_dtype_or_values(dtype) -> None:
    # A depthwise layer (groups = C_in = C_out) with stride 2 and padding 1, by hand:
    # output 4x4 (floor((7 + 2 - 3)/2) + 1 = 4), L = 1*3*3 = 9, E = 2*3*4*4 = 96 outputs:
    # 864 multiplies, 96*8 + 96 = 864 adds.
    config = Config(2, 3, 7, 7, 3, (3, 3), (2, 2), (1, 1), (1, 1), 3, True)
    x, w, b = config.arrays(0, dtype)
    with count_ops() as counted:
        conv2d(np.zeros_like(x), w, b, **config.kwargs())
    assert counted.as_dict() == {
        "multiplies": 864,
        "adds": 864,
        "divides": 0,
        "activations": 0,
        "macs": 864,
        "flops": 1728,
    }
