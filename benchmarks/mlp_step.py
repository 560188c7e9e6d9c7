"""One MLP training step (784-512-256-10, ReLU, softmax cross-entropy, SGD) three ways.

`course_lib_step` uses `course_lib.mlp` (every operation through `course_lib.ops`),
`numpy_step` is the same arithmetic in bare numpy (no checks, no counting hooks),
`torch_step` is the PyTorch idiom. All start from the same float32 weights; the
checks below make sure the three compute the same step before anything is timed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from benchmarks.cases import MLP_LR, MLP_WIDTHS, SEED, mlp_batch
from course_lib.mlp import MLP, training_step


def course_lib_model() -> MLP:
    return MLP(list(MLP_WIDTHS), "relu", seed=SEED, dtype=np.float32)


def course_lib_step(model: MLP, x: np.ndarray, y: np.ndarray) -> Callable[[], float]:
    return lambda: training_step(model, x, y, MLP_LR, loss="softmax_cross_entropy")


def numpy_step(params: list[dict[str, np.ndarray]], x: np.ndarray, y: np.ndarray) -> Callable[[], float]:
    """Forward, softmax cross-entropy, backward and SGD update in plain numpy, updating ``params`` in place."""
    rows = np.arange(len(y))
    lr = np.float32(MLP_LR)

    def step() -> float:
        activations = [x]
        for k, p in enumerate(params):
            z = activations[-1] @ p["W"] + p["b"]
            activations.append(np.maximum(z, 0) if k < len(params) - 1 else z)
        logits = activations[-1]
        shifted = logits - logits.max(axis=1, keepdims=True)
        exps = np.exp(shifted)
        sums = exps.sum(axis=1, keepdims=True)
        loss = float(np.mean(np.log(sums[:, 0]) - shifted[rows, y]))
        grad = exps / sums
        grad[rows, y] -= 1
        grad /= np.float32(len(y))
        for k in reversed(range(len(params))):
            p = params[k]
            dW, db = activations[k].T @ grad, grad.sum(axis=0)
            if k > 0:
                grad = (grad @ p["W"].T) * (activations[k] > 0)
            p["W"] -= lr * dW
            p["b"] -= lr * db
        return loss

    return step


def torch_step(params: list[dict[str, np.ndarray]], x: np.ndarray, y: np.ndarray) -> Callable[[], float]:
    """The PyTorch idiom: nn.Sequential, F.cross_entropy, loss.backward(), optim.SGD.step()."""
    import torch
    from torch import nn

    layers: list[nn.Module] = []
    for k, p in enumerate(params):
        linear = nn.Linear(*p["W"].shape)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(p["W"].T.copy()))
            linear.bias.copy_(torch.from_numpy(p["b"]))
        layers.append(linear)
        if k < len(params) - 1:
            layers.append(nn.ReLU())
    net = nn.Sequential(*layers)
    optimizer = torch.optim.SGD(net.parameters(), lr=MLP_LR)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)

    def step() -> float:
        optimizer.zero_grad(set_to_none=True)
        loss = nn.functional.cross_entropy(net(tx), ty)
        loss.backward()
        optimizer.step()
        return loss.item()

    step.net = net  # type: ignore[attr-defined]
    return step


def fresh_params() -> list[dict[str, np.ndarray]]:
    return [{k: v.copy() for k, v in p.items()} for p in course_lib_model().params]


def check_same_step(other: Callable[[], float], other_params: Callable[[], list[np.ndarray]]) -> float:
    """Run one step of course_lib and of ``other`` from the same weights; return the largest relative difference."""
    x, y = mlp_batch()
    model = course_lib_model()
    loss = course_lib_step(model, x, y)()
    ours = [a for p in model.params for a in (p["W"], p["b"])]
    loss_other = other()
    theirs = other_params()
    worst = abs(loss - loss_other) / abs(loss)
    for a, b in zip(ours, theirs, strict=True):
        worst = max(worst, float(np.max(np.abs(a - b)) / np.max(np.abs(a))))
    if worst > 1e-4:
        raise AssertionError(f"the MLP steps disagree: relative difference {worst:.1e}")
    return worst
