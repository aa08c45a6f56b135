"""``dyxx fix``: the corrections dyxx knows exactly, made in a copy; nothing guessed.

:func:`plan` decides from the values as the checks parse them (the same parsers, with
the same ``today``), a column at a time and once per distinct value:

- 公民身份证号: spaces, full-width digits, a lower-case x, a BOM or apostrophes taken out
  (``id.normalised``), a 15-digit number written as its 18 digits (``id.old_15``);
- 手机号, 固定电话 and 附件3's 联系电话: the number as the phone checks read it (spaces,
  hyphens, full-width digits, marks, a landline's lost leading 0);
- code columns: a lost leading 0, an ethnicity without 族 or marks around the value
  resolved, written in the form the column's good cells use (code, name, or "代码 名称");
- day dates written as text (2017.06.15, 2017年6月15日) become real dates.

A cell is changed only when nothing else is wrong with it (an ID may keep a warning about
its region code); a cell with one of these and another problem too (a spaced-out ID whose
check digit is wrong, a 15-digit number whose birth date does not exist) is left for the
officer and listed with the reason, as is a number that lost its leading 0 and would fit
two codes. Cells the checks do not read (a formula's result, a merged cell) are the
writer's to refuse. :func:`fix_workbook` writes the copy (:mod:`addin.write.fixed`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from addin.engine.check import paused_gc, read_sources
from addin.model.errors import WorkbookError
from addin.model.fields import FIELDS, Field
from addin.model.findings import RULES
from addin.read import ownsheets
from addin.read.reader import Table
from addin.rules.columns import ParsedColumn
from addin.values import cells as values
from addin.values import codes, ric
from addin.write.fixed import CellFix, Unfixed, fixed_package
from addin.write.marked.annotate import MACROS, OUR_SHEETS, UNSUPPORTED, has_macros
from addin.write.outputs import refuse_overwrite, write_atomically
from addin.xlsx import source as sources
from addin.xlsx.package import Rewriter
from addin.xlsx.parts import Unsupported

# Changes no check reports, named for the 修改记录 like the rules are
PHONE_FORMAT, DATE_TEXT = "fix.phone_format", "fix.date_text"
FIX_TITLES = {PHONE_FORMAT: "电话号码写法统一", DATE_TEXT: "文本日期改为日期"}
ID_RULES = ("id.old_15", "id.normalised")
PHONE_RULES = ("phone.zero_lost", "text.marks")
CODE_RULES = ("code.leading_zero", "code.ethnicity_variant", "text.marks")
OTHER_PROBLEMS = "还有其他问题：{messages}；请先核对"
OLD_ID_WRONG = "15位旧号码本身有误（{messages}），无法确定18位号码，请核对"
ZERO_AMBIGUOUS = "{table}“{value}”可能丢了开头的0，但补0后可以是{choices}，无法确定是哪一项，请核对"
XLS = "旧版 .xls 文件不能自动修改；请先在 Excel 中另存为 .xlsx"
PLAIN_ID = re.compile(r"[0-9]{17}[0-9X]")
Decision = tuple[object, str] | str | None  # (new value, rule codes), why not, or nothing to do


@dataclass
class Plan:
    """What :func:`plan` decided: the changes, and the cells left for the officer."""

    changes: list[CellFix] = field(default_factory=list)
    left: list[Unfixed] = field(default_factory=list)


def plan(tables: list[Table], today: date) -> Plan:
    """The changes to make to the cells of ``tables`` (one workbook's)."""
    found = Plan()
    for table in tables:
        for item in FIELDS[table.kind]:
            decide = _decider(table, item, today)
            if decide is not None and item.key in table.columns:
                _column(table, item, decide, found)
    return found


def _decider(table: Table, item: Field, today: date) -> Callable[[object], Decision] | None:
    if item.key == "id_number":
        return lambda raw: _id(raw, today)
    if item.phone:
        kinds = (("mobile", values.parse_mobile), ("landline", values.parse_landline))
        parsers = tuple(parse for kind, parse in kinds if item.phone in (kind, "either"))
        return lambda raw: _phone(raw, parsers)
    if item.codes:
        return code_decider(codes.table(item.codes), table.column(item.key), item)
    if item.date == "day":
        return lambda raw: _date(raw, today)
    return None


def _column(table: Table, item: Field, decide: Callable[[object], Decision], found: Plan) -> None:
    """The column's changes and cells left, deciding once per distinct value."""
    decided = ParsedColumn(table.column(item.key), decide, None)
    names = table.column("name" if table.kind == "members" else "org_name")
    col = table.columns[item.key]
    titles: dict[str, str] = {}
    for index in decided.where(_something):
        raw, outcome = decided.column[index], decided.result(index)
        where = (table.sheet, table.records[index].row, col, item.label, values.text(names[index]))
        if isinstance(outcome, str):
            found.left.append(Unfixed(*where, values.visible(values.text(raw)), outcome))
            continue
        new, rules = outcome  # type: ignore[misc]
        if rules not in titles:
            titles[rules] = "；".join(_title(code) for code in rules.split("、"))
        before = raw if raw.__class__ is str else values.text(raw)  # exactly what it held
        found.changes.append(CellFix(*where, before, new, rules, titles[rules]))


def _something(outcome: Decision) -> bool:
    return outcome is not None


def _title(code: str) -> str:
    return FIX_TITLES.get(code) or RULES[code].title


def _messages(problems) -> str:
    return "；".join(p.message for p in problems)


def _id(raw: object, today: date) -> Decision:
    if raw.__class__ is str and PLAIN_ID.fullmatch(raw):
        return None  # nothing to normalise (what else is wrong is the checks' business)
    result = ric.check(raw, today)
    rules = [code for code in ID_RULES if code in {p.code for p in result.problems}]
    if not rules:
        return None
    errors = [p for p in result.problems if p.severity == "error"]
    if errors:
        reason = OLD_ID_WRONG if rules == ["id.old_15"] else OTHER_PROBLEMS
        return reason.format(messages=_messages(errors))
    return result.number, rules[0]


def _phone(raw: object, parsers: tuple[Callable, ...]) -> Decision:
    for parse in parsers:
        result = parse(raw)
        if result.value is not None and all(p.code in PHONE_RULES for p in result.problems):
            if raw.__class__ is str and raw == result.value:
                return None
            rules = [p.code for p in result.problems] or [PHONE_FORMAT]
            return result.value, "、".join(rules)
    return None


def _date(raw: object, today: date) -> Decision:
    if raw.__class__ is not str:
        return None  # a real date, or a number the date checks report
    result = values.parse_date(raw, today=today)
    if result.value is None or result.problems:
        return None
    return result.value, DATE_TEXT


def code_decider(
    table: codes.CodeTable, column: list[object], item: Field
) -> Callable[[object], Decision]:
    form = column_form(table, column, item)

    def decide(raw: object) -> Decision:
        found = table.lookup(raw)
        if found.entry is None:
            return _zero_ambiguous(table, raw)
        rules = [p.code for p in found.problems if p.code in CODE_RULES]
        if not rules:
            return None
        others = [p for p in found.problems if p.code not in CODE_RULES]
        if others:
            return OTHER_PROBLEMS.format(messages=_messages(others))
        new = written(table, found.entry, form)
        return None if raw == new else (new, "、".join(dict.fromkeys(rules)))

    return decide


CODE, NAME, BOTH = "code", "name", "both"


def column_form(table: codes.CodeTable, column: list[object], item: Field) -> str:
    """How the column's good cells write an entry: its code, its name or both (the most
    common; without any, the name for a ticked field, else both).

    >>> from addin.model.fields import get
    >>> column_form(codes.table("education"), ["21", "22", "大学"], get("members", "education"))
    'code'
    """
    seen: Counter[str] = Counter()
    for raw, count in Counter(v for v in column if v.__class__ is str).items():
        found = table.lookup(raw)
        if found.entry is None or found.problems:
            continue
        text = codes.clean(raw)
        for form in (CODE, NAME, BOTH):
            if text == written(table, found.entry, form):
                seen[form] += count
                break
    if seen:
        return seen.most_common(1)[0][0]
    return NAME if item.ticked or not item.form_code else BOTH


def written(table: codes.CodeTable, entry: codes.Entry, form: str) -> str:
    if form == CODE:
        return entry.code
    if form == NAME:
        return entry.name
    return table.display(entry)


def _zero_ambiguous(table: codes.CodeTable, raw: object) -> Decision:
    """Why a number that lost its leading 0 cannot be restored: it fits several entries."""
    text = codes.clean(raw)
    if not (text.isascii() and text.isdigit()):
        return None
    width = max(len(e.code) for e in table.entries)
    fits = [table.by_code("0" * n + text) for n in range(1, width - len(text) + 1)]
    fits = [e for e in fits if e is not None]
    if len(fits) < 2:
        return None
    choices = "或".join(f"“{table.display(e)}”" for e in fits)
    return ZERO_AMBIGUOUS.format(table=table.title, value=text, choices=choices)


# ---- the copy ------------------------------------------------------------------------------


@dataclass
class Fixed:
    """What :func:`fix_workbook` did: the changes made, the cells left, whether it wrote."""

    changes: list[CellFix]
    left: list[Unfixed]
    written: bool
    marked: bool = False  # the input is a marked copy: its marks are from before the fix


def fix_workbook(
    source: Path,
    target: Path,
    password: str | None = None,
    encrypt_with: str | None = None,
    today: date | None = None,
) -> Fixed:
    """Write the corrected copy of ``source`` to ``target`` (nothing when there is nothing
    to change); raises :class:`WorkbookError` for a file it cannot read or change."""
    source, target = Path(source), Path(target)
    refuse_overwrite(source, target)
    loaded = sources.load(source, password)
    if loaded.kind == "xls":
        raise WorkbookError(source, XLS)
    macros = target.suffix.lower() == ".xlsm"
    if has_macros(loaded.data) and not macros:
        raise WorkbookError(target, MACROS)
    loaded.keep = True  # the sheets read are not inflated again for the copy
    with paused_gc():
        decided = plan(read_sources([loaded]), today or date.today())
    marked = _marked(loaded)
    if not decided.changes:
        return Fixed([], decided.left, False, marked)
    try:
        data, made, left = fixed_package(
            loaded.data, decided.changes, decided.left, loaded.hand_over(loaded.data), macros
        )
    except (Unsupported, ValueError, KeyError):
        raise WorkbookError(source, UNSUPPORTED.replace("标注副本", "修正副本")) from None
    if data is None:
        return Fixed([], left, False, marked)
    write_atomically(target, data, encrypt_with)
    return Fixed(made, left, True, marked)


def _marked(loaded: sources.Source) -> bool:
    """Whether the workbook holds the results of ``check -o`` or the Excel button."""
    try:
        own = ownsheets.package_sheets(Rewriter(loaded.data))
    except Exception:  # a package too damaged to follow: the writer says so
        return False
    return any(kind in OUR_SHEETS for kind in own.values())  # the marked copy's sheets
