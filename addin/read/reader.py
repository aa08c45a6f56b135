"""Read the 附件3/附件4 tables out of a workbook, finding them by header text.

Tables are found by their header row, not by position: title rows above the
header (附件4, 党员基本信息汇总表, 基层党委：…, 汇总日期：…), the two-row
merged header (联系电话 over 手机号/固定电话; 党组织信息/单位信息 over the
附件3 fields), spaces and line breaks inside header cells, any sheet name, and
extra columns are all tolerated. A table runs to its last row of data: empty
rows inside it are skipped, footer lines below it (注：…, 填表人：…) are not data,
and a row of data that cannot be placed is kept for a finding (:func:`read_records`).
dyxx's own sheets are never read as tables (:mod:`addin.read.ownsheets`). Values are read
with python-calamine (fast, and it also reads legacy .xls), each worksheet looked at
first so that memory follows its cells (:mod:`addin.read.extent`) and a cell holding an
Excel error (``#N/A`` …) holds its text, never "" (:func:`addin.xlsx.source.error_cells`;
not in a legacy .xls, whose errors calamine reads as empty); nothing is ever written here.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter
from pathlib import Path

from python_calamine import CalamineWorkbook

from addin.model.a1 import position
from addin.model.errors import WorkbookError
from addin.model.fields import (
    FIELDS,
    KEY_FIELDS,
    MEMBER_PHONE_FALLBACK,
    TableKind,
    header_key,
    lookup_table,
)
from addin.read import extent, ownsheets
from addin.values.cells import text, visible
from addin.xlsx import source as sources
from addin.xlsx.package import Rewriter

HEADER_SCAN_ROWS = 50  # how far below the start of a sheet the first header is looked for
# Lines below a table's data: notes (注：, 说明：), signatures, totals, dates
FOOTER = re.compile(
    r"^(?:(?:附注|注意事项|注意|注|填表说明|说明|备注)(?![\u4e00-\u9fff])"
    r"|(?:填表|填报|审核|审批|制表|统计|负责|经办|联系)人|信息采集员|联系电话"
    r"|合计|总计|小计|共计|(?:制表|填表|填报|报送|统计)(?:日期|时间)"
    r"|(?:单位)?[（(]?(?:盖章|公章|签章))"
)
META = re.compile(r"^(基层党委|汇总日期)[:：]?\s*(.*)$")
# Title lines (above a table, or above the next one on the same sheet)
TITLE = re.compile(
    r"^(?:附件\s*[1-4]|(?:基层党委|汇总日期)[:：].*|.{0,40}(?:汇总表|采集表)(?:[（(].*)?)$"
)
# A row that holds only these of a table's fields holds no member (or organisation): a
# numbered empty row, or one where only the merged 所在党支部 reaches
PLACEHOLDER_FIELDS = {"members": frozenset({"branch"}), "orgs": frozenset()}
HEADER_WORDS = frozenset(lookup_table("members")) | frozenset(lookup_table("orgs"))
HEADER_STARTS = frozenset(word[0] for word in HEADER_WORDS)
FOOTER_LINE, TITLE_LINE, HEADER_LINE = "footer", "title", "header"  # see _line
NUMBERS = frozenset({float, int})
# The first characters a footer, title or header line can start with (or space before
# it), and the ends of a title: only rows leading with one are looked at closer
SPECIAL = (
    frozenset("注附说备填审制统负经联信合总小共报单（(盖公签基汇 \u3000\t\n\r") | HEADER_STARTS
)
TITLE_ENDS = ("汇总表", "采集表", "）", ")")

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

    def with_values(self, values: dict[str, object]) -> Record:
        """This row with other values (a 联合支部 with its units joined in, rules.org)."""
        copy = Record(self.row, self.cells, self.columns)
        copy._values = values
        return copy

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
    rows_after_gap: int | None = None  # never set: a gap no longer ends a table
    unplaced: list[Unplaced] = field(default_factory=list)  # rows with data, not records
    uncached: list[tuple[int, int, str]] = field(default_factory=list)  # (row, col, formula)
    errors: list[tuple[int, int, str]] = field(default_factory=list)  # (row, col, "#N/A")
    made_by: str | None = None  # the dyxx command whose output the workbook is ("merge")
    _columns: dict[str, list[object]] = field(default_factory=dict, repr=False, compare=False)
    _rows: list[Sequence[object]] | None = field(default=None, repr=False, compare=False)
    _width: int = field(default=0, repr=False, compare=False)  # shortest of _rows
    _grid: list[list[object]] | None = field(default=None, repr=False, compare=False)  # by column
    fingerprints: list[str] | None = field(default=None, repr=False, compare=False)  # per row

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
            self._grid = None
        rows = self._rows
        if self._width > index:
            if self._grid is None:  # every column at once (fast)
                self._grid = transposed(rows)
            return self._grid[index]
        return [row[index] if index < len(row) else None for row in rows]

    @property
    def missing(self) -> list[str]:
        return [f.key for f in FIELDS[self.kind] if f.key not in self.columns]


def transposed(rows: list[Sequence[object]]) -> list[list[object]]:
    """The columns of ``rows``, as far as the shortest row reaches.

    Rows that are all lists of one length (as calamine reads a sheet) are laid end
    to end and each column sliced out of that (faster than ``zip``, which goes
    through every row's iterator for every column).

    >>> transposed([[1, 2], [3, 4]]), transposed([[1, 2], (3,)]), transposed([])
    ([[1, 3], [2, 4]], [[1, 3]], [])
    """
    if not rows:
        return []
    width = len(rows[0])
    if min(map(len, rows)) == width == max(map(len, rows)) and set(map(type, rows)) == {list}:
        cells = list(chain.from_iterable(rows))
        return [cells[column::width] for column in range(width)]
    return list(map(list, zip(*rows, strict=False)))


def read_workbook(path: str | Path, password: str | None = None) -> list[Table]:
    """All 附件3/附件4 tables of one workbook; raises :class:`WorkbookError`."""
    return read_source(sources.load(Path(path), password))


def read_source(source: sources.Source) -> list[Table]:
    """All tables of a loaded workbook, with the formulas saved without a result."""
    source.start_scan(skip=set(sheet_parts(source).values()))  # the rest: sizes and CRCs
    formulas: dict[str, dict[str, str]] = {}
    errors: dict[str, dict[tuple[int, int], str]] = {}
    sheets = read_sheets(source, formulas=formulas, errors=errors)
    formulas.update(uncached_by_sheet(source.data, source.uncached))
    return tables_in(source.path, sheets, formulas, errors)


def read_sheets(
    source: sources.Source,
    names: Collection[str] | None = None,
    formulas: dict[str, dict[str, str]] | None = None,
    errors: dict[str, dict[tuple[int, int], str]] | None = None,
) -> dict[str, list[Sequence[object]]]:
    """The rows of a loaded workbook's sheets (those in ``names``, or all), merged cells
    filled down, each read so that memory follows its cells (:mod:`addin.read.extent`).

    A cell holding an Excel error holds its text (``#N/A``), never "" (calamine reads it
    as empty). ``formulas``, when given, gets each sheet's formulas saved without a
    result; ``errors`` each sheet's error cells, (row, column) 0-based -> the error.
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
        failed, readable = sources.error_cells(xml)
        copy = None if extent.dense(readable) else extent.plan(source.path, name, readable)
        if copy is None and readable is not xml:  # errors calamine refuses, written #N/A
            copy = extent.Outliers(readable, extent.MAX_ROWS, [])
        del xml, readable  # let go before calamine reads (unless the scan still needs it)
        sheets[name] = _guarded_rows(source, workbook, name, parts[name], copy, failed)
        if formulas is not None:
            formulas[name] = found()
        if errors is not None and failed:
            errors[name] = failed
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
        return source.inflate(archive, part)
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
    errors: dict[tuple[int, int], str],
) -> list[Sequence[object]]:
    """A sheet's rows: as calamine reads it, or through the ``copy`` :func:`addin.read.extent.plan`
    made of a sheet whose cells are far apart; ``errors`` (:func:`addin.xlsx.source.error_cells`)
    put back where calamine read nothing."""
    if copy is None:
        rows, merged = _read_sheet(source.path, workbook, name)
    else:
        package = Rewriter(source.data)
        package.put(part, copy.xml)
        copied = open_workbook(source.path, package.finish())
        del package
        copy.xml = b""  # calamine has it
        grid, merged = _read_sheet(source.path, copied, name)
        rows = copy.rows(grid)
    put_errors(rows, errors)
    fill_merged(rows, merged)
    return rows


