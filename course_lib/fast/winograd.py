"""Winograd's minimal filtering for 3 x 3 convolutions: F(2x2, 3x3) and F(4x4, 3x3), on `course_lib.ops`.

One output tile of m x m values of a 3 x 3 cross-correlation reads an
alpha x alpha input tile d (alpha = m + 2) and is computed as (Lavin & Gray, 2016)

    Y = A^T [ (G g G^T) (.) (B^T d B) ] A,

where (.) is the element-wise product and g the 3 x 3 filter: alpha^2
multiplies per tile instead of the direct 9 m^2 (16 instead of 36 for m = 2,
36 instead of 144 for m = 4). Over a layer, the element-wise products of all
input channels are summed, so per transform point (i, j) they form one matrix
product (C_out x C_in) times (C_in x tiles): the "GEMM stage".

Stages and what the counter sees (T tiles = N ceil(H_out/m) ceil(W_out/m)):

* filter transform U = G g G^T, input transform V = B^T d B, output transform
  A^T M A: each applied along both tile axes, either as two `ops.matmul`
  products with the small matrix (``transform="blas"``, the fast way: a
  (p x q) matrix applied to both axes of c tiles counts c p q (p + q)
  multiplies and c (q - 1) p (p + q) adds, multiplications by 0 and 1 included),
  or as explicit sums of the matrix's non-zero terms (``transform="sparse"``:
  a coefficient +-1 costs one add, any other one multiply and one add, so the
  count is the minimal arithmetic of these matrices without shared subterms);
* GEMM stage: alpha^2 C_out C_in T multiplies, alpha^2 C_out (C_in - 1) T adds;
* bias: N C_out H_out W_out adds.

Tiles that overhang the output (H_out not a multiple of m) are computed on zero
padding and cropped; their operations are counted. Gathering the overlapping
input tiles and scattering the output tiles move data only. The tiles go through
the stages in cache-sized chunks (`CHUNK_BYTES`), shared between two threads
with a one-thread BLAS each (`course_lib.fast.threads`) when no counter is active. The matching closed
forms are `course_lib.complexity.fast.winograd_conv2d_cost`; derived in
notebooks/08_fast_algorithms.ipynb.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from course_lib import ops
from course_lib.conv.shapes import IntOrPair, conv_geometry
from course_lib.fast import threads
from course_lib.fast.threads import halves, run_shares
from course_lib.validation import as_float_array, require_choice, require_plain_conv

__all__ = [
    "CHUNK_BYTES",
    "STAGES",
    "TILES",
    "TRANSFORMS",
    "WinogradTile",
    "check_winograd",
    "run_winograd",
    "transform_filters",
    "transform_tiles",
    "winograd_conv2d",
]

CHUNK_BYTES = 2**20
"""About this many bytes of transformed input tiles exist at once (but always one tile row's).

The tiles go through the pipeline (gather, transforms, GEMM, scatter) a chunk at a
time, several samples or a band of tile rows of one sample, so the intermediate
arrays stay in the processor's cache (2 MiB of L2 per core on the course's
machine): one sample at a time was 1.7 times faster than two on the 64-channel
56 x 56 layer. The chunks together perform exactly the operations of one pass
over the batch, so the counts do not depend on this size.
"""

TRANSFORMS = ("blas", "sparse")
"""How the tile transforms are computed: small matrix products, or sums of the non-zero terms."""


def _fractions(rows: list[list[int | str]]) -> tuple[tuple[Fraction, ...], ...]:
    return tuple(tuple(Fraction(v) for v in row) for row in rows)


@dataclass(frozen=True)
class WinogradTile:
    """The matrices of F(m x m, 3 x 3): B^T (alpha x alpha), G (alpha x 3), A^T (m x alpha), exact."""

    m: int
    BT: tuple[tuple[Fraction, ...], ...]
    G: tuple[tuple[Fraction, ...], ...]
    AT: tuple[tuple[Fraction, ...], ...]
    r: int = 3

    @property
    def alpha(self) -> int:
        """Side of the input tile: m + r - 1."""
        return self.m + self.r - 1

    def matrix(self, name: str, dtype: np.dtype | type = np.float64) -> np.ndarray:
        """``"BT"``, ``"G"`` or ``"AT"`` as a (read-only, cached) numpy array of ``dtype``."""
        return _float_matrix(self, name, np.dtype(dtype))

    @property
    def A(self) -> tuple[tuple[Fraction, ...], ...]:
        """A = (A^T)^T, alpha x m."""
        return tuple(zip(*self.AT, strict=True))


@functools.cache
def _float_matrix(tile: WinogradTile, name: str, dtype: np.dtype) -> np.ndarray:
    array = np.array([[float(v) for v in row] for row in getattr(tile, name)], dtype=dtype)
    array.flags.writeable = False
    return array


# Lavin & Gray (2016), section 4: interpolation points 0, 1, -1 (F(2,3)) and 0, 1, -1, 2, -2
# (F(4,3)), plus the point at infinity; the fractions sit in G, so B^T and A^T are integers.
TILES: dict[int, WinogradTile] = {
    2: WinogradTile(
        m=2,
        BT=_fractions([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]),
        G=_fractions([[1, 0, 0], ["1/2", "1/2", "1/2"], ["1/2", "-1/2", "1/2"], [0, 0, 1]]),
        AT=_fractions([[1, 1, 1, 0], [0, 1, -1, -1]]),
    ),
    4: WinogradTile(
        m=4,
        BT=_fractions(
            [
                [4, 0, -5, 0, 1, 0],
                [0, -4, -4, 1, 1, 0],
                [0, 4, -4, -1, 1, 0],
                [0, -2, -1, 2, 1, 0],
                [0, 2, -1, -2, 1, 0],
                [0, 4, 0, -5, 0, 1],
            ]
        ),
        G=_fractions(
            [
                ["1/4", 0, 0],
                ["-1/6", "-1/6", "-1/6"],
                ["-1/6", "1/6", "-1/6"],
                ["1/24", "1/12", "1/6"],
                ["1/24", "-1/12", "1/6"],
                [0, 0, 1],
            ]
        ),
        AT=_fractions([[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]]),
    ),
}
"""F(2x2, 3x3) and F(4x4, 3x3), keyed by the output tile side m."""


def check_winograd(w_shape: tuple[int, ...], stride: IntOrPair, dilation: IntOrPair, groups: int) -> None:
    """Raise ValueError naming the property if a layer is not one Winograd F(m x m, 3 x 3) can compute."""
    kernel = tuple(w_shape[2:])
    if kernel != (3, 3):
        raise ValueError(f"winograd needs a 3x3 kernel, got kernel size {kernel[0]}x{kernel[1]}")
    require_plain_conv("winograd", stride, dilation, groups)


def _apply_sparse(matrix: tuple[tuple[Fraction, ...], ...], x: np.ndarray) -> np.ndarray:
    """``matrix @ x`` along x's first axis, as sums of the non-zero terms (counted term by term).

    Per output row: terms with coefficient +1 come first; +1 and -1 cost one add
    (a subtraction), any other coefficient one multiply and one add. A row whose
    first term is not +1 starts with one multiply.
    """
    rows = []
    for coefficients in matrix:
        terms = sorted(((c, j) for j, c in enumerate(coefficients) if c != 0), key=lambda t: t[0] != 1)
        if not terms:
            rows.append(np.zeros_like(x[0]))
            continue
        (c0, j0), rest = terms[0], terms[1:]
        acc = x[j0] if c0 == 1 else ops.multiply(x[j0], x.dtype.type(c0))
        for c, j in rest:
            if c == 1:
                acc = ops.add(acc, x[j])
            elif c == -1:
                acc = ops.subtract(acc, x[j])
            else:
                acc = ops.add(acc, ops.multiply(x[j], x.dtype.type(c)))
        rows.append(acc)
    return np.stack(rows)


def transform_tiles(tile: WinogradTile, name: str, x: np.ndarray, transform: str = "blas") -> np.ndarray:
    """``M X M^T`` for every tile of ``x`` (q, q, cols) -> (p, p, cols), M = ``tile.<name>`` (p x q).

    ``name`` is ``"G"`` (filters, q = 3), ``"BT"`` (input tiles) or ``"AT"`` (products,
    p = m); counts as in the module docstring for ``transform`` ``"blas"`` or ``"sparse"``.
    """
    q, cols = x.shape[0], x.shape[2]
    if transform == "sparse":
        matrix = getattr(tile, name)
        rows_done = _apply_sparse(matrix, x)  # (p, q, cols): M along the first axis
        both = _apply_sparse(matrix, rows_done.transpose(1, 0, 2))  # (p, p, cols), axes swapped
        return both.transpose(1, 0, 2)
    matrix = tile.matrix(name, x.dtype)
    p = matrix.shape[0]
    rows_done = ops.matmul(matrix, x.reshape(q, q * cols)).reshape(p, q, cols)  # M along axis 0
    return ops.matmul(matrix, rows_done)  # per row i: M times (q x cols), M along axis 1


def _output_tiles(tile: WinogradTile, product: np.ndarray, transform: str) -> np.ndarray:
    """A^T M A for every tile of ``product`` (alpha, alpha, cols), laid out (m, cols, m).

    Row i of every output tile comes first, then the columns, then the tile's column j:
    with cols ordered (C_out, n, tile rows, tile columns), each output row of a
    tile row is then one contiguous run (tile columns x j) for the scatter. The
    "blas" path gets this layout from the second product directly (the same
    counts as `transform_tiles`: A along axis 0, then M A along axis 1).
    """
    if transform == "sparse":
        return transform_tiles(tile, "AT", product, transform).transpose(0, 2, 1)
    at = tile.matrix("AT", product.dtype)
    m, alpha, cols = tile.m, tile.alpha, product.shape[2]
    rows_done = ops.matmul(at, product.reshape(alpha, alpha * cols)).reshape(m, alpha, cols)
    return ops.matmul(rows_done.transpose(0, 2, 1), tile.matrix("A", product.dtype))  # (m, cols, m)


def transform_filters(w: np.ndarray, tile: WinogradTile, transform: str = "blas") -> np.ndarray:
    """U = G g G^T for every (C_out, C_in) filter: (alpha^2, C_out, C_in), the GEMM's left operands."""
    c_out, c_in = w.shape[:2]
    g = np.ascontiguousarray(w.reshape(c_out * c_in, 3, 3).transpose(1, 2, 0))  # (3, 3, C_out C_in)
    u = transform_tiles(tile, "G", g, transform)
    return u.reshape(tile.alpha**2, c_out, c_in)


