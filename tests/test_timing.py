"""Timing helpers: the power-law fit recovers known exponents; arguments are validated."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.timing import (
    best_times,
    blas_threads,
    cpu_facts,
    fit_power_law,
    scaling_experiment,
    time_call,
)


@settings(max_examples=30)
@given(
    exponent=st.floats(0.5, 4.0),
    coefficient=st.floats(1e-9, 1e-3),
    seed=st.integers(0, 2**32 - 1),
)
def test_fit_recovers_a_known_exponent_through_noise(exponent, coefficient, seed):
    rng = np.random.default_rng(seed)
    x = np.geomspace(16, 4096, 12)
    # multiplicative noise of about 5%, as timings have
    y = coefficient * x**exponent * np.exp(rng.normal(0.0, 0.05, x.size))
    fit = fit_power_law(x, y)
    # the slope's standard error here is ~0.05 / (std(log x) * sqrt(12)) ~ 0.008, so 0.05 is > 6 sigma
    assert fit.exponent == pytest.approx(exponent, abs=0.05)
    assert fit.coefficient == pytest.approx(coefficient, rel=0.5)
    assert fit.r2 > 0.99


def test_exact_power_law_is_fitted_exactly():
    x = np.array([1.0, 2.0, 4.0, 8.0])
    fit = fit_power_law(x, 3.0 * x**2)
    assert fit.exponent == pytest.approx(2.0, abs=1e-12)
    assert fit.coefficient == pytest.approx(3.0, rel=1e-12)
    assert fit.r2 == pytest.approx(1.0)
    np.testing.assert_allclose(fit.predict([16.0]), [768.0])


@pytest.mark.parametrize(
    ("x", "y", "message"),
    [
        ([1.0], [1.0], "at least 2 points"),
        ([1.0, 2.0], [1.0], "same length"),
        ([1.0, -2.0], [1.0, 2.0], "positive"),
        ([1.0, 2.0], [0.0, 2.0], "positive"),
    ],
)
def test_fit_rejects_bad_input(x, y, message):
    with pytest.raises(ValueError, match=message):
        fit_power_law(x, y)


def test_time_call_returns_a_positive_duration_and_calls_the_function():
    calls = []
    seconds = time_call(calls.append, 1, repeats=3, budget=0.05)
    assert seconds > 0
    assert len(calls) >= 1


@pytest.mark.parametrize(("repeats", "budget"), [(0, 1.0), (3, 0.0)])
def test_time_call_rejects_bad_settings(repeats, budget):
    with pytest.raises(ValueError, match=r"repeats|budget"):
        time_call(print, repeats=repeats, budget=budget)


def test_scaling_experiment_builds_inputs_per_size():
    seen = []
    result = scaling_experiment([1, 2, 3], lambda size: (size,), seen.append, repeats=1, budget=0.01)
    np.testing.assert_array_equal(result.sizes, [1.0, 2.0, 3.0])
    assert result.seconds.shape == (3,)
    assert set(seen) == {1, 2, 3}


def test_cpu_facts_has_the_core_count():
    facts = cpu_facts()
    assert facts["cores"] >= 1
    assert isinstance(facts["flags"], set)


def test_best_times_keeps_each_calls_minimum_over_interleaved_rounds(monkeypatch):
    import course_lib.timing as timing

    # a scripted clock: round r of call i "takes" schedule[r][i] seconds
    schedule = [[3.0, 1.0, 5.0], [2.0, 4.0, 6.0], [9.0, 0.5, 4.0]]
    order = []

    def scripted_time_call(fn, repeats, budget):
        fn()
        round_ = len(order) // 3
        order.append(fn.index)
        return schedule[round_][fn.index]

    class Call:
        def __init__(self, index):
            self.index = index

        def __call__(self):
            return None

    monkeypatch.setattr(timing, "time_call", scripted_time_call)
    best = timing.best_times([Call(0), Call(1), Call(2)], rounds=3)
    # the minimum down each column of the schedule, worked by hand
    np.testing.assert_array_equal(best, [2.0, 0.5, 4.0])
    # forward, backward, forward: no call is always timed first
    assert order == [0, 1, 2, 2, 1, 0, 0, 1, 2]


def test_best_times_of_real_calls_orders_them_by_work():
    small, large = np.ones(10), np.ones(200_000)
    seconds = best_times([lambda: small.sum(), lambda: np.sort(large)], rounds=2, repeats=2, budget=0.05)
    assert seconds.shape == (2,)
    assert 0 < seconds[0] < seconds[1]


@pytest.mark.parametrize("calls", [[], [1, 2], [None], [print, "not callable"]])
def test_best_times_refuses_what_is_not_a_list_of_callables(calls):
    with pytest.raises(ValueError, match="calls must be"):
        best_times(calls)


def test_blas_threads_pins_blas_inside_the_block_and_restores_it():
    from threadpoolctl import threadpool_info

    def blas_counts():
        return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]

    before = blas_counts()
    assert before, "numpy should be linked to a BLAS that threadpoolctl sees"
    with blas_threads(1):
        assert blas_counts() == [1] * len(before)
    assert blas_counts() == before


def test_blas_threads_refuses_a_non_positive_count():
    with pytest.raises(ValueError, match="count"):
        with blas_threads(0):
            pass