def put_errors(rows: list, errors: dict[tuple[int, int], str]) -> None:
    """Write each error's text (``#N/A``) into its cell, (row, column) 0-based."""
    for (row, column), error in errors.items():
        if row >= len(rows):
            rows.extend([()] * (row + 1 - len(rows)))
        cells = rows[row]
        if len(cells) <= column:
            cells = [*cells, *[""] * (column + 1 - len(cells))]
        elif isinstance(cells, tuple):
            cells = list(cells)
        cells[column] = error
        rows[row] = cells


def tables_in(
    path: Path,
    sheets: dict[str, list[list[object]]],
    formulas: dict[str, dict[str, str]],
    errors: dict[str, dict[tuple[int, int], str]] | None = None,
) -> list[Table]:
    """The tables of every sheet's rows; raises :class:`WorkbookError` when there is none.

    dyxx's own sheets (results, stamp, code sheet, the reports of merge, sample and diff:
    :mod:`addin.read.ownsheets`) are never read as tables. ``formulas`` are the formulas saved
    without a result, by sheet name and cell; ``errors`` the cells holding an Excel error
    (``#N/A`` …), by sheet name and (row, column), 0-based.
    """
    own = ownsheets.own({name: rows[: ownsheets.HEAD_ROWS] for name, rows in sheets.items()})
    made_by = ownsheets.made_by(own)
    tables: list[Table] = []
    for name, rows in sheets.items():
        if name in own:
            continue
        show_formulas(rows, formulas.get(name, {}))
        failed = (errors or {}).get(name, {})
        found = find_tables(rows, file=str(path), sheet=name, errors=failed)
        for table in found:
            table.uncached = uncached_in(table, formulas.get(name, {}))
            table.errors = errors_in(table, failed)
            table.made_by = made_by
        tables.extend(found)
    if not tables:
        raise WorkbookError(path, no_table_message(list(own)))
    return tables


