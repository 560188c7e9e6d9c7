"""The built course site (``make html`` -> _build/html/) in a real browser: maths typeset, nothing fetched.

The site is served by ``python -m http.server`` on 127.0.0.1 and every page is opened in
turn. On each page the test checks that

* no request left the machine: every request the page makes (scripts, fonts, MathJax's
  own parts, the widget manager's modules) is recorded, and any whose address is not
  127.0.0.1/localhost or data:/blob: fails the test (it is also blocked, so a failure
  never reaches the network);
* the maths is typeset: every ``.math`` element Sphinx wrote holds a MathJax 3
  ``mjx-container`` once MathJax has finished, and MathJax reported no TeX error;
* saved widget states render: a page whose notebook saved widgets shows them (from the
  local copy of the widget manager), without "Error displaying widget";
* no script error was thrown.

``make test-e2e`` builds the site first when it is missing or older than the notebooks;
scripts/check_offline_html.py is the static counterpart of the request check.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from e2e_run import REPO, Record
from e2e_servers import Server, python_command, start_server

SITE = REPO / "_build" / "html"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
LOCAL_SCHEMES = {"data", "blob", "about"}
PAGES = sorted(
    path.relative_to(SITE).as_posix()
    for path in SITE.rglob("*.html")
    if not {"_static", "_sources"} & set(path.relative_to(SITE).parts)
)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
MATH_TIMEOUT = 60_000  # ms for MathJax to typeset a page (the longest has a few hundred formulas)


# Script errors known to be harmless, with the reason; any other script error fails the test.
@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``python -m http.server`` serving _build/html on 127.0.0.1."""
    log = tmp_path_factory.mktemp("site") / "http.log"
    server = start_server(
        "http.server",
        lambda port: python_command(
            "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(SITE)
        ),
        log,
        ready="/",
        timeout=30,
    )
    try:
        yield server
    finally:
        server.stop()


def is_local(url: str) -> bool:
    """True for addresses on this machine (127.0.0.1, localhost) and data:/blob:/about: URLs."""
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or parts.hostname in LOCAL_HOSTS


def test_the_site_is_built():
    assert (SITE / "index.html").is_file(), f"{SITE} is not built: run `make html` (make test-e2e does)"
    assert any(page.startswith("notebooks/") for page in PAGES), f"no notebook page under {SITE}"


@pytest.mark.parametrize("name", PAGES)
def test_page_typesets_its_maths_and_fetches_nothing_remote(name: str, site: Server, page, record: Record):
    requested: list[str] = []
    remote: list[str] = []
    script_errors: list[str] = []

    def route(request_route) -> None:
        url = request_route.request.url
        if is_local(url):
            request_route.continue_()
        else:
            remote.append(url)
            request_route.abort()

    page.on("request", lambda request: requested.append(request.url))
    page.on("pageerror", lambda error: script_errors.append(error.stack or str(error)))
    page.route("**/*", route)
    page.goto(f"{site.url}/{name}", wait_until="load")

    source = (SITE / name).read_text(encoding="utf-8")
    maths = page.locator(".math").count()
    if maths:
        page.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=MATH_TIMEOUT
        )
        page.evaluate("() => MathJax.startup.promise.then(() => true)")
        untypeset = page.evaluate(
            "() => [...document.querySelectorAll('.math')].filter((e) => !e.querySelector('mjx-container'))"
            ".map((e) => e.textContent.slice(0, 80))"
        )
        assert not untypeset, (
            f"{name}: {len(untypeset)} of {maths} formulas not typeset, e.g. {untypeset[:3]}"
        )
        tex_errors = page.locator("mjx-merror").all_inner_texts()
        assert not tex_errors, f"{name}: MathJax TeX errors: {tex_errors[:5]}"
    if WIDGET_VIEW in source:
        views = page.locator(f'script[type="{WIDGET_VIEW}"]').count()
        page.locator(".jupyter-widgets").first.wait_for(state="attached", timeout=30_000)
        broken = page.get_by_text("Error displaying widget").count()
        assert not broken, f"{name}: {broken} of {views} saved widgets failed to display"
    page.wait_for_load_state("networkidle")

    outside = sorted(set(remote) | {url for url in requested if not is_local(url)})
    assert not outside, f"{name}: requests that would leave the machine: {outside}"
    # None expected: book/js/widget-paths.js gives MathJax 3 the MathJax.Hub.Queue the widget
    # manager calls (without it, "Cannot read properties of undefined (reading 'Queue')").
    assert not script_errors, f"{name}: script errors: {script_errors}"
    assert requested, f"{name}: no request recorded (the recorder is broken)"
    record.pages.append(f"{name}: {maths} formulas, {len(requested)} requests")
