"""The sympy conv formulas of course_lib.symbolic (the CNN article's, corrected) against independent references.

References: output sizes by enumerating window starts one by one; costs by
running `course_lib.conv` under the op counter; parameters and buffer sizes by
the sizes of real arrays; whole-network sums by Python sums over the layers.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import symbolic
from course_lib.complexity import conv2d_forward_cost
from course_lib.conv import conv2d, conv2d_naive, im2col
from course_lib.counting import count_ops
from course_lib.symbolic import (
    C_in,
    C_out,
    H_out,
    K,
    K_h,
    K_w,
    M,
    W_out,
    conv_batch,
    conv_dilation,
    conv_groups,
    conv_padding,
    conv_stride,
)


def _starts(size: int, kernel: int, padding: int, stride: int, dilation: int) -> int:
    """Brute force: how many starts 0, s, 2s, ... keep the dilated kernel inside the padded input."""
    extent = dilation * (kernel - 1) + 1
    return sum(1 for i in range(0, size + 2 * padding, stride) if i + extent <= size + 2 * padding)


def _size(size: int, kernel: int, padding: int, stride: int, dilation: int) -> int:
    expr = symbolic.conv_output_size_expr(symbolic.H, K, conv_padding, conv_stride, conv_dilation)
    values = {
        symbolic.H: size,
        K: kernel,
        conv_padding: padding,
        conv_stride: stride,
        conv_dilation: dilation,
    }
    value = expr.subs(values)
    assert isinstance(value, sp.Integer), (
        f"output size {value} is not an integer"
    )  # int() would hide a missing floor
    return int(value)


@settings(max_examples=200, deadline=None)
@given(
    size=st.integers(1, 40),
    kernel=st.integers(1, 9),
    padding=st.integers(0, 5),
    stride=st.integers(1, 5),
    dilation=st.integers(1, 4),
)
def test_output_size_counts_the_window_starts(size, kernel, padding, stride, dilation):
    if dilation * (kernel - 1) + 1 > size + 2 * padding:
        return  # no window fits; the formula is only meaningful when one does
    assert _size(size, kernel, padding, stride, dilation) == _starts(size, kernel, padding, stride, dilation)


def test_the_floor_matters_and_the_seeds_formula_is_not_an_integer():
    # stride 2 on an even input without padding: (8 - 3)/2 + 1 = 3.5 in the CNN article's formula, 3 windows in fact
    assert _size(8, 3, 0, 2, 1) == 3 == _starts(8, 3, 0, 2, 1)
    seed = (symbolic.H - K + 2 * conv_padding) / conv_stride + 1
    assert seed.subs({symbolic.H: 8, K: 3, conv_padding: 0, conv_stride: 2}) == sp.Rational(7, 2)
    # 224 -> 112 with a 7x7 stride-2 kernel and padding 3 (ResNet's first layer), but 225 -> 113
    assert _size(224, 7, 3, 2, 1) == 112 and _size(225, 7, 3, 2, 1) == 113


def test_same_padding_keeps_the_size_and_gives_the_seeds_cost():
    same = symbolic.conv_output_size_expr(M, K, (K - 1) / 2, 1, 1)
    assert sp.simplify(same - M) == 0
    cost = symbolic.conv2d_forward_cost_expr(C_in, C_out, same, same, K, K, bias=False)
    assert sp.simplify(cost["macs"] - M**2 * K**2 * C_in * C_out) == 0
    assert sp.simplify(cost["adds"] - M**2 * C_out * (K**2 * C_in - 1)) == 0
    with_bias = symbolic.conv2d_forward_cost_expr(C_in, C_out, M, M, K, K)
    assert sp.simplify(with_bias["flops"] - 2 * M**2 * K**2 * C_in * C_out) == 0
    order = symbolic.big_o(with_bias["flops"], M, K, C_in, C_out)
    assert order == sp.O(M**2 * K**2 * C_in * C_out, *[(v, sp.oo) for v in (M, K, C_in, C_out)])


LAYERS = [
    # (N, C_in, H, W, C_out, (K_h, K_w), stride, padding, dilation, groups)
    (1, 1, 4, 4, 1, (2, 2), 1, 0, 1, 1),
    (2, 3, 7, 5, 4, (3, 3), 2, 1, 1, 1),
    (1, 4, 6, 9, 6, (3, 5), (2, 1), (1, 2), 1, 2),
    (1, 2, 9, 9, 3, (3, 3), 1, 0, 2, 1),
    (3, 6, 5, 5, 6, (3, 3), 1, 1, 1, 6),
]


def _pair(value):
    return value if isinstance(value, tuple) else (value, value)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("layer", LAYERS)
def test_forward_cost_equals_counted_convolutions(layer, bias):
    batch, c_in, height, width, c_out, (k_h, k_w), stride, padding, dilation, groups = layer
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, c_in, height, width))
    w = rng.standard_normal((c_out, c_in // groups, k_h, k_w))
    b = rng.standard_normal(c_out) if bias else None
    sizes = []
    for n, k, p, s, d in zip(
        (height, width), (k_h, k_w), _pair(padding), _pair(stride), _pair(dilation), strict=True
    ):
        value = symbolic.conv_output_size_expr(n, k, p, s, d)
        assert isinstance(value, sp.Integer)
        sizes.append(int(value))
    expr = symbolic.conv2d_forward_cost_expr(
        C_in, C_out, H_out, W_out, K_h, K_w, conv_groups, conv_batch, bias=bias
    )
    values = {
        C_in: c_in,
        C_out: c_out,
        H_out: sizes[0],
        W_out: sizes[1],
        K_h: k_h,
        K_w: k_w,
        conv_groups: groups,
        conv_batch: batch,
    }
    formula = {kind: int(e.subs(values)) for kind, e in expr.items()}
    for implementation in (conv2d, conv2d_naive):
        with count_ops() as counter:
            out = implementation(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
        assert out.shape == (batch, c_out, *sizes)
        assert counter.as_dict() == formula
    independent = conv2d_forward_cost(
        c_in,
        height,
        width,
        c_out,
        (k_h, k_w),
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
        bias=bias,
        batch=batch,
    )
    assert independent.as_dict() == formula


@pytest.mark.parametrize("layer", LAYERS)
def test_params_and_buffer_sizes_are_those_of_real_arrays(layer):
    batch, c_in, height, width, c_out, (k_h, k_w), stride, padding, dilation, groups = layer
    x = np.zeros((batch, c_in, height, width))
    w = np.zeros((c_out, c_in // groups, k_h, k_w))
    out = conv2d(x, w, np.zeros(c_out), stride=stride, padding=padding, dilation=dilation, groups=groups)
    params = symbolic.conv2d_params_expr(C_in, C_out, K_h, K_w, conv_groups)
    values = {C_in: c_in, C_out: c_out, K_h: k_h, K_w: k_w, conv_groups: groups}
    assert params.subs(values) == w.size + c_out
    no_bias = symbolic.conv2d_params_expr(C_in, C_out, K_h, K_w, conv_groups, bias=False)
    assert no_bias.subs(values) == w.size
    h_o, w_o = out.shape[2:]
    sizes = {H_out: h_o, W_out: w_o, conv_batch: batch}
    assert (
        symbolic.conv2d_output_elements_expr(C_out, H_out, W_out, conv_batch).subs({**values, **sizes})
        == out.size
    )
    cols = im2col(x, (k_h, k_w), stride, padding, dilation)
    columns = symbolic.conv2d_im2col_elements_expr(C_in, H_out, W_out, K_h, K_w, conv_batch)
    assert columns.subs({**values, **sizes}) == cols.size


NETWORKS = [
    (3, [(32, 3, 16)]),
    (3, [(32, 3, 16), (16, 3, 32), (8, 3, 64)]),
    (1, [(28, 5, 6), (10, 5, 16)]),
    (3, [(55, 11, 96), (27, 5, 256), (13, 3, 384), (13, 3, 384), (13, 3, 256)]),
]


@pytest.mark.parametrize(("input_channels", "layers"), NETWORKS)
def test_network_sums_equal_python_sums_over_layers(input_channels, layers):
    chans = [input_channels] + [c for _, _, c in layers]
    macs = sum(m**2 * k**2 * chans[i] * chans[i + 1] for i, (m, k, _) in enumerate(layers))
    outputs = sum(m**2 * c for m, _, c in layers)
    weights = sum(k**2 * chans[i] * chans[i + 1] for i, (_, k, _) in enumerate(layers))
    biases = sum(c for _, _, c in layers)

    cost = symbolic.substitute_cnn(symbolic.cnn_forward_cost_expr(), input_channels, layers)
    assert cost["macs"] == cost["multiplies"] == macs
    assert cost["adds"] == macs  # (L - 1) adds per output plus one bias add
    no_bias = symbolic.substitute_cnn(symbolic.cnn_forward_cost_expr(bias=False), input_channels, layers)
    assert no_bias["adds"] == macs - outputs
    assert symbolic.substitute_cnn(symbolic.cnn_params_expr(), input_channels, layers) == weights + biases
    assert symbolic.substitute_cnn(symbolic.cnn_params_expr(bias=False), input_channels, layers) == weights
    assert symbolic.substitute_cnn(symbolic.cnn_feature_map_expr(), input_channels, layers) == outputs
    space = symbolic.substitute_cnn(symbolic.cnn_space_expr(), input_channels, layers)
    assert space == weights + biases + outputs
    seed_space = symbolic.substitute_cnn(symbolic.cnn_space_expr(bias=False), input_channels, layers)
    assert seed_space == weights + outputs


def test_network_sum_equals_counted_layers():
    """Each layer of a small CNN run under the counter ('same' padding, so M_l is the input side)."""
    layers, input_channels = [(12, 3, 4), (6, 5, 8), (3, 1, 2)], 2
    rng = np.random.default_rng(1)
    with count_ops() as counter:
        c_prev = input_channels
        for side, kernel, c in layers:
            x = rng.standard_normal((1, c_prev, side, side))
            w = rng.standard_normal((c, c_prev, kernel, kernel))
            conv2d(x, w, rng.standard_normal(c), padding=kernel // 2)
            c_prev = c
    cost = symbolic.substitute_cnn(symbolic.cnn_forward_cost_expr(), input_channels, layers)
    assert counter.as_dict() == {kind: int(value) for kind, value in cost.items()}


def test_sums_are_written_over_layers_and_reduce_to_the_seed_for_equal_layers():
    time = symbolic.cnn_forward_cost_expr(bias=False)["macs"]
    assert isinstance(time, sp.Sum)
    equal = time.replace(symbolic.feature_side, sp.Lambda(symbolic.layer, M))
    equal = equal.replace(symbolic.kernel_side, sp.Lambda(symbolic.layer, K))
    equal = equal.replace(symbolic.channels, sp.Lambda(symbolic.layer, C_in))
    assert sp.simplify(equal.doit() - symbolic.depth * M**2 * K**2 * C_in**2) == 0


@pytest.mark.parametrize(
    ("input_channels", "layers"),
    [(3, []), (3, [(4, 3)]), (0, [(4, 3, 2)]), (3, [(4, 3, 2.5)]), (3, [(True, 3, 2)])],
)
def test_substitute_cnn_rejects_bad_layers(input_channels, layers):
    with pytest.raises(ValueError, match=r"input_channels|layers"):
        symbolic.substitute_cnn(symbolic.cnn_params_expr(), input_channels, layers)
