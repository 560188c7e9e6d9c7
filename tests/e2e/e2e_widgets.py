"""Reading and moving ipywidgets controls in a page, and driving JupyterLab's notebook view.

Works on what a person sees: the controls' labels and shown values (slider readouts, text
boxes, dropdowns), the report panel's text, JupyterLab's status bar, menus and prompts.
Every wait polls with a bounded timeout and fails with what the page showed last.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from playwright.sync_api import Locator, Page

STATUS_IDLE = re.compile(r"\(ipykernel\) \| Idle")
"""The kernel's state in JupyterLab's status bar when a notebook's kernel is up and idle."""
PROMPT_DONE = re.compile(r"^\[(\d+)\]:$")
STDERR = "application/vnd.jupyter.stderr"

# The visible controls under a root element, as {label: shown value}: an int or float slider's
# readout, a text box's text, a dropdown's selected option. Hidden ones (another tab) are skipped.
_READ_CONTROLS = """
(root) => {
  const shown = {};
  for (const box of root.querySelectorAll('.widget-inline-hbox')) {
    const label = box.querySelector(':scope > .widget-label');
    if (!label || !box.checkVisibility()) continue;
    let value = null;
    if (box.classList.contains('widget-slider')) {
      value = box.querySelector('.widget-readout').textContent;
    } else if (box.querySelector('select')) {
      const option = box.querySelector('select').selectedOptions[0];
      value = option ? option.textContent : '';
    } else if (box.querySelector('input')) {
      value = box.querySelector('input').value;
    }
    // Dropdowns show spaces as no-break spaces; a person reads both as spaces.
    if (value !== null) shown[label.textContent.trim()] = value.replace(/\u00a0/g, ' ').trim();
  }
  return shown;
}
"""
# The text of the visible report panel (an Explorer's HTML widget holding one <pre>).
_PANEL_TEXT = """
(root) => {
  const panels = [...root.querySelectorAll('.widget-html-content pre')].filter((e) => e.checkVisibility());
  return panels.length === 1 ? panels[0].textContent : `expected one visible report panel, found ${panels.length}`;
}
"""

# The visible figure of an Explorer (an ipywidgets Image) under a root element: its bytes' length and
# SHA-256 (fetched from the image's own source, what the browser shows), and its shown and natural size.
_FIGURE = """
async (root) => {
  const images = [...root.querySelectorAll('img')].filter((e) => e.checkVisibility());
  if (images.length !== 1) return {error: `expected one visible figure, found ${images.length}`};
  const image = images[0];
  if (!image.src || !image.complete || !image.naturalWidth) return {error: 'the figure is not loaded'};
  const bytes = new Uint8Array(await (await fetch(image.src)).arrayBuffer());
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  const box = image.getBoundingClientRect();
  return {
    digest: `${bytes.length}:` + Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(''),
    shown: [box.width, box.height],
    natural: [image.naturalWidth, image.naturalHeight],
  };
}
"""


def figure(root: Locator) -> dict[str, object]:
    """The visible figure under ``root``: ``digest`` (length and SHA-256 of its bytes), ``shown`` and
    ``natural`` sizes in pixels; or ``error`` saying why there is none."""
    return root.evaluate(_FIGURE)


def wait_for_new_figure(root: Locator, before: str, timeout: float, what: str) -> str:
    """Wait until the figure under ``root`` differs from the one whose digest was ``before``; its new digest."""
    return wait_for(
        lambda: figure(root).get("digest") not in (None, before) and figure(root)["digest"],
        timeout,
        f"{what}: the figure to change",
        lambda: figure(root),
    )


def assert_undistorted(root: Locator, what: str) -> None:
    """The figure under ``root`` is shown at its own aspect ratio (within 1%), at least 300 px wide."""
    shown = figure(root)
    assert "error" not in shown, f"{what}: {shown['error']}"
    (width, height), (natural_width, natural_height) = shown["shown"], shown["natural"]
    assert width >= 300, f"{what}: the figure is only {width:.0f} px wide"
    assert abs(width / height - natural_width / natural_height) <= 0.01 * natural_width / natural_height, (
        f"{what}: figure shown at {width:.0f}x{height:.0f} px, drawn at {natural_width}x{natural_height}"
    )


def normalized(text: str) -> str:
    """``text`` with every run of whitespace made one space (how a panel is compared with a report)."""
    return " ".join(text.split())


