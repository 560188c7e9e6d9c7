"""`ConvShape`, the one checked geometry of a convolution layer, against real arrays and counted runs.

References: output shapes, parameters and im2col buffers are the shapes and sizes of
the arrays `course_lib.conv` builds; forward and backward costs are counted runs of
`conv2d_forward` / `conv2d_backward` under the op counter; the public functions of
`course_lib.complexity` must agree with the object they wrap.
"""

from __future__ import annotations

import dataclasses
import pickle
import time

import numpy as np
import pytest
from hypothesis import given, settings
from test_conv_support import Config, configs

from course_lib import complexity
from course_lib.complexity import ConvShape, Cost
from course_lib.conv import conv2d_backward, conv2d_forward, im2col
from course_lib.counting import count_ops


def _shape(config: Config) -> ConvShape:
    return ConvShape(
        config.c_in,
        config.height,
        config.width,
        config.c_out,
        config.kernel,
        bias=config.bias,
        batch=config.batch,
        **config.kwargs(),
    )


@settings(max_examples=60, deadline=None)
@given(config=configs())
def test_sizes_are_those_of_the_real_arrays(config):
    shape = _shape(config)
    x, w, b = config.arrays(seed=0)
    out, _ = conv2d_forward(x, w, b, **config.kwargs())
    assert shape.output_shape == out.shape and shape.input_shape == x.shape
    assert shape.output_elements == out.size and shape.input_elements == x.size
    assert shape.params == w.size + (b.size if b is not None else 0)
    cols = im2col(x, config.kernel, config.stride, config.padding, config.dilation)
    assert shape.im2col_elements == cols.size


@settings(max_examples=60, deadline=None)
@given(config=configs())
def test_costs_equal_counted_runs(config):
    shape = _shape(config)
    x, w, b = config.arrays(seed=1)
    with count_ops() as forward:
        out, cache = conv2d_forward(x, w, b, **config.kwargs())
    assert shape.forward_cost().as_dict() == forward.as_dict()
    assert shape.macs == forward.as_dict()["macs"]
    for need_dx in (True, False):
        with count_ops() as backward:
            conv2d_backward(np.ones_like(out), cache, need_dx=need_dx)
        assert shape.backward_cost(need_dx=need_dx).as_dict() == backward.as_dict()


@settings(max_examples=60, deadline=None)
@given(config=configs())
def test_the_public_functions_read_one_conv_shape(config):
    shape, args = _shape(config), (config.c_in, config.height, config.width, config.c_out, config.kernel)
    options = {**config.kwargs(), "bias": config.bias, "batch": config.batch}
    assert complexity.conv2d_forward_cost(*args, **options) == shape.forward_cost()
    assert complexity.conv2d_macs(*args, **options) == shape.macs
    assert complexity.conv2d_flops(*args, **options) == shape.forward_cost().flops
    assert complexity.conv2d_output_elements(*args, **options) == shape.output_elements
    assert complexity.conv2d_backward_costs(*args, **options) == shape.backward_costs()
    assert complexity.conv2d_backward_cost(*args, **options, need_dx=False) == shape.backward_cost(
        need_dx=False
    )
    assert complexity.conv2d_training_memory(*args, **options, optimizer="adam") == shape.training_memory(
        optimizer="adam"
    )
    assert complexity.conv2d_params(config.c_in, config.c_out, config.kernel, config.groups, config.bias) == (
        shape.params
    )
    assert complexity.conv2d_output_shape(
        config.height, config.width, config.kernel, config.stride, config.padding, config.dilation
    ) == (shape.output_size)


def test_a_hand_worked_layer():
    # ResNet's first layer: 3 x 224 x 224, 64 filters 7 x 7, stride 2, padding 3, no bias.
    layer = ConvShape(3, 224, 224, 64, 7, stride=2, padding=3, bias=False)
    assert layer.output_shape == (1, 64, 112, 112)
    assert layer.dot_length == 3 * 49 == 147 and layer.params == 64 * 147 == 9408
    assert layer.macs == 64 * 112 * 112 * 147 == 118_013_952  # torchvision's 0.118 GMACs for conv1
    assert layer.forward_cost() == Cost(
        multiplies=layer.macs, adds=layer.macs - 64 * 112 * 112, macs=layer.macs
    )
    memory = layer.training_memory("float16", "momentum")
    assert memory["parameters"] == memory["gradients"] == memory["optimizer_state"] == 2 * 9408
    assert memory["saved_input"] == 2 * 3 * 224 * 224 and memory["output"] == 2 * 64 * 112 * 112
    assert memory["total"] == sum(value for key, value in memory.items() if key != "total")


