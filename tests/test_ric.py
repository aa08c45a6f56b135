"""公民身份号码 checks (addin.values.ric)."""

from __future__ import annotations

from datetime import date

import pytest
import stdnum.cn.ric

from addin.values import ric

TODAY = date(2025, 6, 1)


def check_digit(body: str) -> str:
    """ISO 7064 MOD 11-2 as written in GB 11643, independent of the code under test."""
    total = sum(int(digit) * (2 ** (17 - i) % 11) for i, digit in enumerate(body))
    return "10X98765432"[total % 11]


def make_id(region: str, birth: str, seq: str = "123") -> str:
    body = region + birth + seq
    return body + check_digit(body)


def with_x(region: str, birth: str) -> str:
    """A number whose check digit is X (some sequence number gives one)."""
    return next(n for seq in range(1000) if (n := make_id(region, birth, f"{seq:03}"))[-1] == "X")


def codes(raw: object) -> list[str]:
    return [p.code for p in ric.check(raw, today=TODAY).problems]


@pytest.mark.parametrize(
    "number",
    [
        make_id("430523", "19600515"),  # 邵阳县 exists from 1986: issued after birth, valid
        make_id("110103", "19750101"),  # 崇文区, abolished 2010, born before
        make_id("110103", "20100630"),  # born in the last year of 崇文区
        make_id("120110", "19850301"),  # 东郊区 (until 1991), now 东丽区
        make_id("120110", "20000301"),  # 东丽区
        make_id("440305", "19921231", "246"),  # 南山区, woman
        make_id("110105", "19010101"),
        with_x("330106", "19880808"),
        "360426199101010071",
    ],
)
def test_valid(number: str) -> None:
    result = ric.check(number, today=TODAY)
    assert result.problems == ()
    assert result.number == number
    assert ric.validate(number) == number
    assert ric.is_valid(number)


def test_stdnum_wrongly_rejects_code_created_after_birth() -> None:
    number = make_id("430523", "19600515")
    assert not stdnum.cn.ric.is_valid(number)
    assert ric.is_valid(number)


def test_birth_and_gender() -> None:
    result = ric.check(make_id("430523", "19600515", "123"), today=TODAY)
    assert (result.birth, result.gender) == (date(1960, 5, 15), "男")
    woman = make_id("430523", "19600515", "124")
    assert (ric.birth_date(woman), ric.gender(woman)) == (date(1960, 5, 15), "女")


@pytest.mark.parametrize("raw", [None, "", "   ", "\t"])
def test_empty_is_left_to_caller(raw: object) -> None:
    assert ric.check(raw) == ric.IdResult(None, None, None, ())


def test_region_abolished_before_birth_is_warning() -> None:
    number = make_id("110103", "20120101")
    [problem] = ric.check(number, today=TODAY).problems
    assert (problem.code, problem.severity) == ("id.region_abolished", "warning")
    assert "110103" in problem.message and "2010" in problem.message and "崇文区" in problem.message
    assert ric.is_valid(number)


@pytest.mark.parametrize("region", ["999999", "430599", "000000"])
def test_region_unknown(region: str) -> None:
    number = make_id(region, "19800101")
    [problem] = ric.check(number, today=TODAY).problems
    assert (problem.code, problem.severity) == ("id.region_unknown", "error")
    assert region in problem.message
    with pytest.raises(ric.InvalidComponent):
        ric.validate(number)


def test_lower_case_x_is_warning() -> None:
    number = with_x("430523", "19600515")
    result = ric.check(number.lower(), today=TODAY)
    [problem] = result.problems
    assert (problem.code, problem.severity, problem.fix) == ("id.normalised", "warning", number)
    assert number in problem.message
    assert result.number == number


@pytest.mark.parametrize(
    ("separator", "around"),
    [("", " "), (" ", ""), ("-", ""), ("\u3000", ""), ("－", "\t"), (" - ", "")],
)
def test_spaces_and_hyphens_are_warnings(separator: str, around: str) -> None:
    number = make_id("440305", "19921231")
    written = around + separator.join([number[:6], number[6:14], number[14:]]) + around
    result = ric.check(written, today=TODAY)
    assert [(p.code, p.fix) for p in result.problems] == [("id.normalised", number)]


