"""The layer specs of course_lib.architectures: construction, normalisation, bad input."""

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.architectures import (
    AdaptiveAvgPool2d,
    AvgPool2d,
    BatchNorm2d,
    Concat,
    Conv2d,
    Dropout,
    Flatten,
    Linear,
    MaxPool2d,
    Network,
    ReLU,
    ReLU6,
    Residual,
    Sequential,
    Sigmoid,
    Tanh,
    children,
    leaves,
)

positive = st.integers(min_value=1, max_value=64)
non_negative = st.integers(min_value=0, max_value=64)
pair_or_int = st.one_of(positive, st.tuples(positive, positive))


def as_pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


@settings(max_examples=50)
@given(
    out_channels=positive,
    kernel=pair_or_int,
    stride=pair_or_int,
    padding=st.one_of(non_negative, st.tuples(non_negative, non_negative)),
    dilation=pair_or_int,
)
def test_conv2d_stores_every_window_argument_as_an_hw_pair(out_channels, kernel, stride, padding, dilation):
    conv = Conv2d(out_channels, kernel, stride=stride, padding=padding, dilation=dilation, name="c")
    assert conv.out_channels == out_channels
    assert conv.kernel == as_pair(kernel)
    assert conv.stride == as_pair(stride)
    assert conv.padding == as_pair(padding)
    assert conv.dilation == as_pair(dilation)
    assert (conv.groups, conv.bias, conv.name) == (1, True, "c")


@settings(max_examples=50)
@given(groups=positive, per_group=positive)
def test_conv2d_accepts_groups_dividing_out_channels(groups, per_group):
    assert Conv2d(groups * per_group, 3, groups=groups).groups == groups


@settings(max_examples=50)
@given(groups=st.integers(min_value=2, max_value=16), out_channels=positive)
def test_conv2d_rejects_groups_not_dividing_out_channels(groups, out_channels):
    if out_channels % groups == 0:
        out_channels += 1
    with pytest.raises(ValueError, match="groups"):
        Conv2d(out_channels, 1, groups=groups)


@settings(max_examples=30)
@given(bad=st.integers(max_value=0))
def test_conv2d_rejects_non_positive_sizes_naming_the_argument(bad):
    for argument, kwargs in [
        ("out_channels", {"out_channels": bad, "kernel": 3}),
        ("kernel", {"out_channels": 4, "kernel": bad}),
        ("stride", {"out_channels": 4, "kernel": 3, "stride": bad}),
        ("dilation", {"out_channels": 4, "kernel": 3, "dilation": bad}),
        ("groups", {"out_channels": 4, "kernel": 3, "groups": bad}),
    ]:
        with pytest.raises(ValueError, match=argument):
            Conv2d(**kwargs)


@settings(max_examples=30)
@given(bad=st.integers(max_value=-1))
def test_negative_padding_is_rejected_naming_padding(bad):
    with pytest.raises(ValueError, match="padding"):
        Conv2d(4, 3, padding=bad)
    with pytest.raises(ValueError, match="padding"):
        Conv2d(4, 3, padding=(1, bad))
    with pytest.raises(ValueError, match="padding"):
        MaxPool2d(3, padding=bad)


@pytest.mark.parametrize(
    ("make", "argument"),
    [
        (lambda: Conv2d(4, (3, 0)), "kernel"),
        (lambda: Conv2d(4, (3, 3, 3)), "kernel"),
        (lambda: Conv2d(4, "3"), "kernel"),
        (lambda: Conv2d(4, 3.0), "kernel"),
        (lambda: Conv2d(True, 3), "out_channels"),
        (lambda: Conv2d(4, 3, bias=1), "bias"),
        (lambda: Conv2d(4, 3, name=7), "name"),
        (lambda: MaxPool2d(0), "kernel"),
        (lambda: MaxPool2d(3, stride=0), "stride"),
        (lambda: MaxPool2d(2, padding=2), "padding"),
        (lambda: MaxPool2d(3, ceil_mode="yes"), "ceil_mode"),
        (lambda: AvgPool2d((2, -1)), "kernel"),
        (lambda: AdaptiveAvgPool2d(0), "output_size"),
        (lambda: Linear(0), "out_features"),
        (lambda: Linear(-3), "out_features"),
        (lambda: Dropout(1.5), "p"),
        (lambda: Dropout(-0.1), "p"),
        (lambda: BatchNorm2d(eps=0), "eps"),
        (lambda: ReLU(inplace=None), "inplace"),
        (lambda: Sequential("s", ()), "layers"),
        (lambda: Sequential("s", (Conv2d(4, 3), "relu")), "layers"),
        (lambda: Concat("c", (Conv2d(4, 1),)), "branches"),
        (lambda: Residual("r", body=None), "body"),
        (lambda: Residual("r", Conv2d(4, 3), shortcut=3), "shortcut"),
    ],
)
def test_bad_values_raise_valueerror_naming_the_argument(make, argument):
    with pytest.raises(ValueError, match=argument):
        make()


