"""附件4 党员基本信息: each field, and the rules between the fields of a row.

Every field is parsed on its own and a field that fails never hides the other
findings of its row: the cross-field rules run on whatever did parse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from addin import codes, values
from addin.divisions import resolve_place
from addin.findings import Finding, rule
from addin.ids import ric
from addin.reader import Table
from addin.rules.base import REQUIRED as FIELD_REQUIRED
from addin.rules.base import REQUIRED_LOST, add_years, age_on
from addin.rules.columns import Emitter, memoised
from addin.schema import MEMBER_FIELDS

BIRTH_MISMATCH = rule(
    "member.birth_mismatch",
    "error",
    "出生日期与身份证号不符",
    "出生日期{birth}与身份证号中的{id_birth}不一致，请核对身份证后改正",
)
GENDER_MISMATCH = rule(
    "member.gender_mismatch",
    "error",
    "性别与身份证号不符",
    "性别“{gender}”与身份证号（第17位表示{id_gender}）不一致，请核对后改正",
)
JOIN_AGE = rule(
    "member.join_age",
    "error",
    "入党年龄不满18岁",
    "加入党组织日期{join}时年龄为{age}岁，未满18岁；请核对入党日期或出生日期",
)
JOIN_BEFORE_BIRTH = rule(
    "member.join_before_birth",
    "error",
    "入党日期早于出生日期",
    "加入党组织日期{join}早于出生日期{birth}，请核对",
)
FULL_MISSING = rule(
    "member.full_date_missing",
    "error",
    "正式党员缺转正日期",
    "人员类别为正式党员，但“转为正式党员日期”未填写；请按党员档案补充",
)
FULL_EARLY = rule(
    "member.full_date_early",
    "error",
    "转正日期早于预备期满",
    "转为正式党员日期{full}早于入党满一年（{due}）；预备期为一年，请核对",
)
FULL_LATE = rule(
    "member.full_date_late",
    "warning",
    "转正日期晚于入党两年",
    "转为正式党员日期{full}晚于入党满两年（{limit}）；预备期最长延长一年，请核对",
)
PROBATION_FULL = rule(
    "member.probation_full_date",
    "error",
    "预备党员填了转正日期",
    "人员类别为预备党员，不应填写转为正式党员日期{full}；已转正的请把人员类别改为正式党员",
)
PROBATION_LONG = rule(
    "member.probation_long",
    "warning",
    "预备期超过两年",
    "{join}入党至今已超过两年仍为预备党员；请核对是否已转正（或取消预备党员资格）",
)
LOST_DATE_MISSING = rule(
    "member.lost_date_missing",
    "error",
    "失联党员缺失联日期",
    "是否为失联党员为“是”，请填写失去联系日期（年月，如2015.03）",
)
LOST_DATE_UNEXPECTED = rule(
    "member.lost_date_unexpected",
    "error",
    "非失联党员填了失联日期",
    "是否为失联党员为“否”，却填写了失去联系日期“{value}”；请核对后删去其一",
)
LOST_BEFORE_JOIN = rule(
    "member.lost_before_join",
    "error",
    "失联日期早于入党日期",
    "失去联系日期{lost}早于加入党组织日期{join}，请核对",
)
FLOW_DEST_MISSING = rule(
    "member.destination_missing",
    "error",
    "流动党员缺外出流向",
    "是否为流动党员为“是”，请填写外出流向（省+市+县，如广东省深圳市南山区）",
)
FLOW_DEST_UNEXPECTED = rule(
    "member.destination_unexpected",
    "error",
    "非流动党员填了外出流向",
    "是否为流动党员为“否”，却填写了外出流向“{value}”；请核对后删去其一",
)
STOPPED_NOT_LOST = rule(
    "member.stopped_not_lost",
    "warning",
    "停止党籍但未标失联",
    "党籍状态为停止党籍，但未标为失联党员；停止党籍一般针对失联党员，请核对",
)
PHONE_MISSING = rule(
    "member.phone_missing",
    "error",
    "无联系电话",
    "手机号和固定电话都未填写，请至少填写一项",
)

MEMBER_KEYS = MEMBER_FIELDS
CODED = {
    "gender": "gender",
    "ethnicity": "ethnicity",
    "education": "education",
    "category": "member_category",
    "job": "job",
    "status": "party_status",
    "lost": "yes_no",
    "mobile_flow": "yes_no",
}
REQUIRED = (
    "name",
    "branch",
    "id_number",
    "gender",
    "ethnicity",
    "birth_date",
    "education",
    "category",
    "join_date",
    "job",
    "address",
    "status",
    "lost",
    "mobile_flow",
)


@dataclass(frozen=True)
class MemberKey:
    """What the cross-record rules need of a row: its ID and its branch."""

    row: int
    id_number: str | None


class _Empty:
    value = None
    problems: tuple = ()
    entry = None
    number = birth = gender = None


EMPTY = _Empty()


def _unless_blank(parse):
    return lambda raw: EMPTY if values.is_blank(raw) else parse(raw)


def check_members(table: Table, today: date) -> tuple[list[str | None], list[Finding]]:
    """Check every 附件4 record; returns each row's normalised ID and the findings."""
    out = Emitter(table)
    column = {f.key: table.column(f.key) for f in MEMBER_KEYS}
    parsed = _parse(out, column, today)
    yes = codes.table("yes_no").by_code("是")
    lost = [r.entry == yes for r in parsed["lost"]]
    _required(out, column, parsed, lost)
    n = len(table.records)
    for i in range(n):
        _cross(out, i, column, parsed, lost[i], today)
    return [ident.number for ident in parsed["id_number"]], out.items


