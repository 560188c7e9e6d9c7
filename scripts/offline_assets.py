"""Copy the JavaScript that the static site and the slides load into a build folder.

The packages come from npm (book/package.json, installed with ``npm ci`` into
book/node_modules by ``make html`` / ``make slides``). Only the files a page can load
are copied, each package with its licence. Used by scripts/build_book.py and
scripts/build_slides.py; nothing here touches the network.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "book" / "node_modules"


@dataclass(frozen=True)
class Asset:
    """Files of one npm package: ``patterns`` (globs under ``source``) go to ``target``."""

    package: str
    source: str
    target: str
    patterns: tuple[str, ...]


# Widgets: the manager that renders saved widget state without a kernel, plus the
# Font Awesome files its CSS refers to. It needs require.js on the page.
HTML_MANAGER = Asset(
    "@jupyter-widgets/html-manager",
    "dist",
    "html-manager",
    ("embed-amd.js", "*.woff", "*.woff2", "*.ttf", "*.eot", "*.svg"),
)
REQUIREJS = Asset("requirejs", "", "", ("require.js",))
# Not from npm: the course's own few lines that show require.js where the manager's files are.
WIDGET_PATHS = ROOT / "book" / "js" / "widget-paths.js"

# MathJax 3 (what Sphinx expects), TeX input and CommonHTML output, with the components it
# loads on demand (extensions, menu, accessibility, speech): the site and the decks.
MATHJAX3 = Asset(
    "mathjax",
    "es5",
    "mathjax",
    ("tex-chtml.js", "a11y/**/*", "adaptors/**/*", "input/**/*", "output/**/*", "sre/**/*", "ui/**/*"),
)

# reveal.js with the one theme the decks use (white) and its local font;
# several other themes import their fonts from a web font service.
REVEAL_THEME = "white"
REVEAL = Asset(
    "reveal.js",
    "",
    "reveal.js",
    (
        "dist/reveal.js",
        "dist/reveal.css",
        "dist/reset.css",
        f"dist/theme/{REVEAL_THEME}.css",
        "dist/theme/fonts/source-sans-pro/*",
        "plugin/notes/**/*",
    ),
)

BOOK_ASSETS = (MATHJAX3, REQUIREJS, HTML_MANAGER)
# The decks: reveal.js and the same MathJax 3 as the site (one MathJax setup for both). They show
# no saved widgets (a slider needs a kernel), so they need neither require.js nor the manager.
SLIDES_ASSETS = (REVEAL, MATHJAX3)

LICENCE_NAMES = ("LICENSE", "LICENSE.txt", "LICENSE.md")


class MissingPackagesError(RuntimeError):
    """book/node_modules lacks a package: ``npm ci`` has not been run in book/."""


def copy_assets(assets: tuple[Asset, ...], dest: Path, node_modules: Path = NODE_MODULES) -> int:
    """Copy every asset's files into ``dest``; return the number of files copied."""
    missing = [asset.package for asset in assets if not (node_modules / asset.package).is_dir()]
    if missing:
        raise MissingPackagesError(
            f"node_modules={node_modules} lacks {', '.join(missing)}: run `npm ci` in book/ (make html does)"
        )
    copied = 0
    for asset in assets:
        package = node_modules / asset.package
        source = package / asset.source
        target = dest / asset.target
        files = sorted(
            {path for pattern in asset.patterns for path in source.glob(pattern) if path.is_file()}
        )
        if not files:
            raise MissingPackagesError(f"package={asset.package}: none of {asset.patterns} under {source}")
        for path in files:
            out = target / path.relative_to(source)
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, out)
            copied += 1
        licence = next((package / name for name in LICENCE_NAMES if (package / name).is_file()), None)
        if licence is not None and asset.target:
            shutil.copy2(licence, target / "LICENSE")
    if HTML_MANAGER in assets:
        shutil.copy2(WIDGET_PATHS, dest / WIDGET_PATHS.name)
        copied += 1
    return copied
