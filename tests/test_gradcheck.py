"""Gradient checks: the checker itself (against closed-form derivatives) and every MLP piece.

Every layer, activation and loss, and whole networks of depth 1-4, agree with
centred finite differences to a relative error below 1e-7 (float64). The
checker is shown to fail on a wrong gradient, so a pass means something.
"""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import gradcheck as gc
from course_lib.mlp import MLP, activation_forward, dense_forward, get_loss

TOL = 1e-7


def test_relative_error_by_hand():
    # |1 - 1.1| / 1.1 and |2 - 2| / 2: max is 0.1 / 1.1
    assert gc.relative_error(np.array([1.0, 2.0]), np.array([1.1, 2.0])) == pytest.approx(
        0.1 / 1.1, rel=1e-12
    )
    assert gc.relative_error(np.array([-3.0]), np.array([3.0])) == pytest.approx(2.0)
    assert gc.relative_error(np.zeros(3), np.zeros(3)) == 0.0  # the floor avoids 0 / 0
    assert gc.relative_error(np.array([0.0]), np.array([1e-13])) == pytest.approx(0.1)  # 1e-13 / floor 1e-12
    assert gc.relative_error(np.array([0.0]), np.array([1e-13]), floor=1e-9) == pytest.approx(1e-4)


@pytest.mark.parametrize("order", [2, 4])
def test_numerical_gradient_of_functions_with_known_derivatives(order):
    x = np.array([[0.3, -1.2], [2.0, 0.7]])
    # f = sum sin(x) * x^2 -> f' = cos(x) x^2 + 2 x sin(x)
    grad = gc.numerical_gradient(lambda v: float(np.sum(np.sin(v) * v**2)), x, order=order)
    exact = np.cos(x) * x**2 + 2 * x * np.sin(x)
    assert gc.relative_error(grad, exact) < 1e-9
    np.testing.assert_array_equal(x, [[0.3, -1.2], [2.0, 0.7]])  # restored after perturbing
    # a quadratic has zero third derivative: order 2 is exact up to rounding
    quad = gc.numerical_gradient(lambda v: float(np.sum(3 * v**2 + v)), x, h=1e-3, order=order)
    assert gc.relative_error(quad, 6 * x + 1) < 1e-9


def test_order_4_beats_order_2_at_the_same_step():
    # truncation error: h^2 f'''/6 for order 2, h^4 f^(5)/30 for order 4 (exp: every derivative is exp)
    x = np.array([0.5])
    for h in (1e-2, 1e-3):
        two = gc.numerical_gradient(lambda v: float(np.exp(v).sum()), x, h=h, order=2)
        four = gc.numerical_gradient(lambda v: float(np.exp(v).sum()), x, h=h, order=4)
        assert abs(two[0] - np.exp(0.5)) == pytest.approx(h**2 * np.exp(0.5) / 6, rel=1e-2)
        assert abs(four[0] - np.exp(0.5)) < abs(two[0] - np.exp(0.5)) / 100


def test_a_wrong_gradient_is_caught():
    rng = np.random.default_rng(0)
    x, W, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)
    dout = rng.standard_normal((4, 2))

    def f(v):
        return float(np.sum(dense_forward(x, v, b)[0] * dout))

    right = x.T @ dout
    assert gc.check_gradient(f, W, right) < TOL
    assert gc.check_gradient(f, W, 1.001 * right) > 1e-4  # 0.1 % off
    assert gc.check_gradient(f, W, right.T.reshape(3, 2)) > 1e-2  # transposed by mistake
    # tanh' written as 1 - z^2 instead of 1 - tanh(z)^2
    z = rng.standard_normal((4, 2))
    a = activation_forward(z, "tanh")[0]
    wrong = dout * (1 - z**2)
    assert gc.check_gradient(lambda v: float(np.sum(np.tanh(v) * dout)), z, wrong) > 1e-2
    assert gc.check_gradient(lambda v: float(np.sum(np.tanh(v) * dout)), z, dout * (1 - a**2)) < TOL


