"""Results of the comparisons and their rendering as a Markdown table (pure functions, no timing).

A `Comparison` holds timed `Case`s, each a pair (ours, reference) of best-of
seconds, or the reason it was skipped. Ratios are always ours / reference, so
below 1 means course_lib was faster. A comparison's headline is its single
case's ratio, or the geometric mean over its cases.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Goal:
    """A target for a headline ratio: met when ratio <= limit (or < limit if ``strict``)."""

    limit: float
    strict: bool = False

    def met(self, ratio: float) -> bool:
        return ratio < self.limit if self.strict else ratio <= self.limit

    def __str__(self) -> str:
        return f"{'<' if self.strict else '≤'} {self.limit:g}"


@dataclass(frozen=True)
class Case:
    """One timed case: best seconds per call of ours and of the reference (medians for the noise)."""

    name: str
    ours: float
    reference: float
    ours_median: float | None = None
    reference_median: float | None = None
    note: str = ""
    flops: int | None = None  # arithmetic of one call, to show GFLOP/s
    show_difference: bool = False  # show ours - reference per call, for overheads

    @property
    def remark(self) -> str:
        """The note, after the GFLOP/s of both sides (if ``flops`` is known) or the difference per call."""
        parts = []
        if self.flops is not None:
            parts.append(
                f"{self.flops / self.ours / 1e9:.0f} vs {self.flops / self.reference / 1e9:.0f} GFLOP/s"
            )
        if self.show_difference:
            extra = self.ours - self.reference
            parts.append(
                f"{'+' if extra >= 0 else '-'}{format_seconds(abs(extra))} per call ({self.ratio - 1:+.1%})"
            )
        return "; ".join([*parts, self.note] if self.note else parts)

    @property
    def ratio(self) -> float:
        return self.ours / self.reference

    @property
    def median_ratio(self) -> float | None:
        if self.ours_median is None or self.reference_median is None:
            return None
        return self.ours_median / self.reference_median


@dataclass
class Comparison:
    """One comparison: what ours and the reference are, its cases, an optional goal, or why it was skipped."""

    key: str
    title: str
    ours: str
    reference: str
    goal: Goal | None = None
    cases: list[Case] = field(default_factory=list)
    skipped: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def headline(self) -> float | None:
        """The single case's ratio, or the geometric mean of the cases' ratios; None if nothing ran."""
        if self.skipped or not self.cases:
            return None
        return geometric_mean([case.ratio for case in self.cases])

    @property
    def headline_label(self) -> str:
        return "ratio" if len(self.cases) == 1 else f"geometric mean of {len(self.cases)} ratios"


def merge_passes(passes: Sequence[Sequence[Comparison]]) -> list[Comparison]:
    """Combine several passes over the same comparisons: per case, the best of the bests, the median of medians.

    Spreading the rounds of every case over the whole run makes it likelier
    that each case meets a quiet moment of the machine.
    """
    merged = []
    for versions in zip(*passes, strict=True):
        first = versions[0]
        if first.skipped:
            merged.append(first)
            continue
        cases = []
        for same in zip(*(c.cases for c in versions), strict=True):
            medians = [c.ours_median for c in same], [c.reference_median for c in same]
            cases.append(
                Case(
                    same[0].name,
                    min(c.ours for c in same),
                    min(c.reference for c in same),
                    None if None in medians[0] else statistics.median(medians[0]),
                    None if None in medians[1] else statistics.median(medians[1]),
                    same[0].note,
                    same[0].flops,
                    same[0].show_difference,
                )
            )
        merged.append(replace(first, cases=cases))
    return merged


def geometric_mean(values: Sequence[float]) -> float:
    """exp(mean(log v)); ValueError for an empty list or a value <= 0."""
    if not values:
        raise ValueError("geometric_mean needs at least one value")
    if any(v <= 0 for v in values):
        raise ValueError(f"geometric_mean needs positive values, got {list(values)}")
    return math.exp(sum(math.log(v) for v in values) / len(values))


def format_seconds(seconds: float) -> str:
    """A duration with a unit chosen to show 3 significant figures: '412 µs', '3.21 ms', '1.20 s'."""
    if seconds < 0 or not math.isfinite(seconds):
        raise ValueError(f"seconds must be finite and >= 0, got {seconds}")
    scale, unit = next(
        ((s, u) for s, u in ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs")) if seconds >= s), (1e-9, "ns")
    )
    value = seconds / scale
    digits = 0 if value >= 100 else 1 if value >= 10 else 2
    return f"{value:.{digits}f} {unit}"


def format_ratio(ratio: float | None) -> str:
    """'1.23' (3 significant figures, at most 2 decimals); '-' for None."""
    if ratio is None:
        return "-"
    if ratio <= 0 or not math.isfinite(ratio):
        raise ValueError(f"ratio must be finite and > 0, got {ratio}")
    digits = 0 if ratio >= 100 else 1 if ratio >= 10 else 2
    return f"{ratio:.{digits}f}"


def verdict(comparison: Comparison) -> str:
    """'met', 'missed', 'skipped' or 'no goal' for a comparison's headline."""
    if comparison.headline is None:
        return "skipped"
    if comparison.goal is None:
        return "no goal"
    return "met" if comparison.goal.met(comparison.headline) else "missed"


def render_summary(comparisons: Sequence[Comparison]) -> str:
    """One Markdown row per comparison: its headline ratio, goal and verdict."""
    lines = ["| comparison | ours / reference | goal | verdict |", "| --- | ---: | --- | --- |"]
    for c in comparisons:
        goal = str(c.goal) if c.goal else "-"
        lines.append(f"| {c.title} | {format_ratio(c.headline)} | {goal} | {verdict(c)} |")
    return "\n".join(lines)


def render_comparison(comparison: Comparison) -> str:
    """A section: heading, what is compared, the table of cases (or why it was skipped), the headline."""
    c = comparison
    out = [f"### {c.title}", "", f"- ours: {c.ours}", f"- reference: {c.reference}"]
    if c.skipped:
        out += ["", f"**Skipped**: {c.skipped}"]
        return "\n".join(out)
    out += [
        "",
        "| case | ours (best) | reference (best) | ours / reference | ratio of medians | note |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for case in c.cases:
        out.append(
            f"| {case.name} | {format_seconds(case.ours)} | {format_seconds(case.reference)} | "
            f"{format_ratio(case.ratio)} | {format_ratio(case.median_ratio)} | {case.remark} |"
        )
    headline = f"**{c.headline_label}: {format_ratio(c.headline)}**"
    if c.goal is not None:
        headline += f" (goal {c.goal}: {verdict(c)})"
    out += ["", headline]
    out += [f"- {note}" for note in c.notes]
    return "\n".join(out)


def render_results(comparisons: Sequence[Comparison], header: str = "") -> str:
    """The whole report: optional header, summary table, one section per comparison, skipped list."""
    parts = [header.rstrip(), ""] if header else []
    parts += ["## Summary", "", render_summary(comparisons), "", "## Comparisons"]
    parts += ["", *(f"{render_comparison(c)}\n" for c in comparisons)]
    skipped = [c for c in comparisons if c.skipped]
    if skipped:
        parts += ["## Skipped", "", *(f"- {c.title}: {c.skipped}" for c in skipped), ""]
    return "\n".join(parts).rstrip() + "\n"
