"""What ``dyxx addin install`` checks before it writes anything (issue 14, point 9).

:func:`gather` collects the facts of this computer in one place; :func:`problems` decides on
them alone, so tests run it with made-up facts and temporary folders. Each problem is one
Chinese sentence saying what to do.

Paths, as the template's VBA uses them (``ExecuteWindows``, ``XLPyCommand`` and
``xlwings.utils.prepare_sys_path``):

- The interpreter is quoted on ``cmd.exe``'s command line: spaces, brackets, ``^``, ``&`` and
  ``;`` are fine; ``%`` is not (cmd expands ``%NAME%`` even between quotes).
- The entry folder goes into the ``;``-separated path list, which cmd sees unquoted (``&`` is
  escaped by the VBA, ``^`` is not) and Python splits on ``;`` and expands (``%NAME%``,
  ``$NAME``): ``;``, ``%``, ``$`` and ``^`` break it; spaces do not.
- Chinese characters are fine for the 校验 button (the VBA starts Python through
  ``WScript.Shell``, in Unicode), but the worksheet functions load xlwings' DLL with
  ``LoadLibraryA`` and hand it the command line as ANSI text: every character of both paths
  must exist in Windows' ANSI code page (GBK on a Chinese Windows, where Chinese is fine).
- OneDrive folders are ordinary local folders on the command line: no problem of their own.
"""

from __future__ import annotations

import locale
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

# Every pinned dependency has a 64-bit Windows wheel for CPython 3.11-3.14 (orjson 3.11.7,
# zlib-ng 1.1.0, python-calamine 0.9.1, xlwings 0.37.8); none for 3.15 (orjson would need
# Rust to build) nor for 32-bit Python (no zlib-ng wheel, and the add-in loads the 64-bit DLL).
OLDEST = (3, 11)
NEWEST = (3, 14)
QUOTED_BAD = "%"
LIST_BAD = ";%$^"


@dataclass(frozen=True)
class Facts:
    """This computer, as far as installing the add-in is concerned."""

    platform: str
    version: tuple[int, int]
    bits: int
    executable: Path  # the Python the add-in will start
    entry: Path  # the folder the add-in puts on sys.path
    dll: str  # xlwings' DLL the VBA declares, e.g. "xlwings64-0.37.8.dll"
    excel: bool  # Microsoft Excel is installed (Windows)
    wps: bool  # WPS Office is installed (Windows)
    ansi: str | None  # Windows' ANSI code page as a Python codec, e.g. "cp936"


def gather(platform: str = sys.platform) -> Facts:
    """The facts of this computer."""
    import xlwings

    from addin.ribbon.build import ENTRY

    windows = platform.startswith("win")
    excel, wps = _office() if windows else (False, False)
    return Facts(
        platform=platform,
        version=sys.version_info[:2],
        bits=struct.calcsize("P") * 8,
        executable=Path(sys.executable),
        entry=ENTRY,
        dll=f"xlwings64-{xlwings.__version__}.dll",
        excel=excel,
        wps=wps,
        ansi=locale.getencoding() if windows else None,
    )


def problems(facts: Facts, functions: bool = True) -> list[str]:
    """What stands in the way of installing the add-in (empty: nothing)."""
    found = _python(facts)
    if facts.platform.startswith("win"):
        found += _office_problems(facts)
        if functions:
            found += _dll(facts)
        found += _paths(facts, functions)
    return found


def _python(facts: Facts) -> list[str]:
    found = []
    if not OLDEST <= facts.version <= NEWEST:
        shown = ".".join(map(str, facts.version))
        found.append(
            f"这台电脑上的 Python 是 {shown} 版，dyxx 插件需要 64 位的 Python "
            f"{OLDEST[0]}.{OLDEST[1]} 至 {NEWEST[0]}.{NEWEST[1]}：请安装其中一个版本，"
            "在其中重新安装 dyxx 后再运行 dyxx addin install。"
        )
    if facts.bits != 64:
        found.append(
            "这台电脑上的 Python 是 32 位的，dyxx 插件需要 64 位的 Python：请从 python.org "
            "下载“Windows installer (64-bit)”安装，在其中重新安装 dyxx 后再运行 "
            "dyxx addin install。"
        )
    return found


def _office_problems(facts: Facts) -> list[str]:
    if facts.excel:
        return []
    if facts.wps:
        return [
            "这台电脑上只有 WPS，没有 Microsoft Excel，而 WPS 不能运行 dyxx 插件：请改用 "
            "dyxx template 生成的模板（填写时即提示问题）或在命令行运行 dyxx check。"
        ]
    return [
        "这台电脑上没有找到 Microsoft Excel，dyxx 插件只能装在 Excel 中：请改用 "
        "dyxx template 生成的模板或在命令行运行 dyxx check。"
    ]


def _dll(facts: Facts) -> list[str]:
    """The VBA loads the DLL from the interpreter's folder, else from the one above it."""
    folders = (facts.executable.parent, facts.executable.parent.parent)
    if any((folder / facts.dll).is_file() for folder in folders):
        return []
    return [
        f"在 {folders[0]} 和 {folders[1]} 中都没有找到 {facts.dll}（工作表函数需要它，"
        "杀毒软件有时会删除它）："
        "请运行 python -m pip install --force-reinstall --no-deps xlwings==0.37.8"
        "（不要加 --user）后再试，或加 --no-functions 只安装“校验”按钮。"
    ]


def _paths(facts: Facts, functions: bool) -> list[str]:
    found = []
    for path, bad, what in (
        (facts.executable, QUOTED_BAD, "Python 的位置"),
        (facts.entry, LIST_BAD, "dyxx 的安装位置"),
    ):
        text = str(path)
        chars = "".join(sorted({c for c in text if c in bad}))
        if chars:
            found.append(
                f"{what}（{text}）含有字符 {' '.join(chars)}，Excel 启动 Python 时会被"
                "命令行改写：请把 Python 和 dyxx 装到路径中没有这些字符的文件夹后再试。"
            )
        elif functions and facts.ansi and not _encodable(text, facts.ansi):
            found.append(
                f"{what}（{text}）含有本机 Windows 的 ANSI 代码页（{facts.ansi}）中没有的字符，"
                "工作表函数无法启动 Python：请把 Python 和 dyxx 装到只含中英文字符的路径中，"
                "或加 --no-functions 只安装“校验”按钮。"
            )
    return found


def _encodable(text: str, codec: str) -> bool:
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        return False
    except LookupError:  # a code page Python does not know: cannot tell, do not block
        return True
    return True


def _office() -> tuple[bool, bool]:
    """(Excel, WPS) installed, from the registry's App Paths (Windows only)."""
    wps = any(_app_path(exe) for exe in ("et.exe", "wps.exe")) or _key(r"Software\Kingsoft\Office")
    return _app_path("excel.exe"), wps


def _key(name: str) -> bool:
    import winreg  # type: ignore[import-not-found]

    for root in (winreg.HKEY_CURRENT_USER, winreg.HKEY_LOCAL_MACHINE):
        try:
            winreg.OpenKey(root, name).Close()
        except OSError:
            continue
        return True
    return False


def _app_path(exe: str) -> bool:
    import winreg  # type: ignore[import-not-found]

    for root in (winreg.HKEY_CURRENT_USER, winreg.HKEY_LOCAL_MACHINE):
        name = rf"SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\{exe}"
        try:
            with winreg.OpenKey(root, name) as key:
                value = winreg.QueryValue(key, None)
        except OSError:
            continue
        if Path(value.strip('"')).is_file():
            return True
    return False
