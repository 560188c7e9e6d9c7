"""conv2d(..., algorithm=...): the default is untouched, "auto" follows its fixed rule, errors teach.

References: the closed forms of `course_lib.complexity` for each algorithm (the count must
be that of the algorithm that ran), the rule of `choose_algorithm` written out as a table,
and scipy's correlate2d (through tests/test_conv_support.py) for the values.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_conv_support import reference_conv2d

from course_lib.complexity.conv import conv2d_forward_cost
from course_lib.complexity.fast import fft_conv2d_cost, winograd_conv2d_cost
from course_lib.conv import conv2d
from course_lib.counting import count_ops
from course_lib.fast.dispatch import ALGORITHMS, FFT_MIN_KERNEL, WINOGRAD_MIN_CHANNELS, choose_algorithm


def _layer(c_in: int, c_out: int, kernel: int, size: int = 10, batch: int = 2, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, c_in, size, size))
    w = rng.standard_normal((c_out, c_in, kernel, kernel)) / kernel
    return x, w, rng.standard_normal(c_out)


@pytest.mark.parametrize(
    ("c_in", "c_out", "kernel", "stride", "dilation", "groups", "expected"),
    [
        (64, 64, (3, 3), (1, 1), (1, 1), 1, "winograd"),
        (WINOGRAD_MIN_CHANNELS, WINOGRAD_MIN_CHANNELS, (3, 3), (1, 1), (1, 1), 1, "winograd"),
        (WINOGRAD_MIN_CHANNELS - 1, 64, (3, 3), (1, 1), (1, 1), 1, "direct"),
        (3, 64, (7, 7), (2, 2), (1, 1), 1, "direct"),  # ResNet's stem
        (64, 64, (3, 3), (2, 2), (1, 1), 1, "direct"),
        (64, 64, (3, 3), (1, 1), (2, 2), 1, "direct"),
        (64, 64, (3, 3), (1, 1), (1, 1), 64, "direct"),  # depthwise
        (64, 64, (1, 1), (1, 1), (1, 1), 1, "direct"),
        (8, 8, (FFT_MIN_KERNEL,) * 2, (1, 1), (1, 1), 1, "fft"),
        (8, 8, (FFT_MIN_KERNEL - 1,) * 2, (1, 1), (1, 1), 1, "direct"),
        (8, 8, (FFT_MIN_KERNEL, 1), (1, 1), (1, 1), 1, "direct"),
    ],
)
def test_auto_rule(c_in, c_out, kernel, stride, dilation, groups, expected) -> None:
    assert choose_algorithm(c_in, c_out, kernel, stride, dilation, groups) == expected


def test_default_is_the_direct_count() -> None:
    x, w, b = _layer(5, 7, 3)
    with count_ops() as default:
        y = conv2d(x, w, b, padding=1)
    with count_ops() as direct:
        z = conv2d(x, w, b, padding=1, algorithm="direct")
    np.testing.assert_array_equal(y, z)
    expected = conv2d_forward_cost(5, 10, 10, 7, 3, padding=1, batch=2)
    assert default.as_dict() == direct.as_dict() == expected.as_dict()


@pytest.mark.parametrize(
    ("c_in", "c_out", "kernel", "padding", "runs"),
    [
        (WINOGRAD_MIN_CHANNELS, WINOGRAD_MIN_CHANNELS, 3, 1, "winograd"),
        (4, 6, 3, 1, "direct"),
        (2, 3, FFT_MIN_KERNEL, FFT_MIN_KERNEL // 2, "fft"),
        (4, 4, 5, 2, "direct"),
    ],
)
def test_auto_counts_are_those_of_the_algorithm_that_runs(c_in, c_out, kernel, padding, runs) -> None:
    x, w, b = _layer(c_in, c_out, kernel, size=12)
    with count_ops() as counter:
        y = conv2d(x, w, b, padding=padding, algorithm="auto")
    formulas = {
        "direct": conv2d_forward_cost(c_in, 12, 12, c_out, kernel, padding=padding, batch=2),
        "winograd": winograd_conv2d_cost(c_in, 12, 12, c_out, padding, batch=2, tile=4),
        "fft": fft_conv2d_cost(c_in, 12, 12, c_out, kernel, padding, batch=2),
    }
    assert counter.as_dict() == formulas[runs].as_dict()
    assert [name for name, cost in formulas.items() if cost.as_dict() == counter.as_dict()] == [runs]
    reference = reference_conv2d(x, w, b, (1, 1), (padding, padding), (1, 1), 1)
    assert np.max(np.abs(y - reference)) <= 1e-9 * np.max(np.abs(reference))


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_every_algorithm_gives_the_same_float32_layer(algorithm: str) -> None:
    x, w, b = (a.astype(np.float32) for a in _layer(16, 16, 3, size=14, seed=4))
    y = conv2d(x, w, b, padding=1, algorithm=algorithm)
    assert y.dtype == np.float32
    reference = reference_conv2d(x, w, b, (1, 1), (1, 1), (1, 1), 1)
    assert np.max(np.abs(y - reference)) <= 1e-4 * np.max(np.abs(reference))


@pytest.mark.parametrize(
    ("kwargs", "kernel", "match"),
    [
        (
            {"algorithm": "fast"},
            3,
            "algorithm must be one of 'direct', 'auto', 'winograd', 'fft'; got 'fast'",
        ),
        ({"algorithm": None}, 3, "algorithm must be one of"),
        ({"algorithm": "winograd"}, 5, "winograd needs a 3x3 kernel, got kernel size 5x5"),
        ({"algorithm": "winograd", "stride": 2}, 3, "winograd needs stride 1, got stride 2"),
        ({"algorithm": "winograd", "dilation": 2}, 3, "winograd needs dilation 1, got dilation 2"),
        ({"algorithm": "winograd", "groups": 2}, 3, "winograd needs groups=1, got groups=2"),
        ({"algorithm": "fft", "stride": (1, 2)}, 3, r"fft needs stride 1, got stride \(1, 2\)"),
        ({"algorithm": "auto", "stride": 0}, 3, "stride must be a positive integer"),
    ],
)
def test_errors_name_the_property(kwargs, kernel, match) -> None:
    x, w, _ = _layer(4, 4, kernel, size=12)
    if kwargs.get("groups"):
        w = w[:, :2]
    with pytest.raises(ValueError, match=match):
        conv2d(x, w, padding=1, **kwargs)
