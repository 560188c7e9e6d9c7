"""Wiring of the one widget pattern (course_lib.widgets.base): controls -> report -> image and text panel."""

from __future__ import annotations

import html

import pytest

from course_lib.reports import Report, new_figure
from course_lib.widgets.base import INVALID, Explorer, int_slider, log_slider, text_box


def _line_report(n: int) -> Report:
    if n > 5:
        raise ValueError(f"n must be at most 5, got {n}")
    fig, ax = new_figure()
    ax.plot(range(n + 1))
    return Report(f"n = {n}", fig)


def _panel(explorer: Explorer) -> str:
    value = explorer.panel.value
    assert value.startswith("<pre>") and value.endswith("</pre>")
    return html.unescape(value[len("<pre>") : -len("</pre>")])


def test_explorer_shows_figure_and_text_and_redraws_on_change():
    explorer = Explorer(_line_report, {"n": int_slider("n", 2, 0, 9)})
    first = explorer.figure_view.value
    assert first[:8] == b"\x89PNG\r\n\x1a\n" and _panel(explorer) == "n = 2"
    explorer.controls["n"].value = 3
    assert _panel(explorer) == "n = 3"
    assert explorer.figure_view.value != first
    assert explorer.figure_view.layout.display is None


def test_a_refused_value_shows_the_message_and_hides_the_figure():
    explorer = Explorer(_line_report, {"n": int_slider("n", 2, 0, 9)})
    explorer.controls["n"].value = 7
    assert _panel(explorer) == f"{INVALID}n must be at most 5, got 7"
    assert explorer.figure_view.layout.display == "none"
    explorer.controls["n"].value = 4
    assert _panel(explorer) == "n = 4" and explorer.figure_view.layout.display is None


def test_a_text_report_hides_the_figure():
    explorer = Explorer(lambda word: word.upper() + " <&>", {"word": text_box("word", "abc")})
    assert _panel(explorer) == "ABC <&>"
    assert explorer.figure_view.layout.display == "none"


def test_control_helpers():
    slider = log_slider("rate", 0.5, 1e-3, 10.0)
    assert (10**slider.min, 10**slider.max, slider.value) == (pytest.approx(1e-3), pytest.approx(10.0), 0.5)
    assert not slider.continuous_update and not text_box("w", "1,2").continuous_update
    with pytest.raises(ValueError, match="outside"):
        log_slider("rate", 20.0, 1e-3, 10.0)
    with pytest.raises(ValueError, match="outside"):
        int_slider("n", 0, 1, 3)


def test_plain_text_form_names_the_controls_and_says_what_to_do():
    import re
    from pathlib import Path

    explorer = Explorer(
        lambda n, m: f"{n} {m}", {"n": int_slider("n", 3, 1, 9), "m": int_slider("m", 2, 1, 9)}
    )
    text = explorer._repr_mimebundle_()["text/plain"]
    assert text.startswith("Widget experiment (controls: n, m).")
    assert "Run All Cells" in text
    # the nbval sanitizer knows this form, so stored notebooks never compare widget traits
    config = (Path(__file__).parent / "nbval_sanitize.cfg").read_text()
    pattern = re.search(r"^regex: (\^\(\?:Widget experiment.*)$", config, flags=re.MULTILINE).group(1)
    assert re.sub(pattern, "WIDGET", text) == "WIDGET"
