"""公民身份号码 (Chinese resident identity number, GB 11643-1999).

The number has 18 characters: a six-digit region code (行政区划代码 of the
place that issued the number), the birth date as YYYYMMDD, a three-digit
sequence number (odd for men, even for women) and a check digit (ISO 7064
MOD 11-2, ``X`` standing for 10). First-generation numbers have 15 digits:
no check digit and a two-digit year (19YY).

>>> validate("430523 19600515 1238")
'430523196005151238'
>>> birth_date("430523196005151238"), gender("430523196005151238")
(datetime.date(1960, 5, 15), '男')

The region code is where the number was *issued*, often years after birth, so
a code created after the birth year (430523 邵阳县, from 1986) or abolished
later (110103 崇文区, until 2010) is fine -- unlike ``stdnum.cn.ric``, which
checks the code against the birth year. Only a code that never existed is
invalid; one abolished before the birth year gives a warning in :func:`check`.

>>> validate("430599196005151235")
Traceback (most recent call last):
    ...
stdnum.exceptions.InvalidComponent: 地区码430599不存在
>>> [p.message for p in check("430523196005151230").problems]
['公民身份证号“430523196005151230”的校验位应为8，请核对号码']
>>> [p.code for p in check("830000199001010119").problems]  # a Taiwan resident's permit
['id.residence_permit']
>>> r = check("430523600515123")
>>> r.number, r.birth, [p.code for p in r.problems]
('430523196005151238', datetime.date(1960, 5, 15), ['id.old_15'])
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from stdnum.cn.ric import calc_check_digit
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)

from addin.model.findings import Problem, rule
from addin.values.cells import as_seen, without_marks
from addin.values.divisions import all_codes, name, periods

__all__ = [
    "IdResult",
    "InvalidChecksum",
    "InvalidComponent",
    "InvalidFormat",
    "InvalidLength",
    "ValidationError",
    "birth_date",
    "calc_check_digit",
    "check",
    "compact",
    "gender",
    "is_valid",
    "validate",
]

FIELD = "公民身份证号"
NUMBER_FORMAT = rule(
    "id.number_format",
    "error",
    "身份证号存成了数字",
    "公民身份证号“{value}”被存成了数字，后几位已丢失；请把单元格设为文本格式后重新录入号码",
)
NORMALISED = rule(
    "id.normalised",
    "warning",
    "身份证号写法不规范",
    "公民身份证号“{value}”含空格、连字符、小写x、全角字符、撇号或不可见字符，应写作“{fix}”{detail}",
)
OLD_15 = rule(
    "id.old_15",
    "warning",
    "15位旧身份证号",
    "公民身份证号“{value}”是15位旧号码，请改填18位号码“{fix}”",
)
LENGTH = rule(
    "id.length",
    "error",
    "身份证号位数不对",
    "公民身份证号“{value}”有{length}位，应为18位，请核对号码",
)
FORMAT = rule(
    "id.format",
    "error",
    "身份证号含非法字符",
    "公民身份证号“{value}”含非法字符，应为17位数字加1位数字或X，请核对号码",
)
CHECKSUM = rule(
    "id.checksum",
    "error",
    "身份证号校验位错误",
    "公民身份证号“{value}”的校验位应为{expected}，请核对号码",
)
BIRTH_DATE = rule(
    "id.birth_date",
    "error",
    "身份证号中的出生日期无效",
    "公民身份证号“{value}”中的出生日期{digits}{reason}，请核对号码",
)
REGION_UNKNOWN = rule(
    "id.region_unknown",
    "error",
    "身份证号地区码不存在",
    "公民身份证号“{value}”的前6位地区码{region}不存在，请核对号码",
)
REGION_ABOLISHED = rule(
    "id.region_abolished",
    "warning",
    "身份证号地区码在出生前已撤销",
    "公民身份证号“{value}”的地区码{region}（{name}）{end}年已撤销，早于出生年份{year}，请核对号码",
)

RESIDENCE_PERMIT = rule(
    "id.residence_permit",
    "warning",
    "港澳台居民居住证号码",
    "公民身份证号“{value}”以{region}开头，是{place}居民居住证的号码（2018年9月起签发），"
    "不是公民身份证号；该党员确为{place}居民的可以保留，否则请核对号码",
)
# 港澳台居民居住证 (2018-09-01): the ID layout with these region codes.
PERMIT_REGIONS = {"810000": "香港", "820000": "澳门", "830000": "台湾"}

SEPARATORS = re.compile(r"[\s\-‐‑‒–—―]+")
FIRST_YEAR = 1900
EXCEL_DIGITS = 15  # Excel keeps 15 significant digits of a number


class IdResult(NamedTuple):
    number: str | None  # normalised 18-character number, when it could be normalised
    birth: date | None  # when the birth date part is a real date
    gender: str | None  # 男/女 from the 17th digit
    problems: tuple[Problem, ...] = ()


def compact(raw: str) -> str:
    """Strip spaces, hyphens, enclosing apostrophes and invisible marks (a BOM, zero-width
    characters), undo full-width characters, upper-case the x.

    >>> compact(" 43052319600515123ｘ "), compact("\ufeff'430523196005151238")
    ('43052319600515123X', '430523196005151238')
    """
    marked = without_marks(raw)
    raw = marked[0] if marked else raw
    return SEPARATORS.sub("", unicodedata.normalize("NFKC", raw)).upper()


def to_18(number: str) -> str:
    """Convert a 15-digit first-generation number to 18 digits (adds 19 and a check digit).

    >>> to_18("430523600515123")
    '430523196005151238'
    """
    body = number[:6] + "19" + number[6:]
    return body + calc_check_digit(body + "0")


def birth_date(number: str) -> date:
    """The birth date in an 18-digit number; raises InvalidComponent if it is no date."""
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidComponent(f"出生日期{number[6:14]}不是有效日期") from None


def gender(number: str) -> str:
    """男 when the 17th digit is odd, else 女."""
    return "男" if int(number[16]) % 2 else "女"


def validate(raw: str, today: date | None = None) -> str:
    """Return the compact 18-character number, or raise a ValidationError.

    15-digit numbers are rejected (InvalidLength); a region code that was abolished
    before the birth year is accepted here and reported as a warning by :func:`check`.
    """
    number = compact(raw)
    if len(number) != 18:
        raise InvalidLength(f"应为18位，实为{len(number)}位")
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise InvalidFormat("应为17位数字加1位数字或X")
    if number[-1] != calc_check_digit(number):
        raise InvalidChecksum(f"校验位应为{calc_check_digit(number)}")
    reason = _birth_problem(birth_date(number), today or date.today())
    if reason:
        raise InvalidComponent(f"出生日期{number[6:14]}{reason}")
    if not periods(number[:6]) and number[:6] not in PERMIT_REGIONS:
        raise InvalidComponent(f"地区码{number[:6]}不存在")
    return number


def is_valid(raw: str) -> bool:
    try:
        return bool(validate(raw))
    except ValidationError:
        return False


_SHAPE = re.compile(r"\d{15}|\d{17}[\dX]")
_PLAIN = re.compile(r"[1-9][0-9]{5}(?:19|20)[0-9]{9}[0-9X]")


def quick_check(number: str, today: date) -> IdResult | None:
    """An 18-character ID without any problem, fast; None when anything needs a closer look.

    The check digit as :func:`calc_check_digit` computes it, inlined; birth dates and
    region codes looked up in dictionaries (a roster repeats both).
    """
    if number[-1] != CHECK_CHARACTERS[(1 - 2 * int(number[:-1], 13)) % 11]:
        return None
    digits = number[6:14]
    birth = _BIRTHS.get(digits, _UNSEEN)
    if birth is _UNSEEN:
        birth = _BIRTHS[digits] = _date_or_none(digits)
    if birth is None or birth > today:
        return None
    if (_USABLE_UNTIL or _usable_until()).get(number[:6], 0) < birth.year:
        return None
    return _new_result(IdResult, (number, birth, "男" if number[16] in "13579" else "女", ()))


CHECK_CHARACTERS = "0123456789X"  # GB 11643: the check character for each remainder mod 11
_UNSEEN = object()
_BIRTHS: dict[str, date | None] = {}
_USABLE_UNTIL: dict[str, int] = {}
_new_result = tuple.__new__  # IdResult(...) without the call of its __new__ (fast)


def _usable_until() -> dict[str, int]:
    """Region code -> the last birth year it passes :func:`quick_check` for: the year it was
    last in use (9999 while it still is); residence permits' regions are left out."""
    if not _USABLE_UNTIL:
        for region in all_codes():
            ends = [p.end for p in periods(region)]
            if region not in PERMIT_REGIONS:
                _USABLE_UNTIL[region] = 9999 if None in ends else max(ends)
    return _USABLE_UNTIL


