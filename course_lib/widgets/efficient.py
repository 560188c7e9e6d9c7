"""Explorer of notebooks/07_designing_efficient_cnns.ipynb: MobileNet v1's width and resolution sliders
over `course_lib.reports.efficient.report`."""

from __future__ import annotations

from course_lib.reports import efficient
from course_lib.widgets.base import Explorer, float_slider, int_slider


def efficient_explorer(
    width_multiplier: float = 1.0, resolution: int = efficient.BASE_RESOLUTION
) -> Explorer:
    """A width-multiplier slider (0.25 to 1.5, step 0.05) and a resolution slider (96 to 320, step 32)
    above the four block designs' costs against the phone budget, and the report."""
    return Explorer(
        efficient.report,
        {
            "width_multiplier": float_slider(
                "width_multiplier",
                width_multiplier,
                *efficient.LIMITS["width_multiplier"],
                efficient.WIDTH_STEP,
            ),
            "resolution": int_slider(
                "resolution", resolution, *efficient.LIMITS["resolution"], efficient.RESOLUTION_STEP
            ),
        },
    )
