"""Tests of the learning-theory reports (course_lib.reports.learning_theory), text and figure.

`search_space_text` is checked over its whole (P, q) slider range against
closed forms computed here: q**P networks, 2 P m FLOPs per network,
q**P * 2 P m in all, that over 10^9 seconds, 6 P m per gradient step and
q**P / 3 steps. `xor_text` is checked against an independent reference:
`course_lib.mlp.MLP` trained seed by seed with `course_lib.mlp.gradient_descent`
(the success count) and `complexity.dense.mlp_training_step_cost` (the FLOPs).
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.complexity.dense import mlp_training_step_cost
from course_lib.exhaustive import XOR_INPUTS, XOR_TARGETS
from course_lib.mlp import MLP, gradient_descent
from course_lib.reports import Report
from course_lib.reports.learning_theory import (
    EPOCHS_RANGE,
    FLOP_RANGE,
    HIDDEN_RANGE,
    LEVELS_RANGE,
    N_WEIGHTS_RANGE,
    SAMPLES_RANGE,
    SEEDS_RANGE,
    search_space_figure,
    xor_figure,
)
from course_lib.reports.learning_theory import search_space_report as search_report
from course_lib.reports.learning_theory import search_space_text as search_space_report
from course_lib.reports.learning_theory import xor_report as xor_full_report
from course_lib.reports.learning_theory import xor_text as xor_report

NUMBER = r"([0-9][0-9,]*(?:\.[0-9]+)?(?:e[+-][0-9]+)?)"


def as_number(text: str) -> float | int:
    """A reported number: an exact int ("19,683") or a float in scientific notation ("6.668e+240")."""
    return float(text) if ("e" in text or "." in text) else int(text.replace(",", ""))


def field(report: str, pattern: str) -> float | int:
    match = re.search(pattern + NUMBER, report)
    assert match is not None, f"{pattern!r} not found in\n{report}"
    return as_number(match.group(1))


def check_count(reported: float | int, exact: int) -> None:
    """Below 10^15 a count is printed exactly; above, to 4 significant digits."""
    if exact < 10**15:
        assert reported == exact
    else:
        assert isinstance(reported, float)
        assert reported == pytest.approx(float(exact), rel=5e-4)


# ---------------------------------------------------------------- search_space_report


def check_search_report(P: int, q: int, m: int) -> None:
    report = search_space_report(P, q, m)
    networks = q**P
    assert f"q^P = {q}^{P} = " in report
    check_count(field(report, rf"q\^P = {q}\^{P} = "), networks)
    check_count(field(report, r"FLOPs per network\s+2 P m = "), 2 * P * m)
    check_count(field(report, r"q\^P x 2 P m = "), networks * 2 * P * m)
    seconds = field(report, r"time at 1 GFLOP/s\s+")
    assert seconds == pytest.approx(networks * 2 * P * m / 1e9, rel=5e-4)
    years = field(report, r" s = ")
    assert years == pytest.approx(networks * 2 * P * m / 1e9 / (365.25 * 86400), rel=5e-4)
    check_count(field(report, r"6 P m = "), 6 * P * m)
    assert field(report, r"q\^P / 3 = ") == pytest.approx(networks / 3, rel=5e-4)
    assert field(report, r"the search x ") == q
    check_count(field(report, r"a gradient step \+ "), 6 * m)


def test_search_report_hand_worked_example():
    # 2-2-1 network: P = 9; q = 3 levels; m = 4 (XOR): 3^9 = 19,683 networks of 2*9*4 = 72 FLOPs.
    report = search_space_report(9, 3, 4)
    assert "3^9 = 19,683" in report
    assert "2 P m = 72 " in report
    assert "q^P x 2 P m = 1,417,176" in report
    assert "1.417e-3 s" in report
    assert "6 P m = 216 FLOPs" in report
    assert "q^P / 3 = 6.561e+3 gradient steps" in report


@pytest.mark.parametrize("m", [SAMPLES_RANGE[0], SAMPLES_RANGE[1]])
def test_search_report_over_the_whole_slider_range(m):
    for P in range(N_WEIGHTS_RANGE[0], N_WEIGHTS_RANGE[1] + 1):
        for q in range(LEVELS_RANGE[0], LEVELS_RANGE[1] + 1):
            check_search_report(P, q, m)


@settings(max_examples=60)
@given(
    st.integers(*N_WEIGHTS_RANGE),
    st.integers(*LEVELS_RANGE),
    st.integers(*SAMPLES_RANGE),
)
def test_search_report_random_settings(P, q, m):
    check_search_report(P, q, m)


@settings(max_examples=40)
@given(st.integers(1, 40), st.integers(2, 16))
def test_one_more_weight_multiplies_the_networks_by_q(P, q):
    smaller = field(search_space_report(P, q, 4), rf"q\^P = {q}\^{P} = ")
    larger = field(search_space_report(P + 1, q, 4), rf"q\^P = {q}\^{P + 1} = ")
    assert larger == pytest.approx(q * smaller, rel=1e-3)


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((0, 3, 4), "n_weights"),
        ((N_WEIGHTS_RANGE[1] + 1, 3, 4), "n_weights"),
        ((2.5, 3, 4), "n_weights"),
        ((True, 3, 4), "n_weights"),
        ((9, 1, 4), "levels"),
        ((9, LEVELS_RANGE[1] + 1, 4), "levels"),
        ((9, "3", 4), "levels"),
        ((9, 3, 0), "samples"),
        ((9, 3, SAMPLES_RANGE[1] + 1), "samples"),
    ],
)
def test_search_report_bad_input_names_the_argument(args, name):
    with pytest.raises(ValueError, match=rf"{name} must be an integer between"):
        search_space_report(*args)


# ---------------------------------------------------------------- xor_report


def reference_solved(hidden: int, seeds: int, epochs: int) -> int:
    """Seeds solved by course_lib.mlp's own MLP and gradient_descent, one model at a time."""
    solved = 0
    for seed in range(seeds):
        model = MLP([2, hidden, 1], "tanh", seed=seed, output_activation="sigmoid")
        gradient_descent(model, XOR_INPUTS, XOR_TARGETS, lr=1.0, steps=epochs)
        solved += bool(np.all((model.forward(XOR_INPUTS) > 0.5) == (XOR_TARGETS > 0.5)))
    return solved


