"""Read the 附件3/附件4 tables out of a workbook, finding them by header text.

Tables are found by their header row, not by position: title rows above the
header (附件4, 党员基本信息汇总表, 基层党委：…, 汇总日期：…), the two-row
merged header (联系电话 over 手机号/固定电话; 党组织信息/单位信息 over the
附件3 fields), spaces and line breaks inside header cells, any sheet name, and
extra columns are all tolerated. Values are read with python-calamine (fast,
and it also reads legacy .xls); nothing is ever written here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineWorkbook

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
SUFFIXES = (".xlsx", ".xlsm", ".xls")


class WorkbookError(Exception):
    """A workbook that cannot be checked; the message is Chinese and names the file."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{Path(path).name}：{problem}")


@dataclass
class Record:
    row: int  # 1-based sheet row
    values: dict[str, object]  # field key -> raw cell value (None when empty)


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

    @property
    def missing(self) -> list[str]:
        return [f.key for f in FIELDS[self.kind] if f.key not in self.columns]


def read_workbook(path: str | Path) -> list[Table]:
    """All 附件3/附件4 tables of one workbook; raises :class:`WorkbookError`."""
    path = Path(path)
    workbook = _open(path)
    tables: list[Table] = []
    for name in workbook.sheet_names:
        rows = _sheet_rows(path, workbook, name)
        tables.extend(find_tables(rows, file=str(path), sheet=name))
    if not tables:
        raise WorkbookError(path, _no_table_message())
    return tables


def _open(path: Path) -> CalamineWorkbook:
    if not path.exists():
        raise WorkbookError(path, "文件不存在，请检查路径")
    if path.is_dir():
        raise WorkbookError(path, "这是一个文件夹，不是 Excel 工作簿")
    if path.suffix.lower() not in SUFFIXES:
        raise WorkbookError(path, "不是 Excel 工作簿（只支持 .xlsx、.xlsm 和 .xls）")
    try:
        return CalamineWorkbook.from_path(str(path))
    except PermissionError:
        raise WorkbookError(path, "没有读取权限，或文件正被其他程序占用") from None
    except Exception as exc:  # calamine raises several unrelated types
        raise WorkbookError(path, _open_failure(path, exc)) from None


def _open_failure(path: Path, exc: Exception) -> str:
    head = path.read_bytes()[:8] if path.is_file() else b""
    if type(exc).__name__ == "PasswordError" or (
        head.startswith(b"\xd0\xcf\x11\xe0") and path.suffix.lower() != ".xls"
    ):
        return "工作簿已加密（设置了打开密码），请先在 Excel 中取消密码后再校验"
    if not head:
        return "文件是空的（0 字节），请重新保存或重新下载"
    return "无法读取：文件已损坏，或不是真正的 Excel 工作簿（请用 Excel 打开后另存为 .xlsx 再试）"


def _sheet_rows(path: Path, workbook: CalamineWorkbook, name: str) -> list[list[object]]:
    try:
        sheet = workbook.get_sheet_by_name(name)
        return sheet.to_python(skip_empty_area=False)
    except Exception:
        raise WorkbookError(path, f"工作表“{name}”无法读取，文件可能已损坏") from None


def _no_table_message() -> str:
    wanted = "；".join(
        f"附件{'4' if kind == 'members' else '3'}需要“{'”“'.join(_labels(kind))}”"
        for kind in ("members", "orgs")
    )
    return f"没有找到附件3或附件4表格。在各工作表中查找表头：{wanted}"


def _labels(kind: str) -> list[str]:
    return [f.label for f in FIELDS[kind] if f.key in KEY_FIELDS[kind]]


def find_tables(rows: Sequence[Sequence[object]], *, file: str, sheet: str) -> list[Table]:
    """Every table in one sheet's rows, top to bottom."""
    tables: list[Table] = []
    start = 0
    while True:
        table = _next_table(rows, start, file, sheet)
        if table is None:
            return tables
        end = _read_records(rows, table)
        tables.append(table)
        start = end


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


def _read_records(rows: Sequence[Sequence[object]], table: Table) -> int:
    """Fill ``table.records``; return the index of the first row after the table."""
    fields = {k: c for k, c in table.columns.items() if k != "seq"}
    index = table.data_row - 1
    while index < len(rows):
        row = rows[index]
        values = {key: _cell(row, col) for key, col in fields.items()}
        if all(v is None for v in values.values()):
            table.rows_after_gap = _data_after_gap(rows, index, fields)
            return index
        if _is_footer(row):
            return index
        table.records.append(Record(index + 1, values))
        index += 1
    return index


def _is_footer(row: Sequence[object]) -> bool:
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
