"""The memory explorer's report: numbers from the formulas, fixed axes, and bad input named."""

import pytest

from course_lib.complexity import (
    mlp_cache_bytes,
    mlp_checkpoint_extra_cost,
    mlp_checkpoint_peak_bytes,
    mlp_forward_cost,
    mlp_params,
)
from course_lib.energy import PRECISIONS, mlp_energy
from course_lib.reports import Report
from course_lib.reports.format import format_bytes
from course_lib.reports.memory import (
    BYTE_LIMITS,
    MAX_SEGMENTS,
    MLP_WIDTHS,
    NETWORKS,
    memory_report,
    network_memory,
)


def test_mlp_report_uses_the_mlp_formulas():
    widths = list(MLP_WIDTHS)
    report = memory_report("mlp", 16, "float16", 3)
    assert isinstance(report, Report)
    assert f"parameters {format_bytes(2 * mlp_params(widths))}" in report.text
    assert f"keep: {format_bytes(mlp_cache_bytes(widths, 16, 'float16'))}" in report.text
    assert f"peak {format_bytes(mlp_checkpoint_peak_bytes(widths, 16, 3, 'float16'))}" in report.text
    share = mlp_checkpoint_extra_cost(widths, 16, 3).flops / mlp_forward_cost(widths, 16).flops
    assert f"{share:.0%} of one forward pass" in report.text
    assert f"{mlp_energy(widths, 16, 'float16').memory_share:.0%} of it moving data" in report.text


@pytest.mark.parametrize("network", list(NETWORKS))
@pytest.mark.parametrize("batch", [1, 256])
@pytest.mark.parametrize("precision", [PRECISIONS[0], PRECISIONS[-1]])
def test_every_setting_fits_the_fixed_axes(network, batch, precision):
    for segments in (1, MAX_SEGMENTS):
        report = memory_report(network, batch, precision, segments)
        left, right = report.figure.axes[:2]
        assert left.get_xlim() == BYTE_LIMITS and right.get_ylim() == (0, 100)
        widths = [patch.get_width() for patch in left.patches]
        assert BYTE_LIMITS[0] <= min(widths) and max(widths) <= BYTE_LIMITS[1]
        assert left.get_xlabel() and right.get_ylabel()


def test_one_segment_is_keeping_everything_and_more_segments_help_a_deep_network():
    kept = network_memory("vgg16", 8)
    assert kept.layers >= MAX_SEGMENTS
    one, six = memory_report("vgg16", 8, "float32", 1).text, memory_report("vgg16", 8, "float32", 6).text
    assert "(100% of keeping everything)" in one and "recomputed: nothing" in one
    assert "recomputed: nothing" not in six


@pytest.mark.parametrize(
    ("values", "name"),
    [
        ({"network": "resnet50"}, "network"),
        ({"batch": 0}, "batch"),
        ({"batch": 257}, "batch"),
        ({"precision": "float64"}, "precision"),
        ({"segments": 0}, "segments"),
        ({"segments": 13}, "segments"),
    ],
)
def test_bad_input_names_the_argument(values, name):
    with pytest.raises(ValueError, match=name):
        memory_report(**values)
