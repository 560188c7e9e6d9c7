"""Tests of course_lib.roofline (notebooks/09_from_flops_to_seconds.ipynb).

Every expected number comes from somewhere other than the module under test:
hand-worked examples, closed forms written out here, counted runs of the real
kernels (`count_ops`), the ``nbytes`` of the arrays those kernels read and
write, or a step-by-step simulation (the rounds of a pairwise sum). No timing
is asserted: the measurement helpers are only checked to return sane numbers.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import count_ops, ops, roofline
from course_lib.conv import conv2d, im2col
from course_lib.mlp import activation_forward, dense_forward
from course_lib.roofline import (
    Traffic,
    WorkSpan,
    amdahl_speedup,
    attainable_gflops,
    bound,
    conv2d_traffic,
    dense_traffic,
    dense_work_span,
    elementwise_traffic,
    fma_flops_per_cycle,
    matmul_traffic,
    matmul_work_span,
    measure_bandwidth_gbs,
    measure_matmul_gflops,
    mlp_work_span,
    predicted_seconds,
    ridge_point,
    serial_fraction,
    sum_depth,
    theoretical_peak_gflops,
    time_with_threads,
)

ITEMSIZE = {"float32": 4, "float64": 8}
small = st.integers(min_value=1, max_value=40)
rates = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False)


def pairwise_rounds(count: int) -> int:
    """Rounds of a parallel pairwise sum, simulated: each round adds disjoint pairs."""
    rounds = 0
    while count > 1:
        count = count // 2 + count % 2
        rounds += 1
    return rounds


# ---------------------------------------------------------------- traffic


@settings(max_examples=40, deadline=None)
@given(n_in=small, n_out=small, batch=small, dtype=st.sampled_from(["float32", "float64"]))
def test_dense_traffic_matches_counted_run_and_array_bytes(n_in, n_out, batch, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, n_in)).astype(dtype)
    W = rng.standard_normal((n_in, n_out)).astype(dtype)
    b = rng.standard_normal(n_out).astype(dtype)
    with count_ops() as counter:
        out, _ = dense_forward(x, W, b)
    traffic = dense_traffic(n_in, n_out, batch, dtype)
    assert traffic.operations == counter.flops == 2 * batch * n_in * n_out
    assert traffic.bytes == x.nbytes + W.nbytes + b.nbytes + out.nbytes
    size = ITEMSIZE[dtype]
    assert traffic.bytes == size * (batch * n_in + n_in * n_out + n_out + batch * n_out)
    assert isinstance(traffic.operations, int) and isinstance(traffic.bytes, int)


def test_dense_intensity_hand_example():
    """dense 784 -> 512, float32: 802,816 FLOPs over 4 * 403,216 bytes at B = 1."""
    traffic = dense_traffic(784, 512, 1)
    assert traffic.operations == 802_816
    assert traffic.bytes == 1_612_864
    assert traffic.intensity == pytest.approx(0.49775, rel=1e-4)


@settings(max_examples=30, deadline=None)
@given(n_in=st.integers(1, 5000), n_out=st.integers(1, 5000), batch=st.integers(1, 10_000))
def test_dense_intensity_grows_with_batch_towards_its_limit(n_in, n_out, batch):
    now, more = dense_traffic(n_in, n_out, batch), dense_traffic(n_in, n_out, batch + 1)
    assert more.intensity > now.intensity
    limit = 2 * n_in * n_out / (4 * (n_in + n_out))  # B -> infinity, float32
    assert now.intensity < limit


def test_dense_intensity_limits_agree_with_sympy():
    B, a, c = sp.symbols("B a c", positive=True)
    intensity = 2 * B * a * c / (4 * (B * a + a * c + c + B * c))
    assert sp.simplify(sp.limit(intensity, B, sp.oo) - a * c / (2 * (a + c))) == 0
    at_one = intensity.subs(B, 1)
    assert sp.limit(at_one.subs(c, a), a, sp.oo) == sp.Rational(1, 2)
    value = float(intensity.subs({B: 64, a: 300, c: 200}))
    assert dense_traffic(300, 200, 64).intensity == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize("elements", [1, 7, 1000, 2**16])
def test_relu_traffic_matches_counted_activation_and_bytes(elements):
    z = np.linspace(-1, 1, elements, dtype=np.float32)
    with count_ops() as counter:
        a, _ = activation_forward(z, "relu")
    traffic = elementwise_traffic(elements)
    assert traffic.operations == counter.activations == elements
    assert traffic.bytes == z.nbytes + a.nbytes == 8 * elements
    assert traffic.intensity == 1 / 8


def test_elementwise_add_reads_two_arrays():
    a, b = np.ones(100), np.ones(100)
    with count_ops() as counter:
        c = ops.add(a, b)
    traffic = elementwise_traffic(100, inputs=2, dtype="float64")
    assert traffic.operations == counter.adds == 100
    assert traffic.bytes == a.nbytes + b.nbytes + c.nbytes == 2400
    assert traffic.intensity == pytest.approx(1 / 24)


CONV_CASES = [
    # c_in, side, c_out, kernel, stride, padding, groups, batch
    (3, 8, 4, 3, 1, 1, 1, 1),
    (4, 9, 6, 3, 2, 0, 2, 2),
    (8, 7, 8, 3, 1, 1, 8, 3),  # depthwise
    (2, 6, 5, 1, 1, 0, 1, 4),  # 1x1
    (3, 10, 2, (3, 5), 1, (1, 2), 1, 1),
]


@pytest.mark.parametrize(
    ("c_in", "side", "c_out", "kernel", "stride", "padding", "groups", "batch"), CONV_CASES
)
def test_conv_traffic_matches_counted_run_and_array_bytes(
    c_in, side, c_out, kernel, stride, padding, groups, batch
):
    rng = np.random.default_rng(1)
    k_h, k_w = kernel if isinstance(kernel, tuple) else (kernel, kernel)
    x = rng.standard_normal((batch, c_in, side, side), dtype=np.float32)
    w = rng.standard_normal((c_out, c_in // groups, k_h, k_w), dtype=np.float32)
    b = rng.standard_normal(c_out, dtype=np.float32)
    with count_ops() as counter:
        out = conv2d(x, w, b, stride=stride, padding=padding, groups=groups)
    shape = {"stride": stride, "padding": padding, "groups": groups, "batch": batch}
    traffic = conv2d_traffic(c_in, side, side, c_out, kernel, **shape)
    assert traffic.operations == counter.flops
    assert traffic.bytes == x.nbytes + w.nbytes + b.nbytes + out.nbytes
    columns = im2col(x, kernel, stride, padding)
    with_columns = conv2d_traffic(c_in, side, side, c_out, kernel, **shape, im2col=True)
    assert with_columns.operations == traffic.operations
    assert with_columns.bytes == traffic.bytes + 2 * columns.nbytes


def test_conv_hand_example_and_im2col_factor():
    """64 -> 64 channels, 3 x 3, 56 x 56 'same': 2 * 64 * 3136 * 576 FLOPs."""
    traffic = conv2d_traffic(64, 56, 56, 64, 3, padding=1)
    assert traffic.operations == 2 * 64 * 56 * 56 * 64 * 9 == 231_211_008
    assert traffic.bytes == 4 * (2 * 64 * 56 * 56 + 64 * 64 * 9 + 64)
    columns = conv2d_traffic(64, 56, 56, 64, 3, padding=1, im2col=True)
    assert columns.bytes - traffic.bytes == 4 * 2 * 64 * 9 * 56 * 56
    assert 5 < traffic.intensity / columns.intensity < 2 * 9 + 2


def test_matmul_traffic_hand_example_and_counted():
    traffic = matmul_traffic(2, 3, 2)
    assert traffic.operations == 20  # 12 multiplies + 8 adds
    assert traffic.bytes == 4 * (6 + 6 + 4)
    with count_ops() as counter:
        ops.matmul(np.ones((5, 7)), np.ones((7, 3)))
    assert matmul_traffic(5, 7, 3, "float64").operations == counter.flops


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: dense_traffic(0, 3), "n_in"),
        (lambda: dense_traffic(3, 3, batch=0), "batch"),
        (lambda: dense_traffic(3, 3, dtype="int4"), "dtype"),
        (lambda: elementwise_traffic(0), "elements"),
        (lambda: elementwise_traffic(5, inputs=0), "inputs"),
        (lambda: conv2d_traffic(3, 4, 4, 2, 5), "kernel"),
        (lambda: matmul_traffic(1, 0, 1), "n"),
        (lambda: Traffic(5, 0), "bytes"),
        (lambda: Traffic(-1, 4), "operations"),
        (lambda: Traffic(1.5, 4), "operations"),
    ],
)
def test_traffic_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# ---------------------------------------------------------------- the roofline


def test_roofline_hand_example():
    """Peak 100 GFLOP/s, 10 GB/s: ridge at 10 FLOP/byte."""
    assert ridge_point(100, 10) == 10
    assert attainable_gflops(1, 100, 10) == 10
    assert attainable_gflops(10, 100, 10) == 100
    assert attainable_gflops(1000, 100, 10) == 100
    assert bound(9.99, 100, 10) == "memory"
    assert bound(10, 100, 10) == "compute"
    traffic = Traffic(operations=10**9, bytes=10**9)  # intensity 1
    assert predicted_seconds(traffic, 100, 10) == pytest.approx(0.1)  # 1 GB at 10 GB/s
    assert predicted_seconds(Traffic(10**12, 10**9), 100, 10) == pytest.approx(10.0)  # 1 TFLOP at 100 GFLOP/s


@settings(max_examples=60, deadline=None)
@given(operations=st.integers(1, 10**13), nbytes=st.integers(1, 10**12), peak=rates, bandwidth=rates)
def test_predicted_time_is_work_over_attainable_rate(operations, nbytes, peak, bandwidth):
    traffic = Traffic(operations, nbytes)
    expected = operations / (attainable_gflops(traffic.intensity, peak, bandwidth) * 1e9)
    assert predicted_seconds(traffic, peak, bandwidth) == pytest.approx(expected, rel=1e-9)
    memory_bound = traffic.intensity < peak / bandwidth
    assert bound(traffic.intensity, peak, bandwidth) == ("memory" if memory_bound else "compute")


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: ridge_point(0, 10), "peak_gflops"),
        (lambda: ridge_point(10, -1), "bandwidth_gbs"),
        (lambda: attainable_gflops(1, math.inf, 10), "peak_gflops"),
        (lambda: attainable_gflops(0, 10, 10), "intensity"),
        (lambda: predicted_seconds("traffic", 10, 10), "traffic"),
        (lambda: bound(1, 10, math.nan), "bandwidth_gbs"),
    ],
)
def test_roofline_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# ---------------------------------------------------------------- Amdahl


def test_amdahl_hand_examples():
    assert amdahl_speedup(0, 8) == 8
    assert amdahl_speedup(1, 8) == 1
    assert amdahl_speedup(0.1, 2) == pytest.approx(1 / 0.55)
    assert amdahl_speedup(0.05, 10**9) == pytest.approx(20, rel=1e-6)  # limit 1/f
    assert serial_fraction(2, 2) == 0
    assert serial_fraction(1, 2) == 1
    assert serial_fraction(1.8, 2) == pytest.approx(2 / 1.8 - 1)


@settings(max_examples=60, deadline=None)
@given(f=st.floats(0, 1), workers=st.integers(2, 1024))
def test_serial_fraction_inverts_amdahl(f, workers):
    speedup = amdahl_speedup(f, workers)
    assert 1 - 1e-12 <= speedup <= workers * (1 + 1e-12)
    assert serial_fraction(min(max(speedup, 1), workers), workers) == pytest.approx(f, abs=1e-9)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: amdahl_speedup(1.5, 2), "serial_fraction"),
        (lambda: amdahl_speedup(0.5, 0), "workers"),
        (lambda: serial_fraction(0.8, 2), "speedup"),
        (lambda: serial_fraction(2.5, 2), "speedup"),
        (lambda: serial_fraction(1.5, 1), "workers"),
    ],
)
def test_amdahl_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# ---------------------------------------------------------------- work and span


@settings(max_examples=60, deadline=None)
@given(count=st.integers(1, 10**7))
def test_sum_depth_is_the_number_of_pairwise_rounds(count):
    assert sum_depth(count) == pairwise_rounds(count)


def test_sum_depth_hand_values():
    assert [sum_depth(c) for c in (1, 2, 3, 4, 5, 8, 9, 1024, 1025)] == [0, 1, 2, 2, 3, 3, 4, 10, 11]


@settings(max_examples=30, deadline=None)
@given(m=small, n=small, p=small)
def test_matmul_work_is_counted_and_span_is_one_level_plus_a_tree(m, n, p):
    with count_ops() as counter:
        ops.matmul(np.ones((m, n)), np.ones((n, p)))
    result = matmul_work_span(m, n, p)
    assert result.work == counter.flops
    assert result.span == 1 + pairwise_rounds(n)
    assert result.parallelism == pytest.approx(counter.flops / (1 + pairwise_rounds(n)))


@settings(max_examples=30, deadline=None)
@given(n_in=small, n_out=small, batch=small)
def test_dense_work_is_counted_and_span_does_not_depend_on_batch(n_in, n_out, batch):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((batch, n_in))
    W, b = rng.standard_normal((n_in, n_out)), rng.standard_normal(n_out)
    with count_ops() as counter:
        z, _ = dense_forward(x, W, b)
        activation_forward(z, "relu")
    result = dense_work_span(n_in, n_out, batch)
    assert result.work == counter.flops + counter.activations
    assert result.span == 1 + pairwise_rounds(n_in + 1) + 1
    assert dense_work_span(n_in, 2 * n_out, 3 * batch).span == result.span


def test_mlp_work_and_span_add_up_over_layers():
    widths = [784, 512, 512, 10]
    total = mlp_work_span(widths, batch=32)
    layers = [dense_work_span(a, b, 32) for a, b in itertools.pairwise(widths)]
    assert total == WorkSpan(sum(x.work for x in layers), sum(x.span for x in layers))
    # By hand: spans 2 + ceil(log2 785) = 12, 2 + ceil(log2 513) = 12, 12 again.
    assert total.span == 36
    assert mlp_work_span(widths, batch=1).span == 36
    assert mlp_work_span(widths, batch=1).work * 32 == total.work


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: sum_depth(0), "count"),
        (lambda: matmul_work_span(2, 0, 2), "n"),
        (lambda: mlp_work_span([5]), "widths"),
        (lambda: mlp_work_span("abc"), "widths"),
        (lambda: dense_work_span(3, 3, 0), "batch"),
    ],
)
def test_work_span_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# ---------------------------------------------------------------- theoretical peak


def test_fma_flops_per_cycle_follows_notebook_01():
    assert fma_flops_per_cycle({"fma", "avx2"}, "float32") == 32
    assert fma_flops_per_cycle({"fma", "avx2", "avx512f"}, "float64") == 16
    assert fma_flops_per_cycle({"fma", "avx512f"}) == 32
    assert fma_flops_per_cycle({"avx2"}) is None
    assert fma_flops_per_cycle(set()) is None
    with pytest.raises(ValueError, match="dtype"):
        fma_flops_per_cycle({"fma"}, "float16")


def test_theoretical_peak_hand_example():
    # 2 cores x 2.596 GHz x 32 FLOPs per cycle (notebook 01's Zen 4 figure)
    assert theoretical_peak_gflops(2, 2596.13, 32) == pytest.approx(2 * 2.59613 * 32)
    with pytest.raises(ValueError, match="mhz"):
        theoretical_peak_gflops(2, 0, 32)
    with pytest.raises(ValueError, match="cores"):
        theoretical_peak_gflops(0, 2000, 32)


# ---------------------------------------------------------------- measurement helpers (no timing asserted)


def test_measurements_return_positive_rates():
    assert 0 < measure_matmul_gflops(n=64, repeats=1, budget=0.1) < math.inf
    for kernel in ("copy", "add"):
        assert 0 < measure_bandwidth_gbs(megabytes=1, kernel=kernel, repeats=1, budget=0.1) < math.inf
    a = np.ones((32, 32))
    best = time_with_threads(np.matmul, a, a, threads=(1, 2), rounds=2, budget=0.01)
    assert set(best) == {1, 2}
    assert all(0 < seconds < math.inf for seconds in best.values())


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: measure_matmul_gflops(n=0), "n"),
        (lambda: measure_matmul_gflops(n=8, dtype="int32"), "dtype"),
        (lambda: measure_bandwidth_gbs(megabytes=0), "megabytes"),
        (lambda: measure_bandwidth_gbs(kernel="triad"), "kernel"),
        (lambda: time_with_threads(np.sum, np.ones(3), threads=(0,)), "threads"),
        (lambda: time_with_threads(np.sum, np.ones(3), threads=()), "threads"),
        (lambda: time_with_threads(np.sum, np.ones(3), rounds=0), "rounds"),
    ],
)
def test_measurement_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_fraction_arithmetic_of_a_ridge_is_exact():
    """The ridge point is a plain division: exact for values a float represents exactly."""
    assert Fraction(ridge_point(150, 20)) == Fraction(15, 2)


def test_module_does_not_import_the_implementations():
    """Formulas only, like course_lib.complexity: a formula that called the code it checks would check nothing."""
    tree = ast.parse(inspect.getsource(roofline))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    forbidden = {f"course_lib.{name}" for name in ("ops", "counting", "mlp", "conv")}
    assert not {name for name in imported if any(name.startswith(f) for f in forbidden)}
    assert not {name for name in imported if name in ("matplotlib", "ipywidgets")}


def write_cache(root, index: int, level: int, kind: str, size: str) -> None:
    folder = root / f"index{index}"
    folder.mkdir()
    (folder / "level").write_text(f"{level}\n")
    (folder / "type").write_text(f"{kind}\n")
    (folder / "size").write_text(f"{size}\n")


def test_cache_sizes_reads_the_data_caches(tmp_path):
    write_cache(tmp_path, 0, 1, "Data", "48K")
    write_cache(tmp_path, 1, 1, "Instruction", "32K")
    write_cache(tmp_path, 2, 2, "Unified", "2048K")
    write_cache(tmp_path, 3, 3, "Unified", "300M")
    assert roofline.cache_sizes(tmp_path) == {"L1d": 48 * 1024, "L2": 2 * 2**20, "L3": 300 * 2**20}


def test_cache_sizes_is_empty_without_sysfs(tmp_path):
    assert roofline.cache_sizes(tmp_path / "missing") == {}
    write_cache(tmp_path, 0, 2, "Unified", "large")  # unreadable size: skipped
    assert roofline.cache_sizes(tmp_path) == {}
