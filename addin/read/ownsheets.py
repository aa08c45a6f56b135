"""Which sheets of a workbook are dyxx's own: one rule for every command and the add-in.

dyxx writes a results sheet and a stamp (``check -o`` and the Excel 校验 button) with its
hidden ledger (``check -o``),
a code sheet (``prepare``, the template, the button), a hidden state sheet (the
button), report sheets (``merge``, ``sample``, ``diff``) and the change log of
``fix`` (修改记录). None of them is ever
read as an 附件3/附件4 (:func:`addin.read.reader.tables_in`). A sheet is dyxx's by what
it holds, never by its name alone: an officer's own sheet called 校验结果 or 校验记录
stays theirs and is never deleted, and dyxx then names its own sheet 校验结果2 (see
:func:`free_name`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from addin.values.cells import text

RESULT_SHEET = "校验结果"
STAMP_SHEET = "校验记录"
RESULT_HEADER = (
    *("序号", "工作表", "单元格", "字段", "级别", "规则", "填写内容", "问题及修改方法"),
    "姓名或名称",
)
# A 校验结果 sheet is known by the columns it has always had (a copy marked before the
# 姓名或名称 column was added is still ours).
RESULT_KNOWN_BY = RESULT_HEADER[:8]
STAMP_HEADER = ("项目", "内容")
LEDGER_SHEET = "校验数据"  # hidden: the stamp's row hashes and mark record
STAMP_TOOL = "校验工具"  # a stamp row: ("校验工具", "dyxx 1.2.3")
FIX_SHEET = "修改记录"  # what ``dyxx fix`` changed, and what it left for the officer
FIX_HEADER = (
    "序号",
    "工作表",
    "单元格",
    "姓名或党组织名称",
    "字段",
    "原内容",
    "修改为",
    "规则代码",
    "规则",
)
RESULTS, STAMP, CODES, STATE, FIXES = "results", "stamp", "codes", "state", "fixes"
LEDGER = "ledger"
SUMMARY, SAMPLE, DIFF = "summary", "sample", "diff"  # the report sheets of merge, sample, diff
HEAD_ROWS = 6  # rows read to tell a sheet's kind
CODE_MARKER = "dyxx 代码表：下拉列表的选项来源，由 dyxx 生成，请勿修改"
LEDGER_MARKER = (
    "dyxx 校验数据：校验记录的行指纹和标注记录（只有哈希值和样式编号，不含数据），"
    "dyxx verify 和 dyxx clean 据此工作；请勿修改或删除"
)
STATE_MARKER = "dyxx 校验标记：标注过的单元格及其原有填充色和批注，下次校验时据此恢复；请勿修改"
# A report sheet (addin.workflow.sheets.report_sheet) holds its heading in A1 (the whole
# text, or its start up to "："), and its header row a few rows below begins with these.
REPORTS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    SUMMARY: (
        ("统计核对：", ("报送文件", "党员行数")),
        ("数据质量：", ("报送文件", "行数", "有错误的行")),
        ("问题清单：", ("序号", "级别", "来源文件", "来源位置")),
        ("数据来源：", ("汇总表", "汇总表行号", "序号", "来源文件")),
    ),
    SAMPLE: (
        ("检查验收抽查清单", ("序号", "类别", "所在党支部", "姓名或党组织名称")),
        ("抽样说明", ("项目", "内容")),
        ("覆盖情况：", ("党组织（党支部）", "在附件3中")),
    ),
    DIFF: (
        ("变动清单：", ("序号", "对象", "变动类型")),
        ("变动统计", ("对象", "变动类型", "条数")),
        ("比较说明", ("项目", "内容")),
    ),
}
MADE_BY = {SUMMARY: "merge", SAMPLE: "sample", DIFF: "diff"}


def kind(name: str, rows: Sequence[Sequence[object]]) -> str | None:
    """What dyxx sheet this is (``RESULTS``, ``STAMP`` …), from its first rows; None
    for a sheet of the user's. The ``name`` never decides: an officer's sheet called
    问题清单 is theirs, a renamed one of dyxx's is still dyxx's."""
    first = _texts(rows[0]) if rows else []
    if first[: len(RESULT_KNOWN_BY)] == list(RESULT_KNOWN_BY):
        return RESULTS
    if first[: len(FIX_HEADER)] == list(FIX_HEADER):
        return FIXES
    if first[:2] == list(STAMP_HEADER) and any(_is_tool(r) for r in rows[1:HEAD_ROWS]):
        return STAMP
    corner = first[0] if first else ""
    if corner == CODE_MARKER:
        return CODES
    if corner == STATE_MARKER:
        return STATE
    if corner == LEDGER_MARKER:
        return LEDGER
    return _report(corner, rows) if corner else None


def _report(corner: str, rows: Sequence[Sequence[object]]) -> str | None:
    """The kind of report sheet whose heading is ``corner``, if its header row follows."""
    for report, sheets in REPORTS.items():
        for heading, header in sheets:
            named = corner.startswith(heading) if heading.endswith("：") else corner == heading
            if named and any(_texts(r)[: len(header)] == list(header) for r in rows[1:HEAD_ROWS]):
                return report
    return None


def made_by(own_sheets: dict[str, str]) -> str | None:
    """The dyxx command ("merge", "sample", "diff") whose output a workbook is, from
    :func:`own`'s answer; None for an officer's workbook."""
    return next((MADE_BY[k] for k in own_sheets.values() if k in MADE_BY), None)


def _texts(row: Sequence[object]) -> list[str]:
    return [text(v) for v in row]


def _is_tool(row: Sequence[object]) -> bool:
    cells = _texts(row)
    return len(cells) > 1 and cells[0] == STAMP_TOOL and cells[1].startswith("dyxx ")


def own(sheets: dict[str, Sequence[Sequence[object]]]) -> dict[str, str]:
    """Sheet name -> kind, for the sheets (name -> first rows) that are dyxx's."""
    found = {}
    for name, rows in sheets.items():
        sheet_kind = kind(name, rows)
        if sheet_kind is not None:
            found[name] = sheet_kind
    return found


