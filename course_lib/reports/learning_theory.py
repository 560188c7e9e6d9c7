"""Reports of notebooks/11_learning_theory_aside.ipynb: exact training against gradient descent.

Two experiments, each a text and a figure:

* `search_space_report(n_weights, levels, samples)`: what an exhaustive search over
  quantized weights would cost. It evaluates q^P networks (P weights, q levels each,
  `course_lib.exhaustive.search_space_size`); each evaluation on m samples is estimated
  at 2 P m FLOPs (one multiply and one add per weight and sample, an upper bound for a
  dense network, whose biases need an add but no multiply); the time assumes a machine
  doing 1 GFLOP/s (a stated rate, not a measurement). Beside it, one gradient step on
  the same data at the rule of thumb 6 P m FLOPs (forward 2 P m, backward about twice
  the forward, notebooks 03 and 04), so the search costs as much as q^P / 3 gradient
  steps. The figure draws both against P on a log scale, with the FLOPs that 1 GFLOP/s
  does in a second, a year and the age of the universe.
* `xor_report(hidden, seeds, epochs)`: full-batch gradient descent on XOR with a
  2-``hidden``-1 network (tanh hidden, sigmoid output, mean squared error, learning rate
  1) from seeds 0..seeds-1 (`course_lib.exhaustive.xor_runs`): how many runs classify all
  four points correctly, and the counted FLOPs. The figure: the success rate against the
  hidden width, every width of the slider at the chosen seeds and steps. Deterministic
  (seeded); each width's runs are cached, so moving the width redraws at once.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from course_lib.exhaustive import XOR_LR, ManyRuns, search_space_size, xor_runs
from course_lib.plotting import COLORS
from course_lib.reports.base import Report, new_figure
from course_lib.reports.format import format_exact
from course_lib.validation import require_int

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

UNIVERSE_YEARS = 13.8e9
"""The age of the universe, about 13.8 billion years (Planck Collaboration 2020: 13.787 +- 0.020)."""

FLOP_RANGE = (1.0, 1e100)
"""y range of the search-space figure (FLOPs), the same for every setting: the region where a
second, a year and the age of the universe at 1 GFLOP/s lie. Steeper searches leave it at the top
(the largest setting, 16^200 x 2 x 200 x 10,000, is about 2.7e247 FLOPs); the title gives the count."""

HIDDEN_RANGE = (1, 8)
"""Slider range of the hidden width of `xor_report`."""

SEEDS_RANGE = (1, 50)
"""Slider range of the number of seeds of `xor_report`."""

EPOCHS_RANGE = (50, 1000)
"""Slider range of the number of full-batch steps of `xor_report` (step 50)."""


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _search_values(n_weights: object, levels: object, samples: object) -> tuple[int, int, int]:
    return (
        require_int("n_weights", n_weights, *N_WEIGHTS_RANGE),
        require_int("levels", levels, *LEVELS_RANGE),
        require_int("samples", samples, *SAMPLES_RANGE),
    )


def search_space_text(n_weights: int, levels: int, samples: int = 4) -> str:
    """Networks, FLOPs and time (at an assumed 1 GFLOP/s) of an exhaustive search over quantized weights.

    Networks q^P; FLOPs per network 2 P m; search q^P 2 P m FLOPs, taking
    q^P 2 P m / 10^9 seconds; one gradient step 6 P m FLOPs, so the search
    equals q^P / 3 gradient steps. Derived in notebooks/11_learning_theory_aside.ipynb.
    """
    P, q, m = _search_values(n_weights, levels, samples)
    networks = search_space_size(P, q)
    per_network = 2 * P * m
    total = networks * per_network
    seconds = Decimal(total) / FLOPS_PER_SECOND
    years = seconds / Decimal(SECONDS_PER_YEAR)
    step = 6 * P * m
    lines = [
        f"Exhaustive search: P = {P} weight{_s(P)}, q = {q} levels each, m = {m} training sample{_s(m)}",
        "",
        f"networks to evaluate       q^P = {q}^{P} = {format_exact(networks)}",
        f"FLOPs per network          2 P m = {format_exact(per_network)}"
        "  (one multiply and one add per weight and sample)",
        f"FLOPs for the search       q^P x 2 P m = {format_exact(total)}",
        f"time at 1 GFLOP/s          {seconds:.3e} s = {years:.3e} years  (an assumed rate, not a timing)",
        "",
        f"one gradient step          6 P m = {format_exact(step)} FLOPs"
        "  (rule of thumb: forward 2 P m + backward 4 P m)",
        f"the search costs as much as q^P / 3 = {Decimal(networks) / 3:.3e} gradient steps",
        f"one more weight: the search x {q}, a gradient step + {format_exact(6 * m)} FLOPs",
    ]
    return "\n".join(lines)


def search_space_figure(n_weights: int, levels: int, samples: int = 4) -> Figure:
    """FLOPs of the exhaustive search (q^P 2 P m, gid ``"search"``) and of one gradient step (6 P m,
    gid ``"step"``) against P = 1 .. 200 for the chosen q and m, on a log scale fixed at `FLOP_RANGE`;
    the chosen P marked on both (gid ``"chosen"``, off the top when the search passes 10^100, the
    title gives its count); dotted, the FLOPs 1 GFLOP/s does in a second, a year and the age of the
    universe."""
    P, q, m = _search_values(n_weights, levels, samples)
    weights = np.arange(N_WEIGHTS_RANGE[0], N_WEIGHTS_RANGE[1] + 1)
    search = [float(search_space_size(int(p), q) * 2 * int(p) * m) for p in weights]
    fig, ax = new_figure(7.2, 3.8)
    ax.plot(
        weights,
        search,
        color=COLORS["forward"],
        gid="search",
        label=f"exhaustive search, q^P x 2Pm (q = {q})",
    )
    ax.plot(
        weights, 6.0 * weights * m, color=COLORS["parameters"], gid="step", label="one gradient step, 6Pm"
    )
    chosen = float(search_space_size(P, q) * 2 * P * m)
    ax.plot([P, P], [chosen, 6.0 * P * m], "o", color="black", gid="chosen", label=f"P = {P}")
    for seconds, name in (
        (1.0, "1 s"),
        (SECONDS_PER_YEAR, "1 year"),
        (UNIVERSE_YEARS * SECONDS_PER_YEAR, "age of the universe"),
    ):
        flops = seconds * FLOPS_PER_SECOND
        ax.axhline(flops, color=COLORS["theory"], linestyle=":", linewidth=1)
        ax.text(N_WEIGHTS_RANGE[1], flops * 1.5, f"{name} at 1 GFLOP/s", ha="right", va="bottom", fontsize=8)
    ax.set_yscale("log")
    ax.set_xlim(0, N_WEIGHTS_RANGE[1])
    ax.set_ylim(*FLOP_RANGE)
    ax.yaxis.set_major_locator(LogLocator(base=10, numticks=6))  # every 20 decades
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"1e{np.log10(value):.0f}"))
    ax.set_xlabel("weights P")
    ax.set_ylabel("FLOPs (count)")
    ax.set_title(
        f"q = {q} levels, m = {m} samples; P = {P}: the search costs {chosen:.3g} FLOPs", fontsize=10
    )
    ax.legend(loc="upper left", fontsize=8)
    return fig


def search_space_report(n_weights: int, levels: int, samples: int = 4) -> Report:
    """`search_space_text` and `search_space_figure`; ValueError naming the argument outside the ranges."""
    return Report(
        search_space_text(n_weights, levels, samples), search_space_figure(n_weights, levels, samples)
    )


def _xor_values(hidden: object, seeds: object, epochs: object) -> tuple[int, int, int]:
    return (
        require_int("hidden", hidden, *HIDDEN_RANGE),
        require_int("seeds", seeds, *SEEDS_RANGE),
        require_int("epochs", epochs, *EPOCHS_RANGE),
    )


@lru_cache(maxsize=256)
def _runs(hidden: int, seeds: int, epochs: int) -> ManyRuns:
    return xor_runs(hidden, seeds, epochs)


def xor_text(hidden: int, seeds: int, epochs: int) -> str:
    """Success rate of full-batch gradient descent on XOR for a 2-``hidden``-1 network over ``seeds`` seeds.

    Runs `course_lib.exhaustive.xor_runs(hidden, seeds, epochs)` (seeds 0..seeds-1,
    learning rate `XOR_LR`). A run succeeds when all four outputs are on the right side
    of 0.5. The counted FLOPs are seeds x epochs x
    ``mlp_training_step_cost([2, hidden, 1], 4, "mse").flops``. Derived in
    notebooks/11_learning_theory_aside.ipynb.
    """
    H, S, T = _xor_values(hidden, seeds, epochs)
    runs = _runs(H, S, T)
    flops = runs.counts["flops"]

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
        f"counted work: {S} seeds x {T} steps x {flops // (S * T):,} FLOPs per step = {flops:,} FLOPs",
    ]
    if H == 1:
        lines += [
            "",
            "With one hidden unit XOR is not realizable: the output is a monotone function of",
            "one weighted sum of the inputs, so no weights at all classify the four points.",
        ]
    return "\n".join(lines)


def xor_figure(hidden: int, seeds: int, epochs: int) -> Figure:
    """Success rate (%) of the runs against the hidden width H = 1 .. 8 at the chosen seeds and steps.

    One bar per width (gid ``"success"``), the chosen width solid and the others lighter,
    each labelled "solved of seeds"; the y axis is fixed from 0 to 100 %.
    """
    H, S, T = _xor_values(hidden, seeds, epochs)
    widths = list(range(HIDDEN_RANGE[0], HIDDEN_RANGE[1] + 1))
    solved = [_runs(width, S, T).n_solved for width in widths]
    fig, ax = new_figure(7.2, 3.4)
    bars = ax.bar(widths, [100 * k / S for k in solved], color=COLORS["forward"], width=0.7, gid="success")
    for bar, width, count in zip(bars, widths, solved, strict=True):
        bar.set_alpha(1.0 if width == H else 0.4)
        ax.text(width, bar.get_height() + 2, f"{count}/{S}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(widths)
    ax.set_ylim(0, 115)
    ax.set_yticks(range(0, 101, 25))
    ax.set_xlabel("hidden units H (network 2-H-1)")
    ax.set_ylabel("runs that solve XOR (%)")
    ax.set_title(
        f"{S} seeds, {T} full-batch steps, learning rate {XOR_LR:g}: H = {H} highlighted", fontsize=10
    )
    return fig


def xor_report(hidden: int, seeds: int, epochs: int) -> Report:
    """`xor_text` and `xor_figure`; ValueError naming the argument outside the ranges."""
    return Report(xor_text(hidden, seeds, epochs), xor_figure(hidden, seeds, epochs))