def _name(lookup) -> str | None:
    return lookup.entry.name if lookup.entry is not None else None


def _required(out: Emitter, column: dict[str, list], parsed: dict, lost: list[bool]) -> None:
    """A required cell is blank when its parse result is EMPTY (no separate blank pass)."""
    for key in REQUIRED:
        if not out.has_column(key):
            continue
        label = out.label(key)
        strict, lenient = FIELD_REQUIRED.problem(field=label), REQUIRED_LOST.problem(field=label)
        results = parsed[key] if key in parsed else memoised(column[key], _blank_marker)
        for i in [i for i, result in enumerate(results) if result is EMPTY]:
            out.add(i, key, lenient if lost[i] and key != "name" else strict, column[key][i])


def _blank_marker(raw: object) -> object:
    return EMPTY if values.is_blank(raw) else raw


def _parse(out: Emitter, column: dict[str, list], today: date) -> dict[str, list]:
    parsers = {
        "name": _unless_blank(values.check_name),
        "address": _unless_blank(values.check_address),
        "id_number": _unless_blank(lambda raw: ric.check(raw, today)),
        "birth_date": _unless_blank(lambda raw: values.parse_date(raw, today=today)),
        "join_date": _unless_blank(lambda raw: values.parse_date(raw, today=today)),
        "full_date": _unless_blank(lambda raw: values.parse_date(raw, today=today)),
        "lost_date": _unless_blank(lambda raw: values.parse_month(raw, today=today)),
        "mobile": _unless_blank(values.parse_mobile),
        "landline": _unless_blank(values.parse_landline),
    }
    for key, table_key in CODED.items():
        parsers[key] = _unless_blank(codes.table(table_key).lookup)
    parsed: dict[str, list] = {}
    for key, parse in parsers.items():
        parsed[key] = memoised(column[key], parse)
        if key not in ("mobile", "landline"):  # phones are reported with the phone rule
            out.add_all(key, parsed[key], column[key])
    return parsed


def _cross(out: Emitter, i: int, column: dict, parsed: dict, lost: bool, today: date) -> None:
    ident = parsed["id_number"][i]
    birth = parsed["birth_date"][i].value
    join = parsed["join_date"][i].value
    if birth and ident.birth and birth != ident.birth:
        problem = BIRTH_MISMATCH.problem(birth=_fmt(birth), id_birth=_fmt(ident.birth))
        out.add(i, "birth_date", problem, column["birth_date"][i])
    gender = _name(parsed["gender"][i])
    if gender and ident.gender and gender != ident.gender:
        problem = GENDER_MISMATCH.problem(gender=gender, id_gender=ident.gender)
        out.add(i, "gender", problem, column["gender"][i])
    born = ident.birth or birth
    if born and join and join < born:
        out.add(
            i,
            "join_date",
            JOIN_BEFORE_BIRTH.problem(join=_fmt(join), birth=_fmt(born)),
            column["join_date"][i],
        )
    elif born and join and age_on(born, join) < 18:
        out.add(
            i,
            "join_date",
            JOIN_AGE.problem(join=_fmt(join), age=age_on(born, join)),
            column["join_date"][i],
        )
    _probation(out, i, column, parsed, today)
    _lost_and_flow(out, i, column, parsed)
    _phones(out, i, column, parsed, lost)


