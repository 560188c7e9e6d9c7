"""Gradient checkpointing: the same gradients, the extra forward work counted, the peak memory and sqrt(L)."""

import numpy as np
import pytest
import sympy as sp
from test_memory_cache import small_cnn
from threadpoolctl import threadpool_limits

from course_lib import count_ops, symbolic
from course_lib.complexity import (
    Cost,
    activation_forward_cost,
    avg_pool2d_cost,
    conv2d_forward_cost,
    dense_forward_cost,
    mlp_backward_cost,
    mlp_cache_bytes,
    mlp_checkpoint_extra_cost,
    mlp_checkpoint_peak_bytes,
    mlp_forward_cost,
    mlp_training_step_cost,
    mse_loss_cost,
    split_layers,
)
from course_lib.complexity.memory import checkpoint_peak_bytes
from course_lib.memtrace import peak_bytes
from course_lib.mlp import MLP, mse_loss, training_step
from course_lib.mlp.checkpoint import checkpointed_gradients, checkpointed_training_step, run_checkpointed


def random_problem(seed):
    rng = np.random.default_rng(seed)
    widths = [int(w) for w in rng.integers(1, 30, size=rng.integers(3, 9))]
    batch = int(rng.integers(1, 20))
    X = rng.standard_normal((batch, widths[0]))
    Y = rng.standard_normal((batch, widths[-1]))
    activation = ("relu", "tanh", "sigmoid", "identity")[seed % 4]
    return widths, batch, X, Y, MLP(widths, activation, seed=seed)


def test_split_layers_by_hand():
    assert split_layers(7, 3) == [(0, 3), (3, 5), (5, 7)]
    assert split_layers(16, 4) == [(0, 4), (4, 8), (8, 12), (12, 16)]
    assert split_layers(5, 1) == [(0, 5)]
    assert split_layers(3, 3) == [(0, 1), (1, 2), (2, 3)]


@pytest.mark.parametrize("seed", range(8))
def test_checkpointed_gradients_equal_the_plain_backward_exactly(seed):
    widths, _, X, Y, model = random_problem(seed)
    value, dout = mse_loss(model.forward(X), Y)
    model.backward(dout)
    plain = model.grads
    for segments in range(1, len(widths)):
        assert checkpointed_gradients(model, X, Y, segments) == value
        for mine, ref in zip(model.grads, plain, strict=True):
            assert np.array_equal(mine["W"], ref["W"]) and np.array_equal(mine["b"], ref["b"])


@pytest.mark.parametrize("seed", range(8))
def test_counted_extra_work_equals_the_formula(seed):
    widths, batch, X, Y, model = random_problem(seed)
    plain = (
        mlp_forward_cost(widths, batch) + mse_loss_cost(widths[-1], batch) + mlp_backward_cost(widths, batch)
    )
    for segments in range(1, len(widths)):
        with count_ops() as counter:
            checkpointed_gradients(model, X, Y, segments)
        extra = mlp_checkpoint_extra_cost(widths, batch, segments)
        assert counter.as_dict() == (plain + extra).as_dict()
    # by hand: with one layer per segment every layer but the last is recomputed
    assert mlp_checkpoint_extra_cost(widths, batch, len(widths) - 1) == mlp_forward_cost(widths[:-1], batch)
    assert mlp_checkpoint_extra_cost(widths, batch, 1) == Cost()


def test_a_checkpointed_training_step_updates_exactly_like_a_plain_one():
    widths, batch, X, Y, model = random_problem(3)
    twin = MLP(widths, "identity", seed=3)
    with count_ops() as counter:
        value = checkpointed_training_step(model, X, Y, lr=0.05, segments=2)
    assert value == training_step(twin, X, Y, lr=0.05)
    for mine, ref in zip(model.params, twin.params, strict=True):
        assert np.array_equal(mine["W"], ref["W"]) and np.array_equal(mine["b"], ref["b"])
    expected = mlp_training_step_cost(widths, batch) + mlp_checkpoint_extra_cost(widths, batch, 2)
    assert counter.as_dict() == expected.as_dict()


