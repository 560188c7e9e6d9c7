"""The symbolic conv backward of course_lib.symbolic against the exact integers of course_lib.complexity,
against counted runs of `course_lib.conv.conv2d_backward`, and against a hand-worked layer.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import complexity, symbolic
from course_lib.conv import conv2d_backward, conv2d_forward
from course_lib.counting import count_ops
from course_lib.symbolic import C_in, C_out, H_out, K, K_h, K_w, M, W_out, conv_batch, conv_groups

SYMBOLS = (C_in, C_out, H_out, W_out, K_h, K_w, conv_groups, conv_batch)


def _evaluate(cost: dict[str, sp.Expr], values: dict[sp.Symbol, int]) -> dict[str, int]:
    out = {}
    for kind, expr in cost.items():
        value = sp.sympify(expr).subs(values)
        assert isinstance(value, sp.Integer), f"{kind} = {value} is not an integer"
        out[kind] = int(value)
    return out


@st.composite
def conv_layers(draw):
    groups = draw(st.integers(1, 4))
    c_in = groups * draw(st.integers(1, 4))
    c_out = groups * draw(st.integers(1, 4))
    k_h, k_w = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    height = draw(st.integers(max(1, dilation[0] * (k_h - 1) + 1 - 2 * padding[0]), 20))
    width = draw(st.integers(max(1, dilation[1] * (k_w - 1) + 1 - 2 * padding[1]), 20))
    batch = draw(st.integers(1, 4))
    return batch, c_in, height, width, c_out, (k_h, k_w), stride, padding, dilation, groups


@settings(max_examples=150, deadline=None)
@given(layer=conv_layers(), bias=st.booleans(), need_dx=st.booleans())
def test_each_gradient_equals_the_complexity_integers(layer, bias, need_dx):
    batch, c_in, height, width, c_out, kernel, stride, padding, dilation, groups = layer
    geometry = {"stride": stride, "padding": padding, "dilation": dilation}
    h_out, w_out = complexity.conv2d_output_shape(height, width, kernel, **geometry)
    values = dict(zip(SYMBOLS, (c_in, c_out, h_out, w_out, *kernel, groups, batch), strict=True))
    expected = complexity.conv2d_backward_costs(
        c_in, height, width, c_out, kernel, groups=groups, bias=bias, batch=batch, need_dx=need_dx, **geometry
    )
    parts = symbolic.conv2d_backward_costs_expr(*SYMBOLS, bias=bias, need_dx=need_dx)
    assert set(parts) == {"dx", "dW", "db"}
    for name, cost in parts.items():
        assert _evaluate(cost, values) == expected[name].as_dict(), name
    total = symbolic.conv2d_backward_cost_expr(*SYMBOLS, bias=bias, need_dx=need_dx)
    assert _evaluate(total, values) == sum(expected.values(), complexity.Cost()).as_dict()


@pytest.mark.parametrize("need_dx", [True, False])
@pytest.mark.parametrize(
    "layer",
    [
        # (N, C_in, H, W, C_out, (K_h, K_w), stride, padding, dilation, groups)
        (2, 3, 7, 5, 4, (3, 3), 2, 1, 1, 1),
        (1, 4, 6, 9, 6, (3, 5), (2, 1), (1, 2), 1, 2),
        (3, 6, 5, 5, 6, (3, 3), 1, 1, 1, 6),
    ],
)
def test_total_equals_a_counted_backward_pass(layer, need_dx):
    batch, c_in, height, width, c_out, (k_h, k_w), stride, padding, dilation, groups = layer
    rng = np.random.default_rng(3)
    x = rng.standard_normal((batch, c_in, height, width))
    w = rng.standard_normal((c_out, c_in // groups, k_h, k_w))
    out, cache = conv2d_forward(
        x, w, rng.standard_normal(c_out), stride=stride, padding=padding, dilation=dilation, groups=groups
    )
    with count_ops() as counter:
        conv2d_backward(np.ones_like(out), cache, need_dx=need_dx)
    values = dict(zip(SYMBOLS, (c_in, c_out, *out.shape[2:], k_h, k_w, groups, batch), strict=True))
    total = symbolic.conv2d_backward_cost_expr(*SYMBOLS, bias=True, need_dx=need_dx)
    assert _evaluate(total, values) == counter.as_dict()


def test_a_hand_worked_layer():
    # One 3x3 input, a 2x2 kernel, one channel in and out: P = 4 positions, L = 4 weights.
    # dW: 4 weights, each a dot product of length 4 -> 16 multiplies, 12 adds; db: 3 adds;
    # dx: (4 x 1)(1 x 4) -> 16 multiplies and no adds, then col2im adds the 16 entries.
    values = dict(zip(SYMBOLS, (1, 1, 2, 2, 2, 2, 1, 1), strict=True))
    parts = {name: _evaluate(c, values) for name, c in symbolic.conv2d_backward_costs_expr(*SYMBOLS).items()}
    assert (parts["dW"]["multiplies"], parts["dW"]["adds"]) == (16, 12)
    assert parts["db"]["adds"] == 3 and parts["db"]["multiplies"] == 0
    assert (parts["dx"]["multiplies"], parts["dx"]["adds"], parts["dx"]["macs"]) == (16, 16, 16)


def test_backward_is_about_twice_the_forward_in_the_seeds_symbols():
    square = (C_in, C_out, M, M, K, K)
    forward = symbolic.conv2d_forward_cost_expr(*square)
    backward = symbolic.conv2d_backward_cost_expr(*square)
    assert sp.simplify(backward["macs"] - 2 * forward["macs"]) == 0
    assert sp.simplify(forward["macs"] - M**2 * K**2 * C_in * C_out) == 0
    # flops: 2 E L - C_out L (dW) + 2 E L (dx) + C_out (M^2 - 1) (db), with E L = M^2 K^2 C_in C_out
    leading = symbolic.leading_term(backward["flops"], M)
    assert sp.expand(leading - (4 * K**2 * C_in + 1) * C_out * M**2) == 0
    without_dx = symbolic.conv2d_backward_cost_expr(*square, need_dx=False)
    assert sp.simplify(without_dx["macs"] - forward["macs"]) == 0
