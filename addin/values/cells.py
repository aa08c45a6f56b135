"""Cell value parsers: blanks, display text, dates, year-months, phones, names, addresses.

Every parser takes a raw cell value as a spreadsheet reader delivers it (``None``,
``str``, ``int``, ``float``, ``bool``, ``date``, ``datetime``, ``time``), never
raises, and returns a :class:`Parsed` result: the normalised ``value`` and a tuple
of :class:`~addin.model.findings.Problem` objects. ``value`` is ``None`` when the cell is
blank or when there is an error; a result with only warnings keeps its value.
A blank cell gives no problem: whether a field is required is the caller's business.

>>> parse_date('2017年6月15日').value
datetime.date(2017, 6, 15)
>>> parse_date(42901).value  # Excel serial number
datetime.date(2017, 6, 15)
>>> parse_date('2017-02-30').codes
('date.invalid',)
>>> parse_month('2015.03').value
(2015, 3)
>>> parse_mobile('+86 138-0731-2345').value
'13807312345'
>>> parse_landline('（0739）6821234').value
'0739-6821234'
>>> check_name('买买提•艾力').problems[0].fix
'买买提·艾力'
>>> check_address('邵阳县塘渡口镇').codes
('address.no_number',)
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Generic, NamedTuple, TypeVar

from addin.model.celltext import NAMED, marker
from addin.model.findings import Problem, rule

T = TypeVar("T")


class Parsed(NamedTuple, Generic[T]):
    """A parsed cell value and the problems found while parsing it.

    A named tuple, not a dataclass: a 100,000-row check creates one per distinct
    value of every column, and a tuple is three times cheaper to make.
    """

    value: T | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    @property
    def blank(self) -> bool:
        """True when the cell was blank (no value and nothing to report)."""
        return self.value is None and not self.problems

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.problems)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")


# Parsed(value) for the fast paths: the tuple made in C, without the call of Parsed.__new__
_fine = partial(tuple.__new__, Parsed)  # _fine((value, ())): a value without problems

DateResult = Parsed[date]
MonthResult = Parsed[tuple[int, int]]
PhoneResult = Parsed[str]
TextResult = Parsed[str]

# --------------------------------------------------------------------------- blanks, text

#: What officers write for "none" on paper; a cell holding only one of these is blank.
#: Runs of dashes, slashes and underscores (``--``, ``——``, ``//``) count as well.
PLACEHOLDERS = frozenset(
    {"无", "无。", "无.", "（无）", "(无)", "空", "暂无", "-", "－", "—", "——", "–", "―", "/", "／"}
)
_FILLED = re.compile("[0-9\u4e00-\u9fa5]")
DASHES = "-－—–―‐‑─_/／\\"  # a run of these alone stands for "none"
DASH_RUN = re.compile(f"[{re.escape(DASHES)}]+")
EDGE_JUNK = _EDGE_JUNK = "\ufeff\u200b\u200c\u200d\u2060"  # BOM and zero-width characters
WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())  # what str.strip() strips


def text(raw: object) -> str:
    """Display text of a cell value, stripped; Chinese punctuation is kept.

    >>> text(21), text(21.0), text(2.5), text(None), text('  张三　')
    ('21', '21', '2.5', '', '张三')
    >>> text(date(2017, 6, 15)), text(datetime(2017, 6, 15)), text(datetime(2017, 6, 15, 8, 30))
    ('2017-06-15', '2017-06-15', '2017-06-15 08:30:00')
    >>> text(True), text(13807312345.0)
    ('TRUE', '13807312345')
    """
    if raw.__class__ is str:  # the common case, fast
        s = raw.strip()
        if not s or (s[0] not in _EDGE_JUNK and s[-1] not in _EDGE_JUNK):
            return s
    try:
        if raw is None:
            return ""
        if raw.__class__ is date:  # an Excel date as calamine reads it, fast
            return raw.isoformat()
        if raw.__class__ is datetime and not (raw.hour or raw.minute or raw.second):
            if not raw.microsecond:
                return raw.date().isoformat()  # an Excel date, fast
        if isinstance(raw, bool):
            return "TRUE" if raw else "FALSE"
        if isinstance(raw, float):
            if math.isfinite(raw) and raw.is_integer() and abs(raw) < 1e16:
                return str(int(raw))
            return repr(raw)
        if isinstance(raw, datetime):
            if raw.time() == time(0):
                return raw.date().isoformat()
            return raw.isoformat(sep=" ")
        if isinstance(raw, date | time):
            return raw.isoformat()
        return str(raw).strip().strip(_EDGE_JUNK).strip()
    except Exception:  # a foreign object with a broken __str__; never raise
        return ""


_PLAIN_VALUES = frozenset({int, float, bool, date, datetime, time})


def is_blank(raw: object) -> bool:
    """True for an empty cell, whitespace, NaN, or a placeholder meaning "none".

    >>> [is_blank(v) for v in (None, '', '  ', '无', '——', '--', '／', float('nan'))]
    [True, True, True, True, True, True, True, True]
    >>> [is_blank(v) for v in (0, False, '无锡', '-1', '空调')]
    [False, False, False, False, False]
    """
    if raw.__class__ is str and "0" <= raw[:1] <= "9":  # starts with a digit: filled (fastest)
        return False
    if raw is None or raw == "":
        return True
    if raw.__class__ in _PLAIN_VALUES:  # a number, date or time is filled unless it is NaN
        return raw != raw
    if raw.__class__ is str:  # fast: starts with a digit or a Chinese character
        s = raw.strip()
        if s and _FILLED.match(s) and s[-1] not in _EDGE_JUNK and s not in PLACEHOLDERS:
            return False
    if isinstance(raw, float) and math.isnan(raw):
        return True
    s = text(raw)
    return not s or s in PLACEHOLDERS or bool(DASH_RUN.fullmatch(s))


def _shown(raw: object) -> str:
    """Display text, shortened for messages."""
    return visible(text(raw))


def visible(s: str) -> str:
    """``s`` shortened for a message, characters that do not print marked (``〔U+FEFF〕``).

    >>> visible("\ufeff21"), visible("张\u3000三")
    ('〔U+FEFF〕21', '张〔全角空格〕三')
    """
    s = s if len(s) <= 40 else s[:40] + "…"
    if s.isprintable():
        return s
    return "".join(c if c.isprintable() else " " if c in "\t\n\r" else marker(c) for c in s)


TEXT_MARKS = rule(
    "text.marks",
    "warning",
    "含撇号或不可见字符",
    "“{value}”{what}，应为“{fix}”；多是从其他软件复制或导入时带入的，请删去",
)
#: Apostrophes a cell may carry from another program (or typed to keep digits as text).
APOSTROPHES = "'‘’`＇"
_INVISIBLE_MARK = re.compile(f"[{EDGE_JUNK}]")


def without_marks(raw: object) -> tuple[str, str] | None:
    """A text cell without its BOM, zero-width characters and enclosing apostrophes, and
    what those were (for a message); None when it has none (or nothing else).

    IDs, phones and codes are read through this: the marks are normalised with a
    warning, like spaces, instead of making a correct number look one digit too long.

    >>> without_marks("'430523196803120118"), without_marks("\ufeff21")
    (('430523196803120118', "前后有撇号“'”"), ('21', '含不可见字符U+FEFF'))
    >>> without_marks("21"), without_marks("'"), without_marks(21)
    (None, None, None)
    """
    if raw.__class__ is not str:
        return None
    cell = str(raw).strip()
    unmarked = _INVISIBLE_MARK.sub("", cell).strip()
    clean = unmarked.strip(APOSTROPHES).strip()
    if not clean or clean == cell:
        return None
    what = []
    if clean != unmarked:
        ends = unmarked[: unmarked.index(clean)] + unmarked[unmarked.index(clean) + len(clean) :]
        what.append("前后有撇号“" + "".join(dict.fromkeys(ends.strip())) + "”")
    if unmarked != cell:
        hidden = dict.fromkeys(c for c in cell if _INVISIBLE_MARK.match(c))
        what.append("含不可见字符" + "、".join(f"U+{ord(c):04X}" for c in hidden))
    return clean, "，".join(what)


def as_seen(s: str) -> str:
    """``s`` for a message as a spreadsheet shows it: invisible marks left out (a message
    names them), so that masking finds the digits of a number whole.

    >>> as_seen("138\u200b07312345 ")
    '13807312345'
    """
    return visible(_INVISIBLE_MARK.sub("", s).strip())


def _marked(parse, cell: object) -> Parsed | None:
    """``parse`` of a cell without its marks, with a warning naming them (None: no marks).

    A value that is wrong even without them gets only its own errors.
    """
    found = without_marks(cell)
    if found is None:
        return None
    clean, what = found
    result = parse(clean)
    if result.value is None or result.errors:
        return result
    problem = TEXT_MARKS.problem(value=as_seen(str(cell)), what=what, fix=clean)
    return Parsed(result.value, (problem, *result.problems))


def _norm(raw: object) -> str:
    """Text with full-width ASCII (digits, brackets, slashes) folded to half width."""
    return unicodedata.normalize("NFKC", text(raw))


# --------------------------------------------------------------------------- dates

DATE_FORMAT = rule(
    "date.format",
    "error",
    "日期无法识别",
    "“{value}”不是可识别的日期，请填写年月日，例如 2017-06-15"
    "（也可写成 2017.06.15、2017/6/15、2017年6月15日、20170615）",
)
DATE_INVALID = rule(
    "date.invalid", "error", "日期不存在", "日期“{value}”不存在：{reason}，请核对后重填"
)
DATE_INCOMPLETE = rule(
    "date.incomplete",
    "error",
    "日期不完整",
    "日期“{value}”只填到了{precision}，本栏要填到日，请补全，例如 2017-06-15",
)
DATE_FUTURE = rule(
    "date.future",
    "error",
    "日期晚于今天",
    "日期“{value}”{meaning}晚于今天（{today}），请核对是否填错",
)
DATE_TOO_EARLY = rule(
    "date.too_early", "error", "日期早于1900年", "日期“{value}”{meaning}早于1900年，请核对年份"
)
MONTH_FORMAT = rule(
    "month.format",
    "error",
    "年月无法识别",
    "“{value}”不是可识别的年月，请填写年和月，例如 2015-03"
    "（也可写成 2015.03、2015/3、2015年3月、201503）",
)
MONTH_INVALID = rule(
    "month.invalid", "error", "年月不存在", "“{value}”不是有效的年月：{reason}，请核对后重填"
)
MONTH_INCOMPLETE = rule(
    "month.incomplete", "error", "年月不完整", "“{value}”只填了年份，本栏要填到月，例如 2015-03"
)
MONTH_AMBIGUOUS = rule(
    "month.ambiguous",
    "error",
    "年月有歧义",
    "“{value}”是数字格式，分不清是{year}年1月还是{year}年10月，"
    "请把单元格设为文本后填写 {year}-01 或 {year}-10",
)
MONTH_FUTURE = rule(
    "month.future", "error", "年月晚于本月", "年月“{value}”{meaning}晚于本月（{today}），请核对"
)
MONTH_TOO_EARLY = rule(
    "month.too_early", "error", "年月早于1900年", "年月“{value}”{meaning}早于1900年，请核对年份"
)

_SERIAL_MAX = 2958465  # 9999-12-31
_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0"}
_CN_RUN = re.compile(r"[〇○零一二三四五六七八九十]+")
_TIME_TAIL = re.compile(r"[\sT]+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_SEP = r"[-./_—–]"
_FULL = re.compile(rf"(\d{{4}})(?:{_SEP}|年)(\d{{1,2}})(?:{_SEP}|月)(\d{{1,2}})[日号]?")
_YM = re.compile(rf"(\d{{4}})(?:{_SEP}|年)(\d{{1,2}})月?")
_DIGITS = re.compile(r"\d{4}|\d{6}|\d{8}")
_YEAR = re.compile(r"(\d{4})年")


@dataclass(frozen=True)
class _Parts:
    year: int
    month: int | None = None
    day: int | None = None
    meaning: str = ""  # "（即 …）" when the raw value does not show the date itself
    ambiguous: bool = False  # a float like 2015.1: January or October?


def _cn_number(run: str) -> str:
    """二〇一七 -> 2017, 十五 -> 15, 二十 -> 20; other runs are left alone."""
    if "十" not in run:
        return "".join(_CN_DIGITS[c] for c in run)
    tens, _, units = run.partition("十")
    if len(tens) > 1 or len(units) > 1 or "十" in units:
        return run
    return str(int(_CN_DIGITS.get(tens, "1")) * 10 + int(_CN_DIGITS.get(units, "0")))


def _from_serial(serial: int) -> _Parts:
    """Excel 1900 date system: serial 1 is 1900-01-01, 60 is the fake 1900-02-29."""
    if serial == 60:
        return _Parts(1900, 2, 29, meaning="（即 1900-02-29）")
    day = date(1899, 12, 31 if serial < 60 else 30) + timedelta(days=serial)
    return _Parts(day.year, day.month, day.day, meaning=f"（即 {day.isoformat()}）")


def _from_digits(n: int) -> _Parts | None:
    s = str(n)
    if len(s) == 8:
        return _Parts(n // 10000, n // 100 % 100, n % 100)
    if len(s) == 6 and 1900 <= n // 100 <= 2199:
        return _Parts(n // 100, n % 100)
    if len(s) == 4 and 1900 <= n <= 2100:
        return _Parts(n)
    return None


def _from_number(x: float) -> _Parts | None:
    if not math.isfinite(x) or x < 1:
        return None
    if x.is_integer():
        parts = _from_digits(int(x))
        if parts is None and x <= _SERIAL_MAX:
            parts = _from_serial(int(x))
        return parts
    if 1900 <= x < 2101:  # 2015.03 typed into a number cell: year.month
        year = int(x)
        hundredths = round((x - year) * 100, 6)
        if not hundredths.is_integer():
            return None
        month = int(hundredths)
        if month % 10 == 0:  # 2015.1 shown, typed as 2015.1 or 2015.10
            return _Parts(year, 10, ambiguous=True) if month == 10 else _Parts(year, month // 10)
        return _Parts(year, month)
    if x <= _SERIAL_MAX + 1:  # a serial with a time of day
        return _from_serial(int(x))
    return None


def _from_text(s: str) -> _Parts | None:
    if len(s) > 100:
        return None
    s = unicodedata.normalize("NFKC", s)
    s = _CN_RUN.sub(lambda m: _cn_number(m.group()), s)
    s = _TIME_TAIL.sub("", s)
    s = re.sub(r"\s+", "", s).rstrip(".。")
    if m := _FULL.fullmatch(s):
        return _Parts(int(m[1]), int(m[2]), int(m[3]))
    if m := _YM.fullmatch(s):
        return _Parts(int(m[1]), int(m[2]))
    if m := _YEAR.fullmatch(s):
        return _Parts(int(m[1]))
    if s.isascii() and _DIGITS.fullmatch(s):
        return _from_digits(int(s))
    return None


def _split(raw: object) -> _Parts | None:
    """Year, month and day as written, not yet validated; None when unreadable."""
    if isinstance(raw, datetime):
        raw = raw.date()
    if isinstance(raw, date):
        return _Parts(raw.year, raw.month, raw.day)
    if isinstance(raw, bool | time):
        return None
    if isinstance(raw, int | float):
        try:
            return _from_number(float(raw))
        except OverflowError:
            return None
    return _from_text(text(raw))


def _invalid_reason(year: int, month: int, day: int | None) -> str | None:
    if year < 1:
        return f"年份“{year}”不对"
    if not 1 <= month <= 12:
        return f"月份“{month}”应在1～12之间"
    if day is None:
        return None
    try:
        date(year, month, day)
    except ValueError:
        return f"{year}年{month}月没有{day}日"
    return None


_PLAIN_DATE = re.compile(r"(19[0-9]{2}|20[0-9]{2})([-./])(0[1-9]|1[0-2])\2(0[1-9]|[12][0-9]|3[01])")


def _plain_date(raw: object, today: date | None) -> date | None:
    """The common, clearly valid forms (an Excel date, ``2017-06-15``), fast; else None."""
    if raw.__class__ is date:
        day = raw
    elif raw.__class__ is datetime:
        day = raw.date()
    elif raw.__class__ is str and (m := _PLAIN_DATE.fullmatch(raw)):
        try:
            day = date(int(m[1]), int(m[3]), int(m[4]))
        except ValueError:
            return None
    else:
        return None
    return day if day.year >= 1900 and day <= (today or date.today()) else None


def parse_date(raw: object, *, today: date | None = None) -> DateResult:
    """Parse a day-precision date (出生日期, 加入党组织日期, 转为正式党员日期).

    >>> parse_date('2017.06.15').value, parse_date(20170615).value
    (datetime.date(2017, 6, 15), datetime.date(2017, 6, 15))
    >>> parse_date('2017.06').codes, parse_date('2017-13-01').codes, parse_date('6/15/2017').codes
    (('date.incomplete',), ('date.invalid',), ('date.format',))
    >>> parse_date('2030-01-01', today=date(2024, 1, 1)).problems[0].message
    '日期“2030-01-01”晚于今天（2024-01-01），请核对是否填错'
    """
    fast = _plain_date(raw, today)
    if fast is not None:
        return _fine((fast, ()))
    if is_blank(raw):
        return Parsed()
    shown = _shown(raw)
    parts = _split(raw)
    if parts is None:
        return Parsed(None, (DATE_FORMAT.problem(value=shown),))
    if parts.month is None or (parts.day is None and 1 <= parts.month <= 12):
        precision = "年" if parts.month is None else "月"
        return Parsed(None, (DATE_INCOMPLETE.problem(value=shown, precision=precision),))
    reason = _invalid_reason(parts.year, parts.month, parts.day)
    if reason or parts.day is None:  # day is None only with a bad month here
        return Parsed(None, (DATE_INVALID.problem(value=shown, reason=reason),))
    day = date(parts.year, parts.month, parts.day)
    today = today or date.today()
    if day.year < 1900:
        return Parsed(None, (DATE_TOO_EARLY.problem(value=shown, meaning=parts.meaning),))
    if day > today:
        problem = DATE_FUTURE.problem(value=shown, meaning=parts.meaning, today=today.isoformat())
        return Parsed(None, (problem,))
    return Parsed(day)


def parse_month(raw: object, *, today: date | None = None) -> MonthResult:
    """Parse a month-precision date (失去联系日期) to ``(year, month)``.

    >>> [parse_month(v).value for v in ('2015-03', '2015/3', '2015年3月', 201503, '2015-03-20')]
    [(2015, 3), (2015, 3), (2015, 3), (2015, 3), (2015, 3)]
    >>> parse_month('2015.13').codes, parse_month(2015.1).codes, parse_month('2015').codes
    (('month.invalid',), ('month.ambiguous',), ('month.incomplete',))
    """
    if is_blank(raw):
        return Parsed()
    shown = _shown(raw)
    parts = _split(raw)
    if parts is None:
        return Parsed(None, (MONTH_FORMAT.problem(value=shown),))
    if parts.month is None:
        return Parsed(None, (MONTH_INCOMPLETE.problem(value=shown),))
    if parts.ambiguous:
        return Parsed(None, (MONTH_AMBIGUOUS.problem(value=shown, year=parts.year),))
    reason = _invalid_reason(parts.year, parts.month, parts.day)
    if reason:
        return Parsed(None, (MONTH_INVALID.problem(value=shown, reason=reason),))
    today = today or date.today()
    month = (parts.year, parts.month)
    meaning = parts.meaning and f"（即 {parts.year}年{parts.month}月）"
    if parts.year < 1900:
        return Parsed(None, (MONTH_TOO_EARLY.problem(value=shown, meaning=meaning),))
    if month > (today.year, today.month):
        this_month = f"{today.year}年{today.month}月"
        problem = MONTH_FUTURE.problem(value=shown, meaning=meaning, today=this_month)
        return Parsed(None, (problem,))
    return Parsed(month)


# --------------------------------------------------------------------------- phones

PHONE_MOBILE = rule(
    "phone.mobile",
    "error",
    "手机号格式不对",
    "手机号“{value}”{reason}。手机号应为1开头的11位数字，例如 13807312345",
)
PHONE_LANDLINE = rule(
    "phone.landline",
    "error",
    "固定电话格式不对",
    "固定电话“{value}”{reason}。请按“区号-号码”填写，例如 0739-6821234",
)
PHONE_NO_AREA_CODE = rule(
    "phone.no_area_code",
    "error",
    "固定电话缺少区号",
    "固定电话“{value}”没有区号；采集表要求按“（区号）+（电话）”填写，请在前面加上区号，"
    "例如 0739-{value}",
)
PHONE_MOBILE_IN_LANDLINE = rule(
    "phone.mobile_in_landline",
    "warning",
    "固定电话栏填了手机号",
    "固定电话栏填的“{value}”是手机号，请移到手机号栏；没有固定电话可以不填",
)
PHONE_LANDLINE_IN_MOBILE = rule(
    "phone.landline_in_mobile",
    "warning",
    "手机号栏填了固定电话",
    "手机号栏填的“{value}”是固定电话，请移到固定电话栏；没有手机号可以不填",
)
PHONE_ZERO_LOST = rule(
    "phone.zero_lost",
    "warning",
    "固定电话丢了开头的0",
    "固定电话“{value}”存成了数字，开头的0丢了，应为 {fix}，请把单元格设为文本后重填",
)

_MOBILE = re.compile(r"1[3-9]\d{9}")
_PHONE_SEP = re.compile(r"[\s\-—–―‐‑()]+")
_MANY = re.compile(r"[/、,，;；|]|\d{7,}\D+\d{7,}")
_COUNTRY = re.compile(r"(?:\+|00)86")
_EXTENSION = re.compile(r"(.*?\d)\s*(?:转|分机|ext\.?|x|#)\s*(\d{1,6})", re.IGNORECASE)
_AREA = re.compile(r"0(?:10|2\d|[3-9]\d\d)")
_PLAIN_LANDLINE = re.compile(r"0(?:10|2[0-9]|[3-9][0-9][0-9])-[2-9][0-9]{6,7}")
_LOCAL_FIRST = "23456789"  # a local number never starts with 0 (trunk) or 1 (services, mobiles)


def _phone_text(raw: object) -> str:
    """Text of a phone cell; 13807312345.0 from a number cell becomes '13807312345'."""
    if isinstance(raw, float) and math.isfinite(raw) and raw.is_integer() and abs(raw) < 1e16:
        return str(int(raw))
    return _norm(raw)


def _local_ok(local: str) -> bool:
    return 7 <= len(local) <= 8 and local[0] in _LOCAL_FIRST


def parse_mobile(raw: object) -> PhoneResult:
    """Parse a 手机号 to its 11 digits; spaces, hyphens and +86 are dropped silently.

    >>> [parse_mobile(v).value for v in (13807312345, '138 0731 2345', '86-13807312345')]
    ['13807312345', '13807312345', '13807312345']
    >>> parse_mobile('1380731234').problems[0].message
    '手机号“1380731234”是10位数字。手机号应为1开头的11位数字，例如 13807312345'
    >>> parse_mobile('0739-6821234')  # doctest: +ELLIPSIS
    Parsed(value='0739-6821234', problems=(Problem(rule=Rule(code='phone.landline_in_mobile', ...
    """
    if raw.__class__ is str and _PLAIN_MOBILE.fullmatch(raw):  # the common case, fast
        return _fine((raw, ()))
    if is_blank(raw):
        return Parsed()
    if (marked := _marked(parse_mobile, raw)) is not None:
        return marked
    shown = _shown(raw)
    s = _phone_text(raw)
    if isinstance(raw, bool | date | time):
        reason = "不是电话号码"
    elif len(s) > 60:
        reason = "太长，不像电话号码"
    elif _MANY.search(s):
        reason = "填了多个号码，只能填一个"
    else:
        digits = _PHONE_SEP.sub("", s)
        digits = _COUNTRY.sub("", digits, count=1) if _COUNTRY.match(digits) else digits
        if len(digits) == 13 and digits.startswith("861"):
            digits = digits[2:]
        if _MOBILE.fullmatch(digits):
            return Parsed(digits)
        if not digits.isascii() or not digits.isdigit():
            bad = "".join(dict.fromkeys(c for c in digits if not ("0" <= c <= "9")))
            reason = f"含有非数字的字符“{bad[:10]}”"
        elif digits.startswith("0") and (landline := _parse_landline_text(s)).value:
            # the same severity as a mobile in the landline column: a right number, misplaced
            return Parsed(landline.value, (PHONE_LANDLINE_IN_MOBILE.problem(value=shown),))
        elif len(digits) != 11:
            reason = f"是{len(digits)}位数字"
        elif not digits.startswith("1"):
            reason = "不是以1开头"
        else:
            reason = f"第二位不能是{digits[1]}"
    return Parsed(None, (PHONE_MOBILE.problem(value=shown, reason=reason),))


def parse_landline(raw: object) -> PhoneResult:
    """Parse a 固定电话 to ``区号-号码`` (``-分机`` when there is an extension).

    >>> [parse_landline(v).value for v in ('0739 6821234', '07396821234', '01062345678')]
    ['0739-6821234', '0739-6821234', '010-62345678']
    >>> parse_landline('0739-6821234转123').value
    '0739-6821234-123'
    >>> parse_landline('6821234').codes, parse_landline('13807312345').codes
    (('phone.no_area_code',), ('phone.mobile_in_landline',))
    >>> parse_landline('07391-6821234').codes, parse_landline('0739-1682123').codes
    (('phone.landline',), ('phone.landline',))
    """
    if raw.__class__ is str and _PLAIN_LANDLINE.fullmatch(raw):  # the common case, fast
        return _fine((raw, ()))
    if is_blank(raw):
        return Parsed()
    if (marked := _marked(parse_landline, raw)) is not None:
        return marked
    if isinstance(raw, bool | date | time):
        return Parsed(None, (PHONE_LANDLINE.problem(value=_shown(raw), reason="不是电话号码"),))
    result = _parse_landline_text(_phone_text(raw), _shown(raw))
    if isinstance(raw, int | float) and result.codes == ("phone.landline",):
        # a number cell drops the leading 0: 7396821234 was 0739-6821234
        fixed = _parse_landline_text("0" + _phone_text(raw))
        if fixed.value is not None and not fixed.problems:
            problem = PHONE_ZERO_LOST.problem(value=_shown(raw), fix=fixed.value)
            return Parsed(fixed.value, (problem,))
    return result


def _parse_landline_text(s: str, shown: str | None = None) -> PhoneResult:
    shown = s if shown is None else shown

    def error(reason: str) -> PhoneResult:
        return Parsed(None, (PHONE_LANDLINE.problem(value=shown, reason=reason),))

    s = s.strip()
    if len(s) > 60:
        return error("太长，不像电话号码")
    if m := _COUNTRY.match(s):  # +86 739 6821234: the international form drops the 0
        s = s[m.end() :].lstrip(" -")
        s = s if s[:1] in ("0", "1") else "0" + s
    extension = None
    if m := _EXTENSION.fullmatch(s):
        s, extension = m[1], m[2]
    if _MANY.search(s):
        return error("填了多个号码，只能填一个")
    tokens = [t for t in _PHONE_SEP.split(s) if t]
    if not tokens or not all(t.isascii() and t.isdigit() for t in tokens):
        return error("含有不该有的字符")
    joined = "".join(tokens)
    if _MOBILE.fullmatch(joined) and extension is None:
        return Parsed(joined, (PHONE_MOBILE_IN_LANDLINE.problem(value=shown, fix=joined),))
    area_first = tokens[0].startswith("0") and len(tokens[0]) in (3, 4)
    if len(tokens) == 3 and area_first and 7 <= len(tokens[1]) <= 8 and len(tokens[2]) <= 6:
        extension = tokens.pop()  # 0739-6821234-123
        joined = "".join(tokens)
    if len(tokens) == 2 and area_first:
        area, local = tokens
    elif len(tokens) > 1 and not area_first and tokens[0][:1] == "0" and 1 < len(tokens[0]) < 7:
        return error(f"的区号“{tokens[0]}”不对")  # 07391-6821234: not 0739-16821234
    elif joined.startswith("0"):
        size = 3 if joined[1:2] in ("1", "2") else 4
        area, local = joined[:size], joined[size:]
    elif _local_ok(joined) and extension is None:
        return Parsed(None, (PHONE_NO_AREA_CODE.problem(value=shown),))
    else:
        return error(f"是{len(joined)}位数字，缺少区号或位数不对")
    if not _AREA.fullmatch(area):
        return error(f"的区号“{area}”不对")
    if not _local_ok(local):
        return error(f"区号后的号码“{local}”应为7～8位、以2～9开头")
    return Parsed(f"{area}-{local}" + (f"-{extension}" if extension else ""))


# --------------------------------------------------------------------------- names

NAME_CHARS = rule(
    "name.chars",
    "error",
    "姓名含有非汉字字符",
    "姓名“{value}”含有{chars}，姓名应由汉字组成（少数民族姓名各部分之间用间隔号“·”），请更正",
)
NAME_DOT_POSITION = rule(
    "name.dot_position",
    "error",
    "间隔号位置不对",
    "姓名“{value}”中的间隔号“·”位置不对（不能在开头、结尾或连用），请更正",
)
NAME_DOT = rule(
    "name.dot",
    "warning",
    "间隔号写法不规范",
    "姓名“{value}”中的间隔号应写作“·”，建议改为“{fix}”",
)
NAME_SPACES = rule(
    "name.spaces", "warning", "姓名含有空格", "姓名“{value}”中有空格，建议改为“{fix}”"
)
NAME_SHORT = rule(
    "name.short", "warning", "姓名只有一个字", "姓名“{value}”只有一个字，请核对是否填写完整"
)
NAME_LONG = rule(
    "name.long",
    "warning",
    "姓名过长",
    "姓名“{value}”有{length}个字，超过15个字，请核对是否多填了内容",
)

NAME_DOT_CHAR = "·"  # U+00B7 MIDDLE DOT, as in 买买提·艾力
_DOT_VARIANTS = str.maketrans(dict.fromkeys("•．・.‧･∙⋅·", NAME_DOT_CHAR))
_HAN_RANGES = (
    (0x3400, 0x4DBF),  # Extension A
    (0x4E00, 0x9FFF),  # URO
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0x20000, 0x2A6DF),  # Extension B
    (0x2A700, 0x2EE5F),  # Extensions C–F, I
    (0x2F800, 0x2FA1F),  # compatibility supplement
    (0x30000, 0x323AF),  # Extensions G–H
)


def _is_han(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _HAN_RANGES)


def _describe(chars: list[str]) -> str:
    def one(c: str) -> str:
        if c.isprintable():
            return f"“{c}”"
        return NAMED.get(c) or f"不可见字符 U+{ord(c):04X}"

    return "、".join(one(c) for c in chars[:8]) + ("等" if len(chars) > 8 else "")


_PLAIN_NAME = re.compile("[\u4e00-\u9fa5]{2,15}")
_PLAIN_MOBILE = re.compile("1[3-9][0-9]{9}")


def check_name(raw: object) -> TextResult:
    """Check a 姓名 and return it normalised (spaces removed, dots as ``·``).

    >>> check_name('阿沛·阿旺晋美').value, check_name('张 三').problems[0].fix
    ('阿沛·阿旺晋美', '张三')
    >>> check_name('张三2').problems[0].message
    '姓名“张三2”含有“2”，姓名应由汉字组成（少数民族姓名各部分之间用间隔号“·”），请更正'
    """
    if raw.__class__ is str and _PLAIN_NAME.fullmatch(raw):  # the common case, fast
        return _fine((raw, ()))
    if is_blank(raw):
        return Parsed()
    shown = _shown(raw)
    spaced = text(raw)
    unspaced = re.sub(r"\s+", "", spaced)
    name = unspaced.translate(_DOT_VARIANTS)
    bad = [c for c in dict.fromkeys(name) if c != NAME_DOT_CHAR and not _is_han(c)]
    if bad:
        return Parsed(None, (NAME_CHARS.problem(value=shown, chars=_describe(bad)),))
    if name.startswith(NAME_DOT_CHAR) or name.endswith(NAME_DOT_CHAR) or "··" in name:
        return Parsed(None, (NAME_DOT_POSITION.problem(value=shown),))
    problems = []
    if unspaced != spaced:
        problems.append(NAME_SPACES.problem(value=shown, fix=name))
    if name != unspaced:
        problems.append(NAME_DOT.problem(value=shown, fix=name))
    if len(name.replace(NAME_DOT_CHAR, "")) == 1:
        problems.append(NAME_SHORT.problem(value=shown))
    if len(name) > 15:
        problems.append(NAME_LONG.problem(value=shown, length=len(name)))
    return Parsed(name, tuple(problems))


# --------------------------------------------------------------------------- addresses

ADDRESS_NO_NUMBER = rule(
    "address.no_number",
    "warning",
    "家庭住址未到门牌号",
    "家庭住址“{value}”没有具体到门牌号，请补充，例如“资江路12号”“白竹村3组”“5栋2单元301室”",
)

_CN_NUM = "一二三四五六七八九十百零〇两"
_HOUSE_NUMBER = re.compile(
    r"\d+\s*(?:号|栋|幢|单元|室|组|队|楼|层|弄|户|排|社|房|座|巷|#|-\s*\d)"
    rf"|[{_CN_NUM}]+(?:号|栋|幢|单元|室|组|队|弄)"
    r"|\d+$"
)


def check_address(raw: object) -> TextResult:
    """Check a 家庭住址 reaches a house number (门牌号); lenient about its form.

    >>> [check_address(v).codes for v in ('资江路12号', '白竹村三组', '5栋2单元301室')]
    [(), (), ()]
    >>> check_address('邵阳县塘渡口镇').codes
    ('address.no_number',)
    """
    if is_blank(raw):
        return Parsed()
    address = text(raw)
    if _HOUSE_NUMBER.search(unicodedata.normalize("NFKC", address[:500])):
        return Parsed(address)
    return Parsed(address, (ADDRESS_NO_NUMBER.problem(value=_shown(raw)),))