def open_workbook(path: Path, data: bytes):
    """Open the workbook at ``path`` from its bytes; errors name ``path``."""
    try:
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


def sheet_rows(path: Path, workbook: CalamineWorkbook, name: str) -> list[list[object]]:
    """A sheet's rows from A1 (merged cells filled down)."""
    rows, merged = _read_sheet(path, workbook, name)
    fill_merged(rows, merged)
    return rows


def _read_sheet(path: Path, workbook: CalamineWorkbook, name: str) -> tuple[list, list]:
    """calamine's rows of a sheet from A1, and its merged ranges."""
    try:
        sheet = workbook.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
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
        row, col = (n - 1 for n in position(ref))  # indices into rows
        if row < len(rows) and col < len(rows[row]) and rows[row][col] == "":
            rows[row][col] = formula


def uncached_in(table: Table, formulas: dict[str, str]) -> list[tuple[int, int, str]]:
    """The formulas saved without a result in the table's records: (row, column, formula)."""
    if not formulas or not table.records:
        return []
    rows = {record.row for record in table.records}
    columns = set(table.columns.values())
    cells = []
    for ref, formula in formulas.items():
        row, col = position(ref)
        if row in rows and col in columns:
            cells.append((row, col, formula))
    return sorted(cells)


def errors_in(table: Table, errors: dict[tuple[int, int], str]) -> list[tuple[int, int, str]]:
    """The cells of the table's records holding an Excel error: (row, column, "#N/A")."""
    if not errors or not table.records:
        return []
    rows = {record.row for record in table.records}
    columns = set(table.columns.values())
    return sorted(
        (row + 1, col + 1, value)
        for (row, col), value in errors.items()
        if row + 1 in rows and col + 1 in columns
    )


