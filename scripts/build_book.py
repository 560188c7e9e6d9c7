"""Build the course's static site into _build/html/ from the notebooks' stored outputs.

Usage: python scripts/build_book.py [--out _build/html]   (``make html`` runs it)

1. Stage the book in _build/book_src/: book/_config.yml; book/_toc.yml with the notebooks
   that exist (a listed one that is missing is left out, an unlisted one appended, each with
   a warning); book/intro.md with the course map filled in from the notebooks and README.md;
   copies of notebooks/NN_*.ipynb (solution cells folded: tag ``hide-cell``); and, in
   ``assets/offline/``, the vendored MathJax, require.js and widget manager from
   book/node_modules (the site serves them from ``_static/offline/``); in ``assets/course/``,
   the course's style sheet and scroll cues (book/css/site.css, book/js/scroll-cues.js).
2. Run Sphinx through jupyter-book 1.x (``jupyter-book config sphinx`` writes conf.py, then
   ``sphinx-build``). Notebooks are never executed (``execute_notebooks: "off"``).
3. Report pages, size, build time, pages with maths and widget state, and run the offline
   check (scripts/check_offline_html.py); exit 1 if a page would load something remote.

The notebooks in notebooks/ are only read, never written.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
NOTEBOOKS = ROOT / "notebooks"
STAGE = ROOT / "_build" / "book_src"
DOCTREES = ROOT / "_build" / "book_doctrees"
OUT = ROOT / "_build" / "html"
MAP_MARKER = re.compile(r"^<!-- course-map:.*-->$", re.MULTILINE)
READING_TIME = re.compile(r"reading time\W*\s*(?:about\s+|approximately\s+|~\s*)?(\d+)\s*min", re.IGNORECASE)
NOTEBOOK_NAME = re.compile(r"^\d\d_[a-z0-9_]+\.ipynb$")


@dataclass(frozen=True)
class NotebookFacts:
    """What the course map shows of one notebook."""

    stem: str
    title: str
    reading_minutes: int | None
    summary: str


def notebook_paths(folder: Path = NOTEBOOKS) -> list[Path]:
    """The course's notebooks, ``NN_slug.ipynb``, in order."""
    return sorted(path for path in folder.glob("[0-9][0-9]_*.ipynb") if NOTEBOOK_NAME.match(path.name))