def _date_or_none(digits: str) -> date | None:
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def _birth_problem(birth: date, today: date) -> str | None:
    if birth > today:
        return "晚于今天"
    if birth.year < FIRST_YEAR:
        return f"早于{FIRST_YEAR}年"
    return None


def _text(raw: object) -> tuple[str | None, Problem | None]:
    """The cell value as text, or an error when Excel has stored it as a number."""
    if raw is None:
        return "", None
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return str(raw), None
    if (isinstance(raw, float) and not raw.is_integer()) or len(f"{raw:.0f}") > EXCEL_DIGITS:
        return None, NUMBER_FORMAT.problem(value=str(raw))
    return f"{raw:.0f}", None


@lru_cache(maxsize=65536)
def _region_status(region: str, year: int | None) -> int | None:
    """-1 when the code never existed, the year it ended when that was before ``year``."""
    ends = [p.end for p in periods(region)]
    if not ends:
        return -1
    if year is None or any(end is None or end >= year for end in ends):
        return None
    return max(end for end in ends if end is not None)


def _region_problems(number: str, shown: str, birth: date | None) -> list[Problem]:
    region = number[:6]
    if region in PERMIT_REGIONS:
        return [RESIDENCE_PERMIT.problem(value=shown, region=region, place=PERMIT_REGIONS[region])]
    status = _region_status(region, birth.year if birth else None)
    if status is None:
        return []
    if status == -1:
        return [REGION_UNKNOWN.problem(value=shown, region=region)]
    fields = {"region": region, "name": name(region), "end": status, "year": birth.year}
    return [REGION_ABOLISHED.problem(value=shown, **fields)]


