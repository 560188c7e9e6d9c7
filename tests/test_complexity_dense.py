"""The dense-layer / MLP cost formulas of course_lib.complexity.dense.

Checked against small examples worked by hand (in the comments), against
identities that follow from the conventions without using the module (the
batch adds exactly the cost of summing per-sample gradients; the layers sum to
the network), against the sympy derivations of course_lib.symbolic, and for
their input checks. Counted runs of course_lib.mlp are compared with these
formulas in tests/test_mlp_counts.py.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import complexity, symbolic
from course_lib.complexity import Cost
from course_lib.complexity import dense as cx

widths_st = st.lists(st.integers(1, 40), min_size=2, max_size=6)
batch_st = st.integers(1, 16)


def test_hand_worked_network():
    # widths [2, 3, 1], batch B = 2.
    # forward: layer 1: 2*2*3 = 12 multiplies, 2*1*3 + 2*3 = 12 adds, 2*3 = 6 activations;
    #          layer 2: 2*3*1 = 6 multiplies, 2*2*1 + 2*1 = 6 adds, 2 activations.
    assert cx.mlp_forward_cost([2, 3, 1], 2) == Cost(multiplies=18, adds=18, activations=8, macs=18)
    # backward, layer 2 (with dx): g' 2 activations + 2 multiplies; dW 3*2*1 = 6 multiplies, 3*1*1 = 3 adds;
    #   db (2-1)*1 = 1 add; dx 2*1*3 = 6 multiplies, 2*0*3 = 0 adds.
    # layer 1 (no dx): g' 6 activations + 6 multiplies; dW 2*2*3 = 12 multiplies, 2*1*3 = 6 adds; db 3 adds.
    assert cx.mlp_backward_cost([2, 3, 1], 2) == Cost(multiplies=32, adds=13, activations=8, macs=24)
    # parameters: 2*3 + 3 + 3*1 + 1 = 13; the update is 13 multiplies and 13 adds.
    assert cx.mlp_params([2, 3, 1]) == 13
    assert cx.mlp_sgd_update_cost([2, 3, 1]) == Cost(multiplies=13, adds=13)
    # MSE over N = 2 outputs: 4 multiplies, 3 adds, 2 divides.
    assert cx.mse_loss_cost(1, 2) == Cost(multiplies=4, adds=3, divides=2)
    step = cx.mlp_training_step_cost([2, 3, 1], 2, loss="mse")
    assert step == Cost(multiplies=67, adds=47, divides=2, activations=16, macs=42)
    assert step.flops == 116
    assert step.as_dict() == {
        "multiplies": 67,
        "adds": 47,
        "divides": 2,
        "activations": 16,
        "macs": 42,
        "flops": 116,
    }


def test_hand_worked_softmax_cross_entropy():
    # B = 2 samples, C = 3 classes: shift 6 adds, exp 6, row sums 2*2 = 4 adds, log 2,
    # log-sum minus logit 2 adds, mean 1 add + 1 divide, softmax 6 divides, minus one-hot 2 adds,
    # divide by B 6 divides: 15 adds, 13 divides, 8 activations.
    assert cx.softmax_cross_entropy_cost(3, 2) == Cost(adds=15, divides=13, activations=8)
    assert cx.loss_cost("softmax_cross_entropy", 3, 2) == cx.softmax_cross_entropy_cost(3, 2)
    assert cx.loss_cost(None, 3, 2) == Cost()


def test_single_sample_backward_has_no_accumulating_adds():
    # With B = 1, dW = x^T dz is an outer product (no adds) and db = dz (no adds).
    parts = cx.dense_backward_costs(5, 4, 1)
    assert parts["dW"] == Cost(multiplies=20, macs=20)
    assert parts["db"] == Cost()
    assert parts["dx"] == Cost(multiplies=20, adds=1 * 3 * 5, macs=20)
    assert cx.dense_backward_costs(5, 4, 1, need_dx=False)["dx"] == Cost()


def test_bias_unit_costs_one_multiply_more_per_output():
    # theta applied to [1, x]: (B x (n_in+1))((n_in+1) x n_out) = 3*5*4 multiplies, 3*4*4 adds.
    assert cx.dense_forward_cost(4, 4, 3, bias_unit=True) == Cost(multiplies=60, adds=48, macs=60)
    assert cx.dense_forward_cost(4, 4, 3) == Cost(multiplies=48, adds=48, macs=48)
    diff_fwd = (
        cx.dense_forward_cost(7, 5, 3, bias_unit=True).multiplies - cx.dense_forward_cost(7, 5, 3).multiplies
    )
    diff_bwd = (
        cx.dense_backward_cost(7, 5, 3, bias_unit=True).multiplies
        - cx.dense_backward_cost(7, 5, 3).multiplies
    )
    assert diff_fwd == diff_bwd == 3 * 5
    assert cx.dense_backward_cost(7, 5, 3, bias_unit=True).adds == cx.dense_backward_cost(7, 5, 3).adds


@settings(max_examples=40)
@given(widths=widths_st, batch=batch_st)
def test_batch_costs_per_sample_costs_plus_gradient_summation(widths, batch):
    # Forward and activation work is per sample; backward with B samples is B single-sample backward
    # passes plus the (B - 1) * n_params adds that sum their parameter gradients.
    one_fwd, one_bwd = cx.mlp_forward_cost(widths, 1), cx.mlp_backward_cost(widths, 1)
    assert cx.mlp_forward_cost(widths, batch) == batch * one_fwd
    P = sum(a * b + b for a, b in itertools.pairwise(widths))
    assert cx.mlp_backward_cost(widths, batch) == batch * one_bwd + Cost(adds=(batch - 1) * P)


@settings(max_examples=30)
@given(widths=widths_st, batch=batch_st)
def test_network_is_the_sum_of_its_layers(widths, batch):
    layers = list(itertools.pairwise(widths))
    fwd = sum((cx.layer_forward_cost(a, b, batch) for a, b in layers), Cost())
    assert cx.mlp_forward_costs_per_layer(widths, batch) == [
        cx.layer_forward_cost(a, b, batch) for a, b in layers
    ]
    assert fwd == cx.mlp_forward_cost(widths, batch)
    bwd = sum((cx.layer_backward_cost(a, b, batch, need_dx=i > 0) for i, (a, b) in enumerate(layers)), Cost())
    assert bwd == cx.mlp_backward_cost(widths, batch)
    # closed forms of the totals, written out by hand
    S2 = sum(a * b for a, b in layers)
    outs = sum(widths[1:])
    assert fwd == Cost(multiplies=batch * S2, adds=batch * S2, activations=batch * outs, macs=batch * S2)
    first = widths[0] * widths[1]
    assert bwd.macs == 2 * batch * S2 - batch * first
    assert cx.mlp_params(widths) == S2 + outs


@settings(max_examples=25)
@given(widths=st.lists(st.integers(1, 30), min_size=2, max_size=5), batch=batch_st)
def test_formulas_equal_the_sympy_derivation(widths, batch):
    sym_fwd = symbolic.substitute_widths(symbolic.mlp_forward_cost_expr(), widths, batch)
    sym_bwd = symbolic.substitute_widths(symbolic.mlp_backward_cost_expr(), widths, batch)
    assert sym_fwd == cx.mlp_forward_cost(widths, batch).as_dict()
    assert sym_bwd == cx.mlp_backward_cost(widths, batch).as_dict()


@pytest.mark.parametrize("loss", ["mse", "softmax_cross_entropy", None])
@pytest.mark.parametrize(("widths", "batch"), [([3, 1], 1), ([4, 6, 2], 5), ([10, 7, 7, 3], 8)])
def test_training_step_equals_the_sympy_derivation(widths, batch, loss):
    expr = symbolic.mlp_training_step_cost_expr(loss=loss)
    assert (
        symbolic.substitute_widths(expr, widths, batch)
        == cx.mlp_training_step_cost(widths, batch, loss).as_dict()
    )


@settings(max_examples=30)
@given(n_in=st.integers(256, 2048), n_out=st.integers(256, 2048), data=st.data())
def test_wide_layer_backward_is_1_9_to_2_times_forward(n_in, n_out, data):
    # two products backward (dW, dx) against one forward; B between 16 and n_in / 2.
    batch = data.draw(st.integers(16, n_in // 2))
    forward = cx.layer_forward_cost(n_in, n_out, batch)
    backward = cx.layer_backward_cost(n_in, n_out, batch)
    for kind in ("flops", "total"):
        ratio = Fraction(getattr(backward, kind), getattr(forward, kind))
        assert Fraction(19, 10) <= ratio <= 2


def test_backward_forward_ratio_of_networks():
    # uniform L layers of n neurons, batch B: ratio of FLOPs = (4BLn^2 + BLn - 2Bn^2 + Bn - Ln^2 - Ln) / (2BLn^2)
    for L, n, B in [(1, 64, 8), (3, 256, 32), (8, 512, 64)]:
        widths = [n] * (L + 1)
        expected = Fraction(
            4 * B * L * n * n + B * L * n - 2 * B * n * n + B * n - L * n * n - L * n, 2 * B * L * n * n
        )
        assert cx.backward_forward_ratio(widths, B) == expected
    assert cx.backward_forward_ratio([8, 8], 1, kind="activations") == 1
    with pytest.raises(ValueError, match="kind"):
        cx.backward_forward_ratio([8, 8], 1, kind="seconds")


def test_cost_arithmetic():
    a, b = Cost(multiplies=1, adds=2, divides=3, activations=4, macs=1), Cost(adds=1)
    assert a + b == Cost(multiplies=1, adds=3, divides=3, activations=4, macs=1)
    assert sum([a, b]) == a + b
    assert 3 * b == b * 3 == Cost(adds=3)
    assert a.flops == 6 and a.total == 10
    assert list(a.as_dict()) == ["multiplies", "adds", "divides", "activations", "macs", "flops"]
    assert all(type(v) is int for v in a.as_dict().values())
    with pytest.raises(ValueError, match="multiplies"):
        Cost(multiplies=1.5)
    with pytest.raises(ValueError, match="adds"):
        Cost(adds=-1)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: cx.mlp_forward_cost([3, 0, 2]), r"widths\[1\]"),
        (lambda: cx.mlp_backward_cost([3, -2]), r"widths\[1\]"),
        (lambda: cx.mlp_forward_cost([3]), "widths"),
        (lambda: cx.mlp_forward_cost("32"), "widths"),
        (lambda: cx.mlp_forward_cost([3, 2.0]), r"widths\[1\]"),
        (lambda: cx.mlp_forward_cost([3, 2], batch=0), "batch"),
        (lambda: cx.mlp_training_step_cost([3, 2], batch=-1), "batch"),
        (lambda: cx.dense_forward_cost(0, 3), "n_in"),
        (lambda: cx.dense_backward_cost(3, 0), "n_out"),
        (lambda: cx.dense_forward_cost(3, 3, True), "batch"),
        (lambda: cx.activation_forward_cost(0), "n"),
        (lambda: cx.softmax_cross_entropy_cost(0, 2), "n_classes"),
        (lambda: cx.sgd_update_cost(-1), "n_params"),
        (lambda: cx.mlp_training_step_cost([3, 2], 1, loss="hinge"), "loss"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_complexity_does_not_import_the_implementations():
    import ast
    import inspect

    for module in (complexity, cx, complexity.cost):
        tree = ast.parse(inspect.getsource(module))
        imported = {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
        imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        for forbidden in ("course_lib.ops", "course_lib.counting", "course_lib.mlp", "course_lib.conv"):
            assert not any(m and m.startswith(forbidden) for m in imported), (module.__name__, forbidden)


def test_uniform_case_and_the_seed_formula():
    n, L, B = symbolic.n, symbolic.L, symbolic.B
    fwd = symbolic.uniform_widths(symbolic.mlp_forward_cost_expr())
    assert fwd["multiplies"] == B * L * n**2
    # one sample through n layers of n neurons: n^3, not the essay's n^4
    assert symbolic.leading_term(fwd["multiplies"].subs({L: n, B: 1}), n) == n**3
    seed = symbolic.uniform_widths(symbolic.seed_forward_multiplies_expr())
    assert sp.expand(seed - ((L - 1) * n**3 + n**2)) == 0
    assert symbolic.leading_term(seed.subs(L, n), n) == n**4
    # ... which is the cost of a batch of n samples
    assert symbolic.leading_term(fwd["multiplies"].subs({L: n, B: n}), n) == n**4
    # the essay's formula on concrete widths [a, b, c]: c*b*a + b*a
    assert symbolic.substitute_widths(symbolic.seed_forward_multiplies_expr(), [2, 3, 5]) == 5 * 3 * 2 + 3 * 2
    assert symbolic.substitute_widths(symbolic.seed_activation_count_expr(), [2, 3, 5]) == 8
    # backward / forward -> 2 - 1/L - 1/(2B) for wide layers
    bwd = symbolic.uniform_widths(symbolic.mlp_backward_cost_expr())
    ratio = sp.limit(bwd["flops"] / fwd["flops"], n, sp.oo)
    assert sp.simplify(ratio - (2 - 1 / L - 1 / (2 * B))) == 0
    # a training step costs about 6 x parameters x batch: n^2 (6BL - 2B + L), whose leading part is 6BLn^2
    step = symbolic.uniform_widths(symbolic.mlp_training_step_cost_expr(loss="mse"))
    wide = symbolic.leading_term(step["flops"], n)
    assert sp.expand(wide - n**2 * (6 * B * L - 2 * B + L)) == 0
    assert symbolic.leading_term(symbolic.leading_term(wide, B), L) == 6 * B * L * n**2


def test_symbolic_per_layer_pieces():
    parts = symbolic.dense_backward_costs_expr()
    n_in, n_out, B = symbolic.n_in, symbolic.n_out, symbolic.B
    assert parts["dW"]["adds"] == sp.expand(n_in * (B - 1) * n_out)
    assert parts["db"]["adds"] == sp.expand((B - 1) * n_out)
    assert parts["dx"]["adds"] == sp.expand(B * (n_out - 1) * n_in)
    with_unit = symbolic.dense_forward_cost_expr(bias_unit=True)
    without = symbolic.dense_forward_cost_expr()
    assert sp.expand(with_unit["multiplies"] - without["multiplies"]) == B * n_out
    assert sp.expand(with_unit["adds"] - without["adds"]) == 0
    with pytest.raises(ValueError, match="widths"):
        symbolic.substitute_widths(symbolic.mlp_forward_cost_expr(), [3])
    with pytest.raises(ValueError, match="batch"):
        symbolic.substitute_widths(symbolic.mlp_forward_cost_expr(), [3, 2], batch=0)
    with pytest.raises(ValueError, match="loss"):
        symbolic.mlp_training_step_cost_expr(loss="hinge")