def _plain(markdown: str) -> str:
    """Markdown to one line of plain text (emphasis and links dropped, maths kept)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"(\*\*|__|\*)", "", text)
    return " ".join(text.split())


def notebook_facts(path: Path) -> NotebookFacts:
    """Title (first ``# `` heading, without the ``NN ·`` prefix), reading time, first sentence."""
    notebook = nbformat.read(path, as_version=4)
    markdown = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    title, summary, minutes = path.stem, "", None
    for source in markdown:
        heading = next((line for line in source.splitlines() if line.startswith("# ")), None)
        if heading is not None:
            title = re.sub(r"^\d\d\s*[·.:-]\s*", "", heading[2:].strip())
            body = source.split(heading, 1)[1].strip().split("\n\n")[0]
            summary = re.split(r"(?<=[.!?])\s", _plain(body), maxsplit=1)[0] if body else ""
            break
    for source in markdown:
        match = READING_TIME.search(source)
        if match:
            minutes = int(match.group(1))
            break
    return NotebookFacts(path.stem, title, minutes, summary)


def readme_descriptions(readme: str) -> dict[str, str]:
    """The "what you learn" column of README.md's notebook table, keyed by ``NN``."""
    found = {}
    for line in readme.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and line.lstrip().startswith("|"):
            number = re.search(r"(?:notebooks/|^)(\d\d)[_ ]", cells[0])
            if number and cells[1]:
                found[number.group(1)] = cells[1]
    return found


def course_map(paths: list[Path], readme: str = "") -> str:
    """The landing page's table: number, linked title, what you learn, reading time."""
    descriptions = readme_descriptions(readme)
    rows = [
        "| # | notebook | what you learn | reading time |",
        "| --- | --- | --- | --- |",
    ]
    total = 0
    for path in paths:
        facts = notebook_facts(path)
        number = facts.stem[:2]
        learn = descriptions.get(number) or facts.summary
        minutes = f"{facts.reading_minutes} min" if facts.reading_minutes else ""
        total += facts.reading_minutes or 0
        title = facts.title.replace("|", "\\|")
        rows.append(
            f"| {number} | [{title}](notebooks/{path.name}) | {learn.replace('|', '/')} | {minutes} |"
        )
    hours, minutes = divmod(total, 60)
    rows.append("")
    rows.append(f"{len(paths)} notebooks, about {hours} h {minutes:02d} min of reading in all.")
    return "\n".join(rows)


def toc_files(toc: dict) -> list[str]:
    """Every ``file:`` entry of a jupyter-book table of contents, in order (root excluded)."""
    files: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for key in ("parts", "chapters", "sections"):
                walk(node.get(key, []))
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({key: value for key, value in toc.items() if key != "root"})
    return files


def sync_toc(toc: dict, stems: list[str]) -> tuple[dict, list[str], list[str]]:
    """The toc with missing notebooks dropped and unlisted ones appended, plus both lists."""
    wanted = {f"notebooks/{stem}" for stem in stems}
    listed = toc_files(toc)
    missing = [entry for entry in listed if entry.startswith("notebooks/") and entry not in wanted]
    extra = [f"notebooks/{stem}" for stem in stems if f"notebooks/{stem}" not in listed]
    parts = []
    for part in toc.get("parts", []):
        chapters = [chapter for chapter in part.get("chapters", []) if chapter.get("file") not in missing]
        if chapters:
            parts.append({**part, "chapters": chapters})
    if extra:
        parts.append({"caption": "More notebooks", "chapters": [{"file": entry} for entry in extra]})
    return {**toc, "parts": parts}, missing, extra


def fold_solutions(notebook: nbformat.NotebookNode) -> int:
    """Tag solution code cells ``hide-cell`` (and other hidden sources ``hide-input``).

    JupyterLab hides a cell's source with ``metadata.jupyter.source_hidden``; myst-nb knows
    only tags. Returns the number of cells changed. Applied to the staged copies only.
    """
    changed = 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        tags = list(cell.metadata.get("tags", []))
        hidden = cell.metadata.get("jupyter", {}).get("source_hidden", False)
        new = "hide-cell" if "solution" in tags else "hide-input" if hidden else None
        if new and new not in tags:
            cell.metadata["tags"] = [*tags, new]
            changed += 1
    return changed


SITE_FILES = (BOOK / "css" / "site.css", BOOK / "js" / "scroll-cues.js")


def copy_site_files(dest: Path) -> int:
    """Copy the course's own style sheet and scripts (``SITE_FILES``) into ``dest``; their number."""
    dest.mkdir(parents=True, exist_ok=True)
    for path in SITE_FILES:
        shutil.copy2(path, dest / path.name)
    return len(SITE_FILES)


def stage(stage_dir: Path = STAGE) -> dict:
    """Write the book's sources into ``stage_dir``; return what was staged."""
    from offline_assets import BOOK_ASSETS, copy_assets

    paths = notebook_paths()
    if not paths:
        raise SystemExit("no notebooks/NN_*.ipynb to build")
    if stage_dir.exists():
        shutil.rmtree(stage_dir)
    (stage_dir / "notebooks").mkdir(parents=True)
    shutil.copy2(BOOK / "_config.yml", stage_dir / "_config.yml")

    toc, missing, extra = sync_toc(yaml.safe_load((BOOK / "_toc.yml").read_text()), [p.stem for p in paths])
    for entry in missing:
        print(f"warning: book/_toc.yml lists {entry}.ipynb, which does not exist: left out")
    for entry in extra:
        print(f"warning: {entry}.ipynb is not in book/_toc.yml: appended under 'More notebooks'")
    (stage_dir / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False))

    readme = (ROOT / "README.md").read_text() if (ROOT / "README.md").is_file() else ""
    intro = (BOOK / "intro.md").read_text()
    if not MAP_MARKER.search(intro):
        raise SystemExit("book/intro.md lacks the '<!-- course-map: ... -->' line")
    table = course_map(paths, readme)
    (stage_dir / "intro.md").write_text(MAP_MARKER.sub(lambda _: table, intro))

    folded = 0
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        folded += fold_solutions(notebook)
        nbformat.write(notebook, stage_dir / "notebooks" / path.name)
    assets = copy_assets(BOOK_ASSETS, stage_dir / "assets" / "offline")
    assets += copy_site_files(stage_dir / "assets" / "course")
    return {"notebooks": len(paths), "folded": folded, "assets": assets}


