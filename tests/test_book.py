"""The static site (make html) and the slides (make slides): configuration and build helpers.

Fast checks that need neither jupyter-book nor npm: the book never executes notebooks and
loads its scripts from itself, its table of contents lists every notebook, the build scripts'
pure helpers do what they say on hand-made notebooks, and the offline check catches what it
must on a hand-made site.
"""

import fnmatch
import importlib
import json
import re
import textwrap
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"


@pytest.fixture
def scripts(monkeypatch):
    """The modules in scripts/ (they import each other by name, as when run from there)."""
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))

    class Scripts:
        def __getattr__(self, name):
            return importlib.import_module(name)

    return Scripts()


def _config() -> dict:
    return yaml.safe_load((BOOK / "_config.yml").read_text())


def _notebook(*cells) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    for kind, source, *metadata in cells:
        make = nbformat.v4.new_markdown_cell if kind == "md" else nbformat.v4.new_code_cell
        cell = make(source)
        if metadata:
            cell.metadata.update(metadata[0])
        notebook.cells.append(cell)
    return notebook


# --- configuration -------------------------------------------------------------------------


def test_the_book_never_executes_notebooks():
    assert _config()["execute"]["execute_notebooks"] == "off"


def test_the_book_builds_only_what_the_toc_lists():
    assert _config()["only_build_toc_files"] is True


def test_every_script_the_book_names_is_local_and_vendored(scripts):
    sphinx = _config()["sphinx"]["config"]
    assets = scripts.offline_assets
    named = [sphinx["mathjax_path"], *sphinx["nb_ipywidgets_js"]]
    assert all("://" not in path and not path.startswith("//") for path in named), named
    assert "_static" not in sphinx["html_static_path"]  # jupyter-book would inject every .js in it

    def vendored(path: str) -> bool:
        relative = path.removeprefix("offline/")
        if relative == assets.WIDGET_PATHS.name:
            return True
        for asset in assets.BOOK_ASSETS:
            prefix = f"{asset.target}/" if asset.target else ""
            if relative.startswith(prefix) and any(
                fnmatch.fnmatch(relative.removeprefix(prefix), pattern) for pattern in asset.patterns
            ):
                return True
        return False

    assert all(path.startswith("offline/") and vendored(path) for path in named), named
    assert assets.WIDGET_PATHS.is_file()


def test_the_course_style_and_scroll_cues_are_staged_where_the_config_names_them(scripts, tmp_path):
    sphinx = _config()["sphinx"]["config"]
    named = [*sphinx["html_css_files"], *sphinx["html_js_files"]]
    assert named == ["course/site.css", "course/scroll-cues.js"]
    assert scripts.build_book.copy_site_files(tmp_path / "course") == 2
    assert sorted(path.name for path in (tmp_path / "course").iterdir()) == ["scroll-cues.js", "site.css"]
    assert "course-scrolls" in (tmp_path / "course" / "site.css").read_text()


def test_the_book_loads_no_thebe_and_no_analytics():
    config = _config()
    assert "sphinx_thebe" not in config["sphinx"]["config"]["extensions"]
    assert config["launch_buttons"]["thebe"] is False
    assert not config["html"]["analytics"]["google_analytics_id"]


def test_npm_lock_matches_package_json():
    package = json.loads((BOOK / "package.json").read_text())
    lock = json.loads((BOOK / "package-lock.json").read_text())
    assert lock["packages"][""]["dependencies"] == package["dependencies"]
    wanted = {"mathjax", "requirejs", "@jupyter-widgets/html-manager", "reveal.js"}
    assert wanted <= set(package["dependencies"])
    assert package["dependencies"]["mathjax"].lstrip("^~").startswith("3.")
    assert package["dependencies"]["reveal.js"].lstrip("^~").startswith("4.")


def test_makefile_has_html_and_slides_targets():
    makefile = (ROOT / "Makefile").read_text()
    phony = re.search(r"^\.PHONY:(.*)$", makefile, flags=re.MULTILINE).group(1).split()
    assert {"html", "slides"} <= set(phony)
    assert re.search(r"^html:.*\n\t.*scripts/build_book\.py", makefile, flags=re.MULTILINE)
    assert re.search(r"^slides:.*\n\t.*scripts/build_slides\.py", makefile, flags=re.MULTILINE)
    assert "book/node_modules/" in (ROOT / ".gitignore").read_text().splitlines()


def test_the_book_extra_keeps_jupyter_book_below_2():
    text = (ROOT / "pyproject.toml").read_text()
    book = re.search(r"^book = \[(.*?)^\]", text, flags=re.MULTILINE | re.DOTALL).group(1)
    assert re.search(r'"jupyter-book>=1[^"]*,<2"', book), book


# --- table of contents and course map --------------------------------------------------------


