"""The project's own files agree with each other: dependencies, lock, commands."""

import re
import sys
from pathlib import Path

import yaml
from packaging.requirements import Requirement

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
NAME = re.compile(r"^[A-Za-z0-9_.\-]+")


def _names(requirements):
    return {NAME.match(req).group(0).lower().replace("_", "-") for req in requirements}


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_environment_yml_names_the_same_packages_as_pyproject():
    project = _pyproject()["project"]
    wanted = _names(project["dependencies"]) | _names(project["optional-dependencies"]["dev"])
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {dep for dep in environment["dependencies"] if isinstance(dep, str)}
    conda_names = _names(conda) - {"python", "pip"}
    pip_section = next(dep["pip"] for dep in environment["dependencies"] if isinstance(dep, dict))
    assert conda_names == wanted
    assert "-e ." in pip_section


def test_lock_pins_every_dependency_exactly():
    project = _pyproject()["project"]
    requirements = [
        Requirement(req) for req in project["dependencies"] + project["optional-dependencies"]["dev"]
    ]
    wanted = _names(str(req) for req in requirements if req.marker is None or req.marker.evaluate())
    lines = (ROOT / "requirements-lock.txt").read_text().splitlines()
    pins = [line for line in lines if line and not line.startswith("#")]
    assert all("==" in pin for pin in pins), [pin for pin in pins if "==" not in pin]
    pinned = _names(pin.split("==")[0] for pin in pins)
    assert wanted <= pinned, wanted - pinned
    assert any(line.startswith("# python: ") for line in lines)


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make lab" in readme
    assert re.search(r"^\s*make test\b", ci, flags=re.MULTILINE)


def test_every_notebook_in_the_readme_exists_and_vice_versa():
    readme = (ROOT / "README.md").read_text()
    listed = set(re.findall(r"notebooks/(\d\d_[a-z0-9_]+\.ipynb)", readme))
    on_disk = {path.name for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    assert on_disk <= listed, on_disk - listed
