"""Wiring of the learning-theory explorers (notebooks/11_learning_theory_aside.ipynb); the reports are
tested in tests/test_reports_learning_theory.py."""

from __future__ import annotations

import html

from course_lib.reports import learning_theory as lt
from course_lib.widgets.learning_theory import search_space_explorer, xor_explorer


def test_search_space_sliders_wired_to_the_report():
    search = search_space_explorer(n_weights=9, levels=3, samples=4)
    assert search.report is lt.search_space_report
    assert [(c.min, c.max) for c in search.controls.values()] == [
        lt.N_WEIGHTS_RANGE,
        lt.LEVELS_RANGE,
        lt.SAMPLES_RANGE,
    ]
    first = bytes(search.figure_view.value)
    search.controls["levels"].value = 2
    assert html.unescape(search.panel.value) == f"<pre>{lt.search_space_text(9, 2, 4)}</pre>"
    assert bytes(search.figure_view.value) not in (first, b"")


def test_xor_sliders_wired_to_the_report():
    xor = xor_explorer(hidden=2, seeds=3, epochs=50)
    assert xor.report is lt.xor_report
    assert [(c.min, c.max) for c in xor.controls.values()] == [
        lt.HIDDEN_RANGE,
        lt.SEEDS_RANGE,
        lt.EPOCHS_RANGE,
    ]
    assert xor.controls["epochs"].step == 50
    first = bytes(xor.figure_view.value)
    xor.controls["hidden"].value = 1
    assert html.unescape(xor.panel.value) == f"<pre>{lt.xor_text(1, 3, 50)}</pre>"
    assert bytes(xor.figure_view.value) not in (first, b"")
    assert xor.values() == {"hidden": 1, "seeds": 3, "epochs": 50}
