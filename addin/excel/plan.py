"""What the Excel 校验 button does to a workbook, decided from its cell values (pure logic).

:mod:`addin.ribbon.action` reads the workbook's values through xlwings and
asks this module: which tables are there (the reader rules of ``dyxx check``),
what the check finds, which input aids and marks are missing (see
:mod:`addin.excel.aids`, :mod:`addin.excel.marks`), and what the 校验结果 and
校验记录 sheets must hold (the same rows ``dyxx check -o`` writes, from
:mod:`addin.write.marked.annotate`).
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from addin.engine.check import check_tables
from addin.engine.report import Report
from addin.model.findings import Finding
from addin.read import ownsheets
from addin.read.ownsheets import RESULT_HEADER, RESULT_SHEET, STAMP_HEADER, STAMP_SHEET
from addin.read.reader import Table, fill_merged, find_tables, no_table_message
from addin.values.cells import text
from addin.write.marked import annotate
from addin.write.marked.format import FAILED, PASSED, RECORDS_WHERE

Rows = list[list[object]]
Area = tuple[int, int, int, int]  # first row, first column, last row, last column (1-based)
RESULT_LINK_COLUMN = 3  # 单元格: a HYPERLINK formula to the cell
RESULT_TEXT_COLUMNS = (2, 4, 5, 6, 7, 8, 9)  # text-formatted, so "0211" or "=x" stay as written
NO_TABLES = no_table_message()


@dataclass
class Book:
    """A workbook's cell values as read from Excel: sheet name -> rows from A1."""

    name: str
    sheets: dict[str, Rows] = field(default_factory=dict)

    def own(self, name: str) -> bool:
        """Sheets this tool writes, never read as data (told by what they hold, so an
        officer's own sheet called 校验结果 is data like any other)."""
        return ownsheets.kind(name, self.sheets.get(name, [])[: ownsheets.HEAD_ROWS]) is not None

    @property
    def data_sheets(self) -> list[str]:
        return [name for name in self.sheets if not self.own(name)]

    def own_names(self) -> tuple[str, str]:
        """The sheets the results and the stamp go to: ours (told by what they hold), or
        new ones with free names when an officer's sheet holds 校验结果 or 校验记录."""
        heads = {name: rows[: ownsheets.HEAD_ROWS] for name, rows in self.sheets.items()}
        own = ownsheets.own(heads)
        taken = list(self.sheets)
        result = ownsheets.named(own, ownsheets.RESULTS)
        result = result or ownsheets.free_name(RESULT_SHEET, taken)
        stamp = ownsheets.named(own, ownsheets.STAMP)
        stamp = stamp or ownsheets.free_name(STAMP_SHEET, [*taken, result])
        return result, stamp

    def ledger_name(self, names: tuple[str, str]) -> str:
        """The hidden sheet the row hashes go to: ours, or a new one with a free name."""
        heads = {name: rows[: ownsheets.HEAD_ROWS] for name, rows in self.sheets.items()}
        ledger = ownsheets.named(ownsheets.own(heads), ownsheets.LEDGER)
        return ledger or ownsheets.free_name(ownsheets.LEDGER_SHEET, [*self.sheets, *names])


def tables(book: Book, merged: Mapping[str, Iterable[Area]] | None = None) -> list[Table]:
    """Every 附件3/附件4 table, found as ``dyxx check`` finds them.

    ``merged`` lists a sheet's merged areas (from Excel): like the file reader,
    a vertical merge (a 所在党支部 merged over several rows) counts as filled in
    on every row it spans.
    """
    found: list[Table] = []
    for name in book.data_sheets:
        rows = [[as_read(v) for v in row] for row in book.sheets[name]]
        areas = list((merged or {}).get(name, ()))
        if areas:
            fill_merged(rows, [((t - 1, c - 1), (b - 1, e - 1)) for t, c, b, e in areas])
        found.extend(find_tables(rows, file=book.name, sheet=name))
    return found


def as_read(value: object) -> object:
    """A value from Excel as the file reader (calamine) delivers it, so the checks, and the
    data fingerprint, are the same as ``dyxx check``'s: "" for an empty cell, a number
    as a float, a date for a date without a time of day.

    >>> as_read(None), as_read(datetime(2017, 6, 15)), as_read(datetime(2017, 6, 15, 8, 30))
    ('', datetime.date(2017, 6, 15), datetime.datetime(2017, 6, 15, 8, 30))
    """
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)  # JSON clients send 211, Excel and calamine 211.0
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date()
    return value


SCAN_LIMIT = 1_000_000  # cells: a used range larger than this is measured by its content


def worth_measuring(area: Area) -> bool:
    """Whether a used range is so large that the last row and column holding anything
    should be looked up before reading (a column formatted down to row 1,048,576 makes
    Excel's used range that tall; reading it would fetch a million empty cells).

    >>> worth_measuring((1, 1, 5000, 30)), worth_measuring((1, 1, 1_048_576, 12))
    (False, True)
    """
    top, left, bottom, right = area
    return (bottom - top + 1) * (right - left + 1) > SCAN_LIMIT


