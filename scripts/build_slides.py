"""Turn every notebook into a reveal.js slide deck in _build/slides/, loadable offline.

Usage: python scripts/build_slides.py [--out _build/slides]   (``make slides`` runs it)

1. Copy notebooks/NN_*.ipynb into _build/slides_src/ and give each copy slide metadata
   (``add_slide_metadata``) unless its author already set some. notebooks/ is only read.
2. Copy reveal.js, MathJax 2, require.js, jQuery and the widget manager from
   book/node_modules into _build/slides/vendor/.
3. Run ``jupyter nbconvert --to slides`` with the course's template (book/slides/course_reveal)
   and every URL option pointed at vendor/; the stored outputs are used, nothing is executed.
4. Write _build/slides/index.html listing the decks, and run the offline check
   (scripts/check_offline_html.py); exit 1 if a deck would load something remote.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "_build" / "slides_src"
OUT = ROOT / "_build" / "slides"
TEMPLATES = ROOT / "book" / "slides"
TEMPLATE = "course_reveal"
VENDOR = "vendor"
HEADING = re.compile(r"^(#{1,6})\s")
MERMAID = re.compile(r"^```\s*mermaid", re.MULTILINE)


def _first_line(source: str) -> str:
    return next((line for line in source.splitlines() if line.strip()), "")


def slide_type(cell: nbformat.NotebookNode, index: int) -> str:
    """The reveal.js role of one cell.

    - the first cell, and every markdown cell opening with a ``#`` or ``##`` heading: ``slide``;
    - a markdown cell opening with ``###``: ``subslide`` (below its section's slide);
    - a solution code cell (tag ``solution`` or hidden source): ``notes``, so it stays in the
      speaker view (key ``s``) instead of giving the answer away on screen;
    - everything else: ``-``, continuing the current slide (tall slides scroll).
    """
    if index == 0:
        return "slide"
    if cell.cell_type == "code":
        hidden = cell.metadata.get("jupyter", {}).get("source_hidden", False)
        return "notes" if hidden or "solution" in cell.metadata.get("tags", []) else "-"
    if cell.cell_type == "markdown":
        match = HEADING.match(_first_line(cell.source))
        if match:
            return "slide" if len(match.group(1)) <= 2 else "subslide" if len(match.group(1)) == 3 else "-"
    return "-"


def split_at_headings(notebook: nbformat.NotebookNode) -> int:
    """Split markdown cells so that every ``#``/``##``/``###`` heading starts a cell, in place.

    Authors often end a section and open the next in one cell (a summary followed by the
    exercises); split, each section gets its own slide. Lines inside code fences (a ``#``
    comment in a solution's code) are not headings. Returns the number of cells added.
    """
    cells, added = [], 0
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            cells.append(cell)
            continue
        pieces: list[list[str]] = [[]]
        fence = ""
        for line in cell.source.splitlines(keepends=True):
            stripped = line.lstrip()
            if fence:
                if stripped.startswith(fence):
                    fence = ""
            elif stripped.startswith(("```", "~~~")):
                fence = stripped[:3]
            elif re.match(r"#{1,3}\s", line) and "".join(pieces[-1]).strip():
                pieces.append([])
            pieces[-1].append(line)
        for number, piece in enumerate(pieces):
            part = nbformat.v4.new_markdown_cell("".join(piece).strip("\n"), metadata=dict(cell.metadata))
            if "id" in cell:
                part.id = cell.id if number == 0 else f"{cell.id[:56]}-part{number}"
            cells.append(part)
        added += len(pieces) - 1
    notebook.cells = cells
    return added


def has_slide_metadata(notebook: nbformat.NotebookNode) -> bool:
    """True when any cell already says what kind of slide it is."""
    return any(cell.metadata.get("slideshow", {}).get("slide_type") for cell in notebook.cells)


def add_slide_metadata(notebook: nbformat.NotebookNode) -> bool:
    """Give every cell ``metadata.slideshow.slide_type`` (see `slide_type`), in place.

    Markdown cells are first split at their headings (`split_at_headings`). A notebook whose
    author already placed slide breaks is left as it is; returns whether it was changed. Without any metadata nbconvert puts the whole notebook on a
    single slide.
    """
    if has_slide_metadata(notebook):
        return False
    split_at_headings(notebook)
    for index, cell in enumerate(notebook.cells):
        cell.metadata["slideshow"] = {"slide_type": slide_type(cell, index)}
    return True


def prepare(paths: list[Path], dest: Path = SOURCE) -> list[Path]:
    """Copies of ``paths`` in ``dest`` with slide metadata; notebooks/ is never written."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    copies = []
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        if any(cell.cell_type == "markdown" and MERMAID.search(cell.source) for cell in notebook.cells):
            raise SystemExit(f"{path.name} has a mermaid diagram: the slide template does not load mermaid")
        add_slide_metadata(notebook)
        copy = dest / path.name
        nbformat.write(notebook, copy)
        copies.append(copy)
    return copies


def nbconvert_command(copies: list[Path], out: Path) -> list[str]:
    """``jupyter nbconvert --to slides`` with every URL a deck loads pointed at vendor/."""
    from offline_assets import REVEAL_THEME

    jupyter = Path(sys.executable).parent / "jupyter"
    options = {
        "SlidesExporter.reveal_url_prefix": f"{VENDOR}/reveal.js",
        "SlidesExporter.reveal_scroll": "True",
        "SlidesExporter.reveal_theme": REVEAL_THEME,
        "SlidesExporter.mathjax_url": f"{VENDOR}/mathjax2/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
        "SlidesExporter.require_js_url": f"{VENDOR}/require.js",
        "SlidesExporter.jquery_url": f"{VENDOR}/jquery.min.js",
        "SlidesExporter.widget_renderer_url": f"{VENDOR}/html-manager/embed-amd.js",
        "TemplateExporter.extra_template_basedirs": str(TEMPLATES),
    }
    return [
        str(jupyter),
        "nbconvert",
        "--to",
        "slides",
        "--template",
        TEMPLATE,
        "--output-dir",
        str(out),
        *[f"--{key}={value}" for key, value in options.items()],
        *[str(copy) for copy in copies],
    ]


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
<p>One reveal.js deck per notebook, made from the stored outputs. Keys: space or arrows to move,
<kbd>s</kbd> for the speaker view (exercise solutions are there), <kbd>f</kbd> full screen,
<kbd>Esc</kbd> overview. Long slides scroll.</p>
<ol start="0">
{items}
</ol>
</body>
</html>
"""
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where the decks go (default _build/slides)")
    args = parser.parse_args(argv)
    from build_book import notebook_paths
    from check_offline_html import find_remote_loads
    from offline_assets import SLIDES_ASSETS, copy_assets

    start = time.perf_counter()
    paths = notebook_paths()
    if not paths:
        raise SystemExit("no notebooks/NN_*.ipynb to convert")
    copies = prepare(paths)
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    copy_assets(SLIDES_ASSETS, args.out / VENDOR)
    result = subprocess.run(nbconvert_command(copies, args.out), capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stderr[-5000:], file=sys.stderr)
        raise SystemExit(f"nbconvert failed (exit {result.returncode})")
    write_index(paths, args.out)
    decks = sorted(args.out.glob("*.slides.html"))
    size = sum(path.stat().st_size for path in args.out.rglob("*") if path.is_file())
    slides = sum(path.read_text(encoding="utf-8").count("<section") for path in decks)
    print(
        f"slides: {len(decks)} decks, {slides} <section>s, {size / 1e6:.1f} MB in {args.out}; "
        f"{time.perf_counter() - start:.1f} s"
    )
    problems, checked = find_remote_loads(args.out)
    for problem in problems:
        print(problem)
    print(f"offline check: {checked} files, {len(problems)} problem(s)")
    return 1 if problems or len(decks) != len(paths) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