def no_table_message(own: Sequence[str] = ()) -> str:
    wanted = "；".join(
        f"附件{'4' if kind == 'members' else '3'}需要“{'”“'.join(_labels(kind))}”"
        for kind in ("members", "orgs")
    )
    found = f"没有找到附件3或附件4表格。在各工作表中查找表头：{wanted}"
    if own:
        found += f"（“{'”“'.join(own)}”是 dyxx 生成的工作表，不作为数据读取）"
    return found


def _labels(kind: str) -> list[str]:
    return [f.label for f in FIELDS[kind] if f.key in KEY_FIELDS[kind]]


def find_tables(
    rows: Sequence[Sequence[object]],
    *,
    file: str,
    sheet: str,
    start: int = 0,
    errors: Collection[tuple[int, int]] = (),
) -> list[Table]:
    """Every table in one sheet's rows (from row index ``start``), top to bottom.

    The first header is looked for near ``start``; each table then runs until the
    next header, wherever that is (:func:`read_records`). ``errors``: the cells holding
    an Excel error, (row, column) 0-based.
    """
    tables: list[Table] = []
    header = _next_header(rows, start)
    while header is not None:
        table = _table_at(rows, header, file, sheet, meta=rows[start:header])
        end = read_records(rows, table, errors)
        tables.append(table)
        start = table.records[-1].row if table.records else table.data_row - 1
        header = end if end < len(rows) else None
    return tables


def _next_header(rows: Sequence[Sequence[object]], start: int) -> int | None:
    """The index of the first header row at or a little below ``start``."""
    for index in range(start, min(len(rows), start + HEADER_SCAN_ROWS)):
        if _any_header(rows, index):
            return index
    return None


def _any_header(rows: Sequence[Sequence[object]], index: int) -> bool:
    return any(_header_at(rows, index, kind) is not None for kind in ("members", "orgs"))


def _table_at(
    rows: Sequence[Sequence[object]],
    index: int,
    file: str,
    sheet: str,
    meta: Sequence[Sequence[object]],
) -> Table:
    """The table whose header is rows[index] (:func:`_any_header` said there is one)."""
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
                meta=_meta(meta),
            )
    raise ValueError(f"no header at row {index + 1}")


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
        for i, cell in enumerate(cells):
            match = META.match(cell)
            if match:
                value = match.group(2) or (cells[i + 1] if i + 1 < len(cells) else "")
                meta[match.group(1)] = value
    return meta


def _cell(row: Sequence[object], col: int) -> object:
    value = row[col - 1] if col - 1 < len(row) else None
    if value == "":
        return None
    return value


def read_records(
    rows: Sequence[Sequence[object]], table: Table, errors: Collection[tuple[int, int]] = ()
) -> int:
    """Fill ``table.records`` and ``table.unplaced``; return the index of the next table's
    header row (the number of rows when no table follows).

    A table runs to its last row holding data (a value in one of its columns other than
    序号, or 所在党支部 alone): empty rows inside it, and rows holding only their 序号,
    are skipped. Footer lines (注：…, 填表人：…, 合计 …) end the data. What is not a
    record but looks like data is :class:`Unplaced` (reported, never dropped silently):
    a row with data below a footer line, a row inside the table with values only in
    columns that are not the table's (below the last record: if it fills three cells or
    more; fewer is a note, or the title of a table further down), and a row apart below
    the last record holding a single value that is no key field (a stray mark).

    ``errors`` are the cells holding an Excel error, (row, column) 0-based: a row whose
    data are only errors is a record when data follow it, and otherwise one of the
    template's empty rows whose formulas show an error (``#VALUE!`` of an empty ID).
    """
    return _Reading(rows, table, errors).run()


SOLID, STRAY, FAILING = "solid", "stray", "failing"  # what a row's data are (_Layout.weight)


