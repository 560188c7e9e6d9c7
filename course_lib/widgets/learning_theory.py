"""Explorers of notebooks/11_learning_theory_aside.ipynb: sliders over the two reports of
`course_lib.reports.learning_theory` (the exhaustive search's size, gradient descent on XOR)."""

from __future__ import annotations

from course_lib.reports import learning_theory as lt
from course_lib.widgets.base import Explorer, int_slider


def search_space_explorer(n_weights: int = 9, levels: int = 3, samples: int = 4) -> Explorer:
    """Sliders for the weights P, the levels q and the samples m over `lt.search_space_report`."""
    return Explorer(
        lt.search_space_report,
        {
            "n_weights": int_slider("weights P", n_weights, *lt.N_WEIGHTS_RANGE),
            "levels": int_slider("levels q", levels, *lt.LEVELS_RANGE),
            "samples": int_slider("samples m", samples, *lt.SAMPLES_RANGE),
        },
    )


def xor_explorer(hidden: int = 2, seeds: int = 20, epochs: int = 400) -> Explorer:
    """Sliders for the hidden width, the seeds and the steps (by 50) over `lt.xor_report`."""
    return Explorer(
        lt.xor_report,
        {
            "hidden": int_slider("hidden units H", hidden, *lt.HIDDEN_RANGE),
            "seeds": int_slider("seeds", seeds, *lt.SEEDS_RANGE),
            "epochs": int_slider("steps", epochs, *lt.EPOCHS_RANGE, step=50),
        },
    )