def _birth(number: str, shown: str, today: date) -> tuple[date | None, list[Problem]]:
    try:
        birth = birth_date(number)
    except InvalidComponent:
        reason = "不是有效日期"
        return None, [BIRTH_DATE.problem(value=shown, digits=number[6:14], reason=reason)]
    reason = _birth_problem(birth, today)
    if reason:
        return birth, [BIRTH_DATE.problem(value=shown, digits=number[6:14], reason=reason)]
    return birth, []


def check(raw: object, today: date | None = None) -> IdResult:
    """Check a 公民身份证号 cell value; problems are returned, never raised.

    >>> check(None)
    IdResult(number=None, birth=None, gender=None, problems=())
    >>> [p.code for p in check(4.30523196005151e17).problems]
    ['id.number_format']
    """
    if raw.__class__ is str and _PLAIN.fullmatch(raw):  # the common case, fast
        fast = quick_check(raw, today or date.today())
        if fast is not None:
            return fast
    text, problem = _text(raw)
    if problem or text is None:
        return IdResult(None, None, None, (problem,) if problem else ())
    if not text.strip():
        return IdResult(None, None, None)
    shown, number = text.strip(), compact(text)
    if len(number) not in (15, 18):
        return IdResult(None, None, None, (LENGTH.problem(value=shown, length=len(number)),))
    if not _SHAPE.fullmatch(number):
        return IdResult(None, None, None, (FORMAT.problem(value=shown),))
    problems: list[Problem] = []
    if len(number) == 15:
        number = to_18(number)
        problems.append(OLD_15.problem(value=shown, fix=number))
    elif number != text:
        marked = without_marks(text)
        detail = f"（本格{marked[1]}）" if marked else ""
        problems.append(NORMALISED.problem(value=as_seen(text), fix=number, detail=detail))
    if number[-1] != calc_check_digit(number):
        problems.append(CHECKSUM.problem(value=shown, expected=calc_check_digit(number)))
    birth, birth_problems = _birth(number, shown, today or date.today())
    problems += birth_problems + _region_problems(number, shown, birth)
    return IdResult(number, birth, gender(number), tuple(problems))
