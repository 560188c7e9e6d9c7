"""Plot helpers: the fit drawn is the fit returned; figures are written as PNG and SVG."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.plotting import loglog_fit, save_figure


def test_loglog_fit_draws_points_fit_and_reference(tmp_path):
    x = np.array([10.0, 20.0, 40.0, 80.0])
    fig, ax = plt.subplots()
    fit = loglog_fit(ax, x, 2.0 * x**3, theoretical_exponent=3)
    assert fit.exponent == pytest.approx(3.0)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["measured", "measured: fitted slope 3.00", "theoretical slope 3"]
    assert ax.get_xscale() == ax.get_yscale() == "log"
    paths = save_figure(fig, "check", directory=tmp_path)
    assert [path.name for path in paths] == ["check.png", "check.svg"]
    assert all(path.stat().st_size > 0 for path in paths)
    plt.close(fig)


def test_two_theory_lines_on_one_axes_can_differ_in_style():
    x = np.array([10.0, 20.0, 40.0, 80.0])
    fig, ax = plt.subplots()
    loglog_fit(ax, x, x**4, theoretical_exponent=4, label="pass")
    loglog_fit(ax, x, x**5, theoretical_exponent=5, label="run", theory_linestyle=":")
    styles = {line.get_label(): line.get_linestyle() for line in ax.get_lines()}
    assert (styles["theoretical slope 4"], styles["theoretical slope 5"]) == ("--", ":")
    plt.close(fig)


@pytest.mark.parametrize("name", ["", "a/b", "plot.png"])
def test_save_figure_wants_a_bare_name(name, tmp_path):
    fig = plt.figure()
    with pytest.raises(ValueError, match="bare file stem"):
        save_figure(fig, name, directory=tmp_path)
    plt.close(fig)


def test_export_figure_writes_only_when_asked(tmp_path, monkeypatch):
    from course_lib import plotting

    monkeypatch.setattr(plotting, "FIGURES_DIR", tmp_path)
    fig = plt.figure()
    monkeypatch.delenv(plotting.EXPORT_VARIABLE, raising=False)
    assert plotting.export_figure(fig, "quiet") == []
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setenv(plotting.EXPORT_VARIABLE, "1")
    assert [path.name for path in plotting.export_figure(fig, "loud")] == ["loud.png", "loud.svg"]
    plt.close(fig)
