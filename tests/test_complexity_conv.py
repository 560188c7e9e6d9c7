"""The closed forms of course_lib.complexity.conv against independent references.

References: brute-force enumeration of window positions, published layer figures (AlexNet
and VGG-16 in Sze et al. 2017, MobileNet's cost ratio in Howard et al. 2017, the parameter
count Keras reports for VGG-16 without its classifier), identities that must hold exactly
(a 1x1 or whole-input kernel is a dense layer, G groups divide the cost by G), and numbers
worked out by hand in the comments. (Counted runs of the real code are compared with these
formulas in tests/test_conv_counts.py.)
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.complexity.conv import (
    DTYPE_BYTES,
    OPTIMIZER_STATE_SLOTS,
    adaptive_avg_pool2d_cost,
    adaptive_pool_windows,
    avg_pool2d_backward_cost,
    avg_pool2d_cost,
    batch_norm2d_cost,
    batch_norm2d_params,
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
    residual_add_cost,
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


# ---------------------------------------------------------------- pooling: ceil mode


def _ceil_windows(n: int, k: int, padding: int, stride: int) -> list[int]:
    """Window lengths of a ceil-mode pool, window by window: starting at 0, add windows while the
    last one ends before the end of the padded input; a window may hang over that end (it is cut
    there), but must start inside the input or its left padding."""
    padded, lengths, start, end = n + 2 * padding, [], 0, 0
    while end < padded and start < n + padding:
        lengths.append(min(k, padded - start))
        end, start = start + k, start + stride
    return lengths


@settings(max_examples=80)
@given(
    size=st.integers(1, 40),
    kernel=st.integers(1, 6),
    stride=st.integers(1, 5),
    padding=st.integers(0, 3),
)
def test_ceil_mode_counts_the_windows_that_cover_the_input(size, kernel, stride, padding) -> None:
    if 2 * padding > kernel or kernel > size + 2 * padding:
        return  # bad padding is rejected elsewhere; an oversized kernel is tested by hand below
    lengths = _ceil_windows(size, kernel, padding, stride)
    assert pool2d_output_shape(size, size, kernel, stride, padding, ceil_mode=True) == (len(lengths),) * 2
    floor = pool2d_output_shape(size, size, kernel, stride, padding)
    assert floor[0] <= len(lengths) <= floor[0] + 1
    # every window holds the kernel's elements unless it was cut at the end of the padded input
    assert avg_pool2d_cost(2, size, size, kernel, stride=stride, padding=padding, ceil_mode=True) == Cost(
        adds=2 * (sum(lengths) ** 2 - len(lengths) ** 2), divides=2 * len(lengths) ** 2
    )


def test_ceil_mode_by_hand() -> None:
    # GoogLeNet maxpool1, 3x3 stride 2 on 112: ceil(109/2) + 1 = 56 (floor mode: 55).
    assert pool2d_output_shape(112, 112, 3, 2, ceil_mode=True) == (56, 56)
    assert pool2d_output_shape(112, 112, 3, 2) == (55, 55)
    # SqueezeNet: 3x3 stride 2 on 109: ceil(106/2) + 1 = 54; on 54: ceil(51/2) + 1 = 27.
    assert pool2d_output_shape(109, 54, 3, 2, ceil_mode=True) == (54, 27)
    # GoogLeNet maxpool4, 2x2 stride 2 on 14 (even): ceil and floor agree, 7.
    assert pool2d_output_shape(14, 14, 2, 2, ceil_mode=True) == (7, 7)
    # ceil(3/2) + 1 = 3 windows on 5 inputs: starts 0, 2, 4; the last one holds 1 element.
    assert pool2d_output_shape(5, 5, 2, ceil_mode=True) == (3, 3)
    # ceil(4/3) + 1 = 3, but the third window would start at 6 >= 5 + 1, in the right padding: dropped.
    assert pool2d_output_shape(5, 5, 3, 3, 1, ceil_mode=True) == (2, 2)
    # stride larger than the kernel, no padding: ceil(5/4) + 1 = 3, the third start 8 >= 6: dropped.
    assert pool2d_output_shape(6, 6, 1, 4, ceil_mode=True) == (2, 2)
    # PyTorch keeps one window when the kernel overhangs a tiny input by less than a stride ...
    assert pool2d_output_shape(1, 1, 2, ceil_mode=True) == (1, 1)
    # ... but not when it overhangs by a whole stride: ceil((1 - 3)/2) + 1 = 0.
    with pytest.raises(ValueError, match=r"does not fit the padded input 1 .*even with ceil_mode"):
        pool2d_output_shape(1, 1, 3, 2, ceil_mode=True)


def test_ceil_mode_pooling_costs_by_hand() -> None:
    # 2x2 windows, stride 2, on 5x5: 3x3 outputs; along each axis the windows hold 2, 2 and 1
    # elements, so the 9 windows hold 5 x 5 = 25 elements in all: 25 - 9 = 16 adds, 9 divides.
    assert avg_pool2d_cost(1, 5, 5, 2, ceil_mode=True) == Cost(adds=16, divides=9)
    assert avg_pool2d_backward_cost(4, 5, 5, 2, ceil_mode=True, batch=2) == Cost(adds=8 * 25, divides=8 * 9)
    assert max_pool2d_comparisons(1, 5, 5, 2, ceil_mode=True) == 16
    assert max_pool2d_backward_cost(1, 5, 5, 2, ceil_mode=True) == Cost(adds=9)
    assert max_pool2d_cost(1, 5, 5, 2, ceil_mode=True) == Cost()
    # GoogLeNet maxpool1 on 64 x 112 x 112: 56 x 56 outputs; along each axis 55 full windows of 3 and
    # one of 112 - 110 = 2, so (55*3 + 2)^2 = 167^2 elements per channel.
    assert max_pool2d_comparisons(64, 112, 112, 3, stride=2, ceil_mode=True) == 64 * (167**2 - 56**2)
    # Where no window is cut, ceil mode changes nothing.
    assert avg_pool2d_cost(3, 14, 14, 2, ceil_mode=True) == avg_pool2d_cost(3, 14, 14, 2)


# ---------------------------------------------------------------- adaptive pooling, batch norm, add


def test_adaptive_windows_by_hand() -> None:
    # 5 inputs to 3 outputs: floor(5i/3) .. ceil(5(i+1)/3): [0, 2), [1, 4), [3, 5), overlapping.
    assert adaptive_pool_windows(5, 3) == [(0, 2), (1, 4), (3, 5)]
    # 7 to 6 (AlexNet's avgpool on a 256x256 image): six windows of 2.
    assert adaptive_pool_windows(7, 6) == [(0, 2), (1, 3), (2, 4), (3, 5), (4, 6), (5, 7)]
    assert adaptive_pool_windows(6, 6) == [(i, i + 1) for i in range(6)]  # the identity
    assert adaptive_pool_windows(2, 4) == [(0, 1), (0, 1), (1, 2), (1, 2)]  # more outputs than inputs
    # 5 -> 3 along both axes: window sizes 2, 3, 2 -> (7 x 7) = 49 elements in 9 windows.
    assert adaptive_avg_pool2d_cost(2, 5, 5, 3) == Cost(adds=2 * (49 - 9), divides=2 * 9)
    assert adaptive_avg_pool2d_cost(256, 7, 7, (6, 6)) == Cost(adds=256 * (144 - 36), divides=256 * 36)


@settings(max_examples=60)
@given(
    size=st.integers(1, 40),
    out=st.integers(1, 12),
    channels=st.integers(1, 4),
    batch=st.integers(1, 3),
)
def test_adaptive_pooling_properties(size, out, channels, batch) -> None:
    windows = adaptive_pool_windows(size, out)
    assert len(windows) == out and windows[0][0] == 0 and windows[-1][1] == size
    assert all(start < end for start, end in windows)  # never empty
    assert all(
        a_start <= b_start and a_end <= b_end
        for (a_start, a_end), (b_start, b_end) in itertools.pairwise(windows)
    )
    covered = set().union(*(range(start, end) for start, end in windows))
    assert covered == set(range(size))
    # Global average pooling is the (1, 1) case.
    assert adaptive_avg_pool2d_cost(channels, size, size, 1, batch=batch) == global_avg_pool2d_cost(
        channels, size, size, batch
    )
    # When out divides size, the windows are the tiles of an ordinary average pool.
    if size % out == 0:
        tile = size // out
        assert adaptive_avg_pool2d_cost(channels, size, size, out, batch=batch) == avg_pool2d_cost(
            channels, size, size, tile, batch=batch
        )


def test_batch_norm_and_residual_add_by_hand() -> None:
    # ResNet-50 bn1 on 64 x 112 x 112: 802,816 elements, one multiply and one add each at inference.
    assert batch_norm2d_cost(64, 112, 112) == Cost(multiplies=802_816, adds=802_816)
    assert batch_norm2d_cost(64, 112, 112, batch=2).flops == 4 * 802_816
    assert batch_norm2d_params(64) == 128  # gamma and beta per channel
    # ResNet-18 layer1.0: out + identity on 64 x 56 x 56 = 200,704 adds.
    assert residual_add_cost(64, 56, 56) == Cost(adds=200_704)
    assert residual_add_cost(64, 56, 56, batch=3) == Cost(adds=3 * 200_704)


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
    assert all(type(v) is int for v in adaptive_avg_pool2d_cost(3, 7, 7, 6).as_dict().values())
    assert all(type(v) is int for v in avg_pool2d_cost(3, 5, 5, 2, ceil_mode=True).as_dict().values())
    assert type(batch_norm2d_params(3)) is int


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (
            lambda: conv2d_output_shape(4, 4, 7),
            r"kernel 7 \(dilated extent 7\) does not fit the padded input 4 along the height",
        ),
        (
            lambda: conv2d_output_shape(10, 4, (3, 5), padding=(0, 0)),
            r"kernel 5 \(dilated extent 5\) does not fit the padded input 4 along the width \(input 4, padding 0\)",
        ),
        (
            lambda: pool2d_output_shape(8, 1, 2),
            r"pooling window 2 does not fit the padded input 1 along the width",
        ),
        (lambda: conv2d_output_shape(4, 4, 3, dilation=2), "dilated extent 5"),
        (lambda: conv2d_output_shape(0, 4, 3), "height must be a positive integer"),
        (lambda: conv2d_output_shape(4, 4, 3, stride=1.5), "stride must be a positive integer"),
        (lambda: conv2d_output_shape(4, 4, 3, padding=-1), r"padding must be a non-negative integer"),
        (lambda: conv2d_output_shape(4, 4, (3, 3, 3)), "kernel must be an int or a"),
        (lambda: conv2d_output_shape(4, 4, (3, 0)), r"kernel\[1\] must be a positive integer"),
        (lambda: conv2d_macs(4, 8, 8, 6, 3, groups=4), "groups=4 must divide both c_in=4 and c_out=6"),
        (lambda: conv2d_params(3, 4, 3, groups=2), "groups=2 must divide"),
        (lambda: conv2d_forward_cost(True, 8, 8, 6, 3), "c_in must be a positive integer"),
        (lambda: conv2d_forward_cost(3, 8, 8, 6, 3, batch=0), "batch must be a positive integer"),
        (lambda: conv2d_training_memory(3, 8, 8, 6, 3, optimizer="rmsprop"), "optimizer must be one of"),
        (lambda: conv2d_training_memory(3, 8, 8, 6, 3, dtype="int4"), "dtype must be one of"),
        (lambda: conv2d_training_memory(3, 8, 8, 6, 3, dtype=0), "dtype must be a positive integer"),
        (lambda: pool2d_output_shape(8, 8, 2, padding=2), "padding .* must be at most half the kernel"),
        (lambda: max_pool2d_cost(0, 8, 8, 2), "channels must be a positive integer"),
        (lambda: global_avg_pool2d_cost(3, 8, 0), "width must be a positive integer"),
        (lambda: pool2d_output_shape(8, 8, 2, ceil_mode=1), "ceil_mode must be True or False"),
        (lambda: avg_pool2d_cost(3, 8, 8, 2, ceil_mode="yes"), "ceil_mode must be True or False"),
        (lambda: adaptive_pool_windows(8, 0), "output_size must be a positive integer"),
        (lambda: adaptive_avg_pool2d_cost(3, 8, 8, (2, 2, 2)), "output_size must be an int or a"),
        (lambda: batch_norm2d_cost(0, 8, 8), "channels must be a positive integer"),
        (lambda: batch_norm2d_params(-1), "channels must be a positive integer"),
        (lambda: residual_add_cost(3, 8, 8, batch=0), "batch must be a positive integer"),
    ],
)
def test_bad_input_names_the_argument(call, pattern) -> None:
    with pytest.raises(ValueError, match=pattern):
        call()
