"""Winograd F(2x2, 3x3) and F(4x4, 3x3): exact algebra, values, exact counts, bad input.

References: sympy (the matrices must give the cross-correlation exactly, for symbolic data
and filters), scipy.signal.correlate on single channels, the course's direct conv2d, and
PyTorch's conv2d when torch is installed; Lavin & Gray's (2016) operation counts for F(2, 3)
(4 additions on the data, 4 to reduce the products) and the multiply counts alpha^2 vs 9 m^2.
The closed forms of `course_lib.complexity.fast` are checked against the counter.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import correlate

from course_lib.complexity.fast import winograd_conv2d_cost, winograd_conv2d_costs, winograd_tiles
from course_lib.conv import conv2d
from course_lib.counting import count_ops
from course_lib.fast.winograd import TILES, check_winograd, transform_tiles, winograd_conv2d


def _sympy(rows) -> sp.Matrix:
    return sp.Matrix([[sp.Rational(v.numerator, v.denominator) for v in row] for row in rows])


@pytest.mark.parametrize("m", sorted(TILES))
def test_matrices_compute_the_correlation_exactly_1d(m: int) -> None:
    tile = TILES[m]
    d = sp.Matrix(sp.symbols(f"d0:{tile.alpha}"))
    g = sp.Matrix(sp.symbols("g0:3"))
    BT, G, AT = _sympy(tile.BT), _sympy(tile.G), _sympy(tile.AT)
    y = AT * (G * g).multiply_elementwise(BT * d)
    direct = sp.Matrix([sum(g[k] * d[i + k] for k in range(3)) for i in range(m)])
    assert sp.expand(y - direct) == sp.zeros(m, 1)


def test_f2x2_matrices_compute_the_2d_correlation_exactly() -> None:
    tile = TILES[2]
    d = sp.Matrix(4, 4, sp.symbols("d0:16"))
    g = sp.Matrix(3, 3, sp.symbols("g0:9"))
    BT, G, AT = _sympy(tile.BT), _sympy(tile.G), _sympy(tile.AT)
    y = AT * (G * g * G.T).multiply_elementwise(BT * d * BT.T) * AT.T
    direct = sp.Matrix(2, 2, lambda r, c: sum(g[i, j] * d[r + i, c + j] for i in range(3) for j in range(3)))
    assert sp.expand(y - direct) == sp.zeros(2, 2)


def _scipy_reference(
    x: np.ndarray, w: np.ndarray, b: np.ndarray | None, padding: tuple[int, int]
) -> np.ndarray:
    """Cross-correlation built from scipy.signal.correlate on single channels, in float64."""
    x = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2))
    batch, c_in = x.shape[:2]
    out = np.zeros((batch, w.shape[0], x.shape[2] - 2, x.shape[3] - 2))
    for n in range(batch):
        for o in range(w.shape[0]):
            for c in range(c_in):
                out[n, o] += correlate(x[n, c], w[o, c].astype(np.float64), mode="valid")
            if b is not None:
                out[n, o] += b[o]
    return out


def _relative(a: np.ndarray, reference: np.ndarray) -> float:
    return float(np.max(np.abs(a - reference)) / np.max(np.abs(reference)))


@settings(max_examples=25)
@given(
    batch=st.integers(1, 2),
    c_in=st.integers(1, 4),
    c_out=st.integers(1, 4),
    height=st.integers(1, 13),
    width=st.integers(1, 13),
    padding=st.tuples(st.integers(0, 2), st.integers(0, 2)),
    tile=st.sampled_from(sorted(TILES)),
    transform=st.sampled_from(["blas", "sparse"]),
    bias=st.booleans(),
)
def test_values_and_counts_on_random_layers(
    batch, c_in, c_out, height, width, padding, tile, transform, bias
):
    height, width = max(height, 3 - 2 * padding[0]), max(width, 3 - 2 * padding[1])
    rng = np.random.default_rng(batch * 1000 + c_in * 100 + height * 10 + width)
    x = rng.standard_normal((batch, c_in, height, width))
    w = rng.standard_normal((c_out, c_in, 3, 3))
    b = rng.standard_normal(c_out) if bias else None
    with count_ops() as counter:
        y = winograd_conv2d(x, w, b, padding=padding, tile=tile, transform=transform)
    reference = _scipy_reference(x, w, b, padding)
    assert y.shape == reference.shape
    assert _relative(y, reference) < 1e-9
    assert _relative(y, conv2d(x, w, b, padding=padding)) < 1e-9
    formula = winograd_conv2d_cost(c_in, height, width, c_out, padding, batch, bias, tile, transform)
    assert counter.as_dict() == formula.as_dict()


@pytest.mark.parametrize("tile", sorted(TILES))
def test_float32_error_against_float64_direct(tile: int) -> None:
    rng = np.random.default_rng(tile)
    x = rng.standard_normal((2, 16, 20, 20)).astype(np.float32)
    w = (rng.standard_normal((16, 16, 3, 3)) / 12).astype(np.float32)
    y = winograd_conv2d(x, w, padding=1, tile=tile)
    assert y.dtype == np.float32
    exact = _scipy_reference(x, w, None, (1, 1))
    # The criterion, 1e-4 relative; F(4x4) rounds about ten times worse than F(2x2)
    # (Lavin & Gray, 2016), measured here near 1e-5, F(2x2) near 1e-6.
    assert _relative(y, exact) < 1e-4


def test_equals_pytorch_when_installed() -> None:
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(7)
    for (batch, c_in, c_out, size, padding), tile in zip(
        [(2, 8, 6, 11, 1), (1, 5, 9, 16, 0), (3, 4, 4, 7, 2)], [2, 4, 4], strict=True
    ):
        x = rng.standard_normal((batch, c_in, size, size))
        w = rng.standard_normal((c_out, c_in, 3, 3))
        b = rng.standard_normal(c_out)
        reference = F.conv2d(*(torch.from_numpy(a) for a in (x, w, b)), padding=padding).numpy()
        assert _relative(winograd_conv2d(x, w, b, padding=padding, tile=tile), reference) < 1e-9
        x32, w32, b32 = (a.astype(np.float32) for a in (x, w, b))
        reference32 = F.conv2d(*(torch.from_numpy(a) for a in (x32, w32, b32)), padding=padding).numpy()
        assert _relative(winograd_conv2d(x32, w32, b32, padding=padding, tile=tile), reference32) < 1e-4


def test_published_f23_transform_counts() -> None:
    # Lavin & Gray (2016), section 4.1, for the 1-D F(2, 3): 4 additions on the data and 4 to
    # reduce the 4 products to the 2 outputs. Nested in 2-D, each matrix is applied to the 4
    # columns and then the 4 (data) or 2 (output) rows: 32 and 24 additions per tile.
    tile = TILES[2]
    d = np.random.default_rng(0).standard_normal((4, 4, 1))
    with count_ops() as data:
        transform_tiles(tile, "BT", d, "sparse")
    with count_ops() as inverse:
        transform_tiles(tile, "AT", d, "sparse")
    assert (data.adds, data.multiplies) == (32, 0)
    assert (inverse.adds, inverse.multiplies) == (24, 0)


@pytest.mark.parametrize(("tile", "direct_per_tile"), [(2, 36), (4, 144)])
def test_gemm_stage_needs_alpha_squared_multiplies_per_tile(tile: int, direct_per_tile: int) -> None:
    # An 8 x 8 output is 16 (m = 2) or 4 (m = 4) whole tiles: alpha^2 = 16 or 36 products per
    # tile and channel pair, against 9 m^2 = 36 or 144 for the direct convolution.
    c_in, c_out = 3, 5
    stages = winograd_conv2d_costs(c_in, 8, 8, c_out, padding=1, tile=tile)
    tiles = (8 // tile) ** 2
    alpha = tile + 2
    assert stages["GEMM"].multiplies == tiles * alpha**2 * c_in * c_out
    direct = 64 * 9 * c_in * c_out
    assert direct == tiles * direct_per_tile * c_in * c_out
    assert direct / stages["GEMM"].multiplies == direct_per_tile / alpha**2


def test_overhanging_tiles_are_counted() -> None:
    # 14 x 14 outputs need 4 x 4 tiles of side 4 (16 x 16 computed, cropped to 14 x 14).
    assert winograd_tiles(14, 14, padding=1, tile=4) == (4, 4)
    assert winograd_tiles(14, 14, padding=1, tile=2) == (7, 7)
    assert winograd_tiles(5, 9, padding=0, tile=4) == (1, 2)


@pytest.mark.parametrize(
    ("w_shape", "stride", "dilation", "groups", "match"),
    [
        ((4, 4, 5, 5), 1, 1, 1, "kernel size 5x5"),
        ((4, 4, 3, 1), 1, 1, 1, "kernel size 3x1"),
        ((4, 4, 3, 3), 2, 1, 1, "stride 1, got stride 2"),
        ((4, 4, 3, 3), (1, 2), 1, 1, r"stride 1, got stride \(1, 2\)"),
        ((4, 4, 3, 3), 1, 2, 1, "dilation 1, got dilation 2"),
        ((4, 2, 3, 3), 1, 1, 2, "groups=1, got groups=2"),
    ],
)
def test_layers_winograd_cannot_do_name_the_property(w_shape, stride, dilation, groups, match) -> None:
    with pytest.raises(ValueError, match=match):
        check_winograd(w_shape, stride, dilation, groups)


def test_bad_arguments() -> None:
    x, w = np.ones((1, 2, 5, 5)), np.ones((3, 2, 3, 3))
    with pytest.raises(ValueError, match="tile must be one of 2, 4; got 3"):
        winograd_conv2d(x, w, tile=3)
    with pytest.raises(ValueError, match="transform must be one of 'blas', 'sparse'; got 'fft'"):
        winograd_conv2d(x, w, transform="fft")
    with pytest.raises(ValueError, match="kernel size 5x5"):
        winograd_conv2d(np.ones((1, 2, 9, 9)), np.ones((3, 2, 5, 5)))
    with pytest.raises(ValueError, match="channel mismatch"):
        winograd_conv2d(x, np.ones((3, 4, 3, 3)))
    with pytest.raises(ValueError, match="transform must be one of 'blas', 'sparse'"):
        winograd_conv2d_cost(2, 5, 5, 3, transform="dense")
    with pytest.raises(ValueError, match="tile must be one of"):
        winograd_tiles(5, 5, tile=6)


@pytest.mark.parametrize("chunk_bytes", [1, 3000, 2**30])
def test_chunking_changes_neither_values_nor_counts(monkeypatch, chunk_bytes: int) -> None:
    # 1 byte: a band of one tile row per chunk; 3000: a few tile rows; 2**30: the whole batch at once.
    import course_lib.fast.winograd as winograd

    rng = np.random.default_rng(11)
    x, w, b = rng.standard_normal((3, 5, 23, 17)), rng.standard_normal((4, 5, 3, 3)), rng.standard_normal(4)
    monkeypatch.setattr(winograd, "CHUNK_BYTES", chunk_bytes)
    with count_ops() as counter:
        y = winograd_conv2d(x, w, b, padding=1, tile=4)
    assert _relative(y, _scipy_reference(x, w, b, (1, 1))) < 1e-9
    assert counter.as_dict() == winograd_conv2d_cost(5, 23, 17, 4, 1, 3, True, 4).as_dict()
