"""What an active op counter costs: the same forward pass with `count_ops()` active and with none.

Every `course_lib.ops` call checks whether a counter is active (one context
variable lookup) and, if so, records its counts. A forward pass makes few,
large calls, so the counter should cost well under 5 %.
"""

from __future__ import annotations

from benchmarks.cases import CONV_LAYERS, mlp_batch
from benchmarks.harness import Settings, Threads, time_calls
from benchmarks.mlp_step import course_lib_model
from benchmarks.report import Case, Comparison, Goal
from course_lib.conv import conv2d
from course_lib.counting import count_ops

TITLE = "op counter overhead (forward pass)"


def run(settings: Settings, threads: Threads) -> Comparison:
    comparison = Comparison(
        "counter_overhead",
        TITLE,
        ours="the forward pass inside `with count_ops():` (a new counter per pass)",
        reference="the same forward pass with no counter active",
        goal=Goal(1.05, strict=True),
    )
    model = course_lib_model()
    x, _ = mlp_batch()
    layer = CONV_LAYERS[2]
    cx, cw, cb = layer.arrays()
    s, p = layer.stride, layer.padding

    def counted(fn):
        def run_counted() -> None:
            with count_ops():
                fn()

        return run_counted

    passes = [
        ("MLP 784-512-256-10 forward, batch 128", lambda: model.forward(x)),
        (f"conv2d forward, {layer.label}", lambda: conv2d(cx, cw, cb, s, p)),
    ]
    for name, fn in passes:
        with count_ops() as counter:
            fn()
        active, none = time_calls([counted(fn), fn], settings)
        comparison.cases.append(
            Case(
                name,
                active.best,
                none.best,
                active.median,
                none.median,
                note=f"{counter.flops:,} FLOPs counted",
                show_difference=True,
            )
        )
    comparison.notes.append(
        "Goal: the counter adds less than 5 % (ratio < 1.05); the ratio is noisy at the 1-2 % level."
    )
    return comparison
