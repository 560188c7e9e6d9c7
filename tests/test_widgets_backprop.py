"""Tests of the backpropagation widget (notebooks/03_backpropagation.ipynb).

The expected numbers are closed forms written out here from the counting
conventions, not read from the widget or from `course_lib.complexity`. For a
layer n_in -> n_out and a batch of B samples, in FLOPs (multiplies + adds):

* forward z = x W + b: B n_out dot products of length n_in plus a bias each,
  n_in multiplies and n_in adds apiece: 2 B n_in n_out;
* dz = da * g'(z): B n_out multiplies;
* dW = x^T dz: n_in n_out dot products of length B: n_in n_out (2B - 1);
* db: n_out sums of B numbers: (B - 1) n_out adds;
* dx = dz W^T: B n_in dot products of length n_out: B n_in (2 n_out - 1), none in layer 1;
* SGD update: one multiply and one add per parameter, 2 (n_in n_out + n_out);
* mean squared error over N = B n_L outputs: 2N multiplies, 2N - 1 adds, 2 divides.

One setting is also cross-checked against a counted run of `course_lib.mlp`.
"""

from __future__ import annotations

import html
import re
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from course_lib import ops
from course_lib.counting import count_ops
from course_lib.mlp import (
    MLP,
    activation_backward,
    activation_forward,
    dense_backward,
    dense_forward,
    mse_loss,
)
from course_lib.widgets.backprop import (
    MAX_BATCH,
    MAX_LAYERS,
    MAX_WIDTH,
    backprop_explorer,
    backprop_report,
    parse_widths,
)

COLUMNS = ("forward", "dz", "dW", "db", "dx", "backward", "update", "step")

WIDTH_STRINGS = [
    "784,256,10",
    "1024,1024",
    "1,1",
    "3,2",
    "2048,1",
    "1,2048",
    "64,64,64,64,64",
    " 5 , 7,3 ",
    ",".join(["2048"] * (MAX_LAYERS + 1)),
    ",".join(str(1 + 255 * i) for i in range(MAX_LAYERS + 1)),
]


def expected_layer(n_in: int, n_out: int, B: int, first: bool) -> dict[str, int]:
    """The closed forms of the module docstring for one layer."""
    row = {
        "forward": 2 * B * n_in * n_out,
        "dz": B * n_out,
        "dW": n_in * n_out * (2 * B - 1),
        "db": (B - 1) * n_out,
        "dx": 0 if first else B * n_in * (2 * n_out - 1),
        "update": 2 * (n_in * n_out + n_out),
    }
    row["backward"] = row["dz"] + row["dW"] + row["db"] + row["dx"]
    row["step"] = row["forward"] + row["backward"] + row["update"]
    return row


def parse_table(text: str) -> dict[str, dict[str, int]]:
    """Rows of the report's table, keyed by layer number or "total", the columns as ints."""
    table = {}
    number = r"\s+([\d,]+)"
    pattern = re.compile(rf"^\s*(\d+|total)\s+(?:\d+ -> \d+)?{number * len(COLUMNS)}\s+(\d+\.\d{{4}})$")
    for line in text.splitlines():
        match = pattern.match(line)
        if match:
            values = [int(group.replace(",", "")) for group in match.groups()[1:-1]]
            table[match.group(1)] = dict(zip(COLUMNS, values, strict=True))
            table[match.group(1)]["ratio"] = match.groups()[-1]
    return table


