"""Widget experiments of notebooks/11_learning_theory_aside.ipynb: exact training versus gradient descent.

Two pure reports, each behind its own `Explorer`:

* `search_space_report(n_weights, levels, samples)`: what an exhaustive
  search over quantized weights would cost. It evaluates q^P networks (P
  weights, q levels each, `course_lib.exhaustive.search_space_size`); each
  evaluation on m samples is estimated at 2 P m FLOPs (one multiply and one
  add per weight and sample, an upper bound for a dense network, whose biases
  need an add but no multiply); the time assumes a machine doing 1 GFLOP/s
  (a stated rate, not a measurement). Beside it, one gradient step on the
  same data at the rule of thumb 6 P m FLOPs (forward 2 P m, backward about
  twice the forward, notebooks 03 and 04), so the search costs as much as
  q^P / 3 gradient steps. Pure integer arithmetic: any setting reports at once.
* `xor_report(hidden, seeds, epochs)`: full-batch gradient descent on XOR
  with a 2-``hidden``-1 network (tanh hidden, sigmoid output, mean squared
  error, learning rate 1) from seeds 0..seeds-1, via
  `course_lib.exhaustive.xor_runs`: how many runs classify all four points
  correctly, and the counted FLOPs. Deterministic (seeded); the slider
  ranges keep every setting well under a second.
"""

from __future__ import annotations

import operator
from decimal import Decimal

import numpy as np

from course_lib.exhaustive import XOR_LR, search_space_size, xor_runs
from course_lib.widgets.base import Explorer, int_slider

N_WEIGHTS_RANGE = (1, 200)
"""Slider range of the number of weights P."""

LEVELS_RANGE = (2, 16)
"""Slider range of the number of quantization levels q."""

SAMPLES_RANGE = (1, 10_000)
"""Slider range of the number of training samples m."""

FLOPS_PER_SECOND = 10**9
"""The assumed speed of the machine in `search_space_report`: 1 GFLOP/s (not a measurement)."""

SECONDS_PER_YEAR = 31_557_600
"""A Julian year, 31,557,600 seconds."""

HIDDEN_RANGE = (1, 8)
"""Slider range of the hidden width of `xor_report`."""

SEEDS_RANGE = (1, 50)
"""Slider range of the number of seeds of `xor_report`."""

EPOCHS_RANGE = (50, 1000)
"""Slider range of the number of full-batch steps of `xor_report` (step 50)."""


