"""What backpropagation holds, in bytes, and what gradient checkpointing trades for it, as exact ints.

The formulas of notebooks/10_memory_precision_energy.ipynb. Like the rest of
`course_lib.complexity` they never import the implementations: the tests sum
the ``nbytes`` of the caches that `course_lib.mlp` and `course_lib.conv`
really keep and require these numbers exactly.

A network is a sequence of *steps*, each written as ``(kind, elements)``: the
kind of layer and the number of elements of its output for the whole batch.
What the course's implementation of each kind keeps for its backward pass:

==============  ================================================================
kind            kept in its cache
==============  ================================================================
``dense``       its input x (dW = x^T dout needs it); W and b are parameters
``conv``        its input x (dW needs its im2col columns, rebuilt from x)
``activation``  its output a = g(z) (g' is computed from a)
``max_pool``    the position of each window's maximum: one int64 index per
                output element (`INDEX_BYTES` each)
``avg_pool``    nothing but shapes
``flatten``     nothing: its output is a view of its input (same memory)
==============  ================================================================

A step's input is the previous step's output, the *same* array, so an array
that one step keeps as output and the next as input is counted once. With s
bytes per element (``dtype``, a name in `DTYPE_BYTES`) an MLP of widths
n(0), ..., n(L) and batch B keeps

    cache bytes = s B (n(0) + n(1) + ... + n(L)),

the input and every layer's output (`mlp_cache_bytes`).

Gradient checkpointing (Chen, Xu, Zhang and Guestrin, 2016) cuts the layers
into k contiguous *segments* (`split_layers`: sizes differ by at most one, the
larger ones first). The forward pass keeps only each segment's input; the
backward pass recomputes one segment at a time, from its input, with caches,
and back-propagates through it. The last segment's caches are kept from the
first pass, so the extra work is the forward cost of segments 1..k-1
(`mlp_checkpoint_extra_cost`). While segment j is back-propagated, the inputs
of segments 1..j and the caches of segment j are held, so

    peak = max over j of [ inputs of segments 1..j + caches of segment j ]

(`checkpoint_peak_bytes`), which for L layers of width n split into k equal
segments is s B n (k + L/k): smallest at k = sqrt(L), where it is
2 sqrt(L) s B n instead of the (L + 1) s B n of keeping everything.
Transient work arrays (the gradient flowing back, g'(a), dx of one layer) and
the parameter gradients come on top; notebook 10 measures them.
"""

from __future__ import annotations

from collections.abc import Sequence

from course_lib.complexity.conv import DTYPE_BYTES
from course_lib.complexity.cost import Cost
from course_lib.complexity.dense import _widths, layer_forward_cost, mlp_params
from course_lib.validation import require_choice, require_int

__all__ = [
    "INDEX_BYTES",
    "STEP_KINDS",
    "cache_bytes",
    "checkpoint_peak_bytes",
    "dtype_bytes",
    "mlp_cache_bytes",
    "mlp_checkpoint_extra_cost",
    "mlp_checkpoint_peak_bytes",
    "mlp_gradient_bytes",
    "mlp_steps",
    "split_layers",
]

STEP_KINDS = ("dense", "conv", "activation", "max_pool", "avg_pool", "flatten")
"""The kinds of step the cache formulas know (table in the module docstring)."""

INDEX_BYTES = 8
"""Bytes of one max-pooling index: numpy's argmax returns int64 (intp) on 64-bit machines, as PyTorch keeps."""

Step = tuple[str, int]


def dtype_bytes(dtype: str) -> int:
    """Bytes per element of ``dtype`` (a key of `DTYPE_BYTES`), or ValueError naming ``dtype``."""
    return DTYPE_BYTES[require_choice("dtype", dtype, sorted(DTYPE_BYTES))]


def _steps(steps: Sequence[Step]) -> list[Step]:
    if isinstance(steps, str | bytes) or not isinstance(steps, Sequence) or not steps:
        raise ValueError(f"steps must be a non-empty sequence of (kind, elements) pairs, got {steps!r}")
    checked = []
    for i, step in enumerate(steps):
        if not isinstance(step, tuple | list) or len(step) != 2 or step[0] not in STEP_KINDS:
            raise ValueError(
                f"steps[{i}] must be a (kind, elements) pair with kind in {STEP_KINDS}, got {step!r}"
            )
        checked.append((step[0], require_int(f"steps[{i}] elements", step[1])))
    return checked


def _roots(steps: list[Step]) -> list[int]:
    """For each array 0..T (0 the input, t the output of step t), the array whose memory it is."""
    roots = [0]
    for t, (kind, _) in enumerate(steps, start=1):
        roots.append(roots[t - 1] if kind == "flatten" else t)
    return roots


def _held(
    steps: list[Step], sizes: list[int], roots: list[int], first: int, stop: int, kept: set[int], s: int
) -> int:
    """Bytes of the arrays in ``kept`` plus what steps first..stop-1 (0-based) keep, each array once."""
    arrays, indices = set(kept), 0
    for t in range(first, stop):
        kind = steps[t][0]
        if kind in ("dense", "conv"):
            arrays.add(roots[t])  # its input: array t (0-based step t reads array t)
        elif kind == "activation":
            arrays.add(roots[t + 1])  # its output
        elif kind == "max_pool":
            indices += sizes[t + 1]
    return s * sum(sizes[a] for a in arrays) + INDEX_BYTES * indices


