"""Small convex test problems for gradient methods, computed with `course_lib.ops` so every step is counted.

`LeastSquares` is f(x) = (1/2N) ||A x - b||^2 over N samples (rows of A) and
d features. Its Hessian H = A^T A / N is constant, so the quantities the
convergence theorems speak of are exact and cheap to read off: the
smoothness constant L (largest eigenvalue of H), the strong-convexity
constant mu (smallest eigenvalue; 0 if H is singular), the condition number
L / mu, the minimiser x* and the optimal value f*.
`LeastSquares.from_spectrum` builds a problem whose Hessian has exactly the
eigenvalues asked for, which is how notebooks/04_gradient_descent.ipynb
chooses problems on which each convergence rate is visible.

`descend` runs gradient descent (full batch) or mini-batch SGD on a problem,
with a constant or decaying step, and records f(x_t) - f* and the counted
FLOPs at chosen steps. Given R starting points it runs R independent copies
side by side (one batched product per step instead of R small ones) and
records their mean gap: the estimate of E[f(x_t)] - f* that SGD's
convergence theorems are about.

Counted cost of one step on a batch of B rows (derived in
notebooks/04_gradient_descent.ipynb):

==========================  ======================================================
step                        counted
==========================  ======================================================
r = A_S x                   (B x d)(d x 1): B*d multiplies, B*(d-1) adds
r -= b_S                    B adds
g = A_S^T r                 (d x B)(B x 1): d*B multiplies, d*(B-1) adds
g /= B                      d divides
x -= lr * g                 d multiplies, d adds
==========================  ======================================================

so the gradient costs 2Bd multiplies, 2Bd - d adds and d divides (4Bd FLOPs)
and a whole step 4Bd + 2d FLOPs. Choosing the batch (indexing rows) and
evaluating f at the recorded steps are not part of a step's count.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from course_lib import ops
from course_lib.counting import count_ops
from course_lib.validation import (
    as_float_array,
    check_allocation,
    check_finite,
    check_instance,
    parse_int_list,
    require_int,
    require_real,
)

Schedule = float | Callable[[int], float]
"""A step size: a constant, or a function of the step index t = 0, 1, 2, ..."""


def _finite_matrix(name: str, value: object) -> np.ndarray:
    array = as_float_array(name, value).astype(np.float64)
    check_finite(name, array)
    return array


class LeastSquares:
    """f(x) = (1/2N) ||A x - b||^2 for A of shape (N, d) and b of shape (N,).

    Gradient (1/N) A^T (A x - b); a mini-batch S of B rows gives the unbiased
    estimate (1/B) A_S^T (A_S x - b_S). Hessian H = A^T A / N. Loss and
    gradients are computed with `course_lib.ops` (counted when a counter is
    active); the constants L, mu, x*, f* and the Hessian's eigenvalues
    (ascending) and eigenvectors (columns) are computed once with numpy's
    eigen- and least-squares solvers, as references (not counted).
    """

    def __init__(self, A: np.ndarray, b: np.ndarray) -> None:
        A = _finite_matrix("A", A)
        if A.ndim != 2 or 0 in A.shape:
            raise ValueError(f"A must be a non-empty 2-D matrix of shape (N, d), got shape {A.shape}")
        b = _finite_matrix("b", b)
        if b.shape != (A.shape[0],):
            raise ValueError(f"b must have shape ({A.shape[0]},) (one target per row of A), got {b.shape}")
        self.A = A
        self.b = b
        self.hessian = A.T @ A / A.shape[0]
        eigenvalues, self.eigenvectors = np.linalg.eigh(self.hessian)
        self.eigenvalues = np.clip(eigenvalues, 0.0, None)
        self.x_star = np.linalg.lstsq(A, b, rcond=None)[0]
        self.f_star = float(self.loss(self.x_star))

    @classmethod
    def from_spectrum(
        cls, eigenvalues: Sequence[float], n_samples: int, noise: float = 0.0, seed: int = 0
    ) -> LeastSquares:
        """A problem whose Hessian A^T A / N has exactly the given eigenvalues (d = their number).

        A = sqrt(N) U diag(sqrt(lambda)) V^T with U (N x d) and V (d x d) random
        orthonormal (QR of seeded Gaussian matrices), so A^T A / N = V diag(lambda) V^T.
        b = A x_true + noise * e with x_true and e standard normal: with noise 0
        every sample is fitted exactly at the optimum (f* = 0); with noise > 0
        the samples' gradients disagree at x*, which is what slows SGD down.
        Needs n_samples >= d and eigenvalues >= 0 (zeros make H singular).
        """
        lam = _finite_matrix("eigenvalues", eigenvalues)
        if lam.ndim != 1 or lam.size == 0:
            raise ValueError(f"eigenvalues must be a non-empty 1-D sequence, got shape {lam.shape}")
        if (lam < 0).any() or not (lam > 0).any():
            raise ValueError(f"eigenvalues must be >= 0 with at least one > 0, got min {lam.min()}")
        N = require_int("n_samples", n_samples)
        d = lam.size
        if N < d:
            raise ValueError(f"n_samples must be at least the number of eigenvalues d = {d}, got {N}")
        noise = require_real("noise", noise, 0)
        rng = np.random.default_rng(require_int("seed", seed, 0))
        U = np.linalg.qr(rng.standard_normal((N, d)))[0]
        V = np.linalg.qr(rng.standard_normal((d, d)))[0]
        A = math.sqrt(N) * (U * np.sqrt(lam)) @ V.T
        x_true = rng.standard_normal(d)
        b = A @ x_true + noise * rng.standard_normal(N)
        return cls(A, b)

    def __repr__(self) -> str:
        return (
            f"LeastSquares(N={self.n_samples}, d={self.n_features}, L={self.L:.4g}, mu={self.mu:.4g}, "
            f"f*={self.f_star:.4g})"
        )

    @property
    def n_samples(self) -> int:
        """N, the number of rows of A."""
        return self.A.shape[0]

    @property
    def n_features(self) -> int:
        """d, the number of unknowns."""
        return self.A.shape[1]

    @property
    def L(self) -> float:
        """Smoothness constant: the largest eigenvalue of the Hessian A^T A / N."""
        return float(self.eigenvalues[-1])

    @property
    def mu(self) -> float:
        """Strong-convexity constant: the smallest eigenvalue of the Hessian (0 when it is singular)."""
        return float(self.eigenvalues[0])

    @property
    def condition_number(self) -> float:
        """kappa = L / mu (infinite when the Hessian is singular)."""
        return self.L / self.mu if self.mu > 0 else math.inf

    def _x(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if x.ndim not in (1, 2) or x.shape[-1] != self.n_features or x.size == 0:
            raise ValueError(
                f"x must have shape ({self.n_features},) or (R, {self.n_features}) for R runs, got {x.shape}"
            )
        return x

    def _rows(self, rows: np.ndarray, runs: int | None) -> np.ndarray:
        rows = np.asarray(rows)
        expected = "(B,)" if runs is None else f"({runs}, B)"
        if rows.ndim != (1 if runs is None else 2) or rows.size == 0 or rows.dtype.kind not in "iu":
            raise ValueError(f"rows must be a non-empty integer array of shape {expected}, got {rows!r}")
        if runs is not None and rows.shape[0] != runs:
            raise ValueError(
                f"rows must have shape {expected} (one row of indices per run), got {rows.shape}"
            )
        if rows.min() < 0 or rows.max() >= self.n_samples:
            raise ValueError(f"rows must lie in 0..{self.n_samples - 1}, got {rows.min()}..{rows.max()}")
        return rows

    def loss(self, x: np.ndarray) -> float | np.ndarray:
        """f(x) = sum((A x - b)^2) / (2N), a float; for x of shape (R, d), the R values as an array.

        Per x: N*d multiplies + N*(d-1) adds (A x), N adds (- b), N multiplies
        (squares), N - 1 adds (sum), 1 divide.
        """
        x = self._x(x)
        X = x.reshape(-1, self.n_features).T  # (d, R): one column per run
        residual = ops.subtract(ops.matmul(self.A, X), self.b[:, None])
        values = ops.divide(ops.sum(ops.multiply(residual, residual), axis=0), 2.0 * self.n_samples)
        return float(values[0]) if x.ndim == 1 else values

    def gradient(self, x: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """(1/B) A_S^T (A_S x - b_S) over the B rows S (all N rows if None), the shape of x.

        For x of shape (R, d) (R runs side by side), ``rows`` has shape (R, B):
        run r uses its own rows[r]. Counts, per run, 2Bd multiplies, 2Bd - d
        adds and d divides: 4Bd FLOPs. Derived in notebooks/04_gradient_descent.ipynb.
        """
        x = self._x(x)
        if rows is None:
            X = x.reshape(-1, self.n_features).T  # (d, R)
            residual = ops.subtract(ops.matmul(self.A, X), self.b[:, None])
            g = ops.divide(ops.matmul(self.A.T, residual), float(self.n_samples)).T
        else:
            runs = None if x.ndim == 1 else x.shape[0]
            S = self._rows(rows, runs).reshape(-1 if runs is None else runs, rows.shape[-1])  # (R, B)
            A_S = self.A[S]  # (R, B, d): a batch of R matrices
            residual = ops.subtract(ops.matmul(A_S, x.reshape(-1, self.n_features, 1)), self.b[S][:, :, None])
            g = ops.divide(ops.matmul(A_S.transpose(0, 2, 1), residual), float(S.shape[1]))[:, :, 0]
        return g[0] if x.ndim == 1 else g


@dataclass
class Descent:
    """What `descend` recorded, one entry per recorded step.

    ``steps[i]``: the step count t at which ``gaps[i]`` = f(x_t) - f* was
    measured (t = 0 is the start; with R runs side by side, the mean over the
    runs, an estimate of E[f(x_t)] - f*), ``flops[i]``: FLOPs counted in steps
    0..t-1 together, over all runs (exact ints). ``diverged``: the run stopped
    because the gap became non-finite or grew beyond ``blow_up`` times its
    starting value. ``x``: the last iterate (R rows for R runs).
    """

    steps: list[int] = field(default_factory=list)
    gaps: list[float] = field(default_factory=list)
    flops: list[int] = field(default_factory=list)
    diverged: bool = False
    x: np.ndarray | None = None

    @property
    def steps_run(self) -> int:
        """Number of steps taken (the last recorded step)."""
        return self.steps[-1] if self.steps else 0


def _step_size(lr: Schedule, t: int) -> float:
    if not callable(lr):
        return require_real("lr", lr, 0, low_open=True)
    try:
        return require_real("lr", lr(t), 0, low_open=True)
    except ValueError as error:
        raise ValueError(f"{error} (lr({t}), the step size of step {t})") from None


def descend(
    problem: LeastSquares,
    x0: np.ndarray,
    *,
    steps: int,
    lr: Schedule,
    batch_size: int | None = None,
    seed: int = 0,
    record: Sequence[int] | None = None,
    blow_up: float = 1e12,
) -> Descent:
    """Run ``steps`` steps x <- x - lr_t * g_t from ``x0`` and record f - f* and counted FLOPs.

    ``batch_size`` None (or N) is full-batch gradient descent, g_t the exact
    gradient; B < N draws B distinct rows uniformly at random each step
    (seeded ``np.random.default_rng(seed)``), g_t the mini-batch gradient (B = 1
    is SGD). ``lr`` is a constant or a function of t (e.g. ``lambda t: 2 / (mu * (t + 50))``).
    ``x0`` of shape (R, d) runs R independent copies side by side, each
    drawing its own batches, and records the mean gap over them (how SGD's
    expected gap is estimated). ``record``: the step counts at which
    f(x_t) - f* is measured (default: every step, 0..steps). The steps
    between two records run under one `count_ops` counter; the loss
    evaluations are outside it. Each step counts 4Bd + 2d FLOPs per run.
    The run stops early, with ``diverged`` set, when the gap is non-finite or
    exceeds ``blow_up`` times the starting gap.
    Derived in notebooks/04_gradient_descent.ipynb.
    """
    check_instance("problem", problem, LeastSquares, "a LeastSquares")
    x = problem._x(x0).copy()
    runs = 1 if x.ndim == 1 else x.shape[0]
    steps = require_int("steps", steps)
    N = problem.n_samples
    B = N if batch_size is None else require_int("batch_size", batch_size)
    if B > N:
        raise ValueError(f"batch_size must be at most the number of samples N = {N}, got {B}")
    seed = require_int("seed", seed, 0)
    blow_up = require_real("blow_up", blow_up, 1, low_open=True)
    if record is None:
        # One gap and one count per step: about 200 bytes each in the Descent's lists.
        check_allocation("steps", (steps + 1) * 200, f"the record of every one of {steps:,} steps")
        marks = list(range(steps + 1))
    else:
        if isinstance(record, str):
            raise ValueError(f"record must be a sequence of step counts, got {record!r}")
        marks = sorted(set(parse_int_list("record", record, low=0, high=steps)))
    if marks[0] != 0:
        marks.insert(0, 0)
    rng = np.random.default_rng(seed)
    everything = np.tile(np.arange(N), (runs, 1))

    def mean_gap(x: np.ndarray) -> float:
        if not np.isfinite(x).all():
            return math.inf
        return float(np.mean(problem.loss(x))) - problem.f_star

    out = Descent()
    flops = 0
    t = 0
    start_gap = mean_gap(x)
    with np.errstate(over="ignore", invalid="ignore"):
        for mark in marks:
            with count_ops() as counter:
                while t < mark:
                    if B == N:
                        rows = None
                    elif B == 1:
                        rows = rng.integers(N, size=(runs, 1))
                    else:
                        rows = rng.permuted(everything, axis=1)[:, :B]
                    g = problem.gradient(x, rows if x.ndim == 2 or rows is None else rows[0])
                    x = ops.subtract(x, ops.multiply(_step_size(lr, t), g))
                    t += 1
            flops += counter.flops
            gap = mean_gap(x)
            out.steps.append(t)
            out.gaps.append(gap)
            out.flops.append(flops)
            if not math.isfinite(gap) or gap > blow_up * max(start_gap, np.finfo(float).tiny):
                out.diverged = True
                break
    out.x = x
    return out