def _check_int(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an integer between {low} and {high}, got {value!r}")
    try:
        exact = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be an integer between {low} and {high}, got {value!r}") from None
    if not low <= exact <= high:
        raise ValueError(f"{name} must be an integer between {low} and {high}, got {exact}")
    return int(exact)


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def format_count(value: int | Decimal) -> str:
    """An exact count with thousands separators below 10^15, else in scientific notation (4 digits)."""
    if isinstance(value, int) and value < 10**15:
        return f"{value:,}"
    return f"{Decimal(value):.3e}"


def search_space_report(n_weights: int, levels: int, samples: int = 4) -> str:
    """Networks, FLOPs and time (at an assumed 1 GFLOP/s) of an exhaustive search over quantized weights.

    Networks q^P; FLOPs per network 2 P m; search q^P 2 P m FLOPs, taking
    q^P 2 P m / 10^9 seconds; one gradient step 6 P m FLOPs, so the search
    equals q^P / 3 gradient steps. Derived in notebooks/11_learning_theory_aside.ipynb.
    """
    P = _check_int("n_weights", n_weights, *N_WEIGHTS_RANGE)
    q = _check_int("levels", levels, *LEVELS_RANGE)
    m = _check_int("samples", samples, *SAMPLES_RANGE)
    networks = search_space_size(P, q)
    per_network = 2 * P * m
    total = networks * per_network
    seconds = Decimal(total) / FLOPS_PER_SECOND
    years = seconds / Decimal(SECONDS_PER_YEAR)
    step = 6 * P * m
    lines = [
        f"Exhaustive search: P = {P} weight{_s(P)}, q = {q} levels each, m = {m} training sample{_s(m)}",
        "",
        f"networks to evaluate       q^P = {q}^{P} = {format_count(networks)}",
        f"FLOPs per network          2 P m = {format_count(per_network)}"
        "  (one multiply and one add per weight and sample)",
        f"FLOPs for the search       q^P x 2 P m = {format_count(total)}",
        f"time at 1 GFLOP/s          {seconds:.3e} s = {years:.3e} years  (an assumed rate, not a timing)",
        "",
        f"one gradient step          6 P m = {format_count(step)} FLOPs"
        "  (rule of thumb: forward 2 P m + backward 4 P m)",
        f"the search costs as much as q^P / 3 = {Decimal(networks) / 3:.3e} gradient steps",
        f"one more weight: the search x {q}, a gradient step + {format_count(6 * m)} FLOPs",
    ]
    return "\n".join(lines)


def search_space_explorer(n_weights: int = 9, levels: int = 3, samples: int = 4) -> Explorer:
    """An `Explorer` with sliders for P, q and m, showing `search_space_report`."""
    return Explorer(
        search_space_report,
        {
            "n_weights": int_slider("weights P", n_weights, *N_WEIGHTS_RANGE),
            "levels": int_slider("levels q", levels, *LEVELS_RANGE),
            "samples": int_slider("samples m", samples, *SAMPLES_RANGE),
        },
    )


def xor_report(hidden: int, seeds: int, epochs: int) -> str:
    """Success rate of full-batch gradient descent on XOR for a 2-``hidden``-1 network over ``seeds`` seeds.

    Runs `course_lib.exhaustive.xor_runs(hidden, seeds, epochs)` (seeds
    0..seeds-1, learning rate `XOR_LR`). A run succeeds when all four outputs
    are on the right side of 0.5. The counted FLOPs are seeds x epochs x
    ``mlp_training_step_cost([2, hidden, 1], 4, "mse").flops``. Derived in
    notebooks/11_learning_theory_aside.ipynb.
    """
    H = _check_int("hidden", hidden, *HIDDEN_RANGE)
    S = _check_int("seeds", seeds, *SEEDS_RANGE)
    T = _check_int("epochs", epochs, *EPOCHS_RANGE)
    runs = xor_runs(H, S, T)
    flops = runs.counts["flops"]
    per_step = flops // (S * T)

    def median(values: np.ndarray) -> str:
        return f"{np.median(values):.4f}" if values.size else "-"

    lines = [
        f"Gradient descent on XOR: 2-{H}-1 network (tanh hidden units, sigmoid output, mean squared error)",
        f"full batch (4 samples), learning rate {XOR_LR:g}, {T} steps, seeds 0 to {S - 1}",
        "",
        f"solved (all 4 points on the right side of 0.5): {runs.n_solved} of {S} runs"
        f" = {100 * runs.success_rate:.1f}%",
        f"median final loss: solved runs {median(runs.final_loss[runs.solved])},"
        f" other runs {median(runs.final_loss[~runs.solved])}",
        f"counted work: {S} seeds x {T} steps x {per_step:,} FLOPs per step = {flops:,} FLOPs",
    ]
    if H == 1:
        lines += [
            "",
            "With one hidden unit XOR is not realizable: the output is a monotone function of",
            "one weighted sum of the inputs, so no weights at all classify the four points.",
        ]
    return "\n".join(lines)


def xor_explorer(hidden: int = 2, seeds: int = 20, epochs: int = 400) -> Explorer:
    """An `Explorer` with sliders for the hidden width, the seeds and the steps, showing `xor_report`."""
    return Explorer(
        xor_report,
        {
            "hidden": int_slider("hidden units H", hidden, *HIDDEN_RANGE),
            "seeds": int_slider("seeds", seeds, *SEEDS_RANGE),
            "epochs": int_slider("steps", epochs, *EPOCHS_RANGE, step=50),
        },
    )
