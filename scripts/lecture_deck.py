"""The rule that turns a notebook into a lecture deck (book/README.md, "The lecture decks").

`notebook_deck` reads a notebook top to bottom and returns a `Deck`: a title slide (the title
and the learning goals), an introduction, an outline, then one horizontal slide per ``##``
section with its ``###`` sub-sections and continuation slides below it. What goes on a slide
is decided by cell type, tags and output size, never by a notebook's particular cells:

* markdown is cut into blocks (paragraphs, lists, display maths, tables, code) by markdown-it,
  the parser the site uses; ``<details>`` blocks (solutions, "going further") go to the
  speaker notes;
* a code cell's source goes to the notes, unless the cell is tagged ``slide-show-code``; its
  outputs go on the slide: a figure gets a slide of its own, as large as the slide allows;
  formulas (``text/latex``) and short printed text stay; a printed table too long for one
  slide continues on the next slides with its header repeated (at most ``MAX_PARTS`` slides,
  the rest in the notes); one too wide even at the smallest type, and a saved widget (it needs
  a kernel to move), leave a one-line pointer on the slide and go to the notes;
* solution cells (tag ``solution`` or a hidden source) and cells tagged ``slide-notes`` go to
  the notes whole; cells tagged ``slide-skip`` (or ``slideshow.slide_type`` ``skip``) are left
  out; ``slide-scroll`` marks the slide that holds a block as a scrolling slide on purpose.

Blocks are packed into slides by an estimate of their height on a 1280x720 slide (`Layout`);
the deck's script (book/slides/deck.js) measures the real heights in the browser and shrinks
the rare slide whose estimate was short until it fits.
"""

from __future__ import annotations

import base64
import html
import itertools
import math
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin

