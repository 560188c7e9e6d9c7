"""Wall-clock measurement for the *time* step of derive -> count -> time.

`time_call` takes the best of several repeats (the minimum is the measurement
least disturbed by the rest of the machine), `best_times` does it for several
calls in interleaved rounds, `blas_threads` pins numpy's BLAS to a number of
threads while a lesson is about one core, `scaling_experiment` times a function
over a range of sizes, and `fit_power_law` fits t = c * x**k on log-log axes.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from course_lib.validation import require_int, require_real


def time_call(
    fn: Callable[..., Any], *args: Any, repeats: int = 5, budget: float = 1.0, **kwargs: Any
) -> float:
    """Best-of-``repeats`` wall time of ``fn(*args, **kwargs)``, in seconds.

    Stops early once ``budget`` seconds have been spent (after at least one
    call). Calls that take under 0.2 ms are looped so that the clock's
    resolution does not dominate; the result is then the time per call.
    """
    repeats = require_int("repeats", repeats)
    budget = require_real("budget", budget, 0, low_open=True)
    start = time.perf_counter()
    fn(*args, **kwargs)
    first = time.perf_counter() - start
    loops = max(1, int(2e-4 / first)) if first > 0 else 1000
    best = first
    spent = first
    for _ in range(repeats):
        if spent >= budget:
            break
        start = time.perf_counter()
        for _ in range(loops):
            fn(*args, **kwargs)
        elapsed = time.perf_counter() - start
        best = min(best, elapsed / loops)
        spent += elapsed
    return best


def best_times(
    calls: Sequence[Callable[[], Any]], rounds: int = 3, repeats: int = 3, budget: float = 0.2
) -> np.ndarray:
    """Best seconds per call of each zero-argument callable, measured in interleaved rounds.

    Every round times every call once (`time_call` with ``repeats`` and
    ``budget``), in order in even rounds and in reverse order in odd ones, and
    each call keeps its minimum over the rounds. A burst of load from another
    program then slows one round of every call instead of all rounds of one
    call, and a call timed first does not always meet a cold cache or sleeping
    BLAS threads. Build the inputs outside: ``functools.partial(f, x)`` or a
    ``lambda`` over arrays made beforehand.
    """
    calls = list(calls)
    if not calls or not all(callable(call) for call in calls):
        raise ValueError("calls must be a non-empty sequence of zero-argument callables")
    rounds = require_int("rounds", rounds)
    best = np.full(len(calls), np.inf)
    order = list(range(len(calls)))
    for round_ in range(rounds):
        for index in order if round_ % 2 == 0 else order[::-1]:
            best[index] = min(best[index], time_call(calls[index], repeats=repeats, budget=budget))
    return best


@contextlib.contextmanager
def blas_threads(count: int) -> Iterator[None]:
    """Run the ``with`` block with numpy's BLAS limited to ``count`` threads (threadpoolctl).

    Use ``blas_threads(1)`` where the lesson is about one core: a BLAS left at
    every core splits even tiny products between threads, whose start-up costs
    and idle spinning then show up as noise and hide the scaling law. The
    previous limits are restored on leaving the block.
    """
    from threadpoolctl import threadpool_limits

    count = require_int("count", count)
    with threadpool_limits(limits=count, user_api="blas"):
        yield


@dataclass(frozen=True)
class ScalingResult:
    """Sizes and the best measured seconds at each size."""

    sizes: np.ndarray
    seconds: np.ndarray

    def fit(self) -> PowerLawFit:
        """`fit_power_law` of seconds against sizes."""
        return fit_power_law(self.sizes, self.seconds)


def scaling_experiment(
    sizes: Sequence[int],
    make_args: Callable[[int], tuple[Any, ...]],
    fn: Callable[..., Any],
    repeats: int = 5,
    budget: float = 1.0,
) -> ScalingResult:
    """Time ``fn(*make_args(size))`` for every size; inputs are built outside the timing."""
    seconds = [time_call(fn, *make_args(size), repeats=repeats, budget=budget) for size in sizes]
    return ScalingResult(np.asarray(sizes, dtype=float), np.asarray(seconds))


class PowerLawFit(NamedTuple):
    """y ~ coefficient * x**exponent, fitted by least squares on log-log axes."""

    exponent: float
    coefficient: float
    r2: float

    def predict(self, x: np.ndarray | float) -> np.ndarray:
        return self.coefficient * np.asarray(x, dtype=float) ** self.exponent


def fit_power_law(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> PowerLawFit:
    """Fit log(y) = log(c) + k log(x); return (k, c, R^2 of the log-log fit)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"x and y must be 1-D of the same length, got shapes {x.shape} and {y.shape}")
    if x.size < 2:
        raise ValueError(f"need at least 2 points to fit a power law, got {x.size}")
    if np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("x and y must be positive to fit on log-log axes")
    log_x, log_y = np.log(x), np.log(y)
    exponent, intercept = np.polyfit(log_x, log_y, 1)
    residual = log_y - (intercept + exponent * log_x)
    spread = log_y - log_y.mean()
    total = float(spread @ spread)
    r2 = 1.0 - float(residual @ residual) / total if total > 0 else 1.0
    return PowerLawFit(float(exponent), float(np.exp(intercept)), r2)


def cpu_facts() -> dict[str, Any]:
    """What this machine says about its CPU: cores, clock (MHz), model, vector flags.

    Read from /proc/cpuinfo where it exists (Linux); missing facts are None.
    """
    facts: dict[str, Any] = {"cores": os.cpu_count(), "model": None, "mhz": None, "flags": set()}
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            text = cpuinfo.read()
    except OSError:
        return facts
    for line in text.splitlines():
        key, _, value = (part.strip() for part in line.partition(":"))
        if key == "model name" and facts["model"] is None:
            facts["model"] = value
        elif key == "cpu MHz" and facts["mhz"] is None:
            facts["mhz"] = float(value)
        elif key in ("flags", "Features") and not facts["flags"]:
            facts["flags"] = set(value.split())
    return facts
