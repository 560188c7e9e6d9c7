"""Tests of the forward-propagation widget (course_lib.widgets.forward, notebooks/02_forward_propagation.ipynb).

Every expected number is computed here, independently of the module: from the
closed forms of a dense layer n_in -> n_out on a batch of B samples (B n_in n_out
multiplies, B (n_in - 1) n_out + B n_out adds, B n_out activations, weights and
biases n_in n_out + n_out) and from counted runs of the real `MLP.forward`
under `count_ops`. The report takes its numbers from `course_lib.complexity`,
so the counted runs are what make these tests able to fail.
"""

from __future__ import annotations

import html
import itertools
import re
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from course_lib.counting import count_ops
from course_lib.mlp import MLP, activation_forward, dense_forward
from course_lib.widgets.forward import (
    BAR_WIDTH,
    MAX_BATCH,
    MAX_LAYERS,
    MAX_WIDTH,
    forward_explorer,
    forward_panel,
    forward_report,
    parse_widths,
)

WIDTH_STRINGS = {
    "784,256,128,10": (784, 256, 128, 10),
    "3,4,2": (3, 4, 2),
    "1,1": (1, 1),
    "2048 2048": (2048, 2048),
    " 10, 20 ,30 ": (10, 20, 30),
    "64,64,64,64,64,64,64,64,64": (64,) * 9,
    "1,2048,1": (1, 2048, 1),
    "100,10,100,10,": (100, 10, 100, 10),
    "7,5,3,1,3,5,7": (7, 5, 3, 1, 3, 5, 7),
}

LAYER_ROW = re.compile(
    r"\s*(\d+)\s+(\d+) -> +(\d+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d.]+)%  (#*)"
)
TOTAL_ROW = re.compile(r"total\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+100\.0%")


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def closed_form_layers(widths: tuple[int, ...], batch: int) -> list[dict[str, int]]:
    """Per layer, by hand: one dot product of length n_in plus a bias per output and sample."""
    layers = []
    for n_in, n_out in itertools.pairwise(widths):
        multiplies = batch * n_out * n_in
        adds = batch * n_out * ((n_in - 1) + 1)
        layers.append(
            {"multiplies": multiplies, "adds": adds, "flops": multiplies + adds, "activations": batch * n_out}
        )
    return layers


def expected_bar(flops: int, biggest: int) -> int:
    """Bar length: BAR_WIDTH * flops / biggest rounded half up (Fractions, no floats), at least 1."""
    exact = Fraction(BAR_WIDTH * flops, biggest)
    return max(1, int(exact + Fraction(1, 2)))


def parse_report(text: str) -> dict[str, object]:
    """Layer rows, total row and the summary lines of a report."""
    lines = text.splitlines()
    rows = [m for m in (LAYER_ROW.fullmatch(line) for line in lines) if m]
    totals = [m for m in (TOTAL_ROW.fullmatch(line.strip()) for line in lines) if m]
    assert len(totals) == 1, text
    return {
        "rows": [
            {
                "k": int(m[1]),
                "n_in": int(m[2]),
                "n_out": int(m[3]),
                "multiplies": _int(m[4]),
                "adds": _int(m[5]),
                "flops": _int(m[6]),
                "activations": _int(m[7]),
                "share": m[8],
                "bar": len(m[9]),
            }
            for m in rows
        ],
        "total": dict(
            zip(("multiplies", "adds", "flops", "activations"), map(_int, totals[0].groups()), strict=True)
        ),
        "lines": lines,
    }


def check_report(widths: tuple[int, ...], batch: int, text: str) -> None:
    """Every number of ``text`` against the closed forms."""
    report = parse_report(text)
    layers = closed_form_layers(widths, batch)
    total = {kind: sum(layer[kind] for layer in layers) for kind in layers[0]}
    biggest = max(layer["flops"] for layer in layers)
    assert len(report["rows"]) == len(widths) - 1
    for k, (row, layer) in enumerate(zip(report["rows"], layers, strict=True), start=1):
        assert (row["k"], row["n_in"], row["n_out"]) == (k, widths[k - 1], widths[k])
        assert {kind: row[kind] for kind in layer} == layer
        assert row["share"] == f"{100 * layer['flops'] / total['flops']:.1f}"
        assert row["bar"] == expected_bar(layer["flops"], biggest)
    assert report["total"] == total
    assert max(row["bar"] for row in report["rows"]) == BAR_WIDTH

    lines = report["lines"]
    assert (
        lines[0]
        == f"MLP {' -> '.join(map(str, widths))}: {len(layers)} layer{'s' * (len(layers) > 1)}, batch B = {batch}"
    )
    assert (
        f"MACs = multiplies = {total['multiplies']:,}; FLOPs = multiplies + adds = {total['flops']:,}"
        in lines
    )
    per_sample = 2 * sum(a * b for a, b in itertools.pairwise(widths))
    assert (
        f"per sample (divided by B = {batch}): {per_sample:,} FLOPs, {sum(widths[1:]):,} activations" in lines
    )
    params = sum(a * b + b for a, b in itertools.pairwise(widths))
    assert f"parameters (weights + biases): {params:,}" in lines
    first_biggest = next(k for k, layer in enumerate(layers, start=1) if layer["flops"] == biggest)
    assert lines[-1] == (
        f"biggest layer: layer {first_biggest} ({widths[first_biggest - 1]} -> {widths[first_biggest]}), "
        f"{100 * biggest / total['flops']:.1f}% of the FLOPs"
    )


