"""What the workflow steps share: reading inputs, comparing and showing values, saving.

Values are compared the way an officer means them, not as typed: a code and
its name are the same (``21`` = ``21 大学``), a date is a date whatever its
spelling (``1968.03.12`` = 1968-03-12), spaces do not count.

>>> comparable("members", "education", "21 大学") == comparable("members", "education", 21.0)
True
>>> comparable("members", "birth_date", "1968.03.12"), comparable("members", "lost_date", "2015.3")
('1968-03-12', '2015-03')
>>> shown("members", "education", "21"), shown("members", "category", "正式党员")
('21 大学', '正式党员')
>>> id_key(" 43052319680312011x "), id_key("无")
('43052319680312011X', None)
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path

from openpyxl.workbook import Workbook

from addin.engine.mask import mask_field
from addin.model.errors import WorkbookError
from addin.model.fields import FIELDS
from addin.read.reader import Record, Table, read_workbook
from addin.rules.submission import org_key
from addin.values import cells as values
from addin.values import codes
from addin.write.dataentry import CODED, DATE_FIELDS
from addin.write.outputs import refuse_overwrite, save_atomically

FAR_FUTURE = date(9999, 12, 31)  # comparisons accept any date; checking is dyxx check's job
MONTH_FIELDS = frozenset({"lost_date"})
# Field keys by printed label, for masking (the label names the field in messages too).
LABELS = {f.key: f.label for kind in FIELDS for f in FIELDS[kind]}
NO_BRANCH = "（未填所在党支部）"


def read_all(files: Iterable[Path], passwords: Mapping[Path, str]) -> list[Table]:
    """Every table of every file, in order (raises :class:`WorkbookError`)."""
    tables: list[Table] = []
    for path in files:
        tables.extend(read_workbook(path, passwords.get(path)))
    return tables


def records(tables: Iterable[Table], kind: str) -> list[tuple[Table, Record]]:
    return [(t, r) for t in tables if t.kind == kind for r in t.records]


def field_keys(kind: str) -> list[str]:
    return [f.key for f in FIELDS[kind]]


def plain(raw: object) -> object:
    """A cell value to write back: integral floats as integers, "" as empty."""
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e16:
        return int(raw)
    if raw == "":
        return None
    return raw


def _squeezed(raw: object) -> str:
    return "".join(unicodedata.normalize("NFKC", values.text(raw)).split())


def comparable(kind: str, key: str, raw: object) -> str:
    """The value as compared across workbooks ("" when blank)."""
    if values.is_blank(raw):
        return ""
    table_key = CODED[kind].get(key)
    if table_key:
        entry = codes.table(table_key).lookup(raw).entry
        return entry.code if entry else _squeezed(raw)
    if key in DATE_FIELDS:
        day = values.parse_date(raw, today=FAR_FUTURE).value
        return day.isoformat() if day else _squeezed(raw)
    if key in MONTH_FIELDS:
        month = values.parse_month(raw, today=FAR_FUTURE).value
        return f"{month[0]}-{month[1]:02d}" if month else _squeezed(raw)
    if key == "mobile":
        return values.parse_mobile(raw).value or _squeezed(raw)
    if key == "landline":
        return values.parse_landline(raw).value or _squeezed(raw)
    return _squeezed(raw).upper() if key in ("id_number", "unit_code") else _squeezed(raw)


def shown(kind: str, key: str, raw: object) -> str:
    """The value as shown to people: codes with their names, dates as 1968-03-12."""
    if values.is_blank(raw):
        return ""
    table_key = CODED[kind].get(key)
    if table_key:
        table = codes.table(table_key)
        entry = table.lookup(raw).entry
        return table.display(entry) if entry else values.text(raw)
    if isinstance(raw, datetime) and raw.time() == datetime.min.time():
        return raw.date().isoformat()
    return values.text(raw)


def masked(key: str, text: str, mask: bool) -> str:
    """``text`` of the field ``key``, masked if ``mask`` (:func:`addin.engine.mask.mask_field`)."""
    if not mask or not text:
        return text
    return mask_field(LABELS.get(key, key), text)


def id_key(raw: object) -> str | None:
    """The ID number as a matching key (upper case, no spaces), None when blank."""
    if values.is_blank(raw):
        return None
    return _squeezed(raw).upper()


def branch_name(raw: object) -> str:
    """A 所在党支部 as shown, or a placeholder for an empty one."""
    return NO_BRANCH if values.is_blank(raw) else values.text(raw)


def branch_key(raw: object) -> str:
    """Branch names compare like 附件3 names (no spaces, full-width folded)."""
    key = org_key(raw)
    return NO_BRANCH if key is None else key


def enumerated(table_key: str, raw: object) -> str | None:
    """The code of an enumeration value (正式党员, 是, 停止党籍 …), None when unknown."""
    entry = codes.table(table_key).lookup(raw).entry
    return entry.code if entry else None


def day_text(day: date) -> str:
    """A date as written on the tables' 汇总日期 line.

    >>> day_text(date(2017, 7, 10))
    '2017年7月10日'
    """
    return f"{day.year}年{day.month}月{day.day}日"


def save(
    workbook: Workbook,
    target: Path,
    inputs: Iterable[Path],
    secret: str | None,
) -> None:
    """Write ``workbook`` atomically (encrypted with ``secret``), never over an input."""
    check_target(target, inputs)
    save_atomically(workbook, target, secret)


def check_target(target: Path, inputs: Iterable[Path]) -> None:
    if target.suffix.lower() != ".xlsx":
        raise WorkbookError(target, "输出文件应为 .xlsx 工作簿")
    for source in inputs:
        refuse_overwrite(source, target)  # its message already names the output
