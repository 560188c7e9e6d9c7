"""The network diagram (course_lib.diagrams.network, notebook 02): its written numbers against counted runs.

Every expected number is computed here, independently of `course_lib.complexity`:
by hand (a layer n_in -> n_out does n_in n_out multiply-adds per sample) and by
running the real dense layer and activation under the operation counter.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

from course_lib.counting import count_ops
from course_lib.diagrams.network import MAX_DRAWN, draw_network
from course_lib.mlp import activation_forward, dense_forward


def texts(fig) -> list[str]:
    (ax,) = fig.axes
    return [t.get_text() for t in ax.texts]


def cost_boxes(fig) -> list[str]:
    (ax,) = fig.axes
    return [t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("cost ")]


def number(text: str) -> int:
    return int(text.replace(",", ""))


def counted_layers(widths: tuple[int, ...], batch: int) -> list[dict[str, int]]:
    """Each layer run under its own counter: dense_forward then ReLU on a (batch, n_in) input."""
    rng = np.random.default_rng(0)
    out = []
    for n_in, n_out in itertools.pairwise(widths):
        with count_ops() as counter:
            z, _ = dense_forward(
                rng.standard_normal((batch, n_in)), rng.standard_normal((n_in, n_out)), np.zeros(n_out)
            )
            activation_forward(z, "relu")
        out.append(counter.as_dict())
    return out


def test_worked_example_4_6_5_3_by_hand() -> None:
    fig = draw_network((4, 6, 5, 3))
    boxes = cost_boxes(fig)
    assert boxes == [
        "4 × 6\n= 24 MACs\n48 FLOPs",
        "6 × 5\n= 30 MACs\n60 FLOPs",
        "5 × 3\n= 15 MACs\n30 FLOPs",
    ]
    # 24 + 30 + 15 = 69 multiply-adds; 6 + 5 + 3 = 14 activations
    title = fig.axes[0].get_title()
    assert "69 MACs = 138 FLOPs" in title and "14 activations" in title and "one sample" in title
    assert "n(0) = 4\ninput" in texts(fig)
    assert "n(2) = 5\n5 activations" in texts(fig)


@pytest.mark.parametrize(
    ("widths", "batch"),
    [((4, 6, 5, 3), 1), ((3, 4, 2), 7), ((784, 256, 128, 10), 64), ((1, 1), 1), ((9, 2), 3)],
)
def test_numbers_match_counted_runs(widths: tuple[int, ...], batch: int) -> None:
    fig = draw_network(widths, batch)
    counted = counted_layers(widths, batch)
    boxes = cost_boxes(fig)
    assert len(boxes) == len(widths) - 1
    for k, (box, count) in enumerate(zip(boxes, counted, strict=True), start=1):
        macs, flops = (number(m) for m in re.findall(r"= ([\d,]+) MACs\n([\d,]+) FLOPs", box)[0])
        assert macs == count["multiplies"] == count["adds"] == batch * widths[k - 1] * widths[k]
        assert flops == count["flops"]
        assert f"n({k}) = {widths[k]:,}\n{count['activations']:,} activations" in texts(fig)
    title = fig.axes[0].get_title()
    total_macs = sum(c["multiplies"] for c in counted)
    assert f"{total_macs:,} MACs = {sum(c['flops'] for c in counted):,} FLOPs" in title
    assert f"{sum(c['activations'] for c in counted):,} activations" in title


@pytest.mark.parametrize("widths", [(4, 6, 5, 3), (20, 3, 9), (100, 8, 9)])
def test_one_circle_per_neuron_up_to_the_cap(widths: tuple[int, ...]) -> None:
    (ax,) = draw_network(widths).axes
    for k, n in enumerate(widths):
        (layer,) = [c for c in ax.collections if c.get_gid() == f"layer {k}"]
        drawn = len(layer.get_offsets())
        assert drawn == (n if n <= MAX_DRAWN else MAX_DRAWN - 1)
    ellipses = sum(t.get_text() == "⋮" for t in ax.texts)
    assert ellipses == sum(n > MAX_DRAWN for n in widths)


def test_edges_join_every_drawn_pair() -> None:
    (ax,) = draw_network((4, 6, 5, 3)).axes
    assert len(ax.lines) == 4 * 6 + 6 * 5 + 5 * 3


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"widths": (4,)}, "widths"),
        ({"widths": "4,0,3"}, "widths"),
        ({"widths": "4,x"}, "widths"),
        ({"widths": (2,) * 8}, "widths"),
        ({"widths": (4, 3), "batch": 0}, "batch"),
        ({"widths": (4, 3), "batch": True}, "batch"),
    ],
)
def test_bad_input_names_the_argument(kwargs: dict[str, object], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        draw_network(**kwargs)
