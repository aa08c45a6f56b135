"""Read the 附件3/附件4 tables out of a workbook, finding them by header text.

Tables are found by their header row, not by position: title rows above the
header (附件4, 党员基本信息汇总表, 基层党委：…, 汇总日期：…), the two-row
merged header (联系电话 over 手机号/固定电话; 党组织信息/单位信息 over the
附件3 fields), spaces and line breaks inside header cells, any sheet name, and
extra columns are all tolerated. Values are read with python-calamine (fast,
and it also reads legacy .xls), each worksheet looked at first so that memory
follows its cells (:mod:`addin.extent`); nothing is ever written here.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from addin import extent
from addin import source as sources
from addin.errors import WorkbookError
from addin.package import Rewriter
from addin.schema import (
    FIELDS,
    KEY_FIELDS,
    MEMBER_PHONE_FALLBACK,
    TableKind,
    header_key,
    lookup_table,
)

HEADER_SCAN_ROWS = 50  # how far below the previous table a header is looked for
FOOTER = re.compile(r"^(注|说明|备注|填表人|审核人|制表人|信息采集员)")
META = re.compile(r"^(基层党委|汇总日期)[:：]?\s*(.*)$")

__all__ = ["Record", "Table", "WorkbookError", "find_tables", "read_workbook", "tables_in"]


class Record:
    """One data row: its sheet row number and the raw cells of the sheet row."""

    __slots__ = ("_values", "cells", "columns", "row")

    def __init__(self, row: int, cells: Sequence[object], columns: dict[str, int]) -> None:
        self.row = row  # 1-based sheet row
        self.cells = cells
        self.columns = columns
        self._values: dict[str, object] | None = None

    @property
    def values(self) -> dict[str, object]:
        """Field key -> raw cell value (None when empty)."""
        if self._values is None:
            self._values = {key: _cell(self.cells, col) for key, col in self.columns.items()}
        return self._values

    def __repr__(self) -> str:
        return f"Record(row={self.row})"


@dataclass
class Table:
    kind: TableKind
    file: str
    sheet: str
    header_row: int  # first header row (1-based)
    data_row: int  # first data row (1-based)
    columns: dict[str, int]  # field key -> 1-based column
    records: list[Record] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    rows_after_gap: int | None = None  # a later row that looks like data but was cut off
    uncached: list[tuple[int, int, str]] = field(default_factory=list)  # (row, col, formula)
    _columns: dict[str, list[object]] = field(default_factory=dict, repr=False, compare=False)
    _rows: list[Sequence[object]] | None = field(default=None, repr=False, compare=False)
    _width: int = field(default=0, repr=False, compare=False)  # shortest of _rows
    fingerprints: list[str] | None = field(default=None, repr=False, compare=False)  # per row
    # The rest of the table, read and checked in another process (see addin.split)
    rest: Any = field(default=None, repr=False, compare=False)

    def column(self, key: str) -> list[object]:
        """Every record's raw value of one field, in order ("" or None when empty).

        Computed once per field (the records of a table do not change once read).
        """
        if key not in self._columns:
            self._columns[key] = self._column(key)
        return self._columns[key]

    def _column(self, key: str) -> list[object]:
        col = self.columns.get(key)
        if col is None:
            return [None] * len(self.records)
        index = col - 1
        if self._rows is None or len(self._rows) != len(self.records):
            self._rows = [r.cells for r in self.records]
            self._width = min(map(len, self._rows), default=0)
        rows = self._rows
        if self._width > index:
            return list(map(itemgetter(index), rows))
        return [row[index] if index < len(row) else None for row in rows]

    @property
    def missing(self) -> list[str]:
        return [f.key for f in FIELDS[self.kind] if f.key not in self.columns]


def read_workbook(path: str | Path, password: str | None = None) -> list[Table]:
    """All 附件3/附件4 tables of one workbook; raises :class:`WorkbookError`."""
    return read_source(sources.load(Path(path), password))


def read_source(source: sources.Source) -> list[Table]:
    """All tables of a loaded workbook, with the formulas saved without a result."""
    source.start_scan(skip=set(sheet_parts(source).values()))  # the rest: sizes and CRCs
    formulas: dict[str, dict[str, str]] = {}
    sheets = read_sheets(source, formulas=formulas)
    sources.forget_inflated()  # the rows are what the rest needs
    formulas.update(uncached_by_sheet(source.data, source.uncached))
    return tables_in(source.path, sheets, formulas)


def read_sheets(
    source: sources.Source,
    names: Collection[str] | None = None,
    formulas: dict[str, dict[str, str]] | None = None,
) -> dict[str, list[Sequence[object]]]:
    """The rows of a loaded workbook's sheets (those in ``names``, or all), merged cells
    filled down, each read so that memory follows its cells (:mod:`addin.extent`).

    ``formulas``, when given, gets each sheet's formulas saved without a result.
    """
    workbook = open_workbook(source.path, source.data)
    parts = sheet_parts(source)
    archive = zipfile.ZipFile(io.BytesIO(source.data)) if parts else None
    sheets: dict[str, list[Sequence[object]]] = {}
    for name in workbook.sheet_names:
        if names is not None and name not in names:
            continue
        if archive is None or name not in parts:  # a legacy .xls
            sheets[name] = sheet_rows(source.path, workbook, name)
            continue
        xml = sheet_xml(source, archive, parts[name])
        found = sources.formula_scan(xml) if formulas is not None else dict
        copy = None if extent.dense(xml) else extent.plan(source.path, name, xml)
        del xml  # let go before calamine reads (unless the scan still needs it)
        sources.forget_inflated()
        sheets[name] = _guarded_rows(source, workbook, name, parts[name], copy)
        if formulas is not None:
            formulas[name] = found()
    return sheets


def sheet_parts(source: sources.Source) -> dict[str, str]:
    """Sheet name -> worksheet part of an .xlsx ({} for a legacy .xls, or when the
    workbook part cannot be read: calamine then reports what is wrong)."""
    if source.kind != "xlsx":
        return {}
    try:
        parts = sources.sheet_parts(source.data)
    except Exception:
        return {}
    return {name: part for part, name in parts.items()}


def sheet_xml(source: sources.Source, archive: zipfile.ZipFile, part: str) -> bytes:
    """A worksheet part's XML (its size and CRC checked); ``archive`` is the package."""
    try:
        return sources.inflate(source.data, archive, part)
    except KeyError:
        return b""  # a sheet without its part: calamine reports it
    except sources.UNREADABLE_MEMBER:
        raise WorkbookError(
            source.path, f"文件已损坏（{part} 无法解压），{sources.RESAVE}"
        ) from None


