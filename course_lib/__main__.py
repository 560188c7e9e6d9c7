"""``python -m course_lib``: the course's command line.

    python -m course_lib list                      the networks, with parameters and GMACs
    python -m course_lib summary NET [--input C,H,W] [--batch B] [--format text|markdown|csv]
    python -m course_lib report EXPERIMENT [NAME=VALUE ...] [--figure FILE.png]
    python -m course_lib --version

``summary`` prints `course_lib.summary.summarize` of network NET (see ``list``).
A bad network name, shape or batch prints one line ``course_lib: error: ...`` on
stderr and exits with status 2; no traceback. Shapes and batch sizes are read by
`course_lib.validation.parse_int_list` (the widgets' parser too): ASCII whole
numbers up to 2**63 - 1. Every count comes from closed forms, so any accepted
size answers at once.

``report`` prints the text of one widget experiment's pure report
(`course_lib.reports`) for the given control values, e.g. ``report matmul m=64
n=64 p=1``, and with ``--figure`` saves its figure; ``report`` alone lists the
experiments. Values are read as integers, then reals, else kept as text.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import re
import sys

import course_lib
from course_lib import architectures
from course_lib.summary import summarize
from course_lib.validation import parse_int_list

FORMATS = ("text", "markdown", "csv")

EXPERIMENTS = {
    "growth": ("bigo", "report", "00: counted work as n grows"),
    "matmul": ("matmul", "report", "01: one matrix product"),
    "forward": ("forward", "report", "02: forward pass of an MLP"),
    "backprop": ("backprop", "report", "03: backward vs forward pass"),
    "training": ("training", "report", "04: gradient descent on a quadratic"),
    "conv-layer": ("conv_layer", "report", "05: one convolution layer"),
    "network": ("networks", "report", "06: a network's per-layer costs"),
    "efficient": ("efficient", "report", "07: MobileNet v1 at a width and resolution"),
    "fast": ("fast", "report", "08: a 3x3 layer under Winograd"),
    "roofline": ("roofline", "report", "09: a layer on the roofline"),
    "memory": ("memory", "memory_report", "10: memory and energy of a network"),
    "search-space": ("learning_theory", "search_space_report", "11: exhaustive search vs a gradient step"),
    "xor": ("learning_theory", "xor_report", "11: XOR success rate against width"),
}
"""``report`` experiments: name -> (module of course_lib.reports, function, what it shows)."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr (exit status 2), without the usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"course_lib: error: {message} (see python -m course_lib --help)\n")


def _shape(text: str) -> tuple[int, int, int]:
    """``"3,224,224"`` -> (3, 224, 224) by `validation.parse_int_list`; argparse turns the
    ArgumentTypeError into the one-line error, naming ``--input``."""
    try:
        channels, height, width = parse_int_list("input", text, min_len=3, max_len=3)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{error} (expected C,H,W)") from None
    return channels, height, width


def _batch(text: str) -> int:
    try:
        (batch,) = parse_int_list("batch", text, min_len=1, max_len=1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"batch must be a positive integer, got {text!r}") from None
    return batch


def _parser() -> _Parser:
    version = f"course_lib {course_lib.__version__} (Python {sys.version.split()[0]})"
    parser = _Parser(prog="python -m course_lib", description="Companion tools of the course.")
    parser.add_argument("--version", action="version", version=version)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.add_parser("list", help="the networks, with a one-line description, parameters and GMACs")
    summary = commands.add_parser(
        "summary",
        help="per-layer table of one network",
        description="Per-layer parameters, MACs, FLOPs and activations of a network, from the formulas.",
    )
    summary.add_argument("net", metavar="NET", help=f"one of: {', '.join(architectures.names())}")
    summary.add_argument("--input", type=_shape, metavar="C,H,W", help="input shape of one sample")
    summary.add_argument("--batch", type=_batch, default=1, metavar="B", help="samples per batch (default 1)")
    summary.add_argument("--format", choices=FORMATS, default="text", help="output format (default text)")
    report = commands.add_parser(
        "report",
        help="the text (and figure) of one widget experiment",
        description="One widget experiment's report for the given control values.",
    )
    report.add_argument(
        "experiment", nargs="?", metavar="EXPERIMENT", help=f"one of: {', '.join(EXPERIMENTS)}"
    )
    report.add_argument("values", nargs="*", metavar="NAME=VALUE", help="control values, e.g. m=64")
    report.add_argument("--figure", metavar="FILE.png", help="also save the report's figure there")
    return parser


