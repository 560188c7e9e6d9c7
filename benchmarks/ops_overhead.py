"""The fixed cost of one `course_lib.ops` call, on arrays so small that the arithmetic is nothing.

Two cases: `ops.add` with no counter against a bare `np.add` (argument
handling and the is-a-counter-active lookup), and `ops.add` inside an active
counter against the same call with none (recording the counts). Multiplied by
the number of calls a kernel makes, this tells whether ops.py is a bottleneck.
"""

from __future__ import annotations

import numpy as np

from benchmarks.harness import Settings, Threads, time_calls
from benchmarks.report import Case, Comparison
from course_lib import ops
from course_lib.counting import count_ops

TITLE = "ops call overhead (8-element arrays)"


def run(settings: Settings, threads: Threads) -> Comparison:
    comparison = Comparison(
        "ops_overhead",
        TITLE,
        ours="`ops.add(a, b)` (first case: no counter; second: inside `count_ops()`)",
        reference="`np.add(a, b)` (first case); `ops.add(a, b)` with no counter (second case)",
    )
    a, b = np.ones(8, dtype=np.float32), np.ones(8, dtype=np.float32)
    bare, plain = time_calls([lambda: np.add(a, b), lambda: ops.add(a, b)], settings)
    with count_ops():
        (counted,) = time_calls([lambda: ops.add(a, b)], settings)
    comparison.cases.append(
        Case(
            "ops.add, no counter vs np.add",
            plain.best,
            bare.best,
            plain.median,
            bare.median,
            show_difference=True,
        )
    )
    comparison.cases.append(
        Case(
            "ops.add, counter active vs none",
            counted.best,
            plain.best,
            counted.median,
            plain.median,
            show_difference=True,
        )
    )
    return comparison
