"""Report of notebooks/06_cnn_time_and_space.ipynb: where a CNN's MACs, parameters and memory live.

`report(name, batch)` takes a network of `course_lib.architectures` (a name from
``architectures.names()``) and a batch of B samples. Everything comes from
`course_lib.summary.summarize` (exact formulas, nothing is run), per layer:

* MACs of conv and linear layers, for the batch: B M_l^2 K_l^2 C_{l-1} C_l for a
  square conv layer (the CNN article's term, He & Sun's n_{l-1} s_l^2 n_l m_l^2), B n_in n_out
  for a linear one;
* parameters: weights + biases (+ batch-norm scale and shift), the same for every B;
* feature-map bytes written, float32: 4 B C_l H_l W_l for a layer that writes a new
  map, 0 for an in-place activation, a flatten or a dropout (`Summary.feature_maps`).

The text gives the totals (feature maps include the input: ``saved_activations`` of
`Summary.memory`), the inference memory (parameters + the largest input + output of
one layer, `Summary.inference_peak`), the largest layers for each quantity with their
share, and the shares per layer type. The figure draws the three quantities as
per-layer bars on log scales whose limits depend on the network only (from batch 1 to
the largest batch), so moving the batch visibly raises the MAC and memory bars and
leaves the parameter bars where they are.
"""

from __future__ import annotations

import textwrap
from functools import lru_cache
from typing import Any, Literal

from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from course_lib import architectures
from course_lib.complexity import DTYPE_BYTES
from course_lib.reports.base import Report, new_figure
from course_lib.reports.format import format_bytes, format_count, format_tick
from course_lib.summary import Summary, format_shape, summarize
from course_lib.validation import require_bool, require_choice, require_int

DTYPE = "float32"
"""The dtype of every memory number of the report."""

LIMITS = {"batch": (1, 256)}
"""Allowed (lowest, highest) batch size: the explorer's slider range."""

TEXT_WIDTH = 90
"""Characters per line of the text (the network's description is wrapped to it)."""

TOP_LAYERS = 5
"""How many layers the text lists for each quantity (the rest are summed in one line)."""

LABELLED_BARS = 45
"""The figure writes layer names under the bars up to this many bars, indices beyond."""

TYPE_COLOURS = {"Conv2d": "tab:blue", "Linear": "tab:orange"}
"""Bar colour per layer type; every other type is grey."""

OTHER_COLOUR = "tab:grey"

QUANTITIES = {
    "macs": ("MACs", "MACs (count)"),
    "params": ("parameters", "parameters (count)"),
    "feature_map_bytes": ("feature maps the layers write", "feature map (bytes)"),
}
"""The three per-layer quantities: key -> (name in the text, y label of the figure's panel)."""


def _checked(name: object, batch: object) -> tuple[str, int]:
    return str(require_choice("name", name, architectures.names())), require_int(
        "batch", batch, *LIMITS["batch"]
    )


@lru_cache(maxsize=64)
def _summary(name: str, batch: int) -> Summary:
    return summarize(name, batch=batch)


def layer_costs(name: str, batch: int = 1) -> list[dict[str, Any]]:
    """Per layer, in network order: ``name``, ``type``, ``detail``, ``macs``, ``params`` and
    ``feature_map_bytes`` (float32 bytes of the new map it writes, `Summary.feature_maps`), for the batch.

    ValueError naming the argument for an unknown name or a batch outside `LIMITS`.
    """
    name, batch = _checked(name, batch)
    summary = _summary(name, batch)
    size = DTYPE_BYTES[DTYPE]
    return [
        {
            "name": row.name,
            "type": row.layer_type,
            "detail": row.detail,
            "macs": row.macs,
            "params": row.params,
            "feature_map_bytes": size * written,
        }
        for row, written in zip(summary.rows, summary.feature_maps(), strict=True)
    ]


def totals(name: str, batch: int = 1) -> dict[str, Any]:
    """Totals for the batch: ``params``, ``macs``, float32 ``parameter_bytes``, ``feature_map_bytes``
    (the input and every map written), ``peak_bytes`` and ``peak_layer`` (the largest input + output of
    one layer), ``inference_bytes`` (parameters + peak), from `Summary.memory` and `Summary.inference_peak`."""
    name, batch = _checked(name, batch)
    summary = _summary(name, batch)
    memory = summary.memory(DTYPE)
    return {
        "params": summary.params,
        "macs": summary.macs,
        "parameter_bytes": memory["parameters"],
        "feature_map_bytes": memory["saved_activations"],
        "peak_bytes": memory["inference_peak"],
        "peak_layer": summary.inference_peak()[1],
        "inference_bytes": memory["inference_total"],
    }


