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

LECTURE = (
    (
        "md",
        "# 03 · A title\n\nWhy this matters, in one paragraph.\n\n**Learning goals.** You can\n\n- derive $n^2$;\n- count it.\n\n**Prerequisites.** Notebook 02.\n\n**Reading time.** About 20 minutes.",
    ),
    ("code", "import numpy as np"),
    ("md", "## 1. First section\n\nThe cost is $mnp$:\n\n$$c_{ij} = \\sum_k a_{ik} b_{kj}$$"),
    ("code", "print('counted')", {"tags": ["slide-show-code"]}),
    ("md", "### 1.1 A sub-section\n\nMore text."),
    ("code", "secret_setup = 1"),
    ("code", "answer = 42", {"tags": ["solution"]}),
    ("code", "hidden = 1", {"tags": ["slide-skip"]}),
    (
        "md",
        "## Exercises\n\n**1.** Count it.\n\n<details><summary>Solution</summary>\n\nIt is $n^2$.\n\n</details>",
    ),
)


def _lecture(scripts, tmp_path, *cells):
    notebook = _notebook(*cells)
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.source.startswith("print"):
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="counted\n")]
    path = tmp_path / "03_a_title.ipynb"
    nbformat.write(notebook, path)
    return scripts.lecture_deck.notebook_deck(path)


def test_a_notebook_becomes_a_title_with_goals_an_outline_and_a_slide_per_section(scripts, tmp_path):
    deck = _lecture(scripts, tmp_path, *LECTURE)
    assert deck.title == "03 · A title"
    assert [section.title for section in deck.sections] == [
        "03 · A title",
        "Introduction",
        "Outline",
        "1. First section",
        "Exercises",
    ]
    title = deck.sections[0].slides[0]
    on_title = "".join(block.html for block in title.blocks)
    assert "Learning goals" in on_title and "count it." in on_title and "Why this matters" not in on_title
    assert "Notebook 02" in "".join(title.notes) and "20 minutes" in "".join(title.notes)
    assert "Why this matters" in deck.sections[1].slides[0].blocks[0].html
    assert "1. First section" in deck.sections[2].slides[0].blocks[0].html
    first, sub = deck.sections[3].slides
    assert (sub.title, sub.kicker) == ("1.1 A sub-section", "1. First section")
    slide_text = "".join(block.html for slide in deck.slides for block in slide.blocks)
    notes = "".join(note for slide in deck.slides for note in slide.notes)
    # shown code (tagged) and outputs on the slide; other code, solutions and <details> in the notes
    assert "print" in "".join(b.html for b in first.blocks) and "counted" in "".join(
        b.html for b in first.blocks
    )
    for hidden in ("secret_setup", "answer", "It is"):
        assert hidden not in slide_text and hidden in notes, hidden
    assert "hidden" not in slide_text + notes  # slide-skip: left out
    assert "numpy" not in slide_text and "numpy" in notes  # the setup cell's code


def test_maths_comes_out_in_the_sites_delimiters(scripts):
    blocks = scripts.lecture_deck.markdown_blocks(
        "Cost $mnp$ and\n\n$$a < b$$\n\nsee [02](02_forward.ipynb)."
    )
    fragments = [fragment for _node, fragment in blocks]
    assert '<span class="math inline">\\(mnp\\)</span>' in fragments[0]
    assert fragments[1].strip() == '<div class="math block">\n\\[a &lt; b\\]\n</div>'
    assert 'href="02_forward.slides.html"' in fragments[2]


def test_sympy_latex_output_is_display_maths(scripts):
    block = scripts.lecture_deck.latex_output("$\\displaystyle N_{\\times} = m n p$")
    assert block.html == '<div class="math">\\[\\displaystyle N_{\\times} = m n p\\]</div>'


def test_monospace_type_shrinks_to_fit_the_slide_down_to_14_px(scripts):
    layout = scripts.lecture_deck.LAYOUT
    # 1200 px of slide / (0.6 em a character): 18 px holds 111 characters, 14 px holds 142
    assert layout.mono_size(111) == 18.0
    assert layout.mono_size(120) == 16.5  # 1200 / 72 = 16.67, rounded down to half a pixel
    assert layout.mono_size(142) == 14.0
    assert layout.mono_size(143) is None


def test_a_long_printed_table_continues_with_its_header_and_ends_in_the_notes(scripts):
    lines = ["  n   cost", "----------", *[f"{k:3d} {k * k:6d}" for k in range(200)]]
    blocks = scripts.lecture_deck.text_output("\n".join(lines))
    shown = [block for block in blocks if block.kind == "output"]
    assert len(shown) == scripts.lecture_deck.MAX_PARTS
    assert [block.new_slide for block in shown] == [False, True, True]
    rows = []
    for block in shown:
        assert block.html.count("----------") == 1 and "  n   cost" in block.html  # header repeated
        assert block.height <= scripts.lecture_deck.LAYOUT.body_height
        rows += [line for line in block.html.split("\n") if line.strip()[:3].strip().isdigit()]
    left = 200 - len(rows)
    assert left > 0 and f"… {left} more lines in the speaker notes." in shown[-1].html
    assert "\n199  39601" in shown[-1].notes  # the whole output, last row included


