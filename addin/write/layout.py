"""The official 附件3/附件4 layout, written with openpyxl.

Used to build the bundled example and test fixtures (and later the hand-out
templates): 附件N line, title, 基层党委/汇总日期 line, the two-row merged
header with the seed's line breaks, 序号, the seed's column order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from addin.model.celltext import set_text
from addin.model.fields import ANNEXES, Field
from addin.model.fields import columns as columns_of
from addin.model.findings import column_letter
from addin.write import cellstyle
from addin.write.cellstyle import Look
from addin.write.printing import LINE_HEIGHT, PADDING, height, lines

TITLES = ANNEXES
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
HEADER = Look(font=Font(bold=True), alignment=CENTER, border=BOX)
BOXED = Look(border=BOX, alignment=Alignment(vertical="center", wrap_text=True))
HEADER_ROW = 4
DATA_ROW = 6
HEADER_HEIGHT = 30  # points, each of the two header rows at least


def columns(kind: str) -> tuple[tuple[str, str], ...]:
    """(header text as printed in the seed, field key) of each column, in the seed's order."""
    return tuple((f.printed, f.key) for f in columns_of(kind))


MEMBER_COLUMNS = columns("members")
ORG_COLUMNS = columns("orgs")


def groups(kind: str) -> tuple[tuple[str, int, int], ...]:
    """Group headers over the second header row: (text, first column, last column).

    >>> groups("orgs")
    (('党组织信息', 3, 7), ('单位信息', 8, 11))
    """
    found: list[tuple[str, int, int]] = []
    for col, item in enumerate(columns_of(kind), start=1):
        if found and item.group == found[-1][0] and found[-1][2] == col - 1:
            found[-1] = (item.group, found[-1][1], col)
        elif item.group:
            found.append((item.group, col, col))
    return tuple(found)


GROUPS = {kind: groups(kind) for kind in TITLES}


def add_table(
    workbook: Workbook,
    kind: str,
    rows: Iterable[Mapping[str, object]] = (),
    *,
    title: str | None = None,
    committee: str = "",
    summary_date: str = "2017 年  月  日",
) -> Worksheet:
    """Add one official table as a new sheet; ``rows`` map field keys to cell values."""
    sheet = workbook.create_sheet(title or TITLES[kind][1])
    _title_rows(sheet, kind, committee, summary_date)
    _header(sheet, kind)
    header_heights(sheet, kind)
    for offset, row in enumerate(rows):
        _data_row(sheet, kind, DATA_ROW + offset, offset + 1, row)
    return sheet


def new_workbook() -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def _title_rows(sheet: Worksheet, kind: str, committee: str, summary_date: str) -> None:
    width = len(columns(kind))
    annex, title = TITLES[kind]
    sheet["A1"] = annex
    sheet["A2"] = title
    sheet["A2"].font = Font(size=16, bold=True)
    sheet["A2"].alignment = Alignment(horizontal="center")
    cellstyle.merge(sheet, 2, 1, 2, width)
    set_text(sheet["A3"], f"基层党委：{committee}")
    set_text(sheet.cell(row=3, column=width - 3), f"汇总日期：{summary_date}")


def _header(sheet: Worksheet, kind: str) -> None:
    grouped = {c for _t, first, last in GROUPS[kind] for c in range(first, last + 1)}
    for col, (text, _key) in enumerate(columns(kind), start=1):
        if col in grouped:
            sheet.cell(row=HEADER_ROW + 1, column=col, value=text)
        else:
            sheet.cell(row=HEADER_ROW, column=col, value=text)
            cellstyle.merge(sheet, HEADER_ROW, col, HEADER_ROW + 1, col)
    for text, first, last in GROUPS[kind]:
        sheet.cell(row=HEADER_ROW, column=first, value=text)
        cellstyle.merge(sheet, HEADER_ROW, first, HEADER_ROW, last)
    for row in sheet.iter_rows(
        min_row=HEADER_ROW, max_row=HEADER_ROW + 1, max_col=len(columns(kind))
    ):
        for cell in row:
            HEADER.apply(cell)
    for col, item in enumerate(columns_of(kind), start=1):
        sheet.column_dimensions[column_letter(col)].width = item.width


def header_heights(sheet: Worksheet, kind: str) -> None:
    """The two header rows as tall as their wrapped texts need: a column's own header spans
    both rows, a grouped column's header sits in the second, under its group's."""
    grouped = {c for _t, first, last in GROUPS[kind] for c in range(first, last + 1)}
    second = spanned = 1
    for col, item in enumerate(columns_of(kind), start=1):
        needed = lines(item.printed, item.width)
        if col in grouped:
            second = max(second, needed)
        else:
            spanned = max(spanned, needed)
    lower = max(HEADER_HEIGHT, second * LINE_HEIGHT + PADDING)
    upper = max(HEADER_HEIGHT, spanned * LINE_HEIGHT + PADDING - lower)
    sheet.row_dimensions[HEADER_ROW].height = upper
    sheet.row_dimensions[HEADER_ROW + 1].height = lower


def _data_row(sheet: Worksheet, kind: str, row: int, seq: int, values: Mapping[str, object]):
    wrapped = []
    for col, item in enumerate(columns_of(kind), start=1):
        key = item.key
        value = seq if key == "seq" and "seq" not in values else values.get(key)
        cell = sheet.cell(row=row, column=col)
        set_text(cell, value)  # data stays data: "=1+1" is text, never a formula
        BOXED.apply(cell)
        fmt = _number_format(item, value)
        if fmt:
            cell.number_format = fmt
        if isinstance(value, str) and len(value) * 2 > item.width - 1:  # may need two lines
            wrapped.append((value, item.width))
    needed = height(wrapped) if wrapped else None
    if needed is not None:
        sheet.row_dimensions[row].height = needed


def _number_format(item: Field, value: object) -> str | None:
    """Text columns are text, their empty cells too (an ID typed in later stays text); in a
    date column (失去联系日期 included) a real date is shown as one, nothing else is formatted."""
    if item.text and not item.date:
        return "@"
    return "yyyy-mm-dd" if isinstance(value, date | datetime) else None
