"""What the ``dyxx app`` tests share: an authorised in-process client, a real ``dyxx app``
process, and the distribution's Chromium driven by Playwright (no browser download).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from addin.web.app import create_app
from addin.web.jobs import Jobs
from addin.web.security import Settings
from addin.web.workspace import Workspace

CHROMIUM = os.environ.get("DYXX_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ADDRESS = re.compile(r"(http://127\.0\.0\.1:(\d+)/)\?token=(\S+)")
START_TIMEOUT = 60  # seconds for dyxx app to print its address
JOB_TIMEOUT = 120


@dataclass
class Local:
    """An app served in this process (Starlette's TestClient) with its secrets."""

    client: object
    settings: Settings
    workspace: Workspace

    def headers(self) -> dict[str, str]:
        return {"X-DYXX-CSRF": self.settings.csrf}

    def start(self, step: str, files: list[tuple[str, Path]], **fields: str) -> dict:
        """POST a step's form and return the answer (a job id, or the files needing a password)."""
        response = self.client.post(
            f"/api/jobs/{step}", files=upload(files), data=fields, headers=self.headers()
        )
        assert response.status_code == 200, response.text
        return response.json()

    def run(self, step: str, files: list[tuple[str, Path]], **fields: str) -> dict:
        """Start a step and wait for its job to end; the job as ``GET /api/jobs/{id}`` tells it."""
        return self.wait(self.start(step, files, **fields)["job"])

    def wait(self, job: str) -> dict:
        deadline = time.monotonic() + JOB_TIMEOUT
        while time.monotonic() < deadline:
            state = self.client.get(f"/api/jobs/{job}").json()
            if state["state"] in ("done", "failed"):
                return state
            time.sleep(0.05)
        raise AssertionError("the job did not end")

    def download(self, job: dict, index: int = 0) -> bytes:
        response = self.client.get(f"/api/jobs/{job['id']}/files/{index}")
        assert response.status_code == 200, response.text
        return response.content


def upload(files: list[tuple[str, Path]]) -> list[tuple[str, tuple[str, bytes]]]:
    return [(field, (path.name, path.read_bytes())) for field, path in files]


def multipart(field: str, name: str, data: bytes) -> tuple[bytes, dict[str, str]]:
    """A multipart body holding one file, and its Content-Type header (for http.client)."""
    boundary = "dyxx-test-boundary"
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"'
    body = f"{head}\r\n\r\n".encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


@contextlib.contextmanager
def local_app(folder: Path, *, authorised: bool = True, **limits: int) -> Iterator[Local]:
    """The app in this process, its workspace in ``folder``, signed in when ``authorised``."""
    from starlette.testclient import TestClient

    folder.mkdir(parents=True, exist_ok=True)
    settings = Settings(**limits)
    workspace = Workspace(Path(folder))
    jobs = Jobs()
    app = create_app(settings, workspace, jobs)
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        if authorised:
            client.get(f"/?token={settings.token}")
        try:
            yield Local(client, settings, workspace)
        finally:
            jobs.close()
            workspace.remove()


@dataclass
class Served:
    """A real ``dyxx app --no-browser`` process."""

    process: subprocess.Popen
    base: str  # http://127.0.0.1:PORT/
    port: int
    token: str
    output: list[str]

    @property
    def opening(self) -> str:
        return f"{self.base}?token={self.token}"


@contextlib.contextmanager
def served(*args: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    """Run ``dyxx app --no-browser``; stop it with Ctrl+C (SIGINT) and check it ended cleanly."""
    command = [sys.executable, "-m", "addin", "app", "--no-browser", *args]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    output: list[str] = []
    try:
        found = _address(process, output)
        yield Served(process, found.group(1), int(found.group(2)), found.group(3), output)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=30)
        output.append(rest)
    assert process.returncode == 0, "".join(output)


def _address(process: subprocess.Popen, output: list[str]) -> re.Match[str]:
    deadline = time.monotonic() + START_TIMEOUT
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        output.append(line)
        found = ADDRESS.search(line)
        if found:
            return found
    process.kill()
    raise AssertionError("dyxx app did not print its address:\n" + "".join(output))


def chromium_or_skip() -> str:
    """The distribution's Chromium; required under CI (``.ci/run`` installs it)."""
    path = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not path:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: apt-get install chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return path


@contextlib.contextmanager
def browser() -> Iterator[object]:
    """Chromium from the distribution, headless, through Playwright's ``executable_path``."""
    from playwright.sync_api import sync_playwright

    path = chromium_or_skip()
    args = [*CHROMIUM_ARGS, *(["--no-sandbox"] if getattr(os, "geteuid", lambda: 1)() == 0 else [])]
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=args, headless=True)
        try:
            yield launched
        finally:
            launched.close()
