"""One figure style for the course, the log-log scaling plot, and figure export.

`loglog_fit` draws measured points, the fitted power law (slope in the legend)
and the theoretical slope as a dashed reference line, as every *time* section of
the course does. `save_figure` writes PNG and SVG into ``figures/``.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.typing import RcKeyType

from course_lib.timing import PowerLawFit, fit_power_law

FIGURES_DIR = Path(__file__).resolve().parent.parent / "figures"
"""Where `save_figure` writes by default: the repository's ``figures/`` folder."""

EXPORT_VARIABLE = "COURSE_EXPORT_FIGURES"
"""Set this environment variable to 1 and `export_figure` writes files (``make figures`` does)."""

STYLE: dict[RcKeyType, object] = {
    "figure.figsize": (6.4, 4.2),
    "figure.dpi": 100,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "font.size": 10,
    "svg.hashsalt": "course_lib",
}


COLORS = {
    "forward": "#0072B2",
    "backward": "#D55E00",
    "gradient": "#E69F00",
    "parameters": "#56B4E9",
    "memory": "#CC79A7",
    "time": "#009E73",
    "theory": "#666666",
}
"""The course's colour for each quantity, the same in every figure (Okabe and Ito's colour-blind-safe set):
forward pass / MACs / counts, backward pass / weight gradients, input gradients (dx) and other
backward parts, parameters / updates, memory, measured time, and formulas drawn for reference."""


def use_course_style() -> None:
    """Apply the course's matplotlib style (call once per notebook)."""
    mpl.rcParams.update(STYLE)


def loglog_fit(
    ax: plt.Axes,
    x: np.ndarray,
    y: np.ndarray,
    theoretical_exponent: float | None = None,
    label: str = "measured",
    fit_range: slice = slice(None),
    color: str | None = None,
    theory_linestyle: str = "--",
) -> PowerLawFit:
    """Plot ``y`` against ``x`` on log-log axes with its fitted power law.

    The fit uses the points selected by ``fit_range`` (e.g. ``slice(3, None)``
    to leave out sizes dominated by overheads). The theoretical slope, if given,
    is drawn in grey through the last fitted point, dashed unless
    ``theory_linestyle`` says otherwise (give a second theory line on the same
    axes its own style). Returns the fit.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    fit = fit_power_law(x[fit_range], y[fit_range])
    (points,) = ax.loglog(x, y, "o", color=color, label=label)
    fitted_x = x[fit_range]
    ax.loglog(
        fitted_x,
        fit.predict(fitted_x),
        "-",
        color=points.get_color(),
        label=f"{label}: fitted slope {fit.exponent:.2f}",
    )
    if theoretical_exponent is not None:
        anchor_x, anchor_y = fitted_x[-1], y[fit_range][-1]
        ax.loglog(
            x,
            anchor_y * (x / anchor_x) ** theoretical_exponent,
            theory_linestyle,
            color="grey",
            linewidth=1,
            label=f"theoretical slope {theoretical_exponent:g}",
        )
    ax.legend()
    return fit


def save_figure(fig: plt.Figure, name: str, directory: Path | str | None = None) -> list[Path]:
    """Save ``fig`` as ``name``.png and ``name``.svg in ``directory`` (default `FIGURES_DIR`)."""
    if not name or "/" in name or "." in name:
        raise ValueError(f"name must be a bare file stem such as 'matmul_scaling', got {name!r}")
    folder = Path(directory) if directory is not None else FIGURES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{name}.{ext}" for ext in ("png", "svg")]
    for path in paths:
        fig.savefig(path, bbox_inches="tight", metadata={"Date": None} if path.suffix == ".svg" else None)
    return paths


def export_figure(fig: plt.Figure, name: str) -> list[Path]:
    """`save_figure` into `FIGURES_DIR` when ``COURSE_EXPORT_FIGURES=1``, else nothing.

    Notebooks call this after every figure a lecturer may want for slides:
    ``make figures`` runs the notebooks with the variable set, while reading,
    ``make execute`` and the tests leave ``figures/`` untouched.
    """
    if os.environ.get(EXPORT_VARIABLE) != "1":
        return []
    return save_figure(fig, name)
