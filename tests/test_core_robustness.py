"""Bad and odd inputs to the kernels (mlp, conv, ops, counting): a ValueError naming the argument, or the right answer.

The cases of issue 10 (strict flags, checked caches, memory guard, the MLP's
arguments, col2im's x_shape, max pooling of all -inf windows), each asserting
the exception type and that the message names the argument. The memory guard
is tested both with the machine's real memory (sizes no machine has, refused
in well under a second) and with a small fake limit.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from course_lib import conv, mlp, ops, validation
from course_lib.counting import matmul_naive
from course_lib.mlp import layers as mlp_layers

NOT_BOOLS = st.one_of(
    st.integers(), st.text(max_size=3), st.floats(allow_nan=False), st.none(), st.just(np.array([True]))
)


def raises_naming(name: str, call, *args, **kwargs) -> str:
    with pytest.raises(ValueError) as caught:
        call(*args, **kwargs)
    message = str(caught.value)
    assert message.startswith(name) or f" {name} " in message, message
    return message


@pytest.fixture(scope="module")
def layers():
    """One forward pass of each layer kind, with its cache."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 6, 6))
    out, conv_cache = conv.conv2d_forward(x, rng.standard_normal((4, 3, 3, 3)), np.zeros(4))
    pooled = {
        "max": conv.max_pool2d_forward(x, 2),
        "avg": conv.avg_pool2d_forward(x, 2),
        "global": conv.global_avg_pool2d_forward(x),
    }
    dense_out, dense_cache = mlp.dense_forward(
        rng.standard_normal((2, 3)), rng.standard_normal((3, 4)), np.zeros(4)
    )
    return {"conv": (out, conv_cache), "dense": (dense_out, dense_cache), **pooled}


# ---------------------------------------------------------------- one layer contract


@given(flag=NOT_BOOLS)
def test_need_dx_is_strict_in_dense_and_conv(layers, flag):
    out, cache = layers["conv"]
    raises_naming("need_dx", conv.conv2d_backward, np.ones_like(out), cache, need_dx=flag)
    out, cache = layers["dense"]
    raises_naming("need_dx", mlp.dense_backward, np.ones_like(out), cache, need_dx=flag)


def test_need_dx_is_keyword_only_in_dense_and_conv(layers):
    for kind, backward in (("conv", conv.conv2d_backward), ("dense", mlp.dense_backward)):
        out, cache = layers[kind]
        with pytest.raises(TypeError):
            backward(np.ones_like(out), cache, False)


def test_dense_and_conv_return_the_same_gradient_names(layers):
    for kind, backward in (("conv", conv.conv2d_backward), ("dense", mlp.dense_backward)):
        out, cache = layers[kind]
        grads = backward(np.ones_like(out), cache, need_dx=False)
        assert isinstance(grads, ops.Gradients) and grads._fields == ("dx", "dw", "db")
        assert grads.dx is None and grads.db is not None


def test_dense_bias_is_optional_like_conv():
    rng = np.random.default_rng(1)
    x, W = rng.standard_normal((5, 3)), rng.standard_normal((3, 2))
    out, cache = mlp.dense_forward(x, W)
    np.testing.assert_allclose(out, x @ W, rtol=1e-15)
    dout = rng.standard_normal(out.shape)
    dx, dW, db = mlp.dense_backward(dout, cache)
    assert db is None
    np.testing.assert_allclose(dW, x.T @ dout, rtol=1e-14)
    np.testing.assert_allclose(dx, dout @ W.T, rtol=1e-14)


CACHE_OWNERS = {
    "conv": conv.conv2d_backward,
    "dense": mlp.dense_backward,
    "max": conv.max_pool2d_backward,
    "avg": conv.avg_pool2d_backward,
    "global": conv.global_avg_pool2d_backward,
}


@pytest.mark.parametrize("owner", sorted(CACHE_OWNERS))
@pytest.mark.parametrize("other", [*sorted(CACHE_OWNERS), None, "cache", (1, 2)])
def test_every_backward_checks_its_cache(layers, owner, other):
    out = layers[owner][0]
    cache = layers[other][1] if other in CACHE_OWNERS else other
    if other == owner:
        CACHE_OWNERS[owner](np.ones_like(out), cache)  # its own cache works
        return
    message = raises_naming("cache", CACHE_OWNERS[owner], np.ones_like(out), cache)
    assert "returned by" in message


# ---------------------------------------------------------------- max pooling of -inf windows