def check_xor_report(hidden: int, seeds: int, epochs: int) -> None:
    report = xor_report(hidden, seeds, epochs)
    assert f"2-{hidden}-1 network" in report
    assert f"{epochs} steps, seeds 0 to {seeds - 1}" in report
    solved = field(report, r"right side of 0\.5\): ")
    assert solved == reference_solved(hidden, seeds, epochs)
    assert f"{solved} of {seeds} runs = {100 * solved / seeds:.1f}%" in report
    per_step = mlp_training_step_cost([2, hidden, 1], 4, "mse").flops
    assert (
        f"{seeds} seeds x {epochs} steps x {per_step:,} FLOPs per step = {seeds * epochs * per_step:,} FLOPs"
        in (report)
    )


@pytest.mark.parametrize("hidden", range(HIDDEN_RANGE[0], HIDDEN_RANGE[1] + 1))
def test_xor_report_every_hidden_width(hidden):
    check_xor_report(hidden, 4, 100)


@pytest.mark.parametrize(
    ("seeds", "epochs"),
    [(SEEDS_RANGE[0], EPOCHS_RANGE[0]), (SEEDS_RANGE[1], EPOCHS_RANGE[0]), (3, EPOCHS_RANGE[1])],
)
def test_xor_report_slider_corners(seeds, epochs):
    check_xor_report(2, seeds, epochs)


@settings(max_examples=8, deadline=None)
@given(st.integers(*HIDDEN_RANGE), st.integers(1, 6), st.integers(1, 6).map(lambda k: 50 * k))
def test_xor_report_random_settings(hidden, seeds, epochs):
    check_xor_report(hidden, seeds, epochs)


def test_one_hidden_unit_is_reported_unrealizable():
    report = xor_report(1, 10, 200)
    assert "0 of 10 runs = 0.0%" in report
    assert "not realizable" in report
    assert "not realizable" not in xor_report(2, 10, 200)


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((0, 5, 100), "hidden"),
        ((HIDDEN_RANGE[1] + 1, 5, 100), "hidden"),
        ((2, 0, 100), "seeds"),
        ((2, SEEDS_RANGE[1] + 1, 100), "seeds"),
        ((2, 5, EPOCHS_RANGE[0] - 1), "epochs"),
        ((2, 5, EPOCHS_RANGE[1] + 1), "epochs"),
        ((2, 5, 100.0), "epochs"),
    ],
)
def test_xor_report_bad_input_names_the_argument(args, name):
    with pytest.raises(ValueError, match=rf"{name} must be an integer between"):
        xor_report(*args)


# ---------------------------------------------------------------- the figures


def _line(fig, gid):
    (line,) = [line for line in fig.axes[0].lines if line.get_gid() == gid]
    return line.get_xdata(), line.get_ydata()


@pytest.mark.parametrize(("P", "q", "m"), [(9, 3, 4), (1, 2, 1), (200, 16, 10_000), (50, 2, 4), (120, 7, 33)])
def test_search_figure_draws_the_two_costs_on_fixed_axes(P, q, m):
    fig = search_space_figure(P, q, m)
    (ax,) = fig.axes
    x, search = _line(fig, "search")
    assert list(x) == list(range(1, 201))
    assert list(search) == pytest.approx([float(q**p * 2 * p * m) for p in range(1, 201)], rel=1e-12)
    _, step = _line(fig, "step")
    assert list(step) == [6.0 * p * m for p in range(1, 201)]
    chosen_x, chosen_y = _line(fig, "chosen")
    assert list(chosen_x) == [P, P] and list(chosen_y) == pytest.approx([q**P * 2 * P * m, 6 * P * m])
    assert ax.get_yscale() == "log" and ax.get_ylim() == pytest.approx(FLOP_RANGE)
    assert ax.get_xlabel() and ax.get_ylabel().endswith("(count)") and f"P = {P}" in ax.get_title()


@pytest.mark.parametrize(("hidden", "seeds", "epochs"), [(2, 3, 50), (8, 2, 100)])
def test_xor_figure_is_the_success_rate_of_every_width(hidden, seeds, epochs):
    fig = xor_figure(hidden, seeds, epochs)
    (ax,) = fig.axes
    heights = [patch.get_height() for patch in ax.patches if patch.get_gid() == "success"]
    expected = [100 * reference_solved(width, seeds, epochs) / seeds for width in range(1, 9)]
    assert heights == pytest.approx(expected)
    alphas = [patch.get_alpha() for patch in ax.patches if patch.get_gid() == "success"]
    assert alphas.index(1.0) == hidden - 1 and alphas.count(1.0) == 1  # the chosen width stands out
    assert ax.get_ylim() == (0, 115) and ax.get_ylabel() == "runs that solve XOR (%)" and ax.get_xlabel()


def test_reports_are_the_text_and_the_figure():
    search = search_report(9, 3, 4)
    assert isinstance(search, Report) and search.text == search_space_report(9, 3, 4)
    xor = xor_full_report(2, 4, 100)
    assert isinstance(xor, Report) and xor.text == xor_report(2, 4, 100)