def cache_bytes(input_elements: int, steps: Sequence[Step], dtype: str = "float64") -> int:
    """Bytes the forward caches of a sequential network keep for its backward pass.

    ``input_elements``: elements of the input batch; ``steps``: ``(kind, output
    elements)`` per step (kinds and what each keeps in the module docstring).
    Each array is counted once, however many caches refer to it. Derived in
    notebooks/10_memory_precision_energy.ipynb.
    """
    steps = _steps(steps)
    sizes = [require_int("input_elements", input_elements)] + [e for _, e in steps]
    return _held(steps, sizes, _roots(steps), 0, len(steps), set(), dtype_bytes(dtype))


def split_layers(n_layers: int, segments: int) -> list[tuple[int, int]]:
    """The k = ``segments`` contiguous segments of ``n_layers`` layers, as half-open ranges (first, stop).

    Sizes ceil(L/k) for the first L mod k segments and floor(L/k) for the
    rest. ValueError naming ``segments`` unless 1 <= k <= L.
    """
    n_layers = require_int("n_layers", n_layers)
    segments = require_int("segments", segments, 1, n_layers)
    size, larger = divmod(n_layers, segments)
    bounds, first = [], 0
    for j in range(segments):
        stop = first + size + (1 if j < larger else 0)
        bounds.append((first, stop))
        first = stop
    return bounds


def checkpoint_peak_bytes(
    input_elements: int, steps: Sequence[Step], segments: Sequence[tuple[int, int]], dtype: str = "float64"
) -> int:
    """Peak bytes of activations held by a checkpointed backward pass (the input batch included).

    ``segments``: half-open step ranges (first, stop) that cover the steps in
    order. Back-propagating segment j holds the inputs of segments 1..j and the
    caches of segment j; the peak is the largest of these, each array counted
    once. One segment gives `cache_bytes`. Derived in
    notebooks/10_memory_precision_energy.ipynb.
    """
    steps = _steps(steps)
    sizes = [require_int("input_elements", input_elements)] + [e for _, e in steps]
    roots = _roots(steps)
    bounds = [(require_int("first", a, 0), require_int("stop", b)) for a, b in segments]
    if not bounds or bounds[0][0] != 0 or bounds[-1][1] != len(steps):
        raise ValueError(f"segments must cover steps 0..{len(steps)} in order, got {list(segments)}")
    if any(a >= b for a, b in bounds) or any(
        bounds[j][1] != bounds[j + 1][0] for j in range(len(bounds) - 1)
    ):
        raise ValueError(f"segments must be non-empty, contiguous and in order, got {list(segments)}")
    s = dtype_bytes(dtype)
    peak, inputs = 0, set()
    for first, stop in bounds:
        inputs.add(roots[first])
        peak = max(peak, _held(steps, sizes, roots, first, stop, inputs, s))
    return peak


# ---------------------------------------------------------------- the MLP


def mlp_steps(widths: Sequence[int], batch: int = 1) -> list[Step]:
    """The steps of an MLP of widths [n(0), ..., n(L)]: ("dense", B n(k)), ("activation", B n(k)) per layer."""
    w = _widths(widths)
    B = require_int("batch", batch)
    steps = []
    for n_out in w[1:]:
        steps += [("dense", B * n_out), ("activation", B * n_out)]
    return steps


def mlp_cache_bytes(widths: Sequence[int], batch: int = 1, dtype: str = "float64") -> int:
    """Bytes the caches of one `course_lib.mlp.MLP` forward pass keep: s B (n(0) + n(1) + ... + n(L)).

    The input batch and every layer's output a(k) (layer k keeps a(k-1) as
    its input and a(k) for g'). Derived in notebooks/10_memory_precision_energy.ipynb.
    """
    w = _widths(widths)
    return cache_bytes(require_int("batch", batch) * w[0], mlp_steps(w, batch), dtype)


def _layer_segments(widths: Sequence[int], segments: int) -> list[tuple[int, int]]:
    return split_layers(len(_widths(widths)) - 1, segments)


def mlp_checkpoint_peak_bytes(
    widths: Sequence[int], batch: int = 1, segments: int = 1, dtype: str = "float64"
) -> int:
    """Peak activation bytes of `course_lib.mlp.checkpoint` with ``segments`` segments of layers.

    Each layer is two steps (dense, activation), the segments those of
    `split_layers`. For L layers of width n and k dividing L: s B n (k + L/k).
    ``segments=1`` gives `mlp_cache_bytes`. Derived in notebooks/10_memory_precision_energy.ipynb.
    """
    w = _widths(widths)
    steps = [(2 * a, 2 * b) for a, b in _layer_segments(w, segments)]
    return checkpoint_peak_bytes(require_int("batch", batch) * w[0], mlp_steps(w, batch), steps, dtype)


def mlp_checkpoint_extra_cost(widths: Sequence[int], batch: int = 1, segments: int = 1) -> Cost:
    """Operations checkpointing adds to a training step: the forward of every layer outside the last segment.

    Sum of `layer_forward_cost` over segments 1..k-1 (the last segment keeps
    its caches from the first pass). For L equal layers and k | L that is
    (1 - 1/k) of a forward pass. Derived in notebooks/10_memory_precision_energy.ipynb.
    """
    w = _widths(widths)
    B = require_int("batch", batch)
    last_first = _layer_segments(w, segments)[-1][0]
    return sum((layer_forward_cost(w[k], w[k + 1], B) for k in range(last_first)), Cost())


def mlp_gradient_bytes(widths: Sequence[int], dtype: str = "float64") -> int:
    """Bytes of the parameter gradients of one backward pass: s x `mlp_params`."""
    return dtype_bytes(dtype) * mlp_params(widths)
