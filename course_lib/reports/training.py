"""Report of the experiment of notebooks/04_gradient_descent.ipynb: learning rate, batch size and conditioning.

A seeded run of gradient descent (batch size N) or mini-batch SGD (B < N) on
a least-squares problem f(x) = (1/2N) ||A x - b||^2 (`course_lib.problems`)
whose Hessian has eigenvalues spread evenly on a log scale from L = 1 down to
mu = 1/kappa, so its condition number is exactly the kappa asked for. One step
on B rows costs 4Bd + 2d FLOPs (gradient 4Bd, update 2d), counted by `descend`.

The text: the stability threshold 2/L of full-batch gradient descent, whether
the run diverged, the gap f(x_t) - f* against the counted FLOPs at a few steps,
and the FLOPs used. The figure, on fixed axes:

* left, the gap against the step on a log axis: it falls for lr < 2/L and
  blows up past 2/L (the run stops once the gap exceeds 10^12 times its start);
* right, full-batch gradient descent with the same learning rate on the
  two-parameter quadratic f(x) = (x_1^2 / kappa + x_2^2) / 2 (L = 1, mu =
  1/kappa): its contours and the iterates' path from (-4, 2). Each step
  multiplies x_i by 1 - lr lambda_i, so past lr = 1/L the steep coordinate
  changes sign at every step (the zig-zag) while the flat one creeps, and
  past 2/L the zig-zag grows.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from matplotlib.figure import Figure

from course_lib.plotting import COLORS
from course_lib.problems import Descent, LeastSquares, descend
from course_lib.reports.base import Report, drop_minor_ticks, new_figure
from course_lib.validation import require_int, require_real

N_SAMPLES = 256
"""N, the number of rows of the least-squares problem (batch size N is full-batch gradient descent)."""

N_FEATURES = 16
"""d, the number of unknowns."""

NOISE = 0.5
"""Standard deviation of the noise in the targets: with it, f* > 0 and single samples disagree at x*."""

SEED = 4
"""Random seed (for `numpy.random.default_rng`) of the problem and of the mini-batch sampling."""

LEARNING_RATE_RANGE = (1e-3, 10.0)
"""Learning rates the report accepts (the explorer's slider is logarithmic over this range); L = 1."""

BATCH_RANGE = (1, N_SAMPLES)
"""Batch sizes the report accepts."""

CONDITION_RANGE = (1.0, 1e4)
"""Condition numbers kappa = L / mu the report accepts."""

STEPS_RANGE = (1, 2000)
"""Numbers of steps the report accepts (2,000 full-batch steps take a fraction of a second)."""

CHECKPOINTS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000)
"""Steps shown in the text's table (those up to the run's length, plus 0 and the last step)."""

GAP_LIMITS = (1e-10, 1e14)
"""Fixed range of the gap axis; gaps below 1e-10 (a solved problem, or rounding) are drawn at 1e-10."""

START_2D = (-4.0, 2.0)
"""Where the two-parameter path starts."""

WINDOW_2D = ((-4.5, 1.0), (-2.5, 2.5))
"""Fixed x_1 and x_2 ranges of the contour panel (drawn at equal scale)."""

PATH_STEPS = 200
"""Most steps drawn on the contour panel (the run's steps, at most this many)."""


def _snapped(value: object, low: float, high: float) -> object:
    """A log slider's value, moved onto [low, high] when it misses an end by rounding (relative 1e-9)."""
    if isinstance(value, float) and low * (1 - 1e-9) <= value < low:
        return low
    if isinstance(value, float) and high < value <= high * (1 + 1e-9):
        return high
    return value


def checked(
    learning_rate: float, batch_size: int, condition_number: float, steps: int
) -> tuple[float, int, float, int]:
    """The four settings, each within its range (`LEARNING_RATE_RANGE`, ...), or ValueError naming it."""
    return (
        require_real("learning_rate", _snapped(learning_rate, *LEARNING_RATE_RANGE), *LEARNING_RATE_RANGE),
        require_int("batch_size", batch_size, *BATCH_RANGE),
        require_real("condition_number", _snapped(condition_number, *CONDITION_RANGE), *CONDITION_RANGE),
        require_int("steps", steps, *STEPS_RANGE),
    )


