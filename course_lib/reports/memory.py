"""The drawing explorer of notebooks/10_memory_precision_energy.ipynb: memory of a training step and energy split.

`memory_report(network, batch, precision, segments)` returns a `Report`:

* left, the bytes one training step holds, as bars on a fixed log axis:
  parameters, their gradients, the activations the forward caches keep
  (`course_lib.complexity.cache_bytes`) and the peak with ``segments``
  checkpointed segments (`course_lib.complexity.checkpoint_peak_bytes`);
* right, the energy of one inference split into arithmetic and DRAM traffic
  (`course_lib.energy`, Horowitz's 45 nm table), as shares of a bar from 0 to 100 %;
* the text: the same numbers, the recomputation checkpointing costs, and
  joules per inference.

Networks (`NETWORKS`): an MLP of 12 dense layers and two CNNs of
`course_lib.architectures` without batch norm or residual blocks, whose layers
map to the steps of `course_lib.complexity.memory` (dropout, as the course's
implementation has none, is left out). Checkpointed segments split the MLP's
12 layers, or the CNN's steps (a convolution, its activation and a pooling
layer are three steps).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache

from course_lib.complexity import (
    DTYPE_BYTES,
    Cost,
    activation_forward_cost,
    cache_bytes,
    checkpoint_peak_bytes,
    dense_forward_cost,
    mlp_params,
    split_layers,
)
from course_lib.complexity.memory import mlp_steps
from course_lib.energy import PRECISIONS, Energy, cnn_energy, mlp_energy
from course_lib.reports.base import Report, new_figure
from course_lib.reports.format import format_bytes, format_count
from course_lib.summary import summarize
from course_lib.validation import require_choice, require_int

MLP_WIDTHS = (784, *([1024] * 11), 10)
"""The MLP of the explorer: 784 inputs, 11 hidden layers of 1024, 10 outputs (12 dense layers)."""

NETWORKS = {"mlp": "MLP 784-1024x11-10", "lenet5": "LeNet-5", "vgg16": "VGG-16"}
"""The explorer's networks: key -> label."""

MAX_BATCH = 256
"""Largest batch the report accepts (the explorer's slider goes there)."""

MAX_SEGMENTS = 12
"""The segments slider's upper end: the MLP's layers and LeNet-5's steps."""

BYTE_LIMITS = (1e3, 1e12)
"""Fixed x-axis of the memory bars (bytes): every setting of the controls fits."""

STEP_OF = {
    "Conv2d": "conv",
    "Linear": "dense",
    "ReLU": "activation",
    "ReLU6": "activation",
    "Tanh": "activation",
    "Sigmoid": "activation",
    "MaxPool2d": "max_pool",
    "AvgPool2d": "avg_pool",
    "AdaptiveAvgPool2d": "avg_pool",
    "Flatten": "flatten",
}
"""Layer type of `course_lib.summary` -> step kind of `course_lib.complexity.memory` (Dropout: left out)."""


@dataclass(frozen=True)
class NetworkMemory:
    """What the report needs of one network and batch: its steps, their forward costs, its sizes."""

    input_elements: int
    steps: tuple[tuple[str, int], ...]
    costs: tuple[Cost, ...]
    params: int
    layers: int  # what the segments split: dense layers (MLP) or steps (CNN)


@lru_cache(maxsize=64)
def network_memory(network: str, batch: int) -> NetworkMemory:
    """The steps (kind, elements), per-step forward costs and parameters of ``network`` at ``batch``."""
    network = require_choice("network", network, tuple(NETWORKS))
    batch = require_int("batch", batch, 1, MAX_BATCH)
    if network == "mlp":
        widths = list(MLP_WIDTHS)
        costs = []
        for n_in, n_out in itertools.pairwise(widths):
            costs += [dense_forward_cost(n_in, n_out, batch), activation_forward_cost(n_out, batch)]
        params = mlp_params(widths)
        steps = tuple(mlp_steps(widths, batch))
        return NetworkMemory(batch * widths[0], steps, tuple(costs), params, len(widths) - 1)
    table = summarize(network, batch=batch)
    rows = [row for row in table.rows if row.layer_type in STEP_OF]
    steps = tuple((STEP_OF[row.layer_type], batch * math.prod(row.output_shape)) for row in rows)
    return NetworkMemory(
        batch * math.prod(table.input_shape), steps, tuple(row.cost for row in rows), table.params, len(steps)
    )


