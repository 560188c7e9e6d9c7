"""The benchmark report's formatting and its handling of a skipped comparison (no timing is asserted).

The expected strings are worked by hand from the rules in benchmarks/report.py's
docstrings (3 significant figures, a unit per decade of 1000, ours / reference).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `benchmarks/` is a folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks import conv_vs_torch, mlp_vs_torch  # noqa: E402
from benchmarks.__main__ import MODULES  # noqa: E402
from benchmarks.harness import Settings, Threads  # noqa: E402
from benchmarks.report import (  # noqa: E402
    Case,
    Comparison,
    Goal,
    format_ratio,
    format_seconds,
    geometric_mean,
    merge_passes,
    render_results,
    verdict,
)


@pytest.mark.parametrize(
    ("ratio", "text"),
    [(1.234, "1.23"), (0.456, "0.46"), (12.34, "12.3"), (250.4, "250"), (1.5, "1.50"), (None, "-")],
)
def test_ratios_show_three_significant_figures(ratio, text):
    assert format_ratio(ratio) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.000412, "412 µs"), (0.00321, "3.21 ms"), (1.2, "1.20 s"), (5e-8, "50.0 ns"), (0.0456, "45.6 ms")],
)
def test_durations_pick_their_unit(seconds, text):
    assert format_seconds(seconds) == text


@pytest.mark.parametrize("bad", [0.0, -1.0, math.inf, math.nan])
def test_a_ratio_must_be_positive_and_finite(bad):
    with pytest.raises(ValueError, match="ratio"):
        format_ratio(bad)


def test_geometric_mean_of_hand_worked_lists():
    assert geometric_mean([2.0, 8.0]) == pytest.approx(4.0)
    assert geometric_mean([1.0, 10.0, 100.0]) == pytest.approx(10.0)
    with pytest.raises(ValueError):
        geometric_mean([])


def test_goals_and_verdicts():
    assert Goal(1.5).met(1.5) and not Goal(1.05, strict=True).met(1.05)
    timed = Comparison("k", "conv", "ours", "ref", Goal(1.5), [Case("a", 3e-3, 1e-3), Case("b", 1e-3, 1e-3)])
    assert timed.headline == pytest.approx(math.sqrt(3))  # geometric mean of 3 and 1
    assert verdict(timed) == "missed"
    timed.goal = Goal(2.0)
    assert verdict(timed) == "met"
    assert verdict(Comparison("k", "t", "o", "r", cases=[Case("a", 1.0, 2.0)])) == "no goal"


def test_report_shows_ratios_times_and_the_skipped_comparison():
    timed = Comparison("t", "MLP step", "ours", "ref", Goal(1.3), [Case("batch 128", 0.0045, 0.0030)])
    skipped = Comparison("s", "conv vs torch", "ours", "ref", Goal(1.5), skipped="PyTorch is not installed")
    text = render_results([timed, skipped], header="# Results")
    assert text.startswith("# Results")
    assert "| MLP step | 1.50 | ≤ 1.3 | missed |" in text  # 4.5 ms / 3.0 ms
    assert "| batch 128 | 4.50 ms | 3.00 ms | 1.50 | - |  |" in text
    assert "| conv vs torch | - | ≤ 1.5 | skipped |" in text
    assert "## Skipped\n\n- conv vs torch: PyTorch is not installed" in text


@pytest.mark.parametrize("module", [conv_vs_torch, mlp_vs_torch])
def test_torch_comparisons_are_skipped_without_torch(module, monkeypatch):
    monkeypatch.setattr(module, "has_module", lambda name: name != "torch")
    comparison = module.run(Settings(repeats=1), Threads(2, "test"))
    assert comparison.skipped and "torch" in comparison.skipped
    assert comparison.cases == [] and verdict(comparison) == "skipped"


def test_every_listed_comparison_has_a_module_with_run():
    import importlib

    for key in MODULES:
        module = importlib.import_module(f"benchmarks.{key}")
        assert callable(module.run) and module.TITLE


def test_bench_extra_pins_torch_exactly():
    # A range would let pip fetch a newer, multi-GB CUDA build instead of the CPU build on disk.
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["bench"]
    torch = [req for req in extra if req.startswith("torch")]
    assert torch == ["torch==2.13.0"]


def test_passes_merge_to_the_best_time_of_each_side():
    def run(ours, reference):
        return [Comparison("k", "t", "o", "r", cases=[Case("a", ours, reference, ours, reference)])]

    (merged,) = merge_passes([run(3.0, 2.0), run(2.5, 2.2), run(2.8, 1.9)])
    case = merged.cases[0]
    assert (case.ours, case.reference) == (2.5, 1.9)
    assert (case.ours_median, case.reference_median) == (2.8, 2.0)


def test_readme_performance_table_is_the_committed_summary():
    # README.md quotes the Summary table of benchmarks/results.md; `make bench` rewrites only the latter.
    def table_rows(text: str, heading: str) -> list[str]:
        section = text.split(heading, 1)[1].split("\n## ", 1)[0]
        return [line for line in section.splitlines() if line.startswith("|")]

    results = table_rows((ROOT / "benchmarks" / "results.md").read_text(), "## Summary")
    readme = table_rows((ROOT / "README.md").read_text(), "## Performance")
    assert results, "benchmarks/results.md has no Summary table"
    assert readme == results, (
        "copy the Summary table of benchmarks/results.md into README.md's Performance section"
    )