def test_checked_once_stored_as_pairs_frozen_and_comparable():
    layer = ConvShape(np.int64(4), 9, np.int32(9), 6, 3, stride=(2, 1), groups=np.int64(2), batch=np.int64(2))
    assert layer.kernel == (3, 3) and layer.stride == (2, 1) and layer.padding == (0, 0)
    assert all(
        type(value) is int for value in (layer.c_in, layer.width, layer.groups, layer.batch, *layer.kernel)
    )
    assert layer == ConvShape(4, 9, 9, 6, (3, 3), stride=(2, 1), padding=0, groups=2, batch=2)
    assert hash(layer) == hash(ConvShape(4, 9, 9, 6, (3, 3), stride=(2, 1), groups=2, batch=2))
    assert pickle.loads(pickle.dumps(layer)) == layer
    with pytest.raises(dataclasses.FrozenInstanceError):
        layer.height = 10  # type: ignore[misc]
    assert "ConvShape(c_in=4, height=9" in repr(layer)


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"bias": "no"}, "bias"),
        ({"bias": 0}, "bias"),
        ({"c_in": 2.0}, "c_in"),
        ({"c_out": True}, "c_out"),
        ({"height": 0}, "height"),
        ({"width": "8"}, "width"),
        ({"kernel": (3, 3, 3)}, "kernel"),
        ({"kernel": (3, 0)}, r"kernel\[1\]"),
        ({"stride": -1}, "stride"),
        ({"padding": -1}, "padding"),
        ({"dilation": 0}, "dilation"),
        ({"groups": 4}, "groups=4 must divide"),
        ({"batch": None}, "batch"),
        ({"kernel": 9}, "kernel 9 .* along the height"),
        ({"kernel": (1, 9)}, "kernel 9 .* along the width"),
    ],
)
def test_bad_geometry_is_refused_naming_the_argument(kwargs, argument):
    arguments = {"c_in": 2, "height": 8, "width": 8, "c_out": 2, "kernel": 3, **kwargs}
    with pytest.raises(ValueError, match=argument):
        ConvShape(**arguments)
    with pytest.raises(ValueError, match=argument):
        complexity.conv2d_forward_cost(**arguments)


@pytest.mark.parametrize(
    "call",
    [
        lambda: complexity.conv2d_backward_costs(2, 8, 8, 2, 3, need_dx="no"),
        lambda: complexity.conv2d_backward_cost(2, 8, 8, 2, 3, need_dx=1),
        lambda: ConvShape(2, 8, 8, 2, 3).backward_costs(need_dx=None),
    ],
)
def test_need_dx_is_a_strict_flag(call):
    with pytest.raises(ValueError, match="need_dx must be True or False"):
        call()


def test_params_flag_is_strict_and_unknown_keywords_are_type_errors():
    with pytest.raises(ValueError, match="bias must be True or False"):
        complexity.conv2d_params(3, 4, 3, bias="no")
    with pytest.raises(TypeError, match="groups"):
        complexity.conv2d_im2col_elements(4, 8, 8, 3, groups=2)
    with pytest.raises(TypeError, match="strides"):
        complexity.conv2d_macs(4, 8, 8, 4, 3, strides=2)


def test_training_memory_names_a_bad_dtype_or_optimizer():
    layer = ConvShape(2, 8, 8, 2, 3)
    with pytest.raises(ValueError, match="dtype must be one of"):
        layer.training_memory("banana")
    with pytest.raises(ValueError, match="optimizer must be one of"):
        layer.training_memory(optimizer="lbfgs")


def test_huge_layers_are_counted_at_once():
    start = time.perf_counter()
    layer = ConvShape(3, 10**9, 10**9, 64, 3, padding=1)
    cost = layer.backward_cost()
    assert time.perf_counter() - start < 0.5
    assert layer.output_size == (10**9, 10**9) and cost.macs == 2 * 64 * 27 * 10**18
