"""Whether the 校验 button refuses the active workbook before checking it (pure decision).

xlwings' VBA reads a ``myaddin.conf`` sheet of the active workbook, a ``myaddin.conf`` file in
its folder, and runs sheets named ``*.py`` as code. ``dyxx addin install`` patches those reads
out of the add-in (:mod:`addin.ribbon.vbapatch`); this is the second line, for an add-in that
was not patched: a workbook that carries such a sheet or sits beside such a file is not checked.
It cannot undo what the VBA did before Python started; it stops the click from going on.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

CONFIG_NAME = "myaddin.conf"  # the template's PROJECT_NAME & ".conf"
CODE_SUFFIX = ".py"
ADVICE = "为安全起见，本次不校验。如果它来自他人，请不要在 Excel 中继续使用；"


def refusal(sheet_names: Iterable[str], folder: Path | None) -> str | None:
    """The Chinese message refusing the workbook, or None when it may be checked.

    Sheet and file names are compared without case, as Excel and Windows compare them.
    """
    for name in sheet_names:
        folded = name.casefold()
        if folded == CONFIG_NAME:
            return (
                f"这个工作簿含有工作表“{name}”，它能改写插件的设置、让 Excel 运行别人的程序。"
                f"{ADVICE}可以在命令行用 dyxx check 检查它。"
            )
        if folded.endswith(CODE_SUFFIX):
            return (
                f"这个工作簿含有名为“{name}”的工作表，xlwings 会把它当作程序代码。"
                f"{ADVICE}可以在命令行用 dyxx check 检查它。"
            )
    if folder is not None and _holds_config(folder):
        return (
            f"这个工作簿所在的文件夹（{folder}）中有 {CONFIG_NAME} 文件，它能改写插件的设置。"
            f"{ADVICE}请把工作簿移到别的文件夹后再点“校验”。"
        )
    return None


def folder_of(fullname: str) -> Path | None:
    """The local folder of a workbook's full name (None: unsaved, or only a web address)."""
    if "://" in fullname:
        return None
    path = Path(fullname)
    return path.parent if path.is_absolute() else None


def _holds_config(folder: Path) -> bool:
    try:
        return any(entry.name.casefold() == CONFIG_NAME for entry in folder.iterdir())
    except OSError:  # a folder nobody can list: xlwings' VBA cannot read a file there either
        return False
