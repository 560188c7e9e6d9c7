"""A `Summary` as text, Markdown, CSV and HTML: one table, a totals row, a few lines of totals.

Text, Markdown and HTML print counts with thousands separators (``70,276,800``)
and big totals also in G/M/K (10^9, 10^6, 10^3); CSV keeps plain integers so a
spreadsheet or ``csv`` reader gets numbers. Memory is in bytes (MB = 10^6 bytes).
"""

from __future__ import annotations

import csv
import html
import io
from typing import TYPE_CHECKING

from course_lib.summary.rows import format_shape

if TYPE_CHECKING:
    from course_lib.summary.report import Summary

COLUMNS = ("Layer", "Type", "Details", "Output shape", "Params", "MACs", "FLOPs", "Activations")
"""Column headings; the last four are counts (right-aligned). Activations = output elements."""

NUMERIC = 4  # the last NUMERIC columns are numbers


def si(count: int) -> str:
    """``count`` in G, M or K with 3 decimals (``4.089 G``), or as is below 1000."""
    for power, prefix in ((9, "G"), (6, "M"), (3, "K")):
        if abs(count) >= 10**power:
            return f"{count / 10**power:.3f} {prefix}"
    return str(count)


def _cells(summary: Summary, separators: bool) -> tuple[list[list[str]], list[str]]:
    """The body rows and the totals row as strings."""

    def number(value: int) -> str:
        return f"{value:,}" if separators else str(value)

    body = [
        [
            row.name,
            row.layer_type,
            row.detail,
            format_shape(row.output_shape),
            number(row.params),
            number(row.macs),
            number(row.flops),
            number(row.activations),
        ]
        for row in summary.rows
    ]
    total = [
        "Total",
        "",
        "",
        format_shape(summary.output_shape),
        number(summary.params),
        number(summary.macs),
        number(summary.flops),
        number(summary.activations),
    ]
    return body, total


def caption(summary: Summary) -> str:
    """``resnet50: input 3 x 224 x 224, batch 1 (shapes per sample, counts for the batch)``."""
    return (
        f"{summary.network}: input {format_shape(summary.input_shape)}, batch {summary.batch} "
        f"(shapes per sample, counts for the batch)"
    )


def totals_lines(summary: Summary) -> list[str]:
    """The lines under the table: conventions, memory, what the tools would report."""
    memory = summary.memory()
    peers = ", ".join(
        f"{name} {si(summary.count_as(name))}" for name in ("fvcore", "ptflops", "thop", "torchinfo")
    )
    return [
        f"Parameters: {summary.params:,} ({si(summary.params)}), float32: {memory['parameters']:,} bytes",
        f"MACs of conv + linear layers (torchvision's 'GFLOPS'): {summary.macs:,} ({si(summary.macs)})",
        f"FLOPs, every layer (multiplies + adds + divides): {summary.flops:,} ({si(summary.flops)})",
        f"Activation applications (ReLU, tanh, ...): {summary.activation_applications:,}",
        f"Activation elements (all layer outputs): {summary.activations:,}, "
        f"float32: {memory['activations']:,} bytes",
        f"Training memory estimate, float32, SGD: {memory['training_total']:,} bytes "
        f"({memory['training_total'] / 1e6:,.1f} MB: parameters, gradients, saved activations, "
        f"largest im2col buffer)",
        f"Other tools' totals, computed from these rows: {peers}",
    ]


def to_text(summary: Summary) -> str:
    """An aligned plain-text table with a totals row and the totals lines."""
    body, total = _cells(summary, separators=True)
    table = [list(COLUMNS), *body, total]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    first_number = len(COLUMNS) - NUMERIC

    def line(cells: list[str]) -> str:
        parts = [
            cell.rjust(width) if i >= first_number else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "-" * len(line(["-" * width for width in widths]))
    out = [caption(summary), line(list(COLUMNS)), rule, *(line(cells) for cells in body), rule, line(total)]
    return "\n".join([*out, "", *totals_lines(summary)]) + "\n"


def to_markdown(summary: Summary) -> str:
    """A Markdown (pipe) table, the totals row in bold, then the totals lines as a list."""
    body, total = _cells(summary, separators=True)
    first_number = len(COLUMNS) - NUMERIC

    def line(cells: list[str]) -> str:
        escaped = [cell.replace("|", "\\|") for cell in cells]
        return "| " + " | ".join(escaped) + " |"

    align = ["---:" if i >= first_number else ":---" for i in range(len(COLUMNS))]
    bold_total = [f"**{cell}**" if cell else "" for cell in total]
    lines = [
        f"**{caption(summary)}**",
        "",
        line(list(COLUMNS)),
        line(align),
        *map(line, body),
        line(bold_total),
    ]
    return "\n".join([*lines, "", *(f"- {text}" for text in totals_lines(summary))]) + "\n"


def to_csv(summary: Summary) -> str:
    """CSV: a header, one line per layer, a ``Total`` line; plain integers, shapes as ``64x55x55``."""
    body, total = _cells(summary, separators=False)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([heading.lower().replace(" ", "_") for heading in COLUMNS])
    for cells in [*body, total]:
        writer.writerow([cells[0], cells[1], cells[2], cells[3].replace(" x ", "x"), *cells[4:]])
    return buffer.getvalue()


def to_html(summary: Summary) -> str:
    """An HTML table (numbers right-aligned, totals in the footer) and the totals lines as a list."""
    body, total = _cells(summary, separators=True)
    first_number = len(COLUMNS) - NUMERIC

    def cells(values: list[str], tag: str) -> str:
        out = []
        for i, value in enumerate(values):
            side = "right" if i >= first_number else "left"
            out.append(f'<{tag} style="text-align:{side}">{html.escape(value)}</{tag}>')
        return "<tr>" + "".join(out) + "</tr>"

    items = "".join(f"<li>{html.escape(text)}</li>" for text in totals_lines(summary))
    return (
        '<div class="course-lib-summary">'
        f"<table><caption>{html.escape(caption(summary))}</caption>"
        f"<thead>{cells(list(COLUMNS), 'th')}</thead>"
        f"<tbody>{''.join(cells(row, 'td') for row in body)}</tbody>"
        f"<tfoot>{cells(total, 'th')}</tfoot></table>"
        f"<ul>{items}</ul></div>"
    )
