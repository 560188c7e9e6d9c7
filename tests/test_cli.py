"""``python -m course_lib``: list, summary, --version, and one-line errors with exit status 2."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import time

import pytest

import course_lib
from course_lib import architectures
from course_lib.__main__ import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_list_shows_every_network_with_params_and_gmacs(capsys) -> None:
    status, out, err = run(capsys, "list")
    assert status == 0 and err == ""
    lines = {line.split()[0]: line for line in out.splitlines() if line}
    assert set(architectures.names()) <= set(lines)
    assert "61,100,840" in lines["alexnet"] and " 0.714 " in lines["alexnet"]  # torchvision's numbers
    assert "25,557,032" in lines["resnet50"] and " 4.089 " in lines["resnet50"]
    assert "61,706" in lines["lenet5"] and "0.000417" in lines["lenet5"]  # 416,520 MACs
    assert "LeNet-5" in lines["lenet5"]  # the one-line description


def test_summary_text(capsys) -> None:
    status, out, err = run(capsys, "summary", "lenet5")
    assert status == 0 and err == ""
    assert "117,600" in out and "61,706" in out and "Total" in out
    c1 = next(line for line in out.splitlines() if line.startswith("C1 "))
    assert "6 x 28 x 28" in c1 and "156" in c1


def test_summary_markdown_and_csv(capsys) -> None:
    status, out, _ = run(capsys, "summary", "alexnet", "--format", "markdown")
    assert (
        status == 0 and "| features.0 | Conv2d | 11x11 /4 pad 2 | 64 x 55 x 55 | 23,296 | 70,276,800 |" in out
    )
    status, out, _ = run(capsys, "summary", "resnet50", "--format", "csv")
    records = list(csv.DictReader(io.StringIO(out)))
    assert status == 0 and records[-1]["layer"] == "Total"
    assert records[-1]["params"] == "25557032" and records[-1]["macs"] == "4089184256"


def test_summary_input_and_batch(capsys) -> None:
    # 227 x 227: floor((227 + 4 - 11) / 4) + 1 = 56; batch 2 doubles the MACs: 2 x 64*56*56*363.
    status, out, _ = run(
        capsys, "summary", "alexnet", "--input", "3,227,227", "--batch", "2", "--format", "csv"
    )
    conv1 = next(r for r in csv.DictReader(io.StringIO(out)) if r["layer"] == "features.0")
    assert status == 0 and conv1["output_shape"] == "64x56x56"
    assert int(conv1["macs"]) == 2 * 64 * 56 * 56 * 363


def test_version(capsys) -> None:
    status, out, _ = run(capsys, "--version")
    assert status == 0 and out.startswith(f"course_lib {course_lib.__version__}")
    status, out, _ = run(capsys)
    assert status == 0 and course_lib.__version__ in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["summary", "nonet"], "unknown network 'nonet'"),
        (["summary", "alexnet", "--input", "3,x,224"], "input[1] is 'x', not a whole number"),
        (["summary", "alexnet", "--input", "3,224"], "input must be exactly 3 integers >= 1, got 2"),
        (["summary", "alexnet", "--input", "3,224,224,1"], "got 4"),
        (["summary", "alexnet", "--input", "3,-1,224"], "input[1] is -1"),
        (["summary", "alexnet", "--input", "3,0,224"], "input[1] is 0"),
        # a superscript two is a digit to str.isdigit but not a size; it once leaked argparse's "_shape"
        (
            ["summary", "alexnet", "--input", "3,\u00b2,224"],
            "argument --input: input must be exactly 3 integers",
        ),
        (
            ["summary", "vgg16", "--input", "3,99999999999999999999,224"],
            "is too large (limit 9223372036854775807)",
        ),
        (["summary", "vgg16", "--input", "1,224,224"], "layer 'features.0' (Conv2d)"),
        (["summary", "lenet5", "--input", "1,64,64"], "layer 'F6' (Linear)"),
        (["summary", "alexnet", "--input", "3,32,32"], "layer 'features.12' (MaxPool2d)"),
        (["summary", "alexnet", "--batch", "0"], "batch must be a positive integer"),
        (["summary", "alexnet", "--batch", "two"], "batch must be a positive integer"),
        (["summary", "alexnet", "--format", "xml"], "invalid choice: 'xml'"),
        (["summary"], "required: NET"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_errors_are_one_line_on_stderr_with_status_2(capsys, argv, message) -> None:
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("course_lib: error: ")
    assert message in err and "Traceback" not in err


def test_real_process_exit_status() -> None:
    listed = subprocess.run(
        [sys.executable, "-m", "course_lib", "list"], capture_output=True, text=True, check=False
    )
    assert listed.returncode == 0 and "resnet50" in listed.stdout and listed.stderr == ""


def test_huge_inputs_answer_at_once(capsys) -> None:
    start = time.perf_counter()
    status, out, err = run(capsys, "summary", "vgg16", "--input", "3,100000000,100000000", "--format", "csv")
    assert time.perf_counter() - start < 0.5
    total = next(r for r in csv.DictReader(io.StringIO(out)) if r["layer"] == "Total")
    conv1 = next(r for r in csv.DictReader(io.StringIO(out)) if r["layer"] == "features.0")
    assert (
        status == 0 and err == "" and total["params"] == "138357544"
    )  # the adaptive pool keeps the classifier
    assert int(conv1["macs"]) == 64 * 10**16 * 27  # 3x3x3 weights per output, 64 x 10^8 x 10^8 outputs


def test_no_private_name_leaks_from_a_bad_input(capsys) -> None:
    for text in ("3,\u00b2,224", "3,\u0663,224", "3,2.0,224", "3,,224", ""):
        status, _, err = run(capsys, "summary", "vgg16", "--input", text)
        assert status == 2 and "_shape" not in err and "invalid" not in err and err.count("\n") == 1


def test_report_prints_an_experiments_text_and_saves_its_figure(capsys, tmp_path):
    from course_lib.__main__ import main

    figure = tmp_path / "matmul.png"
    assert main(["report", "matmul", "m=2", "n=3", "p=4", f"--figure={figure}"]) == 0
    out = capsys.readouterr().out
    assert "multiplies       24" in out and "adds             16" in out  # 2*3*4 and 2*(3-1)*4, by hand
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_lists_every_experiment_with_its_controls(capsys):
    from course_lib.__main__ import EXPERIMENTS, main

    assert main(["report"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(EXPERIMENTS)
    assert "(m, n, p)" in lines[list(EXPERIMENTS).index("matmul")]


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["report", "nope"], "experiment must be one of"),
        (["report", "matmul", "m=2", "q=3"], "NAME one of m, n, p; got 'q=3'"),
        (["report", "matmul", "m=2"], "needs n=..., p=..."),
        (["report", "matmul", "m=0", "n=1", "p=1"], "m must be"),
    ],
)
def test_report_refuses_bad_input_in_one_line(capsys, argv, named):
    from course_lib.__main__ import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert named in err and err.count("\n") == 1
