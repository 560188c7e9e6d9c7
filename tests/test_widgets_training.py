"""Wiring of the gradient-descent explorer (course_lib.widgets.training): four sliders drive the report."""

from __future__ import annotations

import pytest
from report_checks import panel_text

from course_lib.reports import training
from course_lib.widgets.training import STEPS_SLIDER, training_explorer


def test_sliders_drive_the_report() -> None:
    explorer = training_explorer(learning_rate=0.5, batch_size=64, condition_number=10.0, steps=20)
    controls = explorer.controls
    assert list(controls) == ["learning_rate", "batch_size", "condition_number", "steps"]
    assert (controls["batch_size"].min, controls["batch_size"].max) == training.BATCH_RANGE
    assert (controls["steps"].min, controls["steps"].max, controls["steps"].step) == STEPS_SLIDER
    assert 10 ** controls["learning_rate"].min == pytest.approx(training.LEARNING_RATE_RANGE[0])
    assert 10 ** controls["learning_rate"].max == pytest.approx(training.LEARNING_RATE_RANGE[1])
    assert 10 ** controls["condition_number"].min == pytest.approx(training.CONDITION_RANGE[0])
    assert 10 ** controls["condition_number"].max == pytest.approx(training.CONDITION_RANGE[1])
    assert panel_text(explorer) == training.text(0.5, 64, 10.0, 20)
    before = explorer.figure_view.value
    controls["learning_rate"].value = 5.0
    assert panel_text(explorer) == training.text(5.0, 64, 10.0, 20)
    assert explorer.figure_view.value != before
