"""The backpropagation report (course_lib.reports.backprop, notebook 03): text and figure against closed forms.

The expected numbers are closed forms written out here from the counting
conventions, not read from the report or from `course_lib.complexity`. For a
layer n_in -> n_out and a batch of B samples, in FLOPs (multiplies + adds):

* forward z = x W + b: B n_out dot products of length n_in plus a bias each: 2 B n_in n_out;
* dz = da * g'(z): B n_out multiplies;
* dW = x^T dz: n_in n_out dot products of length B: n_in n_out (2B - 1);
* db: n_out sums of B numbers: (B - 1) n_out adds;
* dx = dz W^T: B n_in dot products of length n_out: B n_in (2 n_out - 1), none in layer 1;
* SGD update: one multiply and one add per parameter, 2 (n_in n_out + n_out);
* mean squared error over N = B n_L outputs: 2N multiplies, 2N - 1 adds, 2 divides.

One setting is also cross-checked against a counted run of `course_lib.mlp`.
"""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from report_checks import assert_labelled, bar_heights, xy

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
from course_lib.reports.backprop import (
    BATCH_RANGE,
    MAX_LAYERS,
    MAX_WIDTH,
    RATIO_BATCHES,
    figure,
    report,
    text,
)

COLUMNS = ("forward", "dz", "dW", "db", "dx", "backward", "update", "step")
MAX_BATCH = BATCH_RANGE[1]


def expected_layer(n_in: int, n_out: int, B: int, first: bool) -> dict[str, int]:
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


def expected_layers(widths: list[int], B: int) -> list[dict[str, int]]:
    return [expected_layer(widths[k - 1], widths[k], B, first=k == 1) for k in range(1, len(widths))]


def parse_table(table: str) -> dict[str, dict[str, object]]:
    """Rows of the report's table, keyed by layer number or "total", the columns as ints."""
    rows = {}
    number = r"\s+([\d,]+)"
    pattern = re.compile(rf"^\s*(\d+|total)\s+(?:\d+ -> \d+)?{number * len(COLUMNS)}\s+(\d+\.\d{{4}})$")
    for line in table.splitlines():
        match = pattern.match(line)
        if match:
            values = [int(group.replace(",", "")) for group in match.groups()[1:-1]]
            rows[match.group(1)] = {**dict(zip(COLUMNS, values, strict=True)), "ratio": match.groups()[-1]}
    return rows


def check_text(widths: list[int], B: int) -> None:
    L = len(widths) - 1
    table = text(",".join(map(str, widths)), B)
    rows = parse_table(table)
    assert len(rows) == L + 1, table
    totals = dict.fromkeys(COLUMNS, 0)
    for k, expected in enumerate(expected_layers(widths, B), start=1):
        assert {key: rows[str(k)][key] for key in COLUMNS} == expected, (k, table)
        assert rows[str(k)]["ratio"] == f"{float(Fraction(expected['backward'], expected['forward'])):.4f}"
        for key in COLUMNS:
            totals[key] += expected[key]
    assert {key: rows["total"][key] for key in COLUMNS} == totals
    forward, backward = totals["forward"], totals["backward"]
    assert rows["total"]["ratio"] == f"{float(Fraction(backward, forward)):.4f}"
    params = sum(widths[k - 1] * widths[k] + widths[k] for k in range(1, L + 1))
    assert f"L = {L} layer{'s' if L > 1 else ''}, {params:,} parameters" in table
    g = B * sum(widths[1:])
    assert f"forward g {g:,}, backward g' {g:,}" in table
    N = B * widths[-1]
    loss = 2 * N + (2 * N - 1) + 2
    assert f"its gradient: {loss:,} FLOPs" in table
    assert f"training step = forward + loss + backward + update: {totals['step'] + loss:,} FLOPs" in table
    with_g = f"{float(Fraction(backward + g, forward + g)):.4f}"
    assert f"backward / forward = {float(Fraction(backward, forward)):.4f} in FLOPs, {with_g}" in table
    assert f"2 - 1/L - 1/(2B) = {float(2 - Fraction(1, L) - Fraction(1, 2 * B)):.4f}" in table


def network_ratio(widths: list[int], B: int) -> float:
    layers = expected_layers(widths, B)
    return sum(row["backward"] for row in layers) / sum(row["forward"] for row in layers)


def check_figure(widths: list[int], B: int) -> None:
    fig = figure(",".join(map(str, widths)), B)
    assert_labelled(fig)
    bars, ratio = fig.axes
    layers = expected_layers(widths, B)
    per_sample = {key: np.array([row[key] for row in layers]) / B for key in COLUMNS}
    np.testing.assert_allclose(bar_heights(fig, "forward"), per_sample["forward"], rtol=1e-12)
    np.testing.assert_allclose(bar_heights(fig, "dW"), per_sample["dW"], rtol=1e-12)
    np.testing.assert_allclose(bar_heights(fig, "dx"), per_sample["dx"], rtol=1e-12)
    np.testing.assert_allclose(bar_heights(fig, "dz + db"), per_sample["dz"] + per_sample["db"], rtol=1e-12)
    widest = expected_layers(widths, MAX_BATCH)
    top = 1.15 * max(max(row["forward"], row["backward"]) for row in widest) / MAX_BATCH
    assert bars.get_ylim() == pytest.approx((0, top))
    assert "per sample" in bars.get_ylabel()
    x, y = xy(fig, "ratio")
    np.testing.assert_array_equal(x, RATIO_BATCHES)
    np.testing.assert_allclose(y, [network_ratio(widths, int(b)) for b in x], rtol=1e-12)
    L = len(widths) - 1
    np.testing.assert_allclose(xy(fig, "limit")[1], 2 - 1 / L - 1 / (2 * RATIO_BATCHES), rtol=1e-12)
    x, y = xy(fig, "chosen ratio")
    assert x.tolist() == [B] and y[0] == pytest.approx(network_ratio(widths, B), rel=1e-12)
    assert ratio.get_xlim() == BATCH_RANGE and ratio.get_ylim() == (0.0, 2.2)


