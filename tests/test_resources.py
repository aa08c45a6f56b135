"""Bounded resources: files that never end, sparse sheets, formula scans, memory."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_hostile import assert_refused, reading_commands

LIMIT = 1536 * 1024**2  # address space of a child run: far more than any case here needs


def dyxx(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """The command line in a child process with a bounded address space."""

    def bounded() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))

    return subprocess.run(
        [sys.executable, "-m", "addin.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=bounded,
        env={**os.environ, "COLUMNS": "200"},
    )


# ---- only regular files are read ---------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_at_once_by_every_reading_command(tmp_path):
    fifo = tmp_path / "管道.xlsx"
    os.mkfifo(fifo)
    out = tmp_path / "输出.xlsx"
    for command, args in reading_commands(fifo, out).items():
        assert_refused(dyxx(*args, timeout=30), "管道.xlsx", "不是普通文件"), command
        assert not out.exists(), command


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
@pytest.mark.parametrize("command", ["check", "prepare"])
def test_a_link_to_an_endless_device_is_refused(tmp_path, command):
    link = tmp_path / "零.xlsx"
    link.symlink_to("/dev/zero")
    out = tmp_path / "输出.xlsx"
    assert_refused(dyxx(*reading_commands(link, out)[command]), "零.xlsx", "不是普通文件")
    assert not out.exists()
