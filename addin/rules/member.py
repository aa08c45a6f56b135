"""附件4 党员基本信息: each field of every row, then the rules between fields.

Every field is parsed on its own, a column at a time, and a field that fails never
hides the other findings of its row: the cross-field rules
(:mod:`addin.rules.crossfield`) run on whatever did parse.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from operator import attrgetter

from addin.model.fields import MEMBER_FIELDS, REQUIRED
from addin.model.findings import Finding
from addin.read.reader import Table
from addin.rules import controls, crossfield
from addin.rules.base import REQUIRED as FIELD_REQUIRED
from addin.rules.base import REQUIRED_LOST
from addin.rules.columns import Emitter, ParsedColumn
from addin.values import cells as values
from addin.values import codes, ric

MEMBER_KEYS = MEMBER_FIELDS


class _Empty:
    value = None
    problems: tuple = ()
    entry = None
    number = birth = gender = None


EMPTY = _Empty()


def check_members(
    table: Table, today: date, distinct: dict[str, Collection[object]] | None = None
) -> tuple[list[str | None], list[Finding]]:
    """Check every 附件4 record; returns each row's normalised ID and the findings.

    ``distinct``, when given, receives the distinct values of the parsed columns.
    """
    out = Emitter(table)
    column = {f.key: table.column(f.key) for f in MEMBER_KEYS}
    parsed = _parse(out, column, today)
    known = {key: p.distinct for key, p in parsed.items() if p.distinct is not None}
    if distinct is not None:
        distinct.update(known)
    yes = codes.table("yes_no").by_code("是")
    lost = parsed["lost"].derive(lambda result: result.entry == yes)
    _required(out, column, parsed, lost)
    crossfield.check(out, crossfield.Rows(column, parsed, lost, EMPTY), today)
    controls.check_columns(out, known)
    return list(map(attrgetter("number"), parsed["id_number"].results)), out.items


def _required(out: Emitter, column: dict[str, list], parsed: dict, lost: list[bool]) -> None:
    """A required cell is blank when its parse result is EMPTY (no separate blank pass)."""
    for key in REQUIRED["members"]:
        if not out.has_column(key):
            continue
        label = out.label(key)
        strict, lenient = FIELD_REQUIRED.problem(field=label), REQUIRED_LOST.problem(field=label)
        found = parsed[key] if key in parsed else ParsedColumn(column[key], _same, EMPTY)
        for i in found.blanks():
            out.add(i, key, lenient if lost[i] and key != "name" else strict, column[key][i])


def _same(raw: object) -> object:
    return raw


def _parse(out: Emitter, column: dict[str, list], today: date) -> dict[str, ParsedColumn]:
    parsers = {
        "name": values.check_name,
        "address": values.check_address,
        "id_number": lambda raw: ric.check(raw, today),
        "mobile": values.parse_mobile,
        "landline": values.parse_landline,
    }
    dates = {
        "day": lambda raw: values.parse_date(raw, today=today),
        "month": lambda raw: values.parse_month(raw, today=today),
    }
    for item in MEMBER_FIELDS:
        if item.date:
            parsers[item.key] = dates[item.date]
        elif item.codes:
            parsers[item.key] = codes.table(item.codes).lookup
    parsed: dict[str, ParsedColumn] = {}
    for key, parse in parsers.items():
        parsed[key] = ParsedColumn(column[key], parse, EMPTY)
        if key not in ("mobile", "landline"):  # phones are reported with the phone rule
            out.add_all(key, parsed[key])
    return parsed
