"""Nothing leaves the machine: every command runs with the network cut off and blocked.

Each command runs in a child process whose sockets are replaced by a guard that
records any attempt (a ``sitecustomize`` module on PYTHONPATH) and, where the
machine allows it, inside a fresh network namespace with no interfaces
(``unshare -n``), so even a library that bypasses Python's socket module is cut off.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.books import good_member, good_org
from tests.support.cli import dyxx_process, registered_commands

pytestmark = pytest.mark.e2e  # every command in its own process
GUARD = """
import os, socket

def _blocked(*args, **kwargs):
    with open(os.environ["DYXX_NETWORK_LOG"], "a", encoding="utf-8") as log:
        log.write(repr(args[:2]) + "\\n")
    raise OSError("network blocked by the dyxx offline test")

socket.socket.connect = _blocked
socket.socket.connect_ex = _blocked
socket.socket.sendto = _blocked
socket.create_connection = _blocked
socket.getaddrinfo = _blocked
"""


def commands(book, tmp_path: Path) -> dict[str, list[str]]:
    """A real invocation of every command (a new command must be added here)."""
    sample = book(members=[good_member(gender="女")], orgs=[good_org()])
    return {
        "check": ["check", str(sample), "--json", "-o", str(tmp_path / "out.xlsx")],
        "rules": ["rules"],
        "template": ["template", "--dir", str(tmp_path / "templates")],
        "prepare": ["prepare", str(sample), "-o", str(tmp_path / "prepared.xlsx")],
        "merge": ["merge", str(sample), "-o", str(tmp_path / "汇总.xlsx")],
        "sample": [
            "sample",
            str(tmp_path / "汇总.xlsx"),
            "--seed",
            "1",
            "-o",
            str(tmp_path / "抽查.xlsx"),
        ],
        "diff": [
            "diff",
            str(sample),
            str(tmp_path / "汇总.xlsx"),
            "-o",
            str(tmp_path / "变动.xlsx"),
        ],
        "forms": ["forms", str(tmp_path / "汇总.xlsx"), "-o", str(tmp_path / "采集表")],
        "split": ["split", str(tmp_path / "汇总.xlsx"), "-o", str(tmp_path / "各支部")],
        "verify": ["verify", str(tmp_path / "out.xlsx")],
        "fix": ["fix", str(sample), "-o", str(tmp_path / "修正.xlsx")],
        "clean": ["clean", str(tmp_path / "out.xlsx"), "-o", str(tmp_path / "导入.xlsx")],
        "addin build": ["addin", "build", "-o", str(tmp_path / "dist" / "dyxx.xlam")],
        "addin install": ["addin", "install", "--dir", str(tmp_path / "XLSTART")],
        "addin uninstall": ["addin", "uninstall", "--dir", str(tmp_path / "XLSTART")],
        "app": ["app", "--help"],  # the server: test_the_app_serves_without_network
    }


def _namespace() -> list[str]:
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n"]
    return []


def test_every_command_has_an_offline_run(book, tmp_path):
    assert registered_commands() == set(commands(book, tmp_path))


def test_commands_run_without_network(book, tmp_path):
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    log = tmp_path / "network.log"
    env = {
        "PYTHONPATH": os.pathsep.join([str(guard), os.environ.get("PYTHONPATH", "")]),
        "DYXX_NETWORK_LOG": str(log),
    }
    prefix = _namespace()
    if os.environ.get("CI") and not prefix:
        pytest.fail("unshare -n is not available in CI")
    for name, args in commands(book, tmp_path).items():
        result = dyxx_process(*args, prefix=prefix, env=env, timeout=300)
        assert result.returncode in (0, 1), (name, result)
        assert not log.exists(), (name, log.read_text(encoding="utf-8"))
    proof = subprocess.run(
        [
            *prefix,
            sys.executable,
            "-c",
            "import socket; socket.create_connection(('127.0.0.1', 9))",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    assert proof.returncode != 0 and log.exists()  # the guard really is in place


def test_the_app_serves_without_network(book, tmp_path):
    """dyxx app answers a whole check and never opens a connection of its own."""
    import http.client

    from tests.support.web import multipart, served

    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    log = tmp_path / "network.log"
    env = {
        "PYTHONPATH": os.pathsep.join([str(guard), os.environ.get("PYTHONPATH", "")]),
        "DYXX_NETWORK_LOG": str(log),
    }
    sample = book(members=[good_member(gender="女")], orgs=[good_org()])
    body, headers = multipart("files", "a.xlsx", sample.read_bytes())
    with served(env=env) as running:
        connection = http.client.HTTPConnection("127.0.0.1", running.port, timeout=120)
        headers["Authorization"] = f"Bearer {running.token}"
        connection.request("POST", "/api/check", body=body, headers=headers)
        assert connection.getresponse().status == 200
    assert not log.exists(), log.read_text(encoding="utf-8")