def _amount(quantity: str, value: float) -> str:
    """``value`` of ``quantity`` in SI units (bytes for feature maps)."""
    return format_bytes(value) if quantity == "feature_map_bytes" else format_count(value)


def _top_lines(layers: list[dict[str, Any]], quantity: str) -> list[str]:
    """The `TOP_LAYERS` largest layers for ``quantity`` with their share, and one line for the rest."""
    label = QUANTITIES[quantity][0]
    total = sum(layer[quantity] for layer in layers)
    if total == 0:
        return [f"{label}: none in this network"]
    ranked = sorted((layer for layer in layers if layer[quantity]), key=lambda layer: -layer[quantity])
    shown = ranked[:TOP_LAYERS]
    lines = [
        f"{label}: the {len(shown)} largest of {len(ranked)} layers that have any ({len(layers)} in all)"
    ]
    for layer in shown:
        where = f"{layer['name']} ({layer['type']} {layer['detail']})".replace(" )", ")")
        share = layer[quantity] / total
        lines.append(f"  {where:<52.52} {_amount(quantity, layer[quantity]):>11} {share:6.1%}")
    rest = total - sum(layer[quantity] for layer in shown)
    if len(ranked) > len(shown):
        where = f"the other {len(ranked) - len(shown)} layers"
        lines.append(f"  {where:<52} {_amount(quantity, rest):>11} {rest / total:6.1%}")
    return lines


def _by_type_lines(layers: list[dict[str, Any]]) -> list[str]:
    totals_ = {quantity: sum(layer[quantity] for layer in layers) for quantity in QUANTITIES}
    table: dict[str, dict[str, int]] = {}
    for layer in layers:
        entry = table.setdefault(layer["type"], dict.fromkeys(("layers", *QUANTITIES), 0))
        entry["layers"] += 1
        for quantity in QUANTITIES:
            entry[quantity] += layer[quantity]

    def share(entry: dict[str, int], quantity: str) -> str:
        return f"{entry[quantity] / totals_[quantity]:.1%}" if totals_[quantity] else "-"

    lines = [f"  {'layer type':<18} {'layers':>6} {'MACs':>8} {'params':>8} {'feature maps':>13}"]
    for kind, entry in table.items():
        lines.append(
            f"  {kind:<18} {entry['layers']:>6} {share(entry, 'macs'):>8} {share(entry, 'params'):>8} "
            f"{share(entry, 'feature_map_bytes'):>13}"
        )
    return lines


def text(name: str, batch: int) -> str:
    """The report's text (see `report`); ValueError naming the argument for bad input."""
    name, batch = _checked(name, batch)
    summary = _summary(name, batch)
    layers = layer_costs(name, batch)
    sums = totals(name, batch)
    branches = any(layer["type"] in ("Concat", "Add") for layer in layers)
    per_sample = f"per sample {format_count(sums['macs'] // batch)}" if batch > 1 else "one sample"
    maps = sums["feature_map_bytes"]
    return "\n".join(
        [
            *textwrap.wrap(f"{name}: {summary.description}", TEXT_WIDTH, subsequent_indent="  "),
            f"input {format_shape(summary.input_shape)} per sample, batch {batch}, {len(layers)} layers",
            f"memory in {DTYPE} ({DTYPE_BYTES[DTYPE]} bytes per element); kB = 10^3, MB = 10^6, GB = 10^9 bytes",
            "",
            f"parameters            {sums['params']:>17,} = {format_count(sums['params'])}, "
            f"{format_bytes(sums['parameter_bytes'])} (the same for every batch)",
            f"MACs (conv + linear)  {sums['macs']:>17,} = {format_count(sums['macs'])} ({per_sample})",
            f"feature maps written  {maps:>17,} B = {format_bytes(maps)}, {format_bytes(maps // batch)} per sample",
            "                      (the input and every new map; in-place layers write none)",
            "inference memory      parameters + the largest input + output of one layer",
            f"                      = {format_bytes(sums['parameter_bytes'])} + {format_bytes(sums['peak_bytes'])}"
            f" ({sums['peak_layer']}) = {format_bytes(sums['inference_bytes'])}",
            *(["                      at least: branches keep more maps alive"] if branches else []),
            "",
            *_top_lines(layers, "macs"),
            "",
            *_top_lines(layers, "params"),
            "",
            *_top_lines(layers, "feature_map_bytes"),
            "",
            "share of each total by layer type (feature maps: the layers' outputs, input not included)",
            *_by_type_lines(layers),
        ]
    )