def test_a_wide_output_leaves_a_pointer_and_goes_to_the_notes(scripts):
    blocks = scripts.lecture_deck.text_output("x" * 143 + "\nshort")
    assert [block.kind for block in blocks] == ["pointer", "notes"]
    assert "143 characters wide" in blocks[0].html and "x" * 143 in blocks[1].notes


def test_a_long_html_table_repeats_its_head_on_each_part(scripts):
    head = "<thead><tr><th>layer</th><th>MACs</th></tr></thead>"
    rows = "".join(f"<tr><td>conv{k}</td><td>{k}</td></tr>" for k in range(40))
    blocks = scripts.lecture_deck.html_output(
        f"<table><caption>net</caption>{head}<tbody>{rows}</tbody></table><p>total</p>"
    )
    tables = [block for block in blocks if "<table" in block.html]
    assert len(tables) >= 2 and all(
        head in block.html and "<caption>net</caption>" in block.html for block in tables
    )
    assert sum(block.html.count("<td>conv") for block in tables) == 40
    assert "<p>total</p>" in blocks[-1].html and "<table" not in blocks[-1].html


def test_a_figure_gets_a_slide_of_its_own_with_the_sentence_that_introduces_it(scripts, tmp_path):
    png = (
        "iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAYAAAD0In+KAAAAEUlEQVR4nGP8z8DwnwEIGAEAHvIE/ZWu3fYAAAAASUVORK5CYII="
    )
    cells = (
        ("md", "# 03 · T"),
        ("md", "## 1. S\n\nA first paragraph.\n\nThe picture:"),
        ("code", "plot()"),
        ("md", "What to notice."),
    )
    notebook = _notebook(*cells)
    notebook.cells[2].outputs = [
        nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"})
    ]
    path = tmp_path / "03_t.ipynb"
    nbformat.write(notebook, path)
    slides = scripts.lecture_deck.notebook_deck(path).sections[-1].slides
    assert [slide.kind for slide in slides] == ["content", "figure", "content"]
    assert "A first paragraph" in slides[0].blocks[0].html
    assert "The picture:" in slides[1].blocks[0].html
    assert 'data-width="2" data-height="1"' in slides[1].blocks[1].html  # read from the PNG header


def test_a_saved_widget_leaves_a_pointer_to_a_live_kernel(scripts):
    view = {"model_id": "abc", "version_major": 2, "version_minor": 0}
    output = nbformat.v4.new_output(
        "display_data", data={"application/vnd.jupyter.widget-view+json": view, "text/plain": "Explorer(...)"}
    )
    (block,) = scripts.lecture_deck.output_blocks(output, "Live experiment: open it in JupyterLab.")
    assert block.kind == "pointer" and "JupyterLab" in block.html


def test_a_short_last_slide_takes_blocks_from_the_one_before(scripts):
    deck = scripts.lecture_deck
    before = deck.Slide("T", blocks=[deck.Block("a", 200), deck.Block("b", 200), deck.Block("c", 150)])
    after = deck.Slide("T", continued=True, blocks=[deck.Block("d", 60)])
    deck.balance(before, after)
    assert ([b.html for b in before.blocks], [b.html for b in after.blocks]) == (["a", "b"], ["c", "d"])


def test_a_long_list_is_cut_between_items_and_keeps_its_numbering(scripts):
    items = "\n".join(f"{k}. " + "word " * 60 for k in range(1, 13))
    (node,) = scripts.lecture_deck.SyntaxTreeNode(scripts.lecture_deck.MARKDOWN.parse(items)).children
    parts = scripts.lecture_deck.list_parts(node, 500)
    assert len(parts) > 1 and all(height <= 500 for _html, height in parts)
    assert sum(fragment.count("<li>") for fragment, _height in parts) == 12
    assert parts[0][0].startswith("<ol>") and '<ol start="' in parts[1][0]


def test_the_decks_share_the_sites_mathjax(scripts, tmp_path):
    config = _config()["sphinx"]["config"]["mathjax3_config"]
    assert scripts.build_slides.mathjax_config() == config
    assert config["tex"]["inlineMath"] == [["\\(", "\\)"]]
    assets = scripts.offline_assets
    assert assets.MATHJAX3 in assets.SLIDES_ASSETS and assets.MATHJAX3 in assets.BOOK_ASSETS
    template = (BOOK / "slides" / "deck.html").read_text()
    assert 'src="vendor/mathjax/tex-chtml.js"' in template and "widget-paths.js" not in template
    deck = scripts.lecture_deck.Deck(
        "A <em>t</em>", [scripts.lecture_deck.Section("A", [scripts.lecture_deck.Slide("A")])]
    )
    page = scripts.build_slides.deck_html(deck, template, config)
    assert json.dumps(config) in page and "<title>A t · slides</title>" in page


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


def test_the_speaker_notes_carry_their_own_small_type(scripts):
    """The speaker view loads none of the deck's styles: code and printed output in the notes
    are styled inline, at 13 px, wrapped rather than cut."""
    deck = scripts.lecture_deck
    cell = nbformat.v4.new_code_cell("answer = 6 * 7\nprint(answer)", metadata={"tags": ["solution"]})
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="42\n")]
    (block,) = deck.code_blocks(cell, "live")
    assert block.kind == "notes" and block.notes.count(f'<pre style="{deck.NOTES_PRE}">') == 2
    assert "answer = 6 * 7" in block.notes and "42" in block.notes
    assert "font-size: 13px" in deck.NOTES_PRE and "pre-wrap" in deck.NOTES_PRE
