"""Put ``dyxx.xlam`` where Excel loads it at start-up, built for this computer.

Excel opens every file in its user start-up folder (XLSTART) when it starts,
and that folder is a trusted location, so the add-in's macros run without a
warning. The add-in is built here with this computer's Python (the one dyxx
is installed in) in its config sheet.

Verified on this project's Linux test machine only with an explicit folder
(``--dir``); the Windows and macOS folders, the xlwings AppleScript copy on
macOS and the import of the worksheet functions through Excel on Windows are
written from Excel's and xlwings' documentation and were not run here.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from addin.model.errors import os_message
from addin.ribbon.build import ADDIN_NAME, UDF_MODULES, Config, build, local_config

MAC_STARTUP = (
    "Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel"
)
MAC_SCRIPTS = "Library/Application Scripts/com.microsoft.Excel"


class InstallError(RuntimeError):
    """The add-in could not be installed; the message is Chinese, for the officer."""


@dataclass
class Installed:
    path: Path
    steps: list[str] = field(default_factory=list)  # what is left to do by hand
    notes: list[str] = field(default_factory=list)  # what was done besides copying


def startup_folder(platform: str = sys.platform, home: Path | None = None) -> Path | None:
    """Excel's user start-up folder on this system, or None where there is no Excel."""
    home = home or Path.home()
    if platform.startswith("win"):
        appdata = os.environ.get("APPDATA")
        base = Path(appdata) if appdata else home / "AppData" / "Roaming"
        return base / "Microsoft" / "Excel" / "XLSTART"
    if platform == "darwin":
        return home / MAC_STARTUP
    return None


def install(
    folder: Path | None = None,
    config: Config | None = None,
    platform: str = sys.platform,
    functions: bool = True,
) -> Installed:
    """Build the add-in for this computer into ``folder`` (default: Excel's start-up folder)."""
    target_folder = folder or startup_folder(platform)
    if target_folder is None:
        raise InstallError(
            "没有找到 Excel 的启动文件夹：dyxx addin install 只支持 Windows 和 macOS 上的 Excel；"
            "可以用 --dir 指定要放入的文件夹"
        )
    target = target_folder / ADDIN_NAME
    _build_into(target, config or local_config(platform))
    done = Installed(target)
    if platform == "darwin":
        done.notes.append(_mac_runpython())
        done.steps.append("退出 Excel（Command+Q）后重新打开；如提示启用宏，请选择“启用宏”。")
        done.steps.append(
            "工作表函数（DYID 等）只能在 Windows 版 Excel 中使用，Mac 版只有“校验”按钮。"
        )
        return done
    if platform.startswith("win") and folder is None and functions:
        problem = import_functions(target)
        if problem:
            done.steps.append(problem)
        else:
            done.notes.append("已把工作表函数（DYID、DYROW 等）导入插件。")
    done.steps.insert(0, "关闭所有 Excel 窗口后重新打开 Excel，功能区会出现“党员信息”选项卡。")
    return done


def _build_into(target: Path, config: Config) -> None:
    """Build beside the target, then replace it (a half-written add-in is never left)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
            built = build(Path(scratch) / ADDIN_NAME, config)
            os.replace(built, target)
    except PermissionError:
        raise InstallError(f"无法写入 {target}：请先关闭 Excel 后再运行一次") from None
    except OSError as exc:
        raise InstallError(f"无法写入 {target}：{os_message(exc)}") from None


def _mac_runpython() -> str:
    """macOS: Excel may only run the AppleScript xlwings ships from this folder."""
    import xlwings

    script = Path(xlwings.__file__).parent / f"xlwings-{xlwings.__version__}.applescript"
    folder = Path.home() / MAC_SCRIPTS
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(script, folder)
    return f"已把 xlwings 的 AppleScript 复制到 {folder}（Mac 版 Excel 运行 Python 需要它）。"


def import_functions(path: Path) -> str | None:
    """Windows: generate the worksheet functions' VBA into the installed add-in, in Excel.

    Needs Excel's "Trust access to the VBA project object model"; returns the
    manual step when that (or anything else) stands in the way, None when done.
    """
    manual = (
        "如需使用工作表函数（DYID、DYROW 等）：在 Excel 中依次点“文件 → 选项 → 信任中心 → "
        "信任中心设置 → 宏设置”，勾选“信任对 VBA 工程对象模型的访问”，关闭 Excel 后"
        "再运行一次 dyxx addin install。"
    )
    try:
        import xlwings as xw
        from xlwings.udfs import import_udfs

        with xw.App(visible=False, add_book=False) as app:
            book = app.books.open(str(path))
            import_udfs(UDF_MODULES, book.api)
            book.save()
    except Exception:
        return manual
    return None
