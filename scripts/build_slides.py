"""Turn every notebook into a lecture deck (reveal.js) in _build/slides/, loadable offline.

Usage: python scripts/build_slides.py [--out _build/slides]   (``make slides`` runs it)

1. Read each notebooks/NN_*.ipynb (only read, never written) and make its lecture with
   scripts/lecture_deck.py: the rule of book/README.md, "The lecture decks" (a slide per
   section, code in the speaker notes, figures as large as the slide allows, ...).
2. Write each deck from book/slides/deck.html, with the site's MathJax 3 configuration
   (book/_config.yml) so that one MathJax setup serves the site and the decks.
3. Copy reveal.js and MathJax 3 from book/node_modules, and the decks' own style sheet and
   script (book/slides/deck.css, deck.js), into _build/slides/vendor/.
4. Write _build/slides/index.html listing the decks, report per deck what the rule did, and
   run the offline check (scripts/check_offline_html.py); exit 1 if a deck would load
   something remote.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "_build" / "slides"
BOOK = ROOT / "book"
DECK_FILES = BOOK / "slides"
VENDOR = "vendor"


def mathjax_config(config_file: Path = BOOK / "_config.yml") -> dict:
    """The site's MathJax 3 configuration (``sphinx.config.mathjax3_config``), which the decks share."""
    config = yaml.safe_load(config_file.read_text())
    return config["sphinx"]["config"]["mathjax3_config"]


def slide_html(slide) -> str:
    """One ``<section>``: a frame (kicker, title, body) and the speaker notes."""
    classes = ["deck-slide", f"slide-{slide.kind}"]
    classes += ["scrolling"] if slide.scrolling else []
    classes += ["continued"] if slide.continued else []
    kicker = f'<p class="kicker">{slide.kicker}</p>' if slide.kicker else ""
    heading = f"<h1>{slide.title}</h1>" if slide.kind == "title" else f"<h2>{slide.title}</h2>"
    body = "".join(block.html for block in slide.blocks)
    notes = f'<aside class="notes">{"".join(slide.notes)}</aside>' if slide.notes else ""
    estimate = f' data-estimate="{slide.used:.0f}"' if slide.kind != "title" else ""
    return (
        f'<section class="{" ".join(classes)}"{estimate}><div class="frame">{kicker}{heading}'
        f'<div class="slide-body"><div class="slide-content">{body}</div></div></div>{notes}</section>'
    )


def deck_html(deck, template: str, config: dict) -> str:
    """The whole page of a deck: a horizontal slide per section, its other slides below it."""
    parts = []
    for section in deck.sections:
        slides = "\n".join(slide_html(slide) for slide in section.slides)
        parts.append(slides if len(section.slides) == 1 else f"<section>\n{slides}\n</section>")
    title_text = html.escape(re.sub(r"<[^>]+>", "", html.unescape(deck.title)))
    page = template.replace("{{title_text}}", title_text)
    page = page.replace("{{mathjax_config}}", json.dumps(config))
    return page.replace("{{slides}}", "\n".join(parts))


def copy_deck_files(dest: Path) -> int:
    """The decks' style sheet and script, and the colours of highlighted code, into ``dest``."""
    from pygments.formatters import HtmlFormatter

    dest.mkdir(parents=True, exist_ok=True)
    for name in ("deck.css", "deck.js"):
        shutil.copy2(DECK_FILES / name, dest / name)
    (dest / "code.css").write_text(HtmlFormatter(style="default").get_style_defs(".reveal .code"))
    return 3


def write_index(paths: list[Path], out: Path) -> Path:
    """A plain page linking every deck, with the keys a lecturer needs."""
    from build_book import notebook_facts

    items = "\n".join(
        f'  <li><a href="{html.escape(path.stem)}.slides.html">{html.escape(path.stem[:2])} · '
        f"{html.escape(notebook_facts(path).title)}</a></li>"
        for path in paths
    )
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Slides: why neural networks cost what they cost</title>
<style>body {{ font-family: sans-serif; max-width: 46em; margin: 2em auto; line-height: 1.5; }}</style>
</head>
<body>
<h1>Slides: why neural networks cost what they cost</h1>
<p>One lecture per notebook, made from its stored outputs: a slide per section, the figures
as large as a slide allows, the code, long outputs and exercise solutions in the speaker
notes. Keys: space or arrows to move, <kbd>s</kbd> for the speaker view (notes, next slide,
timer), <kbd>f</kbd> full screen, <kbd>Esc</kbd> overview.</p>
<ol start="0">
{items}
</ol>
</body>
</html>
"""
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def deck_report(deck) -> str:
    """One line: what the rule made of a notebook."""
    slides = deck.slides
    figures = sum(slide.kind == "figure" for slide in slides)
    scrolling = sum(slide.scrolling for slide in slides)
    noted = sum(bool(slide.notes) for slide in slides)
    return (
        f"{len(slides)} slides in {len(deck.sections)} sections, {figures} figure slides, "
        f"{noted} with speaker notes, {scrolling} scrolling on purpose"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where the decks go (default _build/slides)")
    args = parser.parse_args(argv)
    from build_book import notebook_paths
    from check_offline_html import find_remote_loads
    from lecture_deck import notebook_deck
    from offline_assets import SLIDES_ASSETS, copy_assets

    start = time.perf_counter()
    paths = notebook_paths()
    if not paths:
        raise SystemExit("no notebooks/NN_*.ipynb to convert")
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    copy_assets(SLIDES_ASSETS, args.out / VENDOR)
    copy_deck_files(args.out / VENDOR / "course")
    template = (DECK_FILES / "deck.html").read_text(encoding="utf-8")
    config = mathjax_config()
    slides = 0
    for path in paths:
        deck = notebook_deck(path)
        (args.out / f"{path.stem}.slides.html").write_text(
            deck_html(deck, template, config), encoding="utf-8"
        )
        slides += len(deck.slides)
        print(f"{path.stem[:2]}: {deck_report(deck)}")
    write_index(paths, args.out)
    decks = sorted(args.out.glob("*.slides.html"))
    size = sum(path.stat().st_size for path in args.out.rglob("*") if path.is_file())
    print(
        f"slides: {len(decks)} decks, {slides} slides, {size / 1e6:.1f} MB in {args.out}; "
        f"{time.perf_counter() - start:.1f} s"
    )
    problems, checked = find_remote_loads(args.out)
    for problem in problems:
        print(problem)
    print(f"offline check: {checked} files, {len(problems)} problem(s)")
    return 1 if problems or len(decks) != len(paths) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
