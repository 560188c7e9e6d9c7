"""``python -m course_lib``: the course's command line.

    python -m course_lib list                      the networks, with parameters and GMACs
    python -m course_lib summary NET [--input C,H,W] [--batch B] [--format text|markdown|csv]
    python -m course_lib --version

``summary`` prints `course_lib.summary.summarize` of network NET (see ``list``).
A bad network name, shape or batch prints one line ``course_lib: error: ...`` on
stderr and exits with status 2; no traceback. Shapes and batch sizes are read by
`course_lib.validation.parse_int_list` (the widgets' parser too): ASCII whole
numbers up to 2**63 - 1. Every count comes from closed forms, so any accepted
size answers at once.
"""

from __future__ import annotations

import argparse
import sys

import course_lib
from course_lib import architectures
from course_lib.summary import summarize
from course_lib.validation import parse_int_list

FORMATS = ("text", "markdown", "csv")


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
    return parser


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
        print("commands: list, summary NET (python -m course_lib --help)")
        return 0
    if args.command == "list":
        sys.stdout.write(_list())
        return 0
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
