"""统一社会信用代码 (GB 32100-2015) and 组织机构代码 (GB 11714-1997).

The 党组织所在单位代码 is one of two codes:

* 统一社会信用代码 (USCC), 18 characters from ``0-9`` and ``A-Z`` without
  ``I O Z S V``: 登记管理部门码 (1), 机构类别码 (1), the registering region's
  行政区划代码 (6 digits), the organisation's 组织机构代码 (9) and a check
  character (weighted sum modulo 31);
* 组织机构代码, 9 characters usually written ``XXXXXXXX-X``: eight digits or
  upper-case letters (A=10 … Z=35) and a check digit ``11 - Σ(value × weight)
  mod 11`` with weights 3, 7, 9, 10, 5, 8, 4, 2, where 10 is written ``X`` and
  11 is written ``0``.

The 组织机构代码 inside a USCC must pass its own check too.

>>> validate("91110000600037341L"), validate("60003734-1"), format("600037341")
('91110000600037341L', '600037341', '60003734-1')
>>> calc_org_check_digit("60003734")
'1'
>>> r = check("91110000600037341l")
>>> r.number, r.kind, r.problems[0].message
('91110000600037341L', 'uscc', '单位代码“91110000600037341l”写法不规范，应写作“91110000600037341L”')
>>> [p.message for p in check("60003734-2").problems]
['组织机构代码“60003734-2”的校验位应为1，请核对代码']
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from stdnum.cn.uscc import calc_check_digit as calc_uscc_check_digit
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)

from addin.model.findings import Problem, rule

__all__ = [
    "InvalidChecksum",
    "InvalidComponent",
    "InvalidFormat",
    "InvalidLength",
    "OrgCodeResult",
    "ValidationError",
    "calc_org_check_digit",
    "calc_uscc_check_digit",
    "check",
    "compact",
    "format",
    "is_valid",
    "validate",
]

Kind = Literal["uscc", "org"]
KIND_NAMES = {"uscc": "统一社会信用代码", "org": "组织机构代码"}

NUMBER_FORMAT = rule(
    "orgcode.number_format",
    "error",
    "单位代码存成了数字",
    "单位代码“{value}”被存成了数字，请把单元格设为文本格式后重新录入代码",
)
NORMALISED = rule(
    "orgcode.normalised",
    "warning",
    "单位代码写法不规范",
    "单位代码“{value}”写法不规范，应写作“{fix}”",
)
LENGTH = rule(
    "orgcode.length",
    "error",
    "单位代码位数不对",
    "单位代码“{value}”有{length}位，应为18位统一社会信用代码或9位组织机构代码（XXXXXXXX-X）",
)
FORMAT = rule(
    "orgcode.format",
    "error",
    "单位代码含非法字符",
    "{kind}“{value}”格式不对：{detail}，请核对代码",
)
CHECKSUM = rule(
    "orgcode.checksum",
    "error",
    "单位代码校验位错误",
    "{kind}“{value}”的校验位应为{expected}，请核对代码",
)
EMBEDDED_CHECKSUM = rule(
    "orgcode.embedded_checksum",
    "error",
    "统一社会信用代码中的组织机构代码校验位错误",
    "统一社会信用代码“{value}”第9–17位的组织机构代码{org}校验位应为{expected}，请核对代码",
)

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_CHARS = f"[{USCC_ALPHABET}]"
USCC_FORMAT = re.compile(f"{USCC_CHARS}{{2}}[0-9]{{6}}{USCC_CHARS}{{10}}")
USCC_DETAIL = "第1–2位和第9–18位为数字或除I、O、Z、S、V外的大写字母，第3–8位为数字"
ORG_FORMAT = re.compile("[0-9A-Z]{8}[0-9X]")
ORG_DETAIL = "前8位为数字或大写字母，第9位为数字或X"
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
SEPARATORS = re.compile(r"[\s\-‐‑‒–—―]+")
EXCEL_DIGITS = 15


@dataclass(frozen=True)
class OrgCodeResult:
    number: str | None  # compact code (18 or 9 characters) when it has a valid form
    kind: Kind | None
    problems: tuple[Problem, ...] = ()


def compact(raw: str) -> str:
    """Strip spaces and hyphens, undo full-width characters, upper-case letters.

    >>> compact(" ６０００３７３４－１ ")
    '600037341'
    """
    return SEPARATORS.sub("", unicodedata.normalize("NFKC", raw)).upper()


def format(number: str) -> str:
    """The standard way of writing a code: USCC compact, 组织机构代码 as XXXXXXXX-X."""
    number = compact(number)
    return f"{number[:8]}-{number[8:]}" if len(number) == 9 else number


def calc_org_check_digit(body: str) -> str:
    """GB 11714 check digit of the first eight characters of a 组织机构代码."""
    total = sum(int(char, 36) * weight for char, weight in zip(body, ORG_WEIGHTS, strict=True))
    digit = 11 - total % 11
    return {10: "X", 11: "0"}.get(digit, str(digit))


def _kind(number: str) -> Kind:
    if len(number) not in (9, 18):
        raise InvalidLength(f"应为18位或9位，实为{len(number)}位")
    kind: Kind = "uscc" if len(number) == 18 else "org"
    pattern, detail = (USCC_FORMAT, USCC_DETAIL) if kind == "uscc" else (ORG_FORMAT, ORG_DETAIL)
    if not pattern.fullmatch(number):
        raise InvalidFormat(detail)
    return kind


def _checksum_errors(number: str, kind: Kind) -> list[tuple[str, str]]:
    """(rule code, expected check character) for each failing check, outermost first."""
    if kind == "uscc" and number[-1] != calc_uscc_check_digit(number):
        return [("orgcode.checksum", calc_uscc_check_digit(number))]
    org = number[8:17] if kind == "uscc" else number
    expected = calc_org_check_digit(org[:8])
    if org[-1] == expected:
        return []
    code = "orgcode.embedded_checksum" if kind == "uscc" else "orgcode.checksum"
    return [(code, expected)]


def validate(raw: str) -> str:
    """Return the compact code, or raise a ValidationError."""
    number = compact(raw)
    kind = _kind(number)
    errors = _checksum_errors(number, kind)
    if errors:
        code, expected = errors[0]
        raise InvalidChecksum(f"{code}: 校验位应为{expected}")
    return number


def is_valid(raw: str) -> bool:
    try:
        return bool(validate(raw))
    except ValidationError:
        return False


def _text(raw: object) -> tuple[str, Problem | None]:
    if raw is None:
        return "", None
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return str(raw), None
    if (isinstance(raw, float) and not raw.is_integer()) or len(f"{raw:.0f}") > EXCEL_DIGITS:
        return "", NUMBER_FORMAT.problem(value=str(raw))
    return f"{raw:.0f}", None


def _problem(code: str, expected: str, number: str, kind: Kind, shown: str) -> Problem:
    if code == "orgcode.embedded_checksum":
        org = format(number[8:17])
        return EMBEDDED_CHECKSUM.problem(value=shown, org=org, expected=expected)
    return CHECKSUM.problem(kind=KIND_NAMES[kind], value=shown, expected=expected)


def check(raw: object) -> OrgCodeResult:
    """Check a 单位代码 cell value; problems are returned, never raised.

    >>> [p.code for p in check("911100006000373412").problems]
    ['orgcode.checksum']
    >>> check(None)
    OrgCodeResult(number=None, kind=None, problems=())
    """
    text, problem = _text(raw)
    if problem:
        return OrgCodeResult(None, None, (problem,))
    shown, number = text.strip(), compact(text)
    if not number:
        return OrgCodeResult(None, None)
    try:
        kind = _kind(number)
    except InvalidLength:
        return OrgCodeResult(None, None, (LENGTH.problem(value=shown, length=len(number)),))
    except InvalidFormat as error:
        kind_name = KIND_NAMES["uscc" if len(number) == 18 else "org"]
        problem = FORMAT.problem(kind=kind_name, value=shown, detail=str(error))
        return OrgCodeResult(None, None, (problem,))
    problems: list[Problem] = []
    if text not in (number, format(number)):
        problems.append(NORMALISED.problem(value=text, fix=format(number)))
    for code, expected in _checksum_errors(number, kind):
        problems.append(_problem(code, expected, number, kind, shown))
    return OrgCodeResult(number, kind, tuple(problems))
