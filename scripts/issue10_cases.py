"""Issue 10's bad and odd inputs to mlp, conv, ops and counting, each classified.

Each case runs in its own process (address space capped at 6 GiB, 20 s limit) and
ends as one of: ok (a ValueError/TypeError naming the argument, or the right
answer), hang (over the time limit), silent (an answer where an error was due,
or a wrong answer), raw (another exception: MemoryError, AttributeError, ...),
unclear (a ValueError/TypeError that does not name the argument).

    python scripts/issue10_cases.py            # the package on sys.path (the worktree's)
    PYTHONPATH=/old/tree python scripts/issue10_cases.py   # another version
"""

from __future__ import annotations

import collections
import resource
import subprocess
import sys
import textwrap

SETUP = """
import numpy as np
from course_lib import conv, mlp
from course_lib.counting import matmul_naive
rng = np.random.default_rng(0)
x = rng.standard_normal((2, 3, 6, 6)); w = rng.standard_normal((4, 3, 3, 3))
out, ccache = conv.conv2d_forward(x, w, np.zeros(4))
dout = np.ones_like(out)
px, pcache = conv.max_pool2d_forward(x, 2)
ax, acache = conv.avg_pool2d_forward(x, 2)
d, dcache = mlp.dense_forward(np.ones((2, 3)), np.ones((3, 4)), np.zeros(4))
model = mlp.MLP([3, 4, 2]); X = np.ones((5, 3)); Y = np.ones((5, 2))
cols = conv.im2col(np.ones((2, 3, 8, 8)), 3)
"""

# (label, statement, expected): expected is ("error", fragment the message must hold) or
# ("answer", an expression that must be True after the statement, with `result` bound).
CASES = [
    (
        "conv2d_backward need_dx='no'",
        "result = conv.conv2d_backward(dout, ccache, need_dx='no')",
        ("error", "need_dx"),
    ),
    (
        "dense_backward need_dx='no'",
        "result = mlp.dense_backward(d, dcache, need_dx='no')",
        ("error", "need_dx"),
    ),
    ("col2im x_shape (2.7, 3, 8, 8)", "result = conv.col2im(cols, (2.7, 3, 8, 8), 3)", ("error", "x_shape")),
    ("col2im negative height", "result = conv.col2im(cols, (2, 3, -8, 8), 3)", ("error", "x_shape")),
    (
        "conv2d padding=10**5",
        "result = conv.conv2d(np.ones((1,1,1,1)), np.ones((1,1,1,1)), padding=10**5)",
        ("error", "padding"),
    ),
    (
        "conv2d_naive padding=10**5",
        "result = conv.conv2d_naive(np.ones((1,1,1,1)), np.ones((1,1,1,1)), padding=10**5)",
        ("error", "padding"),
    ),
    (
        "im2col padding=10**5",
        "result = conv.im2col(np.ones((1,1,1,1)), 1, padding=10**5)",
        ("error", "padding"),
    ),
    (
        "col2im padding=10**5",
        "result = conv.col2im(np.ones((1,1,1)), (1,1,1,1), 1, padding=10**5)",
        ("error", "padding"),
    ),
    (
        "max_pool2d padding=10**5",
        "result = conv.max_pool2d_forward(np.ones((1,1,1,1)), 2*10**5+1, padding=10**5)",
        ("error", "padding"),
    ),
    (
        "avg_pool2d padding=10**5",
        "result = conv.avg_pool2d_forward(np.ones((1,1,1,1)), 2*10**5+1, padding=10**5)",
        ("error", "padding"),
    ),
    ("MLP([10**5, 10**5])", "result = mlp.MLP([10**5, 10**5])", ("error", "widths")),
    (
        "gradient_descent steps=10**9",
        "result = mlp.gradient_descent(model, X, Y, lr=0.1, steps=10**9)",
        ("error", "steps"),
    ),
    (
        "minibatch_sgd epochs=10**9",
        "result = mlp.minibatch_sgd(model, X, Y, lr=0.1, batch_size=1, epochs=10**9)",
        ("error", "epochs"),
    ),
    (
        "max_pool2d_backward(avg cache)",
        "result = conv.max_pool2d_backward(np.ones_like(ax), acache)",
        ("error", "cache"),
    ),
    ("training_step(None, ...)", "result = mlp.training_step(None, X, Y, 0.1)", ("error", "model")),
    ("conv2d_backward(dout, None)", "result = conv.conv2d_backward(dout, None)", ("error", "cache")),
    (
        "avg_pool2d_backward(dcache)",
        "result = conv.avg_pool2d_backward(np.ones_like(ax), dcache)",
        ("error", "cache"),
    ),
    ("conv2d_backward(pool cache)", "result = conv.conv2d_backward(dout, pcache)", ("error", "cache")),
    ("MLP seed=-1", "result = mlp.MLP([3, 4], seed=-1)", ("error", "seed")),
    ("MLP seed='x'", "result = mlp.MLP([3, 4], seed='x')", ("error", "seed")),
    ("MLP dtype='banana'", "result = mlp.MLP([3, 4], dtype='banana')", ("error", "dtype")),
    ("matmul_naive strings", "result = matmul_naive([['a']], [['b']])", ("error", "a ")),
    (
        "max-pool gradient, all -inf padded window",
        "y, c = conv.max_pool2d_forward(np.full((1,1,3,3), -np.inf), 3, 1, 1); result = conv.max_pool2d_backward(np.ones_like(y), c)",
        ("answer", "result.sum() == 9"),
    ),
    (
        "MLP(np.array([3, 4, 2]))",
        "result = mlp.MLP(np.array([3, 4, 2])).forward(np.ones((1, 3)))",
        ("answer", "result.shape == (1, 2)"),
    ),
]

PROBE = """
import sys
{setup}
try:
{statement}
except (ValueError, TypeError) as error:
    print("ERROR", type(error).__name__, str(error).replace(chr(10), " ")); sys.exit(0)
except BaseException as error:
    print("RAW", type(error).__name__, str(error).replace(chr(10), " ")[:200]); sys.exit(0)
print("ANSWER", {check})
"""


def limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (6 * 2**30, 6 * 2**30))


def classify(statement: str, expected: tuple[str, str]) -> tuple[str, str]:
    kind, detail = expected
    check = detail if kind == "answer" else "True"
    code = PROBE.format(setup=SETUP, statement=textwrap.indent(statement, "    "), check=check)
    try:
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=20, preexec_fn=limit_memory
        )
    except subprocess.TimeoutExpired:
        return "hang", "over 20 s"
    line = (done.stdout.strip().splitlines() or [done.stderr.strip()[-200:]])[-1]
    if line.startswith("RAW") or done.returncode != 0:
        return "raw", line
    if line.startswith("ERROR"):
        if kind == "answer":
            return "refused", line
        return ("ok" if detail in line else "unclear"), line
    if kind == "answer":
        return ("ok" if line == "ANSWER True" else "silent"), line
    return "silent", line


def main() -> None:
    totals: collections.Counter[str] = collections.Counter()
    for label, statement, expected in CASES:
        verdict, line = classify(statement, expected)
        totals[verdict] += 1
        print(f"{verdict:8} {label:42} {line[:150]}")
    print("totals:", dict(totals))


if __name__ == "__main__":
    main()