def run_sphinx(stage_dir: Path, out: Path) -> tuple[float, list[str]]:
    """jupyter-book's Sphinx configuration, then sphinx-build; seconds and warnings."""
    bin_dir = Path(sys.executable).parent
    jupyter_book = bin_dir / "jupyter-book"
    if not jupyter_book.exists():
        raise SystemExit("jupyter-book is not installed: `make html` installs the 'book' extra")
    start = time.perf_counter()
    subprocess.run([str(jupyter_book), "config", "sphinx", str(stage_dir)], check=True, capture_output=True)
    if out.exists():
        shutil.rmtree(out)
    if DOCTREES.exists():
        shutil.rmtree(DOCTREES)
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-d", str(DOCTREES), str(stage_dir), str(out)],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line or "ERROR" in line]
    if result.returncode != 0:
        print(result.stdout[-3000:], result.stderr[-5000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"sphinx-build failed (exit {result.returncode})")
    return seconds, warnings


MATHJAX_TAG = re.compile(r"<script[^>]+src=\"[^\"]*_static/offline/mathjax/tex-chtml\.js[?\"]")
MATH_MARKUP = re.compile(r'class="math[ "]')
WIDGET_STATE_TAG = 'type="application/vnd.jupyter.widget-state+json"'


def has_widget_state(path: Path) -> bool:
    """Whether a notebook saved the state of at least one widget."""
    metadata = nbformat.read(path, as_version=4).metadata
    return bool(metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state"))


def site_facts(out: Path, notebooks: list[Path]) -> dict:
    """Pages and size; notebook pages with maths but no local MathJax, or lost widget state."""
    pages = sorted(path for path in out.rglob("*.html") if "_static" not in path.parts)
    texts = {path.stem: path.read_text(encoding="utf-8") for path in pages if path.parent.name == "notebooks"}
    with_math = [stem for stem, text in texts.items() if MATH_MARKUP.search(text)]
    with_mathjax = [stem for stem, text in texts.items() if MATHJAX_TAG.search(text)]
    with_state = [stem for stem, text in texts.items() if WIDGET_STATE_TAG in text]
    saved_state = [path.stem for path in notebooks if has_widget_state(path)]
    return {
        "pages": len(pages),
        "notebook_pages": len(texts),
        "with_math": len(with_math),
        "with_widgets": len(with_state),
        "math_without_mathjax": sorted(set(with_math) - set(with_mathjax)),
        "state_lost": sorted(set(saved_state) - set(with_state)),
        "no_saved_state": sorted(path.stem for path in notebooks if path.stem not in saved_state),
        "bytes": sum(path.stat().st_size for path in out.rglob("*") if path.is_file()),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where the site goes (default _build/html)")
    args = parser.parse_args(argv)
    from check_offline_html import find_remote_loads

    start = time.perf_counter()
    staged = stage()
    seconds, warnings = run_sphinx(STAGE, args.out)
    facts = site_facts(args.out, notebook_paths())
    for line in warnings:
        print(line)
    print(
        f"book: {staged['notebooks']} notebooks, {facts['pages']} pages, "
        f"{facts['bytes'] / 1e6:.1f} MB in {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}; "
        f"sphinx {seconds:.1f} s, total {time.perf_counter() - start:.1f} s; {len(warnings)} warning(s)"
    )
    print(
        f"book: {facts['with_math']}/{facts['notebook_pages']} notebook pages have maths, typeset by the "
        f"local MathJax; {facts['with_widgets']} carry saved widget state"
    )
    if facts["no_saved_state"]:
        print(f"book: no saved widget state in {', '.join(facts['no_saved_state'])} (nothing to show)")
    failed = False
    if facts["math_without_mathjax"]:
        print(f"error: maths but no local MathJax on {', '.join(facts['math_without_mathjax'])}")
        failed = True
    if facts["state_lost"]:
        print(f"error: saved widget state missing from the pages of {', '.join(facts['state_lost'])}")
        failed = True
    problems, checked = find_remote_loads(args.out)
    for problem in problems:
        print(problem)
    print(f"offline check: {checked} files, {len(problems)} problem(s)")
    return 1 if problems or failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
