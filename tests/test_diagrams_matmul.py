"""The matrix-product entry diagram (course_lib.diagrams.matmul, notebook 01): its numbers and shading.

Expected numbers are computed here, independently of `course_lib.complexity`: by
hand (a dot product of length n has n multiplies and n - 1 adds) and by counting
every scalar operation of `matmul_naive` on the same shapes.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from course_lib.counting import count_ops, matmul_naive
from course_lib.diagrams.matmul import draw_matmul_entry


def costs_text(fig) -> str:
    (ax,) = fig.axes
    (text,) = [t.get_text() for t in ax.texts if t.get_gid() == "costs"]
    return text


def shaded(fig, matrix: str) -> set[tuple[int, int]]:
    (ax,) = fig.axes
    cells = set()
    for patch in ax.patches:
        gid = patch.get_gid() or ""
        if gid.startswith(matrix + " "):
            _, row, col = gid.split()
            cells.add((int(row), int(col)))
    return cells


def test_worked_example_3_4_2_by_hand() -> None:
    text = costs_text(draw_matmul_entry(3, 4, 2, 2, 1))
    # c_21 is a dot product of length 4: 4 multiplies, 3 adds; 6 entries: 24 and 18, 42 FLOPs
    assert "4 multiplies, 3 adds" in text
    assert "all 6 entries:\n24 multiplies, 18 adds\n= 42 FLOPs" in text


@pytest.mark.parametrize(
    ("m", "n", "p", "i", "j"), [(3, 4, 2, 2, 1), (1, 1, 1, 1, 1), (5, 7, 3, 4, 2), (8, 8, 8, 8, 8)]
)
def test_numbers_match_counted_loops(m: int, n: int, p: int, i: int, j: int) -> None:
    rng = np.random.default_rng(0)
    with count_ops() as one_entry:
        matmul_naive(rng.standard_normal((1, n)), rng.standard_normal((n, 1)))
    with count_ops() as whole:
        matmul_naive(rng.standard_normal((m, n)), rng.standard_normal((n, p)))
    text = costs_text(draw_matmul_entry(m, n, p, i, j))
    numbers = [int(x.replace(",", "")) for x in re.findall(r"([\d,]+) (?:multiplies|adds|FLOPs)", text)]
    assert numbers == [one_entry.multiplies, one_entry.adds, whole.multiplies, whole.adds, whole.flops]


@pytest.mark.parametrize(("m", "n", "p", "i", "j"), [(3, 4, 2, 2, 1), (5, 7, 3, 4, 2), (2, 1, 6, 1, 6)])
def test_the_row_and_the_column_that_make_the_entry_are_shaded(
    m: int, n: int, p: int, i: int, j: int
) -> None:
    fig = draw_matmul_entry(m, n, p, i, j)
    assert shaded(fig, "A") == {(i - 1, k) for k in range(n)}
    assert shaded(fig, "B") == {(k, j - 1) for k in range(n)}
    assert shaded(fig, "C") == {(i - 1, j - 1)}
    (ax,) = fig.axes
    assert len(ax.patches) == m * n + n * p + m * p  # one square per element
    assert f"A: {m} × {n}" in [t.get_text() for t in ax.texts]


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"m": 0}, "m"),
        ({"n": 9}, "n"),
        ({"p": 2.5}, "p"),
        ({"m": 3, "i": 4}, "i"),
        ({"p": 2, "j": 0}, "j"),
        ({"j": True}, "j"),
    ],
)
def test_bad_input_names_the_argument(kwargs: dict[str, object], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        draw_matmul_entry(**kwargs)
