"""The two-thread runner of course_lib.fast: same values and counts on one thread or two."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import course_lib.fast.threads as threads
from course_lib.counting import count_ops
from course_lib.fast import conv2d_fast
from course_lib.fast.threads import halves, run_shares


def test_halves_cover_the_range_once() -> None:
    assert halves(8) == [slice(0, 4), slice(4, 8)]
    assert halves(5) == [slice(0, 2), slice(2, 5)]
    assert halves(1) == [slice(0, 1)]
    assert halves(7, 3) == [slice(0, 2), slice(2, 4), slice(4, 7)]


def test_work_runs_on_other_threads_unless_counting() -> None:
    seen = []
    run_shares(lambda share: seen.append((share, threading.current_thread().name)), [0, 1])
    assert sorted(share for share, _ in seen) == [0, 1]
    assert all(name.startswith("course_lib.fast") for _, name in seen)
    seen.clear()
    with count_ops():
        run_shares(lambda share: seen.append((share, threading.current_thread().name)), [0, 1])
    assert seen == [(0, threading.current_thread().name), (1, threading.current_thread().name)]


@pytest.mark.parametrize("algorithm", ["direct", "winograd", "auto"])
def test_one_thread_and_two_give_the_same_layer(monkeypatch, algorithm: str) -> None:
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 16, 13, 11)).astype(np.float32)
    w = rng.standard_normal((16, 16, 3, 3)).astype(np.float32)
    b = rng.standard_normal(16).astype(np.float32)
    two = conv2d_fast(x, w, b, padding=1, algorithm=algorithm)
    monkeypatch.setattr(threads, "THREADS", 1)
    one = conv2d_fast(x, w, b, padding=1, algorithm=algorithm)
    np.testing.assert_array_equal(one, two)
