"""A browser page at the screen size the course is checked at: 1280x720 (a projector, a laptop).

The static site's and the decks' tests use `screen_page`: a fresh context at 1280x720, its page's
script errors collected, a screenshot into the run's folder when the test ends.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from e2e_run import Record

SCREEN = {"width": 1280, "height": 720}


@contextmanager
def screen_page(browser, record: Record, name: str) -> Iterator[tuple[object, list[str]]]:
    """``(page, script_errors)`` at 1280x720; the page's screenshot is saved as ``name`` at the end."""
    context = browser.new_context(viewport=SCREEN)
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(error.stack or str(error)))
    try:
        yield page, errors
    finally:
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
        try:
            page.screenshot(path=str(record.screenshots / f"{safe}.png"), timeout=15_000)
        except Exception as error:  # a crashed page must not hide the test's own failure
            print(f"no screenshot of {safe}: {error}")
        context.close()
