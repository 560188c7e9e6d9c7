"""The closed forms of course_lib.complexity.conv against independent references.

References: brute-force enumeration of window positions, published layer figures (AlexNet
and VGG-16 in Sze et al. 2017, MobileNet's cost ratio in Howard et al. 2017, the parameter
count Keras reports for VGG-16 without its classifier), identities that must hold exactly
(a 1x1 or whole-input kernel is a dense layer, G groups divide the cost by G), and numbers
worked out by hand in the comments. (Counted runs of the real code are compared with these
formulas in tests/test_conv_counts.py.)
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.complexity.conv import (
    DTYPE_BYTES,
    OPTIMIZER_STATE_SLOTS,
    avg_pool2d_backward_cost,
    avg_pool2d_cost,
    conv2d_backward_cost,
    conv2d_backward_costs,
    conv2d_flops,
    conv2d_forward_cost,
    conv2d_im2col_elements,
    conv2d_macs,
    conv2d_output_elements,
    conv2d_output_shape,
    conv2d_params,
    conv2d_training_memory,
    global_avg_pool2d_backward_cost,
    global_avg_pool2d_cost,
    max_pool2d_backward_cost,
    max_pool2d_comparisons,
    max_pool2d_cost,
    pool2d_output_shape,
)
from course_lib.complexity.cost import Cost

# ---------------------------------------------------------------- output shape


def _positions(n: int, k: int, padding: int, stride: int, dilation: int) -> int:
    """Window starts 0, stride, 2*stride, ... whose last tap is inside the padded input, one by one."""
    return sum(
        1 for start in range(0, n + 2 * padding, stride) if start + dilation * (k - 1) < n + 2 * padding
    )


@settings(max_examples=60)
@given(
    height=st.integers(1, 30),
    width=st.integers(1, 30),
    kernel=st.tuples(st.integers(1, 7), st.integers(1, 7)),
    stride=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    padding=st.tuples(st.integers(0, 3), st.integers(0, 3)),
    dilation=st.tuples(st.integers(1, 3), st.integers(1, 3)),
)
def test_output_shape_counts_window_positions(height, width, kernel, stride, padding, dilation) -> None:
    expected = tuple(
        _positions(*args) for args in zip((height, width), kernel, padding, stride, dilation, strict=True)
    )
    if 0 in expected:
        with pytest.raises(ValueError, match="does not fit the padded input"):
            conv2d_output_shape(height, width, kernel, stride, padding, dilation)
    else:
        assert conv2d_output_shape(height, width, kernel, stride, padding, dilation) == expected


def test_output_shape_textbook_values() -> None:
    assert conv2d_output_shape(227, 227, 11, stride=4) == (55, 55)  # AlexNet conv1
    assert conv2d_output_shape(224, 224, 7, stride=2, padding=3) == (112, 112)  # ResNet stem
    assert conv2d_output_shape(32, 32, 5) == (28, 28)  # LeNet-5 C1
    assert conv2d_output_shape(6, 9, (3, 1), stride=(2, 3)) == (2, 3)  # non-square, floors
    assert pool2d_output_shape(55, 55, 3, stride=2) == (27, 27)  # AlexNet overlapping max pool
    assert pool2d_output_shape(28, 28, 2) == (14, 14)  # LeNet-5 S2: stride defaults to the window


# ---------------------------------------------------------------- published layer figures

# AlexNet's five conv layers as in Krizhevsky et al. (2012), input 227x227:
# (c_in, size, c_out, kernel, stride, padding, groups).
ALEXNET = [
    (3, 227, 96, 11, 4, 0, 1),
    (96, 27, 256, 5, 1, 2, 2),
    (256, 13, 384, 3, 1, 1, 1),
    (384, 13, 384, 3, 1, 1, 2),
    (384, 13, 256, 3, 1, 1, 2),
]
VGG16_CHANNELS = [(3, 64), (64, 64), (64, 128), (128, 128), (128, 256), (256, 256), (256, 256)]
VGG16_CHANNELS += [(256, 512), (512, 512), (512, 512), (512, 512), (512, 512), (512, 512)]
VGG16_SIZES = [224, 224, 112, 112, 56, 56, 56, 28, 28, 28, 14, 14, 14]


def test_alexnet_layers_by_hand_and_sze_totals() -> None:
    # conv1: 55*55 outputs x 96 filters x 3*11*11 = 363 taps = 105,415,200 MACs.
    assert conv2d_macs(3, 227, 227, 96, 11, stride=4) == 55 * 55 * 96 * 363 == 105_415_200
    # conv2 in two groups: 27*27*256 outputs, each of 48*25 = 1200 taps.
    assert conv2d_macs(96, 27, 27, 256, 5, padding=2, groups=2) == 223_948_800
    macs = sum(
        conv2d_macs(c, s, s, o, k, stride=step, padding=p, groups=g) for c, s, o, k, step, p, g in ALEXNET
    )
    weights = sum(conv2d_params(c, o, k, groups=g, bias=False) for c, _, o, k, _, _, g in ALEXNET)
    # Sze et al. (2017), Table: AlexNet's CONV layers have 2.3M weights and 666M MACs.
    assert round(macs / 1e6) == 666
    assert round(weights / 1e5) == 23


def test_vgg16_conv_parameters_and_macs() -> None:
    params = sum(conv2d_params(c, o, 3) for c, o in VGG16_CHANNELS)
    assert conv2d_params(3, 64, 3) == 64 * 27 + 64 == 1_792  # block1_conv1 in Keras' summary
    assert params == 14_714_688  # keras.applications.VGG16(include_top=False).count_params()
    macs = sum(
        conv2d_macs(c, s, s, o, 3, padding=1) for (c, o), s in zip(VGG16_CHANNELS, VGG16_SIZES, strict=True)
    )
    assert round(macs / 1e8) == 153  # Sze et al. (2017): 15.3G MACs in VGG-16's CONV layers


def test_resnet_stem_and_mobilenet_depthwise_by_hand() -> None:
    # ResNet-50 conv1: 64 filters 7x7x3, stride 2, pad 3, no bias: 9,408 weights, 112*112*64*147 MACs.
    assert conv2d_params(3, 64, 7, bias=False) == 9_408
    assert conv2d_macs(3, 224, 224, 64, 7, stride=2, padding=3) == 112 * 112 * 64 * 147 == 118_013_952
    # MobileNet's first depthwise layer: 3x3 on 112x112x32, one filter per channel.
    assert conv2d_macs(32, 112, 112, 32, 3, padding=1, groups=32) == 112 * 112 * 32 * 9
    assert conv2d_params(32, 32, 3, groups=32, bias=False) == 32 * 9


@settings(max_examples=40)
@given(
    c_in=st.integers(1, 64),
    c_out=st.integers(1, 64),
    kernel=st.sampled_from([1, 3, 5, 7]),
    size=st.integers(8, 32),
)
def test_depthwise_separable_ratio_of_howard_et_al(c_in, c_out, kernel, size) -> None:
    # Howard et al. (2017), eq. 5: (depthwise + pointwise) / standard = 1/N + 1/D_K^2.
    pad = kernel // 2
    standard = conv2d_macs(c_in, size, size, c_out, kernel, padding=pad)
    depthwise = conv2d_macs(c_in, size, size, c_in, kernel, padding=pad, groups=c_in)
    pointwise = conv2d_macs(c_in, size, size, c_out, 1)
    assert Fraction(depthwise + pointwise, standard) == Fraction(1, c_out) + Fraction(1, kernel**2)


# ---------------------------------------------------------------- identities


@settings(max_examples=40)
@given(
    batch=st.integers(1, 4),
    c_in=st.integers(1, 16),
    c_out=st.integers(1, 16),
    size=st.integers(1, 12),
    bias=st.booleans(),
)
def test_whole_input_kernel_and_1x1_kernel_are_dense_layers(batch, c_in, c_out, size, bias) -> None:
    # A kernel as large as the input is one dense layer of n_in = C_in*K*K inputs per sample;
    # a 1x1 kernel is a dense C_in -> C_out layer applied at each of the H*W positions.
    # A dense layer on B rows: B*n_in*n_out multiplies, B*(n_in - 1)*n_out adds (+ B*n_out bias adds).
    def dense(rows: int, n_in: int, n_out: int) -> Cost:
        return Cost(
            multiplies=rows * n_in * n_out,
            adds=rows * (n_in - 1) * n_out + (rows * n_out if bias else 0),
            macs=rows * n_in * n_out,
        )

    whole = conv2d_forward_cost(c_in, size, size, c_out, size, bias=bias, batch=batch)
    assert whole == dense(batch, c_in * size * size, c_out)
    pointwise = conv2d_forward_cost(c_in, size, size, c_out, 1, bias=bias, batch=batch)
    assert pointwise == dense(batch * size * size, c_in, c_out)
    assert conv2d_params(c_in, c_out, size, bias=bias) == c_in * size * size * c_out + (c_out if bias else 0)


@settings(max_examples=40)
@given(
    groups=st.integers(1, 6),
    per_in=st.integers(1, 4),
    per_out=st.integers(1, 4),
    size=st.integers(3, 12),
    kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)),
)
def test_groups_divide_macs_and_weights(groups, per_in, per_out, size, kernel) -> None:
    c_in, c_out = groups * per_in, groups * per_out
    assert conv2d_macs(c_in, size, size, c_out, kernel, groups=groups) * groups == conv2d_macs(
        c_in, size, size, c_out, kernel
    )
    weights = conv2d_params(c_in, c_out, kernel, groups=groups, bias=False)
    assert weights * groups == conv2d_params(c_in, c_out, kernel, bias=False)


@settings(max_examples=40)
@given(
    c_in=st.integers(1, 8),
    size=st.integers(1, 20),
    half=st.integers(0, 3),
    batch=st.integers(1, 3),
)
def test_im2col_blow_up_is_k_squared_for_same_padding(c_in, size, half, batch) -> None:
    kernel = 2 * half + 1  # odd kernel, padding K // 2, stride 1: output size = input size
    elements = conv2d_im2col_elements(c_in, size, size, kernel, padding=half, batch=batch)
    assert elements == kernel**2 * batch * c_in * size * size


def test_flops_macs_and_output_elements_by_hand() -> None:
    # 2 samples, 3 -> 4 channels, 5x6 input, 3x3 kernel, no padding: 3x4 output,
    # E = 2*4*3*4 = 96 outputs, L = 27: 2592 MACs, 96*26 = 2496 adds (+96 for the bias).
    cost = conv2d_forward_cost(3, 5, 6, 4, 3, batch=2)
    assert cost == Cost(multiplies=2592, adds=2496 + 96, macs=2592)
    assert conv2d_flops(3, 5, 6, 4, 3, batch=2) == 2 * 2592  # with a bias, FLOPs = 2 x MACs exactly
    assert conv2d_flops(3, 5, 6, 4, 3, batch=2, bias=False) == 2 * 2592 - 96
    assert conv2d_output_elements(3, 5, 6, 4, 3, batch=2) == 96
    # im2col: 27 rows x 12 columns per sample.
    assert conv2d_im2col_elements(3, 5, 6, 3, batch=2) == 2 * 27 * 12


# ---------------------------------------------------------------- backward


def test_backward_by_hand() -> None:
    # Same layer: P = 2*3*4 = 24 positions, E*L = 2592.
    parts = conv2d_backward_costs(3, 5, 6, 4, 3, batch=2)
    assert parts["db"] == Cost(adds=4 * 23)  # each bias gradient sums 24 numbers
    assert parts["dW"] == Cost(multiplies=2592, adds=4 * 27 * 23, macs=2592)  # 108 sums of 24 products
    assert parts["dx"] == Cost(multiplies=2592, adds=2592, macs=2592)
    assert conv2d_backward_cost(3, 5, 6, 4, 3, batch=2) == parts["dx"] + parts["dW"] + parts["db"]
    no_bias = conv2d_backward_costs(3, 5, 6, 4, 3, batch=2, bias=False, need_dx=False)
    assert no_bias["db"] == Cost() and no_bias["dx"] == Cost()


@settings(max_examples=40)
@given(
    batch=st.integers(1, 4),
    c_in=st.integers(1, 8),
    c_out=st.integers(1, 8),
    size=st.integers(3, 16),
    kernel=st.integers(1, 3),
    stride=st.integers(1, 3),
)
def test_backward_does_twice_the_forward_products(batch, c_in, c_out, size, kernel, stride) -> None:
    forward = conv2d_forward_cost(c_in, size, size, c_out, kernel, stride=stride, batch=batch)
    backward = conv2d_backward_cost(c_in, size, size, c_out, kernel, stride=stride, batch=batch)
    assert backward.multiplies == 2 * forward.multiplies
    assert backward.macs == 2 * forward.macs
    # FLOPs, summing the parts by hand (E outputs, L taps, P = E / C_out positions):
    # dx 2EL, dW EL + C_out L (P - 1), db C_out (P - 1) -> 4EL + E - C_out (L + 1),
    # i.e. backward = 2 x forward + (output elements - parameters).
    outputs = conv2d_output_elements(c_in, size, size, c_out, kernel, stride=stride, batch=batch)
    assert backward.flops == 2 * forward.flops + outputs - conv2d_params(c_in, c_out, kernel)


# ---------------------------------------------------------------- pooling


def test_pooling_costs_by_hand() -> None:
    # AlexNet pool1: 3x3 windows, stride 2, on 55x55x96 -> 27x27x96 = 69,984 outputs.
    outputs = 27 * 27 * 96
    assert max_pool2d_cost(96, 55, 55, 3, stride=2) == Cost()
    assert max_pool2d_comparisons(96, 55, 55, 3, stride=2) == outputs * 8
    assert max_pool2d_backward_cost(96, 55, 55, 3, stride=2) == Cost(adds=outputs)
    # LeNet-5 style 2x2 average pooling of 28x28x6, batch 10: 10*6*14*14 = 11,760 outputs.
    assert avg_pool2d_cost(6, 28, 28, 2, batch=10) == Cost(adds=11_760 * 3, divides=11_760)
    assert avg_pool2d_backward_cost(6, 28, 28, 2, batch=10) == Cost(adds=11_760 * 4, divides=11_760)
    # ResNet-50's global average pool: 7x7x2048 -> 2048 means of 49 numbers.
    assert global_avg_pool2d_cost(2048, 7, 7) == Cost(adds=2048 * 48, divides=2048)
    assert global_avg_pool2d_backward_cost(2048, 7, 7, batch=3) == Cost(divides=3 * 2048)


# ---------------------------------------------------------------- training memory


def test_training_memory_by_hand() -> None:
    # 3 -> 16 channels, 3x3, padding 1, on 32x32, batch 8, float32, Adam:
    # params 16*27 + 16 = 448 -> 1,792 bytes; gradients the same; Adam keeps 2 x 448 -> 3,584 bytes;
    # saved input 8*3*32*32 = 24,576 elements -> 98,304 bytes; output 8*16*32*32 -> 524,288 bytes;
    # im2col 8*27*32*32 = 221,184 elements -> 884,736 bytes.
    memory = conv2d_training_memory(3, 32, 32, 16, 3, padding=1, batch=8, optimizer="adam")
    expected = {
        "parameters": 1_792,
        "gradients": 1_792,
        "optimizer_state": 3_584,
        "saved_input": 98_304,
        "output": 524_288,
        "im2col_workspace": 884_736,
    }
    assert memory == {**expected, "total": sum(expected.values())}
    # float64 doubles every entry; plain SGD keeps no state, momentum one slot.
    doubled = conv2d_training_memory(3, 32, 32, 16, 3, padding=1, batch=8, optimizer="adam", dtype="float64")
    assert doubled == {key: 2 * value for key, value in memory.items()}
    sgd = conv2d_training_memory(3, 32, 32, 16, 3, padding=1, batch=8, dtype=4)
    assert sgd["optimizer_state"] == 0 and sgd["total"] == memory["total"] - 3_584
    momentum = conv2d_training_memory(3, 32, 32, 16, 3, padding=1, batch=8, optimizer="momentum")
    assert momentum["optimizer_state"] == 1_792
    assert DTYPE_BYTES["float16"] == 2 and OPTIMIZER_STATE_SLOTS == {"sgd": 0, "momentum": 1, "adam": 2}


# ---------------------------------------------------------------- types and bad input


def test_everything_is_a_python_int() -> None:
    cost = conv2d_forward_cost(3, 5, 6, 4, 3, batch=2)
    assert all(type(v) is int for v in cost.as_dict().values())
    assert all(type(v) is int for v in conv2d_training_memory(3, 5, 6, 4, 3).values())
    assert type(conv2d_macs(3, 5, 6, 4, 3)) is int and type(conv2d_params(3, 4, 3)) is int


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (
            lambda: conv2d_output_shape(4, 4, 7),
            r"kernel 7 \(dilated extent 7\) does not fit the padded input 4",
        ),
        (lambda: conv2d_output_shape(4, 4, 3, dilation=2), "dilated extent 5"),
        (lambda: conv2d_output_shape(0, 4, 3), "height must be a positive integer"),
        (lambda: conv2d_output_shape(4, 4, 3, stride=1.5), "stride must be a positive integer"),
        (lambda: conv2d_output_shape(4, 4, 3, padding=-1), r"padding must be an integer >= 0"),
        (lambda: conv2d_output_shape(4, 4, (3, 3, 3)), "kernel must be an int or a"),
        (lambda: conv2d_output_shape(4, 4, (3, 0)), r"kernel\[1\] must be a positive integer"),
        (lambda: conv2d_macs(4, 8, 8, 6, 3, groups=4), "groups=4 must divide both c_in=4 and c_out=6"),
        (lambda: conv2d_params(3, 4, 3, groups=2), "groups=2 must divide"),
        (lambda: conv2d_forward_cost(True, 8, 8, 6, 3), "c_in must be a positive integer"),
        (lambda: conv2d_forward_cost(3, 8, 8, 6, 3, batch=0), "batch must be a positive integer"),
        (lambda: conv2d_training_memory(3, 8, 8, 6, 3, optimizer="rmsprop"), "optimizer must be one of"),
        (lambda: conv2d_training_memory(3, 8, 8, 6, 3, dtype="int8"), "dtype must be one of"),
        (lambda: conv2d_training_memory(3, 8, 8, 6, 3, dtype=0), "dtype must be a positive integer"),
        (lambda: pool2d_output_shape(8, 8, 2, padding=2), "padding .* must be at most half the kernel"),
        (lambda: max_pool2d_cost(0, 8, 8, 2), "channels must be a positive integer"),
        (lambda: global_avg_pool2d_cost(3, 8, 0), "width must be a positive integer"),
    ],
)
def test_bad_input_names_the_argument(call, pattern) -> None:
    with pytest.raises(ValueError, match=pattern):
        call()