class _Reading:
    """:func:`read_records` going down a table's rows."""

    def __init__(
        self, rows: Sequence[Sequence[object]], table: Table, errors: Collection[tuple[int, int]]
    ) -> None:
        self.rows, self.table, self.errors = rows, table, errors
        self.layout = _Layout(table)
        self.footer: tuple[int, str] | None = None  # the first footer line below the data
        self.outside: list[int] = []  # rows since the last record, values outside the columns
        self.pending: list[
            tuple[int, str]
        ] = []  # rows since the last record: records if one follows

    def run(self) -> int:
        rows, errors, layout = self.rows, self.errors, self.layout
        fields, data, key, seq = layout.fields, layout.data, layout.key, layout.seq
        records = self.table.records
        index, count = self.table.data_row - 1, len(rows)
        while index < count:
            row = rows[index]
            width = len(row)
            # the row's first value, or the one after its 序号 (fast for the usual rows)
            value = row[0] if width else ""
            if seq == 0 and value.__class__ in NUMBERS:
                value = row[1] if width > 1 else ""
            if value == "" or value is None:
                value = _leading(row, seq)
            if value.__class__ is str and (value[:1] in SPECIAL or value.endswith(TITLE_ENDS)):
                line = _line(rows, index, value)
                if line == FOOTER_LINE:
                    self.footer = self.footer or (index + 1, value.strip())
                if line == HEADER_LINE:
                    break
                if line is not None:
                    index += 1
                    continue
            keyed = width > key and row[key] not in ("", None)
            if self.footer is None and keyed and not errors and not self.pending:
                if self.outside:
                    self._flush()
                records.append(Record(index + 1, row, fields))  # the usual row, fast
            elif keyed or _count(row, data):
                self._data(index, row)
            elif _filled(row) > _count(row, layout.inside):
                self.outside.append(index)
            index += 1
        self._finish(at_end=index == count)
        return index

    def _data(self, index: int, row: Sequence[object]) -> None:
        """A row with values in the table's columns (not the usual fast one)."""
        layout = self.layout
        if self.footer is not None:
            if _count(row, layout.data) >= 3 or layout.keyed(row):
                column = layout.first_data(row)
                self.table.unplaced.append(Unplaced(index + 1, column, footer=self.footer))
            return
        weight = layout.weight(row, index, self.errors)
        if weight == FAILING or (weight == STRAY and self._apart(index)):
            self.pending.append((index, weight))
            return
        self._flush()
        self.table.records.append(Record(index + 1, row, layout.fields))

    def _apart(self, index: int) -> bool:
        """Whether rows lie between the row at ``index`` and the last record (or header)."""
        records = self.table.records
        last = records[-1].row if records else self.table.data_row - 1
        return index + 1 - last > 1

    def _flush(self) -> None:
        """A record follows: the rows since the last one with values only outside the
        columns are unplaced, those waiting for it are records."""
        rows, layout = self.rows, self.layout
        self.table.unplaced.extend(layout.outside(rows, i) for i in self.outside)
        self.table.records.extend(Record(i + 1, rows[i], layout.fields) for i, _w in self.pending)
        self.outside.clear()
        self.pending.clear()

    def _finish(self, at_end: bool) -> None:
        """Below the last record: stray marks, and, at the end of the sheet, what looks like
        data outside the columns, are unplaced; rows of errors alone are the template's."""
        rows, layout, unplaced = self.rows, self.layout, self.table.unplaced
        for index, weight in self.pending:
            if weight == STRAY:
                column = layout.first_data(rows[index])
                value = visible(text(rows[index][column - 1]))
                unplaced.append(Unplaced(index + 1, column, value=value, stray=True))
        if at_end:
            unplaced.extend(layout.outside(rows, i) for i in self.outside if _filled(rows[i]) >= 3)
        unplaced.sort(key=attrgetter("row"))


def _leading(row: Sequence[object], seq: int) -> object:
    """The first value of a row, or the one after it when that is a number in 序号."""
    first = _first_filled(row)
    if first >= 0 and first == seq and row[first].__class__ is not str:
        first = _first_filled(row, first + 1)
    return row[first] if first >= 0 else None


def _line(rows: Sequence[Sequence[object]], index: int, value: str) -> str | None:
    """What the row at ``index``, leading with ``value``, is when not data: a footer line
    (:data:`FOOTER`), a title line (:data:`TITLE`), a table's header, or None."""
    line = value.strip()
    if FOOTER.match(line):
        return FOOTER_LINE
    if TITLE.match(line):
        return TITLE_LINE
    if line[:1] in HEADER_STARTS and header_key(line) in HEADER_WORDS and _any_header(rows, index):
        return HEADER_LINE
    return None