def named(sheets: dict[str, str], wanted: str) -> str | None:
    """The first sheet of a kind, from :func:`own`'s answer."""
    return next((name for name, k in sheets.items() if k == wanted), None)


def free_name(wanted: str, taken: Iterable[str]) -> str:
    """``wanted``, or ``wanted2``, ``wanted3`` … when a sheet holds that name (Excel
    compares sheet names without case)."""
    used = {name.casefold() for name in taken}
    name, number = wanted, 1
    while name.casefold() in used:
        number += 1
        name = f"{wanted}{number}"
    return name


# ---- the first rows of a sheet, from the package's XML ---------------------------------------


ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
VALUE = re.compile(rb"<(?:\w+:)?v\b[^>]*>(.*?)</(?:\w+:)?v>", re.S)
SHARED = re.compile(rb"<(?:\w+:)?si\b[^>]*?(?:/>|>.*?</(?:\w+:)?si>)", re.S)


def package_sheets(package) -> dict[str, str]:
    """Sheet name -> kind for dyxx's sheets of a package (a :class:`addin.xlsx.package.Rewriter`),
    each told from the first rows of its XML (a big sheet is not inflated whole)."""
    from addin.xlsx.parts import Book

    strings = _SharedStrings(package)
    heads = {}
    for sheet in Book(package).sheets:
        if sheet.part and package.exists(sheet.part):
            heads[sheet.name] = first_rows(package.head(sheet.part), strings)
    return own(heads)


def sheet_head(package, part: str, count: int = HEAD_ROWS) -> list[list[object]]:
    """The values of a sheet's first rows, from a package (:class:`addin.xlsx.package.Rewriter`)."""
    return first_rows(package.head(part), _SharedStrings(package), count)


def first_rows(xml: bytes, strings: _SharedStrings, count: int = HEAD_ROWS) -> list[list[object]]:
    """The values of the first ``count`` rows of a sheet's XML (complete rows only)."""
    from addin.model.a1 import position
    from addin.xlsx.notes import plain
    from addin.xlsx.parts import attributes, unescaped

    rows: list[list[object]] = []
    start = xml.find(b"<sheetData")
    for match in ROW.finditer(xml, max(start, 0)):
        if len(rows) >= count:
            break
        head = attributes(match.group(0)[: match.group(0).find(b">")])
        number = int(head.get("r", len(rows) + 1))
        while len(rows) < number - 1 and len(rows) < count:
            rows.append([])
        if len(rows) >= count:
            break
        cells: list[object] = []
        for cell in CELL.finditer(match.group(1) or b""):
            attrs = attributes(cell.group(1))
            column = position(attrs["r"])[1] if "r" in attrs else len(cells) + 1
            cells += [""] * (column - 1 - len(cells))
            body = cell.group(2) or b""
            kind_ = attrs.get("t", "n")
            value = VALUE.search(body)
            raw = unescaped(value.group(1).decode("utf-8")) if value else ""
            if kind_ == "inlineStr":
                cells.append(plain(body))
            elif kind_ == "s" and raw.isdigit():
                cells.append(strings.get(int(raw)))
            else:
                cells.append(raw)
        rows.append(cells)
    return rows


class _SharedStrings:
    """The shared strings, read only as far as asked."""

    PART = "xl/sharedStrings.xml"

    def __init__(self, package) -> None:
        self.package = package
        self.items: list[bytes] = []
        self.rest = None

    def get(self, index: int) -> str:
        from addin.xlsx.notes import plain

        if self.rest is None:
            data = self.package.read(self.PART) if self.package.exists(self.PART) else b""
            self.rest = SHARED.finditer(data)
        while len(self.items) <= index:
            found = next(self.rest, None)
            if found is None:
                return ""
            self.items.append(found.group(0))
        return plain(self.items[index])