def _segments_in_steps(net: NetworkMemory, network: str, segments: int) -> list[tuple[int, int]]:
    bounds = split_layers(net.layers, segments)
    return [(2 * a, 2 * b) for a, b in bounds] if network == "mlp" else bounds


def _energy(network: str, batch: int, precision: str) -> Energy:
    if network == "mlp":
        return mlp_energy(list(MLP_WIDTHS), batch, precision)
    return cnn_energy(network, batch, precision)


def memory_report(
    network: str = "mlp", batch: int = 32, precision: str = "float32", segments: int = 1
) -> Report:
    """Memory of one training step and energy of one inference of ``network`` (module docstring).

    ValueError naming the argument for an unknown network or precision, a batch
    outside 1..`MAX_BATCH`, or segments outside 1..(layers or steps of the network).
    """
    network = require_choice("network", network, tuple(NETWORKS))
    batch = require_int("batch", batch, 1, MAX_BATCH)
    precision = require_choice("precision", precision, PRECISIONS)
    net = network_memory(network, batch)
    segments = require_int("segments", segments, 1, net.layers)
    size = DTYPE_BYTES[precision]
    bounds = _segments_in_steps(net, network, segments)
    kept = cache_bytes(net.input_elements, net.steps, precision)
    peak = checkpoint_peak_bytes(net.input_elements, net.steps, bounds, precision)
    extra = sum(net.costs[: bounds[-1][0]], Cost())
    forward = sum(net.costs, Cost())
    bars = {
        "parameters": net.params * size,
        "gradients": net.params * size,
        "activations kept": kept,
        f"peak, {segments} segment{'s' if segments > 1 else ''}": peak,
    }
    joules = _energy(network, batch, precision)

    unit = "layers" if network == "mlp" else "steps"
    lines = [
        f"{NETWORKS[network]}, batch {batch}, {precision} ({size} byte{'s' if size > 1 else ''} per number)"
        + (
            ": int8 is an inference format, the training bars are what int8 storage would hold"
            if size == 1
            else ""
        ),
        f"parameters {format_bytes(bars['parameters'])}, gradients {format_bytes(bars['gradients'])}",
        f"activations the forward caches keep: {format_bytes(kept)}",
        f"checkpointing, {segments} segment(s) of {net.layers} {unit}: peak {format_bytes(peak)} "
        f"({peak / kept:.0%} of keeping everything)",
        f"recomputed: {format_count(extra.flops)}FLOPs, {extra.flops / forward.flops:.0%} of one forward pass"
        if extra.flops
        else "recomputed: nothing (one segment keeps every cache)",
        f"energy per inference (45 nm, Horowitz 2014): {joules.per_inference * 1e3:.3g} mJ, "
        f"{joules.memory_share:.0%} of it moving data to and from DRAM",
    ]

    fig, (left, right) = new_figure(width=6.4, height=3.6, ncols=2, width_ratios=(2.2, 1))
    names = list(bars)
    colours = ["#0072B2", "#56B4E9", "#E69F00", "#D55E00"]
    left.barh(names[::-1], [bars[name] for name in names][::-1], color=colours[::-1])
    left.set_xscale("log")
    left.set_xlim(*BYTE_LIMITS)
    left.set_xlabel("bytes held in one training step")
    left.set_title("memory of a training step", fontsize=10)
    share = 100 * joules.memory_share
    right.bar([0], [100 - share], color="#009E73", label="arithmetic")
    right.bar([0], [share], bottom=[100 - share], color="#CC79A7", label="DRAM traffic")
    right.set_ylim(0, 100)
    right.set_xlim(-0.8, 0.8)
    right.set_xticks([])
    right.set_ylabel("share of the energy per inference (%)")
    right.set_title(f"{joules.per_inference * 1e3:.3g} mJ", fontsize=10)
    right.legend(loc="upper center", bbox_to_anchor=(0.5, -0.02), fontsize=8)
    return Report("\n".join(lines), fig)
