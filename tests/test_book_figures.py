"""figures/README.md lists every figure the notebooks export, and nothing else.

A notebook exports a figure with ``export_figure(fig, "NAME")`` (or, in older cells,
``save_figure(fig, "NAME")``); ``make figures`` then writes figures/NAME.png and .svg. A new
call without its row in figures/README.md fails here on purpose.
"""

import ast
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "figures" / "README.md"
EXPORTERS = {"export_figure", "save_figure"}


def exported_names(source: str) -> tuple[list[str], list[str]]:
    """Literal figure names passed to the exporters in ``source``, and the calls without one."""
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    names, unnamed = [], []
    for node in ast.walk(ast.parse(code)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = (
            func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        )
        if called not in EXPORTERS:
            continue
        argument = node.args[1] if len(node.args) > 1 else None
        argument = next((kw.value for kw in node.keywords if kw.arg == "name"), argument)
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            names.append(argument.value)
        else:
            unnamed.append(ast.unparse(node))
    return names, unnamed


def notebook_exports() -> dict[str, list[str]]:
    """``{figure name: [notebooks exporting it]}`` over notebooks/NN_*.ipynb."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                for name in exported_names(cell.source)[0]:
                    found.setdefault(name, []).append(path.stem)
    return found


def readme_rows() -> dict[str, str]:
    """``{figure name: notebook}`` from the table of figures/README.md."""
    rows = {}
    for line in README.read_text().splitlines():
        match = re.match(r"^\|\s*`([^`]+)`\s*\|\s*`([^`]+)`\s*\|", line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


def test_the_extractor_finds_both_call_forms_and_flags_computed_names():
    source = (
        "%matplotlib inline\n"
        'export_figure(fig, "02_a")\n'
        "if EXPORT:\n"
        '    _ = plotting.save_figure(fig, name="00_b")\n'
        "export_figure(fig, f'{prefix}_c')\n"
        'ax.set_title("export_figure(fig, \\"not_a_call\\")")\n'
    )
    names, unnamed = exported_names(source)
    assert names == ["02_a", "00_b"]
    assert unnamed == ["export_figure(fig, f'{prefix}_c')"]


def test_notebooks_export_figures():
    assert len(notebook_exports()) >= 10


def test_every_exported_figure_is_listed_in_figures_readme():
    rows = readme_rows()
    missing = {name: books for name, books in notebook_exports().items() if name not in rows}
    assert not missing, f"add these figures to figures/README.md (name, notebook, what it shows): {missing}"


def test_figures_readme_names_the_notebook_that_exports_each_figure():
    exports = notebook_exports()
    wrong = {
        name: (notebook, exports[name])
        for name, notebook in readme_rows().items()
        if name in exports and notebook not in exports[name]
    }
    assert not wrong, wrong


def test_figures_readme_lists_no_figure_that_no_notebook_exports():
    stale = sorted(set(readme_rows()) - set(notebook_exports()))
    assert not stale, f"figures/README.md lists figures no notebook exports: {stale}"


def test_every_figure_has_a_unique_name():
    duplicated = {name: books for name, books in notebook_exports().items() if len(books) > 1}
    assert not duplicated, duplicated


@pytest.mark.parametrize(
    "path", sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.stem
)
def test_figure_names_are_literal_strings(path):
    notebook = nbformat.read(path, as_version=4)
    unnamed = [
        call for cell in notebook.cells if cell.cell_type == "code" for call in exported_names(cell.source)[1]
    ]
    assert not unnamed, f"give these exports a literal name so figures/README.md can be checked: {unnamed}"


def test_every_listed_figure_is_committed_as_png_and_svg():
    # a lecturer who clones the repository has every figure without running anything;
    # `make figures` (or `COURSE_EXPORT_FIGURES=1 make execute`) refreshes them
    missing = [
        f"{name}.{ext}"
        for name in readme_rows()
        for ext in ("png", "svg")
        if not (ROOT / "figures" / f"{name}.{ext}").is_file()
    ]
    assert not missing, f"run `make figures` and commit figures/: missing {missing}"


def test_figures_folder_holds_no_figure_that_is_not_listed():
    listed = set(readme_rows())
    stale = sorted(
        path.name
        for path in (ROOT / "figures").glob("*.*")
        if path.suffix in {".png", ".svg"} and path.stem not in listed
    )
    assert not stale, f"figures/ holds files figures/README.md does not list (delete them): {stale}"
