"""Administrative divisions and 外出流向 (addin.values.divisions)."""

from __future__ import annotations

import pytest

from addin.values import divisions
from addin.values.divisions import LOCAL_SUFFIXES as LOCAL
from addin.values.divisions import Period, periods, prefecture_of, province_of, resolve_place


def test_table_is_sane() -> None:
    codes = divisions.all_codes()
    assert len(codes) > 3000
    for code in codes:
        assert len(code) == 6 and code.isdigit()
        for row in periods(code):
            assert row.code == code and row.name


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            "120110",
            (Period("120110", "东郊区", None, 1991), Period("120110", "东丽区", 1992, None)),
        ),
        ("110103", (Period("110103", "崇文区", None, 2010),)),
        ("430523", (Period("430523", "邵阳县", 1986, None),)),
        ("999999", ()),
        ("430599", ()),
        ("", ()),
    ],
)
def test_periods(code: str, expected: tuple[Period, ...]) -> None:
    assert periods(code) == expected


@pytest.mark.parametrize(
    ("code", "province", "prefecture"),
    [
        ("440305", "广东省", "深圳市"),
        ("430523", "湖南省", "邵阳市"),
        ("110105", "北京市", None),  # 直辖市: 110100 is 市辖区, not a prefecture
        ("429004", "湖北省", None),  # 仙桃市, 省直辖县级行政单位
        ("440000", "广东省", None),
        ("810000", "香港特别行政区", None),
        ("999999", None, None),
        ("12", None, None),
    ],
)
def test_province_and_prefecture_of(
    code: str, province: str | None, prefecture: str | None
) -> None:
    assert (province_of(code), prefecture_of(code)) == (province, prefecture)


@pytest.mark.parametrize(
    ("text", "province", "prefecture", "county"),
    [
        ("广东省深圳市南山区", "广东省", "深圳市", "南山区"),
        ("广东深圳", "广东省", "深圳市", None),
        ("广东省", "广东省", None, None),
        ("北京市朝阳区", "北京市", None, "朝阳区"),
        ("湖南省长沙市", "湖南省", "长沙市", None),
        ("湖南省长沙县", "湖南省", "长沙市", "长沙县"),
        ("湖南省长沙市长沙县", "湖南省", "长沙市", "长沙县"),
        ("新疆乌鲁木齐", "新疆维吾尔自治区", "乌鲁木齐市", None),
        ("内蒙古呼和浩特市", "内蒙古自治区", "呼和浩特市", None),
        ("广东省 深圳市", "广东省", "深圳市", None),
        ("广东省-深圳市", "广东省", "深圳市", None),
        (" 广东省　深圳市　南山区 ", "广东省", "深圳市", "南山区"),
        ("广东省/深圳市/南山区", "广东省", "深圳市", "南山区"),
        ("广东 深圳 南山", "广东省", "深圳市", "南山区"),
        ("中国广东省深圳市", "广东省", "深圳市", None),
        ("广东省深圳市南山区粤海街道", "广东省", "深圳市", "南山区"),
        ("广西南宁", "广西壮族自治区", "南宁市", None),
        ("广西壮族自治区南宁市青秀区", "广西壮族自治区", "南宁市", "青秀区"),
        ("西藏拉萨", "西藏自治区", "拉萨市", None),
        ("宁夏银川市", "宁夏回族自治区", "银川市", None),
        ("香港", "香港特别行政区", None, None),
        ("澳门", "澳门特别行政区", None, None),
        ("台湾", "台湾省", None, None),
        ("重庆市万州区", "重庆市", None, "万州区"),
        ("湖北省仙桃市", "湖北省", None, "仙桃市"),
        ("湖南省湘西州吉首市", "湖南省", "湘西土家族苗族自治州", "吉首市"),
        ("青海省海南州", "青海省", "海南藏族自治州", None),
        ("新疆伊犁州伊宁市", "新疆维吾尔自治区", "伊犁哈萨克自治州", "伊宁市"),
        ("云南省大理白族自治州大理市", "云南省", "大理白族自治州", "大理市"),
        ("天津市东郊区", "天津市", None, "东郊区"),  # historic name, accepted
        ("湖南省邵阳市邵东市", "湖南省", "邵阳市", "邵东市"),
        ("吉林省吉林市", "吉林省", "吉林市", None),
        ("内蒙古锡林郭勒盟", "内蒙古自治区", "锡林郭勒盟", None),
    ],
)
def test_resolve_place(
    text: str, province: str, prefecture: str | None, county: str | None
) -> None:
    result = resolve_place(text)
    assert result.problems == ()
    assert (result.province, result.prefecture, result.county) == (province, prefecture, county)


