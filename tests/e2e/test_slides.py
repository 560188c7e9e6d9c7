"""The lecture decks (``make slides`` -> _build/slides/) in a real browser at 1280x720.

The decks are served by ``python -m http.server`` on 127.0.0.1 and each is opened once; the
test then shows every slide in turn (reveal.js's own navigation, so the deck's script fits
each slide as a lecturer would see it) and checks that

* every slide fits the screen: the slide lies inside the 1280x720 window and nothing on it is
  cut (its body is no taller and no wider than the room it has), unless the slide is tagged
  as a scrolling slide on purpose; at most ``MAX_SCROLLING`` such slides per deck;
* the maths is typeset: no raw TeX delimiter or command is left in any slide's visible text
  (formulas, printed output and code excluded), and MathJax reported no TeX error;
* no script error was thrown, and no request left the machine.

The end of the run lists, per deck, its slides, the slides shrunk to fit (and the smallest
zoom) and the scrolling ones. ``make test-e2e`` builds the decks first when they are missing or
older than the notebooks; book/README.md ("The lecture decks") gives the rule they follow.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from e2e_run import REPO, Record
from e2e_screen import block_remote, is_local, screen_page, serve
from e2e_servers import Server

DECKS_DIR = REPO / "_build" / "slides"
DECKS = sorted(path.name for path in DECKS_DIR.glob("*.slides.html"))
MAX_SCROLLING = 2  # slides per deck tagged to scroll on purpose (book/README.md)
MATH_TIMEOUT = 60_000  # ms

# Every slide shown in turn; for each: its title, whether it fits, why not, its zoom, whether it
# scrolls on purpose, and raw TeX left in its visible text.
SHOW_EVERY_SLIDE = """async () => {
  const rawTex = /\\\\\\(|\\\\\\)|\\\\\\[|\\\\\\]|\\$[^$\\s][^$]*\\$|\\\\(frac|sum|times|mathrm|text|displaystyle|begin|left|right|cdot|le|ge)\\b/;
  const results = [];
  for (const slide of Reveal.getSlides()) {
    const where = Reveal.getIndices(slide);
    Reveal.slide(where.h, where.v);  // shows the slide and fits it (deck.js), synchronously
    const title = (slide.querySelector('h1, h2') || {}).textContent || '';
    const body = slide.querySelector('.slide-body');
    const box = slide.querySelector('.frame').getBoundingClientRect();
    const problems = [];
    if (box.top < -1 || box.bottom > innerHeight + 1 || box.left < -1 || box.right > innerWidth + 1) {
      problems.push(`slide box ${Math.round(box.width)}x${Math.round(box.height)} at ${Math.round(box.top)} `
        + `outside the ${innerWidth}x${innerHeight} window`);
    }
    const scrolling = slide.classList.contains('scrolling');
    if (!scrolling && body.scrollHeight > body.clientHeight + 1) {
      problems.push(`content ${body.scrollHeight} px tall in ${body.clientHeight} px`);
    }
    if (!scrolling && body.scrollWidth > body.clientWidth + 1) {
      problems.push(`content ${body.scrollWidth} px wide in ${body.clientWidth} px`);
    }
    const visible = slide.querySelector('.frame').cloneNode(true);
    visible.querySelectorAll('mjx-container, pre, code, script, style').forEach((e) => e.remove());
    const text = visible.textContent.replace(/\\s+/g, ' ');
    const tex = text.match(rawTex);
    results.push({
      title: title.trim().slice(0, 60),
      problems,
      zoom: Number(slide.dataset.fit || 1),
      scrolling,
      tex: tex ? text.slice(Math.max(0, tex.index - 30), tex.index + 40) : '',
    });
  }
  return results;
}"""


@pytest.fixture(scope="module")
def decks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``python -m http.server`` serving _build/slides on 127.0.0.1."""
    with serve(DECKS_DIR, tmp_path_factory.mktemp("decks") / "http.log") as server:
        yield server


