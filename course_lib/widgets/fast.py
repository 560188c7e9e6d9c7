"""Explorer of notebooks/08_fast_algorithms.ipynb: one slider per argument of `course_lib.reports.fast.report`."""

from __future__ import annotations

from course_lib.reports import fast
from course_lib.widgets.base import Explorer, int_slider


def winograd_explorer(
    height: int = 14, width: int = 14, c_in: int = 64, c_out: int = 64, tile: int = 4, padding: int = 1
) -> Explorer:
    """Sliders (ranges `fast.LIMITS`; tile 2 or 4) above the layer's Winograd tiling, one tile's transforms and the costs."""
    fast.text(height, width, c_in, c_out, tile, padding)  # bad arguments fail here, naming themselves
    start = {"height": height, "width": width, "c_in": c_in, "c_out": c_out, "padding": padding}
    controls = {name: int_slider(name, value, *fast.LIMITS[name]) for name, value in start.items()}
    controls["tile"] = int_slider("tile", tile, min(fast.TILE_SIDES), max(fast.TILE_SIDES), step=2)
    return Explorer(fast.report, {name: controls[name] for name in fast.ARGUMENTS})
