"""course_lib.summary: per-layer rows worked by hand, a counted run of LeNet-5, memory, renderings, errors.

The published totals (torchvision, the papers) are in tests/test_summary_published.py,
the other tools' conventions in tests/test_summary_conventions.py.
"""

from __future__ import annotations

import csv
import functools
import io
from html.parser import HTMLParser

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import architectures, ops
from course_lib.architectures import (
    AdaptiveAvgPool2d,
    AvgPool2d,
    Concat,
    Conv2d,
    Dropout,
    Flatten,
    Linear,
    Network,
    ReLU,
    Residual,
    Sequential,
    Tanh,
)
from course_lib.complexity import Cost
from course_lib.conv import avg_pool2d_forward, conv2d
from course_lib.counting import count_ops
from course_lib.summary import Summary, summarize


@functools.cache
def cached(name: str, input_shape: tuple[int, ...] | None = None, batch: int = 1) -> Summary:
    return summarize(name, input_shape, batch)


def row(summary: Summary, name: str):
    (match,) = [r for r in summary.rows if r.name == name]
    return match


# ------------------------------------------------------------------ rows worked by hand


def test_lenet5_first_conv_by_hand() -> None:
    c1 = row(cached("lenet5"), "C1")
    # 32 - 5 + 1 = 28, six 5x5 filters on one channel.
    assert (c1.layer_type, c1.input_shape, c1.output_shape) == ("Conv2d", (1, 32, 32), (6, 28, 28))
    assert c1.params == 6 * 5 * 5 * 1 + 6 == 156
    # 6 * 28 * 28 = 4,704 outputs, each a dot product of 25 taps: 117,600 MACs.
    assert c1.macs == 4_704 * 25 == 117_600
    # Each output: 25 multiplies, 24 adds, 1 bias add = 50 FLOPs.
    assert c1.flops == 4_704 * 50 == 235_200
    assert c1.activations == 4_704 and c1.cost.activations == 0


def test_alexnet_first_conv_by_hand() -> None:
    conv1 = row(cached("alexnet"), "features.0")
    # floor((224 + 2*2 - 11) / 4) + 1 = floor(217 / 4) + 1 = 54 + 1 = 55.
    assert conv1.output_shape == (64, 55, 55)
    # 64 filters of 3 x 11 x 11 = 363 weights, plus 64 biases: 23,232 + 64.
    assert conv1.params == 64 * 363 + 64 == 23_296
    # 64 * 55 * 55 = 193,600 outputs x 363 taps = 70,276,800 MACs.
    assert conv1.macs == 193_600 * 363 == 70_276_800
    assert conv1.detail == "11x11 /4 pad 2"


def test_lenet5_rows_reconcile_with_the_papers_connections() -> None:
    # LeCun et al. count "connections" = multiplies + bias terms per output, i.e. MACs + outputs.
    paper = architectures.published("lenet5")["paper_layers"]
    summary = cached("lenet5")

    def connections(name: str) -> int:
        r = row(summary, name)
        return r.macs + r.activations

    assert connections("C1") == paper["C1"]["connections"] == 122_304
    assert connections("C5") == paper["C5"]["connections"] == 48_120
    assert connections("F6") == paper["F6"]["connections"] == 10_164
    # C3 is fully connected here: 36 more map pairs of 25 weights, at each of 10 x 10 positions.
    assert connections("C3") == paper["C3"]["connections"] + 36 * 25 * 100


def test_pooling_batch_norm_concat_and_add_rows_by_hand() -> None:
    googlenet = cached("googlenet")
    # ceil mode: ceil((112 - 3) / 2) + 1 = 56 (floor mode would give 55).
    assert row(googlenet, "maxpool1").output_shape == (64, 56, 56)
    assert row(googlenet, "maxpool1").cost == Cost()
    # inception3a concatenates 64 + 128 + 32 + 32 channels at 28 x 28.
    concat = row(googlenet, "inception3a")
    assert (concat.layer_type, concat.output_shape, concat.cost) == ("Concat", (256, 28, 28), Cost())
    assert concat.activations == 256 * 28 * 28
    bn = row(googlenet, "conv1.bn")
    assert bn.params == 2 * 64 and bn.cost == Cost(multiplies=64 * 112 * 112, adds=64 * 112 * 112)
    # SqueezeNet: 96 x 109 x 109 -> ceil(106 / 2) + 1 = 54.
    assert row(cached("squeezenet1_0"), "features.2").output_shape == (96, 54, 54)
    # ResNet-18 layer1.0: the identity shortcut adds 64 x 56 x 56 = 200,704 numbers.
    add = row(cached("resnet18"), "layer1.0.add")
    assert (add.layer_type, add.output_shape, add.cost) == ("Add", (64, 56, 56), Cost(adds=200_704))
    # LeNet-5 S2: 2x2 average pool, 6 x 14 x 14 outputs, 3 adds + 1 divide each.
    assert row(cached("lenet5"), "S2").cost == Cost(adds=1_176 * 3, divides=1_176)
    # Global average pool of ResNet-50: 2048 means of 49 numbers.
    assert row(cached("resnet50"), "avgpool").cost == Cost(adds=2048 * 48, divides=2048)