def wait_for(
    condition: Callable[[], object], timeout: float, what: str, last: Callable[[], object] | None = None
) -> object:
    """Poll ``condition`` every 0.25 s until it returns something truthy; AssertionError after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            shown = f"; last seen: {last()!r}" if last else ""
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{shown}")
        time.sleep(0.25)


def read_controls(root: Locator) -> dict[str, str]:
    """{label: shown value} of the visible controls under ``root``."""
    return root.evaluate(_READ_CONTROLS)


def panel_text(root: Locator) -> str:
    """The text of the one visible report panel under ``root``."""
    return root.evaluate(_PANEL_TEXT)


def exact(label: str) -> re.Pattern[str]:
    """A pattern matching exactly ``label`` (for ``has_text``, which otherwise matches substrings)."""
    return re.compile(rf"^\s*{re.escape(label)}\s*$")


def control(root: Locator, kind: str, label: str) -> Locator:
    """The visible control of CSS class ``kind`` (e.g. ``widget-slider``) whose label is ``label``."""
    label_locator = root.page.locator(".widget-label", has_text=exact(label))
    return root.locator(f".{kind}:visible").filter(has=label_locator)


def move_slider(root: Locator, label: str) -> str:
    """Press ArrowRight on the slider ``label`` (ArrowLeft when it is at its maximum); return the new readout.

    The handle gets keyboard focus, as a person's Tab key would give it.
    """
    slider = control(root, "widget-slider", label)
    handle = slider.locator(".noUi-handle")
    readout = slider.locator(".widget-readout")
    before = readout.inner_text().strip()
    now, top = float(handle.get_attribute("aria-valuenow")), float(handle.get_attribute("aria-valuemax"))
    handle.focus()
    handle.press("ArrowLeft" if now >= top else "ArrowRight")
    wait_for(
        lambda: readout.inner_text().strip() != before,
        10,
        f"slider {label!r} to move from {before}",
        lambda: readout.inner_text(),
    )
    return readout.inner_text().strip()


def first_lines(text: str, lines: int | None) -> str:
    """The first ``lines`` lines of ``text`` (all of it for None)."""
    return text if lines is None else "\n".join(text.strip("\n").splitlines()[:lines])


def wait_for_panel(root: Locator, expected: str, timeout: float, what: str, lines: int | None = None) -> str:
    """Wait until the visible panel under ``root`` shows ``expected`` (whitespace-normalized); return its text.

    With ``lines``, only the panel's first ``lines`` lines are compared. On timeout the
    AssertionError shows the expected and the shown text.
    """
    want = normalized(first_lines(expected, lines))
    try:
        wait_for(lambda: normalized(first_lines(panel_text(root), lines)) == want, timeout, what)
    except AssertionError as error:
        shown = panel_text(root)
        raise AssertionError(f"{error}\n--- expected\n{expected}\n--- shown\n{shown}") from None
    return panel_text(root)


# ----------------------------------------------------------------------------------- JupyterLab


def status_bar(page: Page) -> str:
    """The text of JupyterLab's status bar, on one line."""
    bar = page.locator("#jp-main-statusbar")
    return normalized(bar.inner_text()) if bar.count() else ""


def wait_for_idle_kernel(page: Page, timeout: float) -> None:
    """Wait until the status bar reads ``(ipykernel) | Idle``.

    The toolbar's kernel indicator turns idle earlier, and a Run All sent then is dropped.
    """
    wait_for(
        lambda: STATUS_IDLE.search(status_bar(page)),
        timeout,
        "the kernel to be idle",
        lambda: status_bar(page),
    )


def menu(page: Page, top: str, item: str) -> None:
    """Click the main menu ``top`` (e.g. "Run"), then its entry ``item`` (e.g. "Run All Cells")."""
    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text=exact(top)).click()
    entry = page.locator(".lm-Menu-content .lm-Menu-itemLabel", has_text=exact(item))
    entry.wait_for(state="visible", timeout=10_000)
    entry.click()


def prompts(page: Page) -> list[str]:
    """The input prompts of the notebook's code cells, in order (``[3]:``, ``[*]:``, ``[ ]:``)."""
    return [text.strip() for text in page.locator(".jp-CodeCell .jp-InputArea-prompt").all_inner_texts()]


def wait_for_run_all(page: Page, cells: int, timeout: float) -> list[str]:
    """Wait until every code cell shows an execution count, or the run stopped; return the prompts.

    A run stops early when a cell raises: JupyterLab then drops the queued cells. Stopped
    means: the kernel idle and no cell running or queued (``[*]``) on three polls in a row
    (0.75 s) once some cell has started, or for 10 s if none ever did (a dropped Run All).
    """
    quiet, started = 0, False

    def finished() -> bool:
        nonlocal quiet, started
        shown = prompts(page)
        if len(shown) == cells and all(PROMPT_DONE.match(prompt) for prompt in shown):
            return True
        running = any("*" in prompt for prompt in shown)
        started = started or running or any(PROMPT_DONE.match(prompt) for prompt in shown)
        quiet = 0 if running or not STATUS_IDLE.search(status_bar(page)) else quiet + 1
        return quiet >= (3 if started else 40)

    wait_for(finished, timeout, "Run All to finish", lambda: (status_bar(page), prompts(page)))
    return prompts(page)


def error_outputs(page: Page) -> list[str]:
    """Texts of outputs that show an error: a traceback or an exception on stderr, a widget that failed."""
    found = []
    for text in page.locator(f'.jp-OutputArea-output[data-mime-type="{STDERR}"]').all_inner_texts():
        if "Traceback" in text or re.search(r"^\w*(Error|Exception)\b", text, flags=re.MULTILINE):
            found.append(text)
    for text in page.locator(".jp-OutputArea-output").all_inner_texts():
        if "Error displaying widget" in text or "Error rendering output" in text:
            found.append(text)
    return found


def stderr_outputs(page: Page) -> list[str]:
    """Texts of every stderr output (warnings included)."""
    return page.locator(f'.jp-OutputArea-output[data-mime-type="{STDERR}"]').all_inner_texts()


def widget_output(page: Page, call: str) -> Locator:
    """The widget view shown by the code cell whose source contains ``call`` (e.g. ``"matmul_explorer("``)."""
    cell = page.locator(".jp-CodeCell").filter(has=page.locator(".jp-InputArea-editor", has_text=call))
    return cell.locator(".jp-OutputArea-output").filter(has=page.locator(".jupyter-widgets"))