def _value(text: str) -> object:
    """A control value from the command line: an int, else a float, else the text itself."""
    if re.fullmatch(r"[+-]?[0-9]+", text):
        return int(text)
    try:
        return float(text)
    except ValueError:
        return text


def _report(experiment: str | None, values: list[str], figure: str | None) -> int:
    if experiment is None:
        width = max(map(len, EXPERIMENTS))
        for name, (module, function, what) in EXPERIMENTS.items():
            function_ = getattr(importlib.import_module(f"course_lib.reports.{module}"), function)
            controls = ", ".join(inspect.signature(function_).parameters)
            print(f"{name:<{width}}  {what} ({controls})")
        return 0
    if experiment not in EXPERIMENTS:
        print(
            f"course_lib: error: experiment must be one of {', '.join(EXPERIMENTS)}; got {experiment!r}",
            file=sys.stderr,
        )
        return 2
    module, function, _ = EXPERIMENTS[experiment]
    build = getattr(importlib.import_module(f"course_lib.reports.{module}"), function)
    parameters = inspect.signature(build).parameters
    kwargs = {}
    for item in values:
        name, equals, text = item.partition("=")
        if not equals or name not in parameters:
            wanted = ", ".join(parameters)
            print(
                f"course_lib: error: {experiment} takes NAME=VALUE with NAME one of {wanted}; got {item!r}",
                file=sys.stderr,
            )
            return 2
        kwargs[name] = _value(text)
    missing = [
        name for name, p in parameters.items() if p.default is inspect.Parameter.empty and name not in kwargs
    ]
    if missing:
        print(
            f"course_lib: error: {experiment} needs {', '.join(f'{name}=...' for name in missing)}",
            file=sys.stderr,
        )
        return 2
    try:
        result = build(**kwargs)
    except ValueError as error:
        print(f"course_lib: error: {' '.join(str(error).split())}", file=sys.stderr)
        return 2
    print(result.text)
    if figure:
        result.figure.savefig(figure, dpi=100)
    return 0


def _list() -> str:
    rows = []
    for name in architectures.names():
        net = architectures.get(name)
        table = summarize(net)
        gmacs = table.macs / 1e9
        rows.append(
            (name, f"{table.params:,}", f"{gmacs:.3f}" if gmacs >= 0.001 else f"{gmacs:.6f}", net.description)
        )
    heading = ("network", "params", "GMACs", "description")
    widths = [max(len(row[i]) for row in [heading, *rows]) for i in range(3)]

    def line(row: tuple[str, ...]) -> str:
        return f"{row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:>{widths[2]}}  {row[3]}"

    note = "GMACs: billions of multiply-accumulates of conv + linear layers, one sample at the default input"
    return "\n".join([line(heading), *map(line, rows), "", note]) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the command line on ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version (0) and argument errors (2)
        return int(exit_.code or 0)
    if args.command is None:
        print(f"course_lib {course_lib.__version__} on Python {sys.version.split()[0]}")
        print("commands: list, summary NET, report EXPERIMENT (python -m course_lib --help)")
        return 0
    if args.command == "list":
        sys.stdout.write(_list())
        return 0
    if args.command == "report":
        return _report(args.experiment, args.values, args.figure)
    try:
        table = summarize(args.net, args.input, args.batch)
    except ValueError as error:
        print(f"course_lib: error: {' '.join(str(error).split())}", file=sys.stderr)
        return 2
    render = {"text": table.to_text, "markdown": table.to_markdown, "csv": table.to_csv}[args.format]
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