def test_text_over_the_whole_batch_range() -> None:
    for B in range(1, MAX_BATCH + 1):
        check_text([784, 256, 10], B)


@pytest.mark.parametrize("widths", [[64, 64, 64, 64, 64], [1, 1], [2048, 1], [1, 2048]])
@pytest.mark.parametrize("B", [1, 2, 3, 127, MAX_BATCH])
def test_text_at_the_ends(widths: list[int], B: int) -> None:
    check_text(widths, B)


@settings(max_examples=40, deadline=None)
@given(
    widths=st.lists(st.integers(1, MAX_WIDTH), min_size=2, max_size=MAX_LAYERS + 1),
    B=st.integers(*BATCH_RANGE),
)
@example(widths=[MAX_WIDTH] * (MAX_LAYERS + 1), B=MAX_BATCH)
def test_text_of_random_networks(widths: list[int], B: int) -> None:
    check_text(widths, B)


@settings(max_examples=6, deadline=None)
@given(
    widths=st.lists(st.integers(1, MAX_WIDTH), min_size=2, max_size=MAX_LAYERS + 1),
    B=st.integers(*BATCH_RANGE),
)
@example(widths=[1, 1], B=1)
@example(widths=[MAX_WIDTH] * (MAX_LAYERS + 1), B=MAX_BATCH)
@example(widths=[784, 256, 10], B=64)
def test_figure_draws_the_closed_forms(widths: list[int], B: int) -> None:
    check_figure(widths, B)


def test_hand_worked_example() -> None:
    """3 -> 2 -> 2, B = 2, worked by hand.

    Layer 1: forward 2*2*3*2 = 24; dz 4; dW 3*2*(2*2-1) = 18; db 2; dx 0 -> backward 24.
    Layer 2: forward 2*2*2*2 = 16; dz 4; dW 2*2*3 = 12; db 2; dx 2*2*3 = 12 -> backward 30.
    Ratio (24 + 30) / (24 + 16) = 1.35.
    """
    rows = parse_table(text("3,2,2", 2))
    assert [rows["1"][key] for key in COLUMNS[:6]] == [24, 4, 18, 2, 0, 24]
    assert [rows["2"][key] for key in COLUMNS[:6]] == [16, 4, 12, 2, 12, 30]
    assert rows["1"]["update"] == 16 and rows["2"]["update"] == 12
    assert rows["total"]["ratio"] == "1.3500"


def test_counted_mlp_run_agrees() -> None:
    """The text of 5,7,3 at B = 4 equals counts of a real forward, backward and step, part by part."""
    widths, B = [5, 7, 3], 4
    rows = parse_table(text("5,7,3", B))
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
    assert (rows["total"]["forward"], rows["total"]["backward"], rows["total"]["update"]) == (
        forward.flops,
        backward.flops,
        update.flops,
    )
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
        row = rows[str(k + 1)]
        assert (row["dz"], row["db"]) == (dz_count.flops, db_count.flops)
        assert row["dW"] == no_dx.flops - db_count.flops
        assert row["dx"] == (with_dx.flops - no_dx.flops if k > 0 else 0)


def test_report_is_text_and_figure_and_accepts_sequences() -> None:
    shown = report([784, 256, 10], np.int64(64))
    assert shown.text == text("784, 256 ,10", 64) and len(shown.figure.axes) == 2


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("", "widths is empty"),
        ("784", "widths must be 2 to 9 integers between 1 and 2048, got 1"),
        ("784,,10", "widths has an empty entry"),
        ("784;256", r"widths\[0\] is '784;256'"),
        ("784,256.0", r"widths\[1\] is '256.0'"),
        ("0,5", r"widths\[0\] is 0"),
        (f"5,{MAX_WIDTH + 1}", rf"widths\[1\] is {MAX_WIDTH + 1}"),
        (",".join(["4"] * (MAX_LAYERS + 2)), "got 10"),
        ("٣,4", r"widths\[0\] is '٣'"),  # an Arabic-Indic digit: str.isdigit accepts it, the widths do not
        (None, "widths must be 2 to 9 integers"),
    ],
)
def test_bad_widths_name_widths(bad: object, message: str) -> None:
    for function in (text, figure):
        with pytest.raises(ValueError, match=message):
            function(bad, 4)


@pytest.mark.parametrize("bad", [0, -1, MAX_BATCH + 1, 2.0, "4", None, True])
def test_bad_batch_names_batch(bad: object) -> None:
    with pytest.raises(ValueError, match=rf"^batch must be an integer between 1 and {MAX_BATCH}"):
        text("4,3", bad)
