"""Fail if a built page would load anything from outside the machine.

Usage: python scripts/check_offline_html.py _build/html [_build/slides ...]

Checks every .html, .css and .js file under the given folders (every script, not only
those a page names: MathJax and the widget manager load parts of themselves on demand). A *load* is what a browser fetches by itself: ``<script src>``,
``<link rel=stylesheet|icon|preload|...>``, ``<img src>``, ``<iframe src>`` and the like,
``url(...)`` and ``@import`` in CSS (files, ``<style>`` blocks, ``style=`` attributes and CSS
carried inside JavaScript), ES module imports, and widget modules a saved widget state needs
that the local widget manager does not bundle (it would fetch them from a CDN). Plain
hyperlinks (``<a href>``) are not loads. In JavaScript, where every string could be a URL,
it reports URLs of content-delivery hosts, except the few listed in ``JS_ALLOWED`` with the
reason they are never fetched by these pages.

A page that loads a local file which is not there is reported too ("missing local file"):
a vendored script in the wrong folder fails as surely offline as a CDN address.

Prints each offending URL with the file that loads it and exits 1 if there is any, else
prints a one-line summary and exits 0. ``find_remote_loads`` is the same check as a function.
"""

from __future__ import annotations

import fnmatch
import json
import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

# Tags and attributes a browser fetches without a click.
LOADING_ATTRIBUTES = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
}
# <link rel=...> values that only describe a relation; any other rel (stylesheet, icon,
# preload, modulepreload, prefetch, preconnect, manifest, ...) makes the browser connect.
NAVIGATION_RELS = {
    "alternate", "author", "bookmark", "canonical", "contents", "copyright", "first", "glossary",
    "help", "home", "index", "last", "license", "next", "prev", "previous", "search", "top", "up",
}  # fmt: skip
# Widget modules the local @jupyter-widgets/html-manager bundle (embed-amd.js) contains.
BUNDLED_WIDGET_MODULES = {"@jupyter-widgets/base", "@jupyter-widgets/controls", "@jupyter-widgets/output"}
WIDGET_STATE_TYPE = "application/vnd.jupyter.widget-state+json"
# Hosts whose only business is serving files to pages: a URL of theirs inside loaded
# JavaScript is treated as a load.
CDN_HOSTS = (
    "cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com", "ajax.googleapis.com",
    "fonts.googleapis.com", "fonts.gstatic.com", "code.jquery.com", "cdn.mathjax.org",
    "maxcdn.bootstrapcdn.com", "stackpath.bootstrapcdn.com", "use.fontawesome.com",
    "kit.fontawesome.com", "www.googletagmanager.com", "www.google-analytics.com",
    "plausible.io", "cdn.plot.ly", "esm.sh", "cdn.skypack.dev", "polyfill.io",
    "cdn.bokeh.org", "rawcdn.githack.com",
)  # fmt: skip
# (file name pattern, URL, why no page of ours ever fetches it): exact URLs as the scan reads them.
JS_ALLOWED = (
    (
        "*embed-amd.js",
        "https://cdn.jsdelivr.net/npm/",
        "the widget manager's fallback for widget modules it does not bundle; every page's saved "
        "widget state is checked to name bundled modules only",
    ),
    (
        "*embed-amd.js",
        "https://fonts.googleapis.com/css?family=Roboto+Mono",
        "inside a CSS comment of the bundled JupyterLab theme (`/* @import url(...) */`)",
    ),
    (
        "*/mathjax*/*.js",
        "https://cdn.jsdelivr.net/npm/speech-rule-engine@",
        "default home of the speech engine's maps; MathJax (2 and 3) points the engine at its local copy",
    ),
    (
        "*/mathjax*/*.js",
        "https://cdn.jsdelivr.net/npm/sre-mathmaps-ie@",
        "the speech engine's maps for Internet Explorer only",
    ),
    (
        "*/mathjax*/*.js",
        "https://cdn.jsdelivr.net/npm/wicked-good-xpath@1.3.0/dist/wgxpath.install.js",
        "XPath polyfill the speech engine loads only where document.evaluate is missing (Internet Explorer)",
    ),
)
URL = re.compile(r"""(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s"'`)<>\\]*""")
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""", re.IGNORECASE)
CSS_IMPORT = re.compile(r"""@import\s+(['"])([^'"]+)\1""", re.IGNORECASE)  # @import url(...) is a url()
JS_IMPORT = re.compile(r"""(?:\bimport\s*\(\s*|\bimport\b[^'"`;]*?\bfrom\s*|\bimport\s+)(['"`])([^'"`]+)\1""")


@dataclass(frozen=True)
class RemoteLoad:
    """``url`` would be fetched from outside the machine by ``file`` (through ``how``)."""

    file: str
    how: str
    url: str

    def __str__(self) -> str:
        return f"{self.file}: {self.how}: {self.url}"


def is_remote(url: str) -> bool:
    """True for http(s) and protocol-relative URLs (data:, blob:, relative paths are local)."""
    url = url.strip()
    if url.startswith("//"):
        return True
    return urlsplit(url).scheme.lower() in {"http", "https", "ws", "wss", "ftp"}


def css_loads(text: str) -> list[tuple[str, str]]:
    """``(how, url)`` of every remote ``url(...)`` and ``@import`` in a style sheet."""
    text = CSS_COMMENT.sub("", text)
    found = [("css url()", match.group(2)) for match in CSS_URL.finditer(text)]
    found += [("css @import", match.group(2)) for match in CSS_IMPORT.finditer(text)]
    return [(how, url.strip()) for how, url in found if is_remote(url)]


def _srcset_urls(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


def _host(url: str) -> str:
    return urlsplit(url if "://" in url else "https:" + url).hostname or ""


def js_loads(text: str, name: str = "") -> list[tuple[str, str]]:
    """``(how, url)`` of remote loads in JavaScript: module imports, CSS strings, CDN URLs."""
    found: list[tuple[str, str]] = []
    found += [("js import", m.group(2)) for m in JS_IMPORT.finditer(text) if is_remote(m.group(2))]
    # CSS carried in JavaScript strings (style-loader bundles), comments removed.
    found += css_loads(text.replace("\\n", "\n"))
    for match in URL.finditer(text):
        url = match.group(0)
        if _host(url) in CDN_HOSTS:
            found.append(("js CDN URL", url))
    result = []
    for how, url in dict.fromkeys(found):
        allowed = any(fnmatch.fnmatch(name, pattern) and url == known for pattern, known, _ in JS_ALLOWED)
        if not allowed:
            result.append((how, url))
    return result


def widget_state_loads(text: str) -> list[tuple[str, str]]:
    """Widget modules a saved state needs that the local manager would fetch from a CDN."""
    try:
        state = json.loads(text)
    except json.JSONDecodeError:
        return [("widget state", "unreadable widget state JSON")]
    modules = {
        model.get(key)
        for model in state.get("state", {}).values()
        for key in ("model_module", "view_module")
        if model.get(key)
    }
    return [("widget module from CDN", module) for module in sorted(modules - BUNDLED_WIDGET_MODULES)]


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.loads: list[tuple[str, str]] = []
        self.local_scripts: list[str] = []
        self.local_files: list[str] = []
        self._script: dict[str, str] | None = None
        self._style = False
        self._chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key.lower(): value or "" for key, value in attrs}
        for attribute in LOADING_ATTRIBUTES.get(tag, ()):
            if attribute in values:
                urls = _srcset_urls(values[attribute]) if attribute == "srcset" else [values[attribute]]
                self.loads += [(f"<{tag} {attribute}>", url) for url in urls if is_remote(url)]
                self.local_files += [url for url in urls if _is_relative_file(url)]
        if tag == "link" and "href" in values:
            rels = set(values.get("rel", "").lower().split())
            if rels - NAVIGATION_RELS:
                if is_remote(values["href"]):
                    self.loads.append((f"<link rel={values.get('rel')}>", values["href"]))
                elif _is_relative_file(values["href"]):
                    self.local_files.append(values["href"])
        if "style" in values:
            self.loads += css_loads(values["style"])
        for key, value in values.items():
            if key.startswith("data-") and key.endswith("-cdn") and is_remote(value):
                self.loads.append((f"<{tag} {key}>", value))
        if tag == "script":
            if values.get("src") and not is_remote(values["src"]):
                self.local_scripts.append(values["src"])
            self._script = values
            self._chunks = []
        elif tag == "style":
            self._style = True
            self._chunks = []

    def handle_data(self, data: str) -> None:
        if self._script is not None or self._style:
            self._chunks.append(data)

    def handle_endtag(self, tag: str) -> None:
        text = "".join(self._chunks)
        if tag == "script" and self._script is not None:
            kind = self._script.get("type", "text/javascript").lower()
            if kind == WIDGET_STATE_TYPE:
                self.loads += widget_state_loads(text)
            elif "javascript" in kind or kind == "module":
                self.loads += js_loads(text, "inline")
            self._script = None
        elif tag == "style" and self._style:
            self.loads += css_loads(text)
            self._style = False


def _is_relative_file(url: str) -> bool:
    """A path relative to the page (not remote, not data:/blob:/javascript:, not a bare #)."""
    url = url.strip()
    return bool(url) and not is_remote(url) and not urlsplit(url).scheme and not url.startswith(("#", "/"))


def _local_target(page: Path, src: str) -> Path:
    path = urlsplit(src).path
    return (page.parent / path).resolve()


def find_remote_loads(*folders: Path) -> tuple[list[RemoteLoad], int]:
    """Every remote load under ``folders`` and the number of files checked."""
    problems: list[RemoteLoad] = []
    scripts: set[Path] = set()
    checked = 0
    for folder in folders:
        folder = Path(folder)
        for page in sorted(folder.rglob("*.html")):
            if "_static" in page.relative_to(folder).parts:
                continue  # Sphinx themes' Jinja fragments (webpack-macros.html), not pages
            parser = _PageParser()
            parser.feed(page.read_text(encoding="utf-8", errors="replace"))
            parser.close()
            name = str(page.relative_to(folder.parent))
            problems += [RemoteLoad(name, how, url) for how, url in parser.loads]
            problems += [
                RemoteLoad(name, "missing local file", src)
                for src in dict.fromkeys(parser.local_files)
                if not _local_target(page, src).is_file()
            ]
            scripts |= {_local_target(page, src) for src in parser.local_scripts}
            checked += 1
        for sheet in sorted(folder.rglob("*.css")):
            text = sheet.read_text(encoding="utf-8", errors="replace")
            name = str(sheet.relative_to(folder.parent))
            problems += [RemoteLoad(name, how, url) for how, url in css_loads(text)]
            checked += 1
        scripts |= {path.resolve() for path in folder.rglob("*.js")}
    for script in sorted(scripts):
        if script.is_file():
            text = script.read_text(encoding="utf-8", errors="replace")
            problems += [RemoteLoad(str(script), how, url) for how, url in js_loads(text, str(script))]
            checked += 1
    return problems, checked


def main(args: list[str]) -> int:
    if not args:
        print("usage: check_offline_html.py FOLDER [FOLDER ...]", file=sys.stderr)
        return 2
    folders = [Path(arg) for arg in args]
    absent = [str(folder) for folder in folders if not folder.is_dir()]
    if absent:
        print(f"no such folder: {', '.join(absent)} (build it first)", file=sys.stderr)
        return 2
    problems, checked = find_remote_loads(*folders)
    for problem in problems:
        print(problem)
    verdict = f"{len(problems)} problem(s)" if problems else "no remote loads, no missing local files"
    print(f"offline check: {checked} files checked under {', '.join(args)}: {verdict}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
