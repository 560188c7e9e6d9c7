"""Tests of course_lib.gpu (notebooks/09_from_flops_to_seconds.ipynb, section 6).

No test needs a GPU: the driver search is steered with monkeypatch, the libraries are
replaced by small fakes, and the benchmarks run on a numpy stand-in for the device.
The FLOP counts expected below are worked out by hand from the shapes.
"""

from __future__ import annotations

import types

import numpy as np
import pytest

from course_lib import gpu
from course_lib.conv import conv2d_naive


def numpy_backend(conv: bool = True) -> gpu.GpuBackend:
    """The device replaced by numpy (float32), with or without a convolution."""
    rng = np.random.default_rng(0)
    convolution = (lambda x, w, b: conv2d_naive(x, w, b, padding=1)) if conv else None
    return gpu.GpuBackend(
        "numpy",
        "stand-in",
        lambda *shape: rng.standard_normal(shape, dtype=np.float32),
        lambda: None,
        convolution,
    )


@pytest.fixture
def no_driver(monkeypatch):
    monkeypatch.setattr(gpu.shutil, "which", lambda command: None)
    monkeypatch.setattr(gpu, "DRIVER_FILES", ("/nonexistent/driver-a", "/nonexistent/driver-b"))


@pytest.fixture
def driver(monkeypatch):
    monkeypatch.setattr(gpu, "driver_found", lambda: True)


def test_without_a_driver_no_library_is_imported(no_driver, monkeypatch):
    def refuse(name):
        raise AssertionError(f"{name} imported although no driver was found")

    monkeypatch.setattr(gpu.importlib, "import_module", refuse)
    assert gpu.driver_found() is False
    backend, reasons = gpu.find_gpu()
    assert backend is None and reasons == ["no GPU driver found, so CuPy and PyTorch were not imported"]


def test_a_driver_command_on_the_path_counts(no_driver, monkeypatch):
    monkeypatch.setattr(
        gpu.shutil, "which", lambda command: "/usr/bin/nvidia-smi" if command == "nvidia-smi" else None
    )
    assert gpu.driver_found() is True


def test_missing_libraries_are_each_given_as_a_reason(driver, monkeypatch):
    monkeypatch.setattr(gpu.importlib.util, "find_spec", lambda name: None)
    backend, reasons = gpu.find_gpu()
    assert backend is None and reasons == ["cupy is not installed", "torch is not installed"]


def fake_torch(available: bool) -> types.SimpleNamespace:
    cuda = types.SimpleNamespace(
        is_available=lambda: available, get_device_name=lambda: "Fake A100", synchronize=lambda: None
    )
    return types.SimpleNamespace(
        cuda=cuda,
        float32="f32",
        randn=lambda *shape, **kw: np.zeros(shape),
        nn=types.SimpleNamespace(functional=None),
    )


def test_a_broken_library_is_reported_and_the_next_one_tried(driver, monkeypatch):
    monkeypatch.setattr(gpu.importlib.util, "find_spec", lambda name: object())

    def import_module(name):
        if name == "cupy":
            raise RuntimeError("CUDA driver version is insufficient")
        return fake_torch(available=True)

    monkeypatch.setattr(gpu.importlib, "import_module", import_module)
    backend, reasons = gpu.find_gpu()
    assert reasons == []
    assert (backend.library, backend.device_name) == ("torch", "Fake A100")
    assert backend.randn(2, 3).shape == (2, 3)


def test_a_library_without_a_device_is_a_reason(driver, monkeypatch):
    monkeypatch.setattr(gpu.importlib.util, "find_spec", lambda name: None if name == "cupy" else object())
    monkeypatch.setattr(gpu.importlib, "import_module", lambda name: fake_torch(available=False))
    backend, reasons = gpu.find_gpu()
    assert backend is None and reasons == ["cupy is not installed", "torch finds no CUDA device"]


def test_cases_count_their_flops_and_bytes():
    cases = gpu.gpu_cases(
        numpy_backend(), dense=((3, 2, 5),), conv_batches=(2,), conv_shape=(4, 6), peak_n=8, copy_mib=1
    )
    assert list(cases) == [
        "dense 3->2, B=5",
        "conv 4->4 3x3 @6, B=2",
        "matmul 8 x 8 (peak)",
        "copy 1 MiB (bandwidth)",
    ]
    # by hand: 2 x 5 x 3 x 2; 2 x 2 x 4 x 6 x 6 x 4 x 9; 2 x 512 - 64; 2 x 2^20 bytes
    assert [case.flops for case in cases.values()] == [60, 20_736, 960, None]
    assert cases["copy 1 MiB (bandwidth)"].bytes_moved == 2 * 2**20
    dense = cases["dense 3->2, B=5"]
    x, w, b = dense.args
    np.testing.assert_allclose(dense.fn(*dense.args), x @ w + b)
    conv = cases["conv 4->4 3x3 @6, B=2"]
    assert conv.fn(*conv.args).shape == (2, 4, 6, 6)


def test_without_a_convolution_the_gemm_of_the_same_flops_is_timed():
    cases = gpu.gpu_cases(
        numpy_backend(conv=False), dense=(), conv_batches=(1,), conv_shape=(4, 6), peak_n=2, copy_mib=1
    )
    case = cases["conv 4->4 3x3 @6, B=1 (as a GEMM)"]
    a, c = case.args
    assert (a.shape, c.shape) == ((4, 36), (36, 36))
    assert case.flops == 2 * 4 * 36 * 36  # the multiply-adds of the GEMM, counted with the bias
    assert case.fn(a, c).shape == (4, 36)


def test_time_cases_reports_a_time_and_a_rate_for_each_case():
    backend = numpy_backend()
    cases = gpu.gpu_cases(backend, dense=((16, 16, 4),), conv_batches=(), peak_n=16, copy_mib=1)
    results = gpu.time_cases(backend, cases, repeats=2)
    assert list(results) == list(cases)
    for name, (seconds, rate) in results.items():
        assert 0 < seconds < 1
        assert rate.endswith("GB/s" if name.startswith("copy") else "GFLOP/s")


def test_report_without_a_gpu_says_what_it_would_show(no_driver):
    text = gpu.gpu_report()
    assert text.startswith("No GPU measurement on this machine: no GPU driver found")
    assert gpu.WOULD_MEASURE in text


def test_report_survives_a_failing_run(monkeypatch):
    def broken(*shape):
        raise MemoryError("out of device memory")

    backend = gpu.GpuBackend("torch", "Fake", broken, lambda: None)
    monkeypatch.setattr(gpu, "find_gpu", lambda: (backend, []))
    assert gpu.gpu_report() == "The GPU run failed (MemoryError: out of device memory)."


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="peak_n"):
        gpu.gpu_cases(numpy_backend(), dense=(), conv_batches=(), peak_n=0)
    with pytest.raises(ValueError, match="repeats"):
        gpu.time_cases(numpy_backend(), {}, repeats=0)
