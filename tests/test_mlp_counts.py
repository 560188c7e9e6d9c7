"""Counted operations of course_lib.mlp equal the formulas exactly.

Each run of the real implementation under count_ops is compared with the
independent exact-integer formulas of course_lib.complexity.dense and with the
sympy derivations of course_lib.symbolic, substituted. Random architectures
and batch sizes come from hypothesis.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import count_ops, symbolic
from course_lib.complexity import Cost
from course_lib.complexity import dense as cx
from course_lib.mlp import (
    MLP,
    activation_backward,
    activation_forward,
    dense_backward,
    dense_backward_bias_unit,
    dense_forward,
    dense_forward_bias_unit,
    gradient_descent,
    minibatch_sgd,
    mse_loss,
    sgd,
    softmax_cross_entropy,
)

widths_st = st.lists(st.integers(1, 12), min_size=2, max_size=5)
batch_st = st.integers(1, 9)
activation_st = st.sampled_from(["relu", "sigmoid", "tanh", "identity"])

# Derived once: the sums over layers with symbolic widths n(0..L) and batch B.
SYM_FORWARD = symbolic.mlp_forward_cost_expr()
SYM_BACKWARD = symbolic.mlp_backward_cost_expr()
SYM_UPDATE = symbolic.mlp_sgd_update_cost_expr()


def counted(fn, *args, **kwargs):
    with count_ops() as counter:
        result = fn(*args, **kwargs)
    return result, counter.as_dict()


@settings(max_examples=25)
@given(widths=widths_st, batch=batch_st, activation=activation_st, seed=st.integers(0, 2**16))
def test_forward_backward_update_counts_equal_formulas_and_sympy(widths, batch, activation, seed):
    rng = np.random.default_rng(seed)
    model = MLP(widths, activation=activation, seed=seed)
    X = rng.standard_normal((batch, widths[0]))
    out, fwd = counted(model.forward, X)
    _, bwd = counted(model.backward, rng.standard_normal(out.shape))
    _, upd = counted(model.step, 0.01)

    assert fwd == cx.mlp_forward_cost(widths, batch).as_dict()
    assert bwd == cx.mlp_backward_cost(widths, batch).as_dict()
    assert upd == cx.mlp_sgd_update_cost(widths).as_dict()
    assert fwd == symbolic.substitute_widths(SYM_FORWARD, widths, batch)
    assert bwd == symbolic.substitute_widths(SYM_BACKWARD, widths, batch)
    assert upd == symbolic.substitute_widths(SYM_UPDATE, widths)
    assert model.n_params == cx.mlp_params(widths)


@settings(max_examples=25)
@given(n_in=st.integers(1, 20), n_out=st.integers(1, 20), batch=batch_st, need_dx=st.booleans())
def test_dense_layer_counts_per_gradient(n_in, n_out, batch, need_dx):
    rng = np.random.default_rng(n_in * 1000 + n_out * 10 + batch)
    x, W, b = (
        rng.standard_normal((batch, n_in)),
        rng.standard_normal((n_in, n_out)),
        rng.standard_normal(n_out),
    )
    (_, cache), fwd = counted(dense_forward, x, W, b)
    assert fwd == cx.dense_forward_cost(n_in, n_out, batch).as_dict()
    dout = rng.standard_normal((batch, n_out))
    parts = cx.dense_backward_costs(n_in, n_out, batch, need_dx=need_dx)
    with count_ops() as all_grads:
        with count_ops() as dW_count:
            dense_backward(dout, cache, need_dx=False)  # dW and db only
        (dx, _, _), _ = counted(dense_backward, dout, cache, need_dx=need_dx)
    assert (dx is None) == (not need_dx)
    # the first call is dW + db; the second the same plus dx when asked
    assert dW_count.as_dict() == (parts["dW"] + parts["db"]).as_dict()
    assert all_grads.as_dict() == (2 * (parts["dW"] + parts["db"]) + parts["dx"]).as_dict()
    by_op = all_grads.breakdown()
    assert by_op["sum"] == ({"adds": 2 * (batch - 1) * n_out} if batch > 1 else {})
    sym = symbolic.dense_backward_cost_expr(need_dx=need_dx)
    values = {symbolic.n_in: n_in, symbolic.n_out: n_out, symbolic.B: batch}
    assert {k: int(v.subs(values)) for k, v in sym.items()} == cx.dense_backward_cost(
        n_in, n_out, batch, need_dx=need_dx
    ).as_dict()


@settings(max_examples=20)
@given(n_in=st.integers(1, 15), n_out=st.integers(1, 15), batch=batch_st)
def test_bias_unit_counts(n_in, n_out, batch):
    rng = np.random.default_rng(n_in + 31 * n_out + 977 * batch)
    x, theta = rng.standard_normal((batch, n_in)), rng.standard_normal((n_out, n_in + 1))
    (_, cache), fwd = counted(dense_forward_bias_unit, x, theta)
    _, bwd = counted(dense_backward_bias_unit, rng.standard_normal((batch, n_out)), cache)
    assert fwd == cx.dense_forward_cost(n_in, n_out, batch, bias_unit=True).as_dict()
    assert bwd == cx.dense_backward_cost(n_in, n_out, batch, bias_unit=True).as_dict()
    standard = cx.dense_forward_cost(n_in, n_out, batch)
    assert fwd["multiplies"] - standard.multiplies == batch * n_out
    assert fwd["adds"] == standard.adds


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "identity"])
def test_activation_counts(activation):
    z = np.linspace(-3, 3, 24).reshape(4, 6)
    (a, cache), fwd = counted(activation_forward, z, activation)
    _, bwd = counted(activation_backward, np.ones_like(a), cache)
    assert fwd == cx.activation_forward_cost(6, 4).as_dict() == Cost(activations=24).as_dict()
    assert bwd == cx.activation_backward_cost(6, 4).as_dict() == Cost(activations=24, multiplies=24).as_dict()


@settings(max_examples=20)
@given(n_out=st.integers(1, 12), batch=batch_st, seed=st.integers(0, 1000))
def test_loss_counts(n_out, batch, seed):
    rng = np.random.default_rng(seed)
    y = rng.standard_normal((batch, n_out))
    _, mse = counted(mse_loss, y, rng.standard_normal((batch, n_out)))
    _, ce = counted(softmax_cross_entropy, y, rng.integers(0, n_out, batch))
    assert mse == cx.mse_loss_cost(n_out, batch).as_dict()
    assert ce == cx.softmax_cross_entropy_cost(n_out, batch).as_dict()
    values = {symbolic.n_out: n_out, symbolic.B: batch}
    assert mse == {k: int(v.subs(values)) for k, v in symbolic.mse_loss_cost_expr().items()}
    assert ce == {k: int(v.subs(values)) for k, v in symbolic.softmax_cross_entropy_cost_expr().items()}


@settings(max_examples=20)
@given(
    widths=st.lists(st.integers(1, 8), min_size=2, max_size=4),
    n_samples=st.integers(1, 12),
    data=st.data(),
    loss=st.sampled_from(["mse", "softmax_cross_entropy"]),
)
def test_training_histories_count_every_step(widths, n_samples, data, loss):
    rng = np.random.default_rng(n_samples)
    X = rng.standard_normal((n_samples, widths[0]))
    if loss == "mse":
        Y = rng.standard_normal((n_samples, widths[-1]))
    else:
        Y = rng.integers(0, widths[-1], n_samples)
    batch_size = data.draw(st.integers(1, n_samples))
    epochs = data.draw(st.integers(1, 3))

    hist = minibatch_sgd(MLP(widths, "tanh"), X, Y, lr=0.05, batch_size=batch_size, epochs=epochs, loss=loss)
    per_epoch = [batch_size] * (n_samples // batch_size) + (
        [n_samples % batch_size] if n_samples % batch_size else []
    )
    assert hist.batch_sizes == per_epoch * epochs
    steps = [cx.mlp_training_step_cost(widths, b, loss) for b in hist.batch_sizes]
    expected = [sum(steps[: t + 1], Cost()).as_dict() for t in range(len(steps))]
    assert hist.counts == expected

    gd = gradient_descent(MLP(widths, "tanh"), X, Y, lr=0.05, steps=3, loss=loss)
    one = cx.mlp_training_step_cost(widths, n_samples, loss)
    assert gd.cumulative("flops") == [one.flops, 2 * one.flops, 3 * one.flops]
    assert gd.cumulative("total") == [t * one.total for t in (1, 2, 3)]

    stochastic = sgd(MLP(widths, "tanh"), X, Y, lr=0.05, epochs=1, loss=loss)
    assert stochastic.batch_sizes == [1] * n_samples
    assert (
        stochastic.cumulative("multiplies")[-1]
        == n_samples * cx.mlp_training_step_cost(widths, 1, loss).multiplies
    )


@pytest.mark.parametrize(
    ("n_in", "n_out", "batch"),
    [(256, 256, 32), (512, 256, 16), (256, 1024, 64), (300, 700, 100), (1024, 512, 256)],
)
def test_wide_layers_count_backward_between_1_9_and_2_times_forward(n_in, n_out, batch):
    rng = np.random.default_rng(0)
    x, W, b = rng.standard_normal((batch, n_in)), rng.standard_normal((n_in, n_out)), np.zeros(n_out)
    with count_ops() as fwd:
        z, dense_cache = dense_forward(x, W, b)
        a, act_cache = activation_forward(z, "relu")
    with count_ops() as bwd:
        dz = activation_backward(np.ones_like(a), act_cache)
        dense_backward(dz, dense_cache)
    for kind in ("flops", "total"):
        f = fwd.flops if kind == "flops" else fwd.flops + fwd.activations
        g = bwd.flops if kind == "flops" else bwd.flops + bwd.activations
        assert Fraction(19, 10) <= Fraction(g, f) <= 2
    assert bwd.as_dict() == cx.layer_backward_cost(n_in, n_out, batch).as_dict()


@pytest.mark.parametrize(
    ("widths", "batch"),
    [([784, 256, 10], 32), ([256, 256, 256, 256], 1), ([64] * 9, 16), ([10, 300, 300, 1], 50)],
)
def test_whole_network_ratio_is_what_the_formula_says(widths, batch):
    model = MLP(widths, "relu")
    X = np.random.default_rng(1).standard_normal((batch, widths[0]))
    out, fwd = counted(model.forward, X)
    _, bwd = counted(model.backward, np.ones_like(out))
    assert Fraction(bwd["flops"], fwd["flops"]) == cx.backward_forward_ratio(widths, batch)
    total = Fraction(bwd["flops"] + bwd["activations"], fwd["flops"] + fwd["activations"])
    assert total == cx.backward_forward_ratio(widths, batch, kind="total")


def test_float32_counts_are_the_same():
    widths, batch = [5, 8, 3], 4
    X = np.random.default_rng(2).standard_normal((batch, 5)).astype(np.float32)
    model = MLP(widths, "sigmoid", dtype=np.float32)
    out, fwd = counted(model.forward, X)
    _, bwd = counted(model.backward, np.ones_like(out))
    assert fwd == cx.mlp_forward_cost(widths, batch).as_dict()
    assert bwd == cx.mlp_backward_cost(widths, batch).as_dict()