def test_toc_lists_every_notebook_exactly_once_in_order(scripts):
    build = scripts.build_book
    toc = yaml.safe_load((BOOK / "_toc.yml").read_text())
    listed = [entry for entry in build.toc_files(toc) if entry.startswith("notebooks/")]
    on_disk = sorted(path.stem for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert listed == [f"notebooks/{stem}" for stem in on_disk]
    assert toc["root"] == "intro" and (BOOK / "intro.md").is_file()


def test_sync_toc_drops_missing_notebooks_and_appends_new_ones(scripts):
    toc = {
        "format": "jb-book",
        "root": "intro",
        "parts": [
            {"caption": "A", "chapters": [{"file": "notebooks/00_a"}, {"file": "notebooks/01_b"}]},
            {"caption": "B", "chapters": [{"file": "notebooks/02_c"}]},
        ],
    }
    synced, missing, extra = scripts.build_book.sync_toc(toc, ["00_a", "02_c", "03_d"])
    assert missing == ["notebooks/01_b"] and extra == ["notebooks/03_d"]
    assert synced["parts"] == [
        {"caption": "A", "chapters": [{"file": "notebooks/00_a"}]},
        {"caption": "B", "chapters": [{"file": "notebooks/02_c"}]},
        {"caption": "More notebooks", "chapters": [{"file": "notebooks/03_d"}]},
    ]


def test_intro_has_the_course_map_marker(scripts):
    assert scripts.build_book.MAP_MARKER.search((BOOK / "intro.md").read_text())


def test_notebook_facts_of_a_hand_made_notebook(scripts, tmp_path):
    path = tmp_path / "07_demo.ipynb"
    notebook = _notebook(
        ("md", "# 07 · A demo notebook\n\nIt counts **three** things. Then more.\n\n**Learning goals.** x"),
        ("md", "**Prerequisites.** none.\n\n**Reading time.** About 15 minutes; it runs fast."),
    )
    nbformat.write(notebook, path)
    facts = scripts.build_book.notebook_facts(path)
    assert (facts.title, facts.reading_minutes, facts.summary) == (
        "A demo notebook",
        15,
        "It counts three things.",
    )


def test_readme_descriptions_read_linked_and_unlinked_rows(scripts):
    readme = textwrap.dedent(
        """\
        | notebook | what you learn | reading time |
        | --- | --- | --- |
        | [`notebooks/00_start_here.ipynb`](notebooks/00_start_here.ipynb) | how to count | 20 min |
        | 02 forward propagation *(in preparation)* | per-sample cost | |
        """
    )
    assert scripts.build_book.readme_descriptions(readme) == {"00": "how to count", "02": "per-sample cost"}


def test_course_map_links_every_notebook_with_its_reading_time(scripts):
    build = scripts.build_book
    paths = build.notebook_paths()
    table = build.course_map(paths, (ROOT / "README.md").read_text())
    rows = [line for line in table.splitlines() if re.match(r"^\| \d\d \|", line)]
    assert [row.split("|")[1].strip() for row in rows] == [path.stem[:2] for path in paths]
    for path, row in zip(paths, rows, strict=True):
        assert f"(notebooks/{path.name})" in row
        assert re.search(r"\| \d+ min \|$", row), f"{path.name} states no '**Reading time.** About N minutes'"


def test_fold_solutions_tags_solution_and_hidden_cells_only(scripts):
    notebook = _notebook(
        ("code", "x = 1"),
        ("code", "answer = 2", {"tags": ["solution"], "jupyter": {"source_hidden": True}}),
        ("code", "setup()", {"jupyter": {"source_hidden": True}}),
        ("md", "text", {"tags": ["solution"]}),
    )
    assert scripts.build_book.fold_solutions(notebook) == 2
    assert [cell.metadata.get("tags", []) for cell in notebook.cells] == [
        [],
        ["solution", "hide-cell"],
        ["hide-input"],
        ["solution"],
    ]


# --- slides ------------------------------------------------------------------------------------


SUMMARY_AND_EXERCISES = """## Summary

- a

## Exercises

<details><summary>Solution</summary>

```python
# a comment, not a heading
x = 1
```
</details>"""


def test_slide_metadata_starts_a_slide_at_every_section(scripts):
    notebook = _notebook(
        ("md", "# 03 · Title\n\nLearning goals."),
        ("code", "import numpy"),
        ("md", "## 1. First section\n\nText."),
        ("md", "More text, no heading."),
        ("md", "### 1.1 Sub-section"),
        ("code", "print(1)"),
        ("code", "answer = 42", {"tags": ["solution"]}),
        ("md", "\n#### A small heading"),
        ("md", SUMMARY_AND_EXERCISES),
    )
    assert scripts.build_slides.add_slide_metadata(notebook) is True
    kinds = [
        (cell.source.splitlines()[0], cell.metadata["slideshow"]["slide_type"]) for cell in notebook.cells
    ]
    assert kinds == [
        ("# 03 · Title", "slide"),
        ("import numpy", "-"),
        ("## 1. First section", "slide"),
        ("More text, no heading.", "-"),
        ("### 1.1 Sub-section", "subslide"),
        ("print(1)", "-"),
        ("answer = 42", "notes"),
        ("#### A small heading", "-"),
        ("## Summary", "slide"),
        ("## Exercises", "slide"),
    ]
    assert "# a comment, not a heading" in notebook.cells[-1].source
    nbformat.validate(notebook)


def test_slide_metadata_an_author_set_is_kept(scripts):
    notebook = _notebook(("md", "# Title"), ("md", "## Part", {"slideshow": {"slide_type": "fragment"}}))
    assert scripts.build_slides.add_slide_metadata(notebook) is False
    assert "slideshow" not in notebook.cells[0].metadata
    assert notebook.cells[1].metadata["slideshow"] == {"slide_type": "fragment"}


def test_slides_point_every_url_at_the_vendor_folder(scripts, tmp_path):
    command = scripts.build_slides.nbconvert_command([tmp_path / "00_x.ipynb"], tmp_path)
    assert command[1:4] == ["nbconvert", "--to", "slides"]
    urls = [arg.split("=", 1)[1] for arg in command if arg.startswith("--SlidesExporter.") and "_url" in arg]
    assert len(urls) == 5 and all(url.startswith("vendor/") for url in urls), urls
    template = BOOK / "slides" / "course_reveal" / "index.html.j2"
    assert "html_head_js_mermaidjs" in template.read_text()


# --- offline check -------------------------------------------------------------------------------


def _site(tmp_path: Path, body: str, head: str = "") -> Path:
    site = tmp_path / "site"
    (site / "static").mkdir(parents=True)
    (site / "static" / "local.js").write_text("console.log('https://example.org/docs is only text');\n")
    (site / "index.html").write_text(f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>")
    return site


def test_offline_check_passes_a_local_page(scripts, tmp_path):
    site = _site(
        tmp_path,
        '<a href="https://arxiv.org/abs/1512.03385">He et al.</a><img src="data:image/png;base64,AAAA">',
        '<script src="static/local.js"></script><link rel="canonical" href="https://example.org/">',
    )
    assert scripts.check_offline_html.find_remote_loads(site) == ([], 2)
    assert scripts.check_offline_html.main([str(site)]) == 0


def test_offline_check_reports_every_kind_of_remote_load(scripts, tmp_path):
    state = {
        "version_major": 2,
        "state": {
            "a": {"model_module": "@jupyter-widgets/controls", "state": {}},
            "b": {"model_module": "bqplot", "state": {}},
        },
    }
    head = (
        '<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"></script>'
        '<link rel="stylesheet" href="http://fonts.example.com/a.css">'
        '<link rel="preconnect" href="https://fonts.gstatic.com">'
        '<script src="static/missing.js"></script>'
        "<style>@font-face { src: url('https://fonts.gstatic.com/x.woff2'); }</style>"
        "<script type=\"module\">import mermaid from 'https://cdn.example.net/mermaid.mjs';</script>"
        f'<script type="application/vnd.jupyter.widget-state+json">{json.dumps(state)}</script>'
    )
    body = '<img src="//images.example.com/a.png"><div style="background: url(https://x.example.com/b.png)"></div>'
    site = _site(tmp_path, body, head)
    sheet = '/* @import "https://ignored.example.com/c.css"; */\n@import "https://fonts.googleapis.com/css?family=Lato";'
    (site / "static" / "theme.css").write_text(sheet)
    (site / "static" / "cdn.js").write_text('var s = "https://unpkg.com/thebe@0.8.2/lib/index.js";')
    (site / "other.html").write_text('<script src="static/cdn.js"></script>')
    problems, _ = scripts.check_offline_html.find_remote_loads(site)
    found = {(problem.how, problem.url) for problem in problems}
    assert found == {
        ("<script src>", "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"),
        ("<link rel=stylesheet>", "http://fonts.example.com/a.css"),
        ("<link rel=preconnect>", "https://fonts.gstatic.com"),
        ("missing local file", "static/missing.js"),
        ("css url()", "https://fonts.gstatic.com/x.woff2"),
        ("js import", "https://cdn.example.net/mermaid.mjs"),
        ("widget module from CDN", "bqplot"),
        ("<img src>", "//images.example.com/a.png"),
        ("css url()", "https://x.example.com/b.png"),
        ("css @import", "https://fonts.googleapis.com/css?family=Lato"),
        ("js CDN URL", "https://unpkg.com/thebe@0.8.2/lib/index.js"),
    }
    assert scripts.check_offline_html.main([str(site)]) == 1