def check_report(widths_text: str, B: int) -> None:
    widths = [int(part) for part in widths_text.split(",")]
    L = len(widths) - 1
    text = backprop_report(widths_text, B)
    table = parse_table(text)
    assert len(table) == L + 1, text
    totals = dict.fromkeys(COLUMNS, 0)
    for k in range(1, L + 1):
        expected = expected_layer(widths[k - 1], widths[k], B, first=k == 1)
        row = table[str(k)]
        assert {key: row[key] for key in COLUMNS} == expected, (k, text)
        assert row["ratio"] == f"{float(Fraction(expected['backward'], expected['forward'])):.4f}"
        for key in COLUMNS:
            totals[key] += expected[key]
    assert {key: table["total"][key] for key in COLUMNS} == totals
    forward, backward = totals["forward"], totals["backward"]
    assert table["total"]["ratio"] == f"{float(Fraction(backward, forward)):.4f}"

    params = sum(widths[k - 1] * widths[k] + widths[k] for k in range(1, L + 1))
    assert f"L = {L} layer{'s' if L > 1 else ''}, {params:,} parameters" in text
    g = B * sum(widths[1:])
    assert f"forward g {g:,}, backward g' {g:,}" in text
    N = B * widths[-1]
    loss = 2 * N + (2 * N - 1) + 2
    assert f"its gradient: {loss:,} FLOPs" in text
    assert f"training step = forward + loss + backward + update: {totals['step'] + loss:,} FLOPs" in text
    with_g = f"{float(Fraction(backward + g, forward + g)):.4f}"
    assert f"backward / forward = {float(Fraction(backward, forward)):.4f} in FLOPs, {with_g}" in text
    limit = 2 - Fraction(1, L) - Fraction(1, 2 * B)
    assert f"2 - 1/L - 1/(2B) = {float(limit):.4f}" in text


@pytest.mark.parametrize("widths_text", ["784,256,10", "64,64,64,64,64", "1,1"])
def test_whole_batch_range(widths_text: str) -> None:
    for B in range(1, MAX_BATCH + 1):
        check_report(widths_text, B)


@pytest.mark.parametrize("widths_text", WIDTH_STRINGS)
@pytest.mark.parametrize("B", [1, 2, 3, 64, 127, MAX_BATCH])
def test_width_strings(widths_text: str, B: int) -> None:
    check_report(widths_text, B)


@settings(max_examples=60, deadline=None)
@given(
    widths=st.lists(st.integers(1, MAX_WIDTH), min_size=2, max_size=MAX_LAYERS + 1),
    B=st.integers(1, MAX_BATCH),
)
@example(widths=[1, 1], B=1)
@example(widths=[MAX_WIDTH] * (MAX_LAYERS + 1), B=MAX_BATCH)
def test_random_networks(widths: list[int], B: int) -> None:
    check_report(",".join(map(str, widths)), B)


def test_hand_worked_example() -> None:
    """3 -> 2 -> 2, B = 2, worked by hand.

    Layer 1: forward 2*2*3*2 = 24; dz 4; dW 3*2*(2*2-1) = 18; db 2; dx 0 -> backward 24.
    Layer 2: forward 2*2*2*2 = 16; dz 4; dW 2*2*3 = 12; db 2; dx 2*2*3 = 12 -> backward 30.
    Ratio (24 + 30) / (24 + 16) = 1.35.
    """
    table = parse_table(backprop_report("3,2,2", 2))
    assert [table["1"][key] for key in COLUMNS[:6]] == [24, 4, 18, 2, 0, 24]
    assert [table["2"][key] for key in COLUMNS[:6]] == [16, 4, 12, 2, 12, 30]
    assert table["1"]["update"] == 16 and table["2"]["update"] == 12
    assert table["total"]["ratio"] == "1.3500"