def _guarded_rows(
    source: sources.Source,
    workbook: CalamineWorkbook,
    name: str,
    part: str,
    copy: extent.Outliers | None,
) -> list[Sequence[object]]:
    """A sheet's rows: as calamine reads it, or through the ``copy`` :func:`addin.extent.plan`
    made of a sheet whose cells are far apart."""
    if copy is None:
        return sheet_rows(source.path, workbook, name)
    package = Rewriter(source.data)
    package.put(part, copy.xml)
    copied = open_workbook(source.path, package.finish())
    del package
    copy.xml = b""  # calamine has it
    grid, merged = _read_sheet(source.path, copied, name)
    rows = copy.rows(grid)
    fill_merged(rows, merged)
    return rows


def tables_in(
    path: Path, sheets: dict[str, list[list[object]]], formulas: dict[str, dict[str, str]]
) -> list[Table]:
    """The tables of every sheet's rows; raises :class:`WorkbookError` when there is none.

    ``formulas`` are the formulas saved without a result, by sheet name and cell.
    """
    tables: list[Table] = []
    for name, rows in sheets.items():
        show_formulas(rows, formulas.get(name, {}))
        found = find_tables(rows, file=str(path), sheet=name)
        for table in found:
            table.uncached = uncached_in(table, formulas.get(name, {}))
        tables.extend(found)
    if not tables:
        raise WorkbookError(path, no_table_message())
    return tables


def open_workbook(path: Path, data: bytes | None = None, file: Path | None = None):
    """Open the workbook at ``path`` from its bytes, or from ``file`` (a copy of it);
    errors name ``path``."""
    try:
        if file is not None:
            return CalamineWorkbook.from_path(str(file))
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except BaseException as exc:  # calamine raises several unrelated types, and panics
        if not isinstance(exc, Exception) and not _panicked(exc):
            raise
        problem = (
            "无法读取：文件已损坏，或不是真正的 Excel 工作簿（请用 Excel 打开后另存为 .xlsx 再试）"
        )
        raise WorkbookError(path, problem) from None


