"""Close the doors xlwings' VBA opens to the active workbook, in the installed add-in.

The template's ``xlwings`` module (the same text as ``xlwings/xlwings_custom_addin.bas``) reads
its configuration first from a ``myaddin.conf`` sheet of the ACTIVE workbook (very hidden ones
too), then from a ``myaddin.conf`` file in that workbook's folder, and treats the active
workbook's sheets named ``*.py`` as code to run. It also puts the active workbook's full name
into the ``;``-separated path list that ``xlwings.utils.prepare_sys_path`` splits and expands
(``%VAR%``), so a folder name with semicolons could add a path to ``sys.path``. A workbook
mailed to an officer could use any of these to run its own Python when 校验 is clicked.

:func:`patch` rewrites those lines (found by their text, never by number) and fails when the
text is not exactly as expected; :func:`apply` does it through Excel's VBA object model. Each
replacement ends with a ``' dyxx:`` comment, so a patched module is recognised as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MODULE = "xlwings"  # the template's VBA module that holds GetConfig and RunPython
MARK = "' dyxx:"


class PatchError(RuntimeError):
    """The module is not the text this patch was written for; the message is Chinese."""


@dataclass(frozen=True)
class Rule:
    old: str  # the line's text without its indentation
    new: str
    count: int  # how often the template has it


RULES = (
    # RunPython's embedded-code check: only the add-in's own sheets, not the active book's
    Rule("For i = 1 To 2", f"For i = 2 To 2 {MARK} only the add-in's own .py sheets", 1),
    # GetConfig, layer 1: the active workbook's myaddin.conf sheet
    Rule(
        'If SheetExists(ActiveWorkbook, PROJECT_NAME & ".conf") = True Then',
        f"If False Then {MARK} never the active workbook's config sheet",
        1,
    ),
    # GetConfig, layer 3: the myaddin.conf file beside the active workbook
    Rule(
        'If source = "" Or source = "directory" Then',
        f"If False Then {MARK} never a config file beside the active workbook",
        1,
    ),
    # RunPython (Mac, Windows) and the UDF server: no workbook names in the path list
    *(
        Rule(
            f'PYTHONPATH = AddExcelDir & ";" & {active} & ";" & {this} & ";" & '
            f'GetConfig("ONEDRIVE_CONSUMER_{os}") & ";" & GetConfig("ONEDRIVE_COMMERCIAL_{os}")'
            f' & ";" & GetConfig("SHAREPOINT_{os}") & ";" & GetConfig("PYTHONPATH")',
            f'PYTHONPATH = AddExcelDir & ";;;" & GetConfig("ONEDRIVE_CONSUMER_{os}") & ";" & '
            f'GetConfig("ONEDRIVE_COMMERCIAL_{os}") & ";" & GetConfig("SHAREPOINT_{os}") & ";"'
            f' & GetConfig("PYTHONPATH") {MARK} no workbook names in the path list ({where})',
            1,
        )
        for active, this, os, where in (
            ("ActiveFullName", "ThisFullName", "MAC", "RunPython"),
            ("ActiveFullName", "ThisFullName", "WIN", "RunPython"),
            ("ActiveWorkbook.FullName", "ThisWorkbook.FullName", "WIN", "UDF server"),
        )
    ),
)

CHANGED = "插件中 xlwings 的 VBA 与 dyxx 所知的版本不同，无法确认能挡住收到的工作簿改写插件设置"


def patch(lines: list[str]) -> list[str]:
    """The module's lines with every rule applied; an already patched module comes back as is.

    Raises :class:`PatchError` unless each rule's line occurs exactly ``count`` times
    (or, already patched, its replacement does).
    """
    out = list(lines)
    for rule in RULES:
        found = [i for i, line in enumerate(out) if line.strip() == rule.old]
        done = [i for i, line in enumerate(out) if line.strip() == rule.new]
        if len(done) == rule.count and not found:
            continue
        if len(found) != rule.count or done:
            raise PatchError(f"{CHANGED}（找不到“{rule.old[:40]}”）：请重新安装 dyxx。")
        for i in found:
            indent = out[i][: len(out[i]) - len(out[i].lstrip())]
            out[i] = indent + rule.new
    return out


def apply(code_module: Any) -> int:
    """Patch a VBA ``CodeModule`` in place; the number of lines replaced.

    Uses only ``CountOfLines``, ``Lines(start, count)`` and ``ReplaceLine(line, text)``, and
    reads the module back afterwards: a module that did not take the change is an error.
    """
    before = _lines(code_module)
    after = patch(before)
    changed = [i for i, (old, new) in enumerate(zip(before, after, strict=True)) if old != new]
    for i in changed:
        code_module.ReplaceLine(i + 1, after[i])
    if _lines(code_module) != after:
        raise PatchError(f"{CHANGED}（修改后读回的内容不符）：请关闭 Excel 后再运行一次。")
    return len(changed)


def _lines(code_module: Any) -> list[str]:
    count = code_module.CountOfLines
    return code_module.Lines(1, count).split("\r\n") if count else []
