"""``dyxx app --shortcut``: a double-click launcher on the desktop (Windows, macOS, Linux).

Windows gets a ``.cmd`` (its console window is the app: closing it stops dyxx),
macOS a ``.command`` (opens in Terminal), a Linux desktop a ``.desktop`` entry.
Each runs this Python with ``-m addin app``, so it keeps working whatever the
PATH is. A launcher is replaced only when it is one of ours (it carries
:data:`MARK`); any other file of that name is left alone.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from addin.model.errors import WorkbookError
from addin.write import outputs

MARK = "dyxx-app-shortcut"
TITLE = "dyxx 党员信息校验"


def desktop_folder(home: Path | None = None, system: str = sys.platform) -> Path:
    """The user's desktop: XDG's DESKTOP folder on Linux (``桌面`` on a Chinese system)."""
    home = home or Path.home()
    if system.startswith("linux"):
        found = _xdg_desktop(home)
        if found is not None:
            return found
    if system == "win32":
        profile = os.environ.get("USERPROFILE")
        if profile and (Path(profile) / "Desktop").is_dir():
            return Path(profile) / "Desktop"
    return home / "Desktop"


def _xdg_desktop(home: Path) -> Path | None:
    config = home / ".config" / "user-dirs.dirs"
    try:
        text = config.read_text(encoding="utf-8")
    except OSError:
        return None
    match = re.search(r'^XDG_DESKTOP_DIR="([^"]*)"', text, re.MULTILINE)
    if not match:
        return None
    return Path(match.group(1).replace("$HOME", str(home)))


def launcher(system: str, python: str) -> tuple[str, str]:
    """(file name, content) of the launcher for ``system`` (``sys.platform``)."""
    if system == "win32":
        return f"{TITLE}.cmd", (
            f"@echo off\r\nrem {MARK}\r\nchcp 65001 >nul\r\n"
            f'"{python}" -m addin app\r\nif errorlevel 1 pause\r\n'
        )
    if system == "darwin":
        return f"{TITLE}.command", f"#!/bin/sh\n# {MARK}\nexec {_sh(python)} -m addin app\n"
    return f"{TITLE}.desktop", (
        "[Desktop Entry]\nType=Application\n"
        f"Name={TITLE}\nComment=在浏览器中校验党员信息（dyxx app）\n"
        f"Exec={_desktop_exec(python)} -m addin app\nTerminal=true\nCategories=Office;\n"
        f"X-{MARK}=true\n"
    )


def _sh(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _desktop_exec(text: str) -> str:
    """A quoted argument of a .desktop Exec line (freedesktop.org's rules)."""
    escaped = re.sub(r'(["`$\\])', r"\\\1", text)
    return '"' + escaped.replace("%", "%%") + '"'


def make_shortcut(
    desktop: Path | None = None, system: str = sys.platform, python: str | None = None
) -> Path:
    """Write the launcher on the desktop; return where (raises :class:`WorkbookError`)."""
    folder = desktop or desktop_folder(system=system)
    if not folder.is_dir():
        raise WorkbookError(folder, "找不到桌面文件夹，未创建快捷方式")
    name, text = launcher(system, python or sys.executable)
    target = folder / name
    ours = target.is_file() and MARK in target.read_text(encoding="utf-8", errors="replace")
    with outputs.run([], force=ours):
        outputs.write_atomically(target, text.encode("utf-8"))
    if system != "win32":
        target.chmod(0o755)  # a launcher must be executable to be double-clicked
    if system.startswith("linux"):
        _trust(target)
    return target


def _trust(target: Path) -> None:
    """GNOME asks before running an untrusted launcher: mark ours as trusted when gio exists."""
    try:
        subprocess.run(
            ["gio", "set", str(target), "metadata::trusted", "true"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        pass
