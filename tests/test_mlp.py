"""course_lib.mlp computes the right numbers: against plain numpy, scipy.special and hand-worked examples.

Also: float32 stays float32, gradients cannot accumulate by accident, training
loops are seeded and learn, and bad input raises ValueError naming the argument.
(Counts are in tests/test_mlp_counts.py, gradient checks in tests/test_gradcheck.py.)
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.mlp import (
    MLP,
    activation_backward,
    activation_forward,
    add_bias_unit,
    dense_backward,
    dense_backward_bias_unit,
    dense_forward,
    dense_forward_bias_unit,
    from_theta,
    gradient_descent,
    minibatch_sgd,
    mse_loss,
    sgd,
    softmax_cross_entropy,
    to_theta,
)


@settings(max_examples=25)
@given(
    n_in=st.integers(1, 20), n_out=st.integers(1, 20), batch=st.integers(1, 10), seed=st.integers(0, 10**6)
)
def test_dense_forward_and_backward_match_plain_numpy(n_in, n_out, batch, seed):
    rng = np.random.default_rng(seed)
    x, W, b = (
        rng.standard_normal((batch, n_in)),
        rng.standard_normal((n_in, n_out)),
        rng.standard_normal(n_out),
    )
    out, cache = dense_forward(x, W, b)
    # out[i, j] = b[j] + sum_k x[i, k] W[k, j], written with einsum
    np.testing.assert_allclose(out, np.einsum("ik,kj->ij", x, W) + b, rtol=1e-12, atol=1e-12)
    dout = rng.standard_normal((batch, n_out))
    dx, dW, db = dense_backward(dout, cache)
    np.testing.assert_allclose(dx, np.einsum("ij,kj->ik", dout, W), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dW, np.einsum("ik,ij->kj", x, dout), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(db, dout.sum(axis=0), rtol=1e-12, atol=1e-12)


def test_bias_unit_notation_computes_the_same_layer():
    rng = np.random.default_rng(3)
    x, W, b = rng.standard_normal((5, 4)), rng.standard_normal((4, 3)), rng.standard_normal(3)
    theta = to_theta(W, b)
    assert theta.shape == (3, 5)
    np.testing.assert_array_equal(theta[:, 0], b)
    W2, b2 = from_theta(theta)
    np.testing.assert_array_equal(W2, W)
    np.testing.assert_array_equal(b2, b)
    np.testing.assert_array_equal(add_bias_unit(x)[:, 0], np.ones(5))
    out, cache = dense_forward_bias_unit(x, theta)
    np.testing.assert_allclose(out, dense_forward(x, W, b)[0], rtol=1e-12)
    dout = rng.standard_normal((5, 3))
    dx, dtheta = dense_backward_bias_unit(dout, cache)
    dx_ref, dW, db = dense_backward(dout, dense_forward(x, W, b)[1])
    np.testing.assert_allclose(dx, dx_ref, rtol=1e-12)
    np.testing.assert_allclose(dtheta, to_theta(dW, db), rtol=1e-12)
    assert dense_backward_bias_unit(dout, cache, need_dx=False)[0] is None


def test_activations_by_hand_and_against_scipy():
    z = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])
    np.testing.assert_array_equal(activation_forward(z, "relu")[0], [[0, 0, 0, 0.5, 3]])
    np.testing.assert_allclose(activation_forward(z, "sigmoid")[0], scipy.special.expit(z), rtol=1e-15)
    np.testing.assert_allclose(activation_forward(z, "tanh")[0], np.tanh(z), rtol=1e-15)
    np.testing.assert_array_equal(activation_forward(z, "identity")[0], z)
    # derivatives: relu' = [z > 0], sigmoid' = s (1 - s), tanh' = 1 / cosh^2, identity' = 1
    da = np.full_like(z, 2.0)
    np.testing.assert_array_equal(
        activation_backward(da, activation_forward(z, "relu")[1]), [[0, 0, 0, 2, 2]]
    )
    s = scipy.special.expit(z)
    np.testing.assert_allclose(activation_backward(da, activation_forward(z, "sigmoid")[1]), 2 * s * (1 - s))
    np.testing.assert_allclose(activation_backward(da, activation_forward(z, "tanh")[1]), 2 / np.cosh(z) ** 2)
    np.testing.assert_array_equal(activation_backward(da, activation_forward(z, "identity")[1]), da)
    # no overflow (or 0/0, inf/inf) for large |z|; an exp that underflows to 0 is harmless
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        big = activation_forward(np.array([[-800.0, 800.0]]), "sigmoid")[0]
    np.testing.assert_array_equal(big, [[0.0, 1.0]])


def test_losses_by_hand():
    # MSE: y = [[1, 2]], t = [[0, 0]]: (1 + 4) / 2 = 2.5, gradient 2 (y - t) / 2 = [[1, 2]]
    loss, grad = mse_loss(np.array([[1.0, 2.0]]), np.zeros((1, 2)))
    assert loss == 2.5
    np.testing.assert_array_equal(grad, [[1.0, 2.0]])
    # cross-entropy: equal logits over 2 classes: log 2, gradient (softmax - onehot) / B = [[-0.5, 0.5]]
    loss, grad = softmax_cross_entropy(np.array([[0.0, 0.0]]), np.array([0]))
    assert loss == pytest.approx(np.log(2), rel=1e-15)
    np.testing.assert_allclose(grad, [[-0.5, 0.5]], rtol=1e-15)
    # two samples, logits [ln 1, ln 3] -> softmax [1/4, 3/4]; labels 1 and 0:
    # loss = (-ln 3/4 - ln 1/4) / 2, gradient ([1/4, -1/4], [-3/4, 3/4]) / 2
    logits = np.log(np.array([[1.0, 3.0], [1.0, 3.0]]))
    loss, grad = softmax_cross_entropy(logits, np.array([1, 0]))
    assert loss == pytest.approx((-np.log(0.75) - np.log(0.25)) / 2, rel=1e-14)
    np.testing.assert_allclose(grad, [[0.125, -0.125], [-0.375, 0.375]], rtol=1e-14)


@settings(max_examples=25)
@given(
    batch=st.integers(1, 8), classes=st.integers(1, 10), scale=st.floats(0.1, 300), seed=st.integers(0, 10**6)
)
def test_softmax_cross_entropy_against_scipy(batch, classes, scale, seed):
    rng = np.random.default_rng(seed)
    logits = scale * rng.standard_normal((batch, classes))
    labels = rng.integers(0, classes, batch)
    loss, grad = softmax_cross_entropy(logits, labels)
    rows = np.arange(batch)
    ref = np.mean(scipy.special.logsumexp(logits, axis=1) - logits[rows, labels])
    assert loss == pytest.approx(ref, rel=1e-12, abs=1e-12)
    onehot = np.zeros_like(logits)
    onehot[rows, labels] = 1
    np.testing.assert_allclose(
        grad, (scipy.special.softmax(logits, axis=1) - onehot) / batch, rtol=1e-10, atol=1e-15
    )


def test_mlp_forward_matches_a_plain_numpy_network():
    model = MLP([4, 6, 5, 2], activation="tanh", output_activation="sigmoid", seed=7)
    X = np.random.default_rng(8).standard_normal((9, 4))
    a = X
    for layer, g in zip(model.params, [np.tanh, np.tanh, scipy.special.expit], strict=True):
        a = g(a @ layer["W"] + layer["b"])
    np.testing.assert_allclose(model.forward(X), a, rtol=1e-12)
    assert model.n_params == 4 * 6 + 6 + 6 * 5 + 5 + 5 * 2 + 2


def test_initialisation_is_seeded_and_scaled():
    a, b, c = MLP([50, 400, 3], seed=1), MLP([50, 400, 3], seed=1), MLP([50, 400, 3], seed=2)
    np.testing.assert_array_equal(a.params[0]["W"], b.params[0]["W"])
    assert not np.array_equal(a.params[0]["W"], c.params[0]["W"])
    # He for relu layers: std sqrt(2 / 50) = 0.2; Glorot for the identity output: sqrt(2 / 403)
    assert a.params[0]["W"].std() == pytest.approx(0.2, rel=0.05)
    assert a.params[1]["W"].std() == pytest.approx(np.sqrt(2 / 403), rel=0.1)
    assert np.all(a.params[0]["b"] == 0)
    t = MLP([50, 400, 3], activation="tanh", seed=1)
    assert t.params[0]["W"].std() == pytest.approx(np.sqrt(2 / 450), rel=0.05)


def test_float32_is_kept_throughout():
    model = MLP([3, 5, 4], activation="sigmoid", dtype=np.float32)
    X = np.random.default_rng(0).standard_normal((6, 3))  # float64 input is converted
    out = model.forward(X.astype(np.float32))
    assert out.dtype == np.float32
    assert model.forward(X).dtype == np.float32
    _, dout = softmax_cross_entropy(out, np.arange(6) % 4)
    assert dout.dtype == np.float32
    assert mse_loss(out, np.zeros((6, 4)))[1].dtype == np.float32
    model.backward(dout)
    assert all(g[name].dtype == np.float32 for g in model.grads for name in ("W", "b"))
    model.step(0.1)
    assert all(p[name].dtype == np.float32 for p in model.params for name in ("W", "b"))
    for g in ("relu", "sigmoid", "tanh", "identity"):
        z = np.linspace(-2, 2, 6, dtype=np.float32).reshape(2, 3)
        a, cache = activation_forward(z, g)
        assert a.dtype == np.float32
        assert activation_backward(np.ones_like(a), cache).dtype == np.float32
    x32 = X.astype(np.float32)
    out, cache = dense_forward(x32, np.ones((3, 2), np.float32), np.zeros(2, np.float32))
    assert out.dtype == np.float32
    assert all(g.dtype == np.float32 for g in dense_backward(np.ones_like(out), cache))
    hist = minibatch_sgd(MLP([3, 4, 2], dtype=np.float32), x32, np.zeros((6, 2)), lr=0.1, batch_size=2)
    assert hist.steps == 3
    np.testing.assert_allclose(
        MLP([3, 5, 4], "sigmoid", dtype=np.float32).forward(X),
        MLP([3, 5, 4], "sigmoid").forward(X),
        rtol=1e-5,
        atol=1e-6,
    )


def test_gradients_cannot_accumulate_silently():
    model = MLP([3, 4, 2], activation="tanh")
    X = np.random.default_rng(0).standard_normal((5, 3))
    with pytest.raises(RuntimeError, match="forward"):
        model.backward(np.ones((5, 2)))
    model.forward(X)
    model.backward(np.ones((5, 2)))
    first = [dict(g) for g in model.grads]
    with pytest.raises(RuntimeError, match="forward"):
        model.backward(np.ones((5, 2)))  # the cached pass is used up
    model.forward(X)
    model.backward(np.ones((5, 2)))  # overwrites, so the same gradients as before, not twice them
    for g, h in zip(first, model.grads, strict=True):
        np.testing.assert_array_equal(g["W"], h["W"])
    model.step(0.1)
    with pytest.raises(RuntimeError, match="backward"):
        model.step(0.1)  # the gradients were used up
    model.forward(X)
    model.backward(np.ones((5, 2)))
    model.zero_grad()
    with pytest.raises(RuntimeError, match="backward"):
        model.step(0.1)


def test_step_is_theta_minus_lr_grad():
    model = MLP([2, 3, 1], activation="tanh", seed=4)
    before = [{k: v.copy() for k, v in p.items()} for p in model.params]
    model.forward(np.ones((2, 2)))
    model.backward(np.ones((2, 1)))
    grads = [dict(g) for g in model.grads]
    model.step(0.25)
    for p, q, g in zip(model.params, before, grads, strict=True):
        for name in ("W", "b"):
            np.testing.assert_allclose(p[name], q[name] - 0.25 * g[name], rtol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_step_in_blocks_of_rows_equals_one_update(monkeypatch, dtype):
    """MLP.step updates in blocks of rows (a last, shorter block included): same numbers, same counts."""
    import course_lib.mlp.network as network
    from course_lib.counting import count_ops

    monkeypatch.setattr(network, "UPDATE_BLOCK_BYTES", 3 * 5 * np.dtype(dtype).itemsize)  # 3 rows of W(7, 5)
    model = MLP([7, 5, 2], seed=1, dtype=dtype)
    rng = np.random.default_rng(2)
    before = [{k: v.copy() for k, v in p.items()} for p in model.params]
    model.forward(rng.standard_normal((4, 7)))
    model.backward(rng.standard_normal((4, 2)))
    grads = [dict(g) for g in model.grads]
    with count_ops() as counter:
        model.step(0.125)
    for p, q, g in zip(model.params, before, grads, strict=True):
        for name in ("W", "b"):
            assert p[name].dtype == dtype
            # 0.125 is a power of two: lr * g is exact, so one rounding either way, bit for bit.
            np.testing.assert_array_equal(p[name], q[name] - dtype(0.125) * g[name])
    n_params = 7 * 5 + 5 + 5 * 2 + 2
    assert counter.as_dict()["multiplies"] == n_params and counter.as_dict()["adds"] == n_params


def test_training_loops_learn_and_are_seeded():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 3))
    Y = X @ np.array([[1.0], [-2.0], [0.5]]) + 0.1  # a linear target
    hist = gradient_descent(
        MLP([3, 1], activation="identity", output_activation="identity"), X, Y, lr=0.2, steps=60
    )
    assert hist.loss[-1] < 1e-3 * hist.loss[0]
    assert hist.steps == 60 and hist.batch_sizes == [64] * 60
    assert all(later <= earlier for earlier, later in zip(hist.loss, hist.loss[1:], strict=False))

    def run(seed):
        return minibatch_sgd(MLP([3, 8, 1], "tanh"), X, Y, lr=0.05, batch_size=10, epochs=3, seed=seed)

    a, b, c = run(1), run(1), run(2)
    assert a.loss == b.loss and a.counts == b.counts
    assert a.loss != c.loss
    assert a.batch_sizes == ([10] * 6 + [4]) * 3
    tracked = sgd(MLP([3, 8, 1], "tanh"), X, Y, lr=0.02, epochs=2, track_full_loss=True)
    assert len(tracked.full_loss) == tracked.steps == 128
    assert tracked.full_loss[-1] < tracked.full_loss[0]
    labels = (X[:, 0] > 0).astype(int)
    ce = gradient_descent(MLP([3, 2]), X, labels, lr=1.0, steps=50, loss="softmax_cross_entropy")
    assert ce.loss[-1] < 0.5 * ce.loss[0]


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: dense_forward(np.ones(3), np.ones((3, 2)), np.ones(2)), "x"),
        (lambda: dense_forward(np.ones((4, 5)), np.ones((3, 2)), np.ones(2)), "x"),
        (lambda: dense_forward(np.ones((0, 3)), np.ones((3, 2)), np.ones(2)), "empty batch"),
        (lambda: dense_forward(np.full((2, 3), np.nan), np.ones((3, 2)), np.ones(2)), "x must be finite"),
        (lambda: dense_forward(np.ones((2, 3)), np.ones(3), np.ones(2)), "W"),
        (lambda: dense_forward(np.ones((2, 3)), np.full((3, 2), np.inf), np.ones(2)), "W must be finite"),
        (lambda: dense_forward(np.ones((2, 3)), np.ones((3, 2)), np.ones(3)), "b"),
        (lambda: dense_forward(np.array([["a"]]), np.ones((1, 2)), np.ones(2)), "x"),
        (
            lambda: dense_backward(
                np.ones((2, 3)), dense_forward(np.ones((2, 3)), np.ones((3, 2)), [0, 0])[1]
            ),
            "dout",
        ),
        (lambda: dense_backward(np.ones((2, 2)), "cache"), "cache"),
        (lambda: dense_forward_bias_unit(np.ones((2, 3)), np.ones((2, 3))), "x"),
        (lambda: dense_forward_bias_unit(np.ones((2, 3)), np.ones(4)), "theta"),
        (lambda: activation_forward(np.ones((2, 2)), "softplus"), "activation"),
        (lambda: activation_forward(np.array([[np.nan]]), "relu"), "z"),
        (lambda: activation_backward(np.ones((3, 2)), activation_forward(np.ones((2, 2)))[1]), "da"),
        (lambda: mse_loss(np.ones((2, 2)), np.ones((2, 3))), "target"),
        (lambda: mse_loss(np.ones((0, 2)), np.ones((0, 2))), "empty batch"),
        (lambda: mse_loss(np.ones((2, 2)), np.full((2, 2), np.inf)), "target must be finite"),
        (lambda: softmax_cross_entropy(np.ones((2, 3)), np.array([0, 3])), "labels"),
        (lambda: softmax_cross_entropy(np.ones((2, 3)), np.array([0.0, 1.0])), "labels"),
        (lambda: softmax_cross_entropy(np.ones((2, 3)), np.array([0, 1, 2])), "labels"),
        (lambda: softmax_cross_entropy(np.array([[np.nan, 1.0]]), np.array([0])), "logits"),
        (lambda: MLP([3]), "widths"),
        (lambda: MLP([3, 0, 2]), r"widths\[1\]"),
        (lambda: MLP([3, 2.5]), r"widths\[1\]"),
        (lambda: MLP([3, 2], activation="swish"), "activation"),
        (lambda: MLP([3, 2], output_activation="softmax"), "activation"),
        (lambda: MLP([3, 2], dtype=np.int32), "dtype"),
        (lambda: MLP([3, 2]).forward(np.ones((2, 4))), "X"),
        (lambda: MLP([3, 2]).forward(np.ones((0, 3))), "empty batch"),
        (lambda: MLP([3, 2]).forward(np.full((1, 3), np.nan)), "X must be finite"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_bad_input_to_backward_step_and_training():
    model = MLP([3, 2])
    model.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match="dloss"):
        model.backward(np.ones((4, 3)))
    model.backward(np.ones((4, 2)))  # the failed call did not use up the forward pass
    for lr in (0, -1.0, float("nan"), "0.1"):
        with pytest.raises(ValueError, match="lr"):
            model.step(lr)
    X, Y = np.ones((6, 3)), np.zeros((6, 2))
    cases = [
        (lambda: gradient_descent(MLP([3, 2]), X, np.zeros((6, 3)), lr=0.1, steps=1), "Y"),
        (
            lambda: gradient_descent(
                MLP([3, 2]), X, np.zeros(6), lr=0.1, steps=1, loss="softmax_cross_entropy"
            ),
            "Y",
        ),
        (
            lambda: gradient_descent(
                MLP([3, 2]), X, np.full(6, 2), lr=0.1, steps=1, loss="softmax_cross_entropy"
            ),
            "Y",
        ),
        (lambda: gradient_descent(MLP([3, 2]), X, Y, lr=0.1, steps=0), "steps"),
        (lambda: gradient_descent(MLP([3, 2]), X, Y, lr=0.1, steps=1, loss="hinge"), "loss"),
        (lambda: minibatch_sgd(MLP([3, 2]), X, Y, lr=0.1, batch_size=7), "batch_size"),
        (lambda: minibatch_sgd(MLP([3, 2]), X, Y, lr=0.1, batch_size=0), "batch_size"),
        (lambda: sgd(MLP([3, 2]), X, Y, lr=0.1, epochs=0), "epochs"),
        (lambda: sgd(MLP([3, 2]), X[:, :2], Y, lr=0.1), "X"),
        (lambda: sgd(MLP([3, 2]), X, Y, lr=-0.1), "lr"),
    ]
    for call, name in cases:
        with pytest.raises(ValueError, match=name):
            call()
    with pytest.raises(ValueError, match="kind"):
        sgd(MLP([3, 2]), X, Y, lr=0.1).cumulative("seconds")
