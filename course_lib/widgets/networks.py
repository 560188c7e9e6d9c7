"""Widget experiment of notebooks/06_cnn_time_and_space.ipynb: where a CNN's MACs, parameters and memory live.

`network_report` is the pure part. For a network of `course_lib.architectures`
(a name from ``architectures.names()``) and a batch of B samples it lists, from
`course_lib.summary.summarize` (exact formulas, nothing is run), per layer:

* MACs of conv and linear layers, for the batch: B M_l^2 K_l^2 C_{l-1} C_l for a
  square conv layer (seed 003's term, He & Sun's n_{l-1} s_l^2 n_l m_l^2), B n_in n_out
  for a linear one;
* parameters: weights + biases (+ batch-norm scale and shift), the same for every B;
* feature-map bytes written, float32: 4 B C_l H_l W_l for a layer that writes a new
  map, 0 for an in-place activation or a flatten (they reuse their input's memory).

It gives the totals (feature maps include the input, 4 B C_0 H_0 W_0: the
``saved_activations`` of `Summary.memory`), the inference memory as parameters +
the largest input + output pair of one layer (both maps alive while the layer runs;
a lower bound when branches keep more maps alive), then the largest layers for each
of the three quantities as text bars of their share, and the shares per layer type.
Memory scales linearly with B, parameters not at all: that is the point of the
batch slider. tests/test_widgets_networks.py checks the numbers against
independently computed ones (published counts, hand-built VGG-16 sums).

`plot_network_layers` draws the same three quantities as per-layer bars
(matplotlib); `network_explorer` puts a network Dropdown and a batch slider above
the report and the figure.
"""

from __future__ import annotations

import io
import math
import operator
from dataclasses import dataclass
from functools import lru_cache

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from course_lib import architectures
from course_lib.architectures import Activation, Flatten
from course_lib.summary import LayerRow, Summary, format_shape, summarize
from course_lib.widgets.base import Explorer, int_slider

FLOAT32_BYTES = 4
"""Bytes per element: every memory number of the report is for float32."""

LIMITS = {"batch": (1, 256)}
"""Allowed (lowest, highest) batch size: the explorer's slider range."""

TOP_LAYERS = 8
"""How many layers the report lists for each quantity (the rest are summed in one line)."""

BAR_WIDTH = 30
"""Characters of a bar that stands for 100 %."""

LABELLED_BARS = 45
"""`plot_network_layers` writes layer names under the bars up to this many bars, indices beyond."""

COLOURS = {"Conv2d": "tab:blue", "Linear": "tab:orange"}
"""Bar colour per layer type in `plot_network_layers`; every other type is grey."""

QUANTITIES = ("macs", "params", "feature_map_bytes")
"""The three per-layer quantities of the report and the figure, as `LayerCosts` attribute names."""


@dataclass(frozen=True)
class LayerCosts:
    """One layer's share of the work and the memory, for the whole batch.

    ``macs``: multiply-accumulates of its products (conv and linear layers only);
    ``params``: its parameters (independent of the batch);
    ``feature_map_bytes``: float32 bytes of the new feature map it writes (0 when
    it works in place or is a flatten, a view of its input);
    ``live_pair_bytes``: float32 bytes of its input plus its output while it runs
    (the input alone when it writes no new map).
    """

    name: str
    layer_type: str
    detail: str
    params: int
    macs: int
    feature_map_bytes: int
    live_pair_bytes: int


def _check_name(name: object) -> str:
    known = architectures.names()
    if not isinstance(name, str) or name not in known:
        raise ValueError(f"name must be one of {', '.join(known)}; got {name!r}")
    return name


def _check_batch(batch: object) -> int:
    low, high = LIMITS["batch"]
    wanted = f"batch must be an integer between {low} and {high}"
    if isinstance(batch, bool):
        raise ValueError(f"{wanted}, got {batch!r}")
    try:
        exact = operator.index(batch)
    except TypeError:
        raise ValueError(f"{wanted}, got {batch!r}") from None
    if not low <= exact <= high:
        raise ValueError(f"{wanted}, got {exact}")
    return int(exact)


