"""``dyxx app --shortcut``: a launcher an officer double-clicks, on each desktop; and the
options that guard where ``dyxx app`` listens."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

import pytest

from addin.web.shortcut import MARK, desktop_folder, launcher, make_shortcut
from tests.support.cli import dyxx

ODD = '/opt/党员 工具/it\'s "$HOME" `x` %u\\py'


@pytest.mark.parametrize("system", ["win32", "darwin", "linux"])
def test_each_desktop_gets_its_own_launcher(system):
    name, text = launcher(system, "/usr/bin/python3")
    assert name.startswith("dyxx 党员信息校验")
    assert name.endswith({"win32": ".cmd", "darwin": ".command", "linux": ".desktop"}[system])
    assert MARK in text and "-m addin app" in text


def test_the_macos_launcher_quotes_any_python_path(tmp_path):
    _name, text = launcher("darwin", ODD)
    command = text.splitlines()[-1].removeprefix("exec ")
    assert shlex.split(command) == [ODD, "-m", "addin", "app"]


def test_the_desktop_entry_escapes_by_the_freedesktop_rules():
    _name, text = launcher("linux", ODD)
    [line] = [x for x in text.splitlines() if x.startswith("Exec=")]
    assert line == ('Exec="/opt/党员 工具/it\'s \\"\\$HOME\\" \\`x\\` %%u\\\\py" -m addin app')
    assert "Terminal=true" in text


def test_the_windows_launcher_keeps_its_window_on_an_error():
    _name, text = launcher("win32", r"C:\Program Files\Python\python.exe")
    assert '"C:\\Program Files\\Python\\python.exe" -m addin app\r\n' in text
    assert "if errorlevel 1 pause" in text and "\n" not in text.replace("\r\n", "")


@pytest.mark.skipif(sys.platform == "win32", reason="runs the POSIX launcher")
def test_the_macos_launcher_really_starts_dyxx(tmp_path):
    made = make_shortcut(tmp_path, system="darwin", python=sys.executable)
    assert os.access(made, os.X_OK)
    fake = tmp_path / "python"
    fake.write_text(f'#!/bin/sh\necho "$@" > {shlex.quote(str(tmp_path / "args"))}\n')
    fake.chmod(0o755)
    made = make_shortcut(tmp_path, system="darwin", python=str(fake))
    subprocess.run([str(made)], check=True, timeout=30)
    assert (tmp_path / "args").read_text() == "-m addin app\n"


def test_a_launcher_is_replaced_but_no_other_file(tmp_path):
    first = make_shortcut(tmp_path, system="linux", python="/old/python")
    again = make_shortcut(tmp_path, system="linux", python="/new/python")
    assert first == again and "/new/python" in again.read_text(encoding="utf-8")
    theirs = tmp_path / "mine"
    theirs.mkdir()
    (theirs / again.name).write_text("the officer's own file", encoding="utf-8")
    with pytest.raises(Exception, match="文件已存在"):
        make_shortcut(theirs, system="linux", python="/new/python")
    assert (theirs / again.name).read_text(encoding="utf-8") == "the officer's own file"


def test_the_linux_desktop_is_found_in_user_dirs(tmp_path):
    config = tmp_path / ".config"
    config.mkdir()
    (config / "user-dirs.dirs").write_text('XDG_DESKTOP_DIR="$HOME/桌面"\n', encoding="utf-8")
    assert desktop_folder(tmp_path, "linux") == tmp_path / "桌面"
    assert desktop_folder(tmp_path / "nobody", "linux") == tmp_path / "nobody" / "Desktop"


def test_dyxx_app_shortcut_on_the_command_line(tmp_path):
    (tmp_path / "Desktop").mkdir()
    ran = dyxx("app", "--shortcut", env={"HOME": str(tmp_path), "USERPROFILE": str(tmp_path)})
    assert ran.returncode == 0, ran
    assert "已在桌面创建快捷方式" in ran.stdout
    assert len(list((tmp_path / "Desktop").iterdir())) == 1


def test_without_a_desktop_the_shortcut_is_refused_clearly(tmp_path):
    ran = dyxx("app", "--shortcut", env={"HOME": str(tmp_path), "USERPROFILE": str(tmp_path)})
    assert ran.returncode == 2
    assert "找不到桌面文件夹" in ran.output


def test_listening_beyond_this_pc_needs_its_own_option():
    ran = dyxx("app", "--no-browser", "--host", "0.0.0.0")
    assert ran.returncode == 2
    assert "--allow-network" in ran.output


def test_a_port_in_use_is_a_clear_error():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        ran = dyxx("app", "--no-browser", "--port", port)
    assert ran.returncode == 2
    assert f"端口 {port} 无法使用" in ran.output
