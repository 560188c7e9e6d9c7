"""Other tools' conventions applied to our rows, against numbers those tools' authors and users published.

Published references: ptflops's README table of torchvision models (MACs, pytorch
backend), torchinfo's "Total mult-adds" for AlexNet at 227 x 227 (TylerYep/torchinfo
issue #350), and fvcore's 4.09 G for ResNet-50 from a version that skipped batch
norm (sovrasov/flops-counter.pytorch issue #94). ResNet-50's batch-norm and pooling
sizes are worked out by hand in the comments.
"""

from __future__ import annotations

import functools

import pytest

from course_lib.summary import CONVENTIONS, PEER_TOOL_CONVENTIONS, Summary, count_as, summarize


@functools.cache
def summary(name: str, input_shape: tuple[int, int, int] | None = None) -> Summary:
    return summarize(name, input_shape)


# ResNet-50 batch-norm elements, stage by stage (torchvision v1.5, 224 x 224):
#   bn1 64 x 112^2                                         =    802,816
#   layer1, 56^2: 3 x (64 + 64 + 256) + 256 (downsample)   = 1,408 x 3,136 = 4,415,488
#   layer2: block 0 bn1 128 x 56^2 + (128 + 512 + 512) x 28^2, 3 x (128 + 128 + 512) x 28^2
#           = 401,408 + 903,168 + 1,806,336                 =  3,110,912
#   layer3: 256 x 28^2 + (256 + 1024 + 1024) x 14^2 + 5 x 1,536 x 14^2
#           = 200,704 + 451,584 + 1,505,280                 =  2,157,568
#   layer4: 512 x 14^2 + (512 + 2048 + 2048) x 7^2 + 2 x 3,072 x 7^2
#           = 100,352 + 225,792 + 301,056                   =    627,200
RESNET50_BN_ELEMENTS = 802_816 + 4_415_488 + 3_110_912 + 2_157_568 + 627_200
RESNET50_MACS = 4_089_184_256  # conv + linear; its rounding to torchvision's 4.089 is tested elsewhere
RESNET50_POOL_INPUT = 2048 * 7 * 7  # the global average pool reads 2048 maps of 7 x 7


def test_resnet50_batch_norm_elements_by_hand() -> None:
    s = summary("resnet50")
    assert sum(r.activations for r in s.rows if r.layer_type == "BatchNorm2d") == RESNET50_BN_ELEMENTS
    assert s.macs == RESNET50_MACS


def test_resnet50_under_each_tool() -> None:
    s = summary("resnet50")
    # fvcore, eval mode: MACs + 2 per BN element + 1 per element read by adaptive_avg_pool2d.
    fvcore = RESNET50_MACS + 2 * RESNET50_BN_ELEMENTS + RESNET50_POOL_INPUT
    assert s.count_as("fvcore") == fvcore == 4_111_512_576
    # fvcore on a model left in training mode: batch norm counts 5 per element.
    assert s.count_as("fvcore_train") == RESNET50_MACS + 5 * RESNET50_BN_ELEMENTS + RESNET50_POOL_INPUT
    # thop: BN 2 x 2 (affine) per element; the adaptive pool (49 / 1 + 1) per output; ReLU, max pool 0.
    assert s.count_as("thop") == RESNET50_MACS + 4 * RESNET50_BN_ELEMENTS + 50 * 2048 == 4_133_742_592
    # torchinfo: conv weights x positions (= MACs, no biases), BN 2 C per layer, fc weights + bias.
    bn_params = sum(r.params for r in s.rows if r.layer_type == "BatchNorm2d")
    assert bn_params == 53_120  # 2 x 26,560 channels, the BN share of the 25,557,032 parameters
    assert s.count_as("torchinfo") == RESNET50_MACS + bn_params + 1000
    # ptflops, aten backend: convolutions and matrix products only.
    assert s.count_as("ptflops_aten") == s.count_as("torchvision") == s.count_as("macs") == RESNET50_MACS
    # The tools' rounded totals differ in the second decimal, never in the first.
    rounded = {name: round(s.count_as(name) / 1e9, 2) for name in ("fvcore", "ptflops", "thop", "torchinfo")}
    assert rounded == {"fvcore": 4.11, "ptflops": 4.12, "thop": 4.13, "torchinfo": 4.09}


def test_fvcore_without_batch_norm_gave_torchvisions_number() -> None:
    # Issue #94: an fvcore version that skipped aten::batch_norm and adaptive_avg_pool2d printed 4.09 G.
    s = summary("resnet50")
    skipped = s.count_as("fvcore") - 2 * RESNET50_BN_ELEMENTS - RESNET50_POOL_INPUT
    assert round(skipped / 1e9, 2) == 4.09


# ptflops README, "Benchmark / torchvision" table: MACs(G), 224 x 224 (pytorch backend).
PTFLOPS_README = {
    "alexnet": 0.72,
    "vgg11": 7.63,
    "vgg16": 15.5,
    "resnet18": 1.82,
    "resnet34": 3.68,
    "resnet50": 4.12,
    "squeezenet1_0": 0.83,
}


@pytest.mark.parametrize("name", PTFLOPS_README)
def test_ptflops_rule_reproduces_its_readme_table(name) -> None:
    s = summary(name)
    assert round(s.count_as("ptflops") / 1e9, 2) == PTFLOPS_README[name]
    assert round(s.macs / 1e9, 2) != PTFLOPS_README[name]  # the table does not count MACs alone


def test_torchinfo_rule_reproduces_its_alexnet_at_227() -> None:
    # torchinfo issue #350: summary(AlexNet(), input_size=(1, 3, 227, 227)) -> Total mult-adds 717.27 (M).
    s = summary("alexnet", (3, 227, 227))
    assert round(s.count_as("torchinfo") / 1e6, 2) == 717.27
    # by hand: conv MACs + one add per conv output (biases) + the dense layers' weights and biases.
    conv_outputs = sum(r.activations for r in s.rows if r.layer_type == "Conv2d")
    dense_params = sum(r.params for r in s.rows if r.layer_type == "Linear")
    assert (
        s.count_as("torchinfo")
        == sum(r.macs for r in s.rows if r.layer_type == "Conv2d") + conv_outputs + dense_params
    )


def test_every_convention_scales_with_the_batch() -> None:
    one, four = summary("googlenet"), summarize("googlenet", batch=4)
    assert one.conventions().keys() == set(CONVENTIONS)
    for name in CONVENTIONS:
        assert four.count_as(name) == 4 * one.count_as(name) == count_as(one.rows, name) * 4


def test_peer_tool_conventions_are_documented_with_sources() -> None:
    assert {"fvcore", "ptflops", "thop", "torchinfo", "torchvision"} <= set(PEER_TOOL_CONVENTIONS)
    for name, entry in PEER_TOOL_CONVENTIONS.items():
        assert name in CONVENTIONS, name
        assert entry["tool"] and entry["unit"] and entry["counts"] and entry["verified"], name
        assert entry["sources"] and all(url.startswith("https://") for url in entry["sources"]), name
