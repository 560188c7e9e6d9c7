"""``python -m benchmarks``: run every comparison in one process, print the table, write results.md.

Usage: python -m benchmarks [--quick] [--only KEY ...] [--threads N] [--output PATH | --no-write]
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import os
import sys
import time
from pathlib import Path

from benchmarks.harness import (
    ALLOCATOR_ENV,
    TORCH_SETTLE,
    Settings,
    Threads,
    has_module,
    machine_facts,
    match_torch_threads,
    numpy_blas_threads,
)
from benchmarks.report import Comparison, merge_passes, render_results

MODULES = (
    "conv_vs_torch",
    "conv_auto_vs_torch",
    "conv_algorithms",
    "conv_winograd_stages",
    "mlp_vs_torch",
    "conv_vs_gemm",
    "mlp_vs_numpy",
    "conv_naive",
    "conv_vs_scipy",
    "counter_overhead",
    "ops_overhead",
)
"""One module per comparison, in the order of the report."""

RESULTS = Path(__file__).with_name("results.md")

PASSES = 3
"""Passes over all comparisons; each case's rounds are spread over the passes (see `merge_passes`)."""


def _header(
    facts: dict[str, str], threads: Threads, settings: Settings, passes: int, seconds: float, argv: list[str]
) -> str:
    unset = all(facts[v] == "unset" for v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"))
    command = "make bench" if "MAKELEVEL" in os.environ else "python -m benchmarks"
    if argv:
        command += f" {' '.join(argv)}" if command.startswith("python") else f" (`{' '.join(argv)}`)"
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`python -m benchmarks`); every reference was measured in the same run. "
        "Ratios are ours / reference: below 1 means course_lib was faster.",
        "",
        f"Times are the best of {passes * settings.repeats} rounds ({settings.repeats} in each of {passes} "
        f"pass{'es' if passes != 1 else ''} over all comparisons), ours and the reference alternating, after warm-up; a round times "
        f"back-to-back calls for at least {settings.min_sample * 1e3:g} ms. Comparisons with PyTorch sleep "
        f"{TORCH_SETTLE:g} s and make one untimed call before each sample, so that the other side's idle "
        "threads no longer spin. Nothing here is asserted by a test; method and caveats in "
        "[README.md](README.md).",
        "",
        "## This run",
        "",
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; run time {seconds:.0f} s",
        f"- command: `{command}`, with "
        + (
            "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (as `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "
            "make bench` ensures: the documented way to compare with PyTorch)"
            if unset
            else "OPENBLAS_CORETYPE and/or OPENBLAS_L2_SIZE set, which may slow numpy's BLAS "
            "(see README.md: unset them to compare with PyTorch)"
        ),
        f"- threads: numpy's BLAS ({threads.blas_library}) {threads.blas} ({threads.source}); "
        + (f"PyTorch {threads.torch}" if threads.torch is not None else "PyTorch not installed"),
        "",
        "| machine / software | |",
        "| --- | --- |",
    ]
    lines += [f"| {key} | {value} |" for key, value in facts.items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short pass: a smoke run, not a measurement")
    parser.add_argument(
        "--only", nargs="+", choices=MODULES, metavar="KEY", help=f"run only these: {MODULES}"
    )
    parser.add_argument("--threads", type=int, help="set numpy's BLAS (and PyTorch) to N threads")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the Markdown report")
    parser.add_argument("--no-write", action="store_true", help="print the report only")
    args = parser.parse_args(argv)
    if any(os.environ.get(var) != value for var, value in ALLOCATOR_ENV.items()):
        # glibc reads its malloc settings at start-up: restart the interpreter with them.
        raw = sys.argv[1:] if argv is None else argv
        os.execve(sys.executable, [sys.executable, "-m", "benchmarks", *raw], {**os.environ, **ALLOCATOR_ENV})

    passes = 1 if args.quick else PASSES
    settings = Settings(repeats=3, min_sample=0.005, warmup=1) if args.quick else Settings()
    threads = numpy_blas_threads(args.threads)
    if has_module("torch"):
        match_torch_threads(threads)
    modules = [importlib.import_module(f"benchmarks.{key}") for key in args.only or MODULES]
    start = time.perf_counter()
    runs: list[list[Comparison]] = []
    for number in range(1, passes + 1):
        runs.append([])
        for module in modules:
            began = time.perf_counter()
            runs[-1].append(module.run(settings, threads))
            print(
                f"pass {number}/{passes}: {module.TITLE} ({time.perf_counter() - began:.1f} s)",
                file=sys.stderr,
            )
    seconds = time.perf_counter() - start
    raw_args = sys.argv[1:] if argv is None else argv
    header = _header(machine_facts(), threads, settings, passes, seconds, raw_args)
    report = render_results(merge_passes(runs), header)
    print(report)
    if not args.no_write:
        args.output.write_text(report)
        print(f"written to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