def _gather(padded: np.ndarray, first: int, rows: int, tile: WinogradTile) -> np.ndarray:
    """Input tiles ``first`` .. ``first + rows - 1`` (tile rows) of ``padded`` (n, C, H_p, W_p) as
    (alpha, alpha, C, n, rows, t_w): tile (t, u) starts at row t m and column u m (a copy)."""
    m, alpha = tile.m, tile.alpha
    n, c, _, width = padded.shape
    t_w = (width - 2) // m
    s = padded.strides
    windows = np.lib.stride_tricks.as_strided(
        padded[:, :, first * m :],
        (alpha, alpha, c, n, rows, t_w),
        (s[2], s[3], s[1], s[0], m * s[2], m * s[3]),
        writeable=False,
    )
    return np.ascontiguousarray(windows)


def _shares(chunks: list[tuple[int, int, int, int]], threads: int) -> list[list[tuple[int, int, int, int]]]:
    """``chunks`` split into at most ``threads`` runs of consecutive chunks, a sample's bands never split."""
    samples = sorted({start for start, *_ in chunks})
    parts = [samples[part] for part in halves(len(samples), threads)]
    return [[c for c in chunks if part[0] <= c[0] <= part[-1]] for part in parts if part]


def _chunks(
    batch: int, t_h: int, t_w: int, tile_bytes: int, min_tiles: int
) -> list[tuple[int, int, int, int]]:
    """(first sample, samples, first tile row, tile rows) of each chunk.

    A chunk holds about `CHUNK_BYTES` of transformed tiles (``tile_bytes`` each), but
    at least ``min_tiles`` tiles (C_out: each chunk's GEMM reads all of U, alpha^2
    C_out C_in numbers, so fewer than C_out tiles would read more of U than of the
    tiles), and at most a `THREADS`-th of the batch's, so that every thread has work.
    Several whole samples per chunk when a sample fits, otherwise bands of tile rows
    of one sample; every chunk has at least one tile row.
    """
    per_sample = t_h * t_w
    share = per_sample * -(-batch // threads.THREADS)
    tiles = min(max(CHUNK_BYTES // tile_bytes, min_tiles), share)
    if per_sample <= tiles:
        step = min(batch, tiles // per_sample)
        return [(start, min(step, batch - start), 0, t_h) for start in range(0, batch, step)]
    band = max(1, tiles // t_w)
    return [
        (sample, 1, first, min(band, t_h - first)) for sample in range(batch) for first in range(0, t_h, band)
    ]


def winograd_conv2d(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    padding: IntOrPair = 0,
    tile: int = 4,
    transform: str = "blas",
) -> np.ndarray:
    """3 x 3, stride-1 cross-correlation by Winograd's F(m x m, 3 x 3), m = ``tile``.

    Parameters
    ----------
    x : (N, C_in, H, W) input, float32 or float64 (computed in this precision).
    w : (C_out, C_in, 3, 3) filters (groups = 1).
    b : None or (C_out,) biases.
    padding : non-negative int or (height, width) pair of zeros on both sides.
    tile : 2 for F(2x2, 3x3) or 4 for F(4x4, 3x3).
    transform : ``"blas"`` (tile transforms as small matrix products) or ``"sparse"``
        (as sums of the matrices' non-zero terms: fewer operations, more numpy calls).

    Returns
    -------
    (N, C_out, H_out, W_out), H_out = H + 2 p_h - 2: the same values as `course_lib.conv.conv2d`
    up to rounding (float32 error grows with the tile; notebook 08 measures it).

    Counts: see the module docstring; closed form
    `course_lib.complexity.fast.winograd_conv2d_cost`. Derived in notebooks/08_fast_algorithms.ipynb.
    """
    tile = require_choice("tile", tile, sorted(TILES))
    transform = require_choice("transform", transform, TRANSFORMS)
    x, w = as_float_array("x", x), as_float_array("w", w)
    dtype = np.result_type(x, w)
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    geo = conv_geometry(x, w, b, 1, padding, 1, 1)
    check_winograd(w.shape, 1, 1, 1)
    b = None if b is None else as_float_array("b", b, dtype=dtype)
    return run_winograd(x, w, b, geo.padding, TILES[tile], transform)


STAGES = ("filter transform", "gather", "input transform", "GEMM", "output transform", "scatter")
"""The stages of `run_winograd`, in order: what `make bench` times one by one."""


def _scatter(tiles: np.ndarray, out: np.ndarray, bias: np.ndarray | None) -> None:
    """Write output tiles (n, C_out, t_h, m, t_w, m) into ``out`` (n, C_out, H_out, W_out), adding the bias.

    Tiles that overhang the output are cut: up to four block writes (whole tiles,
    the last tile row, the last tile column, the corner), so every element of ``out``
    is written once and gets one bias add.
    """
    c_out, t_h, m, t_w = tiles.shape[1:5]
    h_out, w_out = out.shape[2:]
    full_h, full_w = h_out // m, w_out // m
    row_blocks = [(0, full_h, m), (full_h, t_h, h_out - full_h * m)]  # (first tile, end tile, rows kept)
    col_blocks = [(0, full_w, m), (full_w, t_w, w_out - full_w * m)]
    bias_shape = (1, c_out, 1, 1, 1, 1)
    for first_r, end_r, keep_h in row_blocks:
        for first_c, end_c, keep_w in col_blocks:
            if first_r == end_r or first_c == end_c or keep_h == 0 or keep_w == 0:
                continue
            source = tiles[:, :, first_r:end_r, :keep_h, first_c:end_c, :keep_w]
            rows = slice(first_r * m, first_r * m + (end_r - first_r) * keep_h)
            cols = slice(first_c * m, first_c * m + (end_c - first_c) * keep_w)
            target = out[:, :, rows, cols].reshape(source.shape)  # splitting axes: a view of out
            if bias is None:
                np.copyto(target, source)
            else:
                ops.add(source, bias.reshape(bias_shape), out=target)


class _StageClock:
    """Adds the seconds since the last mark to ``times[stage]`` at each `done`; idle when ``times`` is None."""

    def __init__(self, times: dict[str, float] | None) -> None:
        self.times = times
        self.last = time.perf_counter()

    def start(self) -> None:
        if self.times is not None:
            self.last = time.perf_counter()

    def done(self, stage: str) -> None:
        if self.times is not None:
            now = time.perf_counter()
            self.times[stage] = self.times.get(stage, 0.0) + now - self.last
            self.last = now


def run_winograd(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None,
    padding: tuple[int, int],
    tile: WinogradTile,
    transform: str = "blas",
    stage_times: dict[str, float] | None = None,
) -> np.ndarray:
    """`winograd_conv2d` on checked arguments (no validation: the lean path of `conv2d`'s dispatch).

    ``x`` (N, C_in, H, W) and ``w`` (C_out, C_in, 3, 3) of one float dtype, ``b`` None
    or (C_out,) of that dtype, ``padding`` a (height, width) pair. If ``stage_times`` is a
    dict, the seconds spent in each of `STAGES` are added to it (on one thread).
    """
    clock = _StageClock(stage_times)
    workers = 1 if stage_times is not None else threads.THREADS  # stage times are taken on one thread
    batch, c_in, height, width = x.shape
    c_out = w.shape[0]
    m, alpha = tile.m, tile.alpha
    (p_h, p_w) = padding
    h_out, w_out = height + 2 * p_h - 2, width + 2 * p_w - 2
    t_h, t_w = -(-h_out // m), -(-w_out // m)
    u = np.empty((alpha * alpha, c_out, c_in), dtype=x.dtype)  # U = G g G^T, the GEMM's left operands

    def transform_part(filters: slice) -> None:
        u[:, filters] = transform_filters(w[filters], tile, transform)

    run_shares(transform_part, halves(c_out, workers))
    clock.done("filter transform")

    chunks = _chunks(batch, t_h, t_w, alpha * alpha * c_in * x.itemsize, c_out)
    out = np.empty((batch, c_out, h_out, w_out), dtype=x.dtype)

    def run(share: list[tuple[int, int, int, int]]) -> None:
        padded = np.zeros((share[0][1], c_in, t_h * m + 2, t_w * m + 2), dtype=x.dtype)
        for start, n, first, rows in share:
            clock.start()
            if first == 0:
                padded[:n, :, p_h : p_h + height, p_w : p_w + width] = x[start : start + n]
            d = _gather(padded[:n], first, rows, tile)  # (alpha, alpha, C_in, n, rows, t_w)
            clock.done("gather")
            v = transform_tiles(tile, "BT", d.reshape(alpha, alpha, -1), transform)
            clock.done("input transform")
            product = ops.matmul(u, v.reshape(alpha * alpha, c_in, -1))  # (alpha^2, C_out, n rows t_w)
            clock.done("GEMM")
            y = _output_tiles(tile, product.reshape(alpha, alpha, -1), transform)  # (m, C_out n rows t_w, m)
            clock.done("output transform")
            tiles = y.reshape(m, c_out, n, rows, t_w, m).transpose(
                2, 1, 3, 0, 4, 5
            )  # (n, C_out, rows, m, t_w, m)
            _scatter(tiles, out[start : start + n, :, first * m : min((first + rows) * m, h_out)], b)
            clock.done("scatter")

    run_shares(run, _shares(chunks, workers))
    return out