def test_hand_worked_example() -> None:
    """3 -> 4 -> 2, one sample: layer 1 is 4 dot products of length 3 plus biases, layer 2 is 2 of length 4."""
    report = parse_report(forward_report("3,4,2", 1))
    assert [(r["multiplies"], r["adds"], r["flops"], r["activations"]) for r in report["rows"]] == [
        (12, 12, 24, 4),
        (8, 8, 16, 2),
    ]
    assert report["total"] == {"multiplies": 20, "adds": 20, "flops": 40, "activations": 6}
    assert [r["share"] for r in report["rows"]] == ["60.0", "40.0"]
    assert [r["bar"] for r in report["rows"]] == [40, 27]  # 40 * 16 / 24 = 26.67 -> 27
    assert "parameters (weights + biases): 26" in report["lines"]  # 3*4 + 4 + 4*2 + 2


@pytest.mark.parametrize(("text", "widths"), WIDTH_STRINGS.items())
def test_width_strings_over_the_whole_batch_range(text: str, widths: tuple[int, ...]) -> None:
    assert parse_widths(text) == widths
    for batch in range(1, MAX_BATCH + 1):
        check_report(widths, batch, forward_report(text, batch))


@settings(max_examples=40, deadline=None)
@given(
    widths=st.lists(st.integers(1, MAX_WIDTH), min_size=2, max_size=MAX_LAYERS + 1).map(tuple),
    batch=st.integers(1, MAX_BATCH),
    as_text=st.booleans(),
)
@example(widths=(MAX_WIDTH,) * (MAX_LAYERS + 1), batch=MAX_BATCH, as_text=True)
@example(widths=(1, 1), batch=1, as_text=False)
def test_random_architectures_match_closed_forms(widths: tuple[int, ...], batch: int, as_text: bool) -> None:
    given_widths = ",".join(map(str, widths)) if as_text else widths
    check_report(widths, batch, forward_report(given_widths, batch))


def counted_per_layer(widths: tuple[int, ...], batch: int) -> tuple[list[dict[str, int]], dict[str, int]]:
    """Counted per-layer costs (the layers of an MLP run one by one) and the counted MLP.forward total."""
    model = MLP(list(widths), seed=0)
    X = np.zeros((batch, widths[0]))
    with count_ops() as whole:
        model.forward(X)
    layers, a = [], X
    for params, g in zip(model.params, model.activations, strict=True):
        with count_ops() as layer:
            z, _ = dense_forward(a, params["W"], params["b"])
            a, _ = activation_forward(z, g)
        layers.append(
            {
                "multiplies": layer.multiplies,
                "adds": layer.adds,
                "flops": layer.flops,
                "activations": layer.activations,
            }
        )
    total = {kind: whole.as_dict()[kind] for kind in ("multiplies", "adds", "flops", "activations")}
    return layers, total


@pytest.mark.parametrize(
    ("text", "batch"),
    [
        ("784,256,128,10", 1),
        ("784,256,128,10", 64),
        ("3,4,2", 5),
        ("1,1", 1024),
        ("7,5,3,1,3,5,7", 13),
        ("64 64 64 64 64 64 64 64 64", 3),
        ("1,300,1", 32),
        ("50,2", 1000),
    ],
)
def test_report_equals_counted_mlp_forward(text: str, batch: int) -> None:
    widths = parse_widths(text)
    counted_layers, counted_total = counted_per_layer(widths, batch)
    report = parse_report(forward_report(text, batch))
    assert [{kind: row[kind] for kind in counted_layers[0]} for row in report["rows"]] == counted_layers
    assert report["total"] == counted_total


