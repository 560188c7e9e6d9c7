"""The computational graph of a small MLP: forward nodes, backward nodes, and what the forward pass caches.

For widths n(0), ..., n(L) (L = 2 or 3 layers) and a batch of B samples the
diagram draws, left to right, the forward pass of the course's `MLP`

    X -> Z1 = X W1 + b1 -> A1 = g(Z1) -> ... -> AL -> loss,

and under it, right to left, the backward pass: dl/dA(k), dl/dZ(k) =
dl/dA(k) * g'(Z(k)) and the parameter gradients dl/dW(k) = A(k-1)^T dl/dZ(k),
dl/db(k) (column sums), with dl/dA(k-1) = dl/dZ(k) W(k)^T for k >= 2 (layer 1
needs no input gradient). The arrays the forward pass keeps for the backward
pass are highlighted in the memory colour, each with its element count:
the input X (for dl/dW1) and every layer's output A(k) (for dl/dW(k+1) and for
g', computed from A(k)), B n(k) elements each,

    cached elements = B (n(0) + n(1) + ... + n(L)),

taken from `course_lib.complexity.memory` (`mlp_steps` for each array,
`mlp_cache_bytes` for the total), never typed in. Inference can drop each
array once the next layer has read it. Derived and counted in
notebooks/03_backpropagation.ipynb (and, with checkpointing, in
notebooks/10_memory_precision_energy.ipynb).
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from course_lib.complexity.memory import dtype_bytes, mlp_cache_bytes, mlp_steps
from course_lib.plotting import COLORS
from course_lib.reports.base import new_figure
from course_lib.validation import parse_int_list, require_int

__all__ = ["cached_elements", "draw_computational_graph"]

LAYER_RANGE = (2, 3)
"""Numbers of dense layers L the diagram draws (more would not fit a slide)."""

MAX_WIDTH = 100_000
"""Largest width of a layer."""

MAX_BATCH = 100_000
"""Largest batch B."""

_FONT = 9.5
_NODE_W, _NODE_H = 0.58, 0.5
_Y_FORWARD, _Y_BACKWARD, _Y_GRADIENT, _Y_PARAMS = 2.55, 1.15, 0.1, 3.55


def _checked(widths: Sequence[int] | str, batch: int) -> tuple[tuple[int, ...], int]:
    w = parse_int_list(
        "widths", widths, low=1, high=MAX_WIDTH, min_len=LAYER_RANGE[0] + 1, max_len=LAYER_RANGE[1] + 1
    )
    return w, require_int("batch", batch, 1, MAX_BATCH)


def cached_elements(widths: Sequence[int] | str, batch: int) -> list[tuple[str, int]]:
    """The arrays the forward pass caches, as (name, elements): X with B n(0), then A1..AL with B n(k).

    Element counts from `course_lib.complexity.memory.mlp_steps` (each
    activation step's output) and the input batch; their sum times the bytes
    per element is `mlp_cache_bytes` (checked here).
    """
    w, B = _checked(widths, batch)
    outputs = [elements for kind, elements in mlp_steps(w, B) if kind == "activation"]
    arrays = [("X", B * w[0])] + [(f"A{k}", e) for k, e in enumerate(outputs, start=1)]
    assert sum(e for _, e in arrays) * dtype_bytes("float64") == mlp_cache_bytes(w, B, "float64")
    return arrays


def _node(
    ax: Axes,
    x: float,
    y: float,
    text: str,
    colour: str,
    *,
    count: int | None = None,
    gid: str = "",
    width: float = _NODE_W,
) -> None:
    """A rounded box at (x, y); a cached array (``count`` given) is outlined in the memory colour, count inside."""
    cached = count is not None
    height = _NODE_H + (0.14 if cached else 0)
    box = FancyBboxPatch(
        (x - width / 2, y - height / 2),
        width,
        height,
        boxstyle="round,pad=0.02,rounding_size=0.08",
        facecolor="#F6E3EE" if cached else "white",
        edgecolor=COLORS["memory"] if cached else colour,
        linewidth=2.6 if cached else 1.4,
        zorder=2,
    )
    ax.add_patch(box)
    if not cached:
        ax.text(x, y, text, ha="center", va="center", fontsize=_FONT + 1, zorder=3)
        return
    ax.text(x, y + 0.11, text, ha="center", va="center", fontsize=_FONT + 1, zorder=3)
    ax.text(
        x,
        y - 0.15,
        f"{count:,}",
        ha="center",
        va="center",
        fontsize=_FONT,
        color=COLORS["memory"],
        fontweight="bold",
        zorder=3,
        gid=gid,
    )


def _arrow(
    ax: Axes,
    start: tuple[float, float],
    end: tuple[float, float],
    colour: str,
    *,
    dashed: bool = False,
    rad: float = 0.0,
) -> None:
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=11,
            color=colour,
            linewidth=1.1 if dashed else 1.5,
            linestyle=(0, (3, 2)) if dashed else "-",
            connectionstyle=f"arc3,rad={rad}",
            shrinkA=0,
            shrinkB=0,
            zorder=1,
        )
    )


def draw_computational_graph(widths: Sequence[int] | str = (784, 256, 10), batch: int = 64) -> Figure:
    """The computational graph of an MLP of ``widths`` (L = 2 or 3 layers) at batch ``batch``, as a Figure.

    Forward nodes (top row, blue arrows), backward nodes (middle row, orange
    arrows, right to left; dZ stands for dl/dZ), parameter gradients (bottom
    row), and the cached arrays X, A1, ..., AL outlined in the memory colour
    with their element counts B n(k) inside (`cached_elements`); dashed
    memory-coloured arrows go from each cache to the backward steps that read
    it. The caption gives the total, B sum n(k) elements, and its bytes in
    float64 (`mlp_cache_bytes`). The count texts have gids "cache-X",
    "cache-A1", ..., and the caption "cache-total".
    """
    w, B = _checked(widths, batch)
    n_layers = len(w) - 1
    caches = dict(cached_elements(w, B))
    columns = 2 * n_layers + 2  # X, (Z, A) per layer, loss
    fig, ax = new_figure(1.15 * columns + 0.3, 4.9)
    ax.set_xlim(-0.55, columns - 0.45)
    ax.set_ylim(-0.8, 4.3)
    ax.set_axis_off()
    blue, orange, grad, mem, par = (
        COLORS[key] for key in ("forward", "backward", "gradient", "memory", "parameters")
    )
    half, top, low = _NODE_W / 2, _NODE_H / 2 + 0.07, _NODE_H / 2

    def label(x: float, y: float, text: str, colour: str) -> None:
        ax.text(x, y, text, ha="center", va="bottom", fontsize=_FONT, color=colour, zorder=3)

    # ---- forward row, left to right; the parameters feed each Z from above
    _node(ax, 0, _Y_FORWARD, "$X$", blue, count=caches["X"], gid="cache-X")
    for k in range(1, n_layers + 1):
        z, a, left = 2 * k - 1, 2 * k, 2 * k - 2
        _node(ax, z, _Y_FORWARD, f"$Z_{k}$", blue)
        _node(ax, a, _Y_FORWARD, f"$A_{k}$", blue, count=caches[f"A{k}"], gid=f"cache-A{k}")
        _arrow(ax, (left + half, _Y_FORWARD), (z - half, _Y_FORWARD), blue)
        label(left + 0.5, _Y_FORWARD + 0.06, "$\\cdot W{+}b$", blue)
        _arrow(ax, (z + half, _Y_FORWARD), (a - half, _Y_FORWARD), blue)
        label(z + 0.5, _Y_FORWARD + 0.08, "$g$", blue)
        _node(ax, z - 0.5, _Y_PARAMS, f"$W_{k},\\,b_{k}$", par, width=0.8)
        _arrow(ax, (z - 0.5, _Y_PARAMS - low), (z - 0.15, _Y_FORWARD + low), par)
    loss = columns - 1
    _node(ax, loss, _Y_FORWARD, "$\\ell$", blue)
    _arrow(ax, (loss - 1 + half, _Y_FORWARD), (loss - half, _Y_FORWARD), blue)

    # ---- backward row, right to left: dA(k) under A(k), dZ(k) under Z(k); gradients below dZ(k)
    _arrow(ax, (loss, _Y_FORWARD - low), (loss - 1 + 0.25, _Y_BACKWARD + low), orange)
    for k in range(n_layers, 0, -1):
        z, a = 2 * k - 1, 2 * k
        _node(ax, a, _Y_BACKWARD, f"$\\partial A_{k}$", orange)
        _node(ax, z, _Y_BACKWARD, f"$\\partial Z_{k}$", orange)
        _arrow(ax, (a - half, _Y_BACKWARD), (z + half, _Y_BACKWARD), orange)
        label(z + 0.5, _Y_BACKWARD + 0.06, "$\\odot g'$", orange)
        if k > 1:
            _arrow(ax, (z - half, _Y_BACKWARD), (z - 1 + half, _Y_BACKWARD), orange)
            label(z - 0.5, _Y_BACKWARD + 0.06, "$\\cdot W^{\\top}$", orange)
        _node(ax, z, _Y_GRADIENT, f"$\\partial W_{k},\\,\\partial b_{k}$", grad, width=0.9)
        _arrow(ax, (z, _Y_BACKWARD - low), (z, _Y_GRADIENT + low), orange)
        # the caches each step reads: A(k) for g' (from the output), A(k-1) or X for dW(k) = A(k-1)^T dZ(k)
        _arrow(ax, (a - 0.1, _Y_FORWARD - top), (z + 0.55, _Y_BACKWARD + 0.3), mem, dashed=True)
        _arrow(ax, (a - 1.9, _Y_FORWARD - top), (z - 0.45, _Y_GRADIENT + 0.1), mem, dashed=True, rad=0.12)

    total = sum(caches.values())
    shape = " -> ".join(str(v) for v in w)
    sizes = " + ".join(f"n{k}" for k in range(n_layers + 1))
    ax.text(
        -0.5,
        -0.7,
        f"MLP {shape}, batch B = {B}; dZ stands for dl/dZ. Outlined: the arrays kept for the\n"
        f"backward pass, B n(k) elements each, in all B({sizes}) = {total:,} elements"
        f" ({mlp_cache_bytes(w, B, 'float64') / 2**20:.2f} MiB in float64).",
        ha="left",
        va="bottom",
        fontsize=_FONT - 0.5,
        gid="cache-total",
    )
    ax.set_title("Backpropagation reads what the forward pass kept", fontsize=_FONT + 2)
    legend = (("forward", blue), ("backward", orange), ("gradients", grad), ("cached, read backward", mem))
    for i, (text, colour) in enumerate(legend):
        ax.text(-0.5 + 1.5 * i, 4.12, text, color=colour, fontsize=_FONT, ha="left", fontweight="bold")
    return fig
