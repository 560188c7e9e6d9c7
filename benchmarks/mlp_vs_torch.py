"""One MLP training step: course_lib.mlp against PyTorch (784-512-256-10, batch 128, float32)."""

from __future__ import annotations

from dataclasses import replace

from benchmarks.cases import MLP_BATCH, mlp_batch
from benchmarks.harness import NO_TORCH, TORCH_SETTLE, Settings, Threads, has_module, time_calls
from benchmarks.mlp_step import check_same_step, course_lib_model, course_lib_step, fresh_params, torch_step
from benchmarks.report import Case, Comparison, Goal

TITLE = "MLP training step vs PyTorch"


def run(settings: Settings, threads: Threads) -> Comparison:
    comparison = Comparison(
        "mlp_vs_torch",
        TITLE,
        ours="`course_lib.mlp.training_step` on `MLP([784, 512, 256, 10], 'relu', dtype=float32)`, "
        "softmax cross-entropy, SGD (no counter active)",
        reference=f"PyTorch: `nn.Sequential` of Linear/ReLU, `F.cross_entropy`, `backward()`, "
        f"`optim.SGD.step()`, {threads.torch or threads.blas} threads",
        goal=Goal(1.0),  # issue 10 (it was 1.3 in issue 5)
    )
    if not has_module("torch"):
        comparison.skipped = NO_TORCH
        return comparison

    reference = torch_step(fresh_params(), *mlp_batch())
    net = reference.net  # type: ignore[attr-defined]

    def torch_params() -> list:
        linears = [m for m in net if hasattr(m, "weight")]
        return [a for m in linears for a in (m.weight.detach().numpy().T, m.bias.detach().numpy())]

    error = check_same_step(reference, torch_params)
    ours_fn = course_lib_step(course_lib_model(), *mlp_batch())
    ours, ref = time_calls(
        [ours_fn, torch_step(fresh_params(), *mlp_batch())], replace(settings, settle=TORCH_SETTLE)
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
