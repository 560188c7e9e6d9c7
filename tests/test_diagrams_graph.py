"""The computational-graph diagram: the cache sizes written on it against the arrays an MLP really keeps."""

import numpy as np
import pytest

from course_lib.diagrams.graph import cached_elements, draw_computational_graph
from course_lib.mlp import MLP
from tests.report_checks import by_gid


def texts(fig):
    return [text.get_text() for ax in fig.axes for text in ax.texts]


def test_hand_worked_counts_on_the_figure():
    # 784 -> 256 -> 10 at B = 64: X is 64 x 784, A1 is 64 x 256, A2 is 64 x 10.
    fig = draw_computational_graph((784, 256, 10), 64)
    assert by_gid(fig, "cache-X").get_text() == "50,176"
    assert by_gid(fig, "cache-A1").get_text() == "16,384"
    assert by_gid(fig, "cache-A2").get_text() == "640"
    caption = by_gid(fig, "cache-total").get_text()
    assert "67,200 elements" in caption  # 50,176 + 16,384 + 640
    assert "0.51 MiB" in caption  # 8 x 67,200 bytes = 537,600 B = 0.513 MiB


@pytest.mark.parametrize(("widths", "batch"), [((5, 7, 3), 2), ((64, 128, 128, 10), 32), ((3, 1, 4, 1), 9)])
def test_counts_equal_the_arrays_the_mlp_keeps(widths, batch):
    # Independent count: run the real forward pass and list the distinct arrays in its caches
    # (by identity), leaving out the parameters, which are kept whether or not one trains.
    model = MLP(list(widths), "tanh", seed=0)
    model.forward(np.random.default_rng(1).standard_normal((batch, widths[0])))
    params = {id(p[name]) for p in model.params for name in ("W", "b")}
    kept = {}
    for dense_cache, act_cache in model._caches:
        for array in (dense_cache.x, act_cache.a):
            if id(array) not in params:
                kept[id(array)] = array.size
    expected = list(kept.values())  # X, A1, ..., AL in order of first appearance
    assert [elements for _, elements in cached_elements(widths, batch)] == expected
    fig = draw_computational_graph(widths, batch)
    names = ["X"] + [f"A{k}" for k in range(1, len(widths))]
    assert [int(by_gid(fig, f"cache-{name}").get_text().replace(",", "")) for name in names] == expected
    assert f"{sum(expected):,} elements" in by_gid(fig, "cache-total").get_text()


def test_every_layer_is_drawn_forward_and_backward():
    fig = draw_computational_graph((4, 6, 6, 2), 3)
    found = " ".join(texts(fig))
    for k in (1, 2, 3):
        for node in (f"$Z_{k}$", f"$A_{k}$", f"$\\partial Z_{k}$", f"$\\partial A_{k}$", f"\\partial W_{k}"):
            assert node in found
    assert "$Z_4$" not in found


@pytest.mark.parametrize(
    ("widths", "batch", "name"),
    [
        ((4, 5), 2, "widths"),
        ((4, 5, 6, 7, 8), 2, "widths"),
        ((4, 0, 3), 2, "widths"),
        ((4, 5, 3), 0, "batch"),
    ],
)
def test_bad_input_names_the_argument(widths, batch, name):
    with pytest.raises(ValueError, match=name):
        draw_computational_graph(widths, batch)