class _Layout:
    """A table's columns, 0-based, as :func:`read_records` tells its rows apart."""

    def __init__(self, table: Table) -> None:
        self.fields = {k: c for k, c in table.columns.items() if k != "seq"}
        placeholders = PLACEHOLDER_FIELDS[table.kind]
        self.data = sorted(c - 1 for k, c in self.fields.items() if k not in placeholders)
        self.keys = [table.columns[k] - 1 for k in KEY_FIELDS[table.kind]]
        self.key = self.keys[0]  # 姓名, or 党组织名称: filled on nearly every row
        self.seq = table.columns.get("seq", 0) - 1
        self.inside = [c - 1 for c in table.columns.values()]

    def keyed(self, row: Sequence[object]) -> bool:
        """Whether every key field (姓名 and 公民身份证号, or 党组织名称 and 组织类别) is filled."""
        return _count(row, self.keys) == len(self.keys)

    def weight(self, row: Sequence[object], index: int, errors: Collection[tuple[int, int]]) -> str:
        """:data:`SOLID` data (a key field, or two values or more), a :data:`STRAY` value,
        or :data:`FAILING` (Excel errors only)."""
        width = len(row)
        real = [
            c
            for c in self.data
            if c < width and row[c] not in ("", None) and (index, c) not in errors
        ]
        if not real:
            return FAILING
        return SOLID if len(real) > 1 or real[0] in self.keys else STRAY

    def first_data(self, row: Sequence[object]) -> int:
        """The 1-based column of the row's first value in a data column."""
        return next(c for c in self.data if c < len(row) and row[c] not in ("", None)) + 1

    def outside(self, rows: Sequence[Sequence[object]], index: int) -> Unplaced:
        """The row at ``index``, holding values only outside the table's columns."""
        row, inside = rows[index], set(self.inside)
        columns = tuple(c + 1 for c, v in enumerate(row) if c not in inside and v not in ("", None))
        return Unplaced(index + 1, columns[0] if columns else 1, columns=columns)


@dataclass(frozen=True)
class Unplaced:
    """A row with data that is not one of the table's records (reported, never dropped
    silently): below a footer line, with values only outside the table's columns, or a
    stray value below the last record."""

    row: int  # 1-based sheet row
    column: int  # the column of its first value (1-based)
    footer: tuple[int, str] | None = None  # (row, text) of the footer line above it
    columns: tuple[int, ...] = ()  # the columns outside the table that hold its values
    value: str = ""  # a stray value, as shown
    stray: bool = False  # a single value that is no key field, apart below the last record


def _first_filled(row: Sequence[object], start: int = 0) -> int:
    """The index of the first cell from ``start`` on with a value (-1 for none)."""
    if isinstance(row, extent.SparseRow):
        return row.first_filled(start)
    for index in range(start, len(row)):
        value = row[index]
        if value != "" and value is not None:
            return index
    return -1


def _count(
    row: Sequence[object],
    columns: Sequence[int],
    index: int = 0,
    errors: Collection[tuple[int, int]] = (),
) -> int:
    """How many of the cells at ``columns`` (0-based) hold a value (other than an error at
    one of ``errors``, (row, column), for row ``index``)."""
    width = len(row)
    return sum(
        1 for c in columns if c < width and row[c] not in ("", None) and (index, c) not in errors
    )


def _filled(row: Sequence[object]) -> int:
    return len(row) - row.count("") - row.count(None)


def is_footer(row: Sequence[object]) -> bool:
    """Whether a row is a footer line: its first value (after a number, its 序号) is text
    such as 注：…, 填表人：…, 审核人：…, 合计 …, 制表日期：…"""
    first = _first_filled(row)
    if first >= 0 and not isinstance(row[first], str):
        first = _first_filled(row, first + 1)
    value = row[first] if first >= 0 else None
    return isinstance(value, str) and FOOTER.match(value.strip()) is not None
