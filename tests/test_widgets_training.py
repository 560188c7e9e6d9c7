"""Tests of the gradient-descent widget (course_lib.widgets.training, notebooks/04_gradient_descent.ipynb).

Expectations come from outside the module: the FLOPs of a step worked out by
hand (gradient on B rows 4Bd, update 2d), the closed-form behaviour of
full-batch gradient descent on a quadratic (every mode multiplied by
(1 - lr * lambda) per step: monotone decrease for lr < 2/L, blow-up for
lr > 2/L), numpy's eigen-solver for the condition number, and the slider
ranges promised in the notebook.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.widgets.training import (
    BATCH_RANGE,
    CONDITION_RANGE,
    LEARNING_RATE_RANGE,
    MAX_STEPS,
    N_FEATURES,
    N_SAMPLES,
    training_explorer,
    training_report,
    training_run,
    training_setup,
)

D, N = N_FEATURES, N_SAMPLES
log_lr = st.floats(np.log10(LEARNING_RATE_RANGE[0]), np.log10(LEARNING_RATE_RANGE[1]))
log_kappa = st.floats(np.log10(CONDITION_RANGE[0]), np.log10(CONDITION_RANGE[1]))
batches = st.integers(*BATCH_RANGE)


def step_flops(batch: int) -> int:
    """By hand: A_S x (B d mult, B(d-1) add), - b_S (B add), A_S^T r (d B mult, d(B-1) add), / B (d div),
    x - lr g (d mult, d add)."""
    return (batch * D + batch * (D - 1) + batch + D * batch + D * (batch - 1) + D) + 2 * D


def flops_used(report: str) -> tuple[int, int, int]:
    match = re.search(r"^FLOPs used: (\d+) steps x ([\d,]+) = ([\d,]+)", report, re.MULTILINE)
    assert match, report
    return tuple(int(g.replace(",", "")) for g in match.groups())


def table(report: str) -> list[tuple[int, int, float]]:
    rows = re.findall(r"^\s+(\d+)\s+([\d,]+)\s+(\S+e[+-]\d+)$", report, re.MULTILINE)
    return [(int(t), int(f.replace(",", "")), float(g)) for t, f, g in rows]


def test_step_cost_by_hand_is_4Bd_plus_2d() -> None:
    assert [step_flops(b) for b in (1, 2, 256)] == [4 * b * D + 2 * D for b in (1, 2, 256)]


@settings(max_examples=40, deadline=None)
@given(lr=log_lr, batch=batches, kappa=log_kappa, steps=st.integers(1, 120))
def test_report_over_the_slider_ranges(lr: float, batch: int, kappa: float, steps: int) -> None:
    lr, kappa = 10.0**lr, 10.0**kappa
    report = training_report(lr, batch, kappa, steps=steps)
    ran, per_step, used = flops_used(report)
    assert per_step == step_flops(batch)
    assert used == ran * step_flops(batch)
    assert 1 <= ran <= steps
    diverged = "DIVERGED" in report
    assert (ran == steps) or diverged
    rows = table(report)
    assert rows[0][:2] == (0, 0) and rows[-1][0] == ran
    assert all(f == t * step_flops(batch) for t, f, _ in rows)
    assert ("UNSTABLE" in report) == (lr >= 2.0)
    assert report == training_report(lr, batch, kappa, steps=steps)


@settings(max_examples=25, deadline=None)
@given(lr=st.floats(1e-3, 1.99), kappa=log_kappa)
def test_full_batch_below_2_over_L_decreases_every_step(lr: float, kappa: float) -> None:
    run = training_run(lr, N, 10.0**kappa, steps=150)
    assert not run.diverged
    assert all(b <= a + 1e-12 for a, b in zip(run.gaps, run.gaps[1:], strict=False))
    assert "converging" in training_report(lr, N, 10.0**kappa, steps=150)


@settings(max_examples=25, deadline=None)
@given(lr=st.floats(2.2, 10.0), kappa=log_kappa)
def test_full_batch_above_2_over_L_diverges(lr: float, kappa: float) -> None:
    # The top mode is multiplied by |1 - lr| >= 1.2 per step: past 1e12 within 200 steps.
    report = training_report(lr, N, 10.0**kappa, steps=200)
    assert "DIVERGED" in report and "UNSTABLE" in report
    rows = table(report)
    assert rows[-1][2] > 1e12 * rows[0][2]


@pytest.mark.parametrize("kappa", [1.0, 10.0, 316.0, 1e4])
def test_problem_has_the_requested_condition_number_and_L_1(kappa: float) -> None:
    problem, x0 = training_setup(kappa)
    lam = np.linalg.eigvalsh(problem.A.T @ problem.A / N)
    assert lam.max() == pytest.approx(1.0, rel=1e-9)
    assert lam.max() / lam.min() == pytest.approx(kappa, rel=1e-6)
    assert problem.A.shape == (N, D) and np.all(x0 == 0)


def test_full_batch_gaps_follow_the_eigen_closed_form() -> None:
    problem, x0 = training_setup(100.0)
    lam, V = np.linalg.eigh(problem.A.T @ problem.A / N)
    c = V.T @ (x0 - np.linalg.lstsq(problem.A, problem.b, rcond=None)[0])
    lr, steps = 0.7, 60
    expected = [0.5 * np.sum(lam * (1 - lr * lam) ** (2 * t) * c**2) for t in range(steps + 1)]
    np.testing.assert_allclose(training_run(lr, N, 100.0, steps=steps).gaps, expected, rtol=1e-7, atol=1e-12)


def test_sgd_reaches_a_lower_loss_than_full_batch_for_the_same_flops() -> None:
    # 256 SGD steps cost 256 * 96 FLOPs, less than 2 full-batch steps (16,416 each).
    sgd = training_run(0.05, 1, 10.0, steps=256)
    gd = training_run(0.5, N, 10.0, steps=2)
    assert sgd.flops[-1] < gd.flops[-1]
    assert sgd.gaps[-1] < gd.gaps[-1]


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"learning_rate": -0.1}, "learning_rate"),
        ({"learning_rate": 11.0}, "learning_rate"),
        ({"learning_rate": float("nan")}, "learning_rate"),
        ({"learning_rate": "0.1"}, "learning_rate"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 257}, "batch_size"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"batch_size": True}, "batch_size"),
        ({"condition_number": 0.5}, "condition_number"),
        ({"condition_number": 2e4}, "condition_number"),
        ({"steps": 0}, "steps"),
        ({"steps": 10_000}, "steps"),
    ],
)
def test_bad_input_names_the_argument(kwargs: dict, name: str) -> None:
    args = {"learning_rate": 0.1, "batch_size": 8, "condition_number": 10.0, "steps": 10} | kwargs
    with pytest.raises(ValueError, match=name):
        training_report(**args)


def test_slider_ends_with_rounding_error_are_accepted() -> None:
    assert "FLOPs used" in training_report(10.0 * (1 + 1e-12), 1, 1e4 * (1 + 1e-12), steps=3)
    assert "FLOPs used" in training_report(1e-3 * (1 - 1e-12), 256, 1.0 * (1 - 1e-12), steps=3)


def test_explorer_controls_and_refresh() -> None:
    explorer = training_explorer(learning_rate=0.5, batch_size=64, condition_number=10.0)
    controls = explorer.controls
    assert list(controls) == ["learning_rate", "batch_size", "condition_number", "steps"]
    assert (controls["batch_size"].min, controls["batch_size"].max) == BATCH_RANGE
    assert (controls["steps"].min, controls["steps"].max) == (10, MAX_STEPS)
    assert 10 ** controls["learning_rate"].min == pytest.approx(LEARNING_RATE_RANGE[0])
    assert 10 ** controls["learning_rate"].max == pytest.approx(LEARNING_RATE_RANGE[1])
    assert 10 ** controls["condition_number"].min == pytest.approx(CONDITION_RANGE[0])
    assert 10 ** controls["condition_number"].max == pytest.approx(CONDITION_RANGE[1])
    assert html.unescape(explorer.panel.value) == f"<pre>{training_report(0.5, 64, 10.0)}</pre>"
    controls["batch_size"].value = 1
    assert "SGD: batch size B = 1" in html.unescape(explorer.panel.value)
    controls["learning_rate"].value = 5.0
    assert "UNSTABLE" in explorer.panel.value
    controls["steps"].value = 30
    assert "30 steps asked" in explorer.panel.value
