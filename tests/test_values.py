"""Tests for addin.values.cells: blanks, text, dates, year-months, phones, names, addresses."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest

from addin.model.findings import RULES
from addin.values import cells as values
from addin.values.cells import (
    check_address,
    check_name,
    is_blank,
    parse_date,
    parse_landline,
    parse_mobile,
    parse_month,
    text,
)

TODAY = date(2024, 5, 1)


def test_rules_registered_with_chinese_messages() -> None:
    ours = {code: r for code, r in RULES.items() if code.split(".")[0] in _PREFIXES}
    assert set(ours) == set(_SEVERITIES)
    for code, r in ours.items():
        assert r.severity == _SEVERITIES[code], code
        assert "{value}" in r.template, code


_PREFIXES = {"date", "month", "phone", "name", "address", "text"}
_SEVERITIES = {
    "date.format": "error",
    "date.invalid": "error",
    "date.incomplete": "error",
    "date.future": "error",
    "date.too_early": "error",
    "month.format": "error",
    "month.invalid": "error",
    "month.incomplete": "error",
    "month.ambiguous": "error",
    "month.future": "error",
    "month.too_early": "error",
    "phone.mobile": "error",
    "phone.landline": "error",
    "phone.no_area_code": "error",
    "phone.mobile_in_landline": "warning",
    "phone.landline_in_mobile": "warning",
    "text.marks": "warning",
    "phone.zero_lost": "warning",
    "name.chars": "error",
    "name.dot_position": "error",
    "name.dot": "warning",
    "name.spaces": "warning",
    "name.short": "warning",
    "name.long": "warning",
    "address.no_number": "warning",
}

# --------------------------------------------------------------------------- blanks, text


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "   ",
        "\u3000",
        "\n",
        "无",
        "无。",
        "空",
        "暂无",
        "-",
        "--",
        "---",
        "－",
        "—",
        "——",
        "–",
        "/",
        "／",
        "//",
        "\ufeff",
        float("nan"),
    ],
)
def test_blank(raw: object) -> None:
    assert is_blank(raw)


@pytest.mark.parametrize(
    "raw", [0, 0.0, False, "0", "无锡", "无为县", "空军", "-1", "张三", date(2017, 6, 15), time(0)]
)
def test_not_blank(raw: object) -> None:
    assert not is_blank(raw)


def test_placeholders_constant() -> None:
    assert {"无", "空", "-", "/", "／", "—", "——", "–"} <= values.PLACEHOLDERS


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ""),
        (21, "21"),
        (21.0, "21"),
        (2.5, "2.5"),
        (13807312345.0, "13807312345"),
        ("  张三  ", "张三"),
        ("\u3000中共邵阳县委\u3000", "中共邵阳县委"),
        ("（一）", "（一）"),  # Chinese punctuation is kept
        ("ＡＢＣ", "ＡＢＣ"),  # no NFKC folding
        (date(2017, 6, 15), "2017-06-15"),
        (datetime(2017, 6, 15), "2017-06-15"),
        (datetime(2017, 6, 15, 8, 30), "2017-06-15 08:30:00"),
        (time(8, 30), "08:30:00"),
        (True, "TRUE"),
        (Decimal("1.50"), "1.50"),
    ],
)
def test_text(raw: object, expected: str) -> None:
    assert text(raw) == expected


# --------------------------------------------------------------------------- dates

D = date(2017, 6, 15)


@pytest.mark.parametrize(
    "raw",
    [
        D,
        datetime(2017, 6, 15),
        datetime(2017, 6, 15, 14, 30, 5),
        42901,  # Excel serial
        42901.0,
        42901.6,  # serial with a time of day
        20170615,
        20170615.0,
        "20170615",
        "2017-06-15",
        "2017-6-15",
        "2017.06.15",
        "2017.6.15",
        "2017/6/15",
        "2017/06/15",
        "2017年6月15日",
        "2017年06月15日",
        "2017 年 6 月 15 日",
        "2017年6月15号",
        "2017年6月15",
        "２０１７－０６－１５",
        "２０１７年６月１５日",
        "2017．06．15",
        "2017-06-15 ",
        " 2017-06-15\u3000",
        "2017-06-15 00:00:00",
        "2017-06-15T08:30",
        "二〇一七年六月十五日",
        "二○一七年六月十五日",
    ],
)
def test_date_good(raw: object) -> None:
    result = parse_date(raw, today=TODAY)
    assert result.value == D
    assert result.codes == ()
    assert result.ok and not result.blank


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (1, date(1900, 1, 1)),
        (59, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),
        (25569, date(1970, 1, 1)),
        (36526, date(2000, 1, 1)),
        ("1949年10月1日", date(1949, 10, 1)),
        ("二〇〇〇年十二月三十一日", date(2000, 12, 31)),
        ("2024-02-29", date(2024, 2, 29)),
        ("2024-05-01", TODAY),
    ],
)
def test_date_other_good(raw: object, expected: date) -> None:
    result = parse_date(raw, today=TODAY)
    assert (result.value, result.codes) == (expected, ())


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("2017-13-01", "date.invalid"),
        ("2017-02-30", "date.invalid"),
        ("2017-00-10", "date.invalid"),
        ("2017-06-31", "date.invalid"),
        ("2023-02-29", "date.invalid"),
        ("2017年13月1日", "date.invalid"),
        (20171301, "date.invalid"),
        ("20170230", "date.invalid"),
        (60, "date.invalid"),  # Excel's fake 1900-02-29
        ("2017.13", "date.invalid"),
        ("2017.06", "date.incomplete"),
        ("2017-06", "date.incomplete"),
        ("2017年6月", "date.incomplete"),
        ("201706", "date.incomplete"),
        (201706, "date.incomplete"),
        (2017.06, "date.incomplete"),  # 2017.06 typed into a number cell
        ("2017", "date.incomplete"),
        ("2017年", "date.incomplete"),
        (2017, "date.incomplete"),
        ("abc", "date.format"),
        ("17.6.15", "date.format"),
        ("6/15/2017", "date.format"),
        ("15/06/2017", "date.format"),
        ("2017-06-15-1", "date.format"),
        ("入党", "date.format"),
        (0, "date.format"),
        (-1, "date.format"),
        (3_000_000, "date.format"),
        (True, "date.format"),
        (time(8, 30), "date.format"),
        (float("inf"), "date.format"),
        ("2025-01-01", "date.future"),
        ("2024-05-02", "date.future"),
        (46000, "date.future"),
        (datetime(2099, 1, 1), "date.future"),
        ("1899-12-31", "date.too_early"),
        (date(1899, 12, 30), "date.too_early"),  # openpyxl's date for serial 0
        ("18991231", "date.too_early"),
    ],
)
def test_date_bad(raw: object, code: str) -> None:
    result = parse_date(raw, today=TODAY)
    assert result.value is None
    assert result.codes == (code,)
    assert not result.ok


def test_date_messages() -> None:
    assert parse_date("2017-02-30").problems[0].message == (
        "日期“2017-02-30”不存在：2017年2月没有30日，请核对后重填"
    )
    assert "月份“13”" in parse_date("2017-13-01").problems[0].message
    assert "例如 2017-06-15" in parse_date("abc").problems[0].message
    assert "只填到了月" in parse_date("2017.06").problems[0].message
    assert parse_date(46000, today=TODAY).problems[0].message == (
        "日期“46000”（即 2025-12-09）晚于今天（2024-05-01），请核对是否填错"
    )


def test_date_default_today() -> None:
    assert parse_date("2999-01-01").codes == ("date.future",)
    assert parse_date(date.today()).value == date.today()


@pytest.mark.parametrize("raw", [None, "", "无", "—", "  "])
def test_date_blank(raw: object) -> None:
    result = parse_date(raw)
    assert result.value is None and result.codes == () and result.blank


# --------------------------------------------------------------------------- months


@pytest.mark.parametrize(
    "raw",
    [
        "2015.03",
        "2015.3",
        "2015-03",
        "2015-3",
        "2015/3",
        "2015/03",
        "2015年3月",
        "2015 年 3 月",
        "２０１５年３月",
        "二〇一五年三月",
        "201503",
        201503,
        2015.03,  # typed into a number cell
        2015.3,
        "2015-03-20",  # a full date: take its year and month
        "2015年3月20日",
        20150320,
        date(2015, 3, 1),
        datetime(2015, 3, 20, 10, 0),
        42064,  # Excel serial of 2015-03-01
    ],
)
def test_month_good(raw: object) -> None:
    result = parse_month(raw, today=TODAY)
    assert (result.value, result.codes) == ((2015, 3), ())


@pytest.mark.parametrize(("raw", "expected"), [(2015.12, (2015, 12)), ("2015.10", (2015, 10))])
def test_month_two_digit(raw: object, expected: tuple[int, int]) -> None:
    assert parse_month(raw, today=TODAY).value == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("2015.13", "month.invalid"),
        ("2015-00", "month.invalid"),
        ("201513", "month.invalid"),
        ("2015-02-30", "month.invalid"),
        (2015.1, "month.ambiguous"),  # January or October?
        ("2015", "month.incomplete"),
        (2015, "month.incomplete"),
        ("2015年", "month.incomplete"),
        ("2024.06", "month.future"),
        ("2030年1月", "month.future"),
        (date(2024, 6, 1), "month.future"),
        ("1899.12", "month.too_early"),
        ("abc", "month.format"),
        ("15.3", "month.format"),
        ("3月", "month.format"),
        (True, "month.format"),
        (time(1, 2), "month.format"),
        (2015.123, "month.format"),
    ],
)
def test_month_bad(raw: object, code: str) -> None:
    result = parse_month(raw, today=TODAY)
    assert result.value is None
    assert result.codes == (code,)


def test_month_this_month_is_fine() -> None:
    assert parse_month("2024-05", today=TODAY).value == (2024, 5)


def test_month_messages() -> None:
    assert "2015-01 或 2015-10" in parse_month(2015.1).problems[0].message
    assert "晚于本月（2024年5月）" in parse_month("2030.01", today=TODAY).problems[0].message
    assert "例如 2015-03" in parse_month("abc").problems[0].message


@pytest.mark.parametrize("raw", [None, "", "无", "-"])
def test_month_blank(raw: object) -> None:
    assert parse_month(raw).blank


# --------------------------------------------------------------------------- mobile phones


@pytest.mark.parametrize(
    "raw",
    [
        "13807312345",
        13807312345,
        13807312345.0,
        "138 0731 2345",
        "138-0731-2345",
        "138－0731－2345",
        " 13807312345 ",
        "+86 13807312345",
        "+8613807312345",
        "+86-138-0731-2345",
        "86 13807312345",
        "8613807312345",
        "008613807312345",
        "１３８０７３１２３４５",
    ],
)
def test_mobile_good(raw: object) -> None:
    result = parse_mobile(raw)
    assert (result.value, result.codes) == ("13807312345", ())


@pytest.mark.parametrize("raw", ["19912345678", "16612345678", "14712345678", "17012345678"])
def test_mobile_other_prefixes(raw: str) -> None:
    assert parse_mobile(raw).value == raw


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("1380731234", "是10位数字"),
        ("138073123456", "是12位数字"),
        (1380731234, "是10位数字"),
        ("23807312345", "不是以1开头"),
        ("12807312345", "第二位不能是2"),
        ("138O7312345", "含有非数字的字符“O”"),
        ("138073l2345", "含有非数字的字符“l”"),
        (1380731234.5, "含有非数字的字符“.”"),
        ("13807312345/13907312345", "填了多个号码"),
        ("13807312345、13907312345", "填了多个号码"),
        (True, "不是电话号码"),
        (date(2017, 6, 15), "不是电话号码"),
        ("手机", "含有非数字的字符"),
    ],
)
def test_mobile_bad(raw: object, reason: str) -> None:
    result = parse_mobile(raw)
    assert result.value is None
    assert result.codes == ("phone.mobile",)
    assert reason in result.problems[0].message
    assert "13807312345" in result.problems[0].message  # the expected form


@pytest.mark.parametrize(("mobile", "landline"), [("0739-6821234", 13807312345)])
def test_a_phone_in_the_other_column_gets_one_severity(mobile: object, landline: object) -> None:
    """A right number in the wrong phone column is a warning either way round."""
    moved = parse_mobile(mobile)
    assert (moved.value, moved.codes) == ("0739-6821234", ("phone.landline_in_mobile",))
    assert "固定电话栏" in moved.problems[0].message
    other = parse_landline(landline)
    assert other.codes == ("phone.mobile_in_landline",)
    assert moved.problems[0].severity == other.problems[0].severity == "warning"


@pytest.mark.parametrize(
    ("raw", "what"),
    [
        ("\ufeff13807312345", "含不可见字符U+FEFF"),
        ("'13807312345", "前后有撇号“'”"),
        ("13807312345\u200b", "含不可见字符U+200B"),
        ("\u200d13807312345\u2060", "含不可见字符U+200D、U+2060"),
        ("‘13807312345’", "前后有撇号“‘’”"),
        ("\ufeff'13807312345", "前后有撇号“'”，含不可见字符U+FEFF"),
    ],
)
def test_phone_marks_are_normalised_with_a_warning(raw: str, what: str) -> None:
    result = parse_mobile(raw)
    assert (result.value, result.codes) == ("13807312345", ("text.marks",))
    assert what in result.problems[0].message and result.problems[0].fix == "13807312345"
    landline = parse_landline(raw.replace("13807312345", "0739-6821234"))
    assert (landline.value, landline.codes) == ("0739-6821234", ("text.marks",))


def test_marks_do_not_hide_a_wrong_number() -> None:
    result = parse_mobile("'1380731234")
    assert result.codes == ("phone.mobile",) and "是10位数字" in result.problems[0].message
    assert parse_mobile("'").codes == ("phone.mobile",)  # nothing left: not a blank cell


# --------------------------------------------------------------------------- landlines


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0739-6821234", "0739-6821234"),
        ("(0739)6821234", "0739-6821234"),
        ("（0739）6821234", "0739-6821234"),
        ("(0739) 6821234", "0739-6821234"),
        ("0739 6821234", "0739-6821234"),
        ("07396821234", "0739-6821234"),
        ("0739—6821234", "0739-6821234"),
        ("０７３９－６８２１２３４", "0739-6821234"),
        ("0739 682 1234", "0739-6821234"),
        ("010-62345678", "010-62345678"),
        ("01062345678", "010-62345678"),
        ("010 6234 5678", "010-62345678"),
        ("020-87654321", "020-87654321"),
        ("02087654321", "020-87654321"),
        ("0731-88881234", "0731-88881234"),
        ("0739-6821234-123", "0739-6821234-123"),
        ("0739-6821234转123", "0739-6821234-123"),
        ("0739-6821234 转 8", "0739-6821234-8"),
        ("+86 739 6821234", "0739-6821234"),
    ],
)
def test_landline_good(raw: object, expected: str) -> None:
    result = parse_landline(raw)
    assert (result.value, result.codes) == (expected, ())


@pytest.mark.parametrize(
    ("raw", "value", "code"),
    [
        ("13807312345", "13807312345", "phone.mobile_in_landline"),
        ("138 0731 2345", "13807312345", "phone.mobile_in_landline"),
        (13807312345, "13807312345", "phone.mobile_in_landline"),
        (7396821234, "0739-6821234", "phone.zero_lost"),
        (1062345678, "010-62345678", "phone.zero_lost"),
    ],
)
def test_landline_warnings(raw: object, value: str, code: str) -> None:
    result = parse_landline(raw)
    assert (result.value, result.codes) == (value, (code,))
    assert result.ok


@pytest.mark.parametrize("raw", ["6821234", "68212345", 6821234, "682-1234"])
def test_landline_without_area_code_is_an_error(raw: object) -> None:
    """The form prescribes （区号）+（电话）: a local number alone is not enough."""
    result = parse_landline(raw)
    assert (result.value, result.codes) == (None, ("phone.no_area_code",))
    assert "加上区号" in result.problems[0].message and result.problems[0].severity == "error"


def test_landline_warning_messages() -> None:
    moved = parse_landline("13807312345").problems[0]
    assert "手机号栏" in moved.message and moved.fix == "13807312345"
    assert parse_landline(7396821234).problems[0].fix == "0739-6821234"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("0739-682123", "“682123”应为7～8位"),
        ("0739-682123456", "应为7～8位"),
        ("0739-0821234", "以2～9开头"),
        ("0739-1682123", "“1682123”应为7～8位、以2～9开头"),  # a local number never starts with 1
        ("0739-16821234", "以2～9开头"),
        ("073916821234", "“16821234”应为7～8位、以2～9开头"),
        ("010-12345678", "以2～9开头"),
        ("07391-6821234", "区号“07391”不对"),  # not 0739-16821234
        ("07-396821234", "区号“07”不对"),
        ("073-96821234", "区号“073”不对"),
        ("0031-6821234", "区号“0031”不对"),
        ("400-123-4567", "位数不对"),
        ("12345", "位数不对"),
        ("0739-6821234/0739-6821235", "多个号码"),
        ("0739-6821234、13807312345", "多个号码"),
        ("电话0739-6821234", "不该有的字符"),
        ("0739-682l234", "不该有的字符"),
        (True, "不是电话号码"),
        (time(8, 0), "不是电话号码"),
    ],
)
def test_landline_bad(raw: object, reason: str) -> None:
    result = parse_landline(raw)
    assert result.value is None
    assert result.codes == ("phone.landline",)
    assert reason in result.problems[0].message
    assert "0739-6821234" in result.problems[0].message  # the expected form


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "raw",
    [
        "张三",
        "欧阳修",
        "买买提·艾力",
        "阿沛·阿旺晋美",
        "爱新觉罗·溥仪",
        "㐀三",
        "𠀀三",
        "龘"[:1] + "华",
    ],
)
def test_name_good(raw: str) -> None:
    result = check_name(raw)
    assert (result.value, result.codes) == (raw, ())


@pytest.mark.parametrize(
    ("raw", "value", "codes"),
    [
        ("买买提•艾力", "买买提·艾力", ("name.dot",)),
        ("买买提．艾力", "买买提·艾力", ("name.dot",)),
        ("买买提・艾力", "买买提·艾力", ("name.dot",)),
        ("买买提.艾力", "买买提·艾力", ("name.dot",)),
        ("张 三", "张三", ("name.spaces",)),
        ("张\u3000三", "张三", ("name.spaces",)),
        ("买买提 · 艾力", "买买提·艾力", ("name.spaces",)),
        ("买买提 • 艾力", "买买提·艾力", ("name.spaces", "name.dot")),
        ("张", "张", ("name.short",)),
        ("张" * 16, "张" * 16, ("name.long",)),
        (" 张三 ", "张三", ()),  # edge spaces are just stripped
    ],
)
def test_name_warnings(raw: str, value: str, codes: tuple[str, ...]) -> None:
    result = check_name(raw)
    assert (result.value, result.codes) == (value, codes)
    assert result.ok


def test_name_fix() -> None:
    assert check_name("张 三").problems[0].fix == "张三"
    assert check_name("买买提•艾力").problems[0].fix == "买买提·艾力"
    assert "15" in check_name("张" * 16).problems[0].message


@pytest.mark.parametrize(
    ("raw", "code", "named"),
    [
        ("张三2", "name.chars", "“2”"),
        ("张三(女)", "name.chars", "“(”"),
        ("Zhang San", "name.chars", "“Z”"),
        ("李Ming", "name.chars", "“M”"),
        (123, "name.chars", "“1”"),
        ("张\x00三", "name.chars", "U+0000"),
        ("张三、李四", "name.chars", "“、”"),
        ("·艾力", "name.dot_position", "“·”"),
        ("买买提·", "name.dot_position", "“·”"),
        ("买买提··艾力", "name.dot_position", "“·”"),
    ],
)
def test_name_bad(raw: object, code: str, named: str) -> None:
    result = check_name(raw)
    assert result.value is None
    assert result.codes == (code,)
    assert named in result.problems[0].message


# --------------------------------------------------------------------------- addresses


@pytest.mark.parametrize(
    "raw",
    [
        "邵阳县塘渡口镇资江路12号",
        "塘渡口镇白竹村3组",
        "XX小区5栋2单元301室",
        "湖南省邵阳市大祥区红旗路2号院3幢",
        "白竹村三组",
        "资江路十二号",
        "资江路１２号",
        "资江路12-3",
        "建设路8号5#楼",
        "长沙市芙蓉区五一大道 168 号",
        "邵阳县塘渡口镇白竹村 3 组",
        "塘田市镇联合村十一组",
        "某某大院内1",
    ],
)
def test_address_good(raw: str) -> None:
    result = check_address(raw)
    assert (result.value, result.codes) == (raw, ())


@pytest.mark.parametrize(
    "raw", ["邵阳县塘渡口镇", "塘渡口镇白竹村", "三门峡市湖滨区", "湖南省邵阳市", "资江路"]
)
def test_address_no_number(raw: str) -> None:
    result = check_address(raw)
    assert (result.value, result.codes) == (raw, ("address.no_number",))
    assert raw in result.problems[0].message


def test_blank_text_checks() -> None:
    for check in (check_name, check_address, parse_mobile, parse_landline):
        assert check(None).blank and check("无").blank


# --------------------------------------------------------------------------- robustness

ODD = [
    None,
    True,
    False,
    0,
    -1,
    1e308,
    -1e308,
    float("nan"),
    float("inf"),
    float("-inf"),
    5e-324,
    10**40,
    -(10**40),
    "",
    "\x00",
    "\x00" * 50,
    "\ud800",  # lone surrogate
    "a" * 40_000,
    "1" * 40_000,
    "2017-" * 8_000,
    "年" * 40_000,
    "0" + "-0" * 20_000,
    "转" * 10_000 + "1",
    "(" * 10_000,
    "·" * 100,
    datetime.min,
    datetime.max,
    date.min,
    date.max,
    time(0),
    time(23, 59, 59),
    Decimal("NaN"),
    Decimal("42901"),
    b"2017-06-15",
    [1, 2],
    object(),
]
PARSERS = [
    lambda raw: parse_date(raw, today=TODAY),
    lambda raw: parse_month(raw, today=TODAY),
    parse_mobile,
    parse_landline,
    check_name,
    check_address,
]


@pytest.mark.parametrize("raw", ODD, ids=lambda raw: type(raw).__name__)
def test_never_raises(raw: object) -> None:
    assert isinstance(text(raw), str)
    assert isinstance(is_blank(raw), bool)
    for parse in PARSERS:
        result = parse(raw)
        assert isinstance(result.problems, tuple)
        for problem in result.problems:
            assert isinstance(problem.message, str) and len(problem.message) < 400
        assert result.value is None or not result.errors