@settings(max_examples=25, deadline=None)
@given(
    widths=st.lists(st.integers(1, 40), min_size=2, max_size=MAX_LAYERS + 1).map(tuple),
    batch=st.integers(1, 40),
)
def test_report_equals_counted_mlp_forward_random(widths: tuple[int, ...], batch: int) -> None:
    counted_layers, counted_total = counted_per_layer(widths, batch)
    report = parse_report(forward_report(widths, batch))
    assert [{kind: row[kind] for kind in counted_layers[0]} for row in report["rows"]] == counted_layers
    assert report["total"] == counted_total


def test_numpy_integers_and_lists_are_accepted() -> None:
    assert forward_report([np.int64(5), np.int32(3)], np.int64(2)) == forward_report("5,3", 2)
    assert forward_report((5, 3), 2) == forward_report("5 3", 2)


def test_report_is_deterministic() -> None:
    assert forward_report("784,256,128,10", 64) == forward_report("784,256,128,10", 64)


@pytest.mark.parametrize(
    ("widths", "message"),
    [
        ("", "widths is empty"),
        ("   ", "widths is empty"),
        (",,", "widths is empty"),
        ("784", "widths must list 2 to 9 sizes"),
        ("784,abc", r"widths must be whole numbers .*widths\[1\] is 'abc'"),
        ("784,12.5", r"widths\[1\] is '12.5'"),
        ("1e3,10", r"widths\[0\] is '1e3'"),
        ("784,0", r"widths\[1\] must be between 1 and 2048, got 0"),
        ("-5,10", r"widths\[0\] must be between 1 and 2048, got -5"),
        ("784,2049", r"widths\[1\] must be between 1 and 2048, got 2049"),
        (",".join(["4"] * (MAX_LAYERS + 2)), "widths must list 2 to 9 sizes .* got 10"),
        ((784,), "widths must list 2 to 9 sizes"),
        ((), "widths must list 2 to 9 sizes"),
        ((784, 2.0), r"widths\[1\] must be an integer, got 2.0"),
        ((True, 3), r"widths\[0\] must be an integer, got True"),
        ((3, 0), r"widths\[1\] must be between 1 and 2048, got 0"),
        (784, "widths must be text"),
        (None, "widths must be text"),
        (b"784,10", "widths must be text"),
    ],
)
def test_bad_widths_raise_value_error_naming_widths(widths: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        forward_report(widths, 1)
    assert forward_panel(widths, 1).startswith("invalid input: widths")


@pytest.mark.parametrize("batch", [0, -1, MAX_BATCH + 1, 2.0, 2.5, "3", None, True])
def test_bad_batch_raises_value_error_naming_batch(batch: object) -> None:
    with pytest.raises(ValueError, match=rf"^batch must be an integer between 1 and {MAX_BATCH}"):
        forward_report("3,4", batch)
    assert forward_panel("3,4", batch).startswith("invalid input: batch must be an integer")


def _panel_text(explorer: object) -> str:
    value = explorer.panel.value
    assert value.startswith("<pre>") and value.endswith("</pre>")
    return html.unescape(value[len("<pre>") : -len("</pre>")])


def test_explorer_controls_and_slider_range() -> None:
    explorer = forward_explorer()
    assert list(explorer.controls) == ["widths", "batch"]
    slider = explorer.controls["batch"]
    assert (slider.min, slider.max, slider.value) == (1, MAX_BATCH, 64)
    assert explorer.controls["widths"].continuous_update is False
    check_report((784, 256, 128, 10), 64, _panel_text(explorer))


def test_explorer_updates_and_shows_errors_instead_of_raising() -> None:
    explorer = forward_explorer(widths="3,4,2", batch=1)
    check_report((3, 4, 2), 1, _panel_text(explorer))
    explorer.controls["batch"].value = 10
    check_report((3, 4, 2), 10, _panel_text(explorer))
    explorer.controls["widths"].value = "3,4,abc"  # a typo: no exception, a message in the panel
    text = _panel_text(explorer)
    assert text.startswith("invalid input: widths must be whole numbers")
    assert "'abc'" in text
    explorer.controls["widths"].value = "3,0"
    assert _panel_text(explorer).startswith("invalid input: widths[1] must be between 1 and 2048")
    explorer.controls["widths"].value = ""
    assert _panel_text(explorer).startswith("invalid input: widths is empty")
    explorer.controls["widths"].value = "10,20,5"
    check_report((10, 20, 5), 10, _panel_text(explorer))


def test_explorer_rejects_a_batch_outside_the_slider_range() -> None:
    with pytest.raises(ValueError, match="outside"):
        forward_explorer(batch=MAX_BATCH + 1)
