"""One MLP training step: course_lib.mlp against the same arithmetic in bare numpy (no torch needed).

The reference is the floor for any numpy implementation on this machine: the
same matrix products and elementwise work, without argument checks or counting
hooks. The ratio is what course_lib's checks and bookkeeping cost.
"""

from __future__ import annotations

from benchmarks.cases import MLP_BATCH, mlp_batch
from benchmarks.harness import Settings, Threads, time_calls
from benchmarks.mlp_step import check_same_step, course_lib_model, course_lib_step, fresh_params, numpy_step
from benchmarks.report import Case, Comparison

TITLE = "MLP training step vs bare numpy"


def run(settings: Settings, threads: Threads) -> Comparison:
    comparison = Comparison(
        "mlp_vs_numpy",
        TITLE,
        ours="`course_lib.mlp.training_step` (784-512-256-10, float32, softmax cross-entropy, SGD)",
        reference=f"the same step written in bare numpy (numpy's BLAS, {threads.blas} threads)",
    )
    params = fresh_params()
    error = check_same_step(
        numpy_step(params, *mlp_batch()), lambda: [a for p in params for a in (p["W"], p["b"])]
    )
    ours, ref = time_calls(
        [course_lib_step(course_lib_model(), *mlp_batch()), numpy_step(fresh_params(), *mlp_batch())],
        settings,
    )
    comparison.cases.append(
        Case(
            f"784-512-256-10, batch {MLP_BATCH}: forward + backward + SGD",
            ours.best,
            ref.best,
            ours.median,
            ref.median,
            note=f"one step agrees to a relative difference of {error:.0e}",
        )
    )
    return comparison