def _writes_new_map(row: LayerRow) -> bool:
    """False for an in-place activation and for a flatten (a view): they reuse their input's memory."""
    return not (isinstance(row.spec, Activation) and row.spec.inplace) and not isinstance(row.spec, Flatten)


def _layer(row: LayerRow, batch: int) -> LayerCosts:
    written = row.activations * FLOAT32_BYTES if _writes_new_map(row) else 0
    live = batch * math.prod(row.input_shape) * FLOAT32_BYTES + written
    return LayerCosts(row.name, row.layer_type, row.detail, row.params, row.macs, written, live)


@lru_cache(maxsize=64)
def _summary(name: str, batch: int) -> Summary:
    return summarize(name, batch=batch)


def layer_costs(name: str, batch: int = 1) -> list[LayerCosts]:
    """`LayerCosts` of every layer of network ``name`` for ``batch`` samples, in order.

    From `summarize` (the formulas of `course_lib.complexity`); ValueError naming
    the argument for an unknown name or a batch outside `LIMITS`.
    Derived in notebooks/06_cnn_time_and_space.ipynb.
    """
    name, batch = _check_name(name), _check_batch(batch)
    return [_layer(row, batch) for row in _summary(name, batch).rows]


def network_totals(name: str, batch: int = 1) -> dict[str, int]:
    """Totals of network ``name`` for ``batch`` samples, float32.

    ``params``, ``macs``; ``parameter_bytes`` = 4 params; ``feature_map_bytes`` = the
    input's 4 B C_0 H_0 W_0 plus every new map written (what training keeps for the
    backward pass); ``largest_pair_bytes`` = max over layers of input + output bytes;
    ``inference_bytes`` = ``parameter_bytes`` + ``largest_pair_bytes`` (a lower bound
    when branches keep more maps alive). Derived in notebooks/06_cnn_time_and_space.ipynb.
    """
    name, batch = _check_name(name), _check_batch(batch)
    summary = _summary(name, batch)
    layers = layer_costs(name, batch)
    input_bytes = batch * math.prod(summary.input_shape) * FLOAT32_BYTES
    largest_pair = max(layer.live_pair_bytes for layer in layers)
    return {
        "params": sum(layer.params for layer in layers),
        "macs": sum(layer.macs for layer in layers),
        "parameter_bytes": summary.params * FLOAT32_BYTES,
        "feature_map_bytes": input_bytes + sum(layer.feature_map_bytes for layer in layers),
        "largest_pair_bytes": largest_pair,
        "inference_bytes": summary.params * FLOAT32_BYTES + largest_pair,
    }


def _si(count: int | float) -> str:
    """``count`` with a G, M or K suffix (3 decimals), or as is below 1000."""
    for power, prefix in ((9, "G"), (6, "M"), (3, "K")):
        if abs(count) >= 10**power:
            return f"{count / 10**power:.3f} {prefix}"
    return f"{count:,}"


def _mb(size: int) -> str:
    """Bytes in MB (10^6 bytes) with one decimal, or in kB (10^3 bytes) below 1 MB."""
    if size < 10**6:
        return f"{size / 1e3:,.1f} kB"
    return f"{size / 1e6:,.1f} MB"


def _bar(share: float) -> str:
    return "#" * round(share * BAR_WIDTH)


def _top_lines(layers: list[LayerCosts], quantity: str, unit: str) -> list[str]:
    """The `TOP_LAYERS` largest layers for ``quantity`` with their share, and one line for the rest."""
    total = sum(getattr(layer, quantity) for layer in layers)
    label = {"macs": "MACs", "params": "parameters", "feature_map_bytes": "feature maps written"}[quantity]
    if total == 0:
        return [f"{label}: none in this network"]
    ranked = sorted(
        (layer for layer in layers if getattr(layer, quantity)),
        key=lambda layer: getattr(layer, quantity),
        reverse=True,
    )
    shown = ranked[:TOP_LAYERS]
    nonzero = len(ranked)
    heading = (
        f"{label}: the {len(shown)} largest of {nonzero} layers that have any ({len(layers)} layers in all)"
    )
    value = _mb if quantity == "feature_map_bytes" else _si
    lines = [heading]
    for layer in shown:
        amount = getattr(layer, quantity)
        where = f"{layer.name} ({layer.layer_type} {layer.detail})".replace(" )", ")")
        lines.append(
            f"  {where:<50.50} {value(amount):>12}{unit} {amount / total:6.1%}  {_bar(amount / total)}".rstrip()
        )
    rest = total - sum(getattr(layer, quantity) for layer in shown)
    if nonzero > len(shown):
        where = f"the other {nonzero - len(shown)} layers"
        lines.append(
            f"  {where:<50} {value(rest):>12}{unit} {rest / total:6.1%}  {_bar(rest / total)}".rstrip()
        )
    return lines


