"""One entry of a matrix product drawn by code: the row of A and the column of B that make it.

For C = A B with A of shape m x n and B of shape n x p, the entry c_ij is the
dot product of row i of A with column j of B: n multiplies and n - 1 adds
(`course_lib.complexity.matmul.matmul_cost(1, n, 1)`); the m p entries together
cost m n p multiplies and m (n - 1) p adds (`matmul_cost(m, n, p)`). The
matrices are drawn to scale, one square per element, B above C and A to the
left of C, so that the row and the column meet at the entry they make.
Derived in notebooks/01_matrix_multiplication.ipynb.
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from course_lib.complexity.matmul import matmul_cost
from course_lib.plotting import COLORS
from course_lib.reports.base import new_figure
from course_lib.validation import require_int

MAX_SIDE = 8
"""Largest m, n and p drawn (one square per element)."""

GAP = 1.2
"""Space between two matrices, in element squares."""

TEXT_WIDTH = 7.5
"""Room kept right of C for the costs, in element squares."""


def _grid(
    ax: Axes, x0: float, y0: float, rows: int, cols: int, highlight: set[tuple[int, int]], gid: str
) -> None:
    """A rows x cols grid of unit squares with its top-left corner at (x0, y0) (y grows downwards)."""
    for r in range(rows):
        for c in range(cols):
            lit = (r, c) in highlight
            ax.add_patch(
                Rectangle(
                    (x0 + c, y0 + r),
                    1,
                    1,
                    facecolor=COLORS["forward"] if lit else "white",
                    alpha=0.35 if lit else 1.0,
                    edgecolor=COLORS["theory"],
                    linewidth=0.8,
                    gid=f"{gid} {r} {c}" if lit else None,
                )
            )


def draw_matmul_entry(m: int = 3, n: int = 4, p: int = 2, i: int = 2, j: int = 1) -> Figure:
    """A (m x n), B (n x p) and C = A B with row i of A, column j of B and c_ij shaded (1-based i, j).

    The text gives the cost of that one entry (n multiplies, n - 1 adds) and of
    the whole product (m n p multiplies, m (n - 1) p adds). Each of m, n, p is
    from 1 to 8, i from 1 to m and j from 1 to p.
    """
    m, n, p = (require_int(name, v, 1, MAX_SIDE) for name, v in (("m", m), ("n", n), ("p", p)))
    i, j = require_int("i", i, 1, m), require_int("j", j, 1, p)
    entry, total = matmul_cost(1, n, 1), matmul_cost(m, n, p)

    fig, ax = new_figure(6.4, 4.0)
    a_x, c_x = 0.0, n + GAP  # A on the left, C to its right; B above C
    b_y, c_y = 0.0, n + GAP
    _grid(ax, a_x, c_y, m, n, {(i - 1, k) for k in range(n)}, "A")
    _grid(ax, c_x, b_y, n, p, {(k, j - 1) for k in range(n)}, "B")
    _grid(ax, c_x, c_y, m, p, {(i - 1, j - 1)}, "C")
    ax.text(c_x + j - 0.5, c_y + i - 0.5, f"$c_{{{i}{j}}}$", ha="center", va="center", fontsize=10)
    for k in range(n):
        ax.text(a_x + k + 0.5, c_y + i - 0.5, f"$a_{{{i}{k + 1}}}$", ha="center", va="center", fontsize=8)
        ax.text(c_x + j - 0.5, b_y + k + 0.5, f"$b_{{{k + 1}{j}}}$", ha="center", va="center", fontsize=8)
    label = {"fontsize": 9, "ha": "center", "va": "top"}
    ax.text(a_x + n / 2, c_y + m + 0.3, f"A: {m} × {n}", **label)
    ax.text(c_x + p / 2, c_y + m + 0.3, f"C = AB: {m} × {p}", **label)
    ax.text(c_x - 0.3, b_y + n / 2, f"B: {n} × {p}", fontsize=9, ha="right", va="center")
    if n <= 3:
        sum_text = " + ".join(f"a_{{{i}{k}}} b_{{{k}{j}}}" for k in range(1, n + 1))
    else:
        sum_text = rf"\sum_{{k=1}}^{{{n}}} a_{{{i}k}} b_{{k{j}}}"
    ax.text(
        c_x + p + 0.8,
        b_y,
        f"one entry:\n$c_{{{i}{j}}} = {sum_text}$\n{entry.multiplies:,} multiplies, {entry.adds:,} adds\n\n"
        f"all {m * p:,} entries:\n{total.multiplies:,} multiplies, {total.adds:,} adds\n= {total.flops:,} FLOPs",
        fontsize=9,
        ha="left",
        va="top",
        gid="costs",
    )
    ax.set_title(f"Entry ({i}, {j}) of C = AB: row {i} of A times column {j} of B", fontsize=10)
    ax.set_xlim(-0.3, c_x + p + TEXT_WIDTH)
    ax.set_ylim(c_y + m + 1.2, -0.3)  # y grows downwards, as row numbers do
    ax.set_aspect("equal")
    ax.set_axis_off()
    return fig
