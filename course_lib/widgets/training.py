"""Widget experiment of notebooks/04_gradient_descent.ipynb: learning rate, batch size and conditioning.

The pure part is `training_report`: a seeded run of gradient descent (batch
size N) or mini-batch SGD (batch size B < N) on a small least-squares problem
f(x) = (1/2N) ||A x - b||^2 (`course_lib.problems.LeastSquares`) whose Hessian
has eigenvalues spread evenly on a log scale from L = 1 down to mu = 1/kappa,
so its condition number is exactly the ``condition_number`` asked for. The
report gives the stability threshold 2/L of full-batch gradient descent,
whether the run diverged, the loss gap f(x_t) - f* against the counted FLOPs
at a few steps, and the FLOPs used: steps x (4Bd + 2d), the closed form
derived in the notebook. Everything is deterministic (no timings), so tests
and nbval compare the text. `training_explorer` wraps it in sliders.
"""

from __future__ import annotations

import math
import operator
from functools import lru_cache

import ipywidgets as widgets
import numpy as np

from course_lib.problems import Descent, LeastSquares, descend
from course_lib.widgets.base import Explorer, int_slider

N_SAMPLES = 256
"""N, the number of rows of the least-squares problem (batch size N is full-batch gradient descent)."""

N_FEATURES = 16
"""d, the number of unknowns."""

NOISE = 0.5
"""Standard deviation of the noise in the targets: with it, f* > 0 and single samples disagree at x*."""

SEED = 4
"""Seed of the problem and of the mini-batch sampling."""

LEARNING_RATE_RANGE = (1e-3, 10.0)
"""Learning rates the report accepts (the slider is logarithmic over this range); L = 1."""

BATCH_RANGE = (1, N_SAMPLES)
"""Batch sizes the report accepts."""

CONDITION_RANGE = (1.0, 1e4)
"""Condition numbers kappa = L / mu the report accepts."""

MAX_STEPS = 2000
"""Largest number of steps (2,000 full-batch steps take well under a second)."""

CHECKPOINTS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000)
"""Steps shown in the report's table (those up to the run's length, plus 0 and the last step)."""


