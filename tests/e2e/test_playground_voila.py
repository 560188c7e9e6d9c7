"""The playground (notebook 12) served by Voila as a web app, driven in a real browser.

Voila runs the notebook and shows its outputs with live widgets (no Run All, no code).
The test clicks each tab of the dashboard, checks the report shown against
``course_lib.reports.playground.render`` for the values the controls show, then changes
every control of the tab once (a slider one keyboard step, a dropdown to its next option,
the widths text box to another network) and checks after each change that the report
became exactly ``render``'s text for the new values and that the picture was redrawn
(every tab draws; its image bytes must change) and is shown undistorted. Each tab is shot
at 1280x720. Requests that would leave the machine (Voila's pages ask a CDN for two icon
style sheets) are blocked and listed.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from e2e_run import NOTEBOOKS, Record
from e2e_servers import Server, jupyter_env, start_server, venv_script
from e2e_widgets import (
    assert_undistorted,
    control,
    error_outputs,
    figure,
    move_slider,
    normalized,
    panel_text,
    read_controls,
    wait_for,
    wait_for_new_figure,
    wait_for_panel,
)

from course_lib.reports.playground import TAB_TITLES, render

NOTEBOOK = "12_complexity_playground.ipynb"
RENDER_TIMEOUT = 120  # seconds for Voila to execute the notebook and show the dashboard
PANEL_TIMEOUT = 30
NEW_TEXT = {"widths": "784,512,256,10"}  # what is typed into each text box
ARGUMENT = {"network": "name"}  # control label -> argument of the tab's report, where they differ
INTEGER_CONTROLS = {"widget-slider"}
SCREENSHOT_VIEWPORT = {"width": 1280, "height": 720}

# The visible controls under a root: [label, kind] with kind the control's CSS class.
_CONTROL_KINDS = """
(root) => [...root.querySelectorAll('.widget-inline-hbox')]
  .filter((box) => box.checkVisibility() && box.querySelector(':scope > .widget-label'))
  .map((box) => [
    box.querySelector(':scope > .widget-label').textContent.trim(),
    ['widget-slider', 'widget-dropdown', 'widget-text'].find((kind) => box.classList.contains(kind)) || 'other',
  ])
  .filter(([label, kind]) => label && kind !== 'other')
"""


@pytest.fixture(scope="module")
def voila(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Voila serving a temporary copy of the playground notebook on 127.0.0.1."""
    home = tmp_path_factory.mktemp("voila")
    shutil.copy(NOTEBOOKS / NOTEBOOK, home / NOTEBOOK)
    voila_script = venv_script("voila")
    server = start_server(
        "Voila",
        lambda port: [voila_script, NOTEBOOK, "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1"],
        home / "voila.log",
        ready=None,  # listening is enough: a GET / would already run the notebook
        timeout=60,
        env=jupyter_env(home / "jupyter"),
        cwd=home,
    )
    try:
        yield server
    finally:
        server.stop()


def _values(shown: dict[str, str], kinds: dict[str, str]) -> dict[str, object]:
    """The arguments of the tab's report for the control values shown ({label: text}, {label: kind})."""
    return {
        ARGUMENT.get(label, label): int(value) if kinds[label] in INTEGER_CONTROLS else value
        for label, value in shown.items()
    }


def _change(root, label: str, kind: str) -> str:
    """Change the control once, as a person would; return a description of the change."""
    if kind == "widget-slider":
        return f"{label}={move_slider(root, label)}"
    if kind == "widget-dropdown":
        select = control(root, kind, label).locator("select")
        options = select.locator("option").all_inner_texts()
        current = select.evaluate("(s) => s.selectedIndex")
        select.select_option(index=(current + 1) % len(options))
        return f"{label}={normalized(options[(current + 1) % len(options)])}"
    box = control(root, kind, label).locator("input")
    box.fill(NEW_TEXT[label])
    box.press("Enter")  # the text box reports on Enter (continuous_update=False)
    return f"{label}={NEW_TEXT[label]}"


def test_every_control_of_every_tab_updates_the_report(voila: Server, page, record: Record):
    blocked: list[str] = []

    def route(request_route) -> None:
        host = urlsplit(request_route.request.url).hostname
        if host in {"127.0.0.1", "localhost"}:
            request_route.continue_()
        else:
            blocked.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.goto(voila.url + "/", timeout=RENDER_TIMEOUT * 1000)
    root = page.locator(".course-playground")
    root.wait_for(state="visible", timeout=RENDER_TIMEOUT * 1000)
    errors = error_outputs(page)
    assert not errors, "the Voila page shows an error:\n" + "\n----\n".join(errors)

    tabs = root.locator(".lm-TabBar-tab")
    assert tabs.all_inner_texts() == list(TAB_TITLES)
    for index, title in enumerate(TAB_TITLES):
        tab = tabs.nth(index)
        tab.click()
        wait_for(lambda tab=tab: "lm-mod-current" in (tab.get_attribute("class") or ""), 10, f"tab {title}")
        kinds = dict(root.evaluate(_CONTROL_KINDS))
        assert kinds, f"tab {title}: no visible control"
        wait_for_panel(
            root, render(title, _values(read_controls(root), kinds)).text, PANEL_TIMEOUT, f"tab {title}"
        )
        assert_undistorted(root, f"tab {title}: the first picture")
        for label, kind in kinds.items():
            before_text, before_picture = panel_text(root), figure(root).get("digest")
            assert before_picture, f"tab {title}: no picture before {label} changed: {figure(root)}"
            change = _change(root, label, kind)
            new_text = render(title, _values(read_controls(root), kinds)).text
            wait_for_panel(root, new_text, PANEL_TIMEOUT, f"tab {title}: the report after {change}")
            assert normalized(panel_text(root)) != normalized(before_text), (
                f"tab {title}: {change} changed nothing"
            )
            wait_for_new_figure(root, before_picture, PANEL_TIMEOUT, f"tab {title}: {change}")
            assert_undistorted(root, f"tab {title}: the picture after {change}")
            record.playground.append(f"{title}: {change} (picture redrawn)")
        viewport = page.viewport_size
        page.set_viewport_size(SCREENSHOT_VIEWPORT)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(record.screenshots / f"12_voila_{title.replace(' ', '_').lower()}.png"))
        page.set_viewport_size(viewport)
    print(f"requests to other hosts, blocked ({len(blocked)}): {blocked}")
