"""附件4 党员基本信息: one record's fields and the rules between them.

Every field is parsed on its own and a field that fails never hides the other
findings of its row: the cross-field rules run on whatever did parse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from addin import codes, values
from addin.divisions import resolve_place
from addin.findings import Finding, rule
from addin.ids import ric
from addin.reader import Record, Table
from addin.rules.base import RowFindings, add_years, age_on

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


@dataclass
class Member:
    """What parsed of one row; ``None`` where the cell is empty or did not parse."""

    id_number: str | None = None
    id_birth: date | None = None
    id_gender: str | None = None
    coded: dict[str, str] = field(default_factory=dict)  # field key -> canonical name
    dates: dict[str, date] = field(default_factory=dict)
    lost_month: tuple[int, int] | None = None


def check_member(table: Table, record: Record, today: date) -> tuple[Member, list[Finding]]:
    row = RowFindings(table, record)
    member = Member()
    lost = _is_yes(record.values.get("lost"))
    for key in REQUIRED:
        row.present(key, lenient=lost and key not in ("name",))
    _parse_fields(row, member, today)
    _check_identity(row, member)
    _check_probation(row, member, today)
    _check_lost_and_flow(row, member)
    _check_phones(row, lost)
    return member, row.items


def _is_yes(raw: object) -> bool:
    entry = codes.table("yes_no").lookup(raw).entry
    return entry is not None and entry.name == "是"


def _parse_fields(row: RowFindings, member: Member, today: date) -> None:
    if not values.is_blank(row.raw("name")):
        row.add_all("name", values.check_name(row.raw("name")).problems)
    if not values.is_blank(row.raw("address")):
        row.add_all("address", values.check_address(row.raw("address")).problems)
    raw_id = row.raw("id_number")
    ident = ric.check(None if values.is_blank(raw_id) else raw_id, today)
    row.add_all("id_number", ident.problems)
    member.id_number, member.id_birth, member.id_gender = ident.number, ident.birth, ident.gender
    for key, table_key in CODED.items():
        entry = row.code(key, table_key)
        if entry is not None:
            member.coded[key] = entry.name
    for key in ("birth_date", "join_date", "full_date"):
        raw = row.raw(key)
        if values.is_blank(raw):
            continue
        parsed = values.parse_date(raw, today=today)
        row.add_all(key, parsed.problems)
        if parsed.value is not None:
            member.dates[key] = parsed.value
    if not values.is_blank(row.raw("lost_date")):
        month = values.parse_month(row.raw("lost_date"), today=today)
        row.add_all("lost_date", month.problems)
        member.lost_month = month.value


def _check_identity(row: RowFindings, member: Member) -> None:
    birth = member.dates.get("birth_date")
    if birth and member.id_birth and birth != member.id_birth:
        problem = BIRTH_MISMATCH.problem(birth=_fmt(birth), id_birth=_fmt(member.id_birth))
        row.add("birth_date", problem)
    gender = member.coded.get("gender")
    if gender and member.id_gender and gender != member.id_gender:
        row.add("gender", GENDER_MISMATCH.problem(gender=gender, id_gender=member.id_gender))
    born = member.id_birth or birth
    join = member.dates.get("join_date")
    if born and join and join < born:
        row.add("join_date", JOIN_BEFORE_BIRTH.problem(join=_fmt(join), birth=_fmt(born)))
    elif born and join and age_on(born, join) < 18:
        row.add("join_date", JOIN_AGE.problem(join=_fmt(join), age=age_on(born, join)))


def _check_probation(row: RowFindings, member: Member, today: date) -> None:
    category = member.coded.get("category")
    join, full = member.dates.get("join_date"), member.dates.get("full_date")
    has_full = not values.is_blank(row.raw("full_date"))
    if category == "正式党员":
        if not has_full and row.has_column("full_date"):
            row.add("full_date", FULL_MISSING.problem())
        elif join and full and full < add_years(join, 1):
            due = _fmt(add_years(join, 1))
            row.add("full_date", FULL_EARLY.problem(full=_fmt(full), due=due))
        elif join and full and full > add_years(join, 2):
            limit = _fmt(add_years(join, 2))
            row.add("full_date", FULL_LATE.problem(full=_fmt(full), limit=limit))
    elif category == "预备党员":
        if has_full:
            row.add("full_date", PROBATION_FULL.problem(full=values.text(row.raw("full_date"))))
        elif join and today > add_years(join, 2):
            row.add("category", PROBATION_LONG.problem(join=_fmt(join)))


def _check_lost_and_flow(row: RowFindings, member: Member) -> None:
    lost = member.coded.get("lost")
    has_lost_date = not values.is_blank(row.raw("lost_date"))
    if lost == "是" and not has_lost_date and row.has_column("lost_date"):
        row.add("lost_date", LOST_DATE_MISSING.problem())
    elif lost == "否" and has_lost_date:
        row.add("lost_date", LOST_DATE_UNEXPECTED.problem(value=values.text(row.raw("lost_date"))))
    join = member.dates.get("join_date")
    if member.lost_month and join and member.lost_month < (join.year, join.month):
        lost_text = f"{member.lost_month[0]}.{member.lost_month[1]:02d}"
        row.add("lost_date", LOST_BEFORE_JOIN.problem(lost=lost_text, join=_fmt(join)))
    if member.coded.get("status") == "停止党籍" and lost == "否":
        row.add("status", STOPPED_NOT_LOST.problem())
    _check_flow(row, member)


def _check_flow(row: RowFindings, member: Member) -> None:
    flow = member.coded.get("mobile_flow")
    destination = row.raw("destination")
    has_destination = not values.is_blank(destination)
    if flow == "是" and not has_destination and row.has_column("destination"):
        row.add("destination", FLOW_DEST_MISSING.problem())
    elif flow == "否" and has_destination:
        row.add("destination", FLOW_DEST_UNEXPECTED.problem(value=values.text(destination)))
    elif has_destination:
        row.add_all("destination", resolve_place(values.text(destination)).problems)


def _check_phones(row: RowFindings, lost: bool) -> None:
    mobile, landline = row.raw("mobile"), row.raw("landline")
    if not values.is_blank(mobile):
        row.add_all("mobile", values.parse_mobile(mobile).problems)
    if not values.is_blank(landline):
        row.add_all("landline", values.parse_landline(landline).problems)
    no_phone = values.is_blank(mobile) and values.is_blank(landline)
    if no_phone and row.has_column("mobile") and not lost:  # a lost member has none to give
        row.add("mobile", PHONE_MISSING.problem())


def _fmt(day: date) -> str:
    return day.isoformat()
