"""`make lab`, the README's first command, starts JupyterLab from a fresh copy of the project.

The copy holds only the tracked files (what a clone has) and reuses this test
run's environment as its ``.venv``; make is told the environment is up to date
(``-o .venv/.installed``) so nothing is installed. The test starts the server as
the user running the tests (root on CI machines and in many containers, where a
bare ``jupyter lab`` refuses to start), asks it for the notebook folder and for
the news-prompt setting, and stops it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "course-test-token"
START_TIMEOUT = 60  # seconds; JupyterLab starts in 3-10 s on the course's machines


def _tracked_files() -> list[str]:
    result = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True)
    return [name for name in result.stdout.split("\0") if name]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


@pytest.fixture
def fresh_copy(tmp_path: Path) -> Path:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout to know the tracked files")
    copy = tmp_path / "course"
    for name in _tracked_files():
        source = ROOT / name
        if source.is_file():
            target = copy / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    (copy / ".venv").symlink_to(Path(sys.prefix))
    return copy


def test_make_lab_serves_the_notebooks(fresh_copy: Path, tmp_path: Path) -> None:
    port = _free_port()
    args = f"--no-browser --port={port} --ServerApp.port_retries=0 --IdentityProvider.token={TOKEN}"
    env = {**os.environ, "HOME": str(tmp_path / "home"), "JUPYTER_PLATFORM_DIRS": "1"}
    for variable in ("JUPYTER_CONFIG_DIR", "JUPYTER_CONFIG_PATH", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
        env.pop(variable, None)  # as a newcomer's shell: no Jupyter settings of the test run
    server = subprocess.Popen(
        ["make", "-o", ".venv/.installed", "lab", f"LAB_ARGS={args}"],
        cwd=fresh_copy,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        listing = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                listing = _get(f"{base}/api/contents/?token={TOKEN}")
                break
            except OSError:
                time.sleep(0.5)
        if listing is None:
            output = server.stdout.read() if server.poll() is not None else "(still running)"
            pytest.fail(f"make lab did not serve within {START_TIMEOUT} s (exit {server.poll()}):\n{output}")
        served = sorted(entry["name"] for entry in listing["content"] if entry["type"] == "notebook")
        expected = sorted(path.name for path in (fresh_copy / "notebooks").glob("*.ipynb"))
        assert served == expected and len(expected) >= 11
        settings = _get(f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification?token={TOKEN}")
        properties = settings["schema"]["properties"]
        assert properties["fetchNews"]["default"] == "false"  # no news prompt over the first notebook
        assert properties["checkForUpdates"]["default"] is False
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
