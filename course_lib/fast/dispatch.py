"""`conv2d(..., algorithm=...)`: which convolution algorithm runs a layer, by a fixed rule.

``algorithm`` is one of `ALGORITHMS`:

* ``"direct"``: im2col + one GEMM (`course_lib.conv.conv2d_forward`), the default of
  `course_lib.conv.conv2d`: N C_out H_out W_out (C_in/G) K_h K_w multiplies, any layer
  (through this module, the two halves of the batch on two threads, `course_lib.fast.threads`);
* ``"winograd"``: F(4x4, 3x3) (`course_lib.fast.winograd`), 3 x 3 kernels, stride 1,
  dilation 1, groups 1;
* ``"fft"``: FFT convolution with numpy's FFT (`course_lib.fast.fft`), stride 1,
  dilation 1, groups 1, any kernel;
* ``"auto"``: one of the three, chosen by `choose_algorithm` from the layer's shape
  alone (never by timing at run time, so the same layer always runs, and counts, the
  same way).

The counts are those of the algorithm that runs: a count belongs to an algorithm,
not to a layer (notebooks/08_fast_algorithms.ipynb).
"""

from __future__ import annotations

import numpy as np

from course_lib.conv.layer import conv2d_forward
from course_lib.conv.shapes import IntOrPair, conv_geometry
from course_lib.fast.fft import check_fft, run_fft
from course_lib.fast.threads import halves, run_shares
from course_lib.fast.winograd import TILES, check_winograd, run_winograd
from course_lib.validation import as_float_array, require_choice

__all__ = [
    "ALGORITHMS",
    "FFT_MIN_KERNEL",
    "WINOGRAD_MIN_CHANNELS",
    "WINOGRAD_TILE",
    "choose_algorithm",
    "conv2d_fast",
]

ALGORITHMS = ("direct", "auto", "winograd", "fft")
"""The values of ``conv2d``'s ``algorithm`` argument."""

WINOGRAD_TILE = 4
"""``algorithm="winograd"`` runs F(4x4, 3x3): 36 products per 16 outputs (2.25 per output, direct 9)."""

WINOGRAD_MIN_CHANNELS = 32
"""``"auto"`` picks Winograd for a 3 x 3, stride-1 layer when C_in and C_out are at least this.

Measured on the course's machine (one thread, CPU time, batch 8, direct / Winograd time; above
1 Winograd is faster):

=========  =====  =====  =====  =====
map side   C = 4  C = 8  C = 16 C = 32
=========  =====  =====  =====  =====
14 x 14    0.46   0.49   0.75   1.01
28 x 28    0.53   0.84   1.03   1.18
56 x 56    0.90   0.96   1.17   1.27
=========  =====  =====  =====  =====

With 32 channels each way Winograd is never slower; with 16 it loses on small maps.
"""

FFT_MIN_KERNEL = 15
"""``"auto"`` picks the FFT for a stride-1 layer whose kernel is at least this wide (both sides).

Measured on the course's machine (one thread, 32 -> 32 channels, 32 x 32 maps, batch 8): the
direct layer took 61 ms at K = 13 and 122 ms at K = 17 against the FFT's 86-93 ms, whose time
barely depends on K while the padded input fits the same FFT size.
"""


def choose_algorithm(
    c_in: int,
    c_out: int,
    kernel: tuple[int, int],
    stride: tuple[int, int] = (1, 1),
    dilation: tuple[int, int] = (1, 1),
    groups: int = 1,
) -> str:
    """The algorithm ``algorithm="auto"`` runs for a layer of this shape: a fixed rule.

    1. Only stride 1, dilation 1 and groups 1 have a fast algorithm here; anything
       else runs ``"direct"``.
    2. A 3 x 3 kernel with C_in and C_out >= `WINOGRAD_MIN_CHANNELS` runs ``"winograd"``
       (F(4x4, 3x3)): the GEMM stage does 4 times fewer multiplies, and with at least
       32 channels each way it outweighs the transforms and the tile copies.
    3. A kernel of at least `FFT_MIN_KERNEL` x `FFT_MIN_KERNEL` runs ``"fft"``.
    4. Everything else (1 x 1, 5 x 5, 7 x 7, few channels, strides) runs ``"direct"``.

    The thresholds come from timing the algorithms on the course's 2-core machine (the
    tables in the docstrings of `WINOGRAD_MIN_CHANNELS` and `FFT_MIN_KERNEL`).
    """
    if stride != (1, 1) or dilation != (1, 1) or groups != 1:
        return "direct"
    if kernel == (3, 3) and min(c_in, c_out) >= WINOGRAD_MIN_CHANNELS:
        return "winograd"
    if min(kernel) >= FFT_MIN_KERNEL:
        return "fft"
    return "direct"


def _direct(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None,
    stride: IntOrPair,
    padding: IntOrPair,
    dilation: IntOrPair,
    groups: int,
    output_shape: tuple[int, int, int, int],
) -> np.ndarray:
    """`conv2d_forward` with the batch split in halves over `course_lib.fast.threads` (same counts)."""
    out = np.empty(output_shape, dtype=x.dtype)

    def work(samples: slice) -> None:
        out[samples] = conv2d_forward(x[samples], w, b, stride, padding, dilation, groups)[0]

    run_shares(work, halves(x.shape[0]))
    return out


def conv2d_fast(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
    algorithm: str = "auto",
) -> np.ndarray:
    """`course_lib.conv.conv2d` by the named ``algorithm`` (module docstring); same arguments and result.

    Raises ValueError listing `ALGORITHMS` for an unknown name, and naming the property
    (kernel size, stride, dilation, groups) when the requested algorithm cannot compute the layer.
    """
    algorithm = require_choice("algorithm", algorithm, ALGORITHMS)
    x, w = as_float_array("x", x), as_float_array("w", w)
    dtype = np.result_type(x, w)
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    geo = conv_geometry(x, w, b, stride, padding, dilation, groups)
    if algorithm == "auto":
        algorithm = choose_algorithm(geo.c_in, geo.c_out, geo.kernel, geo.stride, geo.dilation, geo.groups)
    if algorithm == "direct":
        return _direct(x, w, b, stride, padding, dilation, groups, geo.output_shape)
    b = None if b is None else as_float_array("b", b, dtype=dtype)
    if algorithm == "winograd":
        check_winograd(w.shape, stride, dilation, groups)
        return run_winograd(x, w, b, geo.padding, TILES[WINOGRAD_TILE])
    check_fft(stride, dilation, groups)
    return run_fft(x, w, b, geo.padding)
