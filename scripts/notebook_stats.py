"""`make stats`: per notebook, the words of its main line and of its folded blocks, figures, code, run time.

Usage: python scripts/notebook_stats.py [notebooks/NN_x.ipynb ...]   (default: every notebook)

The **main line** is the markdown a reader meets before the notebook's Summary
heading, outside folded ``<details>`` blocks; the second edition keeps it under
`MAIN_LINE_BUDGET` words. Maths (``$...$``, ``$$...$$``), inline and fenced code,
HTML tags and link targets are not words. **Folded** words are those inside
``<details>`` blocks anywhere in the notebook. **Figures** are the images among
the stored outputs (PNG or SVG). **Code lines** are the non-blank lines of code
cells. **Run time** is the span of the stored execution timestamps, from the
first cell's start to the last cell's end (``make execute`` records them).
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

MAIN_LINE_BUDGET = 3_000
MIN_FIGURES = 4
ROOT = Path(__file__).resolve().parent.parent

SUMMARY_HEADING = re.compile(r"^#{1,6}\s*(?:\d+[.)]?\s*)?Summary\b", re.IGNORECASE | re.MULTILINE)
DETAILS = re.compile(r"<details\b.*?</details>", re.IGNORECASE | re.DOTALL)
NOT_WORDS = [
    re.compile(r"```.*?```", re.DOTALL),  # fenced code
    re.compile(r"\$\$.*?\$\$", re.DOTALL),  # display maths
    re.compile(r"(?<!\\)\$.+?(?<!\\)\$", re.DOTALL),  # inline maths
    re.compile(r"`[^`]*`"),  # inline code
    re.compile(r"\]\([^)]*\)"),  # link targets (the link text stays)
    re.compile(r"<[^>]+>"),  # HTML tags
]
WORD = re.compile(r"[^\W_](?:[\w'’.-]*[^\W_])?")
IMAGE_TYPES = ("image/png", "image/svg+xml", "image/jpeg")


@dataclass(frozen=True)
class NotebookStats:
    name: str
    main_words: int
    folded_words: int
    figures: int
    code_lines: int
    run_seconds: float | None


def count_words(markdown: str) -> int:
    """Words of ``markdown`` with maths, code, HTML tags and link targets removed."""
    for pattern in NOT_WORDS:
        markdown = pattern.sub(" ", markdown)
    return len(WORD.findall(markdown))


def split_markdown(cells: list[dict]) -> tuple[str, str]:
    """(main line, folded text) of a notebook's markdown cells (see the module docstring)."""
    main, folded, after_summary = [], [], False
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        folded.extend(DETAILS.findall(text))
        outside = DETAILS.sub(" ", text)
        heading = SUMMARY_HEADING.search(outside)
        if not after_summary and heading:
            main.append(outside[: heading.start()])
            after_summary = True
        elif not after_summary:
            main.append(outside)
    return "\n".join(main), "\n".join(folded)


def _timestamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def run_seconds(cells: list[dict]) -> float | None:
    """Seconds from the first code cell's start to the last one's end, from the stored metadata."""
    marks = [cell.get("metadata", {}).get("execution", {}) for cell in cells if cell["cell_type"] == "code"]
    starts = [_timestamp(m["iopub.status.busy"]) for m in marks if "iopub.status.busy" in m]
    ends = [_timestamp(m["iopub.status.idle"]) for m in marks if "iopub.status.idle" in m]
    if not starts or not ends:
        return None
    return (max(ends) - min(starts)).total_seconds()


def notebook_stats(path: Path) -> NotebookStats:
    """The `NotebookStats` of the notebook at ``path``."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    main, folded = split_markdown(cells)
    code = [cell for cell in cells if cell["cell_type"] == "code"]
    figures = sum(
        1
        for cell in code
        for output in cell.get("outputs", [])
        if any(t in output.get("data", {}) for t in IMAGE_TYPES)
    )
    code_lines = sum(1 for cell in code for line in "".join(cell["source"]).splitlines() if line.strip())
    return NotebookStats(
        path.stem, count_words(main), count_words(folded), figures, code_lines, run_seconds(cells)
    )


def table(rows: list[NotebookStats]) -> str:
    """A Markdown table of ``rows``, flagging main lines over budget and notebooks with too few figures."""
    lines = [
        "| notebook | main-line words | folded words | figures | code lines | run time (s) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        words = f"{row.main_words:,}" + (" (over)" if row.main_words > MAIN_LINE_BUDGET else "")
        figures = f"{row.figures}" + (" (few)" if row.figures < MIN_FIGURES else "")
        seconds = "-" if row.run_seconds is None else f"{row.run_seconds:.1f}"
        lines.append(
            f"| {row.name} | {words} | {row.folded_words:,} | {figures} | {row.code_lines:,} | {seconds} |"
        )
    return "\n".join(lines)


def main(args: list[str]) -> int:
    paths = [Path(arg) for arg in args] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    print(table([notebook_stats(path) for path in paths]))
    print(
        f"\nBudget: main line under {MAIN_LINE_BUDGET:,} words, at least {MIN_FIGURES} figures (the playground aside)."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
