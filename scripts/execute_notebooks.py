"""Execute notebooks in place, each top to bottom in one fresh kernel, and report run times.

Usage: python scripts/execute_notebooks.py [--no-write] notebooks/00_start_here.ipynb [...]
Widget state is saved in the notebook so widgets render where no kernel runs.
With --no-write the notebooks run but are left unchanged (``make figures``).
"""

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path: Path, write: bool = True) -> float:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    if write:
        nbformat.write(notebook, path)
    return seconds


def main(args: list[str]) -> int:
    write = "--no-write" not in args
    paths = [arg for arg in args if arg != "--no-write"]
    if not paths:
        print("usage: execute_notebooks.py [--no-write] NOTEBOOK [...]", file=sys.stderr)
        return 2
    for name in paths:
        seconds = execute(Path(name), write=write)
        print(f"{name}: {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