def test_adaptive_pool_on_other_input_sizes() -> None:
    # AlexNet on 3 x 224 x 224: the last pool is already 6 x 6, so avgpool only divides by 1.
    assert row(cached("alexnet"), "avgpool").cost == Cost(divides=256 * 36)
    # On 3 x 256 x 256: conv1 (256 + 4 - 11)//4 + 1 = 63, pools to 31, 15, 7; then 7 -> 6 with
    # PyTorch's windows [0,2), [1,3), ..., [5,7): six windows of 2 per axis, 144 elements per channel.
    big = cached("alexnet", (3, 256, 256))
    assert row(big, "features.12").output_shape == (256, 7, 7)
    assert row(big, "avgpool").cost == Cost(adds=256 * (144 - 36), divides=256 * 36)
    assert row(big, "classifier.1").input_shape == (256 * 6 * 6,)  # the dense layers do not change
    # AlexNet on 227 x 227 (the paper's size): floor((227 + 4 - 11) / 4) + 1 = 56.
    assert row(cached("alexnet", (3, 227, 227)), "features.0").output_shape == (64, 56, 56)


def test_totals_are_the_sums_of_the_rows() -> None:
    for name in ("lenet5", "googlenet", "resnet50", "mobilenet_v2"):
        summary = cached(name)
        assert summary.params == sum(r.params for r in summary.rows)
        assert summary.macs == sum(r.macs for r in summary.rows)
        assert summary.flops == sum(r.flops for r in summary.rows)
        assert summary.activations == sum(r.activations for r in summary.rows)
        assert summary.cost == sum((r.cost for r in summary.rows), Cost())
        assert summary.output_shape == (summary.rows[-1].output_shape[0],)
        # Only conv and linear layers have MACs; FLOPs also count BN, pooling, adds and biases.
        assert {r.layer_type for r in summary.rows if r.macs} <= {"Conv2d", "Linear"}
        assert summary.flops > 2 * summary.macs - sum(r.activations for r in summary.rows if r.macs)


def test_resnet50_flops_by_kind() -> None:
    summary = cached("resnet50")

    def total(kind: str, attribute: str) -> int:
        return sum(getattr(r, attribute) for r in summary.rows if r.layer_type == kind)

    # No conv has a bias, so each conv output is L multiplies and L - 1 adds: 2 MACs - outputs.
    conv_flops = 2 * total("Conv2d", "macs") - total("Conv2d", "activations")
    assert total("Conv2d", "flops") == conv_flops
    assert total("BatchNorm2d", "flops") == 2 * total("BatchNorm2d", "activations")
    assert total("Add", "flops") == total("Add", "activations") == 5_519_360
    assert total("Linear", "flops") == 2 * 2048 * 1000  # 2048 multiplies and 2047 + 1 adds per output
    assert summary.activation_applications == total("ReLU", "activations")
    by_type = summary.by_type()
    assert by_type["BatchNorm2d"]["flops"] == total("BatchNorm2d", "flops")
    # 1 stem conv + 16 blocks x 3 convs + 4 downsample convs; 53 BN; 1 + 16 x 3 ReLU; 16 adds.
    layers = {kind: entry["layers"] for kind, entry in by_type.items()}
    assert (
        layers["Conv2d"] == 53
        and layers["BatchNorm2d"] == 53
        and layers["ReLU"] == 49
        and layers["Add"] == 16
    )
    assert sum(entry["params"] for entry in by_type.values()) == summary.params
    assert list(by_type)[:4] == ["Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d"]


