"""Local servers for the browser tests: started in their own process session, stopped by group id.

Every server (JupyterLab, Voila, ``python -m http.server``) runs as ``Server``:

* a free port, found by binding port 0 on 127.0.0.1 (the server is told to take exactly
  that port, no retries, so a lost race fails loudly instead of serving elsewhere);
* its own process session (``start_new_session``), so the server and everything it starts
  (kernels) form one process group that `Server.stop` ends with ``os.killpg`` on that
  group's id: never a name, never anything the tests did not start;
* ``PR_SET_PDEATHSIG``: the kernel sends the server SIGTERM when the test process dies,
  however it dies, so no server outlives a killed test run;
* its output in a log file, shown when it fails to come up.

`jupyter_env` isolates Jupyter's and matplotlib's state under a temporary folder.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (the kernel picks it: bind to port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Ask Linux to send this process SIGTERM when the process that started it exits."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")


def jupyter_env(home: Path) -> dict[str, str]:
    """The environment with Jupyter's, IPython's and matplotlib's state in folders under ``home``."""
    env = dict(os.environ)
    env.update(
        JUPYTER_PLATFORM_DIRS="1",
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        IPYTHONDIR=str(home / "ipython"),
        MPLCONFIGDIR=str(home / "matplotlib"),
        PYTHONUNBUFFERED="1",
    )
    env.pop("JUPYTER_PATH", None)
    for name in ("config", "data", "runtime", "ipython", "matplotlib"):
        (home / name).mkdir(parents=True, exist_ok=True)
    return env


class ServerExited(RuntimeError):
    """The server process ended before it served."""


class Server:
    """One server process (and its children) in its own session; ``url`` is its address on 127.0.0.1."""

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        port: int,
        log: Path,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.name, self.command, self.port, self.log_path = name, list(command), port, log
        self.url = f"http://127.0.0.1:{port}"
        self._log = open(log, "wb")  # closed in stop()
        self.process = subprocess.Popen(
            self.command,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,  # setsid(): own session and process group, id = pid
            preexec_fn=_die_with_parent,  # runs after setsid in the child
        )
        self.pgid = self.process.pid

    def log_tail(self, lines: int = 40) -> str:
        """The last ``lines`` lines the server printed (it writes the log file itself)."""
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def wait_until_up(self, path: str | None = "/", timeout: float = 60.0) -> None:
        """Poll until ``url + path`` answers (any HTTP status), or for ``path=None`` until the port accepts
        connections; `ServerExited` or RuntimeError, with the server's log, if it exits or times out first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerExited(
                    f"{self.name} exited with code {self.process.returncode} before serving:\n{self.log_tail()}"
                )
            try:
                if path is None:
                    socket.create_connection(("127.0.0.1", self.port), timeout=5).close()
                else:
                    with urllib.request.urlopen(self.url + path, timeout=5):
                        pass
                return
            except urllib.error.HTTPError:
                return  # it answers: a 403 or 404 is still a server that is up
            except (urllib.error.URLError, OSError):
                time.sleep(0.25)
        self.stop()
        raise RuntimeError(
            f"{self.name} did not answer on {self.url} within {timeout:.0f} s:\n{self.log_tail()}"
        )

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM to the server's process group, then SIGKILL to whatever is left after ``grace`` seconds."""
        if self.process.poll() is None:
            try:
                os.killpg(self.pgid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        try:  # kernels the server started live in the same group and may outlast it
            os.killpg(self.pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self.process.poll() is None:
            self.process.wait(timeout=grace)
        self._log.close()


def start_server(
    name: str,
    command: Callable[[int], Sequence[str]],
    log: Path,
    ready: str | None,
    timeout: float,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    attempts: int = 3,
) -> Server:
    """Start ``command(port)`` on a free port and wait until it serves ``ready`` (a path, or None: listening).

    If the server exits before serving (another program took the port between `free_port`
    and the server's bind), it is tried again on a new port, up to ``attempts`` times.
    """
    for attempt in range(1, attempts + 1):
        port = free_port()
        server = Server(name, command(port), port, log.with_suffix(f".{attempt}.log"), env=env, cwd=cwd)
        try:
            server.wait_until_up(ready, timeout=timeout)
            return server
        except ServerExited:
            server.stop()
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")


def python_command(*args: str) -> list[str]:
    """``args`` run by this test process's Python (the project's .venv under ``make test-e2e``)."""
    return [sys.executable, *args]


def venv_script(name: str) -> str:
    """The console script ``name`` installed beside this Python (e.g. ``voila``)."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `make test-e2e`, which installs the `app` extra")
    return str(path)