@pytest.mark.parametrize(("batch", "n_in", "n_out"), [(1, 1, 1), (1, 5, 3), (4, 3, 2), (7, 6, 5)])
def test_dense_layer_gradients(batch, n_in, n_out):
    rng = np.random.default_rng(batch + n_in + n_out)
    x, W, b = (
        rng.standard_normal((batch, n_in)),
        rng.standard_normal((n_in, n_out)),
        rng.standard_normal(n_out),
    )
    errors = gc.check_dense(x, W, b, rng.standard_normal((batch, n_out)))
    assert set(errors) == {"dx", "dW", "db"}
    assert max(errors.values()) < TOL, errors
    unit = gc.check_dense_bias_unit(
        x, rng.standard_normal((n_out, n_in + 1)), rng.standard_normal((batch, n_out))
    )
    assert max(unit.values()) < TOL, unit


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "identity"])
def test_activation_gradients(activation):
    rng = np.random.default_rng(5)
    z = rng.standard_normal((6, 5)) * 3
    z[np.abs(z) < 0.05] = 0.5  # keep the ReLU kink at 0 farther than 2h from every input
    assert gc.check_activation(activation, z, rng.standard_normal((6, 5))) < TOL


@pytest.mark.parametrize("batch", [1, 3, 8])
def test_loss_gradients(batch):
    rng = np.random.default_rng(batch)
    y = rng.standard_normal((batch, 4)) * 2
    assert gc.check_loss("mse", y, rng.standard_normal((batch, 4))) < TOL
    assert gc.check_loss("softmax_cross_entropy", y, rng.integers(0, 4, batch)) < TOL


DEPTHS_1_TO_4 = [([3, 2], "tanh"), ([4, 5, 3], "tanh"), ([3, 6, 5, 2], "sigmoid"), ([4, 6, 6, 6, 3], "tanh")]
WHOLE = [(w, g, loss) for w, g in DEPTHS_1_TO_4 for loss in ("mse", "softmax_cross_entropy")] + [
    ([4, 6, 6, 6, 3], "sigmoid", "mse"),
    ([4, 6, 6, 6, 3], "sigmoid", "softmax_cross_entropy"),
    ([2, 7, 1], "sigmoid", "mse"),
    ([5, 4, 4, 4], "tanh", "mse"),
]


@pytest.mark.parametrize(("widths", "activation", "loss"), WHOLE)
def test_whole_network_gradients(widths, activation, loss):
    rng = np.random.default_rng(len(widths))
    model = MLP(widths, activation=activation, seed=3)
    X = rng.standard_normal((5, widths[0]))
    if loss == "mse":
        Y = rng.standard_normal((5, widths[-1]))
    else:
        Y = rng.integers(0, widths[-1], 5)
    params_before = [{k: v.copy() for k, v in p.items()} for p in model.params]
    errors = gc.check_mlp(model, X, Y, loss)
    assert len(errors) == 2 * (len(widths) - 1)
    assert max(errors.values()) < TOL, errors
    for p, q in zip(model.params, params_before, strict=True):  # parameters restored
        np.testing.assert_array_equal(p["W"], q["W"])
    # the checker is left with a valid forward pass: backward works once
    model.backward(get_loss(loss)(model.forward(X), Y)[1])


def test_relu_network_away_from_kinks():
    model = MLP([3, 8, 8, 2], activation="relu", seed=11)
    X = np.random.default_rng(12).standard_normal((4, 3))
    Y = np.random.default_rng(13).standard_normal((4, 2))
    # precondition: no pre-activation within 1e-2 of the kink (the stencil reaches 2h = 2e-3)
    a = X
    for p in model.params[:-1]:
        z = a @ p["W"] + p["b"]
        assert np.abs(z).min() > 1e-2
        a = np.maximum(z, 0)
    errors = gc.check_mlp(model, X, Y)
    assert max(errors.values()) < TOL, errors


def test_order_2_is_good_enough_for_single_layers():
    rng = np.random.default_rng(1)
    x, W, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 2)), rng.standard_normal(2)
    errors = gc.check_dense(x, W, b, rng.standard_normal((3, 2)), order=2)
    assert max(errors.values()) < TOL


