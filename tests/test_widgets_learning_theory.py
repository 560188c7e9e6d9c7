"""Tests of the learning-theory widgets (course_lib.widgets.learning_theory).

`search_space_report` is checked over its whole (P, q) slider range against
closed forms computed here: q**P networks, 2 P m FLOPs per network,
q**P * 2 P m in all, that over 10^9 seconds, 6 P m per gradient step and
q**P / 3 steps. `xor_report` is checked against an independent reference:
`course_lib.mlp.MLP` trained seed by seed with `course_lib.mlp.gradient_descent`
(the success count) and `complexity.dense.mlp_training_step_cost` (the FLOPs).
"""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.complexity.dense import mlp_training_step_cost
from course_lib.exhaustive import XOR_INPUTS, XOR_TARGETS
from course_lib.mlp import MLP, gradient_descent
from course_lib.widgets.learning_theory import (
    EPOCHS_RANGE,
    HIDDEN_RANGE,
    LEVELS_RANGE,
    N_WEIGHTS_RANGE,
    SAMPLES_RANGE,
    SEEDS_RANGE,
    format_count,
    search_space_explorer,
    search_space_report,
    xor_explorer,
    xor_report,
)

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


@pytest.mark.parametrize("m", [SAMPLES_RANGE[0], 4, 1000, SAMPLES_RANGE[1]])
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


def test_format_count():
    assert format_count(999_999_999_999_999) == "999,999,999,999,999"
    assert format_count(10**15) == "1.000e+15"
    assert format_count(2**100) == "1.268e+30"


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
    check_xor_report(hidden, 8, 200)


@pytest.mark.parametrize(
    ("seeds", "epochs"),
    [(SEEDS_RANGE[0], EPOCHS_RANGE[0]), (SEEDS_RANGE[1], EPOCHS_RANGE[0]), (3, EPOCHS_RANGE[1])],
)
def test_xor_report_slider_corners(seeds, epochs):
    check_xor_report(2, seeds, epochs)


@settings(max_examples=20, deadline=None)
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


# ---------------------------------------------------------------- explorers


def panel_text(explorer) -> str:
    match = re.fullmatch(r"<pre>(.*)</pre>", explorer.panel.value, flags=re.DOTALL)
    assert match is not None
    return html.unescape(match.group(1))


def test_sliders_are_bounded_by_the_tested_ranges():
    search = search_space_explorer()
    assert (search.controls["n_weights"].min, search.controls["n_weights"].max) == N_WEIGHTS_RANGE
    assert (search.controls["levels"].min, search.controls["levels"].max) == LEVELS_RANGE
    assert (search.controls["samples"].min, search.controls["samples"].max) == SAMPLES_RANGE
    xor = xor_explorer(seeds=3, epochs=100)
    assert (xor.controls["hidden"].min, xor.controls["hidden"].max) == HIDDEN_RANGE
    assert (xor.controls["seeds"].min, xor.controls["seeds"].max) == SEEDS_RANGE
    assert (xor.controls["epochs"].min, xor.controls["epochs"].max) == EPOCHS_RANGE
    assert xor.controls["epochs"].step == 50


def test_explorer_panels_follow_the_controls():
    search = search_space_explorer(n_weights=9, levels=3, samples=4)
    assert panel_text(search) == search_space_report(9, 3, 4)
    search.controls["levels"].value = 2
    search.controls["n_weights"].value = 17
    assert panel_text(search) == search_space_report(17, 2, 4)
    assert "2^17 = 131,072" in panel_text(search)
    xor = xor_explorer(hidden=2, seeds=4, epochs=100)
    assert panel_text(xor) == xor_report(2, 4, 100)
    xor.controls["hidden"].value = 1
    assert panel_text(xor) == xor_report(1, 4, 100)
    assert xor.values() == {"hidden": 1, "seeds": 4, "epochs": 100}
