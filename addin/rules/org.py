"""附件3 党组织和所在单位信息: one record's fields and the rules between them."""

from __future__ import annotations

import re
from datetime import date

from addin.model.fields import CODED, REQUIRED, UNIT_FIELDS, field_label
from addin.model.findings import Finding, rule
from addin.read.reader import Record, Table
from addin.rules.base import RowFindings
from addin.rules.controls import check_row as check_controls
from addin.values import cells as values
from addin.values import codes, orgcode

UNIT_SHOULD_BE_BLANK = rule(
    "org.unit_not_blank",
    "warning",
    "单位信息应为空",
    "党组织所在单位情况为“与上级党组织相同”，单位信息不用填写；请核对“{field}”是否多填",
)
UNIT_REQUIRED = rule(
    "org.unit_required",
    "error",
    "缺单位信息",
    "党组织所在单位情况为“{situation}”，必须填写“{field}”",
)
CATEGORY_MISMATCH = rule(
    "org.category_mismatch",
    "warning",
    "组织类别与单位建立党组织情况不一致",
    "组织类别“{category}”与单位建立党组织情况“{unit}”不一致（应为{expected}），请核对",
)
UNIT_ROW = rule(
    "org.unit_row",
    "warning",
    "联合支部的单位另起了一行",
    "这一行重复了联合支部“{name}”的名称，只填了单位信息，已作为该联合支部的又一个单位接受；"
    "按采集表的要求，应把各单位都写在第{first}行：单位名称、党组织所在单位代码各填在一格，"
    "多个单位用“、”分隔，顺序一一对应（如“甲公司、乙公司”），然后删除这一行",
)
PHONE_FORM = rule(
    "org.phone",
    "error",
    "联系电话格式错误",
    "联系电话“{value}”既不是11位手机号，也不是“区号-号码”的固定电话，请改正",
)

# 组织类别 -> the 单位建立党组织情况 it goes with (warning when they differ).
CATEGORY_PAIRS = {"611": "11", "621": "12", "631": "13", "632": "2"}
SEPARATORS = re.compile(r"[、，,；;/\s]+")


def check_org(table: Table, record: Record, today: date) -> tuple[dict[str, str], list[Finding]]:
    """Check one 附件3 record; returns the canonical codes that parsed and the findings."""
    row = RowFindings(table, record)
    for key in REQUIRED["orgs"]:
        row.present(key)
    parsed = _parse_codes(row)
    for key in ("secretary", "contact"):
        if not values.is_blank(row.raw(key)):
            row.add_all(key, values.check_name(row.raw(key)).problems)
    _check_phone(row)
    _check_unit(row, parsed)
    check_controls(row)
    return parsed, row.items


def is_unit_row(record: Record, first: Record) -> bool:
    """Whether ``record``, repeating the 党组织名称 of ``first`` (a 联合支部), is one more of
    its units written on a row of its own: only unit columns filled (or, for the other
    columns, what the first row says), and a unit the first row does not name."""
    if _situation(first) != "联合支部":
        return False
    own = record.values
    units = [key for key in UNIT_FIELDS if not values.is_blank(own.get(key))]
    if not units or all(_same(own, first.values, key) for key in UNIT_FIELDS):
        return False
    others = (key for key in own if key not in UNIT_FIELDS and key != "org_name")
    return all(values.is_blank(own[key]) or _same(own, first.values, key) for key in others)


def check_unit_row(table: Table, record: Record, first: Record) -> list[Finding]:
    """A 联合支部's unit on a row of its own: a warning saying how to write it, and the
    unit code checked as on any row."""
    row = RowFindings(table, record)
    name = values.text(record.values.get("org_name"))
    row.add("org_name", UNIT_ROW.problem(name=name, first=first.row))
    _check_unit_code(row)
    return row.items


def _situation(record: Record) -> str | None:
    raw = record.values.get("unit_situation")
    found = None if values.is_blank(raw) else codes.table("unit_situation").lookup(raw).entry
    return found.name if found else None


def _same(own: dict[str, object], first: dict[str, object], key: str) -> bool:
    return values.text(own.get(key)) == values.text(first.get(key))


def _parse_codes(row: RowFindings) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for key, table_key in CODED["orgs"].items():
        entry = row.code(key, table_key)
        if entry is not None:
            parsed[key] = entry.code
            parsed[key + "_name"] = entry.name
    return parsed


def _check_phone(row: RowFindings) -> None:
    raw = row.raw("phone")
    if values.is_blank(raw):
        return
    mobile = values.parse_mobile(raw)
    if not mobile.problems:
        return
    landline = values.parse_landline(raw)
    if landline.value is None and not _looks_like_mobile(raw):
        row.add("phone", PHONE_FORM.problem(value=values.text(raw)))
        return
    row.add_all("phone", mobile.problems if _looks_like_mobile(raw) else landline.problems)


def _looks_like_mobile(raw: object) -> bool:
    digits = re.sub(r"\D", "", values.text(raw))
    return digits.startswith("1") and len(digits) in (10, 11, 12)


def _check_unit(row: RowFindings, parsed: dict[str, str]) -> None:
    situation = parsed.get("unit_situation_name")
    if situation == "与上级党组织相同":
        for key in UNIT_FIELDS:
            if row.has_column(key) and not values.is_blank(row.raw(key)):
                label = _label(row, key)
                row.add(key, UNIT_SHOULD_BE_BLANK.problem(field=label))
        return
    if situation in ("法人单位", "联合支部"):
        for key in UNIT_FIELDS:
            if row.has_column(key) and values.is_blank(row.raw(key)):
                row.add(key, UNIT_REQUIRED.problem(situation=situation, field=_label(row, key)))
    _check_unit_code(row)
    _check_category_pair(row, parsed)


def _check_unit_code(row: RowFindings) -> None:
    raw = row.raw("unit_code")
    if values.is_blank(raw):
        return
    for part in _codes_in(raw):
        row.add_all("unit_code", orgcode.check(part).problems)


def _codes_in(raw: object) -> list[object]:
    """A 联合支部 may list several unit codes in one cell, separated by 、 or ；."""
    if not isinstance(raw, str):
        return [raw]
    parts = [p for p in SEPARATORS.split(raw.strip()) if p]
    if len(parts) > 1 and all(len(p) >= 9 for p in parts):
        return list(parts)
    return [raw]


def _check_category_pair(row: RowFindings, parsed: dict[str, str]) -> None:
    category, unit = parsed.get("org_category"), parsed.get("unit_party_org")
    expected = CATEGORY_PAIRS.get(category or "")
    if expected and unit and unit != expected:
        problem = CATEGORY_MISMATCH.problem(
            category=f"{category} {parsed['org_category_name']}",
            unit=f"{unit} {parsed['unit_party_org_name']}",
            expected=codes.table("unit_party_org").display(
                codes.table("unit_party_org").by_code(expected)
            ),
        )
        row.add("unit_party_org", problem)


def _label(row: RowFindings, key: str) -> str:
    return field_label(row.table.kind, key)