def _probation(out: Emitter, i: int, column: dict, parsed: dict, today: date) -> None:
    category = _name(parsed["category"][i])
    if category is None:
        return
    join, full = parsed["join_date"][i].value, parsed["full_date"][i].value
    raw_full = column["full_date"][i]
    has_full = parsed["full_date"][i] is not EMPTY
    if category == "正式党员":
        if not has_full and out.has_column("full_date"):
            out.add(i, "full_date", FULL_MISSING.problem(), raw_full)
        elif join and full and full < add_years(join, 1):
            due = _fmt(add_years(join, 1))
            out.add(i, "full_date", FULL_EARLY.problem(full=_fmt(full), due=due), raw_full)
        elif join and full and full > add_years(join, 2):
            limit = _fmt(add_years(join, 2))
            out.add(i, "full_date", FULL_LATE.problem(full=_fmt(full), limit=limit), raw_full)
    elif category == "预备党员":
        if has_full:
            problem = PROBATION_FULL.problem(full=values.text(raw_full))
            out.add(i, "full_date", problem, raw_full)
        elif join and today > add_years(join, 2):
            out.add(i, "category", PROBATION_LONG.problem(join=_fmt(join)), column["category"][i])


def _lost_and_flow(out: Emitter, i: int, column: dict, parsed: dict) -> None:
    lost = _name(parsed["lost"][i])
    raw_date = column["lost_date"][i]
    has_date = parsed["lost_date"][i] is not EMPTY
    if lost == "是" and not has_date and out.has_column("lost_date"):
        out.add(i, "lost_date", LOST_DATE_MISSING.problem(), raw_date)
    elif lost == "否" and has_date:
        problem = LOST_DATE_UNEXPECTED.problem(value=values.text(raw_date))
        out.add(i, "lost_date", problem, raw_date)
    month, join = parsed["lost_date"][i].value, parsed["join_date"][i].value
    if month and join and month < (join.year, join.month):
        problem = LOST_BEFORE_JOIN.problem(lost=f"{month[0]}.{month[1]:02d}", join=_fmt(join))
        out.add(i, "lost_date", problem, raw_date)
    if _name(parsed["status"][i]) == "停止党籍" and lost == "否":
        out.add(i, "status", STOPPED_NOT_LOST.problem(), column["status"][i])
    _flow(out, i, column, parsed)


def _flow(out: Emitter, i: int, column: dict, parsed: dict) -> None:
    flow = _name(parsed["mobile_flow"][i])
    destination = column["destination"][i]
    has_destination = not values.is_blank(destination)
    if flow == "是" and not has_destination and out.has_column("destination"):
        out.add(i, "destination", FLOW_DEST_MISSING.problem(), destination)
    elif flow == "否" and has_destination:
        problem = FLOW_DEST_UNEXPECTED.problem(value=values.text(destination))
        out.add(i, "destination", problem, destination)
    elif has_destination:
        for problem in _place(values.text(destination)).problems:
            out.add(i, "destination", problem, destination)


_places: dict[str, object] = {}


def _place(text: str):
    if text not in _places:
        _places[text] = resolve_place(text)
    return _places[text]


def _phones(out: Emitter, i: int, column: dict, parsed: dict, lost: bool) -> None:
    mobile, landline = parsed["mobile"][i], parsed["landline"][i]
    for problem in mobile.problems:
        out.add(i, "mobile", problem, column["mobile"][i])
    for problem in landline.problems:
        out.add(i, "landline", problem, column["landline"][i])
    no_phone = mobile is EMPTY and landline is EMPTY
    if no_phone and out.has_column("mobile") and not lost:  # a lost member has none to give
        out.add(i, "mobile", PHONE_MISSING.problem(), column["mobile"][i])


def _fmt(day: date) -> str:
    return day.isoformat()
