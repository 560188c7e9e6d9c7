"""The built course site (``make html`` -> _build/html/) in a real browser: maths typeset, nothing fetched.

The site is served by ``python -m http.server`` on 127.0.0.1 and every page is opened in
turn, at 1280x720. On each page the test checks that

* no request left the machine: every request the page makes (scripts, fonts, MathJax's
  own parts, the widget manager's modules) is recorded, and any whose address is not
  127.0.0.1/localhost or data:/blob: fails the test (it is also blocked, so a failure
  never reaches the network);
* the maths is typeset: every ``.math`` element Sphinx wrote holds a MathJax 3
  ``mjx-container`` once MathJax has finished, and MathJax reported no TeX error;
* saved widget states render: a page whose notebook saved widgets shows them (from the
  local copy of the widget manager), without "Error displaying widget";
* no script error was thrown;
* wide blocks fit their column or show that they scroll: every output block, code block,
  table or formula wider than the 688 px column scrolls sideways inside it and carries the
  fade of book/js/scroll-cues.js at the edge where content is hidden, and nothing else
  reaches past the column.

``make test-e2e`` builds the site first when it is missing or older than the notebooks;
scripts/check_offline_html.py is the static counterpart of the request check.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from e2e_run import REPO, Record
from e2e_screen import block_remote, is_local, screen_page, serve
from e2e_servers import Server
from playwright.sync_api import TimeoutError as PlaywrightTimeout

SITE = REPO / "_build" / "html"
PAGES = sorted(
    path.relative_to(SITE).as_posix()
    for path in SITE.rglob("*.html")
    if not {"_static", "_sources"} & set(path.relative_to(SITE).parts)
)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
MATH_TIMEOUT = 60_000  # ms for MathJax to typeset a page (the longest has a few hundred formulas)
CUE_TIMEOUT = 10_000  # ms for the scroll cues to follow the last change of the page (widgets, maths)

# Blocks wider than the article's column, in the page: [scrolling blocks without a fade cue],
# [elements reaching past the column without scrolling], number of scrolling blocks with a cue.
WIDE_BLOCKS = """() => {
  const article = document.querySelector('article.bd-article');
  if (!article) return [[], [], 0];
  const box = article.getBoundingClientRect();
  const style = getComputedStyle(article);
  const right = box.right - parseFloat(style.paddingRight) + 1;
  const describe = (e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}: `
    + `${(e.textContent || '').trim().slice(0, 60)}`;
  const scrolls = (e) => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX);
  const uncued = [], past = [];
  let cued = 0;
  for (const e of article.querySelectorAll('.cell_output, .cell_output *, pre, table, mjx-container')) {
    const rect = e.getBoundingClientRect();
    if (!rect.width || !rect.height) continue;
    if (scrolls(e) && e.scrollWidth > e.clientWidth + 1) {
      const mask = getComputedStyle(e).webkitMaskImage || getComputedStyle(e).maskImage || 'none';
      const fades = e.classList.contains('course-scrolls') && mask.includes('gradient');
      if (fades) cued += 1; else uncued.push(describe(e));
      if (rect.right > right) past.push(describe(e));
      continue;
    }
    if (Math.max(rect.right, rect.left + e.scrollWidth) <= right) continue;
    let clipped = false;
    for (let a = e.parentElement; a && a !== article; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') { clipped = true; break; }
    }
    if (!clipped) past.push(describe(e));
  }
  return [uncued, past, cued];
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``python -m http.server`` serving _build/html on 127.0.0.1."""
    with serve(SITE, tmp_path_factory.mktemp("site") / "http.log") as server:
        yield server


def test_the_site_is_built():
    assert (SITE / "index.html").is_file(), f"{SITE} is not built: run `make html` (make test-e2e does)"
    assert any(page.startswith("notebooks/") for page in PAGES), f"no notebook page under {SITE}"


@pytest.mark.parametrize("name", PAGES)
def test_page_typesets_its_maths_fits_its_column_and_fetches_nothing_remote(
    name: str, site: Server, browser, record: Record
):
    with screen_page(browser, record, f"site_{name}") as (page, script_errors):
        check_page(name, site, page, script_errors, record)


def check_page(name: str, site: Server, page, script_errors: list[str], record: Record) -> None:
    requested, remote = block_remote(page)
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
    page.wait_for_load_state("networkidle", timeout=60_000)  # 30 s is short on a busy machine

    outside = sorted(set(remote) | {url for url in requested if not is_local(url)})
    assert not outside, f"{name}: requests that would leave the machine: {outside}"
    # None expected: book/js/widget-paths.js gives MathJax 3 the MathJax.Hub.Queue the widget
    # manager calls (without it, "Cannot read properties of undefined (reading 'Queue')").
    assert not script_errors, f"{name}: script errors: {script_errors}"
    assert requested, f"{name}: no request recorded (the recorder is broken)"

    try:
        page.wait_for_function(
            f"() => {{ const [u, p] = ({WIDE_BLOCKS})(); return !u.length && !p.length; }}",
            timeout=CUE_TIMEOUT,
        )
    except PlaywrightTimeout:  # the assertions below say what is wrong
        pass
    uncued, past, cued = page.evaluate(WIDE_BLOCKS)
    assert not uncued, (
        f"{name}: {len(uncued)} blocks wider than the column scroll without a cue: {uncued[:5]}"
    )
    assert not past, f"{name}: {len(past)} elements reach past the column: {past[:5]}"
    record.pages.append(
        f"{name}: {maths} formulas, {cued} wide blocks with a scroll cue, {len(requested)} requests"
    )


def test_the_wide_block_check_fails_without_a_cue_and_passes_with_one(browser, record: Record):
    """A hand-made page: a printed line wider than a 688 px column, and a line wider than the
    column that does not scroll. Without book/js/scroll-cues.js the first has no cue; with it
    (and book/css/site.css), it has one, and the second still reaches past the column."""
    wide = "x" * 300
    body = (
        '<article class="bd-article" style="width: 688px; padding: 0 32px">'
        f'<div class="cell_output"><pre style="overflow: auto">{wide}</pre></div>'
        f'<div class="cell_output"><div style="white-space: nowrap">{wide}</div></div></article>'
    )
    with screen_page(browser, record, "site_wide_block_check") as (page, script_errors):
        page.set_content(f"<!DOCTYPE html><html><body>{body}</body></html>")
        uncued, past, cued = page.evaluate(WIDE_BLOCKS)
        assert (len(uncued), cued) == (1, 0) and past
        page.add_style_tag(path=str(REPO / "book" / "css" / "site.css"))
        page.add_script_tag(path=str(REPO / "book" / "js" / "scroll-cues.js"))
        page.evaluate("() => window.courseScrollCues.scan()")
        uncued, still_past, cued = page.evaluate(WIDE_BLOCKS)
        assert (len(uncued), cued) == (0, 1) and still_past == past
        assert not script_errors
