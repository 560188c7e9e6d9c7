"""Shared by the browser tests: the repository's paths, the run's record, a handle on JupyterLab."""

from __future__ import annotations

import json
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"


@dataclass
class Record:
    """What the run exercised, printed at its end."""

    screenshots: Path
    notebooks: list[str] = field(default_factory=list)
    sliders: list[str] = field(default_factory=list)
    playground: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class Lab:
    """A running JupyterLab: its address, token and the folder it serves (a copy of notebooks/)."""

    url: str
    token: str
    root: Path

    def notebook_url(self, name: str) -> str:
        """The notebook ``name`` in a workspace of its own (a new, empty one: nothing else opens)."""
        workspace = "e2e-" + Path(name).stem.replace("_", "-")
        return f"{self.url}/lab/workspaces/{workspace}/tree/{name}?token={self.token}"

    def api(self, method: str, path: str) -> object:
        """Call the server's REST API; the decoded JSON answer (None when empty)."""
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            body = answer.read()
        return json.loads(body) if body else None

    def shut_down_kernels(self) -> None:
        """End every session (and its kernel), so the next notebook has the machine's cores to itself."""
        for session in self.api("GET", "/api/sessions") or []:
            self.api("DELETE", f"/api/sessions/{session['id']}")
