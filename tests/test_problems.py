"""Tests of course_lib.problems (least squares and the descent loop of notebooks/04_gradient_descent.ipynb).

References are independent of the module: numpy's own eigen-solver and
least-squares solver, plain numpy formulas for the loss and gradient, the
closed-form iterates of gradient descent on a quadratic in the Hessian's
eigenbasis, and operation counts worked out by hand (gradient on B rows:
2Bd multiplies, 2Bd - d adds, d divides; a step adds d multiplies and d adds).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.counting import count_ops
from course_lib.problems import Descent, LeastSquares, descend


def small_problem(d: int = 5, n: int = 12, noise: float = 0.3, seed: int = 0) -> LeastSquares:
    return LeastSquares.from_spectrum(np.geomspace(2.0, 0.1, d), n, noise=noise, seed=seed)


@settings(max_examples=25, deadline=None)
@given(
    lam=st.lists(st.floats(0.0, 10.0), min_size=1, max_size=8).filter(lambda v: max(v) > 1e-3),
    extra=st.integers(0, 5),
    seed=st.integers(0, 1000),
)
def test_from_spectrum_gives_the_hessian_eigenvalues(lam: list[float], extra: int, seed: int) -> None:
    d = len(lam)
    problem = LeastSquares.from_spectrum(lam, d + extra, seed=seed)
    H = problem.A.T @ problem.A / (d + extra)
    np.testing.assert_allclose(np.sort(np.linalg.eigvalsh(H)), np.sort(lam), atol=1e-9 * max(lam) + 1e-12)
    assert problem.L == pytest.approx(max(lam), rel=1e-9)
    assert problem.mu == pytest.approx(min(lam), abs=1e-9 * max(lam) + 1e-12)


def test_constants_of_a_hand_built_problem() -> None:
    # A = diag(2, 1) stacked twice: N = 4, A^T A / N = diag(8, 2) / 4 = diag(2, 0.5).
    A = np.array([[2.0, 0.0], [0.0, 1.0], [2.0, 0.0], [0.0, 1.0]])
    b = np.array([2.0, 1.0, 0.0, 3.0])
    problem = LeastSquares(A, b)
    assert (problem.L, problem.mu, problem.condition_number) == pytest.approx((2.0, 0.5, 4.0))
    # Normal equations: 8 x1 = 2*2 + 2*0 = 4, 2 x2 = 1 + 3 = 4.
    np.testing.assert_allclose(problem.x_star, [0.5, 2.0])
    # Residuals at x*: (1-2, 2-1, 1-0, 2-3) = (-1, 1, 1, -1): f* = 4 / 8.
    assert problem.f_star == pytest.approx(0.5)


def test_singular_hessian_has_mu_zero_and_infinite_condition_number() -> None:
    problem = LeastSquares.from_spectrum([1.0, 0.5, 0.0, 0.0], 6, seed=3)
    assert problem.mu == pytest.approx(0.0, abs=1e-12)
    assert problem.condition_number == math.inf or problem.condition_number > 1e10


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), batch=st.integers(1, 12))
def test_loss_and_gradients_match_numpy(seed: int, batch: int) -> None:
    problem = small_problem(seed=seed)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(5)
    A, b = problem.A, problem.b
    assert problem.loss(x) == pytest.approx(np.sum((A @ x - b) ** 2) / (2 * 12), rel=1e-12)
    np.testing.assert_allclose(problem.gradient(x), A.T @ (A @ x - b) / 12, rtol=1e-12, atol=1e-12)
    rows = rng.choice(12, size=batch, replace=False)
    expected = A[rows].T @ (A[rows] @ x - b[rows]) / batch
    np.testing.assert_allclose(problem.gradient(x, rows), expected, rtol=1e-12, atol=1e-12)


def test_gradient_vanishes_at_x_star_and_f_star_is_the_minimum() -> None:
    problem = small_problem()
    np.testing.assert_allclose(problem.gradient(problem.x_star), 0.0, atol=1e-12)
    rng = np.random.default_rng(1)
    assert all(problem.loss(problem.x_star + rng.standard_normal(5)) > problem.f_star for _ in range(20))


@settings(max_examples=30, deadline=None)
@given(d=st.integers(1, 9), extra=st.integers(0, 9), data=st.data())
def test_counts_of_gradient_and_loss_by_hand(d: int, extra: int, data: st.DataObject) -> None:
    N = d + extra
    problem = LeastSquares.from_spectrum(np.linspace(1.0, 2.0, d), N, noise=0.1)
    B = data.draw(st.integers(1, N))
    with count_ops() as grad:
        problem.gradient(np.ones(d), np.arange(B))
    assert (grad.multiplies, grad.adds, grad.divides, grad.activations) == (2 * B * d, 2 * B * d - d, d, 0)
    assert grad.flops == 4 * B * d
    with count_ops() as loss:
        problem.loss(np.ones(d))
    # N*d multiplies + N*(d-1) adds (A x), N adds (- b), N multiplies (squares), N - 1 adds (sum), 1 divide.
    assert (loss.multiplies, loss.adds, loss.divides) == (N * d + N, N * (d - 1) + N + N - 1, 1)


def eigen_gaps(problem: LeastSquares, x0: np.ndarray, lr: float, steps: int) -> np.ndarray:
    """f(x_t) - f* of full-batch GD from the eigen-decomposition: 0.5 sum lam_i (1 - lr lam_i)^(2t) c_i^2."""
    lam, V = np.linalg.eigh(problem.A.T @ problem.A / problem.n_samples)
    c = V.T @ (x0 - problem.x_star)
    t = np.arange(steps + 1)[:, None]
    return 0.5 * np.sum(lam * (1 - lr * lam) ** (2 * t) * c**2, axis=1)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 1000), lr_over_L=st.floats(0.05, 1.95), steps=st.integers(1, 40))
def test_full_batch_descent_follows_the_closed_form(seed: int, lr_over_L: float, steps: int) -> None:
    problem = small_problem(seed=seed)
    x0 = np.random.default_rng(seed).standard_normal(5)
    lr = lr_over_L / problem.L
    run = descend(problem, x0, steps=steps, lr=lr)
    assert run.steps == list(range(steps + 1))
    np.testing.assert_allclose(run.gaps, eigen_gaps(problem, x0, lr, steps), rtol=1e-7, atol=1e-12)
    assert run.flops == [t * (4 * 12 * 5 + 2 * 5) for t in range(steps + 1)]
    assert not run.diverged
    assert all(b <= a + 1e-12 for a, b in zip(run.gaps, run.gaps[1:], strict=False))


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 1000), batch=st.integers(1, 12), steps=st.integers(1, 60))
def test_minibatch_flops_are_steps_times_4Bd_plus_2d(seed: int, batch: int, steps: int) -> None:
    problem = small_problem(seed=seed)
    run = descend(problem, np.zeros(5), steps=steps, lr=0.05, batch_size=batch, seed=seed, record=[steps])
    assert run.steps == [0, steps]
    assert run.flops == [0, steps * (4 * batch * 5 + 2 * 5)]


def test_minibatch_runs_are_seeded_and_full_batch_ignores_the_seed() -> None:
    problem = small_problem()
    one = descend(problem, np.zeros(5), steps=30, lr=0.1, batch_size=3, seed=7)
    two = descend(problem, np.zeros(5), steps=30, lr=0.1, batch_size=3, seed=7)
    other = descend(problem, np.zeros(5), steps=30, lr=0.1, batch_size=3, seed=8)
    assert one.gaps == two.gaps and one.gaps != other.gaps
    full = [descend(problem, np.zeros(5), steps=5, lr=0.1, seed=s).gaps for s in (1, 2)]
    assert full[0] == full[1]


def test_schedule_is_called_with_the_step_index() -> None:
    problem = small_problem()
    seen: list[int] = []

    def schedule(t: int) -> float:
        seen.append(t)
        return 0.1 / (t + 1)

    descend(problem, np.zeros(5), steps=6, lr=schedule, batch_size=2, record=[3, 6])
    assert seen == list(range(6))


def test_sgd_with_decaying_steps_approaches_f_star() -> None:
    problem = small_problem(noise=0.5)
    mu = problem.mu
    run = descend(
        problem, np.zeros(5), steps=4000, lr=lambda t: 2 / (mu * (t + 400)), batch_size=1, record=[4000]
    )
    assert run.gaps[-1] < 0.05 * run.gaps[0]


def test_divergence_stops_the_run() -> None:
    problem = small_problem()
    run = descend(problem, np.ones(5), steps=500, lr=2.5 / problem.L)
    assert isinstance(run, Descent) and run.diverged
    assert run.steps_run < 500 and run.gaps[-1] > 1e12 * run.gaps[0]
    assert run.flops[-1] == run.steps_run * (4 * 12 * 5 + 2 * 5)


def test_bad_input_names_the_argument() -> None:
    problem = small_problem()
    cases = [
        (lambda: LeastSquares(np.ones(3), np.ones(3)), "A must"),
        (lambda: LeastSquares(np.ones((3, 2)), np.ones(2)), "b must"),
        (lambda: LeastSquares(np.array([[np.nan]]), np.ones(1)), "A must be finite"),
        (lambda: LeastSquares.from_spectrum([1.0, -1.0], 4), "eigenvalues must"),
        (lambda: LeastSquares.from_spectrum([0.0, 0.0], 4), "eigenvalues must"),
        (lambda: LeastSquares.from_spectrum([1.0, 2.0, 3.0], 2), "n_samples must"),
        (lambda: LeastSquares.from_spectrum([1.0], 2, noise=-1.0), "noise must"),
        (lambda: problem.loss(np.ones(4)), r"x must have shape \(5,\)"),
        (lambda: problem.gradient(np.ones(5), np.array([12])), "rows must"),
        (lambda: descend(problem, np.zeros(5), steps=0, lr=0.1), "steps must"),
        (lambda: descend(problem, np.zeros(5), steps=3, lr=0.0), "lr must"),
        (lambda: descend(problem, np.zeros(5), steps=3, lr=lambda t: -1.0), "lr must"),
        (lambda: descend(problem, np.zeros(5), steps=3, lr=0.1, batch_size=13), "batch_size must"),
        (lambda: descend(problem, np.zeros(5), steps=3, lr=0.1, record=[4]), "record must"),
        (lambda: descend("problem", np.zeros(5), steps=3, lr=0.1), "problem must"),
    ]
    for call, message in cases:
        with pytest.raises(ValueError, match=message):
            call()


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 1000), runs=st.integers(1, 4), batch=st.integers(1, 12))
def test_side_by_side_runs_are_independent_copies(seed: int, runs: int, batch: int) -> None:
    problem = small_problem(seed=seed)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((runs, 5))
    rows = np.stack([rng.choice(12, size=batch, replace=False) for _ in range(runs)])
    with count_ops() as counter:
        G = problem.gradient(X, rows)
    for r in range(runs):
        np.testing.assert_allclose(G[r], problem.gradient(X[r], rows[r]), rtol=1e-12, atol=1e-12)
        assert problem.loss(X)[r] == pytest.approx(problem.loss(X[r]), rel=1e-12)
    assert counter.flops == runs * 4 * batch * 5
    np.testing.assert_allclose(problem.gradient(X), [problem.gradient(x) for x in X], rtol=1e-12, atol=1e-12)


def test_side_by_side_descent_records_the_mean_gap_and_all_flops() -> None:
    problem = small_problem()
    x0 = np.random.default_rng(2).standard_normal((3, 5))
    together = descend(problem, x0, steps=20, lr=0.3)
    alone = [descend(problem, x, steps=20, lr=0.3) for x in x0]
    np.testing.assert_allclose(together.gaps, np.mean([a.gaps for a in alone], axis=0), rtol=1e-9)
    assert together.flops[-1] == 3 * alone[0].flops[-1] == 3 * 20 * (4 * 12 * 5 + 2 * 5)
    sgd = descend(problem, x0, steps=50, lr=0.05, batch_size=1, seed=3)
    assert sgd.flops[-1] == 3 * 50 * (4 * 5 + 2 * 5) and sgd.x.shape == (3, 5)
