"""Rows of a submission compared the way an officer means them, not as typed.

A code and its name are the same (``21`` = ``21 大学``), a date is a date whatever
its spelling (``1968.03.12`` = 1968-03-12), spaces do not count. The merge.* rules
(:mod:`addin.rules.merge`), ``dyxx diff`` and ``dyxx sample`` compare rows this way.

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
from collections.abc import Iterable
from datetime import date, datetime

from addin.model.fields import CODED, DATE_FIELDS, FIELDS, MONTH_FIELDS
from addin.read.reader import Record, Table
from addin.values import cells as values
from addin.values import codes

FAR_FUTURE = date(9999, 12, 31)  # comparisons accept any date; checking is dyxx check's job


def records(tables: Iterable[Table], kind: str) -> list[tuple[Table, Record]]:
    return [(t, r) for t in tables if t.kind == kind for r in t.records]


def field_keys(kind: str) -> list[str]:
    return [f.key for f in FIELDS[kind]]


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


def id_key(raw: object) -> str | None:
    """The ID number as a matching key (upper case, no spaces), None when blank."""
    if raw.__class__ is str and raw.isascii() and raw.isalnum():  # as most are: fast
        return raw.upper()
    if values.is_blank(raw):
        return None
    return _squeezed(raw).upper()