@pytest.mark.parametrize(
    "around",
    [("\ufeff", ""), ("'", ""), ("‘", "’"), ("\u200b", ""), ("", "\u200b"), ("\u2060", "\ufeff")],
)
def test_apostrophes_and_invisible_marks_are_warnings_like_spaces(around: tuple[str, str]) -> None:
    """Not "有19位": a BOM, an apostrophe or a zero-width character is normalised away."""
    number = make_id("440305", "19921231")
    result = ric.check(around[0] + number + around[1], today=TODAY)
    assert [(p.code, p.fix) for p in result.problems] == [("id.normalised", number)]
    assert "撇号或不可见字符" in result.problems[0].message and result.number == number
    assert ric.validate(around[0] + number + around[1]) == number


@pytest.mark.parametrize(
    ("region", "place"), [("810000", "香港"), ("820000", "澳门"), ("830000", "台湾")]
)
def test_residence_permits_of_hong_kong_macao_and_taiwan_residents(region: str, place: str) -> None:
    """810000/820000/830000: a 港澳台居民居住证 number (from 2018-09), said so in a warning."""
    number = make_id(region, "19900101")
    result = ric.check(number, today=TODAY)
    [problem] = result.problems
    assert (problem.code, problem.severity) == ("id.residence_permit", "warning")
    assert f"{place}居民居住证" in problem.message and "不存在" not in problem.message
    assert (result.number, result.birth, result.gender) == (number, date(1990, 1, 1), "男")
    assert ric.validate(number) == number


def test_full_width_is_warning() -> None:
    number = make_id("440305", "19921231")
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)
    result = ric.check(full_width, today=TODAY)
    assert [(p.code, p.fix) for p in result.problems] == [("id.normalised", number)]


def test_old_15_digit_number() -> None:
    old = "430523600515123"
    converted = make_id("430523", "19600515", "123")
    result = ric.check(old, today=TODAY)
    [problem] = result.problems
    assert (problem.code, problem.severity, problem.fix) == ("id.old_15", "warning", converted)
    assert converted in problem.message
    assert (result.number, result.birth, result.gender) == (converted, date(1960, 5, 15), "男")
    with pytest.raises(ric.InvalidLength):
        ric.validate(old)


@pytest.mark.parametrize("position", [0, 5, 9, 16, 17])
def test_checksum(position: int) -> None:
    good = make_id("430523", "19600515")
    digit = str((int(good[position]) + 1) % 10) if good[position] != "X" else "0"
    bad = good[:position] + digit + good[position + 1 :]
    problems = ric.check(bad, today=TODAY).problems
    assert "id.checksum" in [p.code for p in problems]
    [problem] = [p for p in problems if p.code == "id.checksum"]
    assert f"校验位应为{check_digit(bad[:17])}" in problem.message and bad in problem.message
    with pytest.raises(ric.ValidationError):
        ric.validate(bad)


@pytest.mark.parametrize(
    ("birth", "reason", "has_date"),
    [
        ("19990230", "不是有效日期", False),
        ("19991301", "不是有效日期", False),
        ("20300101", "晚于今天", True),
        ("18991231", "早于1900年", True),
    ],
)
def test_birth_date(birth: str, reason: str, has_date: bool) -> None:
    number = make_id("430523", birth)
    result = ric.check(number, today=TODAY)
    [problem] = result.problems
    assert (problem.code, problem.severity) == ("id.birth_date", "error")
    assert birth in problem.message and reason in problem.message
    assert (result.birth is not None) == has_date
    assert result.number == number
    with pytest.raises(ric.InvalidComponent):
        ric.validate(number, today=TODAY)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("43052319600515", "id.length"),
        ("4305231960051512345", "id.length"),
        ("身份证", "id.length"),
        ("43052319600515123A", "id.format"),
        ("4305231960051512X3", "id.format"),
        ("43052360051512X", "id.format"),
    ],
)
def test_bad_form(raw: str, code: str) -> None:
    result = ric.check(raw, today=TODAY)
    [problem] = result.problems
    assert (problem.code, problem.severity) == (code, "error")
    assert raw in problem.message
    assert result.number is None
    assert not ric.is_valid(raw)


@pytest.mark.parametrize("raw", [4.30523196005151e17, 430523196005151000, 1.5])
def test_number_stored_as_excel_number(raw: object) -> None:
    [problem] = ric.check(raw, today=TODAY).problems
    assert (problem.code, problem.severity) == ("id.number_format", "error")
    assert "文本" in problem.message


def test_15_digit_excel_number_is_read() -> None:
    assert codes(430523600515123) == ["id.old_15"]