@pytest.mark.parametrize(
    ("layers", "segments"), [(16, 1), (16, 2), (16, 4), (16, 8), (16, 16), (9, 3), (12, 6)]
)
def test_peak_of_equal_segments_is_s_b_n_times_c_plus_l_over_c(layers, segments):
    n, batch = 5, 3
    widths = [n] * (layers + 1)
    independent = 8 * batch * n * (segments + layers // segments)
    assert mlp_checkpoint_peak_bytes(widths, batch, segments) == independent
    expr = symbolic.checkpoint_peak_expr()
    values = {symbolic.L: layers, symbolic.segments: segments, symbolic.B: batch, symbolic.n: n}
    assert expr.subs({**values, symbolic.bytes_per_element: 8}) == independent


def test_one_segment_keeps_everything():
    widths = [7, 3, 9, 2]
    assert mlp_checkpoint_peak_bytes(widths, 4, 1, "float32") == mlp_cache_bytes(widths, 4, "float32")


def test_sympy_finds_the_square_root_optimum():
    optimum = symbolic.checkpoint_optimum()
    assert sp.simplify(optimum["c"] - sp.sqrt(symbolic.L)) == 0
    n, B, s = symbolic.n, symbolic.B, symbolic.bytes_per_element
    assert sp.simplify(optimum["peak"] - 2 * sp.sqrt(symbolic.L) * s * B * n) == 0
    # the integer formula agrees: for L = 16 no number of segments beats c = 4
    peaks = {c: mlp_checkpoint_peak_bytes([4] * 17, 2, c) for c in range(1, 17)}
    assert min(peaks.values()) == peaks[4] == 8 * 2 * 4 * 8
    # and the recomputation is (c - 1)/c of a forward pass
    extra = symbolic.checkpoint_extra_forward_expr().subs({symbolic.L: 16, symbolic.segments: 4, B: 2, n: 4})
    assert extra == mlp_checkpoint_extra_cost([4] * 17, 2, 4).flops


def test_measured_peak_follows_the_formula_over_the_segments():
    # 16 layers of width 128, batch 1024, float64: one layer's activations are 1 MiB, the parameters small.
    widths, batch = [64] + [128] * 16, 1024
    rng = np.random.default_rng(1)
    X, Y = rng.standard_normal((batch, 64)), rng.standard_normal((batch, 128))
    model = MLP(widths, "tanh", seed=0)
    unit = batch * 128 * 8
    measured, formula = {}, {}
    for segments in (1, 4, 16):
        with threadpool_limits(limits=1, user_api="blas"):  # two BLAS threads crawl on a busy machine
            _, measured[segments] = peak_bytes(checkpointed_gradients, model, X, Y, segments)
        formula[segments] = mlp_checkpoint_peak_bytes(widths, batch, segments) - X.nbytes
        # above the activations held, below them plus the gradients and four work arrays
        assert formula[segments] <= measured[segments] <= formula[segments] + 6 * unit
    assert measured[4] < measured[1] - 6 * unit and measured[4] < measured[16] - 6 * unit


def cnn_forward_costs(spec_costs, bounds):
    return sum((spec_costs[t] for t in range(bounds[-1][0])), Cost())


@pytest.mark.parametrize("seed", range(3))
def test_cnn_checkpointing_same_gradients_and_counted_recomputation(seed):
    rng = np.random.default_rng(seed)
    batch, c1, c2, hidden = 2 + seed, 3, 4, 5
    steps, spec, x, _ = small_cnn(rng, batch, c1, c2, hidden, "float64")
    target = rng.standard_normal((batch, 3))

    def head(out):
        return mse_loss(out, target)

    # forward cost of each step, from the formulas
    costs = [
        conv2d_forward_cost(1, 12, 12, c1, 5, padding=2, batch=batch),
        activation_forward_cost(c1 * 144, batch),
        Cost(),
        conv2d_forward_cost(c1, 6, 6, c2, 3, batch=batch),
        activation_forward_cost(c2 * 16, batch),
        avg_pool2d_cost(c2, 4, 4, 2, batch=batch),
        Cost(),
        dense_forward_cost(c2 * 4, hidden, batch),
        activation_forward_cost(hidden, batch),
        dense_forward_cost(hidden, 3, batch),
    ]
    with count_ops() as plain_count:
        value, plain = run_checkpointed(steps, x, [(0, len(steps))], head)
    for segments in range(2, len(steps) + 1):
        bounds = split_layers(len(steps), segments)
        with count_ops() as counter:
            again, grads = run_checkpointed(steps, x, bounds, head)
        assert again == value
        for mine, ref in zip(grads, plain, strict=True):
            assert mine.keys() == ref.keys() and all(np.array_equal(mine[k], ref[k]) for k in ref)
        extra = cnn_forward_costs(costs, bounds)
        assert counter.as_dict() == {
            k: plain_count.as_dict()[k] + extra.as_dict()[k] for k in extra.as_dict()
        }
        assert checkpoint_peak_bytes(x.size, spec, bounds) > 0


@pytest.mark.parametrize("segments", [0, -1, 4, 2.0, True])
def test_bad_segments_name_the_argument(segments):
    model = MLP([3, 4, 5, 6], seed=0)
    X, Y = np.ones((2, 3)), np.ones((2, 6))
    with pytest.raises(ValueError, match="segments"):
        checkpointed_gradients(model, X, Y, segments)
    with pytest.raises(ValueError, match="segments"):
        mlp_checkpoint_peak_bytes([3, 4, 5, 6], 2, segments)
    with pytest.raises(ValueError, match="segments"):
        mlp_checkpoint_extra_cost([3, 4, 5, 6], 2, segments)


def test_bad_batch_and_dtype_name_the_argument():
    with pytest.raises(ValueError, match="batch"):
        mlp_checkpoint_peak_bytes([3, 4], 0, 1)
    with pytest.raises(ValueError, match="dtype"):
        mlp_checkpoint_peak_bytes([3, 4], 2, 1, "float8")
    with pytest.raises(ValueError, match="X"):
        checkpointed_gradients(MLP([3, 4]), np.ones((0, 3)), np.ones((0, 4)), 1)