def test_counted_mlp_run_agrees() -> None:
    """The report of 5,7,3 at B = 4 equals counts of a real forward, backward and step."""
    widths, B = [5, 7, 3], 4
    table = parse_table(backprop_report("5,7,3", B))
    model = MLP(widths, activation="tanh", seed=0)
    X = np.random.default_rng(1).standard_normal((B, widths[0]))
    Y = np.random.default_rng(2).standard_normal((B, widths[-1]))
    with count_ops() as forward:
        output = model.forward(X)
    _, dout = mse_loss(output, Y)
    with count_ops() as backward:
        model.backward(dout)
    with count_ops() as update:
        model.step(0.1)
    assert table["total"]["forward"] == forward.flops
    assert table["total"]["backward"] == backward.flops
    assert table["total"]["update"] == update.flops

    # the parts of every layer, one counter per part, on a forward pass written out layer by layer
    a, caches = X, []
    for p, g in zip(model.params, model.activations, strict=True):
        z, dense_cache = dense_forward(a, p["W"], p["b"])
        a, act_cache = activation_forward(z, g)
        caches.append((dense_cache, act_cache))
    da = mse_loss(a, Y)[1]
    for k in reversed(range(len(caches))):
        dense_cache, act_cache = caches[k]
        with count_ops() as dz_count:
            dz = activation_backward(da, act_cache)
        with count_ops() as db_count:
            ops.sum(dz, axis=0)
        with count_ops() as no_dx:
            dense_backward(dz, dense_cache, need_dx=False)
        with count_ops() as with_dx:
            da, _, _ = dense_backward(dz, dense_cache, need_dx=True)
        row = table[str(k + 1)]
        assert row["dz"] == dz_count.flops
        assert row["db"] == db_count.flops
        assert row["dW"] == no_dx.flops - db_count.flops
        assert row["dx"] == (with_dx.flops - no_dx.flops if k > 0 else 0)


def test_report_is_deterministic_and_accepts_numpy_batch() -> None:
    assert backprop_report("784,256,10", 64) == backprop_report("784,256,10", np.int64(64))


def test_parse_widths() -> None:
    assert parse_widths(" 784, 256 ,10") == [784, 256, 10]
    assert parse_widths(",".join(["1"] * (MAX_LAYERS + 1))) == [1] * (MAX_LAYERS + 1)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "784",
        "784,",
        ",10",
        "784,,10",
        "784;256",
        "784,256.0",
        "784,-3",
        "0,5",
        f"5,{MAX_WIDTH + 1}",
        ",".join(["4"] * (MAX_LAYERS + 2)),
        "7,x",
        "1e3,4",
        "٣,4",  # an Arabic-Indic digit: str.isdigit accepts it, the widths do not
        None,
        [784, 10],
        784,
    ],
)
def test_bad_widths_name_the_argument(bad: object) -> None:
    with pytest.raises(ValueError, match=r"^widths must be text such as '784,256,10'"):
        backprop_report(bad, 4)


@pytest.mark.parametrize("bad", [0, -1, MAX_BATCH + 1, 2.0, "4", None, True])
def test_bad_batch_names_the_argument(bad: object) -> None:
    with pytest.raises(ValueError, match=rf"^batch must be an integer between 1 and {MAX_BATCH}"):
        backprop_report("4,3", bad)


def _panel_text(explorer: object) -> str:
    value = explorer.panel.value
    assert value.startswith("<pre>") and value.endswith("</pre>")
    return html.unescape(value[len("<pre>") : -len("</pre>")])


def test_explorer_controls_and_updates() -> None:
    explorer = backprop_explorer()
    assert list(explorer.controls) == ["widths", "batch"]
    slider = explorer.controls["batch"]
    assert (slider.min, slider.max) == (1, MAX_BATCH)
    assert _panel_text(explorer) == backprop_report("784,256,10", 64)
    slider.value = 1
    assert parse_table(_panel_text(explorer))["1"]["forward"] == 2 * 784 * 256
    explorer.controls["widths"].value = "10,20,30"
    assert explorer.values() == {"widths": "10,20,30", "batch": 1}
    assert parse_table(_panel_text(explorer))["2"]["dx"] == 20 * (2 * 30 - 1)


def test_explorer_shows_bad_input_instead_of_raising() -> None:
    explorer = backprop_explorer(widths="8,4", batch=2)
    explorer.controls["widths"].value = "8,four"
    text = _panel_text(explorer)
    assert text.startswith("invalid input: widths must be")
    assert "'four'" in text
    explorer.controls["widths"].value = "8,4"
    assert parse_table(_panel_text(explorer))["1"]["forward"] == 2 * 2 * 8 * 4