def _by_type_lines(layers: list[LayerCosts]) -> list[str]:
    totals = {quantity: sum(getattr(layer, quantity) for layer in layers) for quantity in QUANTITIES}
    table: dict[str, dict[str, int]] = {}
    for layer in layers:
        entry = table.setdefault(layer.layer_type, dict.fromkeys(("layers", *QUANTITIES), 0))
        entry["layers"] += 1
        for quantity in QUANTITIES:
            entry[quantity] += getattr(layer, quantity)

    def share(entry: dict[str, int], quantity: str) -> str:
        return f"{entry[quantity] / totals[quantity]:.1%}" if totals[quantity] else "-"

    lines = [f"  {'layer type':<18} {'layers':>6} {'MACs':>8} {'params':>8} {'feature maps':>13}"]
    for kind, entry in table.items():
        lines.append(
            f"  {kind:<18} {entry['layers']:>6} {share(entry, 'macs'):>8} {share(entry, 'params'):>8} "
            f"{share(entry, 'feature_map_bytes'):>13}"
        )
    return lines


def network_report(name: str, batch: int) -> str:
    """Totals and per-layer text bars of MACs, parameters and feature-map memory of one network.

    ``name`` is one of ``architectures.names()``, ``batch`` the number of samples B
    (1 to 256). MACs and feature-map bytes are for the batch (B times one sample's),
    parameters for the network. Memory is float32 (4 bytes per element), in MB of
    10^6 bytes. Per quantity, the `TOP_LAYERS` largest layers with their share of the
    total and a bar of `BAR_WIDTH` characters for 100 %, then the shares per layer
    type. ValueError naming the argument for an unknown name or a batch out of range.
    Derived in notebooks/06_cnn_time_and_space.ipynb.
    """
    name, batch = _check_name(name), _check_batch(batch)
    summary = _summary(name, batch)
    layers = layer_costs(name, batch)
    totals = network_totals(name, batch)
    branches = any(layer.layer_type in ("Concat", "Add") for layer in layers)
    pair = max(layers, key=lambda layer: layer.live_pair_bytes)
    per_sample = f"per sample {_si(totals['macs'] // batch)}" if batch > 1 else "one sample"
    lines = [
        f"{name}: {summary.description}",
        f"input {format_shape(summary.input_shape)} per sample, batch {batch}, {len(layers)} layers; "
        f"memory in float32 ({FLOAT32_BYTES} bytes per element), kB = 10^3 and MB = 10^6 bytes",
        "",
        f"parameters            {totals['params']:>19,} = {_si(totals['params'])}, "
        f"{_mb(totals['parameter_bytes'])} (the same for every batch)",
        f"MACs (conv + linear)  {totals['macs']:>19,} = {_si(totals['macs'])} ({per_sample})",
        f"feature maps written  {totals['feature_map_bytes']:>19,} B = {_mb(totals['feature_map_bytes'])} "
        f"({_mb(totals['feature_map_bytes'] // batch)} per sample; input included, in-place layers write none)",
        f"inference memory      parameters + largest input+output pair ({pair.name}) = "
        f"{_mb(totals['parameter_bytes'])} + {_mb(totals['largest_pair_bytes'])} = {_mb(totals['inference_bytes'])}"
        + (" at least (branches keep more maps alive)" if branches else ""),
        "",
        *_top_lines(layers, "macs", " MACs"),
        "",
        *_top_lines(layers, "params", ""),
        "",
        *_top_lines(layers, "feature_map_bytes", ""),
        "",
        "share of each total by layer type (feature maps: the layers' outputs, input not included)",
        *_by_type_lines(layers),
    ]
    return "\n".join(lines)