def test_every_current_division_resolves_by_full_name() -> None:
    """省+市+县 written in full finds the right code, for every division in use today."""
    # Named twice among current codes of the table: 随州市 (421300), 神农架林区 (422921).
    ambiguous = {"429001", "429021"}
    wrong = []
    for code in divisions.all_codes():
        current = divisions.name(code) or ""
        in_use = any(row.end is None for row in periods(code))
        generic = current in divisions.GENERIC or current.startswith(divisions.GENERIC_PREFIX)
        if code.endswith("0000") or not in_use or generic:
            continue
        prefecture = prefecture_of(code) if not code.endswith("00") else None
        text = f"{province_of(code)}{prefecture or ''}{current}"
        result = resolve_place(text)
        if (result.code, result.problems) != (code, ()) and code not in ambiguous:
            wrong.append((text, code, result.code))
    assert wrong == []


def local_rows() -> list[tuple[str, set[divisions.Alias]]]:
    """Each prefecture or county code with the aliases of its names."""
    rows = []
    for code in divisions.all_codes():
        names = [row.name for row in periods(code)]
        generic = divisions.GENERIC_PREFIX
        names = [n for n in names if n not in divisions.GENERIC and not n.startswith(generic)]
        aliases = {(a, code, n) for n in names for a in divisions.name_aliases(n, LOCAL)}
        rows.append((code, aliases))
    return rows


def test_the_local_alias_index_is_the_plain_scan() -> None:
    """local_aliases against the plain path: a pass over the whole table for each prefix."""
    rows = local_rows()
    codes = [code for code, _aliases in rows]
    four = sorted({code[:4] for code in codes})
    for prefix in [*sorted({code[:2] for code in codes}), *four[::10], "4403", "9999"]:
        for prefectures in (True, False):
            found: set[divisions.Alias] = set()
            for code, aliases in [row for row in rows if row[0].startswith(prefix)]:
                if code[2:4] != "00" and (code[4:] == "00") == prefectures:
                    found |= aliases
            expected = tuple(sorted(found, key=lambda alias: (-len(alias[0]), alias)))
            assert divisions.local_aliases(prefix, prefectures) == expected, prefix
    with pytest.raises(ValueError):
        divisions.local_aliases("440", False)


def test_resolve_place_code() -> None:
    assert resolve_place("广东省深圳市南山区").code == "440305"
    assert resolve_place("广东省深圳市").code == "440300"
    assert resolve_place("广东").code == "440000"


@pytest.mark.parametrize("text", ["深圳市南山区", "南山区", "火星", "纽约", "不详", "巴林左旗"])
def test_province_unknown(text: str) -> None:
    result = resolve_place(text)
    [problem] = result.problems
    assert (problem.code, problem.severity) == ("place.province_unknown", "error")
    assert text in problem.message and "广东省深圳市南山区" in problem.message
    assert (result.province, result.prefecture, result.county) == (None, None, None)


@pytest.mark.parametrize(
    ("text", "part", "parent", "province", "prefecture"),
    [
        ("广东省火星市", "火星市", "广东省", "广东省", None),
        ("广东省深圳市火星区", "火星区", "深圳市", "广东省", "深圳市"),
        ("湖南省纽约", "纽约", "湖南省", "湖南省", None),
    ],
)
def test_part_unknown(
    text: str, part: str, parent: str, province: str, prefecture: str | None
) -> None:
    result = resolve_place(text)
    [problem] = result.problems
    assert (problem.code, problem.severity) == ("place.part_unknown", "warning")
    assert f"“{part}”不是{parent}下" in problem.message
    assert (result.province, result.prefecture) == (province, prefecture)


@pytest.mark.parametrize(
    "text",
    [
        "国外",
        "境外",
        "境外（美国）",
        "海外 新加坡",
        "新加坡",  # 国外, 新加坡 and 美国纽约 alike: a country is abroad
        "美国纽约",
        "美国 纽约州",
        "日本东京都",
        "刚果（金）金沙萨",
        "阿联酋迪拜",
        "欧洲",
    ],
)
def test_abroad(text: str) -> None:
    [problem] = resolve_place(text).problems
    assert (problem.code, problem.severity) == ("place.abroad", "warning")
    assert text in problem.message


@pytest.mark.parametrize("text", ["", "  "])
def test_empty_is_left_to_caller(text: str) -> None:
    assert resolve_place(text).problems == ()


@pytest.mark.parametrize("text", ["香港", "中国香港特别行政区", "澳门", "台湾省台北市"])
def test_hong_kong_macao_and_taiwan_are_not_abroad(text: str) -> None:
    assert "place.abroad" not in [p.code for p in resolve_place(text).problems]


def test_no_country_is_written_like_a_province() -> None:
    """Provinces are matched first: no country may start with a way to write one."""
    provinces = [alias for alias, _code, _name in divisions.province_aliases()]
    clash = [c for c, _dom in divisions.country_aliases() if c.startswith(tuple(provinces))]
    assert clash == []
