"""附件4: the rules between the fields of a row, checked a column at a time.

Each rule first narrows the rows down with cheap whole-column passes (values
that differ, dates that are close together, cells that are filled) and then
looks closely only at those rows: a 100,000-row roster is checked in a few
hundredths of a second per rule. Rules run in a fixed order, so the problems of
one cell are always listed in the same order.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from itertools import compress, count
from operator import attrgetter, ne

from addin.model.findings import Problem, rule
from addin.rules import probation
from addin.rules.base import add_months, add_years, age_on
from addin.rules.columns import Emitter, ParsedColumn
from addin.values import cells as values
from addin.values.divisions import resolve_place

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
    "转为正式党员日期{full}早于{due}；{rule}，请核对",
)
FULL_LATE = rule(
    "member.full_date_late",
    "warning",
    "转正日期晚于预备期满",
    "转为正式党员日期{full}晚于入党满{longest}（{limit}）；{rule}，请核对",
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

FULL_MEMBER, PROBATIONER = "正式党员", "预备党员"  # 人员类别
YES, NO = "是", "否"
STOPPED = "停止党籍"  # 党籍状态


class Rows:
    """The parsed columns of a table, and per-row lists derived from them once."""

    def __init__(
        self,
        raw: dict[str, list],
        parsed: dict[str, ParsedColumn],
        lost: list[bool],
        empty: object,
    ) -> None:
        self.raw, self.parsed, self.lost, self.empty = raw, parsed, lost, empty
        self._cache: dict[tuple[str, str], list] = {}

    def value(self, key: str) -> list:
        """The parsed value of every row (None when blank or wrong)."""
        return self._derived(key, "value", attrgetter("value"))

    def name(self, key: str) -> list[str | None]:
        """The code-table name of every row of a coded field (None when blank or unknown)."""
        return self._derived(key, "name", _entry_name)

    def ids(self, attribute: str) -> list:
        """One attribute (birth, gender, number) of every row's parsed 公民身份证号."""
        return self._derived("id_number", attribute, attrgetter(attribute))

    def where(self, key: str, test: Callable[[object], object]) -> list[int]:
        return self.parsed[key].where(test)

    def blank(self, key: str) -> list[int]:
        return self.parsed[key].blanks()

    def filled(self, key: str) -> list[int]:
        return self.parsed[key].filled()

    def is_empty(self, key: str, index: int) -> bool:
        return self.parsed[key].result(index) is self.empty

    def _derived(self, key: str, what: str, get: Callable[[object], object]) -> list:
        if (key, what) not in self._cache:
            self._cache[key, what] = self.parsed[key].derive(get)
        return self._cache[key, what]


def _entry_name(lookup: object) -> str | None:
    entry = lookup.entry  # type: ignore[attr-defined]
    return entry.name if entry is not None else None


def check(out: Emitter, rows: Rows, today: date) -> None:
    """Every cross-field rule, in a fixed order."""
    _birth(out, rows)
    _gender(out, rows)
    _join(out, rows)
    _full_member(out, rows)
    _probationer(out, rows, today)
    _lost(out, rows)
    _stopped(out, rows)
    _flow(out, rows)
    _phones(out, rows)


def _birth(out: Emitter, rows: Rows) -> None:
    births, id_births = rows.value("birth_date"), rows.ids("birth")
    for i in compress(count(), map(ne, births, id_births)):
        if births[i] and id_births[i]:
            problem = BIRTH_MISMATCH.problem(birth=_fmt(births[i]), id_birth=_fmt(id_births[i]))
            out.add(i, "birth_date", problem, rows.raw["birth_date"][i])


def _gender(out: Emitter, rows: Rows) -> None:
    genders, id_genders = rows.name("gender"), rows.ids("gender")
    for i in compress(count(), map(ne, genders, id_genders)):
        if genders[i] and id_genders[i]:
            problem = GENDER_MISMATCH.problem(gender=genders[i], id_gender=id_genders[i])
            out.add(i, "gender", problem, rows.raw["gender"][i])


def _join(out: Emitter, rows: Rows) -> None:
    """Joined before birth, or before 18: only rows whose years are ≤ 18 apart can be."""
    born = [a or b for a, b in zip(rows.ids("birth"), rows.value("birth_date"), strict=True)]
    joins = rows.value("join_date")
    close = [
        i
        for i, (b, j) in enumerate(zip(born, joins, strict=True))
        if b and j and j.year - b.year <= 18
    ]
    for i in close:
        join, birth = joins[i], born[i]
        if join < birth:
            problem = JOIN_BEFORE_BIRTH.problem(join=_fmt(join), birth=_fmt(birth))
        elif age_on(birth, join) < 18:
            problem = JOIN_AGE.problem(join=_fmt(join), age=age_on(birth, join))
        else:
            continue
        out.add(i, "join_date", problem, rows.raw["join_date"][i])


