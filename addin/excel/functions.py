"""What the worksheet functions (DYID, DYBIRTH, …) compute: a cell value in, a value out.

Pure engine logic, no xlwings: :mod:`addin.udfs` only wraps these for Excel.
Every function takes raw cell values as Excel hands them over (text, a float,
a datetime, an Excel date serial, None), never raises, and returns a value a
formula can use: a date, a number, or text. A blank input gives ``""``;
whether a field is required is the full check's business.

>>> ID = "430523196005151238"
>>> id_reason(ID), id_birth(ID), id_sex(ID), id_age(ID, "2024-06-01")
('', datetime.date(1960, 5, 15), '男', 64)
>>> id_reason("430523196005151230")
'公民身份证号“430523196005151230”的校验位应为8，请核对号码'
>>> date_value("2017年6月15日"), code_value("学历", 21)
(datetime.date(2017, 6, 15), '21 大学')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from addin.engine.check import check_tables
from addin.model.fields import ENUMERATIONS, FIELDS, columns, header_key
from addin.model.findings import Finding, Problem
from addin.read.reader import find_tables
from addin.rules.base import age_on
from addin.values import codes, ric
from addin.values.cells import is_blank, parse_date, text

SEPARATOR = "；"
WARNING_MARK = "【警告】"
KIND_NAMES = {
    "members": ("附件4", "4", "党员", "党员基本信息汇总表", "members"),
    "orgs": ("附件3", "3", "党组织", "党组织和所在单位信息汇总表", "orgs"),
}


def describe(problems: Iterable[Problem]) -> str:
    """Problem messages, errors first, joined; warnings are marked 【警告】."""
    items = sorted(problems, key=lambda p: p.severity != "error")
    return SEPARATOR.join(_marked(p.severity, p.message) for p in items)


def _marked(severity: str, message: str) -> str:
    return message if severity == "error" else WARNING_MARK + message


def _today(today: date | None) -> date:
    return today or date.today()


def _checked(raw: object, today: date | None) -> tuple[ric.IdResult | None, str]:
    """The ID result when it has no error (warnings allowed), else the reason."""
    if is_blank(raw):
        return None, ""
    result = ric.check(raw, _today(today))
    if any(p.severity == "error" for p in result.problems) or result.number is None:
        return None, describe(result.problems)
    return result, ""


def id_reason(raw: object, today: date | None = None) -> str:
    """ "" for a valid (or blank) 公民身份证号, else every problem in Chinese.

    >>> id_reason("43052319600515106x")[:41]  # lower-case x: valid, with a warning
    '【警告】公民身份证号“43052319600515106x”含空格、连字符、小写x'
    """
    if is_blank(raw):
        return ""
    return describe(ric.check(raw, _today(today)).problems)


def id_birth(raw: object, today: date | None = None) -> date | str:
    """The birth date in a valid ID, else the reason (text)."""
    result, reason = _checked(raw, today)
    return result.birth if result and result.birth else reason


def id_sex(raw: object, today: date | None = None) -> str:
    """男 or 女 from the 17th character of a valid ID, else the reason."""
    result, reason = _checked(raw, today)
    return result.gender if result and result.gender else reason


def id_age(raw: object, on: object = None, today: date | None = None) -> int | str:
    """Whole years of age on ``on`` (default today) of the holder of a valid ID.

    >>> id_age("430523196005151238", "1960-05-14")
    '计算日期1960-05-14早于出生日期1960-05-15'
    """
    result, reason = _checked(raw, today)
    if result is None or result.birth is None:
        return reason
    day = _today(today)
    if not is_blank(on):
        parsed = parse_date(on, today=None)
        if parsed.value is None:
            return describe(parsed.problems)
        day = parsed.value
    if day < result.birth:
        return f"计算日期{day.isoformat()}早于出生日期{result.birth.isoformat()}"
    return age_on(result.birth, day)


def date_value(raw: object, today: date | None = None) -> date | str:
    """The normalised date, or the reason the value is not one.

    >>> date_value("2017.02.30")
    '日期“2017.02.30”不存在：2017年2月没有30日，请核对后重填'
    >>> date_value(date(2017, 6, 15)), date_value(42901.0)
    (datetime.date(2017, 6, 15), datetime.date(2017, 6, 15))
    """
    if is_blank(raw):
        return ""
    parsed = parse_date(raw, today=_today(today))
    if parsed.value is None:
        return describe(parsed.problems)
    return parsed.value


def table_key(name: object) -> str | None:
    """The code table meant by ``name``: its key, its title, or a column label.

    >>> table_key("工作岗位"), table_key("education"), table_key("是否为失联党员"), table_key("x")
    ('job', 'education', 'yes_no', None)
    """
    wanted = header_key(text(name)).strip("《》").removesuffix("代码")
    return _table_names().get(wanted) or _table_names().get(header_key(text(name)))


def _table_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for key in codes.KEYS:
        table = codes.table(key)
        names[key] = key
        names[header_key(table.title)] = key
        names[header_key(table.reference).strip("《》").removesuffix("代码")] = key
    for kind in FIELDS:
        for field in FIELDS[kind]:
            if field.codes:
                for spelling in field.spellings:
                    names.setdefault(header_key(spelling), field.codes)
    return names


def code_value(table: object, raw: object) -> str:
    """Canonical "code name" of a code-table value, or the reason it is not one.

    >>> code_value("工作岗位", 211), code_value("民族", "维吾尔"), code_value("性别", "M")
    ('0211 事业单位管理岗位', '05 维吾尔族', '性别“M”无法识别：应为“男”或“女”')
    >>> code_value("学历", "2")
    '【警告】学历“2”是大类，请填写其下具体的一项，如“21 大学”、“22 大专”、“23 大学普通班”'
    """
    key = table_key(table)
    if key is None:
        known = "、".join(codes.table(k).title for k in codes.KEYS)
        return f"没有名为“{text(table)}”的代码表，可用：{known}"
    if is_blank(raw):
        return ""
    found = codes.table(key).lookup(raw)
    if found.entry is None or any(p.code == "code.group" for p in found.problems):
        return describe(found.problems)
    if not found.ok:
        return describe(found.problems)
    if key in ENUMERATIONS:  # 性别, 是/否 …: the name alone, as the dropdowns offer it
        return found.entry.name
    return codes.table(key).display(found.entry)


def row_findings(row: Sequence[object], table: object = None, today: date | None = None) -> str:
    """Every finding for one 附件4 (or 附件3) row, joined; "" when the row is fine.

    ``table`` is the table's header (one or two rows of header cells, mapped by
    the same rules as ``dyxx check``), or "附件4"/"附件3" for the official column
    order; omitted, the row's width decides (20 or 19 columns: 附件4 with or
    without 序号; 11 or 10: 附件3). Checks that need other rows (duplicate IDs,
    所在党支部 in 附件3) do not apply to a single row.
    """
    values = list(_flat(row))
    header = _header(table, len(values))
    if isinstance(header, str):
        return header
    tables = find_tables([*header, values], file="", sheet="")
    if not tables:
        return "无法识别表头：应包含“姓名”“公民身份证号”（附件4）或“党组织名称”“组织类别”（附件3）"
    if not tables[0].records:
        return ""
    report = check_tables(tables[:1], _today(today))
    return SEPARATOR.join(_finding_text(f) for f in report.findings)


def _finding_text(finding: Finding) -> str:
    named = not finding.field or finding.field in finding.message[: len(finding.field) + 2]
    place = "" if named else f"{finding.field}："
    return _marked(finding.severity, place + finding.message)


def _flat(cells: object) -> Iterable[object]:
    if isinstance(cells, list | tuple):
        for cell in cells:
            yield from _flat(cell)
    else:
        yield cells


def _header(table: object, width: int) -> list[list[object]] | str:
    """The header rows for a row of ``width`` cells, or an explanation why there are none."""
    if isinstance(table, list | tuple) and len(list(_flat(table))) > 1:
        if all(isinstance(r, list | tuple) for r in table):
            return [list(r) for r in table]
        return [list(table)]
    name = header_key(text(next(iter(_flat(table)), None)))
    for kind, names in KIND_NAMES.items():
        if name and name in names:
            labels = _labels(kind, width)
            if labels is None:
                full = len(_labels(kind, 0) or ())
                return f"{names[0]}一行应有{full}列（含序号）或{full - 1}列，实为{width}列"
            return [labels]
    if name:
        return f"“{text(table)}”不是表头区域，也不是“附件3”“附件4”"
    for kind in KIND_NAMES:
        labels = _labels(kind, width)
        if labels is not None:
            return [labels]
    return f"这一行有{width}列，无法判断是附件3还是附件4：请在第二个参数给出表头区域"


def _labels(kind: str, width: int) -> list[object] | None:
    """The official header of ``kind`` for a row of ``width`` cells (with or without 序号);
    every label when ``width`` is 0; None when the width fits neither."""
    labels: list[object] = [field.printed for field in columns(kind)]
    if width in (0, len(labels)):
        return labels
    return labels[1:] if width == len(labels) - 1 else None
