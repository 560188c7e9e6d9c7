"""Exact operation counts of the fast algorithms of notebook 08, as Python ints.

The formulas of the derive -> count -> time method for Strassen's matrix
product, Winograd's minimal filtering and FFT convolution. Like the rest of
`course_lib.complexity` they never import the implementations
(`course_lib.fast`, ``ops``, ``conv``): the tests run the implementations under
``count_ops`` and require the counted numbers to equal these exactly. Derived in
notebooks/08_fast_algorithms.ipynb (the sympy forms are in
`course_lib.symbolic.fast`).

Strassen (n x n by n x n, recursion while the size exceeds ``cutoff``; an odd
size is padded with a zero row and column; n_0 = n, n_{i+1} = ceil(n_i / 2),
n_L the first size <= cutoff):

    multiplies = MACs = 7^L n_L^3
    adds = 7^L n_L^2 (n_L - 1) + 18 sum_{i=1..L} 7^(i-1) n_i^2

For n = 2^k, n_L = 2^j this is 7^L n_L^3 and 7^L n_L^2 (n_L + 5) - 6 n^2: with
``cutoff = 1``, 7^k = n^log2(7) multiplies and 6 (7^k - 4^k) adds. The direct
block recursion (`recursive_matmul_cost`) has 8 products and 4 block additions
per level, which gives back n^3 and n^2 (n - 1) when nothing is padded.

Winograd F(m x m, 3 x 3) on a 3 x 3, stride-1 layer (alpha = m + 2; output
H_out x W_out covered by t_h x t_w = ceil(H_out/m) x ceil(W_out/m) tiles per
sample, T = N t_h t_w tiles; overhanging tiles are computed and cropped). A
p x q transform matrix applied along both axes of c tiles (U = G g G^T with
c = C_out C_in, V = B^T d B with c = C_in T, A^T M A with c = C_out T):

    "blas"   (two small matrix products): c p q (p + q) multiplies, c (q - 1) p (p + q) adds
    "sparse" (sums of the non-zero terms): c (p + q) times the matrix's per-column
             counts in `WINOGRAD_SPARSE_COUNTS`

plus the element-wise (GEMM) stage alpha^2 C_out C_in T multiplies and
alpha^2 C_out (C_in - 1) T adds, and N C_out H_out W_out adds for the bias.

FFT convolution (stride 1, any K x K kernel; padded input H_p x W_p, FFT size
P_h x P_w the powers of two >= H_p, W_p; F = P_h (P_w/2 + 1) kept frequencies;
a complex radix-2 FFT of length n costs 2 n log2 n multiplies and 3 n log2 n adds):

    one 2-D real transform: P_h row FFTs of length P_w, then P_w/2 + 1 column FFTs of
        length P_h (the inverse also changes the sign of P_h (P_w/2 - 1) mirrored entries)
    transforms: N C_in (input) + C_out C_in (filters) forward, N C_out inverse
    pointwise: 4 F N C_in C_out multiplies, 4 F N (C_in - 1) C_out + 2 F N C_out adds
    scaling by 1/(P_h P_w) and bias: N C_out H_out W_out multiplies and adds
"""

from __future__ import annotations

from course_lib.complexity.cost import Cost, summed
from course_lib.validation import require_choice, require_int

__all__ = [
    "FFT_STAGES",
    "STRASSEN_BLOCK_ADDS",
    "STRASSEN_PRODUCTS",
    "WINOGRAD_SPARSE_COUNTS",
    "WINOGRAD_STAGES",
    "fft2_cost",
    "fft_conv2d_cost",
    "fft_conv2d_costs",
    "fft_length",
    "fft_workspace_elements",
    "recursion_sizes",
    "recursive_matmul_cost",
    "strassen_cost",
    "winograd_conv2d_cost",
    "winograd_conv2d_costs",
    "winograd_tiles",
    "winograd_workspace_elements",
]

STRASSEN_PRODUCTS = 7
"""Half-size products per level of Strassen's recursion (8 for the direct block product)."""

STRASSEN_BLOCK_ADDS = 18
"""Half-size block additions/subtractions per level of Strassen's recursion: 10 before, 8 after."""