def _plotted(layers: list[LayerCosts]) -> list[LayerCosts]:
    return [layer for layer in layers if any(getattr(layer, quantity) for quantity in QUANTITIES)]


def plot_network_layers(name: str, batch: int = 1, log: bool = False, fig: Figure | None = None) -> Figure:
    """Per-layer bars of MACs (billions), parameters (millions) and feature-map MB written, in three panels.

    One bar per layer that has any of the three (in network order), blue for conv,
    orange for linear layers, grey for the rest. ``log=True`` puts the y axes on a
    log scale (zero bars then vanish). Draws into ``fig`` if given (cleared first),
    else into a new pyplot figure; returns the figure. Arguments checked as in
    `network_report`. Derived in notebooks/06_cnn_time_and_space.ipynb.
    """
    name, batch = _check_name(name), _check_batch(batch)
    if not isinstance(log, bool):
        raise ValueError(f"log must be True or False, got {log!r}")
    layers = _plotted(layer_costs(name, batch))
    if fig is None:
        fig = plt.figure(figsize=(9.0, 6.6))
    fig.clear()
    axes = fig.subplots(3, 1, sharex=True)
    positions = list(range(len(layers)))
    colours = [COLOURS.get(layer.layer_type, "tab:grey") for layer in layers]
    panels = (
        ("macs", 1e9, "MACs (billions)"),
        ("params", 1e6, "parameters (millions)"),
        ("feature_map_bytes", 1e6, "feature map written\n(MB, float32)"),
    )
    for ax, (quantity, scale, label) in zip(axes, panels, strict=True):
        values = [getattr(layer, quantity) / scale for layer in layers]
        ax.bar(positions, values, color=colours, width=0.8)
        ax.set_ylabel(label)
        if log:
            ax.set_yscale("log")
    handles = [Patch(color=colour, label=kind) for kind, colour in (*COLOURS.items(), ("other", "tab:grey"))]
    axes[0].legend(handles=handles, loc="upper right", fontsize=8)
    if len(layers) <= LABELLED_BARS:
        axes[-1].set_xticks(positions, [layer.name for layer in layers], rotation=90, fontsize=7)
        axes[-1].set_xlabel("layer")
    else:
        axes[-1].set_xlabel("layer index (layers that have MACs, parameters or a new feature map)")
    axes[0].set_title(f"{name}, batch {batch}: where the MACs, parameters and feature-map memory are")
    fig.tight_layout()
    return fig


def network_layers_png(name: str, batch: int = 1, log: bool = False) -> bytes:
    """`plot_network_layers` rendered to PNG bytes without pyplot (nothing shows in a notebook)."""
    fig = Figure(figsize=(9.0, 6.6), dpi=72)
    plot_network_layers(name, batch, log, fig=fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


class NetworkExplorer(Explorer):
    """A network Dropdown and a batch slider above the `network_report` text and the per-layer bars."""

    def __init__(self, controls: dict[str, widgets.ValueWidget]) -> None:
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="760px"))
        super().__init__(network_report, controls)
        self.children = (*self.controls.values(), self.panel, self.image)

    def refresh(self, _change: object = None) -> None:
        """Recompute the report and redraw the bars for the current network and batch."""
        super().refresh()
        self.image.value = network_layers_png(**self.values())


def network_explorer(name: str = "vgg16", batch: int = 1) -> NetworkExplorer:
    """A Dropdown of ``architectures.names()`` and a batch slider (`LIMITS`) over `network_report`."""
    name, batch = _check_name(name), _check_batch(batch)
    dropdown = widgets.Dropdown(options=architectures.names(), value=name, description="network")
    return NetworkExplorer({"name": dropdown, "batch": int_slider("batch", batch, *LIMITS["batch"])})
