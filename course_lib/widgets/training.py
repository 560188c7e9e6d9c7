"""Explorer of notebooks/04_gradient_descent.ipynb: four sliders above `course_lib.reports.training.report`."""

from __future__ import annotations

from course_lib.reports import training
from course_lib.widgets.base import Explorer, int_slider, log_slider

STEPS_SLIDER = (10, training.STEPS_RANGE[1], 10)
"""The steps slider: from 10 to 2,000 in steps of 10."""


def training_explorer(
    learning_rate: float = 0.5,
    batch_size: int = training.N_SAMPLES,
    condition_number: float = 10.0,
    steps: int = 200,
) -> Explorer:
    """Learning rate and condition number (log sliders), batch size and steps above the loss curve and 2-D path."""
    controls = {
        "learning_rate": log_slider("learning_rate", learning_rate, *training.LEARNING_RATE_RANGE),
        "batch_size": int_slider("batch_size", batch_size, *training.BATCH_RANGE),
        "condition_number": log_slider(
            "condition_number", condition_number, *training.CONDITION_RANGE, step=0.25
        ),
        "steps": int_slider("steps", steps, *STEPS_SLIDER),
    }
    return Explorer(training.report, controls)