def test_max_pool_gradient_of_an_all_minus_inf_window_goes_to_real_cells():
    # The example: 3x3 of -inf, kernel 3, stride 1, padding 1. Each of the 9 windows sends its
    # gradient to its first real cell (row by row), never to the padding, as PyTorch's CPU kernel does:
    # windows at (r, s) pick input cell (max(0, r - 1), max(0, s - 1)).
    x = np.full((1, 1, 3, 3), -np.inf)
    out, cache = conv.max_pool2d_forward(x, 3, 1, 1)
    assert np.all(out == -np.inf)
    dx = conv.max_pool2d_backward(np.ones_like(out), cache)
    np.testing.assert_array_equal(dx[0, 0], [[4, 2, 0], [2, 1, 0], [0, 0, 0]])
    assert dx.sum() == 9


@given(
    seed=st.integers(0, 2**16),
    kernel=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    fraction=st.sampled_from([0.0, 0.5, 0.9, 1.0]),
    data=st.data(),
)
def test_max_pool_matches_pytorch_with_minus_inf_and_ties(seed, kernel, stride, fraction, data):
    torch = pytest.importorskip("torch")
    padding = tuple(data.draw(st.integers(0, k // 2)) for k in kernel)
    shape = tuple(
        data.draw(st.integers(max(1, k - 2 * p), k + 4)) for k, p in zip(kernel, padding, strict=True)
    )
    rng = np.random.default_rng(seed)
    x = np.round(rng.standard_normal((2, 2, *shape)))  # rounding makes ties
    x[rng.random(x.shape) < fraction] = -np.inf
    out, cache = conv.max_pool2d_forward(x, kernel, stride, padding)
    dout = rng.standard_normal(out.shape)
    dx = conv.max_pool2d_backward(dout, cache)
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.nn.functional.max_pool2d(tx, kernel, stride, padding)
    ty.backward(torch.tensor(dout))
    np.testing.assert_array_equal(out, ty.detach().numpy())
    # Overlapping windows add their gradients in another order than PyTorch: at most K_h K_w = 16 terms of
    # |dout| < 6 each, so rounding stays below 16 * 6 * 2.2e-16 ~ 2e-14 in absolute terms.
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=0, atol=2e-14)


# ---------------------------------------------------------------- the MLP's arguments


@pytest.mark.parametrize("widths", [np.array([3, 4, 2]), (3, 4, 2), "3 4 2", "3, 4, 2", [np.int32(3), 4, 2]])
def test_mlp_accepts_widths_as_any_integer_sequence_or_text(widths):
    model = mlp.MLP(widths)
    assert model.widths == [3, 4, 2] and all(type(w) is int for w in model.widths)
    assert model.forward(np.ones((1, 3))).shape == (1, 2)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"seed": -1}, "seed"),
        ({"seed": "x"}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"dtype": "banana"}, "dtype"),
        ({"dtype": np.int64}, "dtype"),
        ({"dtype": [1]}, "dtype"),
        ({"activation": ["relu"]}, "activation"),
        ({"output_activation": "softmax"}, "output_activation"),
        ({"widths": [3]}, "widths"),
        ({"widths": [3, 0]}, "widths"),
        ({"widths": [3, 2.5]}, "widths"),
        ({"widths": "3,,2"}, "widths"),
    ],
)
def test_mlp_arguments_get_clear_errors(kwargs, name):
    arguments = {"widths": [3, 4], **kwargs}
    raises_naming(name, mlp.MLP, **arguments)


def test_mlp_seed_none_draws_fresh_weights():
    assert mlp.MLP([3, 4], seed=None).widths == [3, 4]


@pytest.mark.parametrize("model", [None, "model", [3, 4]])
def test_training_functions_check_the_model(model):
    X, Y = np.ones((4, 3)), np.ones((4, 2))
    raises_naming("model", mlp.training_step, model, X, Y, 0.1)
    raises_naming("model", mlp.gradient_descent, model, X, Y, lr=0.1, steps=1)
    raises_naming("model", mlp.minibatch_sgd, model, X, Y, lr=0.1, batch_size=2)


@given(flag=NOT_BOOLS)
def test_training_flags_are_strict(flag):
    model, X, Y = mlp.MLP([3, 2]), np.ones((4, 3)), np.ones((4, 2))
    raises_naming("track_full_loss", mlp.gradient_descent, model, X, Y, lr=0.1, steps=1, track_full_loss=flag)
    raises_naming(
        "track_full_loss", mlp.minibatch_sgd, model, X, Y, lr=0.1, batch_size=2, track_full_loss=flag
    )


