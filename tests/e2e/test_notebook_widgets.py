"""Every notebook with widgets, run in JupyterLab in a real browser: no errors, live sliders.

For each notebook that has widgets (a saved widget state, or a call of an ``..._explorer(``
or ``playground(`` builder), the test opens it in JupyterLab, waits for the kernel to be
idle, clears the outputs and runs all cells from the menu, and checks that every code cell
ran and that no output shows an error. Then, on each widget experiment of the notebook
(`CASES`), it moves every integer slider one step with the keyboard and checks that the
panel shows exactly what the course_lib report function returns for the values the
controls now show. The expected text is computed here, in the test process, from the
readouts the browser shows; nothing is taken from the kernel.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from e2e_run import NOTEBOOKS, Lab, Record
from e2e_widgets import (
    assert_undistorted,
    error_outputs,
    figure,
    menu,
    move_slider,
    normalized,
    panel_text,
    prompts,
    read_controls,
    stderr_outputs,
    wait_for,
    wait_for_idle_kernel,
    wait_for_new_figure,
    wait_for_panel,
    wait_for_run_all,
    widget_output,
)

from course_lib.reports import (
    backprop,
    bigo,
    conv_layer,
    efficient,
    forward,
    learning_theory,
    matmul,
    networks,
    roofline,
    training,
)
from course_lib.reports import fast as fast_report
from course_lib.reports.memory import memory_report
from course_lib.reports.playground import mlp_report

RUN_ALL_TIMEOUT = 120  # seconds per notebook; `make execute` runs each in under 30 s
PANEL_TIMEOUT = 30  # seconds for a panel to show the report after a slider moved
SCREENSHOT_VIEWPORT = {"width": 1280, "height": 720}  # a real screen: each drawing explorer is shot at it
BUILDER_CALL = re.compile(r"\b\w+_explorer\(|\bplayground\(")
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def has_widgets(path: Path) -> bool:
    """True if the notebook saved a widget state or calls a widget builder in a code cell."""
    notebook = nbformat.read(path, as_version=4)
    if notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state"):
        return True
    return any(cell.cell_type == "code" and BUILDER_CALL.search(cell.source) for cell in notebook.cells)


def code_cells(path: Path) -> int:
    return sum(cell.cell_type == "code" for cell in nbformat.read(path, as_version=4).cells)


WIDGET_NOTEBOOKS = [path for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) if has_widgets(path)]


@dataclass(frozen=True)
class WidgetCase:
    """One widget experiment of a notebook.

    ``call``: text of the code cell that shows the widget. ``sliders``: labels of the integer
    sliders to move, in order. ``expected``: the report for the control values shown
    ({label: shown text}), computed by course_lib. ``lines``: compare only the panel's first
    lines (the rest depends on this machine's measurements), or None for all of it.
    ``draws``: the explorer shows its report's figure, which must change at every move and be shown
    undistorted; a screenshot of the explorer at 1280x720 is saved after the moves.
    """

    call: str
    sliders: tuple[str, ...]
    expected: Callable[[dict[str, str]], str]
    lines: int | None = None
    draws: bool = False


def _roofline_counts(v: dict[str, str]) -> str:
    # The layer, batch, FLOPs, bytes and intensity lines depend on the layer and the batch only;
    # the lines below them use the peak and bandwidth notebook 09 measures on this machine.
    return roofline.text(v["layer"], int(v["batch"]), peak_gflops=1.0, bandwidth_gbs=1.0)


CASES: dict[str, list[WidgetCase]] = {
    "00_start_here": [
        WidgetCase(
            "growth_explorer(",
            ("n", "factor"),
            lambda v: bigo.text(n=int(v["n"]), factor=int(v["factor"])),
            draws=True,
        )
    ],
    "01_matrix_multiplication": [
        WidgetCase(
            "matmul_explorer(",
            ("m", "n", "p"),
            lambda v: matmul.text(m=int(v["m"]), n=int(v["n"]), p=int(v["p"])),
            draws=True,
        )
    ],
    "02_forward_propagation": [
        WidgetCase(
            "forward_explorer(",
            ("batch",),
            lambda v: forward.text(widths=v["widths"], batch=int(v["batch"])),
            draws=True,
        )
    ],
    "03_backpropagation": [
        WidgetCase(
            "backprop_explorer(",
            ("batch",),
            lambda v: backprop.text(widths=v["widths"], batch=int(v["batch"])),
            draws=True,
        )
    ],
    "04_gradient_descent": [
        WidgetCase(
            "training_explorer(",
            ("batch_size", "steps"),
            lambda v: training.text(
                learning_rate=float(v["learning_rate"]),
                batch_size=int(v["batch_size"]),
                condition_number=float(v["condition_number"]),
                steps=int(v["steps"]),
            ),
            draws=True,
        )
    ],
    "05_convolution_layer": [
        WidgetCase(
            "conv_layer_explorer(",
            conv_layer.ARGUMENTS,
            lambda v: conv_layer.text(**{name: int(v[name]) for name in conv_layer.ARGUMENTS}),
            draws=True,
        )
    ],
    "06_cnn_time_and_space": [
        WidgetCase(
            "network_explorer(",
            ("batch",),
            lambda v: networks.text(v["network"], batch=int(v["batch"])),
            draws=True,
        )
    ],
    "07_designing_efficient_cnns": [
        WidgetCase(
            "efficient_explorer(",
            ("resolution",),
            lambda v: efficient.text(
                width_multiplier=float(v["width_multiplier"]), resolution=int(v["resolution"])
            ),
            draws=True,
        )
    ],
    "08_fast_algorithms": [
        WidgetCase(
            "winograd_explorer(",
            ("height", "width", "c_in", "c_out", "padding"),  # tile starts at its largest value, 4
            lambda v: fast_report.text(
                **{name: int(v[name]) for name in ("height", "width", "c_in", "c_out", "tile", "padding")}
            ),
            draws=True,
        )
    ],
    "09_from_flops_to_seconds": [
        WidgetCase("roofline_explorer(", ("batch",), _roofline_counts, lines=5, draws=True)
    ],
    "10_memory_precision_energy": [
        WidgetCase(
            "memory_explorer(",
            ("batch", "segments"),
            lambda v: (
                memory_report(
                    network=v["network"],
                    batch=int(v["batch"]),
                    precision=v["precision"],
                    segments=int(v["segments"]),
                ).text
            ),
            draws=True,
        )
    ],
    "11_learning_theory_aside": [
        WidgetCase(
            "search_space_explorer(",
            ("weights P", "levels q", "samples m"),
            lambda v: learning_theory.search_space_text(
                n_weights=int(v["weights P"]), levels=int(v["levels q"]), samples=int(v["samples m"])
            ),
            draws=True,
        ),
        WidgetCase(
            "xor_explorer(",
            ("hidden units H", "seeds", "steps"),
            lambda v: learning_theory.xor_text(
                hidden=int(v["hidden units H"]), seeds=int(v["seeds"]), epochs=int(v["steps"])
            ),
            draws=True,
        ),
    ],
    "12_complexity_playground": [
        WidgetCase(
            "playground(",
            ("batch",),
            lambda v: mlp_report(widths=v["widths"], batch=int(v["batch"]), cost=v["cost"]).text,
            draws=True,
        )
    ],
}


def test_every_widget_notebook_has_a_case():
    found = {path.stem for path in WIDGET_NOTEBOOKS}
    assert found == set(CASES), (
        f"widget notebooks without a case: {found - set(CASES)}; stale: {set(CASES) - found}"
    )


@pytest.mark.parametrize("path", WIDGET_NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_and_its_sliders_update_the_report(
    path: Path, lab: Lab, lab_kernels, page, record: Record
):
    page.goto(lab.notebook_url(path.name))
    wait_for_idle_kernel(page, timeout=90)
    menu(page, "View", "Expand All Code")  # hidden inputs (solutions) show no prompt
    menu(page, "Edit", "Clear Outputs of All Cells")
    cells = code_cells(lab.root / path.name)
    # Stored prompts and outputs gone: what is seen from now on comes from this run.
    wait_for(lambda: prompts(page) == ["[ ]:"] * cells, 10, "outputs to clear", lambda: prompts(page)[:5])
    menu(page, "Run", "Run All Cells")
    shown = wait_for_run_all(page, cells, timeout=RUN_ALL_TIMEOUT)

    errors = error_outputs(page)
    assert not errors, f"{path.name}: error output after Run All:\n" + "\n----\n".join(errors)
    assert shown == [f"[{count}]:" for count in range(1, cells + 1)], (
        f"{path.name}: not every code cell ran once, in order: {shown}"
    )
    for warning in stderr_outputs(page):
        print(f"{path.name}: stderr (no traceback): {warning[:300]}")
    record.notebooks.append(path.stem)

    for case in CASES[path.stem]:
        root = widget_output(page, case.call)
        assert root.count() == 1, f"{path.name}: expected one widget shown by the cell with {case.call!r}"
        root.scroll_into_view_if_needed()
        what = f"{path.name}: {case.call}"
        wait_for_panel(
            root, case.expected(read_controls(root)), PANEL_TIMEOUT, f"{what} first report", case.lines
        )
        for label in case.sliders:
            before = panel_text(root)
            before_figure = figure(root).get("digest") if case.draws else None
            value = move_slider(root, label)
            controls = read_controls(root)
            assert controls[label] == value, (label, controls)
            moved = f"{what}: the report after {label} -> {value}"
            wait_for_panel(root, case.expected(controls), PANEL_TIMEOUT, moved, case.lines)
            assert normalized(panel_text(root)) != normalized(before), f"{moved}: the panel did not change"
            if case.draws:
                assert before_figure, f"{what}: no figure before {label} moved: {figure(root)}"
                wait_for_new_figure(root, before_figure, PANEL_TIMEOUT, moved)
                assert_undistorted(root, moved)
            record.sliders.append(f"{path.stem[:2]}:{label}={value}")
        if case.draws:
            viewport = page.viewport_size
            page.set_viewport_size(SCREENSHOT_VIEWPORT)
            root.scroll_into_view_if_needed()
            name = re.sub(r"\W+", "_", case.call).strip("_")
            page.screenshot(path=str(record.screenshots / f"{path.stem}_{name}.png"))
            page.set_viewport_size(viewport)


def test_a_failing_cell_is_caught(lab: Lab, lab_kernels, page):
    """The checks above can fail: a notebook whose second cell raises stops there and shows the error."""
    probe = nbformat.v4.new_notebook()
    probe.cells = [
        nbformat.v4.new_code_cell('import sys\nprint("only a warning", file=sys.stderr)'),
        nbformat.v4.new_code_cell('raise ValueError("the e2e probe raises on purpose")'),
        nbformat.v4.new_code_cell('print("never reached")'),
    ]
    probe.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(probe, lab.root / "e2e_probe.ipynb")
    page.goto(lab.notebook_url("e2e_probe.ipynb"))
    wait_for_idle_kernel(page, timeout=90)
    menu(page, "Run", "Run All Cells")
    shown = wait_for_run_all(page, 3, timeout=RUN_ALL_TIMEOUT)
    errors = error_outputs(page)
    assert shown[:2] == ["[1]:", "[2]:"] and shown[2] != "[3]:", shown
    assert len(errors) == 1 and "ValueError: the e2e probe raises on purpose" in errors[0], errors
    assert any("only a warning" in text for text in stderr_outputs(page))