SHOW_CODE = "slide-show-code"
NOTES = "slide-notes"
SKIP = "slide-skip"
SCROLL = "slide-scroll"
SOLUTION = "solution"
MAX_PARTS = 3  # slides one long output may take; the rest of it is in the notes
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
RULE_LINE = re.compile(r"^[\s\-=+|:]*[-=]{3,}[\s\-=+|:]*$")
LABEL = re.compile(r"^\*\*([^*]+?)\.?\*\*")
TABLE = re.compile(r"<table\b.*?</table>", re.DOTALL | re.IGNORECASE)
ROW = re.compile(r"<tr\b.*?</tr>", re.DOTALL | re.IGNORECASE)
CELL = re.compile(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", re.DOTALL | re.IGNORECASE)
NOTEBOOK_LINK = re.compile(r'href="(?:\.{0,2}/)?(?:notebooks/)?(\d\d_[a-z0-9_]+)\.ipynb(#[^"]*)?"')


@dataclass(frozen=True)
class Layout:
    """Sizes of the slide (book/slides/deck.css) used to estimate how much fits on one."""

    width: int = 1280
    height: int = 720
    body_width: int = 1200  # the slide less its side padding
    body_height: int = 590  # below a slide title
    title_slide_body: int = 520  # below the deck's title on its first slide
    line: float = 32.0  # a line of text: 24 px type, line-height 1.33
    chars: int = 100  # characters of prose a line holds (a safe average for 24 px type)
    gap: float = 14.0  # between blocks
    mono_max: float = 18.0  # printed output type, px
    mono_min: float = 14.0  # the smallest printed type a room can read
    mono_char: float = 0.6  # width of a monospace character, in em
    mono_line: float = 1.3
    math_line: float = 58.0  # one line of display maths
    table_row: float = 1.7  # an HTML table row, in em of its type
    table_max: float = 18.0
    table_min: float = 13.0
    table_char: float = 0.55  # average width of a table character, in em
    lead_in: float = 140.0  # a sentence that introduces a figure may share its slide up to this height
    figure_min: float = 380.0  # a figure is never drawn smaller than this on its slide

    def mono_size(self, columns: int) -> float | None:
        """Type size (px) at which ``columns`` monospace characters fit the slide; None if none does."""
        if columns <= 0:
            return self.mono_max
        size = min(self.mono_max, self.body_width / (self.mono_char * columns))
        return math.floor(size * 2) / 2 if size >= self.mono_min else None


LAYOUT = Layout()


@dataclass
class Block:
    """One thing on a slide: its HTML, its estimated height in px, and what it adds to the notes."""

    html: str = ""
    height: float = 0.0
    kind: str = "text"  # text, figure, output, math, pointer, notes (nothing on the slide)
    notes: str = ""
    lead_in: bool = False  # a short sentence ending with ':' that introduces the next block
    new_slide: bool = False  # starts a slide of its own (an author's break, a continued output)
    scrolling: bool = False


@dataclass
class Slide:
    """A slide: its title, the blocks on it, its speaker notes."""

    title: str
    kicker: str = ""  # the section a sub-section or continuation belongs to, shown small above
    blocks: list[Block] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    kind: str = "content"  # title, content, figure, outline
    continued: bool = False
    scrolling: bool = False

    @property
    def used(self) -> float:
        return sum(block.height for block in self.blocks if block.kind != "notes")

    def add(self, block: Block) -> None:
        if block.kind != "notes":
            self.blocks.append(block)
        if block.notes:
            self.notes.append(block.notes)
        self.scrolling = self.scrolling or block.scrolling


@dataclass
class Section:
    """A ``##`` section: its slides, stacked vertically under the first."""

    title: str
    slides: list[Slide] = field(default_factory=list)


@dataclass
class Deck:
    """A notebook's lecture: title, the sections' slides, and counts for the build's report."""

    title: str
    sections: list[Section]

    @property
    def slides(self) -> list[Slide]:
        return [slide for section in self.sections for slide in section.slides]


# --- markdown ------------------------------------------------------------------------------------


def _math(content: str, options: dict) -> str:
    """A formula between MathJax 3's default delimiters (the plugin wraps it in ``.math``)."""
    body = html.escape(content.strip(), quote=False)
    return f"\\[{body}\\]" if options.get("display_mode") else f"\\({body}\\)"


def _amsmath(content: str) -> str:
    """An amsmath environment as it is: MathJax typesets ``\\begin{align}`` on its own."""
    return html.escape(content.strip(), quote=False)


def markdown_parser() -> MarkdownIt:
    """markdown-it as the site's MyST configures it: tables, raw HTML, ``$``/``$$`` and amsmath.

    Maths comes out as MathJax 3's default delimiters inside ``.math`` elements, exactly what
    the site's pages hold, so one MathJax configuration serves both.
    """
    parser = MarkdownIt("commonmark", {"html": True}).enable("table")
    parser.use(dollarmath_plugin, double_inline=True, renderer=_math)
    parser.use(amsmath_plugin, renderer=_amsmath)
    return parser


MARKDOWN = markdown_parser()


def render(nodes: list[SyntaxTreeNode]) -> str:
    """HTML of top-level markdown nodes, links to other notebooks pointed at their decks."""
    tokens = [token for node in nodes for token in node.to_tokens()]
    text = MARKDOWN.renderer.render(tokens, MARKDOWN.options, {})
    return NOTEBOOK_LINK.sub(lambda m: f'href="{m.group(1)}.slides.html"', text)


def text_units(fragment: str) -> float:
    """Width of some HTML in average characters: tags dropped, a formula's TeX counted at half."""
    units = 0.0
    for piece in re.split(r"(\\\(.*?\\\)|\\\[.*?\\\])", fragment, flags=re.DOTALL):
        plain = html.unescape(re.sub(r"<[^>]+>", "", piece))
        if piece.startswith(("\\(", "\\[")):
            units += 0.5 * len(re.sub(r"\\[a-zA-Z]+|[{}_^]", "x", plain))
        else:
            units += len(" ".join(plain.split()))
    return units


def _lines(units: float, chars: int) -> int:
    return max(1, math.ceil(units / chars))


def estimate_markdown(node: SyntaxTreeNode, fragment: str, layout: Layout = LAYOUT) -> float:
    """Estimated height (px) of one top-level markdown block on a slide."""
    if node.type in {"math_block", "amsmath", "math_block_label"}:
        rows = 1 + fragment.count("\\\\")
        tall = any(word in fragment for word in ("\\frac", "\\sum", "\\prod", "\\int", "\\begin"))
        return rows * layout.math_line * (1.3 if tall else 1.0) + layout.gap
    if node.type in {"bullet_list", "ordered_list"}:
        items = re.findall(r"<li>(.*?)</li>", fragment, flags=re.DOTALL) or [fragment]
        displays = fragment.count("\\[")  # display maths inside items
        tall = 1.3 if "\\frac" in fragment or "\\sum" in fragment else 1.0
        lines = sum(_lines(text_units(item), layout.chars - 6) for item in items)
        return lines * layout.line + 6 * len(items) + displays * layout.math_line * tall + layout.gap
    if node.type == "table":
        # 20 px type, 1.3 line-height, cells wrap: a row is as many lines as its text needs
        per_line = layout.body_width / (0.5 * 20) * 0.8
        lines = sum(
            max(1, math.ceil(sum(text_units(cell) for cell in CELL.findall(row)) / per_line))
            for row in ROW.findall(fragment)
        )
        return lines * 26 + fragment.count("<tr") * 8 + layout.gap
    if node.type in {"fence", "code_block"}:
        return (fragment.count("\n") + 1) * 17 * layout.mono_line + layout.gap
    if node.type == "heading":
        return 44.0
    if node.type == "hr":
        return layout.gap
    displays = fragment.count("\\[")
    return _lines(text_units(fragment), layout.chars) * layout.line + displays * layout.math_line + layout.gap


def list_parts(node: SyntaxTreeNode, budget: float, layout: Layout = LAYOUT) -> list[tuple[str, float]]:
    """A list cut into runs of items that each fit ``budget`` px, each run its own list (an
    ordered list keeps its numbering); a list that fits is one run."""
    whole = render([node])
    height = estimate_markdown(node, whole, layout)
    if height <= budget or len(node.children) < 2:
        return [(whole, height)]
    tag = "ol" if node.type == "ordered_list" else "ul"
    first = int(node.attrs.get("start", 1)) if node.type == "ordered_list" else 1
    runs: list[list[str]] = [[]]
    used = 0.0
    for item in node.children:
        fragment = render([item])
        item_height = estimate_markdown(node, f"<{tag}>{fragment}</{tag}>", layout) - layout.gap
        if runs[-1] and used + item_height > budget - layout.gap:
            runs.append([])
            used = 0.0
        runs[-1].append(fragment)
        used += item_height
    parts, number = [], first
    for run in runs:
        start = f' start="{number}"' if tag == "ol" and number != 1 else ""
        fragment = f"<{tag}{start}>\n{''.join(run)}</{tag}>\n"
        parts.append((fragment, estimate_markdown(node, fragment, layout)))
        number += len(run)
    return parts


def _lead_in(node: SyntaxTreeNode, fragment: str, height: float, layout: Layout = LAYOUT) -> bool:
    plain = re.sub(r"<[^>]+>", "", fragment).strip()
    return node.type == "paragraph" and plain.endswith(":") and height <= layout.lead_in


def markdown_blocks(source: str) -> list[tuple[SyntaxTreeNode, str]]:
    """Top-level nodes of a markdown cell with their HTML; a ``<details>`` block comes as one
    node of type ``details`` whose HTML is its content (the summary as a bold first line)."""
    nodes = SyntaxTreeNode(MARKDOWN.parse(source)).children
    out: list[tuple[SyntaxTreeNode, str]] = []
    index = 0
    while index < len(nodes):
        node = nodes[index]
        raw = node.content if node.type == "html_block" else ""
        if node.type == "html_block" and re.match(r"\s*<details", raw):
            depth = raw.count("<details") - raw.count("</details>")
            inner: list[SyntaxTreeNode] = []
            index += 1
            while depth > 0 and index < len(nodes):
                part = nodes[index]
                if part.type == "html_block":
                    depth += part.content.count("<details") - part.content.count("</details>")
                    if depth <= 0:
                        break
                inner.append(part)
                index += 1
            summary = re.search(r"<summary>(.*?)</summary>", raw, flags=re.DOTALL)
            label = f"<p><strong>{summary.group(1).strip()}</strong></p>\n" if summary else ""
            rest = re.sub(r"\s*<details[^>]*>\s*(<summary>.*?</summary>)?", "", raw, count=1, flags=re.DOTALL)
            out.append((_Details(), label + rest.strip() + render(inner)))
            index += 1
            continue
        out.append((node, render([node])))
        index += 1
    return out


class _Details:
    type = "details"


# --- outputs -------------------------------------------------------------------------------------


def _pre(lines: list[str], size: float, css: str = "output") -> str:
    text = html.escape("\n".join(lines), quote=False)
    return f'<pre class="{css}" style="font-size: {size:g}px">{text}</pre>'


def _pointer(text: str) -> Block:
    return Block(f'<p class="pointer">{text}</p>', LAYOUT.line + LAYOUT.gap, kind="pointer")


# The speaker view (reveal.js's notes window) loads none of the deck's style sheets: what the
# notes show is styled inline, small enough for a long line of code to stay readable there.
NOTES_PRE = "font-size: 13px; line-height: 1.3; white-space: pre-wrap; margin: 0.4em 0; padding: 4px 8px"
NOTES_HTML = "font-size: 14px"


def _notes_pre(text: str) -> str:
    """Printed text or code for the speaker notes."""
    return f'<pre style="{NOTES_PRE}">{html.escape(text, quote=False)}</pre>'


def _notes_html(fragment: str) -> str:
    """An HTML output for the speaker notes."""
    return f'<div style="{NOTES_HTML}">{fragment}</div>'


def header_rows(lines: list[str]) -> int:
    """How many first lines of a printed table are its header: up to a rule line (``---``,
    ``===``) among the first four lines; 0 when there is none."""
    for index, line in enumerate(lines[:4]):
        if RULE_LINE.match(line):
            return index + 1
    return 0


def text_output(text: str, layout: Layout = LAYOUT) -> list[Block]:
    """Printed text: on the slide in the largest type that fits its width, continued over at
    most ``MAX_PARTS`` slides (header repeated) when long; too wide, a pointer to the notes."""
    text = ANSI.sub("", text).expandtabs(8).rstrip("\n")
    lines = text.split("\n")
    columns = max(len(line) for line in lines)
    size = layout.mono_size(columns)
    if size is None:
        return [
            _pointer(f"A printed table {columns} characters wide: in the speaker notes."),
            Block(kind="notes", notes=_notes_pre(text)),
        ]
    line = size * layout.mono_line
    padding = 12.0
    height = len(lines) * line + padding + layout.gap
    if height <= layout.body_height:
        return [Block(_pre(lines, size), height, kind="output")]
    head = header_rows(lines)
    room = int((layout.body_height - padding - layout.gap - layout.line) // line) - head
    room = max(room, 4)
    body = lines[head:]
    parts = [body[start : start + room] for start in range(0, len(body), room)]
    shown = parts[:MAX_PARTS]
    blocks = []
    for number, part in enumerate(shown):
        rows = lines[:head] + part
        left = len(body) - sum(len(p) for p in shown[: number + 1])
        tail = ""
        if number == len(shown) - 1 and left > 0:
            tail = f'<p class="pointer">… {left} more lines in the speaker notes.</p>'
        elif number < len(shown) - 1:
            tail = '<p class="pointer">continued on the next slide</p>'
        blocks.append(
            Block(
                _pre(rows, size) + tail,
                len(rows) * line + padding + layout.gap + layout.line,
                kind="output",
                new_slide=number > 0,
            )
        )
    if len(parts) > MAX_PARTS:
        blocks[-1].notes = _notes_pre(text)
    return blocks


def _table_width(rows: list[str], size: float, layout: Layout = LAYOUT) -> float:
    widths: dict[int, int] = {}
    for row in rows:
        for column, cell in enumerate(CELL.findall(row)):
            text = html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            widths[column] = max(widths.get(column, 0), len(text))
    return sum(width * layout.table_char * size + 0.9 * size for width in widths.values())


def _html_height(fragment: str, layout: Layout = LAYOUT) -> float:
    """Estimated height of HTML that is not a table: its lines of text, at least one per block element."""
    breaks = len(re.findall(r"<(?:li|p|br|div|h\d|tr)\b", fragment, flags=re.IGNORECASE))
    return max(_lines(text_units(fragment), layout.chars), breaks) * layout.line + layout.gap


def html_output(fragment: str, layout: Layout = LAYOUT) -> list[Block]:
    """An HTML output. A table is set in the largest type (18 to 13 px) at which it fits the
    slide's width, and a long one continues on the next slides with its head repeated (what
    follows the table in the output comes after its last part); a table too wide at 13 px
    leaves a pointer and goes to the notes. Other HTML is kept as it is."""
    match = TABLE.search(fragment)
    if not match:
        return [
            Block(f'<div class="html-output">{fragment}</div>', _html_height(fragment, layout), kind="output")
        ]
    table = match.group(0)
    rest = fragment.replace(table, "")
    extra = _html_height(rest, layout) if text_units(rest) else 0.0
    rows = ROW.findall(table)
    size = layout.table_max
    while size > layout.table_min and _table_width(rows, size, layout) > layout.body_width:
        size -= 0.5
    if _table_width(rows, size, layout) > layout.body_width:
        return [
            _pointer(f"A table of {len(rows)} rows too wide for a slide: in the speaker notes."),
            Block(kind="notes", notes=_notes_html(fragment)),
        ]
    caption = re.search(r"<caption\b.*?</caption>", table, re.DOTALL | re.IGNORECASE)
    head = re.search(r"<thead\b.*?</thead>", table, re.DOTALL | re.IGNORECASE)
    body_rows = [row for row in rows if not head or row not in head.group(0)]
    row_height = size * layout.table_row
    fixed = (1 if caption else 0) * size * 1.6 + (len(rows) - len(body_rows)) * row_height + layout.gap
    style = f' style="font-size: {size:g}px"'
    whole = fixed + len(body_rows) * row_height
    if whole + extra <= layout.body_height or not body_rows:
        return [Block(f'<div class="html-output"{style}>{fragment}</div>', whole + extra, kind="output")]
    # the room under a sub-section's kicker and title, less the "continued" line
    room = max(int((layout.body_height - 26 - fixed - layout.line) // row_height), 4)
    parts = [body_rows[start : start + room] for start in range(0, len(body_rows), room)]
    shown = parts[:MAX_PARTS]
    opening = table[: table.find(">") + 1]
    blocks = []
    for number, part in enumerate(shown):
        pieces = [opening, caption.group(0) if caption else "", head.group(0) if head else ""]
        pieces += ["<tbody>", *part, "</tbody></table>"]
        left = len(body_rows) - sum(len(p) for p in shown[: number + 1])
        if number < len(shown) - 1:
            tail = '<p class="pointer">continued on the next slide</p>'
        elif left > 0:
            tail = f'<p class="pointer">… {left} more rows in the speaker notes.</p>'
        else:
            tail = ""
        height = fixed + len(part) * row_height + (layout.line if tail else 0.0)
        blocks.append(
            Block(
                f'<div class="html-output"{style}>{"".join(pieces)}</div>{tail}',
                height,
                "output",
                new_slide=number > 0,
            )
        )
    if len(parts) > MAX_PARTS:
        blocks[-1].notes = _notes_html(fragment)
    if extra:
        blocks.append(Block(f'<div class="html-output"{style}>{rest}</div>', extra, kind="output"))
    return blocks


def image_size(data: bytes, kind: str) -> tuple[int, int] | None:
    """Pixel width and height of a PNG (from its header) or None when unknown."""
    if kind == "image/png" and data[:8] == b"\x89PNG\r\n\x1a\n":
        return struct.unpack(">II", data[16:24])
    return None


def figure(output: nbformat.NotebookNode, kind: str) -> Block:
    """An image output: a slide of its own, drawn as large as the slide allows (deck.js)."""
    value = output["data"][kind]
    if kind == "image/svg+xml":
        raw = value.encode() if isinstance(value, str) else value
        source = "data:image/svg+xml;base64," + base64.b64encode(raw).decode()
        size = None
    else:
        text = value if isinstance(value, str) else "".join(value)
        source = f"data:{kind};base64,{''.join(text.split())}"
        size = image_size(base64.b64decode(text), kind)
    metadata = output.get("metadata", {}).get(kind, {})
    width, height = (
        (metadata.get("width"), metadata.get("height")) if metadata.get("width") else (size or (0, 0))
    )
    alt = html.escape(output["data"].get("text/plain", "figure").strip()[:120])
    attributes = f' data-width="{width}" data-height="{height}"' if width and height else ""
    tag = f'<img class="figure" src="{source}" alt="{alt}"{attributes}>'
    return Block(f'<div class="figure-box">{tag}</div>', LAYOUT.body_height, kind="figure")


def latex_output(text: str) -> Block:
    """A formula printed by sympy, as display maths."""
    body = text.strip()
    for opening, closing in (("$$", "$$"), ("$", "$"), ("\\[", "\\]")):
        if body.startswith(opening) and body.endswith(closing) and len(body) > len(opening) + len(closing):
            body = body[len(opening) : -len(closing)].strip()
            break
    fragment = f'<div class="math">\\[{html.escape(body, quote=False)}\\]</div>'
    rows = 1 + body.count("\\\\")
    tall = any(word in body for word in ("\\frac", "\\sum", "\\prod", "\\int"))
    return Block(fragment, rows * LAYOUT.math_line * (1.3 if tall else 1.0), kind="math")


def join_streams(outputs: list[nbformat.NotebookNode]) -> list[nbformat.NotebookNode]:
    """Consecutive stream outputs of one name merged into one (a loop that prints line by line)."""
    merged: list[nbformat.NotebookNode] = []
    for output in outputs:
        if (
            output.get("output_type") == "stream"
            and merged
            and merged[-1].get("output_type") == "stream"
            and merged[-1].get("name") == output.get("name")
        ):
            merged[-1] = nbformat.v4.new_output(
                "stream", name=output["name"], text=merged[-1]["text"] + output["text"]
            )
        else:
            merged.append(output)
    return merged


def output_blocks(output: nbformat.NotebookNode, live_hint: str) -> list[Block]:
    """The blocks one output puts on a slide (and in the notes)."""
    kind = output.get("output_type")
    if kind == "stream":
        return text_output(output["text"]) if output["text"].strip() else []
    if kind == "error":
        return text_output("\n".join(output.get("traceback", [])))
    data = output.get("data", {})
    if WIDGET_VIEW in data:
        return [_pointer(live_hint)]
    if "text/html" in data:
        return html_output("".join(data["text/html"]))
    for image in ("image/svg+xml", "image/png", "image/jpeg"):
        if image in data:
            return [figure(output, image)]
    if "text/markdown" in data:
        return [
            Block(render([node]), estimate_markdown(node, render([node])), kind="text")
            for node in SyntaxTreeNode(MARKDOWN.parse("".join(data["text/markdown"]))).children
        ]
    if "text/latex" in data:
        return [latex_output("".join(data["text/latex"]))]
    if "text/plain" in data:
        return text_output("".join(data["text/plain"]))
    return []


def output_notes(output: nbformat.NotebookNode) -> str:
    """An output as the speaker notes show it (a solution's output, say): text as text, HTML
    as it is, a picture at the notes' width; a saved widget shows nothing."""
    kind = output.get("output_type")
    if kind == "stream":
        return _notes_pre(ANSI.sub("", output["text"]))
    if kind == "error":
        return _notes_pre(ANSI.sub("", "\n".join(output.get("traceback", []))))
    data = output.get("data", {})
    if WIDGET_VIEW in data:
        return ""
    if "text/html" in data:
        return _notes_html("".join(data["text/html"]))
    for image in ("image/png", "image/jpeg"):
        if image in data:
            return f'<img style="max-width: 100%" src="data:{image};base64,{"".join(data[image].split())}">'
    for text in ("text/latex", "text/markdown", "text/plain"):
        if text in data:
            return _notes_pre("".join(data[text]))
    return ""


# --- cells ---------------------------------------------------------------------------------------


def cell_tags(cell: nbformat.NotebookNode) -> set[str]:
    tags = set(cell.metadata.get("tags", []))
    slide_type = cell.metadata.get("slideshow", {}).get("slide_type")
    if slide_type == "skip":
        tags.add(SKIP)
    elif slide_type == "notes":
        tags.add(NOTES)
    if cell.cell_type == "code" and cell.metadata.get("jupyter", {}).get("source_hidden", False):
        tags.add(SOLUTION)
    return tags


def highlighted(source: str) -> str:
    """Python source as highlighted HTML (pygments), for a slide or the notes."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    return highlight(source, PythonLexer(), HtmlFormatter(nowrap=False, cssclass="code"))


def code_blocks(cell: nbformat.NotebookNode, live_hint: str) -> list[Block]:
    """A code cell's blocks: its source in the notes (on the slide when tagged), its outputs."""
    tags = cell_tags(cell)
    source = cell.source.strip()
    if SKIP in tags:
        return []
    if SOLUTION in tags or NOTES in tags:
        parts = [_notes_pre(source)] if source else []
        parts += [output_notes(output) for output in join_streams(cell.get("outputs", []))]
        return [Block(kind="notes", notes="".join(parts))]
    blocks: list[Block] = []
    if source and SHOW_CODE in tags:
        lines = source.count("\n") + 1
        columns = max(len(line) for line in source.splitlines())
        size = LAYOUT.mono_size(columns) or LAYOUT.mono_min
        height = lines * size * LAYOUT.mono_line + 12 + LAYOUT.gap
        blocks.append(
            Block(f'<div class="source" style="font-size: {size:g}px">{highlighted(source)}</div>', height)
        )
    elif source:
        blocks.append(Block(kind="notes", notes=_notes_pre(source)))
    for output in join_streams(cell.get("outputs", [])):
        blocks.extend(output_blocks(output, live_hint))
    if SCROLL in tags and blocks:
        blocks[-1].scrolling = True
    if cell.metadata.get("slideshow", {}).get("slide_type") in {"slide", "subslide"} and blocks:
        blocks[0].new_slide = True
    return blocks


# --- the deck ------------------------------------------------------------------------------------


def _heading_html(node: SyntaxTreeNode) -> str:
    fragment = render([node])
    return re.sub(r"^<h\d[^>]*>|</h\d>\s*$", "", fragment.strip())


class _Builder:
    """Walks the notebook's blocks and packs them into slides."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.sections: list[Section] = []
        self.section_title = ""
        self.current: Slide | None = None

    def open_section(self, title: str) -> None:
        self.section_title = title
        self.sections.append(Section(title))
        self.current = Slide(title)
        self.sections[-1].slides.append(self.current)

    def open_subsection(self, title: str) -> None:
        if not self.sections:
            self.open_section(title)
            return
        if self.current is not None and not self.current.blocks and self.current.kind == "content":
            # a section heading directly followed by a sub-section heading: one slide, not an empty one
            self.current.kicker, self.current.title = self.section_title, title
            return
        self.current = Slide(title, kicker=self.section_title)
        self.sections[-1].slides.append(self.current)

    def continuation(self) -> Slide:
        assert self.current is not None
        slide = Slide(self.current.title, kicker=self.current.kicker, continued=True)
        self.sections[-1].slides.append(slide)
        self.current = slide
        return slide

    def add(self, block: Block) -> None:
        if self.current is None:
            self.open_section("")
        slide = self.current
        assert slide is not None
        if block.kind == "notes":
            slide.add(block)
            return
        if block.kind == "figure":
            lead = []
            if slide.blocks and slide.blocks[-1].lead_in:
                lead = [slide.blocks.pop()]
            if slide.blocks or slide.kind != "content":
                slide = self.continuation()
            for item in lead:
                slide.add(item)
            slide.add(block)
            slide.kind = "figure"
            self.continuation()
            return
        budget = self.layout.body_height - (26 if slide.kicker else 0)
        if slide.kind == "figure" or (block.new_slide and slide.blocks):
            slide = self.continuation()
        elif slide.blocks and slide.used + block.height > budget:
            carry = []
            if slide.blocks[-1].lead_in and len(slide.blocks) > 1:
                carry = [slide.blocks.pop()]
            slide = self.continuation()
            for item in carry:
                slide.add(item)
        slide.add(block)

    def finish(self) -> list[Section]:
        """The sections, without the empty continuation slides packing leaves behind (their
        notes go to the slide before them), and with the last slide of a run balanced."""
        for section in self.sections:
            kept: list[Slide] = []
            for slide in section.slides:
                if slide.continued and not slide.blocks and kept:
                    kept[-1].notes.extend(slide.notes)
                else:
                    kept.append(slide)
            section.slides = kept
            for before, after in itertools.pairwise(kept):
                balance(before, after)
        return [section for section in self.sections if section.slides]


def balance(before: Slide, after: Slide) -> None:
    """Move the last blocks of ``before`` to the top of its continuation ``after`` while that
    makes the two slides more even, so that a section does not end on a slide holding one
    short paragraph. A sentence that introduces the next block moves with it."""
    if (
        not after.continued
        or before.kind != "content"
        or after.kind != "content"
        or after.title != before.title
    ):
        return
    while len(before.blocks) > 1:
        moving = [before.blocks[-1]]
        if before.blocks[-2].lead_in and len(before.blocks) > 2:
            moving.insert(0, before.blocks[-2])
        height = sum(block.height for block in moving)
        if moving[-1].new_slide or (after.blocks and after.blocks[0].new_slide):
            return
        if after.used + height > before.used - height:
            return
        del before.blocks[-len(moving) :]
        after.blocks[:0] = moving


def _is_label(fragment: str, label: str) -> bool:
    plain = re.sub(r"<[^>]+>", "", fragment).strip().lower()
    return plain.startswith(label)


def notebook_deck(path: Path, layout: Layout = LAYOUT) -> Deck:
    """The lecture deck of the notebook at ``path`` (see the module's docstring for the rule)."""
    notebook = nbformat.read(path, as_version=4)
    stem = path.stem
    live_hint = (
        "Live experiment: the sliders need a running kernel. Open this notebook in JupyterLab "
        "(<code>make lab</code>) or the playground app (<code>make app</code>)."
    )
    title = stem
    title_slide = Slide("", kind="title")
    intro = Slide("Introduction")
    builder = _Builder(layout)
    in_preamble = True
    goals_open = False
    for cell in notebook.cells:
        if cell.cell_type == "code":
            blocks = code_blocks(cell, live_hint)
            for block in blocks:
                intro.add(block) if in_preamble else builder.add(block)
            continue
        if cell.cell_type != "markdown":
            continue
        tags = cell_tags(cell)
        if SKIP in tags:
            continue
        forced = cell.metadata.get("slideshow", {}).get("slide_type") in {"slide", "subslide"}
        for number, (node, fragment) in enumerate(markdown_blocks(cell.source)):
            if node.type == "details" or NOTES in tags:
                (intro if in_preamble else builder.current or intro).notes.append(fragment)
                continue
            if node.type == "heading" and node.tag in {"h1", "h2", "h3"}:
                heading = _heading_html(node)
                if node.tag == "h1" and title == stem:
                    title = heading
                    continue
                in_preamble = False
                goals_open = False
                if node.tag in {"h1", "h2"}:
                    builder.open_section(heading)
                else:
                    builder.open_subsection(heading)
                continue
            if node.type in {"bullet_list", "ordered_list"} and not in_preamble:
                for part, height in list_parts(node, layout.body_height - 40, layout):
                    builder.add(Block(part, height, scrolling=SCROLL in tags))
                continue
            height = estimate_markdown(node, fragment, layout)
            block = Block(fragment, height, lead_in=_lead_in(node, fragment, height, layout))
            block.new_slide = forced and number == 0
            block.scrolling = SCROLL in tags
            if in_preamble:
                if node.type == "paragraph" and LABEL.match(
                    node.children[0].content if node.children else ""
                ):
                    goals_open = _is_label(fragment, "learning goals")
                    (title_slide.add if goals_open else title_slide.notes.append)(
                        block if goals_open else fragment
                    )
                    continue
                if goals_open and node.type in {"bullet_list", "ordered_list"}:
                    title_slide.add(block)
                    goals_open = False
                    continue
                goals_open = False
                intro.add(block)
                continue
            builder.add(block)
    title_slide.title = title
    opening: list[Section] = [Section(title, [title_slide])]
    if intro.blocks:
        holder = _Builder(layout)
        holder.open_section("Introduction")
        for block in intro.blocks:
            holder.add(block)
        holder.sections[0].slides[0].notes[:0] = intro.notes
        opening += holder.finish()
    elif intro.notes:
        title_slide.notes.extend(intro.notes)
    sections = builder.finish()
    if sections:
        items = "".join(f"<li>{section.title}</li>" for section in sections)
        outline = Slide("Outline", kind="outline", blocks=[Block(f'<ul class="outline">{items}</ul>', 0.0)])
        opening.append(Section("Outline", [outline]))
    return Deck(title, opening + sections)