def test_matmul_of_text_is_refused_in_words():
    raises_naming("a", matmul_naive, [["a"]], [["b"]])
    raises_naming("b", matmul_naive, [[1.0]], [["b"]])
    raises_naming("a", ops.matmul, np.array([["a"]]), np.ones((1, 1)))


# ---------------------------------------------------------------- col2im's x_shape


@pytest.mark.parametrize(
    ("x_shape", "fragment"),
    [
        ((2.7, 3, 8, 8), "x_shape[0] is 2.7"),
        ((2, 3, -8, 8), "x_shape[2] is -8"),
        ((2, 3, 8), "exactly 4"),
        ((2, 3, 8, 8, 1), "exactly 4"),
        ((True, 3, 8, 8), "x_shape[0] is True"),
        ("2,3,8,8", "x_shape must be a tuple"),
    ],
)
def test_col2im_refuses_a_bad_x_shape(x_shape, fragment):
    cols = conv.im2col(np.ones((2, 3, 8, 8)), 3)
    assert fragment in raises_naming("x_shape", conv.col2im, cols, x_shape, 3)


def test_col2im_accepts_numpy_integers_in_x_shape():
    cols = conv.im2col(np.ones((2, 3, 8, 8)), 3)
    shape = np.array([2, 3, 8, 8])
    assert conv.col2im(cols, tuple(shape), 3).shape == (2, 3, 8, 8)


# ---------------------------------------------------------------- memory guard

HUGE = [
    ("padding", lambda: conv.conv2d(np.ones((1, 1, 1, 1)), np.ones((1, 1, 1, 1)), padding=10**5)),
    ("padding", lambda: conv.conv2d_naive(np.ones((1, 1, 1, 1)), np.ones((1, 1, 1, 1)), padding=10**5)),
    ("padding", lambda: conv.im2col(np.ones((1, 1, 1, 1)), 1, padding=10**5)),
    ("padding", lambda: conv.col2im(np.ones((1, 1, 1)), (1, 1, 1, 1), 1, padding=10**5)),
    ("padding", lambda: conv.max_pool2d_forward(np.ones((1, 1, 1, 1)), 2 * 10**5 + 1, padding=10**5)),
    ("padding", lambda: conv.avg_pool2d_forward(np.ones((1, 1, 1, 1)), 2 * 10**5 + 1, padding=10**5)),
    ("x and w", lambda: conv.conv2d(np.ones((1, 1, 1000, 1000)), np.ones((10**4, 1, 1, 1)))),
    ("widths", lambda: mlp.MLP([10**5, 10**5])),
    ("widths", lambda: mlp.MLP([10**6, 10**6], dtype=np.float32)),
    (
        "steps",
        lambda: mlp.gradient_descent(mlp.MLP([2, 1]), np.ones((3, 2)), np.ones((3, 1)), lr=0.1, steps=10**9),
    ),
    (
        "epochs",
        lambda: mlp.minibatch_sgd(
            mlp.MLP([2, 1]), np.ones((3, 2)), np.ones((3, 1)), lr=0.1, batch_size=1, epochs=10**9
        ),
    ),
    ("X", lambda: mlp.MLP([1, 10**4, 1]).forward(np.ones((10**7, 1)))),
]


@pytest.mark.parametrize(("name", "call"), HUGE)
def test_sizes_beyond_any_memory_are_refused_quickly_with_the_size_and_the_limit(name, call):
    start = time.perf_counter()
    message = raises_naming(name, call)
    assert time.perf_counter() - start < 5  # a refusal, not an attempt
    assert "would need" in message and "available" in message and "iB" in message


def test_the_guard_uses_the_available_memory(monkeypatch):
    # With 100 MiB "available", a 20000-wide layer (3.2 GB of float64) is refused, 2000-wide is not.
    monkeypatch.setattr(validation, "available_memory", lambda: 100 * 2**20)
    message = raises_naming("widths", mlp.MLP, [2000, 20000])
    assert "100.0 MiB" in message
    assert mlp.MLP([2000, 2000]).n_params == 2000 * 2000 + 2000
    raises_naming("padding", conv.conv2d, np.ones((1, 1, 1, 1)), np.ones((1, 1, 1, 1)), padding=3000)
    assert conv.conv2d(np.ones((1, 1, 1, 1)), np.ones((1, 1, 1, 1)), padding=100).shape == (1, 1, 201, 201)