def data_areas(found: Sequence[Table]) -> dict[str, list[Area]]:
    """Where merged cells matter: each table's data rows and columns, per sheet."""
    areas: dict[str, list[Area]] = {}
    for table in found:
        if table.records:
            columns = table.columns.values()
            area = (table.data_row, min(columns), table.records[-1].row, max(columns))
            areas.setdefault(table.sheet, []).append(area)
    return areas


def check(found: list[Table], today: date | None = None) -> Report:
    return check_tables(found, today)


def result_rows(findings: Sequence[Finding]) -> Rows:
    """The 校验结果 sheet from A1: the header, then one row per finding with a link."""
    rows: Rows = [list(RESULT_HEADER)]
    for row in annotate.result_rows(list(findings)):
        cells = list(row)
        sheet, cell = str(cells[1]), str(cells[2])
        cells[RESULT_LINK_COLUMN - 1] = hyperlink(sheet, cell)
        rows.append(cells)
    return rows


def hyperlink(sheet: str, cell: str) -> str:
    """A HYPERLINK formula to a cell of this workbook, showing the cell's address.

    >>> hyperlink("附件4", "D6")
    '=HYPERLINK("#\\'附件4\\'!D6","D6")'
    """
    target = "#" + annotate.link(sheet, cell)
    return f'=HYPERLINK("{_quoted(target)}","{_quoted(cell)}")'


def _quoted(value: str) -> str:
    return value.replace('"', '""')


def shown(rows: Sequence[Sequence[object]]) -> list[list[str]]:
    """Rows as Excel shows them after writing (a link shows its address), for comparing
    what a sheet holds with what would be written, so an unchanged sheet is not rewritten."""
    result = []
    for row in rows:
        cells = [_shown(v) for v in row]
        while cells and cells[-1] == "":
            cells.pop()
        result.append(cells)
    while result and not result[-1]:
        result.pop()
    return result


def _shown(value: object) -> str:
    if isinstance(value, str) and value.startswith("=HYPERLINK("):
        return value.rsplit(",", 1)[-1].removesuffix(")").strip('"').replace('""', '"')
    return text(value)


def stamp_rows(
    report: Report,
    book_name: str,
    operator: str,
    engine: str,
    ledger: str = ownsheets.LEDGER_SHEET,
) -> Rows:
    """The 校验记录 sheet from A1: ``dyxx check -o``'s rows plus the operator and engine, and
    where the row hashes are (the hidden ``ledger``: :func:`ledger_rows`)."""
    rows: Rows = [list(STAMP_HEADER)]
    base = annotate.stamp_rows(report, Path(book_name), report.for_file(book_name))
    rows.append(list(base[0]))
    rows.append(["操作人", operator])
    rows.extend(list(r) for r in base[1:])
    rows.append(["校验方式", f"Excel 插件（{engine}）"])
    rows.append([RECORDS_WHERE, annotate.LEDGER_WHERE.format(ledger)])
    return rows


def ledger_rows(found: Sequence[Table]) -> Rows:
    """The hidden 校验数据 sheet from A1: its marker, then the 【行指纹】 record (row hashes,
    for ``dyxx verify``) as ``dyxx check -o`` writes it."""
    return [[ownsheets.LEDGER_MARKER], *(list(r) for r in annotate.fingerprint_rows(list(found)))]


def operator_name() -> str:
    """Who clicked: the login name of this computer's user ("" when unknown)."""
    try:
        return getpass.getuser()
    except Exception:  # no login name in the environment
        return ""


def summary(
    report: Report,
    findings: Sequence[Finding],
    dropdowns: int,
    names: tuple[str, str] = (RESULT_SHEET, STAMP_SHEET),
) -> str:
    """The message shown when the check is done (``names``: the results and stamp sheets)."""
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    verdict = PASSED if errors == 0 else FAILED
    lines = [
        f"共检查 {report.rows} 行：错误 {errors} 个，警告 {warnings} 个。结论：{verdict}。",
    ]
    if findings:
        lines.append(
            f"有问题的单元格已标红（错误）或标黄（警告）并加了批注；"
            f"全部问题列在“{names[0]}”工作表，点单元格位置可跳转。"
        )
    if dropdowns:
        lines.append(f"已为 {dropdowns} 列补上下拉列表。")
    lines.append(f"校验时间、结论和数据指纹记在“{names[1]}”工作表。")
    return "\n".join(lines)


def deferred(count: int, names: tuple[str, str] = (RESULT_SHEET, STAMP_SHEET)) -> str:
    """The line saying how many notes wait for the next click (notes one by one are slow)."""
    return (
        f"批注较多：还有 {count} 个单元格这次只标了颜色，问题已列在“{names[0]}”工作表；"
        f"再点一次“校验”补上这些批注。"
    )


def took(seconds: float) -> str:
    """How long the click took.

    >>> took(0.2), took(2.6)
    ('用时不到 1 秒。', '用时 3 秒。')
    """
    return "用时不到 1 秒。" if seconds < 0.5 else f"用时 {round(seconds)} 秒。"
