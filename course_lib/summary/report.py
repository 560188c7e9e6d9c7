"""`summarize(net, input_shape, batch)` -> `Summary`: per-layer rows, totals, memory, renderings."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from course_lib import architectures
from course_lib.architectures import Activation, BatchNorm2d, Conv2d, Dropout, Flatten, Network
from course_lib.complexity import Cost
from course_lib.complexity.conv import dtype_bytes, optimizer_slots
from course_lib.summary import render
from course_lib.summary.conventions import CONVENTIONS, count_as
from course_lib.summary.rows import LayerRow, Shape, conv_shape, format_shape, walk
from course_lib.validation import require_int


def _allocates(row: LayerRow) -> bool:
    """Does the layer write a new feature map? Not an in-place activation, a Flatten (a view) or a Dropout.

    The whole summary describes the network in inference (eval) mode, as its costs
    do: there a Dropout is the identity (PyTorch's eval-mode dropout returns its
    input), so it costs nothing and writes nothing, like a Flatten. In training it
    would write a scaled copy and keep a mask; ``Summary.memory`` leaves that out.
    """
    if isinstance(row.spec, Activation):
        return not row.spec.inplace
    return not isinstance(row.spec, Flatten | Dropout)


def _fused(row: LayerRow) -> bool:
    """Does inference fold the layer into the one before it (batch norm, an activation, dropout, a flatten)?"""
    return isinstance(row.spec, BatchNorm2d | Activation | Dropout | Flatten)


def _im2col_elements(row: LayerRow, batch: int) -> int:
    return conv_shape(row.spec, row.input_shape, batch).im2col_elements if isinstance(row.spec, Conv2d) else 0


@dataclass(frozen=True)
class Summary:
    """Per-layer costs of one network on one input, and their totals.

    ``rows``: one `LayerRow` per layer (shapes per sample, counts for the batch).
    Totals, for the whole batch:

    * ``params``: parameters (biases, batch-norm scale and shift included);
    * ``macs``: multiply-accumulates of conv and linear layers, the convention of
      torchvision's "GFLOPS" column (for batch 1 and a 3x224x224 input, ``macs / 1e9``
      rounds to it);
    * ``flops``: the course's FLOPs, multiplies + adds + divides of every layer
      (conv and linear including bias adds, batch norm, pooling, residual adds);
    * ``activations``: activation elements, the output elements of all layers;
    * ``activation_applications``: elementwise nonlinearities applied (not in ``flops``);
    * ``cost``: the total `Cost`.

    ``count_as(name)`` / ``conventions()`` give the totals under other tools'
    conventions (`course_lib.summary.PEER_TOOL_CONVENTIONS`), ``by_type()`` the totals
    per layer type, ``memory()`` bytes.
    Renderings: ``to_text()`` (also ``str()``), ``to_markdown()``, ``to_csv()``,
    ``to_html()`` (also ``_repr_html_``, the table a notebook shows).
    """

    network: str
    description: str
    input_shape: Shape
    output_shape: Shape
    batch: int
    rows: tuple[LayerRow, ...]

    @property
    def cost(self) -> Cost:
        """The forward `Cost` of all layers."""
        return sum((row.cost for row in self.rows), Cost())

    @property
    def params(self) -> int:
        return sum(row.params for row in self.rows)

    @property
    def macs(self) -> int:
        return self.cost.macs

    @property
    def flops(self) -> int:
        return self.cost.flops

    @property
    def activations(self) -> int:
        return sum(row.activations for row in self.rows)

    @property
    def activation_applications(self) -> int:
        return self.cost.activations

    def by_type(self) -> dict[str, dict[str, int]]:
        """Totals per layer type, in order of first appearance: where the parameters, MACs,
        FLOPs and activation elements live (``{"Conv2d": {"layers": 53, "params": ..., ...}}``)."""
        table: dict[str, dict[str, int]] = {}
        for row in self.rows:
            entry = table.setdefault(
                row.layer_type, {"layers": 0, "params": 0, "macs": 0, "flops": 0, "activations": 0}
            )
            entry["layers"] += 1
            entry["params"] += row.params
            entry["macs"] += row.macs
            entry["flops"] += row.flops
            entry["activations"] += row.activations
        return table

    def count_as(self, convention: str) -> int:
        """The total under ``convention`` (one of `course_lib.summary.CONVENTIONS`), for the batch."""
        return count_as(self.rows, convention, self.batch)

    def conventions(self) -> dict[str, int]:
        """Every convention's total: ``{"macs": ..., "flops": ..., "fvcore": ..., ...}``."""
        return {name: self.count_as(name) for name in CONVENTIONS}

    def feature_maps(self) -> tuple[int, ...]:
        """Elements of the new feature map each row writes, for the batch, in row order.

        A row's output elements, or 0 for an in-place activation, a flatten (a
        view) and a dropout (the identity at inference): they reuse their input's
        memory. The input's elements plus their sum
        are ``memory()``'s ``saved_activations`` (in elements).
        """
        return tuple(row.activations if _allocates(row) else 0 for row in self.rows)

    def inference_peak(self) -> tuple[int, str]:
        """(elements, layer name): the largest input + output of one layer, for the batch.

        Both maps are alive while the layer runs. Batch norm, activations, dropout and
        flattens are fused into the layer before them, as deployment tools fold them,
        so only the other layers (convolutions, pooling, linear layers, adds, concats)
        count. What inference needs at least for feature maps; more when branches keep
        maps alive. Derived in notebooks/06_cnn_time_and_space.ipynb.
        """
        return max(
            (
                (self.batch * (math.prod(row.input_shape) + math.prod(row.output_shape)), row.name)
                for row in self.rows
                if not _fused(row)
            ),
            default=(self.batch * math.prod(self.input_shape), "input"),
        )

    def memory(self, dtype: str | int = "float32", optimizer: str = "sgd") -> dict[str, int]:
        """Bytes, with b bytes per element (``dtype``: a name in `DTYPE_BYTES` or a byte count).

        * ``parameters``: params b;
        * ``activations``: activation elements b, every layer output as if each were kept;
        * for training, the reasoning of `course_lib.complexity.conv2d_training_memory`
          applied to the whole network: ``gradients`` params b, ``optimizer_state``
          slots params b (`OPTIMIZER_STATE_SLOTS`: SGD 0, momentum 1, Adam 2),
          ``saved_activations`` the input and every output the backward pass may need
          (all but in-place activations, flattens and dropouts, which write no new
          memory at inference; a training-mode dropout's copy and mask, for VGG-16
          8,192 elements per sample or 0.05 % of the rest, are left out),
          ``im2col_workspace`` the largest full-batch im2col buffer of one conv layer (one
          layer at a time; `course_lib.conv.conv2d` itself holds only a chunk of it, see
          `course_lib.conv.layer.CHUNK_BYTES`);
        * ``training_total``: parameters + gradients + optimizer_state + saved_activations
          + im2col_workspace;
        * for inference, ``inference_peak`` the largest input + output of one layer
          (`inference_peak`) and ``inference_total`` parameters + inference_peak.

        An estimate: frameworks also free maps early, fuse layers, keep gradient buffers
        of the activations during the backward pass and allocate workspaces of their own.
        Derived in notebooks/06_cnn_time_and_space.ipynb.
        """
        size, slots = dtype_bytes(dtype), optimizer_slots(optimizer)
        saved = self.batch * math.prod(self.input_shape) + sum(self.feature_maps())
        workspace = max((_im2col_elements(row, self.batch) for row in self.rows), default=0)
        memory = {
            "parameters": self.params * size,
            "activations": self.activations * size,
            "gradients": self.params * size,
            "optimizer_state": slots * self.params * size,
            "saved_activations": saved * size,
            "im2col_workspace": workspace * size,
        }
        training = ("parameters", "gradients", "optimizer_state", "saved_activations", "im2col_workspace")
        memory["training_total"] = sum(memory[key] for key in training)
        memory["inference_peak"] = self.inference_peak()[0] * size
        memory["inference_total"] = memory["parameters"] + memory["inference_peak"]
        return memory

    def to_text(self) -> str:
        return render.to_text(self)

    def to_markdown(self) -> str:
        return render.to_markdown(self)

    def to_csv(self) -> str:
        return render.to_csv(self)

    def to_html(self) -> str:
        return render.to_html(self)

    def _repr_html_(self) -> str:
        return render.to_html(self)

    def __str__(self) -> str:
        return render.to_text(self)