def test_gradient_descent_does_not_build_a_list_of_every_step(monkeypatch):
    # 10**6 steps of a tiny model fit in memory; the loop must consume its batches lazily, so
    # stopping it after 3 steps costs 3 steps, not a list of a million index arrays first.
    calls = []

    class Stop(Exception):
        pass

    def stop_after_three(*args, **kwargs):
        calls.append(1)
        if len(calls) > 3:
            raise Stop
        return 0.0

    monkeypatch.setattr("course_lib.mlp.training.training_step", stop_after_three)
    start = time.perf_counter()
    with pytest.raises(Stop):
        mlp.gradient_descent(mlp.MLP([2, 1]), np.ones((3, 2)), np.ones((3, 1)), lr=0.1, steps=10**6)
    assert time.perf_counter() - start < 1 and len(calls) == 4


# ---------------------------------------------------------------- checks off the hot path


def test_a_training_step_scans_only_its_data_never_the_weights(monkeypatch):
    # Item 8 of issue 10: arguments are checked where they enter. One step of MLP([50, 40, 30, 3]) on a
    # batch of 4 may scan X (4 x 50), the logits and labels (4 x 3) and dloss (4 x 3) for NaNs, but
    # none of the 3,333 weights: the model checked them once, at construction.
    scanned = []
    real = validation.check_finite

    def spy(name, array):
        scanned.append((name, np.size(array)))
        real(name, array)

    for module in ("network", "layers", "activations", "losses", "training"):
        if hasattr(getattr(mlp, module), "check_finite"):
            monkeypatch.setattr(f"course_lib.mlp.{module}.check_finite", spy)
    model = mlp.MLP([50, 40, 30, 3])
    X, y = np.ones((4, 50)), np.array([0, 1, 2, 0])
    mlp.training_step(model, X, y, 0.1, loss="softmax_cross_entropy")
    assert sum(size for _, size in scanned) <= 4 * 50 + 2 * 4 * 3
    assert {name for name, _ in scanned} <= {"X", "logits", "dloss"}


def test_the_public_layer_functions_still_check_everything():
    with pytest.raises(ValueError, match="W must be finite"):
        mlp.dense_forward(np.ones((2, 3)), np.full((3, 2), np.nan), np.zeros(2))
    with pytest.raises(ValueError, match="z must be finite"):
        mlp.activation_forward(np.array([[np.inf]]))
    assert mlp_layers.dense_forward_unchecked is not mlp.dense_forward


# ---------------------------------------------------------------- problems, exhaustive, timing


@pytest.fixture(scope="module")
def problem():
    from course_lib.problems import LeastSquares

    return LeastSquares.from_spectrum([1.0, 0.5], n_samples=8, seed=1)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"record": [0, 2.7]}, "record"),  # used to be truncated to step 2
        ({"record": [0, 11]}, "record"),
        ({"record": "0 5"}, "record"),
        ({"seed": -1}, "seed"),
        ({"blow_up": 0.5}, "blow_up"),
        ({"lr": "0.1"}, "lr"),
        ({"lr": lambda t: -1.0}, "lr"),
        ({"steps": 10**12}, "steps"),
        ({"batch_size": 0}, "batch_size"),
    ],
)
def test_descend_arguments_get_clear_errors(problem, kwargs, name):
    from course_lib.problems import descend

    arguments = {"steps": 10, "lr": 0.1, **kwargs}
    raises_naming(name, descend, problem, np.zeros(2), **arguments)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"noise": True}, "noise"),
        ({"noise": -1.0}, "noise"),
        ({"seed": "x"}, "seed"),
        ({"n_samples": 1.5}, "n_samples"),
    ],
)
def test_from_spectrum_arguments_get_clear_errors(kwargs, name):
    from course_lib.problems import LeastSquares

    raises_naming(name, LeastSquares.from_spectrum, [1.0, 0.5], **{"n_samples": 8, **kwargs})


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"widths": "2 2 x"}, "widths"),
        ({"seeds": [0, -1]}, "seeds"),
        ({"seeds": "0 1"}, "seeds"),
        ({"lr": float("inf")}, "lr"),
        ({"X": [["a", "b"]]}, "X"),
    ],
)
def test_train_many_arguments_get_clear_errors(kwargs, name):
    from course_lib.exhaustive import train_many

    arguments = {
        "widths": [2, 2, 1],
        "X": np.ones((4, 2)),
        "Y": np.ones((4, 1)),
        "seeds": [0, 1],
        "steps": 2,
        "lr": 0.1,
        **kwargs,
    }
    raises_naming(name, train_many, **arguments)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"repeats": 0}, "repeats"), ({"repeats": 2.5}, "repeats"), ({"budget": 0}, "budget")],
)
def test_time_call_arguments_get_clear_errors(kwargs, name):
    from course_lib.timing import time_call

    raises_naming(name, time_call, lambda: None, **kwargs)
