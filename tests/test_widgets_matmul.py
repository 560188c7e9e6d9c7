"""Tests of the matrix-multiplication widget (notebooks/01_matrix_multiplication.ipynb).

Every expected number is computed here from the closed forms (m*n*p multiplies,
m*(n-1)*p adds, 2mnp - mp FLOPs, 8 bytes per float64 element), never read from
the widget's own output.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from course_lib.widgets.matmul import MAX_DIM, SLIDER_MAX, matmul_explorer, matmul_report

dims = st.integers(min_value=1, max_value=SLIDER_MAX)


def _row(text: str, label: str) -> str:
    """The report line that starts with ``label`` (exactly one must exist)."""
    rows = [line for line in text.splitlines() if line.startswith(label)]
    assert len(rows) == 1, f"expected one line starting with {label!r} in:\n{text}"
    return rows[0]


def _counted_and_formula(text: str, label: str) -> tuple[int, int]:
    """The counted number and the number after '=' on the ``label`` line."""
    match = re.fullmatch(rf"{label}\s+([\d,]+)\s+\S.*=\s+([\d,]+)", _row(text, label))
    assert match, f"unexpected {label} line: {_row(text, label)!r}"
    return tuple(int(group.replace(",", "")) for group in match.groups())


@settings(max_examples=40, deadline=None)
@given(m=dims, n=dims, p=dims)
@example(m=1, n=1, p=1)
@example(m=SLIDER_MAX, n=SLIDER_MAX, p=SLIDER_MAX)
@example(m=1, n=SLIDER_MAX, p=1)
@example(m=SLIDER_MAX, n=1, p=SLIDER_MAX)
def test_report_matches_closed_forms(m: int, n: int, p: int) -> None:
    text = matmul_report(m, n, p)
    products = m * n * p
    adds = m * (n - 1) * p
    flops = 2 * m * n * p - m * p
    assert _counted_and_formula(text, "multiplies") == (products, products)
    assert _counted_and_formula(text, "adds") == (adds, adds)
    assert _counted_and_formula(text, "MACs") == (products, products)
    assert _counted_and_formula(text, "FLOPs") == (flops, flops)
    assert "counted == formula: yes" in text
    assert f"C of shape ({m}, {p})" in text

    elements = {"A": m * n, "B": n * p, "C": m * p}
    for name, count in elements.items():
        assert re.search(rf"^  {name} .* = {count:,} elements? = {8 * count:,} B", text, re.MULTILINE)
    total_bytes = 8 * (m * n + n * p + m * p)
    assert f"A + B + C = {m * n + n * p + m * p:,} elements = {total_bytes:,} B" in text
    assert _row(text, "arithmetic intensity").endswith(f"= {flops / total_bytes:.3f} FLOP/byte")


def test_hand_worked_example() -> None:
    """A (2 x 3)(3 x 2) product: 4 entries, each 3 multiplies and 2 adds."""
    text = matmul_report(2, 3, 2)
    assert _counted_and_formula(text, "multiplies") == (12, 12)
    assert _counted_and_formula(text, "adds") == (8, 8)
    assert _counted_and_formula(text, "FLOPs") == (20, 20)
    assert "A + B + C = 16 elements = 128 B" in text


def test_report_is_deterministic() -> None:
    assert matmul_report(7, 5, 3) == matmul_report(7, 5, 3)


def test_report_accepts_numpy_integers_and_its_maximum() -> None:
    assert "C of shape (3, 1)" in matmul_report(np.int64(3), np.int32(2), 1)
    text = matmul_report(MAX_DIM, MAX_DIM, 1)
    assert _counted_and_formula(text, "multiplies") == (MAX_DIM * MAX_DIM, MAX_DIM * MAX_DIM)


@pytest.mark.parametrize("name", ["m", "n", "p"])
@pytest.mark.parametrize("bad", [0, -1, -512, MAX_DIM + 1, 2.0, 2.5, "3", None, True])
def test_bad_input_names_the_argument(name: str, bad: object) -> None:
    sizes: dict[str, object] = {"m": 2, "n": 3, "p": 4}
    sizes[name] = bad
    with pytest.raises(ValueError, match=rf"^{name} must be an integer between 1 and {MAX_DIM}"):
        matmul_report(**sizes)


def test_explorer_has_bounded_sliders() -> None:
    explorer = matmul_explorer()
    assert list(explorer.controls) == ["m", "n", "p"]
    for control in explorer.controls.values():
        assert (control.min, control.max) == (1, SLIDER_MAX)


def _panel_text(explorer: object) -> str:
    value = explorer.panel.value
    assert value.startswith("<pre>") and value.endswith("</pre>")
    return html.unescape(value[len("<pre>") : -len("</pre>")])


def test_explorer_panel_updates_when_a_control_moves() -> None:
    explorer = matmul_explorer(m=4, n=4, p=4)
    assert _counted_and_formula(_panel_text(explorer), "multiplies") == (64, 64)
    explorer.controls["n"].value = 10
    assert explorer.values() == {"m": 4, "n": 10, "p": 4}
    text = _panel_text(explorer)
    assert "C of shape (4, 4)" in text
    assert _counted_and_formula(text, "multiplies") == (4 * 10 * 4, 4 * 10 * 4)
    explorer.controls["p"].value = 9
    text = _panel_text(explorer)
    assert "C of shape (4, 9)" in text
    assert _counted_and_formula(text, "adds") == (4 * 9 * 9, 4 * 9 * 9)