def _full_member(out: Emitter, rows: Rows) -> None:
    """正式党员: a 转正日期 within the probation of the period the member joined in
    (:mod:`addin.rules.probation`). Every period accepts one to two years, so only dates
    outside 366–730 days apart can break a rule, and only those are looked at closely."""
    joins, fulls, raw = rows.value("join_date"), rows.value("full_date"), rows.raw["full_date"]
    has_column = out.has_column("full_date")
    bounds: dict[date, tuple[date | None, date | None]] = {}  # per join date (they repeat)
    empty = set(rows.blank("full_date"))
    for i in rows.where("category", lambda r: _entry_name(r) == FULL_MEMBER):
        if i in empty:
            if has_column:
                out.add(i, "full_date", FULL_MISSING.problem(), raw[i])
            continue
        join, full = joins[i], fulls[i]
        if not (join and full) or 366 <= (full - join).days <= 730:
            continue
        earliest, latest = bounds.get(join) or bounds.setdefault(join, probation_bounds(join))
        if (earliest is None or full >= earliest) and (latest is None or full <= latest):
            continue  # within the probation: what probation_problem finds (fast)
        problem = probation_problem(join, full)
        if problem is not None:
            out.add(i, "full_date", problem, raw[i])


def probation_bounds(join: date) -> tuple[date | None, date | None]:
    """The earliest and the latest 转正日期 of a member who joined on ``join``."""
    period = probation.period_of(join)
    shortest, longest = period.shortest, period.longest
    return (
        None if shortest is None else add_months(join, shortest),
        None if longest is None else add_months(join, longest),
    )


def probation_problem(join: date, full: date) -> Problem | None:
    period = probation.period_of(join)
    shortest = period.shortest
    if shortest is not None and full < (earliest := add_months(join, shortest)):
        due = f"入党满{probation.months_text(shortest)}（{_fmt(earliest)}）"
        due = due if shortest else f"加入党组织日期（{_fmt(join)}）"
        return FULL_EARLY.problem(full=_fmt(full), due=due, rule=period.note)
    if period.longest is not None and full > add_months(join, period.longest):
        limit = _fmt(add_months(join, period.longest))
        longest = probation.months_text(period.longest)
        return FULL_LATE.problem(full=_fmt(full), longest=longest, limit=limit, rule=period.note)
    return None


def _probationer(out: Emitter, rows: Rows, today: date) -> None:
    joins, raw = rows.value("join_date"), rows.raw["full_date"]
    for i in rows.where("category", lambda r: _entry_name(r) == PROBATIONER):
        if not rows.is_empty("full_date", i):
            problem = PROBATION_FULL.problem(full=values.text(raw[i]))
            out.add(i, "full_date", problem, raw[i])
        elif joins[i] and today > add_years(joins[i], 2):
            problem = PROBATION_LONG.problem(join=_fmt(joins[i]))
            out.add(i, "category", problem, rows.raw["category"][i])


def _lost(out: Emitter, rows: Rows) -> None:
    lost, raw = rows.name("lost"), rows.raw["lost_date"]
    if out.has_column("lost_date"):
        for i in rows.blank("lost_date"):
            if lost[i] == YES:
                out.add(i, "lost_date", LOST_DATE_MISSING.problem(), raw[i])
    months, joins = rows.value("lost_date"), rows.value("join_date")
    for i in rows.filled("lost_date"):
        if lost[i] == NO:
            problem = LOST_DATE_UNEXPECTED.problem(value=values.text(raw[i]))
            out.add(i, "lost_date", problem, raw[i])
        month, join = months[i], joins[i]
        if month and join and month < (join.year, join.month):
            problem = LOST_BEFORE_JOIN.problem(lost=f"{month[0]}.{month[1]:02d}", join=_fmt(join))
            out.add(i, "lost_date", problem, raw[i])


def _stopped(out: Emitter, rows: Rows) -> None:
    lost = rows.name("lost")
    for i in rows.where("status", lambda r: _entry_name(r) == STOPPED):
        if lost[i] == NO:
            out.add(i, "status", STOPPED_NOT_LOST.problem(), rows.raw["status"][i])


def _flow(out: Emitter, rows: Rows) -> None:
    destination = ParsedColumn(rows.raw["destination"], _destination)
    flow = rows.name("mobile_flow")
    moving = rows.where("mobile_flow", lambda r: _entry_name(r) == YES)
    given = destination.where(lambda place: place is not None)
    has_column = out.has_column("destination")
    for i in sorted({*moving, *given}):
        raw, place = rows.raw["destination"][i], destination.result(i)
        if flow[i] == YES and place is None and has_column:
            out.add(i, "destination", FLOW_DEST_MISSING.problem(), raw)
        elif flow[i] == NO and place is not None:
            problem = FLOW_DEST_UNEXPECTED.problem(value=values.text(raw))
            out.add(i, "destination", problem, raw)
        elif place is not None:
            for problem in place.problems:
                out.add(i, "destination", problem, raw)


def _destination(raw: object):
    """A filled 外出流向 resolved to province/city/county; None when blank."""
    return None if values.is_blank(raw) else resolve_place(values.text(raw))


def _phones(out: Emitter, rows: Rows) -> None:
    for key in ("mobile", "landline"):
        parsed = rows.parsed[key]
        for i in parsed.flagged():
            for problem in parsed.result(i).problems:
                out.add(i, key, problem, rows.raw[key][i])
    if not out.has_column("mobile"):
        return
    for i in rows.blank("mobile"):
        if rows.is_empty("landline", i) and not rows.lost[i]:  # a lost member has none to give
            out.add(i, "mobile", PHONE_MISSING.problem(), rows.raw["mobile"][i])


def _fmt(day: date) -> str:
    return day.isoformat()
