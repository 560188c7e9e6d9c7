"""Fixtures of the browser tests (``make test-e2e``): Chromium, JupyterLab, pages and screenshots.

* `browser`: Debian's Chromium (/usr/bin/chromium, or $COURSE_E2E_CHROMIUM) driven by the
  ``playwright`` package, headless. ``playwright install`` is never run.
* `lab`: one JupyterLab server for the session, on a temporary copy of notebooks/ (its
  autosave never touches the repository), on 127.0.0.1 with a random token, with its own
  Jupyter dirs, workspaces and user settings (no news pop-up, every cell kept in the page).
* `page`: a fresh browser context and page per test; a screenshot of it goes to the run's
  screenshot folder when the test ends, passed or failed. The folder's path and what the
  run exercised are printed at the end of the run.

tests/e2e/ is outside ``make test`` (pyproject.toml's ``norecursedirs``); run it with
``make test-e2e`` or ``pytest tests/e2e``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_run import NOTEBOOKS, Lab, Record
from e2e_servers import jupyter_env, python_command, start_server

CHROMIUM = Path(os.environ.get("COURSE_E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1400, "height": 1000}
# JupyterLab user settings: no news or update check (their pop-up covers the page), every
# cell rendered in the page (the default windowing leaves far-away cells out of the DOM), no
# extension manager (it would query PyPI).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/extensionmanager-extension/plugin.jupyterlab-settings": {"enabled": False},
}


RECORD_KEY = pytest.StashKey[Record]()


def pytest_configure(config: pytest.Config) -> None:
    folder = Path(tempfile.mkdtemp(prefix="course-e2e-screenshots-"))
    config.stash[RECORD_KEY] = Record(screenshots=folder)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    record = config.stash.get(RECORD_KEY, None)
    if record is None:
        return
    write = terminalreporter.write_line
    terminalreporter.section("browser tests")
    write(f"screenshots: {record.screenshots}")
    write(f"run time: {time.monotonic() - record.started:.0f} s")
    write(f"notebooks run in JupyterLab: {len(record.notebooks)} ({', '.join(record.notebooks)})")
    write(f"sliders moved and checked: {len(record.sliders)} ({', '.join(record.sliders)})")
    write(f"playground controls changed in Voila: {len(record.playground)} ({', '.join(record.playground)})")
    write(f"static pages checked: {len(record.pages)} ({', '.join(record.pages)})")


@pytest.fixture(scope="session")
def record(pytestconfig: pytest.Config) -> Record:
    """The run's `Record` (screenshot folder, what was exercised)."""
    return pytestconfig.stash[RECORD_KEY]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium, one for the session."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's Chromium "
            "(apt-get install -y --no-install-recommends chromium) or set COURSE_E2E_CHROMIUM"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, record: Record, request: pytest.FixtureRequest) -> Iterator[object]:
    """A page in a fresh browser context; its screenshot is saved when the test ends."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    new_page = context.new_page()
    yield new_page
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    try:
        new_page.screenshot(path=str(record.screenshots / f"{name}.png"), timeout=15_000)
    except Exception as error:  # a crashed page must not hide the test's own failure
        print(f"no screenshot of {name}: {error}")
    context.close()


@pytest.fixture
def lab_kernels(lab: Lab) -> Iterator[None]:
    """Shuts down the test's kernels when it ends. Request it before `page`, so that the page's
    screenshot is taken first, with the kernel's state as the test left it."""
    yield
    lab.shut_down_kernels()


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """One JupyterLab server for the session, serving a temporary copy of notebooks/."""
    home = tmp_path_factory.mktemp("lab")
    root = home / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings = home / "user-settings"
    for name, values in LAB_SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    token = secrets.token_hex(16)

    def command(port: int) -> list[str]:
        args = python_command(
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            f"--LabApp.workspaces_dir={home / 'workspaces'}",
            f"--LabApp.user_settings_dir={settings}",
        )
        return [*args, "--allow-root"] if os.geteuid() == 0 else args

    server = start_server(
        "JupyterLab",
        command,
        home / "jupyterlab.log",
        ready=f"/api/status?token={token}",
        timeout=90,
        env=jupyter_env(home / "jupyter"),
    )
    try:
        yield Lab(server.url, token, root)
    finally:
        server.stop()
