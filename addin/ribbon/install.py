"""Put ``dyxx.xlam`` where Excel loads it at start-up, built and patched for this computer.

Excel opens every file in its user start-up folder (XLSTART) when it starts, and that folder
is a trusted location, so the add-in's macros run without a warning. The add-in is built with
this computer's Python (the one dyxx is installed in) in its config sheet. Nothing is written
before :func:`addin.ribbon.environment.problems` finds nothing in the way. The add-in is built
in a scratch folder beside the target; on Windows Excel then patches its VBA
(:mod:`addin.ribbon.vbapatch`) and imports the VBA helpers shipped as ``addin/ribbon/*.bas``
and the worksheet functions, and only a patched add-in replaces the target.

Verified on this project's Linux test machine only with an explicit folder (``--dir``) and
with the Excel step replaced by stand-ins; the Windows and macOS folders, the Excel session
and the macOS AppleScript copy are written from Excel's and xlwings' documentation.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from addin.model.errors import os_message
from addin.ribbon import vbapatch
from addin.ribbon.build import ADDIN_NAME, UDF_MODULES, Config, build, local_config, read_config
from addin.ribbon.environment import Facts, gather, problems

MAC_STARTUP = (
    "Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel"
)
MAC_SCRIPTS = "Library/Application Scripts/com.microsoft.Excel"
HELPERS = Path(__file__).resolve().parent  # VBA helper modules shipped as *.bas
SCRATCH = ".dyxx-"  # prefix of the scratch folder the add-in is built in
TRUST = (
    "请在 Excel 中依次点“文件 → 选项 → 信任中心 → 信任中心设置 → 宏设置”，勾选“信任对 VBA "
    "工程对象模型的访问”，关闭 Excel 后再运行一次 dyxx addin install。"
)


class InstallError(RuntimeError):
    """The add-in could not be installed; each message is one Chinese sentence."""

    def __init__(self, *messages: str) -> None:
        super().__init__("\n".join(messages))
        self.messages = list(messages)


@dataclass
class Installed:
    path: Path
    steps: list[str] = field(default_factory=list)  # what is left to do by hand
    notes: list[str] = field(default_factory=list)  # what was done besides copying


# (the add-in in its scratch folder, import the worksheet functions?) -> notes, steps
ExcelStep = Callable[[Path, bool], tuple[list[str], list[str]]]


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
    facts: Facts | None = None,
    excel: ExcelStep | None = None,
    unpatched: bool = False,
) -> Installed:
    """Build the add-in for this computer into ``folder`` (default: Excel's start-up folder)."""
    found = problems(facts or gather(platform), functions)
    if found:
        raise InstallError(*found)
    target_folder = folder or startup_folder(platform)
    if target_folder is None:
        raise InstallError(
            "没有找到 Excel 的启动文件夹：dyxx addin install 只支持 Windows 和 macOS 上的 Excel；"
            "可以用 --dir 指定要放入的文件夹。"
        )
    windows = platform.startswith("win")
    if platform == "darwin" and not unpatched:
        raise InstallError(
            "在 macOS 上无法修补插件的 VBA，收到的工作簿可能借插件运行别人的程序：如仍要安装，"
            "请加 --unpatched 再运行一次，并只用插件校验您信任的工作簿。"
        )
    step = (excel or in_excel) if windows else None
    target = target_folder / ADDIN_NAME
    notes, steps = _build_into(target, config or local_config(platform), step, functions)
    done = Installed(target, steps, notes)
    if platform == "darwin":
        done.notes.append(_mac_runpython())
        done.steps.append("退出 Excel（Command+Q）后重新打开；如提示启用宏，请选择“启用宏”。")
        done.steps.append(
            "工作表函数（DYID 等）只能在 Windows 版 Excel 中使用，Mac 版只有“校验”按钮。"
        )
        return done
    if not windows:
        done.notes.append("这台电脑上没有 Excel：只生成了插件文件，其 VBA 未经修补。")
    done.steps.insert(0, "关闭所有 Excel 窗口后重新打开 Excel，功能区会出现“党员信息”选项卡。")
    return done


def _build_into(
    target: Path, config: Config, step: ExcelStep | None, functions: bool
) -> tuple[list[str], list[str]]:
    """Build (and patch) in a scratch folder beside the target, then replace the target."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=SCRATCH, dir=target.parent) as scratch:
            built = build(Path(scratch) / ADDIN_NAME, config)
            notes, steps = step(built, functions) if step else ([], [])
            os.replace(built, target)
    except PermissionError:
        raise InstallError(f"无法写入 {target}：请先关闭 Excel 后再运行一次。") from None
    except OSError as exc:
        raise InstallError(f"无法写入 {target}：{os_message(exc)}") from None
    return notes, steps


def helper_modules(folder: Path = HELPERS) -> list[Path]:
    """The VBA helper modules shipped with dyxx (``addin/ribbon/*.bas``), in name order."""
    return sorted(folder.glob("*.bas"))


def module_name(bas: Path) -> str:
    """The VBA name a .bas file imports as (its ``Attribute VB_Name`` line)."""
    found = re.search(r'^Attribute VB_Name = "(\w+)"', bas.read_text("utf-8"), re.MULTILINE)
    if not found:
        raise InstallError(f"{bas.name} 不是 VBA 模块文件（没有 VB_Name）：请重新安装 dyxx。")
    return found.group(1)


def patch_project(project: Any, modules: list[Path]) -> list[str]:
    """Patch xlwings' module and import the helper modules into a VBA project (``VBProject``).

    Returns the names of the imported modules. A module of the same name is replaced.
    """
    components = project.VBComponents
    vbapatch.apply(components(vbapatch.MODULE).CodeModule)
    names = []
    for bas in modules:
        name = module_name(bas)
        try:
            components.Remove(components(name))
        except Exception:  # not there yet: the usual case
            pass
        components.Import(str(bas))
        names.append(name)
    return names


def in_excel(path: Path, functions: bool) -> tuple[list[str], list[str]]:
    """Windows: in a hidden Excel, patch the add-in's VBA, import the helpers and functions.

    Fails closed: without access to the VBA project the add-in is not installed.
    """
    import xlwings as xw
    from xlwings.udfs import import_udfs

    notes: list[str] = []
    steps: list[str] = []
    try:
        with xw.App(visible=False, add_book=False) as app:
            book = app.books.open(str(path))
            try:
                project = book.api.VBProject
                project.VBComponents.Count  # noqa: B018 - raises when access is not trusted
            except Exception:
                raise InstallError(f"Excel 不允许 dyxx 修改插件中的 VBA。{TRUST}") from None
            imported = patch_project(project, helper_modules())
            notes.append("已修补插件的 VBA：收到的工作簿不能再改写插件的设置。")
            if imported:
                notes.append(f"已导入 VBA 模块：{'、'.join(imported)}。")
            if functions:
                try:
                    import_udfs(UDF_MODULES, book.api)
                    notes.append("已把工作表函数（DYID、DYROW 等）导入插件。")
                except Exception:
                    steps.append(f"工作表函数（DYID、DYROW 等）未能导入。{TRUST}")
            book.save()
    except vbapatch.PatchError as exc:
        raise InstallError(str(exc)) from None
    except InstallError:
        raise
    except Exception:
        raise InstallError(
            "无法在后台启动 Excel 修补插件：请关闭所有 Excel 窗口后再运行一次 dyxx addin install。"
        ) from None
    return notes, steps


def _mac_runpython() -> str:
    """macOS: Excel may only run the AppleScript xlwings ships from this folder."""
    import xlwings

    script = Path(xlwings.__file__).parent / f"xlwings-{xlwings.__version__}.applescript"
    folder = Path.home() / MAC_SCRIPTS
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(script, folder)
    return f"已把 xlwings 的 AppleScript 复制到 {folder}（Mac 版 Excel 运行 Python 需要它）。"


@dataclass
class Removed:
    removed: list[Path] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # what was left, and why


def uninstall(folder: Path | None = None, platform: str = sys.platform) -> Removed:
    """Remove what :func:`install` put into ``folder`` (default: Excel's start-up folder).

    The add-in file holds everything install added inside Excel (the patched xlwings module,
    the helper modules, the worksheet functions and the config sheet), so it goes as a whole;
    so do scratch folders a killed install left. Safe to run twice.
    """
    target_folder = folder or startup_folder(platform)
    done = Removed()
    if target_folder is None or not target_folder.is_dir():
        return done
    target = target_folder / ADDIN_NAME
    try:
        if target.is_file():
            if not _ours(target):
                raise InstallError(f"{target} 不是 dyxx 生成的插件，未删除。")
            target.unlink()
            done.removed.append(target)
        for scratch in sorted(target_folder.glob(SCRATCH + "*")):
            if scratch.is_dir() and {p.name for p in scratch.iterdir()} <= {ADDIN_NAME}:
                shutil.rmtree(scratch)
                done.removed.append(scratch)
    except PermissionError:
        raise InstallError(f"无法删除 {target}：请先关闭 Excel 后再运行一次。") from None
    except OSError as exc:
        raise InstallError(f"无法删除 {target}：{os_message(exc)}") from None
    if platform == "darwin":
        done.kept.append(
            f"xlwings 的 AppleScript（{Path.home() / MAC_SCRIPTS}）可能也被其他程序使用，"
            "未删除；确实不用时可以手动删除。"
        )
    return done


def _ours(path: Path) -> bool:
    """A dyxx.xlam built by dyxx: its config sheet names dyxx's worksheet functions."""
    try:
        return read_config(path).get("UDF Modules") == UDF_MODULES
    except Exception:  # not a workbook calamine can read: not ours either
        return False