def recursion_sizes(n: int, cutoff: int) -> list[int]:
    """The block sizes n_0 = n, n_1, ..., n_L of a 2 x 2 recursion that stops at ``cutoff``.

    n_{i+1} = ceil(n_i / 2) (an odd size is padded to the next even one), and the
    list ends at the first size <= ``cutoff``, where one ordinary product takes over.
    """
    n = require_int("n", n)
    cutoff = require_int("cutoff", cutoff)
    sizes = [n]
    while sizes[-1] > cutoff:
        sizes.append((sizes[-1] + 1) // 2)
    return sizes


def _recursion_cost(n: int, cutoff: int, products: int, block_adds: int) -> Cost:
    sizes = recursion_sizes(n, cutoff)
    levels, base = len(sizes) - 1, sizes[-1]
    leaves = products**levels
    adds = leaves * base * base * (base - 1)
    adds += block_adds * sum(products ** (i - 1) * sizes[i] ** 2 for i in range(1, levels + 1))
    multiplies = leaves * base**3
    return Cost(multiplies=multiplies, adds=adds, macs=multiplies)


def strassen_cost(n: int, cutoff: int = 64) -> Cost:
    """Operations of `course_lib.fast.strassen_matmul` on two n x n matrices.

    7^L n_L^3 multiplies (= MACs, all in the base-case products) and
    7^L n_L^2 (n_L - 1) + 18 sum_{i=1..L} 7^(i-1) n_i^2 adds (sizes from
    `recursion_sizes`). Derived in notebooks/08_fast_algorithms.ipynb.
    """
    return _recursion_cost(n, cutoff, STRASSEN_PRODUCTS, STRASSEN_BLOCK_ADDS)


def recursive_matmul_cost(n: int, cutoff: int = 64) -> Cost:
    """Operations of `course_lib.fast.recursive_matmul` (8 products and 4 block adds per level).

    8^L n_L^3 multiplies and 8^L n_L^2 (n_L - 1) + 4 sum_{i=1..L} 8^(i-1) n_i^2 adds:
    n^3 and n^2 (n - 1), an ordinary product's counts, when no level pads.
    """
    return _recursion_cost(n, cutoff, 8, 4)


def _both(value: int | tuple[int, int]) -> tuple[int, ...]:
    """One int for both dimensions, or the entries of a (height, width) pair; the callers check them."""
    return (value, value) if not isinstance(value, (tuple, list)) else tuple(value)


WINOGRAD_SPARSE_COUNTS: dict[int, dict[str, tuple[int, int, int, int]]] = {
    2: {"BT": (4, 4, 4, 0), "G": (4, 3, 4, 6), "AT": (2, 4, 4, 0)},
    4: {"BT": (6, 6, 16, 12), "G": (6, 3, 8, 13), "AT": (4, 6, 14, 6)},
}
"""Per tile side m and matrix: (rows p, columns q, adds, multiplies) to apply it to one column.

Counted row by row of Lavin & Gray's matrices: a coefficient +1 or -1 costs one
add (the row's first +1 term costs nothing), any other coefficient one multiply
and one add (one multiply only if it is the row's first term). For F(2, 3): each
row of B^T has two terms (4 adds), each row of A^T three (4 adds), the two
middle rows of G three halves each (6 multiplies, 4 adds): Lavin & Gray's
"4 additions involving data" and "4 additions to reduce the products" of F(2, 3)
(their 3 adds and 2 multiplies for G share g0 + g2 and factor out 1/2, which the
course's sums do not). For F(4, 3), B^T: rows of 3, 4, 4, 4, 4, 3 terms with two
non-unit coefficients each (16 adds, 12 multiplies); G: 1 + 3 + 3 + 3 + 3 + 0
non-unit coefficients and 0 + 2 + 2 + 2 + 2 + 0 adds; A^T: rows of 5, 4, 4, 5
terms, two non-unit coefficients in each of the last three.
"""

WINOGRAD_STAGES = ("filter transform", "input transform", "GEMM", "output transform", "bias")
"""The stages of `winograd_conv2d_costs`, in the order they run."""


def winograd_tiles(
    height: int, width: int, padding: int | tuple[int, int] = 0, tile: int = 4
) -> tuple[int, int]:
    """Tiles per sample (t_h, t_w) = (ceil(H_out / m), ceil(W_out / m)), H_out = H + 2 p - 2."""
    tile = require_choice("tile", tile, sorted(WINOGRAD_SPARSE_COUNTS))
    pad = _both(padding)
    p_h, p_w = (require_int("padding", p, 0) for p in pad)
    sizes = (require_int("height", height) + 2 * p_h - 2, require_int("width", width) + 2 * p_w - 2)
    if min(sizes) < 1:
        raise ValueError(f"kernel 3x3 does not fit the padded input {sizes[0] + 2}x{sizes[1] + 2}")
    t_h, t_w = (-(-size // tile) for size in sizes)
    return t_h, t_w


def _transform_cost(p: int, q: int, columns: int, sparse: tuple[int, int] | None) -> Cost:
    if sparse is None:
        multiplies = columns * p * q * (p + q)
        return Cost(multiplies=multiplies, adds=columns * (q - 1) * p * (p + q), macs=multiplies)
    adds, multiplies = sparse
    return Cost(multiplies=columns * (p + q) * multiplies, adds=columns * (p + q) * adds)


def winograd_conv2d_costs(
    c_in: int,
    height: int,
    width: int,
    c_out: int,
    padding: int | tuple[int, int] = 0,
    batch: int = 1,
    bias: bool = True,
    tile: int = 4,
    transform: str = "blas",
) -> dict[str, Cost]:
    """Operations of `course_lib.fast.winograd_conv2d`, stage by stage (`WINOGRAD_STAGES`).

    A (C_out, C_in, 3, 3) filter bank on a (batch, C_in, height, width) input with
    ``padding``; ``transform`` is ``"blas"`` or ``"sparse"`` (module docstring).
    Derived in notebooks/08_fast_algorithms.ipynb.
    """
    transform = require_choice("transform", transform, ("blas", "sparse"))
    t_h, t_w = winograd_tiles(height, width, padding, tile)
    c_in, c_out, batch = require_int("c_in", c_in), require_int("c_out", c_out), require_int("batch", batch)
    tiles = batch * t_h * t_w
    alpha = tile + 2
    counts = WINOGRAD_SPARSE_COUNTS[tile]

    def stage(name: str, columns: int) -> Cost:
        p, q, adds, multiplies = counts[name]
        return _transform_cost(p, q, columns, (adds, multiplies) if transform == "sparse" else None)

    gemm = alpha * alpha * c_out * c_in * tiles
    pad = _both(padding)
    outputs = batch * c_out * (height + 2 * pad[0] - 2) * (width + 2 * pad[1] - 2)
    return {
        "filter transform": stage("G", c_out * c_in),
        "input transform": stage("BT", c_in * tiles),
        "GEMM": Cost(multiplies=gemm, adds=alpha * alpha * c_out * (c_in - 1) * tiles, macs=gemm),
        "output transform": stage("AT", c_out * tiles),
        "bias": Cost(adds=outputs if bias else 0),
    }


winograd_conv2d_cost = summed(
    winograd_conv2d_costs,
    "winograd_conv2d_cost",
    """Total operations of `course_lib.fast.winograd_conv2d`: the sum of `winograd_conv2d_costs`.""",
)


FFT_STAGES = ("input FFT", "filter FFT", "pointwise", "inverse FFT", "scale and bias")
"""The stages of `fft_conv2d_costs`, in the order they run."""


def fft_length(n: int) -> int:
    """The radix-2 FFT length for a side of ``n``: the smallest power of two >= n."""
    n = require_int("n", n)
    return 1 << (n - 1).bit_length()


def fft2_cost(rows: int, cols: int, inverse: bool = False) -> Cost:
    """One 2-D real FFT of a ``rows`` x ``cols`` array (powers of two), as the course's radix-2 FFT counts it.

    ``rows`` complex FFTs of length ``cols`` (2 n log2 n multiplies, 3 n log2 n adds
    each), then ``cols/2 + 1`` of length ``rows``; the inverse adds one multiply
    (a sign change) per mirrored entry, ``rows (cols - cols/2 - 1)``.
    """
    rows, cols = require_int("rows", rows), require_int("cols", cols)
    for name, value in (("rows", rows), ("cols", cols)):
        if value & (value - 1):
            raise ValueError(f"{name} must be a power of two, got {value}")
    kept = cols // 2 + 1
    log_rows, log_cols = rows.bit_length() - 1, cols.bit_length() - 1
    multiplies = rows * 2 * cols * log_cols + kept * 2 * rows * log_rows
    adds = rows * 3 * cols * log_cols + kept * 3 * rows * log_rows
    if inverse:
        multiplies += rows * (cols - kept)
    return Cost(multiplies=multiplies, adds=adds)


def fft_conv2d_costs(
    c_in: int,
    height: int,
    width: int,
    c_out: int,
    kernel: int | tuple[int, int],
    padding: int | tuple[int, int] = 0,
    batch: int = 1,
    bias: bool = True,
) -> dict[str, Cost]:
    """Operations of `course_lib.fast.fft_conv2d`, stage by stage (`FFT_STAGES`).

    A (C_out, C_in, K_h, K_w) filter bank, stride 1, on a (batch, C_in, height, width)
    input with ``padding``. Derived in notebooks/08_fast_algorithms.ipynb.
    """
    k_h, k_w = _both(kernel)
    p_h, p_w = _both(padding)
    c_in, c_out, batch = require_int("c_in", c_in), require_int("c_out", c_out), require_int("batch", batch)
    h_pad = require_int("height", height) + 2 * require_int("padding", p_h, 0)
    w_pad = require_int("width", width) + 2 * require_int("padding", p_w, 0)
    h_out, w_out = h_pad - require_int("kernel", k_h) + 1, w_pad - require_int("kernel", k_w) + 1
    if h_out < 1 or w_out < 1:
        raise ValueError(f"kernel {k_h}x{k_w} does not fit the padded input {h_pad}x{w_pad}")
    rows, cols = fft_length(h_pad), fft_length(w_pad)
    freqs = rows * (cols // 2 + 1)
    outputs = batch * c_out * h_out * w_out
    pointwise = 4 * freqs * batch * c_in * c_out
    return {
        "input FFT": fft2_cost(rows, cols) * (batch * c_in),
        "filter FFT": fft2_cost(rows, cols) * (c_out * c_in),
        "pointwise": Cost(
            multiplies=pointwise,
            adds=4 * freqs * batch * (c_in - 1) * c_out + 2 * freqs * batch * c_out,
            macs=pointwise,
        ),
        "inverse FFT": fft2_cost(rows, cols, inverse=True) * (batch * c_out),
        "scale and bias": Cost(multiplies=outputs, adds=outputs if bias else 0),
    }


fft_conv2d_cost = summed(
    fft_conv2d_costs,
    "fft_conv2d_cost",
    """Total operations of `course_lib.fast.fft_conv2d`: the sum of `fft_conv2d_costs`.""",
)


def winograd_workspace_elements(
    c_in: int,
    height: int,
    width: int,
    c_out: int,
    padding: int | tuple[int, int] = 0,
    batch: int = 1,
    tile: int = 4,
) -> int:
    """Elements of Winograd's intermediate arrays for the whole batch: alpha^2 (C_out C_in + C_in T + C_out T).

    The transformed filters U, the transformed input tiles V and the products M
    (T = batch t_h t_w tiles); `course_lib.fast.winograd_conv2d` holds V and M for
    a chunk of samples at a time. The input tiles overlap, so V alone is about
    (alpha/m)^2 C_in / C_in = 2.25 (m = 4) or 4 (m = 2) times the input.
    """
    t_h, t_w = winograd_tiles(height, width, padding, tile)
    tiles = require_int("batch", batch) * t_h * t_w
    alpha = tile + 2
    return alpha * alpha * (c_out * c_in + c_in * tiles + c_out * tiles)


def fft_workspace_elements(
    c_in: int,
    height: int,
    width: int,
    c_out: int,
    kernel: int | tuple[int, int],
    padding: int | tuple[int, int] = 0,
    batch: int = 1,
) -> int:
    """Real elements of the FFT convolution's spectra: 2 F (N C_in + C_out C_in + N C_out), F = P_h (P_w/2 + 1).

    The spectra of the inputs, of every filter (padded to the FFT size, the large
    workspace that makes FFT convolution expensive in memory) and of the outputs;
    real and imaginary parts counted separately.
    """
    p_h, p_w = _both(padding)
    rows = fft_length(require_int("height", height) + 2 * require_int("padding", p_h, 0))
    cols = fft_length(require_int("width", width) + 2 * require_int("padding", p_w, 0))
    fft_conv2d_costs(c_in, height, width, c_out, kernel, padding, batch)  # checks the other arguments
    return 2 * rows * (cols // 2 + 1) * (batch * c_in + c_out * c_in + batch * c_out)