@lru_cache(maxsize=32)
def problem(condition_number: float) -> LeastSquares:
    """The problem of condition number kappa: Hessian eigenvalues geomspace(1, 1/kappa, d), noisy targets."""
    kappa = require_real("condition_number", condition_number, *CONDITION_RANGE)
    eigenvalues = np.geomspace(1.0, 1.0 / kappa, N_FEATURES).tolist()
    return LeastSquares.from_spectrum(eigenvalues, N_SAMPLES, noise=NOISE, seed=SEED)


@lru_cache(maxsize=8)
def run(learning_rate: float, batch_size: int, condition_number: float, steps: int = 200) -> Descent:
    """The seeded run behind the report: ``steps`` steps from x0 = 0, f - f* recorded at every step."""
    lr, B, kappa, steps = checked(learning_rate, batch_size, condition_number, steps)
    return descend(problem(kappa), np.zeros(N_FEATURES), steps=steps, lr=lr, batch_size=B, seed=SEED)


def quadratic_2d(condition_number: float) -> LeastSquares:
    """f(x) = (x_1^2 / kappa + x_2^2) / 2 as a least-squares problem: A = diag(sqrt(2/kappa), sqrt(2)), N = 2, b = 0.

    Its Hessian is diag(1/kappa, 1) (L = 1, mu = 1/kappa), its minimum f* = 0 at x* = 0.
    """
    kappa = require_real("condition_number", condition_number, *CONDITION_RANGE)
    return LeastSquares(np.diag([math.sqrt(2 / kappa), math.sqrt(2.0)]), np.zeros(2))


def path_2d(learning_rate: float, condition_number: float, steps: int = PATH_STEPS) -> np.ndarray:
    """Iterates x_0 = `START_2D`, x_{t+1} = x_t - lr grad f(x_t) of full-batch descent on `quadratic_2d`, shape (steps + 1, 2).

    Stops early (fewer rows) once an iterate leaves the box 100 times the window's size.
    """
    quadratic = quadratic_2d(condition_number)
    points = [np.array(START_2D)]
    for _ in range(steps):
        x = points[-1] - learning_rate * quadratic.gradient(points[-1])
        points.append(x)
        if np.abs(x).max() > 100 * max(abs(end) for window in WINDOW_2D for end in window):
            break
    return np.array(points)


def text(learning_rate: float, batch_size: int, condition_number: float, steps: int = 200) -> str:
    """Settings, stability threshold, the gap against counted FLOPs at a few steps, and the FLOPs used."""
    lr, B, kappa, steps = checked(learning_rate, batch_size, condition_number, steps)
    descent = run(lr, B, kappa, steps)
    ls = problem(kappa)
    N, d, L = ls.n_samples, ls.n_features, ls.L
    per_step = 4 * B * d + 2 * d
    kind = "full-batch gradient descent" if B == N else ("SGD" if B == 1 else "mini-batch SGD")
    stable = "stable" if lr < 2 / L else "UNSTABLE"
    lines = [
        f"least squares: N = {N} samples, d = {d} unknowns, noisy targets",
        f"Hessian eigenvalues from L = {L:.3g} down to mu = {ls.mu:.3g} (kappa = {kappa:.4g})",
        f"{kind}: batch size B = {B}, learning rate {lr:.4g} = {lr * L:.4g} / L, {steps} steps asked",
        f"one step = 4*B*d + 2*d = 4*{B}*{d} + 2*{d} = {per_step:,} FLOPs (gradient + update)",
        f"full-batch stability threshold 2/L = {2 / L:.3g}: this learning rate is {stable} for B = N",
    ]
    if B < N:
        curvature = np.einsum("ij,ij->i", ls.A, ls.A)  # ||a_i||^2, the Hessian of sample i's loss
        lines += [
            "  B < N: each batch has its own curvature and noise; single samples have",
            f"  ||a_i||^2 of mean {curvature.mean():.3g}, max {curvature.max():.3g}, and an SGD step with"
            " lr > 2/||a_i||^2",
            f"  overshoots on sample i (2/max = {2 / curvature.max():.3g})",
        ]
    lines += ["", f"{'step':>6}  {'FLOPs':>13}  {'f(x) - f*':>11}"]
    for t in sorted({0, descent.steps_run} | {t for t in CHECKPOINTS if t < descent.steps_run}):
        lines.append(f"{t:>6}  {descent.flops[t]:>13,}  {descent.gaps[t]:>11.3e}")
    lines.append("")
    if descent.diverged:
        lines.append(
            f"DIVERGED: f(x) - f* grew past 1e12 x its start after {descent.steps_run} steps; stopped there"
        )
    elif descent.gaps[-1] > descent.gaps[0]:
        lines.append(f"DIVERGING: f(x) - f* grew from {descent.gaps[0]:.3e} to {descent.gaps[-1]:.3e}")
    else:
        lines.append(f"converging: f(x) - f* fell from {descent.gaps[0]:.3e} to {descent.gaps[-1]:.3e}")
    lines.append(
        f"FLOPs used: {descent.steps_run} steps x {per_step:,} = {descent.flops[-1]:,}"
        f" = {descent.flops[-1] / (4 * N * d + 2 * d):.3g} full-batch steps' worth"
    )
    return "\n".join(lines)


