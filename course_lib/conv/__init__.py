"""Convolution and pooling layers built on `course_lib.ops`, so the op counter sees every operation.

Layout and conventions
----------------------
NCHW: inputs are (N, C_in, H, W), filters (C_out, C_in/groups, K_h, K_w),
biases (C_out,), outputs (N, C_out, H_out, W_out). The layer computes a
cross-correlation (the kernel is not flipped), as PyTorch's ``Conv2d`` does.
``stride``, ``padding`` and ``dilation`` are an int or a (height, width) pair;
each output dimension is

    H_out = floor((H + 2*padding - dilation*(K - 1) - 1) / stride) + 1   (`conv_output_size`).

Functions
---------
`conv2d_naive`        one explicit dot product per output element (tiny sizes only);
`im2col`, `col2im`    receptive fields as columns, and the adjoint scatter-add;
`conv2d`              im2col + one batched GEMM, the fast default;
`conv2d_forward`      -> (out, cache);  `conv2d_backward(dout, cache)` -> (dx, dw, db);
pooling               `max_pool2d_*`, `avg_pool2d_*`, `global_avg_pool2d_*` forward/backward.

What is counted (notebooks/05_convolution_layer.ipynb derives it)
------------------------------------------------------------------
* Each output element of a convolution is one dot product of length
  L = (C_in/groups) * K_h * K_w: L multiplies (each a MAC) and L - 1 adds,
  plus 1 add for the bias when there is one. Over the whole output:

      MACs = multiplies = N * C_out * H_out * W_out * (C_in/groups) * K_h * K_w,
      adds = N * C_out * H_out * W_out * (L - 1)  [+ N * C_out * H_out * W_out with bias].

* `conv2d_naive` and `conv2d` count exactly the same numbers: the GEMM of a
  (C_out/groups x L) filter matrix by an (L x H_out W_out) column matrix, per
  sample and group, is the same set of dot products.
* The count is of operations performed, including multiplications by the
  zeros of the padding: the same convention as published MAC counts of CNNs
  (which do not discount the border).
* `im2col` moves data and counts nothing; `col2im` counts one add per column
  entry. Backward costs are listed in `course_lib.conv.layer`, pooling costs in
  `course_lib.conv.pooling` (max pooling's comparisons are not FLOPs and are
  not recorded).

The matching closed forms are in `course_lib.complexity.conv`, written
independently of this package; the tests check that the two agree exactly.
"""

from course_lib.conv.im2col import col2im, im2col
from course_lib.conv.layer import ConvCache, conv2d, conv2d_backward, conv2d_forward
from course_lib.conv.naive import conv2d_naive
from course_lib.conv.pooling import (
    PoolCache,
    avg_pool2d_backward,
    avg_pool2d_forward,
    global_avg_pool2d_backward,
    global_avg_pool2d_forward,
    max_pool2d_backward,
    max_pool2d_forward,
)
from course_lib.conv.shapes import ConvGeometry, conv_output_size

__all__ = [
    "ConvCache",
    "ConvGeometry",
    "PoolCache",
    "avg_pool2d_backward",
    "avg_pool2d_forward",
    "col2im",
    "conv2d",
    "conv2d_backward",
    "conv2d_forward",
    "conv2d_naive",
    "conv_output_size",
    "global_avg_pool2d_backward",
    "global_avg_pool2d_forward",
    "im2col",
    "max_pool2d_backward",
    "max_pool2d_forward",
]
