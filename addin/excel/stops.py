"""When the 校验 button stops before touching a workbook, and what it says (pure logic).

The facts come from Excel (:mod:`addin.ribbon.desktop`); the choices, one per case:

- no workbook open, or the workbook in Protected View: stop (nothing to check, or Excel
  allows no change until the officer clicks 启用编辑);
- a shared workbook (the legacy 共享工作簿): stop, since Excel refuses dropdowns there and
  a half-marked shared book would confuse the other editors;
- a read-only workbook: check and mark anyway (the marks help while the book is open) and
  say that they cannot be saved into the file, only into a copy (另存为);
- two Excel instances: the button always works on the workbook it was clicked in (the
  window handle Excel passes); only when that workbook cannot be found there does it stop
  and say to use one Excel window.
"""

from __future__ import annotations

from dataclasses import dataclass

NO_WORKBOOK = "没有打开的工作簿：请先打开要校验的附件3/附件4工作簿，再点“校验”。"
PROTECTED_VIEW = (
    "这个工作簿处于“受保护的视图”，Excel 不允许修改。"
    "请先点窗口上方黄色提示条中的“启用编辑”，再点“校验”。"
)
SHARED = (
    "这是“共享工作簿”，Excel 不允许在其中添加下拉列表和批注。"
    "请先在“审阅”选项卡中取消共享（或另存一份副本），再点“校验”。"
)
NOT_FOUND = (
    "找不到点“校验”时的工作簿。如果同时开着几个 Excel 窗口，"
    "请只保留要校验的那一个（其余保存后关闭），再点“校验”。"
)
READ_ONLY = (
    "注意：这个工作簿是只读打开的，标注不能保存到原文件；"
    "如需保留，请用“文件 > 另存为”保存一份副本。"
)


@dataclass(frozen=True)
class Facts:
    """What Excel says about the clicked workbook."""

    read_only: bool = False
    shared: bool = False


@dataclass(frozen=True)
class AppFacts:
    """What Excel says when the clicked workbook was not found."""

    workbooks: int = 0
    protected_views: int = 0
    instances: int = 1  # Excel processes running


def stop(facts: Facts) -> str | None:
    """The message to stop with, or None to go on."""
    return SHARED if facts.shared else None


def note(facts: Facts) -> str | None:
    """A line added to the result when the check went on."""
    return READ_ONLY if facts.read_only else None


def missing(facts: AppFacts) -> str:
    """Why the clicked workbook is not there."""
    if facts.protected_views:
        return PROTECTED_VIEW
    if facts.workbooks == 0 and facts.instances <= 1:
        return NO_WORKBOOK
    return NOT_FOUND