def test_bad_input():
    with pytest.raises(ValueError, match="float64"):
        gc.numerical_gradient(lambda v: 0.0, np.ones(3, dtype=np.float32))
    with pytest.raises(ValueError, match="x"):
        gc.numerical_gradient(lambda v: 0.0, np.ones((0,)))
    with pytest.raises(ValueError, match="h"):
        gc.numerical_gradient(lambda v: 0.0, np.ones(3), h=0)
    with pytest.raises(ValueError, match="order"):
        gc.numerical_gradient(lambda v: 0.0, np.ones(3), order=3)
    with pytest.raises(ValueError, match="shape"):
        gc.relative_error(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="floor"):
        gc.relative_error(np.ones(3), np.ones(3), floor=0)
    with pytest.raises(ValueError, match="analytic"):
        gc.check_gradient(lambda v: 0.0, np.ones(3), np.ones(2))
    with pytest.raises(ValueError, match="model"):
        gc.check_mlp(MLP([2, 2], dtype=np.float32), np.ones((1, 2)), np.ones((1, 2)))
    with pytest.raises(ValueError, match="z"):
        gc.check_activation("tanh", np.ones((2, 2), dtype=np.float32), np.ones((2, 2)))


def test_norm_wise_relative_error_by_hand():
    # a = (3, 4), b = (3, 4.5): ||a - b|| = 0.5, ||a|| = 5, ||b|| = sqrt(29.25); 0.5 / sqrt(29.25)
    a, b = np.array([3.0, 4.0]), np.array([3.0, 4.5])
    assert gc.relative_error(a, b, measure="norm") == pytest.approx(0.5 / np.sqrt(29.25), rel=1e-12)
    assert gc.relative_error(np.zeros(3), np.zeros(3), measure="norm") == 0.0
    # A near-zero entry with a rounding-sized error decides the elementwise error, not the norm-wise one:
    # the case hypothesis found in tests/test_conv_backward.py (entry 1.4e-10, error ~1e-16).
    exact = np.array([1.0, -2.0, 1.370849186443818e-10])
    noisy = exact + np.array([2e-16, -4e-16, 9.1e-17])
    assert gc.relative_error(exact, noisy) > 1e-7
    assert gc.relative_error(exact, noisy, measure="norm") < 1e-15


@pytest.mark.parametrize(
    ("a", "b"),
    [(np.array([1.0, 2.0, 1e-9]), np.array([1.1, 2.0, 3e-9])), (np.array([-3.0, 1.0]), np.array([3.0, 0.0]))],
)
def test_norm_wise_error_is_at_most_sqrt_2_times_the_elementwise_one(a, b):
    assert gc.relative_error(a, b, measure="norm") <= np.sqrt(2) * gc.relative_error(a, b) * (1 + 1e-12)


@pytest.mark.parametrize(
    ("error", "reading"),
    [
        (0.0, "agree"),
        (9e-8, "agree"),
        (1e-7, "fine if"),
        (5e-5, "fine if"),
        (1e-4, "suspicious"),
        (1e-2, "wrong"),
        (3.0, "wrong"),
    ],
)
def test_verdict_follows_cs231n_tiers(error, reading):
    assert gc.verdict(error).startswith(reading)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: gc.relative_error(np.ones(2), np.ones(2), measure="mean"), "measure"),
        (lambda: gc.relative_error(np.ones(2), np.ones(2), floor=0), "floor"),
        (lambda: gc.relative_error(np.ones(2), np.ones(3)), "b"),
        (lambda: gc.relative_error(np.array(["x"]), np.ones(1)), "a"),
        (lambda: gc.numerical_gradient(np.sum, np.ones(2), order=3), "order"),
        (lambda: gc.numerical_gradient(np.sum, np.ones(2), h=-1.0), "h"),
        (lambda: gc.verdict(float("nan")), "error"),
        (lambda: gc.check_mlp(None, np.ones((1, 2)), np.ones((1, 1))), "model"),
    ],
)
def test_gradcheck_arguments_get_clear_errors(call, name):
    with pytest.raises(ValueError, match=f"^{name} "):
        call()


def test_check_mlp_norm_wise_on_the_deep_sigmoid_network():
    # Notebook 03's deep network: order 2 fails the elementwise 1e-7 (tiny first-layer entries), while the
    # norm-wise error of every parameter is far below it: the gradients are right.
    deep = MLP([4, 6, 6, 6, 3], activation="sigmoid", seed=5)
    X = np.random.default_rng(15).standard_normal((5, 4))
    Y = np.random.default_rng(25).standard_normal((5, 3))
    assert max(gc.check_mlp(deep, X, Y, order=2).values()) > TOL
    assert max(gc.check_mlp(deep, X, Y, order=2, measure="norm").values()) < TOL
