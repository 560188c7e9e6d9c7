"""What backprop holds: the cache formulas of complexity.memory against the caches the code really keeps."""

import numpy as np
import pytest
import sympy as sp

from course_lib import symbolic
from course_lib.complexity import cache_bytes, mlp_cache_bytes
from course_lib.complexity.memory import INDEX_BYTES, dtype_bytes, mlp_gradient_bytes
from course_lib.conv.steps import AvgPoolStep, ConvStep, FlattenStep, MaxPoolStep
from course_lib.memtrace import held_nbytes, peak_bytes
from course_lib.mlp import MLP
from course_lib.mlp.checkpoint import ActivationStep, DenseStep, _forward, checkpointed_gradients


def model_params(model):
    return [p[name] for p in model.params for name in ("W", "b")]


def test_hand_worked_mlp_cache():
    # widths 3 -> 4 -> 5, batch 2, float64: the input (2 x 3), a1 (2 x 4), a2 (2 x 5), 8 bytes each.
    assert mlp_cache_bytes([3, 4, 5], 2, "float64") == 8 * (6 + 8 + 10) == 192
    assert mlp_cache_bytes([3, 4, 5], 2, "float16") == 48


@pytest.mark.parametrize("seed", range(6))
def test_mlp_cache_formula_equals_the_real_caches(seed):
    rng = np.random.default_rng(seed)
    widths = [int(w) for w in rng.integers(1, 40, size=rng.integers(2, 7))]
    batch = int(rng.integers(1, 30))
    dtype = ("float64", "float32")[seed % 2]
    activation = ("relu", "tanh", "sigmoid", "identity")[seed % 4]
    model = MLP(widths, activation, seed=seed, dtype=np.dtype(dtype))
    model.forward(rng.standard_normal((batch, widths[0])))
    held = held_nbytes(model._caches, exclude=model_params(model))
    assert held == mlp_cache_bytes(widths, batch, dtype)
    # and sympy's sum over the layers, evaluated at these widths
    expr = symbolic.mlp_cache_bytes_expr().subs(symbolic.L, len(widths) - 1).doit()
    values = {symbolic.width(i): w for i, w in enumerate(widths)}
    values.update({symbolic.B: batch, symbolic.bytes_per_element: dtype_bytes(dtype)})
    assert expr.subs(values) == sp.Integer(held)


def small_cnn(rng, batch, c1, c2, hidden, dtype):
    """conv 5x5 (padding 2) -> relu -> max pool 2 -> conv 3x3 -> tanh -> avg pool 2 -> flatten -> dense -> relu -> dense."""

    def weights(*shape):
        return (0.1 * rng.standard_normal(shape)).astype(dtype)

    side = 12
    after = (side // 2 - 2) // 2  # 12 -> pool 6 -> conv3 4 -> pool 2
    steps = [
        ConvStep(weights(c1, 1, 5, 5), weights(c1), padding=2),
        ActivationStep("relu"),
        MaxPoolStep(2),
        ConvStep(weights(c2, c1, 3, 3), weights(c2)),
        ActivationStep("tanh"),
        AvgPoolStep(2),
        FlattenStep(),
        DenseStep(weights(c2 * after * after, hidden), weights(hidden)),
        ActivationStep("relu"),
        DenseStep(weights(hidden, 3), weights(3)),
    ]
    b = batch
    spec = [
        ("conv", b * c1 * side * side),
        ("activation", b * c1 * side * side),
        ("max_pool", b * c1 * 6 * 6),
        ("conv", b * c2 * 4 * 4),
        ("activation", b * c2 * 4 * 4),
        ("avg_pool", b * c2 * after * after),
        ("flatten", b * c2 * after * after),
        ("dense", b * hidden),
        ("activation", b * hidden),
        ("dense", b * 3),
    ]
    x = rng.standard_normal((batch, 1, side, side)).astype(dtype)
    params = [a for step in steps for a in step if isinstance(a, np.ndarray)]
    return steps, spec, x, params


@pytest.mark.parametrize("seed", range(4))
def test_cnn_cache_formula_equals_the_real_caches(seed):
    rng = np.random.default_rng(100 + seed)
    dtype = ("float32", "float64")[seed % 2]
    batch, c1, c2, hidden = (int(v) for v in rng.integers(1, 9, size=4))
    steps, spec, x, params = small_cnn(rng, batch, c1, c2, hidden, dtype)
    _, caches = _forward(steps, x)
    assert held_nbytes(caches, exclude=params) == cache_bytes(x.size, spec, dtype)


def test_cnn_cache_by_hand():
    # input 2 elements; conv keeps it (2 x 4 bytes), relu keeps its 6-element output,
    # max pool keeps 3 int64 indices, flatten is a view, dense keeps the pooled 3 elements.
    spec = [("conv", 6), ("activation", 6), ("max_pool", 3), ("flatten", 3), ("dense", 1)]
    assert cache_bytes(2, spec, "float32") == 4 * (2 + 6 + 3) + 3 * INDEX_BYTES


def test_held_nbytes_counts_a_view_once_and_skips_excluded_arrays():
    a = np.zeros((4, 5))
    assert held_nbytes([a, a.reshape(20), (a.T,)]) == 160
    assert held_nbytes({"x": a, "w": np.ones(3)}, exclude=[a]) == 24


def test_peak_of_a_training_step_lies_between_the_caches_and_the_caches_plus_work_arrays():
    # The activations the formula holds, minus the input (allocated before the measurement), are a
    # lower bound; on top come the parameter gradients and at most four work arrays of B x n_max
    # elements (while a layer runs backward: the incoming gradient, g'(a), dz and dx).
    widths, batch = [32] + [96] * 8, 512
    rng = np.random.default_rng(7)
    X, Y = rng.standard_normal((batch, widths[0])), rng.standard_normal((batch, widths[-1]))
    model = MLP(widths, "tanh", seed=0)
    _, peak = peak_bytes(checkpointed_gradients, model, X, Y, 1)
    held = mlp_cache_bytes(widths, batch) - X.nbytes
    work = mlp_gradient_bytes(widths) + 4 * batch * max(widths) * 8
    assert held <= peak <= held + work


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: mlp_cache_bytes([3, 4], 0), "batch"),
        (lambda: mlp_cache_bytes([3, 4], 2, "float128"), "dtype"),
        (lambda: mlp_cache_bytes([3, 0], 2), "widths"),
        (lambda: cache_bytes(4, [("softmax", 3)]), "steps"),
        (lambda: cache_bytes(0, [("dense", 3)]), "input_elements"),
    ],
)
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()