def test_error_messages_name_the_layer_and_show_the_value():
    with pytest.raises(
        ValueError, match=r"Conv2d 'features\.0': kernel\[1\] must be a positive integer, got 0"
    ):
        Conv2d(4, (3, 0), name="features.0")


def test_pool_stride_defaults_to_the_kernel_and_keeps_ceil_mode():
    pool = MaxPool2d(3, ceil_mode=True, name="p")
    assert (pool.kernel, pool.stride, pool.padding, pool.ceil_mode) == ((3, 3), (3, 3), (0, 0), True)
    assert AvgPool2d((2, 4)).stride == (2, 4)
    assert MaxPool2d(3, stride=2).stride == (2, 2)


def test_activation_kinds_and_defaults():
    assert [a.function for a in (ReLU(), ReLU6(), Tanh(), Sigmoid())] == ["relu", "relu6", "tanh", "sigmoid"]
    assert ReLU(inplace=True).inplace and not ReLU().inplace
    assert BatchNorm2d().eps == 1e-5 and BatchNorm2d(eps=0.001).eps == 0.001
    assert AdaptiveAvgPool2d(1).output_size == (1, 1)
    assert Linear(10).bias and not Linear(10, bias=False).bias


def test_specs_are_frozen_and_hashable():
    conv = Conv2d(8, 3, name="c")
    with pytest.raises(dataclasses.FrozenInstanceError):
        conv.out_channels = 9
    assert conv == Conv2d(8, (3, 3), name="c")
    assert len({conv, Conv2d(8, 3, name="c"), Flatten()}) == 2


def test_composites_turn_lists_into_tuples_and_walk_in_order():
    a, b, c, d = Conv2d(4, 1, name="a"), ReLU(name="b"), Conv2d(4, 3, padding=1, name="c"), Flatten(name="d")
    seq = Sequential("s", [a, b])
    assert seq.layers == (a, b)
    block = Sequential(
        "block", [Residual("r", Sequential("body", [a, b]), shortcut=c), Concat("k", [a, c]), d]
    )
    assert [spec.name for spec in leaves(block)] == ["a", "b", "c", "a", "c", "d"]
    assert [spec.name for spec in leaves([a, seq])] == ["a", "a", "b"]
    assert children(Residual("r", a)) == (a,)
    assert children(a) == ()


def test_network_validates_its_input_shape():
    layers = (Flatten(name="f"), Linear(10, name="fc"))
    net = Network("tiny", [3, 8, 8], layers, 10, "a test")
    assert net.input_shape == (3, 8, 8)
    with pytest.raises(ValueError, match="input_shape"):
        Network("tiny", (8, 8), layers, 10, "a test")
    with pytest.raises(ValueError, match="input_shape"):
        Network("tiny", (3, 0, 8), layers, 10, "a test")
    with pytest.raises(ValueError, match="num_classes"):
        Network("tiny", (3, 8, 8), layers, 0, "a test")


def test_the_package_imports_only_the_standard_library_itself_and_validation():
    import ast
    import sys
    from pathlib import Path

    import course_lib.architectures as package

    for path in Path(package.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                # the one home of argument checks is allowed: the specs check their values with it
                inside = module.startswith("course_lib.architectures") or module == "course_lib.validation"
                assert inside or top in sys.stdlib_module_names, f"{path.name} imports {module}"


def test_leaves_accepts_a_network():
    layers = (Conv2d(4, 3, name="c"), Flatten(name="f"), Linear(10, name="fc"))
    net = Network("tiny", (3, 8, 8), layers, 10, "a test")
    assert [spec.name for spec in leaves(net)] == ["c", "f", "fc"]