def _input_shape(value: object, expected: Shape) -> Shape:
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = list(value)
    if isinstance(value, str | bytes) or not isinstance(value, Sequence) or len(value) != len(expected):
        raise ValueError(
            f"input_shape must be {len(expected)} positive integers (C, H, W) like {expected}, got {value!r}"
        )
    return tuple(require_int(f"input_shape[{i}]", size) for i, size in enumerate(value))


def summarize(net: Network | str, input_shape: Sequence[int] | None = None, batch: int = 1) -> Summary:
    """Per-layer table and totals of ``net`` (a `Network` or a name from `architectures.names()`).

    ``input_shape`` is (C, H, W) for one sample, by default the network's own;
    ``batch`` multiplies every count. Each layer is costed by the formulas of
    `course_lib.complexity` (rules in `course_lib.summary.rows`), never by running
    it. ValueError for an unknown name, a bad shape or batch, or an input a layer
    cannot take (the message names the layer). Derived in notebooks/06_cnn_time_and_space.ipynb.
    """
    if isinstance(net, str):
        net = architectures.get(net)
    if not isinstance(net, Network):
        raise ValueError(f"net must be a Network or a network name, got {type(net).__name__}")
    shape = net.input_shape if input_shape is None else _input_shape(input_shape, net.input_shape)
    batch = require_int("batch", batch)
    try:
        rows, output = walk(net.layers, shape, batch)
    except ValueError as error:
        raise ValueError(f"{net.name} on input {format_shape(shape)}: {error}") from None
    return Summary(net.name, net.description, shape, output, batch, tuple(rows))
