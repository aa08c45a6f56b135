"""The input aids the Excel 校验 button adds to a table: dropdowns and number formats.

The same plan as ``dyxx prepare`` (:mod:`addin.write.dataentry`), expressed as pure
data the Excel layer applies through xlwings (from :mod:`addin.write.entry`: no
openpyxl here): which columns get a dropdown from which options on the hidden code
sheet, which cells become text or date formatted, and the code sheet's cells
themselves (laid out exactly as :func:`addin.write.dataentry.write_code_sheet` lays
them out, so a workbook that went through ``dyxx prepare`` keeps its code sheet).

>>> [d.table_key for d in dropdowns("members", {"gender": 5, "name": 2}, 6, 2005)]
['gender']
>>> option_cells("gender")
(21, 4, 5)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from addin.model.a1 import runs
from addin.model.fields import CODED, DATE_FIELDS, ENUMERATIONS, TEXT_FORMAT_FIELDS
from addin.read.ownsheets import CODE_MARKER, free_name
from addin.read.reader import Table, is_footer
from addin.values import codes
from addin.values.cells import text
from addin.write.entry import (
    CODE_FIRST_ROW,
    CODE_HEADS,
    CODE_SHEET,
    DATA_ROWS,
    DATE_FORMAT,
    TEXT_FORMAT,
    options,
)


@dataclass(frozen=True)
class Dropdown:
    """A list validation for one column of one table."""

    sheet: str
    column: int
    first: int
    last: int
    table_key: str
    kind: str = "members"
    key: str = ""  # the column's field

    @property
    def stop(self) -> bool:
        """Enumerations (性别, 是/否 …) accept nothing else; coded columns only warn,
        so a bare code such as 21 can still be typed."""
        return self.table_key in ENUMERATIONS


@dataclass(frozen=True)
class Format:
    """A number format for a rectangle of cells (1-based, inclusive)."""

    sheet: str
    first_row: int
    last_row: int
    first_column: int
    last_column: int
    number_format: str


@dataclass(frozen=True)
class Aids:
    """What one table needs, for rows ``first``..``last``."""

    sheet: str
    header_row: int
    first: int
    last: int
    dropdowns: tuple[Dropdown, ...]
    formats: tuple[Format, ...]


def code_sheet_rows() -> list[list[object]]:
    """The code sheet's cells from A1 (all text), as ``dataentry.write_code_sheet`` writes them."""
    width = 3 * len(codes.KEYS)
    height = (
        CODE_FIRST_ROW
        - 1
        + max(max(len(codes.table(k).entries), len(options(k))) for k in codes.KEYS)
    )
    rows: list[list[object]] = [[""] * width for _ in range(height)]
    rows[0][0] = CODE_MARKER
    for index, key in enumerate(codes.KEYS):
        col = 3 * index
        table = codes.table(key)
        rows[1][col] = f"{table.reference}（{table.source}）"
        for offset, head in enumerate(CODE_HEADS):
            rows[2][col + offset] = head
        for row, entry in enumerate(table.entries, start=CODE_FIRST_ROW - 1):
            rows[row][col], rows[row][col + 1] = entry.code, entry.name
        for row, value in enumerate(options(key), start=CODE_FIRST_ROW - 1):
            rows[row][col + 2] = value
    return rows


def option_cells(table_key: str) -> tuple[int, int, int]:
    """(column, first row, last row) of a table's dropdown options on the code sheet."""
    column = 3 * codes.KEYS.index(table_key) + 3
    return column, CODE_FIRST_ROW, CODE_FIRST_ROW + len(options(table_key)) - 1


def find_code_sheet(sheets: Mapping[str, Sequence[Sequence[object]]]) -> str | None:
    """The name of our code sheet (recognised by its marker, as dataentry does)."""
    for name, rows in sheets.items():
        if rows and rows[0] and text(rows[0][0]) == CODE_MARKER:
            return name
    return None


def new_code_sheet_name(names: Sequence[str]) -> str:
    """代码表, or 代码表2, 代码表3 … when the name is taken."""
    return free_name(CODE_SHEET, names)


def is_current(rows: Sequence[Sequence[object]]) -> bool:
    """True when a code sheet's cells are what :func:`code_sheet_rows` would write."""
    expected = code_sheet_rows()
    if len(rows) < len(expected):
        return False
    for want, have in zip(expected, rows, strict=False):
        padded = [text(v) for v in have] + [""] * len(want)
        if [text(v) for v in want] != padded[: len(want)]:
            return False
    return True


def input_last_row(table: Table, tables: Sequence[Table], rows: Sequence[Sequence[object]]) -> int:
    """The last row of a table's input area: its data and the empty rows below it.

    2000 rows below the header (or the data, if longer), but never into a later
    table on the same sheet, a footer such as 注：…, or any row holding data.
    """
    last_data = table.records[-1].row if table.records else table.data_row
    below = [
        t.header_row for t in tables if t.sheet == table.sheet and t.header_row > table.header_row
    ]
    end = min(below) - 1 if below else max(last_data, table.data_row + DATA_ROWS - 1)
    columns = [c - 1 for key, c in table.columns.items() if key != "seq"]
    for number in range(last_data + 1, min(end, len(rows)) + 1):
        row = rows[number - 1]
        filled = any(c < len(row) and row[c] not in (None, "") for c in columns)
        if filled or (any(v not in (None, "") for v in row) and is_footer(row)):
            return number - 1
    return end


def dropdowns(
    kind: str, columns: Mapping[str, int], first: int, last: int, sheet: str = ""
) -> list[Dropdown]:
    coded = CODED[kind]
    return [
        Dropdown(sheet, col, first, last, coded[key], kind, key)
        for key, col in sorted(columns.items(), key=lambda item: item[1])
        if key in coded
    ]


def formats(
    columns: Mapping[str, int], first: int, last: int, first_empty: int, sheet: str = ""
) -> list[Format]:
    """Text format on text columns (all rows), date format on the empty rows of date columns."""
    found: list[Format] = []
    text_cols = sorted(c for key, c in columns.items() if key in TEXT_FORMAT_FIELDS)
    date_cols = sorted(c for key, c in columns.items() if key in DATE_FIELDS)
    for low, high in runs(text_cols):
        found.append(Format(sheet, first, last, low, high, TEXT_FORMAT))
    start = max(first, first_empty)
    if start <= last:
        for low, high in runs(date_cols):
            found.append(Format(sheet, start, last, low, high, DATE_FORMAT))
    return found


def plan(
    table: Table,
    tables: Sequence[Table],
    rows: Sequence[Sequence[object]],
    equipped_until: int | None,
) -> Aids | None:
    """What a table still needs, or None when it was equipped down to its input area."""
    last = input_last_row(table, tables, rows)
    first = table.data_row if equipped_until is None else equipped_until + 1
    if first > last:
        return None
    first_empty = (table.records[-1].row + 1) if table.records else table.data_row
    return Aids(
        table.sheet,
        table.header_row,
        first,
        last,
        tuple(dropdowns(table.kind, table.columns, first, last, table.sheet)),
        tuple(formats(table.columns, first, last, first_empty, table.sheet)),
    )