@settings(max_examples=20, deadline=None)
@given(name=st.sampled_from(["lenet5", "alexnet", "squeezenet1_0", "mobilenet_v2"]), batch=st.integers(2, 64))
def test_every_count_scales_with_the_batch(name, batch) -> None:
    one, many = cached(name), cached(name, None, batch)
    assert many.params == one.params  # parameters do not depend on the batch
    for a, b in zip(one.rows, many.rows, strict=True):
        assert (a.name, a.output_shape) == (b.name, b.output_shape)
        assert b.cost == a.cost * batch and b.activations == a.activations * batch


# ------------------------------------------------------------------ a counted run of LeNet-5


def run_lenet5_counted(batch: int, seed: int) -> tuple[dict[str, dict[str, int]], tuple[int, ...]]:
    """Run the LeNet-5 spec layer by layer with course_lib.conv and course_lib.ops under count_ops."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, 1, 32, 32))
    counts = {}
    for spec in architectures.get("lenet5").layers:
        with count_ops() as counter:
            if isinstance(spec, Conv2d):
                w = rng.standard_normal((spec.out_channels, x.shape[1], *spec.kernel))
                x = conv2d(x, w, rng.standard_normal(spec.out_channels), spec.stride, spec.padding)
            elif isinstance(spec, Tanh):
                x = ops.apply(np.tanh, x)
            elif isinstance(spec, AvgPool2d):
                x, _ = avg_pool2d_forward(x, spec.kernel, spec.stride, spec.padding)
            elif isinstance(spec, Flatten):
                x = x.reshape(x.shape[0], -1)
            elif isinstance(spec, Linear):
                weights = rng.standard_normal((x.shape[1], spec.out_features))
                x = ops.add(ops.matmul(x, weights), rng.standard_normal(spec.out_features))
            else:
                raise AssertionError(f"no rule for {spec}")
        counts[spec.name] = counter.as_dict()
    return counts, x.shape


@pytest.mark.parametrize("batch", [1, 3])
def test_lenet5_summary_equals_a_counted_run(batch) -> None:
    counts, out_shape = run_lenet5_counted(batch, seed=batch)
    summary = cached("lenet5", (1, 32, 32), batch)
    assert out_shape == (batch, 10)
    assert [r.name for r in summary.rows] == list(counts)
    for r in summary.rows:
        assert r.cost.as_dict() == counts[r.name], r.name
    counted_macs = sum(counts[r.name]["macs"] for r in summary.rows if r.layer_type in ("Conv2d", "Linear"))
    assert summary.macs == counted_macs == batch * 416_520


# ------------------------------------------------------------------ memory


def test_lenet5_memory_by_hand() -> None:
    memory = cached("lenet5").memory()
    # 61,706 parameters x 4 bytes.
    assert memory["parameters"] == memory["gradients"] == 246_824
    assert memory["optimizer_state"] == 0
    # Outputs: 4,704 (C1) + 4,704 (tanh) + 1,176 + 1,600 + 1,600 + 400 + 120 + 120 + 120 (flatten)
    # + 84 + 84 + 10 = 14,722 elements.
    assert memory["activations"] == 14_722 * 4
    # Kept for training: the 1,024-pixel input and every output but the flatten (a view).
    assert memory["saved_activations"] == (1_024 + 14_722 - 120) * 4
    # Largest im2col buffer: C1, 25 taps x 28 x 28 positions = 19,600 (C3: 150 x 100 = 15,000).
    assert memory["im2col_workspace"] == 19_600 * 4
    assert memory["training_total"] == (2 * 61_706 + 15_626 + 19_600) * 4 == 634_552
    adam = cached("lenet5").memory(dtype="float64", optimizer="adam")
    assert adam["optimizer_state"] == 2 * 61_706 * 8 and adam["parameters"] == 61_706 * 8


def test_feature_maps_and_inference_peak_by_hand() -> None:
    summary = cached("lenet5")
    maps = summary.feature_maps()
    assert len(maps) == len(summary.rows)
    # every output but the flatten's (a view): 14,722 - 120 elements; with the input, saved_activations
    assert sum(maps) == 14_722 - 120
    assert 4 * (1_024 + sum(maps)) == summary.memory()["saved_activations"]
    # largest input + output of a layer, tanh fused into the layer before it: S2 reads C1's
    # 6 x 28 x 28 = 4,704 and writes 6 x 14 x 14 = 1,176 (C1 itself: 1,024 + 4,704 = 5,728)
    assert summary.inference_peak() == (5_880, "S2")
    memory = summary.memory()
    assert memory["inference_peak"] == 4 * 5_880
    assert memory["inference_total"] == 4 * (61_706 + 5_880)
    # VGG-16 at batch 2: the second conv reads and writes 64 x 224 x 224 per sample
    assert cached("vgg16", batch=2).inference_peak() == (2 * 2 * 64 * 224 * 224, "features.2")


def test_in_place_activations_save_no_memory() -> None:
    summary = cached("alexnet")
    memory = summary.memory(dtype=2)
    relus = sum(r.activations for r in summary.rows if r.layer_type == "ReLU")
    flat = sum(r.activations for r in summary.rows if r.layer_type == "Flatten")
    dropout = sum(r.activations for r in summary.rows if r.layer_type == "Dropout")
    assert dropout == 9_216 + 4_096  # the two Dropouts of the classifier, before fc 1 and fc 2
    assert memory["saved_activations"] == 2 * (3 * 224 * 224 + summary.activations - relus - flat - dropout)


def test_dropout_is_the_identity_at_inference_and_writes_no_memory() -> None:
    """One definition: summarize and an eval-mode forward pass agree that a Dropout writes nothing.

    The forward pass below is numpy only: Dropout returns its input (as PyTorch's
    dropout does in eval mode), a non-in-place ReLU a new array, Linear a new array;
    the bytes of every array that does not share memory with its input are added up.
    """
    net = tiny(
        Flatten(name="f"),
        Linear(16, name="fc1"),
        ReLU(name="r1"),
        Dropout(0.5, name="d1"),
        Linear(12, name="fc2"),
        ReLU(inplace=True, name="r2"),
        Dropout(0.2, name="d2"),
        Linear(10, name="fc3"),
        input_shape=(2, 3, 3),
    )
    rng = np.random.default_rng(12)
    batch = 3
    x = rng.standard_normal((batch, 2, 3, 3)).astype(np.float32)
    written = x.nbytes
    n_in = 18
    for spec in net.layers:
        if isinstance(spec, Flatten):
            out = x.reshape(batch, -1)
        elif isinstance(spec, Linear):
            out = x @ rng.standard_normal((n_in, spec.out_features)).astype(np.float32)
            n_in = spec.out_features
        elif isinstance(spec, Dropout):
            out = x  # eval mode: the identity
        else:
            out = np.maximum(x, 0, out=x if spec.inplace else None)
        if not np.shares_memory(out, x):
            written += out.nbytes
        x = out
    summary = summarize(net, batch=batch)
    # by hand: input 18 + fc1 16 + r1 16 + fc2 12 + fc3 10 = 72 elements per sample, float32
    assert written == summary.memory()["saved_activations"] == 4 * batch * 72
    maps = dict(zip((r.name for r in summary.rows), summary.feature_maps(), strict=True))
    assert maps["d1"] == maps["d2"] == maps["f"] == maps["r2"] == 0 and maps["r1"] == batch * 16
    assert [r.cost for r in summary.rows if r.layer_type == "Dropout"] == [Cost(), Cost()]


# ------------------------------------------------------------------ renderings


def test_text_is_an_aligned_table_with_separators_and_totals() -> None:
    text = cached("alexnet").to_text()
    assert str(cached("alexnet")) == text
    lines = text.splitlines()
    rules = [i for i, line in enumerate(lines) if line and set(line) == {"-"}]
    assert len(rules) == 2
    table = lines[rules[0] - 1 : rules[1] + 2]  # heading, rule, rows, rule, totals
    assert len({len(line) for line in table}) == 1, "every line ends in the right-aligned last column"
    assert "70,276,800" in text and "61,100,840" in text and "714,188,480" in text
    assert lines[rules[1] + 1].startswith("Total")
    assert "float32" in text and "fvcore" in text


def test_markdown_table() -> None:
    markdown = cached("squeezenet1_0").to_markdown()
    table = [line for line in markdown.splitlines() if line.startswith("|")]
    assert len(table) == 2 + len(cached("squeezenet1_0").rows) + 1
    assert len({line.count(" | ") for line in table}) == 1
    assert table[1].startswith("| :--- |") and table[1].endswith("---: |")
    assert table[-1].startswith("| **Total** |") and "**1,248,424**" in table[-1]


def test_csv_has_plain_integers_that_add_up() -> None:
    summary = cached("resnet18")
    records = list(csv.DictReader(io.StringIO(summary.to_csv())))
    *layers, total = records
    assert len(layers) == len(summary.rows) and total["layer"] == "Total"
    for column in ("params", "macs", "flops", "activations"):
        assert sum(int(r[column]) for r in layers) == int(total[column]) == getattr(summary, column)
    assert layers[0]["output_shape"] == "64x112x112"


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self.text = []

    def handle_endtag(self, tag) -> None:
        if tag in ("td", "th"):
            self.rows[-1].append("".join(self.text))

    def handle_data(self, data) -> None:
        self.text.append(data)


def test_html_table_for_notebooks() -> None:
    summary = cached("lenet5")
    assert summary._repr_html_() == summary.to_html()
    parser = _Cells()
    parser.feed(summary.to_html())
    heading, *body, total = parser.rows
    assert heading[:2] == ["Layer", "Type"] and len(body) == len(summary.rows)
    assert body[0][:6] == ["C1", "Conv2d", "5x5", "6 x 28 x 28", "156", "117,600"]
    assert total[0] == "Total" and total[4] == "61,706"


def test_html_escapes_layer_names() -> None:
    net = Network(
        "tiny", (1, 4, 4), (Conv2d(2, 3, name="<conv & co>"), Flatten(name="f"), Linear(2, name="fc")), 2, ""
    )
    html = summarize(net).to_html()
    assert "&lt;conv &amp; co&gt;" in html and "<conv" not in html


# ------------------------------------------------------------------ bad input


def tiny(*layers, input_shape=(3, 8, 8)) -> Network:
    return Network("tiny", input_shape, layers, 10, "a test network")


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: summarize("nope"), "unknown network 'nope'"),
        (lambda: summarize(42), "net must be a Network or a network name"),
        (lambda: summarize("alexnet", (3, 224)), r"input_shape must be 3 positive integers \(C, H, W\)"),
        (lambda: summarize("alexnet", "3,224,224"), "input_shape must be 3 positive integers"),
        (lambda: summarize("alexnet", (3, 0, 224)), r"input_shape\[1\] must be a positive integer, got 0"),
        (lambda: summarize("alexnet", (3, True, 224)), r"input_shape\[1\] must be a positive integer"),
        (lambda: summarize("alexnet", batch=0), "batch must be a positive integer, got 0"),
        (lambda: summarize("alexnet", batch=1.5), "batch must be a positive integer"),
        (
            lambda: summarize("alexnet", (3, 32, 32)),
            r"alexnet on input 3 x 32 x 32: layer 'features.12' \(MaxPool2d\) on input 256 x 1 x 1: "
            r"pooling window 3 does not fit the padded input 1 along the height",
        ),
        (
            lambda: summarize("squeezenet1_0", (3, 16, 16)),
            r"layer 'features.11' \(MaxPool2d\) on input 512 x 1 x 1: .* even with ceil_mode",
        ),
        (
            lambda: summarize(tiny(Linear(4, name="fc"))),
            r"layer 'fc' \(Linear\) .* needs a flat \(n,\) input",
        ),
        (lambda: summarize(tiny(Flatten(name="f"), Conv2d(4, 3, name="c"))), r"'c' .* needs a \(C, H, W\)"),
        (
            lambda: summarize(tiny(Concat("cat", (Conv2d(4, 3, name="a"), Conv2d(4, 1, name="b"))))),
            r"layer 'cat' \(Concat\): branch outputs 4 x 6 x 6, 4 x 8 x 8 differ",
        ),
        (
            lambda: summarize(
                tiny(Residual("res", Sequential("body", (Conv2d(4, 3, padding=1, name="c"),))))
            ),
            r"layer 'res' \(Residual\): body output 4 x 8 x 8 and shortcut 3 x 8 x 8 differ",
        ),
        (lambda: summarize(tiny(Conv2d(4, 3, groups=2, name="g"))), "groups=2 must divide both c_in=3"),
        (
            lambda: summarize(tiny(AdaptiveAvgPool2d(2, name="a"), Flatten(name="f"), ReLU(name="r"))).memory(
                "int4"
            ),
            "dtype",
        ),
        (lambda: cached("lenet5").memory(optimizer="rmsprop"), "optimizer must be one of"),
        (lambda: cached("lenet5").count_as("flopz"), "convention must be one of"),
    ],
)
def test_bad_input_raises_value_error_naming_it(call, pattern) -> None:
    with pytest.raises(ValueError, match=pattern):
        call()