def figure(learning_rate: float, batch_size: int, condition_number: float, steps: int = 200) -> Figure:
    """The gap against the step (left, log axis) and the two-parameter path on its contours (right)."""
    lr, B, kappa, steps = checked(learning_rate, batch_size, condition_number, steps)
    descent = run(lr, B, kappa, steps)
    fig, (loss, plane) = new_figure(7.2, 3.5, ncols=2)
    gaps = np.maximum(np.array(descent.gaps), GAP_LIMITS[0])
    color = COLORS["backward"] if lr >= 2 else COLORS["forward"]
    loss.plot(
        descent.steps, gaps, color=color, label=f"B = {B}, lr = {lr:.3g}, $\\kappa$ = {kappa:g}", gid="gap"
    )
    verdict = "DIVERGED" if descent.diverged else ("diverging" if gaps[-1] > gaps[0] else "converging")
    side = ">=" if lr >= 2 else "<"
    loss.annotate(
        f"lr {side} 2/L = 2: {verdict}", (0.03, 0.04), xycoords="axes fraction", fontsize=9, color=color
    )
    loss.set(
        yscale="log",
        xlim=(0, steps),
        ylim=GAP_LIMITS,
        xlabel="step t",
        ylabel="$f(x_t) - f^*$  (loss units)",
        title="Loss gap against the step",
    )
    loss.legend(fontsize=7, loc="upper right")

    quadratic = quadratic_2d(kappa)
    (x_low, x_high), (y_low, y_high) = WINDOW_2D
    grid_x, grid_y = np.meshgrid(np.linspace(x_low, x_high, 121), np.linspace(y_low, y_high, 111))
    values = np.asarray(quadratic.loss(np.column_stack([grid_x.ravel(), grid_y.ravel()]))).reshape(
        grid_x.shape
    )
    start = quadratic.loss(np.array(START_2D))
    plane.contour(
        grid_x,
        grid_y,
        values,
        levels=start * np.geomspace(1e-3, 1, 8),
        colors=COLORS["theory"],
        linewidths=0.6,
    )
    path = path_2d(lr, kappa, min(steps, PATH_STEPS))
    plane.plot(
        path[:, 0],
        path[:, 1],
        "o-",
        color=color,
        markersize=2.5,
        linewidth=1,
        label=f"{len(path) - 1} steps, lr = {lr:.3g}",
        gid="path",
    )
    plane.plot([0], [0], "*", color="black", markersize=8, gid="minimum")
    plane.set(
        xlim=(x_low, x_high),
        ylim=(y_low, y_high),
        aspect="equal",
        xlabel="$x_1$  (flat: curvature $1/\\kappa$)",
        ylabel="$x_2$  (steep: curvature $L$ = 1)",
        title=f"Full-batch path, $\\kappa$ = {kappa:g}",
    )
    plane.grid(False)
    plane.legend(fontsize=7, loc="lower right")
    drop_minor_ticks(loss)
    return fig


def report(learning_rate: float, batch_size: int, condition_number: float, steps: int = 200) -> Report:
    """Loss gap against counted FLOPs for one setting, its curve, and the path on a two-parameter quadratic.

    One step on a batch of B rows costs 4Bd + 2d FLOPs, so a run of t steps uses
    t (4Bd + 2d). Full-batch gradient descent on a quadratic decreases f at every
    step when lr < 2/L and diverges when lr > 2/L (L = 1). Ranges:
    `LEARNING_RATE_RANGE`, `BATCH_RANGE`, `CONDITION_RANGE`, `STEPS_RANGE`;
    ValueError naming the argument otherwise. Text: `text`; figure: `figure`.
    Derived in notebooks/04_gradient_descent.ipynb.
    """
    return Report(
        text(learning_rate, batch_size, condition_number, steps),
        figure(learning_rate, batch_size, condition_number, steps),
    )