def _panicked(exc: BaseException) -> bool:
    """A Rust panic in python-calamine (pyo3 raises it as a BaseException)."""
    kind = type(exc)
    return kind.__name__ == "PanicException" and kind.__module__ == "pyo3_runtime"


def uncached_by_sheet(data: bytes, by_part: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Uncached formulas by worksheet part name, keyed by sheet name instead."""
    if not by_part:
        return {}
    try:
        parts = sources.sheet_parts(data)
    except Exception:
        return {}
    return {parts[p]: cells for p, cells in by_part.items() if p in parts}


def sheet_rows(
    path: Path, workbook: CalamineWorkbook, name: str, *, from_first_cell: bool = False
) -> list[list[object]]:
    """A sheet's rows from A1 (merged cells filled down).

    ``from_first_cell``: the empty rows above the first cell with a value are empty
    tuples, which costs nothing when a sheet holds only the second half of a table.
    """
    rows, merged = _read_sheet(path, workbook, name, from_first_cell)
    fill_merged(rows, merged)
    return rows


def _read_sheet(
    path: Path, workbook: CalamineWorkbook, name: str, from_first_cell: bool = False
) -> tuple[list, list]:
    """calamine's rows of a sheet, and its merged ranges."""
    try:
        sheet = workbook.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=from_first_cell)
        merged = sheet.merged_cell_ranges or []
        if from_first_cell and rows:
            top, left = sheet.start or (0, 0)
            if left:
                rows = [[""] * left + row for row in rows]
            rows = [()] * top + rows
    except BaseException as exc:  # and a panic (a BaseException)
        if not isinstance(exc, Exception) and not _panicked(exc):
            raise
        raise WorkbookError(path, f"工作表“{name}”无法读取，文件可能已损坏") from None
    return rows, merged


def fill_merged(rows: list, merged) -> None:
    """Give every cell of a vertical merge its top value (a merged 所在党支部 column).

    Merges across columns (titles, a 注： note spanning the table) are left alone. A
    row that ends before the merge (a sparse sheet's rows end at their last cell) is
    lengthened.
    """
    for (top, left), (bottom, right) in merged:
        if left != right or top >= len(rows) or left >= len(rows[top]):
            continue
        value = rows[top][left]
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            row = rows[r]
            if len(row) <= left:
                row = rows[r] = [*row, *[""] * (left + 1 - len(row))]
            if row[left] == "":
                row[left] = value


def show_formulas(rows: list[list[object]], formulas: dict[str, str]) -> None:
    """A formula saved without its result shows as its text, so the officer sees why."""
    for ref, formula in formulas.items():
        row, col = _position(ref)
        if row < len(rows) and col < len(rows[row]) and rows[row][col] == "":
            rows[row][col] = formula


def _position(ref: str) -> tuple[int, int]:
    letters = ref.rstrip("0123456789")
    col = 0
    for char in letters:
        col = col * 26 + ord(char) - 64
    return int(ref[len(letters) :]) - 1, col - 1


def uncached_in(table: Table, formulas: dict[str, str]) -> list[tuple[int, int, str]]:
    if not formulas or not table.records:
        return []
    last = table.records[-1].row
    columns = set(table.columns.values())
    cells = []
    for ref, formula in formulas.items():
        row, col = _position(ref)
        if table.data_row <= row + 1 <= last and col + 1 in columns:
            cells.append((row + 1, col + 1, formula))
    return sorted(cells)


def no_table_message() -> str:
    wanted = "；".join(
        f"附件{'4' if kind == 'members' else '3'}需要“{'”“'.join(_labels(kind))}”"
        for kind in ("members", "orgs")
    )
    return f"没有找到附件3或附件4表格。在各工作表中查找表头：{wanted}"


def _labels(kind: str) -> list[str]:
    return [f.label for f in FIELDS[kind] if f.key in KEY_FIELDS[kind]]


def find_tables(
    rows: Sequence[Sequence[object]], *, file: str, sheet: str, start: int = 0
) -> list[Table]:
    """Every table in one sheet's rows (from row index ``start``), top to bottom."""
    tables: list[Table] = []
    while True:
        table = _next_table(rows, start, file, sheet)
        if table is None:
            return tables
        end = read_records(rows, table)
        tables.append(table)
        start = end


