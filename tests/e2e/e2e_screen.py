"""Static pages (the site, the decks) in a browser at the screen size the course is checked at:
1280x720 (a projector, a laptop).

* `screen_page`: a fresh context at 1280x720, the page's script errors collected, a screenshot
  into the run's folder when the test ends;
* `serve`: ``python -m http.server`` on 127.0.0.1 for a built folder;
* `block_remote`: every request recorded, any that would leave the machine blocked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from e2e_run import Record
from e2e_servers import Server, python_command, start_server

SCREEN = {"width": 1280, "height": 720}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
LOCAL_SCHEMES = {"data", "blob", "about"}


def is_local(url: str) -> bool:
    """True for addresses on this machine (127.0.0.1, localhost) and data:/blob:/about: URLs."""
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or parts.hostname in LOCAL_HOSTS


@contextmanager
def serve(folder: Path, log: Path) -> Iterator[Server]:
    """``python -m http.server`` serving ``folder`` on 127.0.0.1, stopped at the end."""
    server = start_server(
        "http.server",
        lambda port: python_command(
            "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(folder)
        ),
        log,
        ready="/",
        timeout=30,
    )
    try:
        yield server
    finally:
        server.stop()


def block_remote(page) -> tuple[list[str], list[str]]:
    """Record every request of ``page``; abort (and list) those that would leave the machine.
    Returns the two lists, filled as the page loads: (requested, remote)."""
    requested: list[str] = []
    remote: list[str] = []

    def route(request_route) -> None:
        url = request_route.request.url
        if is_local(url):
            request_route.continue_()
        else:
            remote.append(url)
            request_route.abort()

    page.on("request", lambda request: requested.append(request.url))
    page.route("**/*", route)
    return requested, remote


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