def _drawn(layers: list[dict[str, Any]]) -> list[int]:
    """Indices of the layers that have any of the three quantities (the bars drawn)."""
    return [i for i, layer in enumerate(layers) if any(layer[quantity] for quantity in QUANTITIES)]


def axis_limits(name: str, quantity: str) -> tuple[float, float]:
    """The fixed y range of ``quantity``'s panel for network ``name``: every nonzero bar at every batch.

    From half the smallest nonzero value at batch 1 to twice the largest at the largest batch
    (MACs and feature maps grow in proportion to the batch, parameters not at all).
    """
    name, _ = _checked(name, 1)
    smallest = min(layer[quantity] for layer in layer_costs(name, 1) if layer[quantity])
    largest = max(layer[quantity] for layer in layer_costs(name, LIMITS["batch"][1]))
    return smallest / 2, largest * 2


def figure(name: str, batch: int = 1, log: bool = True, title: str | None = None) -> Figure:
    """Per-layer bars of MACs, parameters and feature-map bytes written, one panel each.

    One bar per layer that has any of the three (network order, gid ``"macs"``,
    ``"params"``, ``"feature_map_bytes"``), blue for conv, orange for linear layers,
    grey for the rest. With ``log`` (the explorer's figure) the y axes are logarithmic
    with limits fixed for the network (`axis_limits`), so bars move with the batch;
    zero bars then vanish. ``log=False`` gives linear axes scaled to this batch.
    ``title`` (a notebook's one-line message) replaces the heading ``"name, batch B"``
    and moves the legend below the panels to leave it the width of the figure.
    """
    name, batch = _checked(name, batch)
    log = require_bool("log", log)
    layers = layer_costs(name, batch)
    drawn = [layers[i] for i in _drawn(layers)]
    fig, axes = new_figure(7.2, 5.6, nrows=3, sharex=True)
    positions = list(range(len(drawn)))
    colours = [TYPE_COLOURS.get(layer["type"], OTHER_COLOUR) for layer in drawn]
    for ax, (quantity, (label, ylabel)) in zip(axes, QUANTITIES.items(), strict=True):
        total = sum(layer[quantity] for layer in layers)
        ax.bar(positions, [layer[quantity] for layer in drawn], color=colours, width=0.8, gid=quantity)
        ax.set_ylabel(ylabel, fontsize=9)
        ax.set_title(f"{label}: {_amount(quantity, total)} in all", fontsize=9)
        if log:
            ax.set_yscale("log")
            ax.set_ylim(*axis_limits(name, quantity))
            ax.yaxis.set_major_locator(LogLocator(base=10, numticks=5))
            ax.yaxis.set_minor_locator(NullLocator())
        unit = "B" if quantity == "feature_map_bytes" else ""
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _, unit=unit: format_tick(value, unit)))
    handles = [
        Patch(color=colour, label=kind) for kind, colour in (*TYPE_COLOURS.items(), ("other", OTHER_COLOUR))
    ]
    place: Literal["outside upper right", "outside lower center"] = (
        "outside upper right" if title is None else "outside lower center"
    )
    fig.legend(handles=handles, loc=place, fontsize=8, ncols=3)
    if len(drawn) <= LABELLED_BARS:
        axes[-1].set_xticks(positions, [layer["name"] for layer in drawn], rotation=90, fontsize=8)
        axes[-1].set_xlabel("layer")
    else:
        axes[-1].set_xlabel("layer index (layers with MACs, parameters or a new feature map)")
    heading = f"{name}, batch {batch}" if title is None else str(title)
    fig.suptitle(heading, fontsize=10, x=0.02, ha="left")
    return fig


def report(name: str, batch: int) -> Report:
    """Totals and the largest layers of MACs, parameters and feature-map memory of one network; per-layer bars.

    ``name`` is one of ``architectures.names()``, ``batch`` the number of samples B
    (1 to 256). MACs and feature-map bytes are for the batch (B times one sample's),
    parameters for the network. Memory is float32, in SI units (1 MB = 10^6 bytes).
    The figure: `figure` on log scales fixed for the network. ValueError naming the
    argument for an unknown name or a batch out of range. Derived in
    notebooks/06_cnn_time_and_space.ipynb.
    """
    return Report(text(name, batch), figure(name, batch))
