"""Live checks: conditional-format formulas that mark a bad cell as it is typed.

Each :class:`LiveCheck` stands for a few of the engine's error rules (listed in
``rules``) and marks one column. The formulas are written for Excel 2010+, WPS
and LibreOffice alike:

* only functions all three know (no LET, no dynamic arrays, no TEXT with
  locale-dependent format codes); arrays only inside SUMPRODUCT;
* every reference is column-absolute and row-relative to the first data row
  (``$D6``), so the same rule is valid on every row of the range;
* a formula that evaluates to an error is not applied by the spreadsheet, so
  every check is wrapped in IFERROR with the outcome it should have then;
* dates are checked only when the cell holds a real date (a number): text
  dates are left to ``dyxx check`` (the date validation stops typed text);
* the code values a check compares with come from the code tables in ``codes/``.

The live marks are lenient: a cell is marked only where ``dyxx check`` reports
an error of the listed rules (tests/test_template_libreoffice.py compares both).

>>> check = CHECKS["members"][0]
>>> check.field, check.rules
('id_number', ('id.number_format', 'id.length', 'id.format', 'id.checksum'))
>>> formula = conditional_formats("members", {"id_number": 4}, 6, 2005)[0].formula
>>> "$D6" in formula and "$E6" not in formula and len(formula) < EXCEL_FORMULA_LIMIT
True
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from addin.model.fields import UNIT_FIELDS
from addin.model.findings import column_letter
from addin.rules import probation
from addin.rules.org import JOINT, SHARED_FIELDS
from addin.values import cells as values
from addin.values import codes

EXCEL_FORMULA_LIMIT = 8192
# What ric.compact drops from an ID that an officer will really type: spaces (also the
# full-width one of a Chinese input method) and hyphens (also the full-width one). The
# checks that read an ID's birth digits stop here: their formulas repeat the ID many times
# and would not fit Excel's limit with more; any other mark leaves the ID unreadable to
# them, so they mark nothing (lenient, never a false alarm).
ID_SEPARATORS = (" ", "\u3000", "-", "\uff0d")
# What ric.compact drops as well (\s and the dashes of ric.SEPARATORS after NFKC):
# the checks of the number itself (length, check digit, duplicates, gender) drop them all.
MORE_ID_SEPARATORS = ("\u00a0", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015")
# What values.parse_mobile drops from a phone (_PHONE_SEP after NFKC), everywhere.
PHONE_SEPARATORS = (
    *ID_SEPARATORS,
    "\u00a0",
    "\u2010",
    "\u2011",
    "\u2013",
    "\u2014",
    "\u2015",
    "(",
    ")",
    "（",
    "）",
)
# values.without_marks: invisible marks go wherever they are, apostrophes where they
# enclose the value (an ID with one inside stays wrong: see IdParts).
INVISIBLE = tuple(values.EDGE_JUNK)
APOSTROPHES = tuple(values.APOSTROPHES)
# GB 11643: weights of the first 17 digits and the check character for sum mod 11.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
DIGITS = "0123456789"
EXCEL_EXACT = 10**15  # an ID stored as a number of more digits has lost its last ones
YEAR_NUMBERS = 2100  # a number up to 2100 is a year to the engine (values.parse_date)
EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel's 1900 date system, after its 1900-02-29


def q(text: str) -> str:
    """An Excel string literal."""
    return '"' + text.replace('"', '""') + '"'


def substitute_all(expr: str, characters: tuple[str, ...] | str) -> str:
    for char in characters:
        expr = f"SUBSTITUTE({expr},{q(char)},{q('')})"
    return expr


def any_of(expr: str, options: tuple[str, ...] | list[str]) -> str:
    return "OR(" + ",".join(f"{expr}={q(o)}" for o in options) + ")"


# Separates the options of :func:`among`: an invisible mark, never in a text it looks at.
LIST_SEPARATOR = INVISIBLE[1]


def among(expr: str, options: tuple[str, ...] | list[str]) -> str:
    """TRUE when ``expr`` is one of ``options``, naming ``expr`` once (any_of repeats it).

    Only for an expression the INVISIBLE marks have been taken out of."""
    sep = LIST_SEPARATOR
    return f"ISNUMBER(FIND({q(sep)}&{expr}&{q(sep)},{q(sep + sep.join(options) + sep)}))"


def unmarked(ref: str) -> str:
    """The display text as values.text strips it: invisible marks out, every space at
    either end (the full-width and no-break ones too)."""
    spaced = f"SUBSTITUTE(SUBSTITUTE({ref},{q(chr(0x3000))},{q(' ')}),{q(chr(0xA0))},{q(' ')})"
    return f"TRIM({substitute_all(spaced, INVISIBLE)})"


def blank(ref: str) -> str:
    """TRUE where values.is_blank would be: empty, spaces, 无, or a run of dashes."""
    trimmed = unmarked(ref)
    words = sorted(p for p in values.PLACEHOLDERS if not values.DASH_RUN.fullmatch(p))
    return f'OR({substitute_all(trimmed, values.DASHES)}="",{among(trimmed, words)})'


def spellings(table_key: str, name: str) -> list[str]:
    """How a cell may name one entry exactly: code, name, or "code name"."""
    table = codes.table(table_key)
    entry = next(e for e in table.entries if e.name == name)
    return list(dict.fromkeys((entry.code, entry.name, table.display(entry))))


def is_value(ref: str, table_key: str, *names: str) -> str:
    return any_of(f"TRIM({ref})", [s for n in names for s in spellings(table_key, n)])


def real_date(ref: str) -> str:
    """TRUE for a number the engine reads as a date no later than today."""
    return f"IF(ISNUMBER({ref}),AND({ref}>{YEAR_NUMBERS},{ref}<TODAY()+1),FALSE)"


def digit_count(expr: str) -> str:
    array = "{" + ",".join(q(d) for d in DIGITS) + "}"
    return f"SUMPRODUCT(LEN({expr})-LEN(SUBSTITUTE({expr},{array},{q('')})))"


def all_digits(expr: str, length: int) -> str:
    """TRUE when the first ``length`` characters of ``expr`` are digits (a shorter text is
    padded with zeros: FIND of "" is 1 in Excel, an error in LibreOffice)."""
    positions = "{" + ",".join(str(i) for i in range(1, length + 1)) + "}"
    padded = f"MID({expr}&{q('0' * length)},{positions},1)"
    return f"SUMPRODUCT(--ISNUMBER(FIND({padded},{q(DIGITS)})))={length}"


def folded(ref: str) -> str:
    """A cell's text trimmed, full-width digits and letters folded as NFKC folds them (ASC:
    in Excel only under a system language that has them, elsewhere they stay)."""
    return f"ASC(TRIM({ref}))"


class IdParts:
    """Expressions on the compacted ID text ``s`` (15 or 18 characters).

    ``every_mark``: drop all that ric.compact drops (more separators, invisible marks,
    apostrophes at either end: ``quotes_ok`` says an apostrophe was not inside the
    number); else only ID_SEPARATORS, so that the formula stays short.
    """

    def __init__(self, ref: str, *, every_mark: bool = False) -> None:
        self.ref = ref
        self.quotes_ok = "TRUE"
        if every_mark:
            dropped = ID_SEPARATORS + MORE_ID_SEPARATORS + INVISIBLE
            marked = substitute_all(f"CLEAN({folded(ref)})", dropped)
            self.text = substitute_all(marked, APOSTROPHES)
            self.quotes_ok = f"ISNUMBER(FIND({self.text},{marked}))"
        else:
            self.text = substitute_all(folded(ref), ID_SEPARATORS)
        self.s = f"UPPER({self.text})"

    def format_ok(self) -> str:
        """15 digits, or 17 digits and a digit or X; a number cell only below 10^15."""
        s, ref = self.s, self.ref
        stored = f"IF(ISNUMBER({ref}),AND({ref}<{EXCEL_EXACT},{ref}=INT({ref})),TRUE)"
        return (
            f"AND({stored},{self.quotes_ok},OR(AND(LEN({s})=15,{digit_count(s)}=15),"
            f'AND(LEN({s})=18,{digit_count(s)}+(RIGHT({s})="X")=18)))'
        )

    def _digits(self, start18: int) -> str:
        """Two birth digits (month or day); a 15-digit number has no century, so 2 earlier."""
        s = self.s
        return f"VALUE(MID({s},IF(LEN({s})=15,{start18 - 2},{start18}),2))"

    @property
    def year(self) -> str:
        s = self.s
        return f'VALUE(IF(LEN({s})=15,"19"&MID({s},7,2),MID({s},7,4)))'

    @property
    def month(self) -> str:
        return self._digits(11)

    @property
    def day(self) -> str:
        return self._digits(13)

    def birth_exists(self) -> str:
        """The ID parses and its birth digits are a calendar date (ric.check's birth)."""
        y, m, d = self.year, self.month, self.day
        return (
            f"IFERROR(AND({self.format_ok()},ABS({m}-6.5)<6,{y}>=1,"  # month 1 to 12
            f"{d}>=1,{d}<=DAY(DATE({y},{m}+1,0))),FALSE)"
        )

    def birth_date(self) -> str:
        return f"DATE({self.year},{self.month},{self.day})"

    def checksum_ok(self) -> str:
        s = self.s
        positions = "{" + ",".join(str(i) for i in range(1, 18)) + "}"
        weights = "{" + ",".join(str(w) for w in ID_WEIGHTS) + "}"
        total = f"SUMPRODUCT(VALUE(MID({s},{positions},1))*{weights})"
        return f"IF(LEN({s})=15,TRUE,MID({q(ID_CHECK)},MOD({total},11)+1,1)=RIGHT({s}))"

    def gender_odd(self) -> str:
        s = self.s
        return f"MOD(VALUE(MID({s},IF(LEN({s})=15,15,17),1)),2)=1"


Refs = Mapping[str, str]  # field key -> "$D6"; "range:<key>" -> "$D$6:$D$2005"


def id_form(r: Refs) -> str:
    """ric.check errors on the number itself: stored as a number, length, characters, check."""
    ref, parts = r["id_number"], IdParts(r["id_number"], every_mark=True)
    bad = f"OR(NOT({parts.format_ok()}),NOT({parts.checksum_ok()}))"
    return f"IF({blank(ref)},FALSE,IFERROR({bad},TRUE))"


def id_birth(r: Refs) -> str:
    """ric.check's birth_date error: no calendar date, before 1900 or after today."""
    ref, parts = r["id_number"], IdParts(r["id_number"])
    ok = f"AND({parts.birth_exists()},{parts.year}>=1900,{parts.birth_date()}<=TODAY())"
    bad = f"IF({parts.format_ok()},NOT({ok}),FALSE)"
    return f"IF({blank(ref)},FALSE,IFERROR({bad},TRUE))"


def duplicate_id(r: Refs) -> str:
    ref, parts = r["id_number"], IdParts(r["id_number"], every_mark=True)
    column = IdParts(r["range:id_number"], every_mark=True)
    count = f"SUMPRODUCT(--({column.s}={parts.s}),--{column.quotes_ok})"
    return f"IF({blank(ref)},FALSE,IFERROR(IF({parts.format_ok()},{count}>1,FALSE),FALSE))"


def gender_mismatch(r: Refs) -> str:
    gender, parts = r["gender"], IdParts(r["id_number"], every_mark=True)
    male, female = is_value(gender, "gender", "男"), is_value(gender, "gender", "女")
    odd = parts.gender_odd()
    differs = f"OR(AND({male},NOT({odd})),AND({female},{odd}))"
    return f"IFERROR(IF({parts.format_ok()},{differs},FALSE),FALSE)"


def birth_mismatch(r: Refs) -> str:
    birth, parts = r["birth_date"], IdParts(r["id_number"])
    differs = f"IF({parts.year}<1900,TRUE,INT({birth})<>{parts.birth_date()})"
    inner = f"IF({parts.birth_exists()},{differs},FALSE)"
    return f"IF({real_date(birth)},IFERROR({inner},FALSE),FALSE)"


def join_age(r: Refs) -> str:
    """Under 18 (or not yet born) on the join date; born per the ID, else 出生日期."""
    join, parts = f"INT({r['join_date']})", IdParts(r["id_number"])
    y, m, d = parts.year, parts.month, parts.day
    by_id = f"IF({y}<1900,FALSE,{join}<DATE({y}+18,{m},{d}))"
    fallback = "FALSE"
    if "birth_date" in r:
        birth = r["birth_date"]
        adult = f"DATE(YEAR({birth})+18,MONTH({birth}),DAY({birth}))"
        fallback = f"IF({real_date(birth)},{join}<{adult},FALSE)"
    inner = f"IF({parts.birth_exists()},{by_id},{fallback})"
    return f"IF({real_date(r['join_date'])},IFERROR({inner},FALSE),FALSE)"


def serial(day: date) -> int:
    """Excel's number for a day (from 1900-03-01 on)."""
    return (day - EXCEL_EPOCH).days


def too_early(full: str, join: str) -> str:
    """A 转正 date earlier than the probation of the period of joining allows
    (rules.probation, as crossfield._full_member: dates a year or more apart never are)."""
    day, joined = f"INT({full})", f"INT({join})"

    def early(period: probation.Period) -> str:
        if period.shortest is None:
            return "FALSE"
        if period.shortest == 0:
            return f"{day}<{joined}"
        return f"{day}<EDATE({joined},{period.shortest})"

    *older, newest = probation.periods()
    found = early(newest)
    for period in reversed(older):
        found = f"IF({joined}<={serial(period.end)},{early(period)},{found})"
    return f"AND({day}-{joined}<366,{found})"


def full_date(r: Refs) -> str:
    """正式党员 needs a 转正 date, no earlier than the probation of the period of joining
    allows; 预备党员 has none."""
    full, category = r["full_date"], r["category"]
    regular = is_value(category, "member_category", "正式党员")
    probation_ = is_value(category, "member_category", "预备党员")
    early = "FALSE"
    if "join_date" in r:
        join = r["join_date"]
        both = f"AND({real_date(full)},{real_date(join)})"
        early = f"IF({both},IFERROR({too_early(full, join)},FALSE),FALSE)"
    return (
        f"IFERROR(OR(AND({regular},OR({blank(full)},{early})),"
        f"AND({probation_},NOT({blank(full)}))),FALSE)"
    )


def follow_up(flag: str, target: str) -> Callable[[Refs], str]:
    """是 needs the follow-up cell filled, 否 needs it empty."""

    def build(r: Refs) -> str:
        yes, no = is_value(r[flag], "yes_no", "是"), is_value(r[flag], "yes_no", "否")
        empty = blank(r[target])
        return f"IFERROR(OR(AND({yes},{empty}),AND({no},NOT({empty}))),FALSE)"

    return build


def phone_text(ref: str) -> str:
    """A phone without what values.parse_mobile drops (marks, separators), everywhere."""
    return substitute_all(f"CLEAN({folded(ref)})", PHONE_SEPARATORS + INVISIBLE + APOSTROPHES)


MOBILE_HEADS = ("", "+86", "0086", "86")
MOBILE_STARTS = tuple(f"1{d}" for d in "3456789")
AREA_CODES = ("010", *(f"02{d}" for d in DIGITS))  # three digits; else 0[3-9] and two more
LONG_AREA_STARTS = tuple(f"0{d}" for d in "3456789")
LOCAL_FIRST = tuple("23456789")
PHONE_LENGTH = 18  # 0 and three digits, eight, and an extension of up to six


def mobile_number(text: str) -> str:
    """1[3-9] and 9 digits, after nothing or +86/0086/86."""
    tail = f"RIGHT({text},11)"
    return (
        f"AND({among(f'LEFT({text},LEN({text})-11)', MOBILE_HEADS)},"
        f"{among(f'LEFT({tail},2)', MOBILE_STARTS)},{all_digits(tail, 11)})"
    )


def landline_number(text: str) -> str:
    """values._parse_landline_text's landline, separators gone: 010 or 02X and 7 digits or
    more from 2–9, or 0[3-9]XX and the same; at most PHONE_LENGTH digits (lenient on the
    exact length, as an extension may follow)."""
    short = f"AND({among(f'LEFT({text},3)', AREA_CODES)},{among(f'MID({text},4,1)', LOCAL_FIRST)})"
    long = (
        f"AND({among(f'LEFT({text},2)', LONG_AREA_STARTS)},"
        f"{among(f'MID({text},5,1)', LOCAL_FIRST)},LEN({text})>=11)"
    )
    return (
        f"AND(ABS(LEN({text})-{(PHONE_LENGTH + 10) / 2:g})<={(PHONE_LENGTH - 10) / 2:g},"
        f"{all_digits(text, PHONE_LENGTH)},OR({short},{long}))"
    )


def mobile(r: Refs) -> str:
    """values.parse_mobile's error: neither a mobile number nor a landline (a landline in
    this column is a warning only). Anything after +860 or 0086 is left to dyxx check."""
    ref = r["mobile"]
    text = phone_text(ref)
    abroad = among(f"LEFT({text},4)", ("+860", "0086"))
    ok = f"OR(IFERROR({mobile_number(text)},FALSE),IFERROR({landline_number(text)},FALSE),{abroad})"
    return f"IF({blank(ref)},FALSE,IFERROR(NOT({ok}),FALSE))"


def unit_required(key: str) -> Callable[[Refs], str]:
    def build(r: Refs) -> str:
        needs_unit = is_value(r["unit_situation"], "unit_situation", "法人单位", "联合支部")
        return f"IFERROR(AND({needs_unit},{blank(r[key])}),FALSE)"

    return build


def name_key(ref: str) -> str:
    """A 党组织名称 as submission.org_name_key compares it (spaces out; no NFKC here)."""
    return substitute_all(f"TRIM({ref})", (" ", "\u3000"))


def whole_column(ref: str) -> str:
    letter = ref.lstrip("$").rstrip("$0123456789")
    return f"${letter}:${letter}"


# A shared column of a unit row may hold a placeholder (values.is_blank): the common ones.
# (A rarer one, or one with invisible marks, leaves the row to dyxx check: not a unit row.)
CLEARED = sorted(
    {p for p in values.PLACEHOLDERS if not values.DASH_RUN.fullmatch(p)}
    | {d * n for d in "-—－/" for n in (0, 1, 2, 3)}  # n = 0: the empty cell
)


def unit_row(r: Refs, first: str) -> str:
    """1 in each row of the ranges that is one more unit of a 联合支部 on a row of its
    own, as rules.org.is_unit_row has it (row ``first`` the first row of its name): after
    that first row, which is a 联合支部, some unit column filled and one differing from the
    first row, each shared column blank or as in the first row; 0 elsewhere. Where the
    engine could disagree the formula takes the row for a unit row (no false mark)."""

    def at_first(key: str) -> str:
        return f"INDEX({whole_column(r[key])},{first})"

    situation = substitute_all(at_first("unit_situation"), (" ", "\u3000"))
    units = [r[f"range:{key}"] for key in UNIT_FIELDS if key in r]
    firsts = [at_first(key) for key in UNIT_FIELDS if key in r]
    filled = "+".join(f"(LEN(TRIM({cells}))>0)" for cells in units)
    same = "*".join(f"EXACT({c},{f})" for c, f in zip(units, firsts, strict=True))
    shared = "".join(
        f"*({among(f'TRIM({cells})', CLEARED)}+(TRIM({cells})=TRIM({at_first(key)}))>0)"
        for key in SHARED_FIELDS
        if key in r
        for cells in (r[f"range:{key}"],)
    )
    return (
        f"ISNUMBER(FIND({q(JOINT)},{situation}))*(ROW({r['range:org_name']})<>{first})"
        f"*(({filled})>0)*(({same})=0){shared}"
    )


FAR = 10**7  # more than any row number: the first row of a name is FAR minus a MAX


def duplicate_org(r: Refs) -> str:
    """Another row with the same name, neither this row nor that one a 联合支部's unit on a
    row of its own (rules.org.is_unit_row); looked into only when the name repeats. One
    SUMPRODUCT counts the unit rows of the name, this row weighing FAR more."""
    ref, names = r["org_name"], r["range:org_name"]
    column, own = name_key(names), name_key(ref)
    count = f"SUMPRODUCT(--({column}={own}))"
    if "unit_situation" not in r or not any(key in r for key in UNIT_FIELDS):
        return f"IF({blank(ref)},FALSE,IFERROR({count}>1,FALSE))"
    first = f"({FAR}-SUMPRODUCT(MAX(({column}={own})*({FAR}-ROW({names})))))"
    mine = f"(1+{FAR}*(ROW({names})=ROW({ref})))"
    units = f"SUMPRODUCT(({column}={own})*{unit_row(r, first)}*{mine})"
    # this row a unit row: units >= FAR > count, never marked; else units is their number
    repeated = f"IF({count}>1,{count}-{units}>1,FALSE)"
    return f"IF({blank(ref)},FALSE,IFERROR({repeated},FALSE))"


@dataclass(frozen=True)
class LiveCheck:
    field: str  # the column that is marked
    rules: tuple[str, ...]  # the engine's error rules this check stands for
    title: str  # what the mark means, in Chinese
    needs: tuple[str, ...]  # columns the formula reads (besides optional ones)
    build: Callable[[Refs], str]


CHECKS: dict[str, tuple[LiveCheck, ...]] = {
    "members": (
        LiveCheck(
            "id_number",
            ("id.number_format", "id.length", "id.format", "id.checksum"),
            "身份证号位数、字符或校验位不对",
            ("id_number",),
            id_form,
        ),
        LiveCheck(
            "id_number",
            ("id.birth_date",),
            "身份证号中的出生日期无效",
            ("id_number",),
            id_birth,
        ),
        LiveCheck(
            "id_number",
            ("member.duplicate_id",),
            "身份证号重复",
            ("id_number",),
            duplicate_id,
        ),
        LiveCheck(
            "gender",
            ("member.gender_mismatch",),
            "性别与身份证号不符",
            ("gender", "id_number"),
            gender_mismatch,
        ),
        LiveCheck(
            "birth_date",
            ("member.birth_mismatch",),
            "出生日期与身份证号不符",
            ("birth_date", "id_number"),
            birth_mismatch,
        ),
        LiveCheck(
            "join_date",
            ("member.join_age", "member.join_before_birth"),
            "入党时未满18岁",
            ("join_date", "id_number"),
            join_age,
        ),
        LiveCheck(
            "full_date",
            ("member.full_date_missing", "member.full_date_early", "member.probation_full_date"),
            "转正日期与人员类别不符",
            ("full_date", "category"),
            full_date,
        ),
        LiveCheck(
            "lost_date",
            ("member.lost_date_missing", "member.lost_date_unexpected"),
            "失去联系日期与是否为失联党员不符",
            ("lost", "lost_date"),
            follow_up("lost", "lost_date"),
        ),
        LiveCheck(
            "destination",
            ("member.destination_missing", "member.destination_unexpected"),
            "外出流向与是否为流动党员不符",
            ("mobile_flow", "destination"),
            follow_up("mobile_flow", "destination"),
        ),
        LiveCheck("mobile", ("phone.mobile",), "手机号格式不对", ("mobile",), mobile),
    ),
    "orgs": (
        *(
            LiveCheck(
                key,
                ("org.unit_required",),
                "法人单位、联合支部须填写单位信息",
                ("unit_situation", key),
                unit_required(key),
            )
            for key in UNIT_FIELDS
        ),
        LiveCheck(
            "org_name",
            ("org.duplicate_name",),
            "党组织名称重复",
            ("org_name",),
            duplicate_org,
        ),
    ),
}

COVERED_RULES: dict[str, frozenset[str]] = {
    kind: frozenset(rule for check in checks for rule in check.rules)
    for kind, checks in CHECKS.items()
}


@dataclass(frozen=True)
class Placed:
    """One live check placed on a sheet: the range it marks and its formula."""

    check: LiveCheck
    range: str  # "D6:D2005"
    formula: str


def refs(columns: Mapping[str, int], first: int, last: int) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, col in columns.items():
        letter = column_letter(col)
        found[key] = f"${letter}{first}"
        found[f"range:{key}"] = f"${letter}${first}:${letter}${last}"
    return found


def conditional_formats(
    kind: str, columns: Mapping[str, int], first: int, last: int
) -> list[Placed]:
    """The live checks a table with these columns can have, rows ``first``..``last``."""
    r = refs(columns, first, last)
    placed = []
    for check in CHECKS[kind]:
        if not all(key in columns for key in check.needs):
            continue
        letter = column_letter(columns[check.field])
        formula = check.build(r)
        if len(formula) >= EXCEL_FORMULA_LIMIT:
            raise ValueError(f"live check {check.rules[0]}: formula too long for Excel")
        placed.append(Placed(check, f"{letter}{first}:{letter}{last}", formula))
    return placed


# ---- knowing a live check again ------------------------------------------------------------------

LITERAL = re.compile(r'("(?:[^"]|"")*")')
SPACE = re.compile(r"\s+")
PREFIX = re.compile(r"\b_XL(?:FN|WS)\.")
BOOLEAN = re.compile(r"\b(TRUE|FALSE)\b(?:\(\))?")
NUMBER = re.compile(r"(?<![A-Z0-9_.$])(\d+(?:\.\d*)?(?:E[+-]?\d+)?|\.\d+(?:E[+-]?\d+)?)")
ROW_NUMBER = re.compile(r"(\$?[A-Z]{1,3}\$?)\d+\b")


def canonical(formula: str) -> str:
    """A formula as any office suite may write it back, for comparing: outside its text
    literals no spaces, upper case, TRUE/FALSE as 1/0 (LibreOffice), no _xlfn. prefix,
    numbers in one notation (1E+15), row numbers left out (rows inserted above or inside
    a table move them); the text literals as they are.

    >>> canonical('=IF( $D6 , true , 1000000000000000 )') == canonical('IF($D7,1,1E+15)')
    True
    """
    parts = LITERAL.split(formula.lstrip("="))
    for index in range(0, len(parts), 2):
        code = PREFIX.sub("", SPACE.sub("", parts[index]).upper())
        code = BOOLEAN.sub(lambda m: "1" if m.group(1) == "TRUE" else "0", code)
        code = ROW_NUMBER.sub(r"\1#", code)
        parts[index] = NUMBER.sub(lambda m: repr(float(m.group(1))), code)
    return "".join(parts)


# Pieces every live check of every dyxx version has (blank's run of dashes, the separators
# dropped from an ID or a phone) and no formula an officer writes.
SIGNATURES = tuple(canonical(f"SUBSTITUTE(X,{q(c)},{q('')})")[len("SUBSTITUTE(X") :] for c in "─－")


def is_live_check(formula: str) -> bool:
    """Whether a conditional format's formula is one of dyxx's live checks, as written by
    any version of dyxx and saved again by Excel, WPS or LibreOffice."""
    found = canonical(formula)
    return any(signature in found for signature in SIGNATURES)
