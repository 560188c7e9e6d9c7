"""The gradient-descent report (course_lib.reports.training, notebook 04): text and figure.

Expectations come from outside the module: the FLOPs of a step worked out by
hand (gradient on B rows 4Bd, update 2d), the closed-form behaviour of
full-batch gradient descent on a quadratic (every eigen-coordinate multiplied
by 1 - lr lambda per step: monotone decrease for lr < 2/L, blow-up past 2/L),
numpy's eigen-solver for the condition number.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from report_checks import assert_labelled, xy

from course_lib.reports.training import (
    BATCH_RANGE,
    CONDITION_RANGE,
    GAP_LIMITS,
    LEARNING_RATE_RANGE,
    N_FEATURES,
    N_SAMPLES,
    START_2D,
    STEPS_RANGE,
    WINDOW_2D,
    figure,
    path_2d,
    problem,
    report,
    run,
    text,
)

D, N = N_FEATURES, N_SAMPLES
log_lr = st.floats(np.log10(LEARNING_RATE_RANGE[0]), np.log10(LEARNING_RATE_RANGE[1]))
log_kappa = st.floats(np.log10(CONDITION_RANGE[0]), np.log10(CONDITION_RANGE[1]))


def step_flops(batch: int) -> int:
    """By hand: A_S x (B d mult, B(d-1) add), - b_S (B add), A_S^T r (d B mult, d(B-1) add), / B (d div),
    x - lr g (d mult, d add)."""
    return (batch * D + batch * (D - 1) + batch + D * batch + D * (batch - 1) + D) + 2 * D


def flops_used(table: str) -> tuple[int, int, int]:
    match = re.search(r"^FLOPs used: (\d+) steps x ([\d,]+) = ([\d,]+)", table, re.MULTILINE)
    assert match, table
    return tuple(int(g.replace(",", "")) for g in match.groups())


def rows(table: str) -> list[tuple[int, int, float]]:
    found = re.findall(r"^\s+(\d+)\s+([\d,]+)\s+(\S+e[+-]\d+)$", table, re.MULTILINE)
    return [(int(t), int(f.replace(",", "")), float(g)) for t, f, g in found]


def test_step_cost_by_hand_is_4Bd_plus_2d() -> None:
    assert [step_flops(b) for b in (1, 2, 256)] == [4 * b * D + 2 * D for b in (1, 2, 256)]


@settings(max_examples=30, deadline=None)
@given(lr=log_lr, batch=st.integers(*BATCH_RANGE), kappa=log_kappa, steps=st.integers(1, 120))
def test_text_over_the_slider_ranges(lr: float, batch: int, kappa: float, steps: int) -> None:
    lr, kappa = 10.0**lr, 10.0**kappa
    table = text(lr, batch, kappa, steps)
    ran, per_step, used = flops_used(table)
    assert per_step == step_flops(batch) and used == ran * step_flops(batch)
    assert 1 <= ran <= steps and (ran == steps or "DIVERGED" in table)
    found = rows(table)
    assert found[0][:2] == (0, 0) and found[-1][0] == ran
    assert all(f == t * step_flops(batch) for t, f, _ in found)
    assert ("UNSTABLE" in table) == (lr >= 2.0)


@settings(max_examples=15, deadline=None)
@given(lr=st.floats(1e-3, 1.99), kappa=log_kappa)
def test_full_batch_below_2_over_L_decreases_every_step(lr: float, kappa: float) -> None:
    descent = run(lr, N, 10.0**kappa, 150)
    assert not descent.diverged
    assert all(b <= a + 1e-12 for a, b in zip(descent.gaps, descent.gaps[1:], strict=False))
    assert "converging" in text(lr, N, 10.0**kappa, 150)


@settings(max_examples=15, deadline=None)
@given(lr=st.floats(2.2, 10.0), kappa=log_kappa)
def test_full_batch_above_2_over_L_diverges(lr: float, kappa: float) -> None:
    # The top mode is multiplied by |1 - lr| >= 1.2 per step: past 1e12 within 200 steps.
    table = text(lr, N, 10.0**kappa, 200)
    assert "DIVERGED" in table and "UNSTABLE" in table
    assert rows(table)[-1][2] > 1e12 * rows(table)[0][2]


@pytest.mark.parametrize("kappa", [1.0, 10.0, 316.0, 1e4])
def test_problem_has_the_requested_condition_number_and_L_1(kappa: float) -> None:
    lam = np.linalg.eigvalsh(problem(kappa).A.T @ problem(kappa).A / N)
    assert lam.max() == pytest.approx(1.0, rel=1e-9)
    assert lam.max() / lam.min() == pytest.approx(kappa, rel=1e-6)


def test_full_batch_gaps_follow_the_eigen_closed_form() -> None:
    ls = problem(100.0)
    lam, V = np.linalg.eigh(ls.A.T @ ls.A / N)
    c = V.T @ (np.zeros(D) - np.linalg.lstsq(ls.A, ls.b, rcond=None)[0])
    lr, steps = 0.7, 60
    expected = [0.5 * np.sum(lam * (1 - lr * lam) ** (2 * t) * c**2) for t in range(steps + 1)]
    np.testing.assert_allclose(run(lr, N, 100.0, steps).gaps, expected, rtol=1e-7, atol=1e-12)


def path_by_hand(lr: float, kappa: float, steps: int) -> np.ndarray:
    """x_t = ((1 - lr / kappa)^t x_1(0), (1 - lr)^t x_2(0)): each coordinate of the quadratic shrinks on its own."""
    t = np.arange(steps + 1)[:, None]
    return np.array(START_2D) * np.array([1 - lr / kappa, 1 - lr]) ** t


@pytest.mark.parametrize(
    ("lr", "batch", "kappa", "steps"),
    [
        (0.5, N, 10.0, 200),
        (1.9, N, 1e3, 200),
        (2.2, N, 100.0, 50),
        (0.05, 16, 100.0, 2000),
        (1.0, 1, 1.0, 10),
    ],
)
def test_figure_draws_the_run_and_the_two_parameter_path(
    lr: float, batch: int, kappa: float, steps: int
) -> None:
    fig = figure(lr, batch, kappa, steps)
    assert_labelled(fig)
    loss, plane = fig.axes
    descent = run(lr, batch, kappa, steps)
    x, y = xy(fig, "gap")
    np.testing.assert_array_equal(x, descent.steps)
    np.testing.assert_array_equal(y, np.maximum(descent.gaps, GAP_LIMITS[0]))
    assert loss.get_yscale() == "log" and loss.get_ylim() == GAP_LIMITS and loss.get_xlim() == (0, steps)
    x, y = xy(fig, "path")
    shown = min(steps, 200)
    expected = path_by_hand(lr, kappa, shown)[: len(x)]
    np.testing.assert_allclose(np.column_stack([x, y]), expected, rtol=1e-9, atol=1e-12)
    assert len(x) == shown + 1 or np.abs(expected[-1]).max() > 100 * 4.5  # stopped only once far outside
    assert (plane.get_xlim(), plane.get_ylim()) == WINDOW_2D
    assert xy(fig, "minimum")[0].tolist() == [0]


def test_the_zigzag_appears_past_1_over_L() -> None:
    """Past lr = 1/L the steep coordinate changes sign at every step; below it, never."""
    assert np.all(np.diff(np.sign(path_2d(1.5, 30.0, 20)[:, 1])) != 0)
    assert np.all(path_2d(0.5, 30.0, 20)[:, 1] > 0)


def test_report_is_text_and_figure() -> None:
    shown = report(0.3, 32, 10.0, 30)
    assert shown.text == text(0.3, 32, 10.0, 30) and len(shown.figure.axes) == 2


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"learning_rate": 11.0}, "learning_rate"),
        ({"learning_rate": float("nan")}, "learning_rate"),
        ({"learning_rate": "0.1"}, "learning_rate"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": N + 1}, "batch_size"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"batch_size": True}, "batch_size"),
        ({"condition_number": 0.5}, "condition_number"),
        ({"condition_number": 2e4}, "condition_number"),
        ({"steps": 0}, "steps"),
        ({"steps": STEPS_RANGE[1] + 1}, "steps"),
    ],
)
def test_bad_input_names_the_argument(kwargs: dict, name: str) -> None:
    args = {"learning_rate": 0.1, "batch_size": 8, "condition_number": 10.0, "steps": 10} | kwargs
    for function in (text, figure):
        with pytest.raises(ValueError, match=rf"^{name} must be"):
            function(**args)


def test_slider_ends_with_rounding_error_are_accepted() -> None:
    assert "FLOPs used" in text(10.0 * (1 + 1e-12), 1, 1e4 * (1 + 1e-12), steps=3)
    assert "FLOPs used" in text(1e-3 * (1 - 1e-12), 256, 1.0 * (1 - 1e-12), steps=3)