def first_header(rows: Sequence[Sequence[object]], kind: str) -> tuple[int, dict[str, int]] | None:
    """(header row, columns) of the first table of ``kind`` near the top of a sheet."""
    for index in range(min(len(rows), HEADER_SCAN_ROWS)):
        header = _header_at(rows, index, kind)
        if header is not None:
            return index + 1, header[0]
    return None


def _next_table(rows: Sequence[Sequence[object]], start: int, file: str, sheet: str):
    for index in range(start, min(len(rows), start + HEADER_SCAN_ROWS)):
        for kind in ("members", "orgs"):
            header = _header_at(rows, index, kind)
            if header is not None:
                columns, depth = header
                return Table(
                    kind=kind,
                    file=file,
                    sheet=sheet,
                    header_row=index + 1,
                    data_row=index + depth + 1,
                    columns=columns,
                    meta=_meta(rows[start:index]),
                )
    return None


def _row_matches(row: Sequence[object], kind: str) -> dict[str, int]:
    lookup = lookup_table(kind)
    found: dict[str, int] = {}
    for col, value in enumerate(row, start=1):
        if isinstance(value, str) and value:
            matched = lookup.get(header_key(value))
            if matched is not None and matched.key not in found:
                found[matched.key] = col
    return found


def _header_at(rows: Sequence[Sequence[object]], index: int, kind: str):
    """(columns, header depth) when rows[index] starts a header of ``kind``."""
    top = _row_matches(rows[index], kind)
    if not top:
        return None
    below = _row_matches(rows[index + 1], kind) if index + 1 < len(rows) else {}
    fresh = {k: c for k, c in below.items() if k not in top}
    columns = {**top, **fresh} if fresh else dict(top)
    if kind == "members" and "mobile" not in columns:
        phone = _phone_column(rows[index])
        if phone:
            columns["mobile"] = phone
    if not all(key in columns for key in KEY_FIELDS[kind]):
        return None
    return columns, 2 if fresh else 1


def _phone_column(row: Sequence[object]) -> int | None:
    for col, value in enumerate(row, start=1):
        if isinstance(value, str) and header_key(value) == MEMBER_PHONE_FALLBACK:
            return col
    return None


def _meta(rows: Sequence[Sequence[object]]) -> dict[str, str]:
    meta: dict[str, str] = {}
    for row in rows:
        cells = [header_key(v) for v in row if v not in (None, "")]
        for i, text in enumerate(cells):
            match = META.match(text)
            if match:
                value = match.group(2) or (cells[i + 1] if i + 1 < len(cells) else "")
                meta[match.group(1)] = value
    return meta


def _cell(row: Sequence[object], col: int) -> object:
    value = row[col - 1] if col - 1 < len(row) else None
    if value == "":
        return None
    return value


def read_records(rows: Sequence[Sequence[object]], table: Table) -> int:
    """Fill ``table.records``; return the index of the first row after the table."""
    fields = {k: c for k, c in table.columns.items() if k != "seq"}
    indexes = [col - 1 for col in fields.values()]
    index = table.data_row - 1
    records = table.records
    key = indexes[0] if indexes else 0
    while index < len(rows):
        row = rows[index]
        filled = len(row) - row.count("") - row.count(None)
        if filled > 2 and len(row) > key and row[key] not in ("", None):
            # fast: a key field is filled and the row is too full to be a footer
            records.append(Record(index + 1, row, fields))
            index += 1
            continue
        width = len(row)
        if not any(row[i] not in ("", None) for i in indexes if i < width):
            table.rows_after_gap = _data_after_gap(rows, index, fields)
            return index
        if is_footer(row):
            return index
        records.append(Record(index + 1, row, fields))
        index += 1
    return index


def is_footer(row: Sequence[object]) -> bool:
    filled = [v for v in row if v not in (None, "")]
    return len(filled) <= 2 and isinstance(filled[0], str) and bool(FOOTER.match(filled[0].strip()))


def _data_after_gap(rows, index: int, fields: dict[str, int]) -> int | None:
    """The first later row that still looks like data of this table (≥3 filled fields)."""
    for later in range(index, min(len(rows), index + HEADER_SCAN_ROWS)):
        filled = sum(_cell(rows[later], col) is not None for col in fields.values())
        if filled >= 3:
            if any(_header_at(rows, later, kind) for kind in ("members", "orgs")):
                return None
            return later + 1
    return None
