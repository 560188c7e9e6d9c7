"""conv2d goes through im2col + GEMM a chunk of samples at a time; the chunking changes nothing computed.

`course_lib.conv.layer.CHUNK_BYTES` bounds the im2col buffer. These tests shrink it so that
the small random layers of `test_conv_support.configs` split into one chunk per sample (or
a few samples per chunk), and check the forward pass against the independent scipy
reference, the counts against the closed forms, and the gradients against the unchunked
run. The strided path (input split into stride phases) is covered by the strides 1-3.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_conv_support import Config, configs, reference_conv2d

import course_lib.conv.layer as layer
from course_lib.complexity.conv import conv2d_backward_cost, conv2d_forward_cost
from course_lib.conv import conv2d, conv2d_backward, conv2d_forward
from course_lib.counting import count_ops


def _per_sample_bytes(config: Config, x: np.ndarray) -> int:
    out = conv2d(x, *config.arrays(0)[1:], **config.kwargs())
    return config.c_in * config.kernel[0] * config.kernel[1] * out.shape[2] * out.shape[3] * x.itemsize


@settings(max_examples=30)
@given(config=configs(max_batch=4), seed=st.integers(0, 2**16), samples_per_chunk=st.integers(1, 3))
def test_chunked_forward_matches_the_reference_and_counts(config, seed, samples_per_chunk):
    x, w, b = config.arrays(seed)
    chunk_bytes = samples_per_chunk * _per_sample_bytes(config, x)
    with pytest.MonkeyPatch.context() as patch, count_ops() as counted:
        patch.setattr(layer, "CHUNK_BYTES", chunk_bytes)
        out = conv2d(x, w, b, **config.kwargs())
    expected = reference_conv2d(x, w, b, config.stride, config.padding, config.dilation, config.groups)
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-10)
    args = (config.c_in, config.height, config.width, config.c_out, config.kernel)
    kwargs = {**config.kwargs(), "bias": config.bias, "batch": config.batch}
    assert counted.as_dict() == conv2d_forward_cost(*args, **kwargs).as_dict()


@settings(max_examples=20)
@given(config=configs(max_batch=4), seed=st.integers(0, 2**16))
def test_chunked_backward_equals_the_unchunked_one(config, seed):
    x, w, b = config.arrays(seed)
    out, cache = conv2d_forward(x, w, b, **config.kwargs())
    dout = np.random.default_rng(seed).standard_normal(out.shape)
    whole = conv2d_backward(dout, cache)
    with pytest.MonkeyPatch.context() as patch, count_ops() as counted:
        patch.setattr(layer, "CHUNK_BYTES", 1)  # one sample per chunk
        chunked = conv2d_backward(dout, cache)
    for a, c in zip(whole, chunked, strict=True):
        if a is None:
            assert c is None
        else:
            np.testing.assert_allclose(c, a, rtol=1e-12, atol=1e-12)
    args = (config.c_in, config.height, config.width, config.c_out, config.kernel)
    kwargs = {**config.kwargs(), "bias": config.bias, "batch": config.batch}
    assert counted.as_dict() == conv2d_backward_cost(*args, **kwargs).as_dict()


@pytest.mark.parametrize("stride", [2, 3, (2, 1)])
def test_float32_strided_layer_in_several_chunks(stride, monkeypatch):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 3, 17, 16), dtype=np.float32)
    w = rng.standard_normal((4, 3, 7, 5), dtype=np.float32)
    b = rng.standard_normal(4, dtype=np.float32)
    monkeypatch.setattr(layer, "CHUNK_BYTES", 1)
    out = conv2d(x, w, b, stride=stride, padding=3)
    assert out.dtype == np.float32
    s = stride if isinstance(stride, tuple) else (stride, stride)
    expected = reference_conv2d(x, w, b, s, (3, 3), (1, 1), 1)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)
