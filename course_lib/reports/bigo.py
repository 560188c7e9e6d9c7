"""Report of the growth-rate experiment of notebooks/00_start_here.ipynb: how much more work when n grows by f.

Three algorithms of order k = 1, 2, 3 (`course_lib.growth`) are counted at
size n and at size f n. Their ratio work(f n) / work(n) tends to f^k as n
grows; at small n the lower-order terms pull it away (the sum's ratio is
(f n - 1) / (n - 1), the matrix product's f^2 (2 f n - 1) / (2 n - 1), the
all-pairs ratio is exactly f^2 since 2 n^2 has no lower-order term).

The figure: left, the work of each algorithm against the size on log-log axes
(the closed form over the whole slider range, faint; its stretch from n to f n
bold; the counted work at n and f n as dots, labelled with their ratio); right, the ratio against n with the
limits f^k dotted and the counted ratio at the chosen n as a dot. Both axes
stay fixed while the sliders move.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FormatStrFormatter

from course_lib.growth import ALGORITHMS, growth_counts
from course_lib.plotting import COLORS
from course_lib.reports.base import Report, drop_minor_ticks, new_figure
from course_lib.validation import require_int

N_RANGE = (2, 100)
"""Range of the size n (a sum of one number has no add, so n = 1 has no ratio)."""

FACTOR_RANGE = (2, 5)
"""Range of the growth factor f (the largest product counted is 500 x 500)."""

ALGORITHM_COLORS = dict(
    zip(ALGORITHMS, (COLORS["forward"], COLORS["gradient"], COLORS["backward"]), strict=True)
)
"""One colour per algorithm, the same in both panels."""

SIZE_LIMITS = (1, 600)
"""Fixed x range of the left panel (sizes up to 100 x 5 = 500)."""

WORK_LIMITS = (0.5, 1e9)
"""Fixed y range of the left panel, in FLOPs (2 * 500^3 = 2.5e8 at most)."""

RATIO_LIMITS = (1, 300)
"""Fixed y range of the right panel (largest ratio: the product at n = 2, f = 5, 25 * 19 / 3 = 158)."""


def _checked(n: object, factor: object) -> tuple[int, int]:
    return require_int("n", n, *N_RANGE), require_int("factor", factor, *FACTOR_RANGE)


@lru_cache(maxsize=8)
def _counted(n: int, factor: int) -> tuple[dict[str, int], dict[str, int]]:
    """The counted FLOPs at n and at f n (kept for the text and the figure of the same setting)."""
    return growth_counts(n), growth_counts(factor * n)


def text(n: int, factor: int) -> str:
    """The table: counted FLOPs at n and f n, their ratio and its limit f^k, for each algorithm."""
    n, factor = _checked(n, factor)
    small, large = _counted(n, factor)
    size_small, size_large = f"n = {n}", f"{factor}n = {factor * n}"
    lines = [
        f"FLOPs counted at {size_small} and at {size_large} (multiplies + adds, from count_ops)",
        "",
        f"{'algorithm':<30} {'order':>5} {size_small:>12} {size_large:>14} {'ratio':>9} {'limit f^k':>11}",
    ]
    for name, algorithm in ALGORITHMS.items():
        order = algorithm.order
        power = "n" if order == 1 else f"n^{order}"
        ratio = large[name] / small[name]
        lines.append(
            f"{name:<30} {power:>5} {small[name]:>12,} {large[name]:>14,} {ratio:>9.3f} {factor**order:>11,}"
        )
    lines += [
        "",
        f"Multiplying n by {factor} multiplies an order-k algorithm's work by about {factor}^k;",
        "the ratio is exactly that only when lower-order terms vanish (all-pairs: 2 n^2).",
    ]
    return "\n".join(lines)


def figure(n: int, factor: int) -> Figure:
    """Work against size (left) and the ratio work(f n) / work(n) against n (right), axes fixed."""
    n, factor = _checked(n, factor)
    small, large = _counted(n, factor)

    fig, (work, ratio) = new_figure(7.2, 3.4, ncols=2)
    every_size = np.arange(SIZE_LIMITS[0], N_RANGE[1] * FACTOR_RANGE[1] + 1)
    stretch = np.arange(n, factor * n + 1)
    every_n = np.arange(N_RANGE[0], N_RANGE[1] + 1)
    for name, algorithm in ALGORITHMS.items():
        color, k = ALGORITHM_COLORS[name], algorithm.order
        formula = np.vectorize(algorithm.flops, otypes=[float])
        work.plot(every_size, formula(every_size), color=color, alpha=0.3, linewidth=1, gid=f"formula:{name}")
        work.plot(stretch, formula(stretch), color=color, linewidth=2.5, label=name, gid=f"stretch:{name}")
        work.plot([n, factor * n], [small[name], large[name]], "o", color=color, gid=f"counted:{name}")
        work.annotate(
            f"x {large[name] / small[name]:.2f}",
            (factor * n, large[name]),
            xytext=(5, -3),
            textcoords="offset points",
            fontsize=8,
            color=color,
        )
        ratio.plot(every_n, formula(factor * every_n) / formula(every_n), color=color, gid=f"ratio:{name}")
        ratio.axhline(factor**k, color=color, linestyle=":", linewidth=1, gid=f"limit:{name}")
        ratio.annotate(
            f"$f^{k}$ = {factor**k}",
            (N_RANGE[1], factor**k),
            xytext=(-2, 3),
            textcoords="offset points",
            ha="right",
            fontsize=8,
            color=color,
        )
        ratio.plot([n], [large[name] / small[name]], "o", color=color, gid=f"counted ratio:{name}")
    work.set(
        xscale="log",
        yscale="log",
        xlim=SIZE_LIMITS,
        ylim=WORK_LIMITS,
        xlabel="input size n (n numbers, or n x n matrices)",
        ylabel="work (FLOPs)",
        title=f"Work from n = {n} to {factor}n = {factor * n}",
    )
    work.legend(fontsize=7, loc="upper left")
    ratio.axvline(n, color=COLORS["theory"], linewidth=0.8, alpha=0.5, gid="chosen n")
    ratio.set(
        xscale="log",
        yscale="log",
        xlim=N_RANGE,
        ylim=RATIO_LIMITS,
        xlabel="size n",
        ylabel=f"work({factor}n) / work(n)  (times)",
        title=f"The ratio tends to $f^k$ = ${factor}^k$",
    )
    for axis in (work.xaxis, ratio.xaxis, ratio.yaxis):
        axis.set_major_formatter(FormatStrFormatter("%g"))
    ratio.set_xticks([2, 5, 10, 20, 50, 100])
    ratio.set_yticks([1, 2, 5, 10, 20, 50, 100, 200])
    drop_minor_ticks(work, ratio)
    return fig


def report(n: int, factor: int) -> Report:
    """Counted FLOPs of an order-n, n^2 and n^3 algorithm at size n and f n, their ratio and its limit f^k.

    ``n``: 2 to 100 (`N_RANGE`); ``factor``: 2 to 5 (`FACTOR_RANGE`); ValueError naming
    the argument otherwise. Text: `text`; figure: `figure`. Derived in
    notebooks/00_start_here.ipynb.
    """
    return Report(text(n, factor), figure(n, factor))
