"""Tests of scripts/notebook_stats.py (`make stats`) on a notebook written by hand."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("notebook_stats", ROOT / "scripts" / "notebook_stats.py")
stats = importlib.util.module_from_spec(_spec)
sys.modules["notebook_stats"] = stats  # dataclasses look their module up there
_spec.loader.exec_module(stats)


def _markdown(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": [text]}


def _code(source: str, outputs: list, busy: str, idle: str) -> dict:
    execution = {"iopub.status.busy": busy, "iopub.status.idle": idle}
    return {"cell_type": "code", "metadata": {"execution": execution}, "source": [source], "outputs": outputs}


def test_words_leave_out_maths_code_tags_and_link_targets():
    text = (
        "A dot product of $n$ terms costs $$n - 1$$ adds: `np.dot` [see notebook 01](01_x.ipynb). <b>Bold</b>"
    )
    # A, dot, product, of, terms, costs, adds, see, notebook, 01, Bold
    assert stats.count_words(text) == 11


def test_a_hand_made_notebook(tmp_path):
    png = {
        "output_type": "display_data",
        "data": {"image/png": "iVBOR", "text/plain": "<Figure>"},
        "metadata": {},
    }
    text = {"output_type": "stream", "name": "stdout", "text": "42\n"}
    cells = [
        _markdown("# Title\n\nOne two three."),  # 4 words (Title, One, two, three)
        _markdown("Four five.\n<details><summary>Proof</summary>six seven eight</details>"),  # 2 + folded 4
        _code("x = 1\n\nprint(x)\n", [text, png], "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:01.500Z"),
        _markdown("## 5. Summary\n\nnine ten"),  # after the Summary heading: not main line
        _markdown("<details><summary>Solution</summary>eleven</details>"),  # folded 2
        _code("y = 2", [png], "2026-01-01T00:00:02.000Z", "2026-01-01T00:00:04.250Z"),
    ]
    path = tmp_path / "99_hand_made.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    row = stats.notebook_stats(path)
    assert (row.main_words, row.folded_words, row.figures, row.code_lines) == (6, 6, 2, 3)
    assert row.run_seconds == 4.25
    rendered = stats.table([row])
    assert "| 99_hand_made | 6 | 6 | 2 (few) | 3 | 4.2 |" in rendered


def test_over_budget_is_flagged():
    row = stats.NotebookStats("x", stats.MAIN_LINE_BUDGET + 1, 0, 4, 1, None)
    assert "(over)" in stats.table([row]) and "| - |" in stats.table([row])