def test_the_decks_are_built():
    assert (DECKS_DIR / "index.html").is_file(), (
        f"{DECKS_DIR} is not built: run `make slides` (make test-e2e does)"
    )
    notebooks = sorted(path.stem for path in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert [name.removesuffix(".slides.html") for name in DECKS] == notebooks


def open_deck(page, server: Server, name: str) -> tuple[list[str], list[str]]:
    """Load a deck and wait until reveal.js is ready and MathJax has typeset it."""
    requested, remote = block_remote(page)
    page.goto(f"{server.url}/{name}", wait_until="load")
    page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=MATH_TIMEOUT)
    page.wait_for_function(
        "() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=MATH_TIMEOUT
    )
    page.evaluate("() => MathJax.startup.promise.then(() => document.fonts.ready).then(() => true)")
    return requested, remote


@pytest.mark.parametrize("name", DECKS)
def test_every_slide_fits_the_screen_with_its_maths_typeset(
    name: str, decks: Server, browser, record: Record
):
    with screen_page(browser, record, f"deck_{name}") as (page, script_errors):
        requested, remote = open_deck(page, decks, name)
        slides = page.evaluate(SHOW_EVERY_SLIDE)
        tex_errors = page.locator("mjx-merror").all_inner_texts()
        page.wait_for_load_state("networkidle", timeout=60_000)
        page.evaluate("() => Reveal.slide(0, 0)")  # the screenshot shows the title slide

    assert slides, f"{name}: no slides"
    too_big = [
        f"{number + 1} '{s['title']}': {'; '.join(s['problems'])}"
        for number, s in enumerate(slides)
        if s["problems"]
    ]
    assert not too_big, f"{name}: {len(too_big)} of {len(slides)} slides do not fit 1280x720: {too_big[:5]}"
    raw = [f"{number + 1} '{s['title']}': ...{s['tex']}..." for number, s in enumerate(slides) if s["tex"]]
    assert not raw, f"{name}: raw TeX on {len(raw)} slides: {raw[:5]}"
    assert not tex_errors, f"{name}: MathJax TeX errors: {tex_errors[:5]}"
    scrolling = [s["title"] for s in slides if s["scrolling"]]
    assert len(scrolling) <= MAX_SCROLLING, f"{name}: {len(scrolling)} scrolling slides: {scrolling}"
    assert not script_errors, f"{name}: script errors: {script_errors}"
    outside = sorted(set(remote) | {url for url in requested if not is_local(url)})
    assert not outside, f"{name}: requests that would leave the machine: {outside}"
    zooms = [s["zoom"] for s in slides if s["zoom"] < 1]
    record.pages.append(
        f"deck {name}: {len(slides)} slides, all within 1280x720, {len(zooms)} shrunk to fit"
        + (f" (smallest zoom {min(zooms):.2f})" if zooms else "")
        + f", {len(scrolling)} scrolling on purpose"
    )


def test_the_deck_checks_catch_a_slide_too_tall_and_raw_tex(decks: Server, browser, record: Record):
    """The checks above can fail: a deck's first content slide given 80 more lines of text and
    an untypeset formula is reported as too tall (the deck's script shrinks it only so far)
    and as showing raw TeX."""
    name = DECKS[0]
    with screen_page(browser, record, "deck_checks_can_fail") as (page, _errors):
        open_deck(page, decks, name)
        page.evaluate(
            """() => {
              const slide = Reveal.getSlides()[1];
              const content = slide.querySelector('.slide-content');
              for (let i = 0; i < 80; i++) content.insertAdjacentHTML('beforeend', `<p>line ${i}</p>`);
              content.insertAdjacentHTML('beforeend', '<p>the cost is $m n p$ multiplies</p>');
            }"""
        )
        slides = page.evaluate(SHOW_EVERY_SLIDE)
    assert slides[1]["problems"] and "tall" in slides[1]["problems"][0]
    assert "$m n p$" in slides[1]["tex"]
    assert not slides[0]["problems"]