def _number(name: str, value: object, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be a number between {low:g} and {high:g}, got {value!r}")
    number = float(value)
    # A logarithmic slider computes 10**x and may land a rounding error outside its own ends.
    if not math.isfinite(number) or not low * (1 - 1e-9) <= number <= high * (1 + 1e-9):
        raise ValueError(f"{name} must be a number between {low:g} and {high:g}, got {value!r}")
    return min(max(number, low), high)


def _integer(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an integer between {low} and {high}, got {value!r}")
    try:
        exact = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be an integer between {low} and {high}, got {value!r}") from None
    if not low <= exact <= high:
        raise ValueError(f"{name} must be an integer between {low} and {high}, got {exact}")
    return int(exact)


@lru_cache(maxsize=32)
def _problem(condition_number: float) -> LeastSquares:
    eigenvalues = np.geomspace(1.0, 1.0 / condition_number, N_FEATURES)
    return LeastSquares.from_spectrum(eigenvalues, N_SAMPLES, noise=NOISE, seed=SEED)


def training_setup(condition_number: float) -> tuple[LeastSquares, np.ndarray]:
    """The problem of condition number kappa (Hessian eigenvalues geomspace(1, 1/kappa, d)) and the start x0 = 0."""
    kappa = _number("condition_number", condition_number, *CONDITION_RANGE)
    return _problem(kappa), np.zeros(N_FEATURES)


def training_run(learning_rate: float, batch_size: int, condition_number: float, steps: int = 200) -> Descent:
    """The seeded run behind `training_report`: ``steps`` steps from x0 = 0, f - f* recorded at every step.

    Batch size N (= `N_SAMPLES`) is full-batch gradient descent; B < N draws
    B distinct rows per step (seed `SEED`). Raises ValueError naming the
    argument when a value lies outside its range (`LEARNING_RATE_RANGE`,
    `BATCH_RANGE`, `CONDITION_RANGE`, 1..`MAX_STEPS`).
    """
    lr = _number("learning_rate", learning_rate, *LEARNING_RATE_RANGE)
    B = _integer("batch_size", batch_size, *BATCH_RANGE)
    problem, x0 = training_setup(condition_number)
    steps = _integer("steps", steps, 1, MAX_STEPS)
    return descend(problem, x0, steps=steps, lr=lr, batch_size=B, seed=SEED)


def training_report(learning_rate: float, batch_size: int, condition_number: float, steps: int = 200) -> str:
    """Loss gap against counted FLOPs for one setting, as text.

    One step on a batch of B rows costs 4Bd + 2d FLOPs (gradient 4Bd, update
    2d), so a run of t steps uses t (4Bd + 2d). Full-batch gradient descent
    on this quadratic decreases f at every step when lr < 2/L and diverges
    when lr > 2/L (L = 1). Derived in notebooks/04_gradient_descent.ipynb.
    """
    run = training_run(learning_rate, batch_size, condition_number, steps)
    lr = _number("learning_rate", learning_rate, *LEARNING_RATE_RANGE)
    B = _integer("batch_size", batch_size, *BATCH_RANGE)
    kappa = _number("condition_number", condition_number, *CONDITION_RANGE)
    problem, _ = training_setup(kappa)
    N, d, L = problem.n_samples, problem.n_features, problem.L
    per_step = 4 * B * d + 2 * d
    kind = "full-batch gradient descent" if B == N else ("SGD" if B == 1 else "mini-batch SGD")
    lines = [
        f"least squares: N = {N} samples, d = {d} unknowns, Hessian eigenvalues from L = {L:.3g}"
        f" down to mu = {problem.mu:.3g} (kappa = {kappa:.4g})",
        f"{kind}: batch size B = {B}, learning rate {lr:.4g} = {lr * L:.4g} / L, {steps} steps asked",
        f"one step = 4*B*d + 2*d = 4*{B}*{d} + 2*{d} = {per_step:,} FLOPs (gradient + update)",
    ]
    stable = "stable" if lr < 2 / L else "UNSTABLE"
    lines.append(
        f"full-batch stability threshold 2/L = {2 / L:.3g}: this learning rate is {stable} for B = N"
    )
    if B < N:
        curvature = np.einsum("ij,ij->i", problem.A, problem.A)  # ||a_i||^2, the Hessian of sample i's loss
        lines.append(
            f"  B < N: each batch has its own curvature and noise; single samples have ||a_i||^2 of mean"
            f" {curvature.mean():.3g}, max {curvature.max():.3g},"
        )
        lines.append(
            f"  and an SGD step with lr > 2/||a_i||^2 overshoots on sample i (2/max = {2 / curvature.max():.3g})"
        )
    lines += ["", f"{'step':>6}  {'FLOPs':>13}  {'f(x) - f*':>11}"]
    shown = {0, run.steps_run} | {t for t in CHECKPOINTS if t < run.steps_run}
    for t in sorted(shown):
        lines.append(f"{t:>6}  {run.flops[t]:>13,}  {run.gaps[t]:>11.3e}")
    lines.append("")
    if run.diverged:
        lines.append(
            f"DIVERGED: f(x) - f* grew past 1e12 x its start after {run.steps_run} steps; stopped there"
        )
    elif run.gaps[-1] > run.gaps[0]:
        lines.append(f"DIVERGING: f(x) - f* grew from {run.gaps[0]:.3e} to {run.gaps[-1]:.3e}")
    else:
        lines.append(f"converging: f(x) - f* fell from {run.gaps[0]:.3e} to {run.gaps[-1]:.3e}")
    lines.append(
        f"FLOPs used: {run.steps_run} steps x {per_step:,} = {run.flops[-1]:,}"
        f" = {run.flops[-1] / (4 * N * d + 2 * d):.3g} full-batch steps' worth"
    )
    return "\n".join(lines)


def training_explorer(
    learning_rate: float = 0.5, batch_size: int = N_SAMPLES, condition_number: float = 10.0, steps: int = 200
) -> Explorer:
    """Sliders for the learning rate (log scale), batch size, condition number (log scale) and number of
    steps (10 to `MAX_STEPS`) above `training_report`."""
    controls = {
        "learning_rate": widgets.FloatLogSlider(
            value=learning_rate,
            base=10,
            min=math.log10(LEARNING_RATE_RANGE[0]),
            max=math.log10(LEARNING_RATE_RANGE[1]),
            step=0.05,
            description="learning_rate",
            continuous_update=False,
            readout_format=".3g",
            style={"description_width": "initial"},
        ),
        "batch_size": int_slider("batch_size", batch_size, *BATCH_RANGE),
        "condition_number": widgets.FloatLogSlider(
            value=condition_number,
            base=10,
            min=math.log10(CONDITION_RANGE[0]),
            max=math.log10(CONDITION_RANGE[1]),
            step=0.25,
            description="condition_number",
            continuous_update=False,
            readout_format=".3g",
            style={"description_width": "initial"},
        ),
        "steps": int_slider("steps", steps, 10, MAX_STEPS, step=10),
    }
    return Explorer(training_report, controls)
