"""summarize() totals against published numbers: torchvision's metadata, the LeNet-5 and MobileNet papers.

The references are typed here from their sources (torchvision's weights ``meta``,
LeCun et al. 1998, Howard et al. 2017 and TF-slim's table), not taken from the
code under test; tests/test_architectures_published.py checks that
``architectures.published`` holds the same values.
"""

from __future__ import annotations

import functools

import pytest

from course_lib import architectures
from course_lib.summary import Summary, summarize

# torchvision weights meta: num_params and _ops ("GFLOPS" in the docs), IMAGENET1K_V1 weights.
TORCHVISION = {
    "alexnet": (61_100_840, 0.714),
    "vgg11": (132_863_336, 7.609),
    "vgg16": (138_357_544, 15.470),
    "googlenet": (6_624_904, 1.498),
    "resnet18": (11_689_512, 1.814),
    "resnet34": (21_797_672, 3.664),
    "resnet50": (25_557_032, 4.089),
    "mobilenet_v2": (3_504_872, 0.301),
    "squeezenet1_0": (1_248_424, 0.819),
}


@functools.cache
def summary(name: str) -> Summary:
    return summarize(name)


@pytest.mark.parametrize("name", TORCHVISION)
def test_parameters_equal_torchvision_exactly(name) -> None:
    params, _ = TORCHVISION[name]
    assert summary(name).params == params == architectures.published(name)["params"]


@pytest.mark.parametrize("name", TORCHVISION)
def test_macs_reproduce_torchvision_gflops_to_the_published_precision(name) -> None:
    _, gflops = TORCHVISION[name]
    assert round(summary(name).macs / 1e9, 3) == gflops
    # The course's FLOPs (about 2 x MACs) would not match: the "GFLOPS" column counts MACs.
    assert round(summary(name).flops / 1e9, 3) != gflops


def test_default_input_is_one_imagenet_image() -> None:
    for name in TORCHVISION:
        s = summary(name)
        assert (s.input_shape, s.batch, s.output_shape) == ((3, 224, 224), 1, (1000,))


def test_lenet5_against_the_paper() -> None:
    # LeCun et al. (1998), Section II.B: 60,000 trainable parameters. The specs are the modern
    # variant: + 36 x 25 (C3 fully connected) - 12 - 32 (no trainable S2, S4) + 84 x 10 + 10 (dense output).
    s = summary("lenet5")
    assert s.params == 60_000 + 36 * 25 - 12 - 32 + 850 == 61_706
    assert (s.input_shape, s.output_shape) == ((1, 32, 32), (10,))
    # MACs by hand: C1 4,704 x 25, C3 1,600 x 150, C5 120 x 400, F6 120 x 84, output 84 x 10.
    assert s.macs == 117_600 + 240_000 + 48_000 + 10_080 + 840 == 416_520


def test_mobilenet_v1_against_the_paper_and_tf_slim() -> None:
    s = summary("mobilenet_v1")
    ref = architectures.published("mobilenet_v1")
    assert s.params == 4_231_976 == ref["params"]
    assert round(s.params / 1e6, 1) == 4.2  # Howard et al. (2017), Table 8: 4.2 million
    assert round(s.macs / 1e6) == 569  # Table 8: 569 million mult-adds
    assert s.macs - 1024 * 1000 == 567_716_352 == ref["tf_slim_base_macs"]  # TF-slim: conv layers only


def test_published_table_in_one_place() -> None:
    """The whole published-vs-ours table (printed with -s), all nine torchvision networks."""
    lines = []
    for name, (params, gflops) in TORCHVISION.items():
        s = summary(name)
        lines.append(f"{name:14s} {params:>12,} {s.params:>12,} {gflops:>7.3f} {s.macs / 1e9:>9.5f}")
        assert s.params == params and f"{s.macs / 1e9:.3f}" == f"{gflops:.3f}"
    print("\n".join(lines))
