"""The forward-cost report (course_lib.reports.forward, notebook 02): text and figure against closed forms.

Every expected number is computed here: a dense layer n_in -> n_out on a batch
of B samples costs B n_in n_out multiplies, B (n_in - 1) n_out + B n_out adds
(the bias included) and B n_out activations; parameters n_in n_out + n_out.
Counted runs of the real `MLP.forward` make the closed forms themselves able to fail.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from report_checks import assert_labelled, bar_heights

from course_lib.counting import count_ops
from course_lib.mlp import MLP, activation_forward, dense_forward
from course_lib.reports.forward import BATCH_RANGE, MAX_LAYERS, MAX_WIDTH, figure, report, text

MAX_BATCH = BATCH_RANGE[1]
LAYER_ROW = re.compile(r"\s*(\d+)\s+(\d+) -> +(\d+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d.]+)%")
TOTAL_ROW = re.compile(r"total\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+100\.0%")
KINDS = ("multiplies", "adds", "flops", "activations")


def _int(value: str) -> int:
    return int(value.replace(",", ""))


def closed_form_layers(widths: tuple[int, ...], batch: int) -> list[dict[str, int]]:
    """Per layer, by hand: one dot product of length n_in plus a bias per output and sample."""
    layers = []
    for n_in, n_out in itertools.pairwise(widths):
        multiplies, adds = batch * n_out * n_in, batch * n_out * ((n_in - 1) + 1)
        layers.append(
            {"multiplies": multiplies, "adds": adds, "flops": multiplies + adds, "activations": batch * n_out}
        )
    return layers


def parse(table: str) -> tuple[list[dict[str, object]], dict[str, int], list[str]]:
    lines = table.splitlines()
    rows = [m for m in (LAYER_ROW.fullmatch(line) for line in lines) if m]
    totals = [m for m in (TOTAL_ROW.fullmatch(line.strip()) for line in lines) if m]
    assert len(totals) == 1, table
    parsed = [
        {
            "k": int(m[1]),
            "n_in": int(m[2]),
            "n_out": int(m[3]),
            **dict(zip(KINDS, map(_int, m.groups()[3:7]), strict=True)),
            "share": m[8],
        }
        for m in rows
    ]
    return parsed, dict(zip(KINDS, map(_int, totals[0].groups()), strict=True)), lines


def check_text(widths: tuple[int, ...], batch: int, table: str) -> None:
    rows, totals, lines = parse(table)
    layers = closed_form_layers(widths, batch)
    total = {kind: sum(layer[kind] for layer in layers) for kind in KINDS}
    assert len(rows) == len(layers)
    for k, (row, layer) in enumerate(zip(rows, layers, strict=True), start=1):
        assert (row["k"], row["n_in"], row["n_out"]) == (k, widths[k - 1], widths[k])
        assert {kind: row[kind] for kind in KINDS} == layer
        assert row["share"] == f"{100 * layer['flops'] / total['flops']:.1f}"
    assert totals == total
    plural = "s" * (len(layers) > 1)
    assert lines[0] == f"MLP {' -> '.join(map(str, widths))}: {len(layers)} layer{plural}, batch B = {batch}"
    per_sample = 2 * sum(a * b for a, b in itertools.pairwise(widths))
    assert (
        f"per sample (divided by B = {batch}): {per_sample:,} FLOPs, {sum(widths[1:]):,} activations" in lines
    )
    params = sum(a * b + b for a, b in itertools.pairwise(widths))
    assert f"parameters (weights + biases): {params:,}" in lines
    biggest = max(layer["flops"] for layer in layers)
    first = next(k for k, layer in enumerate(layers, start=1) if layer["flops"] == biggest)
    assert lines[-1] == (
        f"biggest layer: layer {first} ({widths[first - 1]} -> {widths[first]}), "
        f"{100 * biggest / total['flops']:.1f}% of the FLOPs"
    )


def check_figure(widths: tuple[int, ...], batch: int) -> None:
    fig = figure(",".join(map(str, widths)), batch)
    assert_labelled(fig)
    (ax,) = fig.axes
    one = [layer["multiplies"] for layer in closed_form_layers(widths, 1)]
    np.testing.assert_array_equal(bar_heights(fig, "one sample"), one)
    np.testing.assert_array_equal(bar_heights(fig, "batch"), [batch * value for value in one])
    assert ax.get_yscale() == "log" and ax.get_ylim() == (0.5, 2e10)
    assert "multiplies" in ax.get_ylabel() and "count" in ax.get_ylabel()
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        f"{k}\n{a}->{b}" for k, (a, b) in enumerate(itertools.pairwise(widths), start=1)
    ]


def test_hand_worked_example() -> None:
    """3 -> 4 -> 2, one sample: layer 1 is 4 dot products of length 3 plus biases, layer 2 is 2 of length 4."""
    rows, totals, lines = parse(text("3,4,2", 1))
    assert [(r["multiplies"], r["adds"], r["flops"], r["activations"]) for r in rows] == [
        (12, 12, 24, 4),
        (8, 8, 16, 2),
    ]
    assert totals == {"multiplies": 20, "adds": 20, "flops": 40, "activations": 6}
    assert [r["share"] for r in rows] == ["60.0", "40.0"]
    assert "parameters (weights + biases): 26" in lines  # 3*4 + 4 + 4*2 + 2


def test_text_over_the_whole_batch_range() -> None:
    for batch in range(1, MAX_BATCH + 1):
        check_text((784, 256, 128, 10), batch, text("784,256,128,10", batch))


@pytest.mark.parametrize("widths", [(1, 1), (MAX_WIDTH,) * (MAX_LAYERS + 1), (7, 5, 3, 1, 3, 5, 7)])
@pytest.mark.parametrize("batch", [1, 2, 3, 127, MAX_BATCH])
def test_text_at_the_ends(widths: tuple[int, ...], batch: int) -> None:
    check_text(widths, batch, text(widths, batch))


@settings(max_examples=40, deadline=None)
@given(
    widths=st.lists(st.integers(1, MAX_WIDTH), min_size=2, max_size=MAX_LAYERS + 1).map(tuple),
    batch=st.integers(1, MAX_BATCH),
    as_text=st.booleans(),
)
@example(widths=(1, 1), batch=1, as_text=False)
def test_random_networks(widths: tuple[int, ...], batch: int, as_text: bool) -> None:
    check_text(widths, batch, text(",".join(map(str, widths)) if as_text else widths, batch))


@settings(max_examples=6, deadline=None)
@given(
    widths=st.lists(st.integers(1, MAX_WIDTH), min_size=2, max_size=MAX_LAYERS + 1).map(tuple),
    batch=st.integers(1, MAX_BATCH),
)
@example(widths=(MAX_WIDTH,) * (MAX_LAYERS + 1), batch=MAX_BATCH)
@example(widths=(1, 1), batch=1)
def test_figure_bars_are_the_closed_forms(widths: tuple[int, ...], batch: int) -> None:
    check_figure(widths, batch)


def test_report_is_text_and_figure() -> None:
    shown = report("5 3", 2)
    assert shown.text == text((5, 3), 2) and len(shown.figure.axes) == 1


@pytest.mark.parametrize(
    ("widths", "batch"), [((784, 256, 128, 10), 1), ((7, 5, 3, 1, 3, 5, 7), 13), ((1, 300, 1), 32)]
)
def test_text_equals_counted_mlp_forward(widths: tuple[int, ...], batch: int) -> None:
    model = MLP(list(widths), seed=0)
    x = np.zeros((batch, widths[0]))
    with count_ops() as whole:
        model.forward(x)
    counted, a = [], x
    for params, g in zip(model.params, model.activations, strict=True):
        with count_ops() as layer:
            z, _ = dense_forward(a, params["W"], params["b"])
            a, _ = activation_forward(z, g)
        counted.append({kind: getattr(layer, kind) for kind in KINDS})
    rows, totals, _ = parse(text(widths, batch))
    assert [{kind: row[kind] for kind in KINDS} for row in rows] == counted
    assert totals == {kind: whole.as_dict()[kind] for kind in KINDS}


@pytest.mark.parametrize(
    ("widths", "message"),
    [
        ("", "widths is empty"),
        ("784", "widths must be 2 to 9 integers between 1 and 2048, got 1"),
        ("784,abc", r"widths\[1\] is 'abc', not a whole number"),
        ("784,12.5", r"widths\[1\] is '12.5'"),
        ("784,0", r"widths\[1\] is 0"),
        ("784,2049", r"widths\[1\] is 2049"),
        (",".join(["4"] * (MAX_LAYERS + 2)), "got 10"),
        ((784, 2.0), r"widths\[1\] is 2.0, not an integer"),
        (784, "widths must be 2 to 9 integers"),
        (None, "widths must be 2 to 9 integers"),
    ],
)
def test_bad_widths_name_widths(widths: object, message: str) -> None:
    for function in (text, figure):
        with pytest.raises(ValueError, match=message):
            function(widths, 1)


@pytest.mark.parametrize("batch", [0, -1, MAX_BATCH + 1, 2.0, "3", None, True])
def test_bad_batch_names_batch(batch: object) -> None:
    with pytest.raises(ValueError, match=rf"^batch must be an integer between 1 and {MAX_BATCH}"):
        text("3,4", batch)
