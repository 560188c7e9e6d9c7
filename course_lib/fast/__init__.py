"""Fast algorithms: fewer multiplies than the direct product or convolution, written on `course_lib.ops`.

`strassen_matmul` (7 half-size products instead of 8) and its baseline
`recursive_matmul` (the direct 2 x 2 block recursion); `winograd_conv2d`
(F(2x2, 3x3) and F(4x4, 3x3) minimal filtering for 3 x 3, stride-1 layers);
`fft_conv2d` (products of spectra, any kernel, stride 1); `conv2d_fast` and
`choose_algorithm`, behind ``course_lib.conv.conv2d(..., algorithm=...)``. Every
multiply and add goes through `course_lib.ops`, so the op counter sees them; the
closed forms are in `course_lib.complexity.fast`. Derived in
notebooks/08_fast_algorithms.ipynb.
"""

from course_lib.fast.dispatch import ALGORITHMS, choose_algorithm, conv2d_fast
from course_lib.fast.fft import fft_conv2d, radix2_fft
from course_lib.fast.strassen import recursive_matmul, strassen_matmul
from course_lib.fast.winograd import TILES, check_winograd, winograd_conv2d

__all__ = [
    "ALGORITHMS",
    "TILES",
    "check_winograd",
    "choose_algorithm",
    "conv2d_fast",
    "fft_conv2d",
    "radix2_fft",
    "recursive_matmul",
    "strassen_matmul",
    "winograd_conv2d",
]
