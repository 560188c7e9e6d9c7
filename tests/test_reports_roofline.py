"""Tests of the roofline report (notebooks/09_from_flops_to_seconds.ipynb), text and figure, and of
`course_lib.roofline.layer_traffic` / `ridge_batch` on the report's layers.

The expected numbers are written out here from the layers' shapes with hand
formulas (2 B n_in n_out FLOPs, 4 bytes per float32 element, 2 E L FLOPs for
a convolution with bias, ...), never read from course_lib's own functions.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from course_lib import roofline as model
from course_lib.architectures import BatchNorm2d, Conv2d, Linear
from course_lib.reports import Report
from course_lib.reports.roofline import (
    INTENSITY_RANGE,
    LAYERS,
    MAX_BATCH,
    SLIDER_MAX,
    figure,
    measurable,
    measured_report,
    report,
)
from course_lib.reports.roofline import text as roofline_report
from course_lib.reports.roofline import traffic as layer_traffic


def ridge_batch(layer: str, ridge: float) -> int | None:
    return model.ridge_batch(*LAYERS[layer], ridge)


UNIT_SECONDS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}


def hand_counts(layer: str, batch: int) -> tuple[int, int]:
    """(operations, bytes) of each dropdown entry, from its shape alone."""
    if layer == "dense 784->512":
        a, b = 784, 512
        return 2 * batch * a * b, 4 * (batch * a + a * b + b + batch * b)
    if layer == "dense 4096->4096":
        a = b = 4096
        return 2 * batch * a * b, 4 * (batch * a + a * b + b + batch * b)
    if layer == "conv 64->64 3x3 @56":
        # 'same' padding keeps 56 x 56; each output is a length-576 dot product plus a bias: 2 * 576 FLOPs.
        outputs = batch * 64 * 56 * 56
        return 2 * 576 * outputs, 4 * (batch * 64 * 56 * 56 + 64 * 64 * 9 + 64 + outputs)
    if layer == "depthwise 64 3x3 @56":
        outputs = batch * 64 * 56 * 56  # each output: a length-9 dot product plus a bias
        return 2 * 9 * outputs, 4 * (batch * 64 * 56 * 56 + 64 * 9 + 64 + outputs)
    if layer == "relu 1M":
        elements = batch * 2**20
        return elements, 8 * elements
    raise AssertionError(layer)


def line(text: str, label: str) -> str:
    rows = [row for row in text.splitlines() if row.startswith(label + " ")]
    assert len(rows) == 1, f"expected one line starting with {label!r} in:\n{text}"
    return rows[0]


def number_after_equals(row: str) -> int:
    return int(row.rsplit("= ", 1)[1].replace(",", ""))


def duration(text: str) -> float:
    value, unit = text.split()
    return float(value) * UNIT_SECONDS[unit]


def hand_ridge_batch(layer: str, ridge: Fraction) -> int | None:
    """Smallest B with ops(B) >= ridge * bytes(B), from the linear forms ops = o B, bytes = q B + q0."""
    o, q_plus = hand_counts(layer, 1)
    _, q2 = hand_counts(layer, 2)
    q = q2 - q_plus
    q0 = q_plus - q
    if o <= ridge * q:  # the limit o / q does not exceed the ridge
        return None if o < ridge * (q + q0) else 1
    return max(1, math.ceil(ridge * q0 / (o - ridge * q)))


def reaches(layer: str, batch: int, ridge: Fraction) -> bool:
    operations, nbytes = hand_counts(layer, batch)
    return operations >= ridge * nbytes


layers = st.sampled_from(list(LAYERS))
batches = st.integers(min_value=1, max_value=SLIDER_MAX)
rates = st.floats(min_value=0.5, max_value=5000, allow_nan=False, allow_infinity=False)


@settings(max_examples=50, deadline=None)
@given(layer=layers, batch=batches, peak=rates, bandwidth=rates)
@example(layer="dense 784->512", batch=1, peak=150.0, bandwidth=20.0)
@example(layer="relu 1M", batch=SLIDER_MAX, peak=0.5, bandwidth=5000.0)
@example(layer="conv 64->64 3x3 @56", batch=1, peak=5000.0, bandwidth=0.5)
def test_report_matches_hand_formulas(layer, batch, peak, bandwidth):
    text = roofline_report(layer, batch, peak, bandwidth)
    operations, nbytes = hand_counts(layer, batch)
    intensity = operations / nbytes
    ridge = peak / bandwidth
    ops_label = "operations" if layer.startswith("relu") else "FLOPs"
    assert line(text, "layer").startswith(f"layer        {layer}: ")
    assert line(text, "batch") == f"batch        B = {batch:,}"
    assert number_after_equals(line(text, ops_label)) == operations
    assert number_after_equals(line(text, "bytes")) == nbytes
    assert f"{operations:,} / {nbytes:,} = {intensity:.4f}" in line(text, "intensity")
    assert f"= {ridge:.4f}" in line(text, "ridge point")
    attainable = min(peak, bandwidth * intensity)
    assert line(text, "roofline").split("= ")[1].startswith(f"{attainable:.2f} ")

    times = re.fullmatch(
        r"time\s+compute (\S+ \S+), memory (\S+ \S+) -> predicted (\S+ \S+)", line(text, "time")
    )
    assert times, line(text, "time")
    compute, memory = operations / (peak * 1e9), nbytes / (bandwidth * 1e9)
    assert duration(times[1]) == pytest.approx(compute, rel=1e-3)
    assert duration(times[2]) == pytest.approx(memory, rel=1e-3)
    assert duration(times[3]) == pytest.approx(max(compute, memory), rel=1e-3)

    verdict = line(text, "verdict")
    assert verdict.split()[1] == ("memory-bound:" if intensity < ridge else "compute-bound:")

    needed = hand_ridge_batch(layer, Fraction(ridge))
    if needed is not None:  # the closed form against the definition: I(B) >= ridge first at B = needed
        assert reaches(layer, needed, Fraction(ridge))
        assert needed == 1 or not reaches(layer, needed - 1, Fraction(ridge))
    batching = line(text, "batching")
    if needed is None:
        assert batching.endswith("no batch reaches the ridge point")
    elif needed == 1:
        assert batching.endswith("B = 1 already reaches the ridge point")
    else:
        assert batching.endswith(f"B >= {needed:,} reaches the ridge point")


@pytest.mark.parametrize("layer", list(LAYERS))
def test_every_slider_batch_gives_the_hand_counts(layer):
    for batch in range(1, SLIDER_MAX + 1):
        traffic = layer_traffic(layer, batch)
        assert (traffic.operations, traffic.bytes) == hand_counts(layer, batch)


def test_hand_worked_example():
    """dense 784 -> 512 at B = 1 on a 150 GFLOP/s, 20 GB/s machine, worked on paper.

    FLOPs 2 * 784 * 512 = 802,816; bytes 4 * (784 + 401,408 + 512 + 512) = 1,612,864;
    intensity 0.4978 < ridge 7.5: memory-bound, 1,612,864 B / 20 GB/s = 80.64 us.
    Ridge batch: 802,816 B >= 7.5 * 4 * (1,296 B + 401,920) <=> 763,936 B >= 12,057,600 <=> B >= 16.
    """
    text = roofline_report("dense 784->512", 1, 150.0, 20.0)
    assert "= 802,816" in text
    assert "= 1,612,864" in text
    assert "0.4978 FLOP/byte" in text
    assert "ridge point  150.00 / 20.00 = 7.5000 FLOP/byte" in text
    assert "-> predicted 80.64 us" in text
    assert "memory-bound" in text
    assert "B >= 16 reaches the ridge point" in text
    assert ridge_batch("dense 784->512", 7.5) == 16


@settings(max_examples=60, deadline=None)
@given(layer=layers, ridge=st.floats(min_value=1e-3, max_value=1e4, allow_nan=False))
def test_ridge_batch_is_the_first_batch_that_reaches_the_ridge(layer, ridge):
    needed = ridge_batch(layer, ridge)
    assert needed == hand_ridge_batch(layer, Fraction(ridge))
    if needed is not None:
        assert reaches(layer, needed, Fraction(ridge))
        assert needed == 1 or not reaches(layer, needed - 1, Fraction(ridge))


def test_ridge_batch_limits():
    assert ridge_batch("relu 1M", 0.125) == 1  # 1/8 op/byte reaches a ridge of exactly 1/8
    assert ridge_batch("relu 1M", 0.2) is None
    assert ridge_batch("depthwise 64 3x3 @56", 2.25) is None  # the limit 2.25 is approached, never reached
    assert ridge_batch("conv 64->64 3x3 @56", 100.0) == 1


def test_report_is_deterministic_and_accepts_numpy_numbers():
    first = roofline_report("conv 64->64 3x3 @56", 8, 120.5, 18.25)
    assert first == roofline_report("conv 64->64 3x3 @56", np.int64(8), np.float64(120.5), 18.25)
    assert "batch        B = 4,096" in roofline_report("relu 1M", MAX_BATCH, 100, 10)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"layer": "dense 1->1"}, "layer"),
        ({"layer": 3}, "layer"),
        ({"batch": 0}, "batch"),
        ({"batch": MAX_BATCH + 1}, "batch"),
        ({"batch": 2.0}, "batch"),
        ({"batch": True}, "batch"),
        ({"peak_gflops": 0}, "peak_gflops"),
        ({"peak_gflops": -5.0}, "peak_gflops"),
        ({"peak_gflops": math.nan}, "peak_gflops"),
        ({"peak_gflops": "fast"}, "peak_gflops"),
        ({"bandwidth_gbs": math.inf}, "bandwidth_gbs"),
        ({"bandwidth_gbs": 0.0}, "bandwidth_gbs"),
    ],
)
def test_bad_input_names_the_argument(kwargs, name):
    arguments = {"layer": "dense 784->512", "batch": 1, "peak_gflops": 100.0, "bandwidth_gbs": 10.0}
    with pytest.raises(ValueError, match=name):
        roofline_report(**{**arguments, **kwargs})


def test_measured_report_times_small_settings_and_refuses_large_ones():
    small = measured_report("dense 784->512", 1, 150.0, 20.0)
    assert "measured     " in small.text and "x the predicted time" in small.text
    large = measured_report("relu 1M", SLIDER_MAX, 150.0, 20.0)
    assert "not measured: moves 2,147 MB per call" in large.text  # 8 x 256 x 2^20 bytes
    assert measurable("dense 4096->4096", 256, 150.0, 20.0).startswith("predicted 57.27 ms")
    assert measurable("dense 784->512", 1, 150.0, 20.0) is None
    assert measured_report("relu 1M", 1, 150.0, 20.0, measure=False).text == roofline_report(
        "relu 1M", 1, 150.0, 20.0
    )


def test_measured_line_is_the_rate_of_the_given_time():
    operations, _ = hand_counts("dense 784->512", 1)
    text = roofline_report("dense 784->512", 1, 150.0, 20.0, measured_seconds=1e-4)
    assert text.endswith(
        f"-> {operations / 1e-4 / 1e9:.2f} GFLOP/s, {1e-4 / 80.64e-6:.2f} x the predicted time"
    )


def test_layer_traffic_refuses_what_it_cannot_price():
    with pytest.raises(ValueError, match="layer must be a Linear, Conv2d or Activation"):
        model.layer_traffic(BatchNorm2d(), (8, 4, 4))
    with pytest.raises(ValueError, match="dilation must be 1"):
        model.layer_traffic(Conv2d(4, 3, dilation=2), (4, 8, 8))
    with pytest.raises(ValueError, match=r"input_shape of a Linear must be \(n_in,\)"):
        model.layer_traffic(Linear(4), (4, 8, 8))


# ---------------------------------------------------------------- the figure


def _xy(fig, gid):
    (line,) = [line for ax in fig.axes for line in ax.lines if line.get_gid() == gid]
    return list(line.get_xdata()), list(line.get_ydata())


@pytest.mark.parametrize(
    ("layer", "batch", "peak", "bandwidth"),
    [("dense 784->512", 1, 150.0, 20.0), ("dense 4096->4096", 256, 80.0, 20.0), ("relu 1M", 3, 19_500.0, 1_555.0),
     ("conv 64->64 3x3 @56", 1, 0.5, 5000.0), ("depthwise 64 3x3 @56", 64, 100.0, 30.0)],
)  # fmt: skip
def test_figure_places_the_layer_on_the_roofline(layer, batch, peak, bandwidth):
    fig = figure(layer, batch, peak, bandwidth)
    (ax,) = fig.axes
    operations, nbytes = hand_counts(layer, batch)
    x, y = _xy(fig, "predicted")
    assert x == pytest.approx([operations / nbytes]) and y == pytest.approx(
        [min(peak, bandwidth * operations / nbytes)]
    )
    roof_x, roof_y = _xy(fig, "roofline")
    ridge = peak / bandwidth
    assert roof_x == pytest.approx([0.05, *([ridge] if 0.05 < ridge < 1000 else []), 1000.0])
    assert roof_y == pytest.approx([min(peak, bandwidth * i) for i in roof_x])
    path_x, _ = _xy(fig, "path")
    assert path_x == pytest.approx(
        [hand_counts(layer, b)[0] / hand_counts(layer, b)[1] for b in range(1, SLIDER_MAX + 1)]
    )
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert ax.get_xlim() == pytest.approx(INTENSITY_RANGE)
    assert ax.get_xlabel() and ax.get_ylabel().endswith("/s)") and ax.get_title()
    assert ax.get_ylim() == figure(layer, 1 if batch > 1 else 2, peak, bandwidth).axes[0].get_ylim()  # fixed
    low, high = ax.get_ylim()
    assert low < y[0] < high


def test_figure_shows_the_measured_point():
    operations, _ = hand_counts("relu 1M", 2)
    fig = figure("relu 1M", 2, 100.0, 10.0, measured_seconds=0.01)
    assert _xy(fig, "measured")[1] == pytest.approx([operations / 0.01 / 1e9])
    assert "Gop/s" in fig.axes[0].get_ylabel()


def test_report_is_the_text_and_the_figure():
    result = report("dense 784->512", 2, 150.0, 20.0)
    assert isinstance(result, Report) and result.text == roofline_report("dense 784->512", 2, 150.0, 20.0)
