"""Administrative divisions (行政区划代码, GB/T 2260), with their history.

The table ``codes/divisions.csv`` lists every six-digit code with the names it
has had and the years each name was in use (``start``/``end``, empty = open).
A code can have several periods, e.g. 120110 was 东郊区 until 1991 and is
东丽区 since 1992:

>>> [(p.name, p.start, p.end) for p in periods("120110")]
[('东郊区', None, 1991), ('东丽区', 1992, None)]
>>> periods("999999")
()
>>> province_of("440305"), prefecture_of("440305"), prefecture_of("110105")
('广东省', '深圳市', None)

:func:`resolve_place` reads free text such as a 外出流向 (省＋市＋县):

>>> r = resolve_place("广东 深圳 南山")
>>> r.province, r.prefecture, r.county, r.problems
('广东省', '深圳市', '南山区', ())
>>> resolve_place("深圳市南山区").problems[0].code
'place.province_unknown'
>>> [resolve_place(t).problems[0].code for t in ("国外", "新加坡", "美国纽约")]
['place.abroad', 'place.abroad', 'place.abroad']
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from addin.model.findings import Problem, rule
from addin.values.codes import data_dir, read_csv

PROVINCE_UNKNOWN = rule(
    "place.province_unknown",
    "error",
    "外出流向缺少省（区、市）",
    "外出流向“{value}”中找不到省（区、市）。{suggestion}请按“省（区、市）+市（地、州、盟）+县（市、区、旗）”"
    "填写，如：广东省深圳市南山区",
)
PART_UNKNOWN = rule(
    "place.part_unknown",
    "warning",
    "外出流向的市县无法识别",
    "外出流向“{value}”中的“{part}”不是{parent}下的行政区划，请核对",
)
ABROAD = rule(
    "place.abroad",
    "warning",
    "外出流向为境外",
    "外出流向“{value}”为境外，请确认",
)

# Names of placeholder rows (xx0100 市辖区, 419000 省直辖县级行政单位, ...), not places.
GENERIC = frozenset({"市辖区", "县", "市区"})
GENERIC_PREFIX = ("省直辖", "自治区直辖")
PROVINCE_SUFFIXES = (
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "特别行政区",
    "特別行政區",
    "自治区",
    "省",
    "市",
)
LOCAL_SUFFIXES = (
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "林区",
    "特区",
    "市",
    "县",
    "区",
    "盟",
    "旗",
)
# 民族 as they occur in autonomous names, so that 湘西土家族苗族自治州 is also found as 湘西(州).
ETHNIC = re.compile(
    "(?:(?:蒙古|维吾尔|布依|朝鲜|土家|哈尼|哈萨克|傈僳|拉祜|东乡|纳西|景颇|柯尔克孜|达斡尔|仫佬|"
    "布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|塔塔尔|"
    "独龙|鄂伦春|赫哲|门巴|珞巴|基诺|高山)族?|(?:回|藏|苗|彝|壮|满|侗|瑶|白|傣|黎|佤|畲|水|土|羌|京|怒)族)$"
)
SEPARATORS = re.compile(r"[\s\-_/\\|·・,，、.。:：;；()（）]+")
ABROAD_PREFIXES = ("国外", "境外", "海外", "出国", "欧洲", "非洲", "北美", "南美", "大洋洲")
COUNTRY_PREFIXES = ("中华人民共和国", "中国")


@dataclass(frozen=True)
class Period:
    code: str
    name: str
    start: int | None  # first year in use; None = since the table begins (1980)
    end: int | None  # last year in use; None = still in use


@dataclass(frozen=True)
class PlaceResult:
    text: str  # the value as read, separators removed
    province: str | None
    prefecture: str | None
    county: str | None
    code: str | None  # most specific division code found
    problems: tuple[Problem, ...] = ()


@cache
def _table() -> dict[str, tuple[Period, ...]]:
    text = data_dir().joinpath("divisions.csv").read_text(encoding="utf-8")
    lines = (line for line in text.splitlines() if line and not line.startswith("#"))
    table: dict[str, list[Period]] = {}
    for row in csv.DictReader(lines):
        start, end = (int(row[k]) if row[k] else None for k in ("start", "end"))
        table.setdefault(row["code"], []).append(Period(row["code"], row["name"], start, end))
    return {code: tuple(rows) for code, rows in table.items()}


def periods(code6: str) -> tuple[Period, ...]:
    """All names a six-digit code has had, oldest first; empty when it never existed."""
    return _table().get(code6, ())


def all_codes() -> list[str]:
    """Every six-digit code that has ever existed."""
    return list(_table())


def name(code6: str) -> str | None:
    """The current name of a code or, for an abolished code, its last name."""
    found = periods(code6)
    current = [p for p in found if p.end is None] or list(found)
    return current[-1].name if current else None


def _is_generic(text: str) -> bool:
    return text in GENERIC or text.startswith(GENERIC_PREFIX)


def province_of(code6: str) -> str | None:
    """Name of the province (省、自治区、直辖市) a code belongs to."""
    return name(code6[:2] + "0000") if len(code6) == 6 else None


def prefecture_of(code6: str) -> str | None:
    """Name of the prefecture-level division a code belongs to, if it has one."""
    if len(code6) != 6 or code6[2:4] == "00":
        return None
    found = name(code6[:4] + "00")
    return None if found is None or _is_generic(found) else found


# --- free-text places -------------------------------------------------------------------


def name_aliases(full: str, suffixes: tuple[str, ...]) -> set[str]:
    """The ways a name may be written.

    >>> sorted(name_aliases("深圳市", LOCAL_SUFFIXES))
    ['深圳', '深圳市']
    >>> sorted(name_aliases("湘西土家族苗族自治州", ("自治州",)))
    ['湘西', '湘西土家族苗族', '湘西土家族苗族自治州', '湘西州']
    """
    names = {full}
    for suffix in suffixes:
        if full.endswith(suffix) and len(full) - len(suffix) >= 2:
            stem = full[: -len(suffix)]
            names.add(stem)
            if suffix.startswith("自治"):
                while (match := ETHNIC.search(stem)) and match.start() >= 2:
                    stem = stem[: match.start()]
                names |= {stem, stem + suffix[-1]}
            break
    return names


Alias = tuple[str, str, str]  # (how it may be written, code, full name)


@cache
def province_aliases() -> tuple[Alias, ...]:
    """Every way to write a province, longest first."""
    found = {
        (alias, code, name(code) or period.name)
        for code, rows in _table().items()
        if code.endswith("0000")
        for period in rows
        for alias in name_aliases(period.name, PROVINCE_SUFFIXES)
    }
    found |= {("内蒙", "150000", "内蒙古自治区"), ("澳门", "820000", "澳门特别行政区")}
    return tuple(sorted(found, key=lambda alias: (-len(alias[0]), alias)))


@cache
def _local_index() -> dict[tuple[str, bool], tuple[Alias, ...]]:
    """The aliases of every prefecture (county), indexed by the two- and four-digit prefixes
    of their codes: built in one pass instead of a pass over the table per prefix."""
    found: dict[tuple[str, bool], set[Alias]] = {}
    for code, rows in _table().items():
        if code[2:4] == "00":
            continue
        aliases = {
            (alias, code, period.name)
            for period in rows
            if not _is_generic(period.name)
            for alias in name_aliases(period.name, LOCAL_SUFFIXES)
        }
        prefectures = code[4:] == "00"
        for prefix in (code[:2], code[:4]):
            found.setdefault((prefix, prefectures), set()).update(aliases)
    return {
        key: tuple(sorted(aliases, key=lambda alias: (-len(alias[0]), alias)))
        for key, aliases in found.items()
    }


def local_aliases(prefix: str, prefectures: bool) -> tuple[Alias, ...]:
    """Every way to write the prefectures (or counties) whose code starts with ``prefix``, a
    province's two digits or a prefecture's four, longest first.

    >>> local_aliases("4403", True)
    (('深圳市', '440300', '深圳市'), ('深圳', '440300', '深圳市'))
    """
    if len(prefix) not in (2, 4):
        raise ValueError(f"a division prefix has 2 or 4 digits: {prefix!r}")
    return _local_index().get((prefix, prefectures), ())


@cache
def country_aliases() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Every way to write a country (codes/countries.csv), longest first, each with the
    Chinese divisions whose names start with it (巴林 -> 巴林左旗, 巴林右旗)."""
    _meta, rows = read_csv("countries.csv")
    written = {
        _clean(name)
        for row in rows
        for name in (row["name"], *row["aliases"].split(";"))
        if name.strip()
    }
    domestic: dict[str, set[str]] = {}  # by first character
    for found in _table().values():
        for period in found:
            domestic.setdefault(period.name[:1], set()).add(period.name)
    return tuple(
        (c, tuple(n for n in domestic.get(c[:1], ()) if n.startswith(c) and n != c))
        for c in sorted(written, key=lambda c: (-len(c), c))
    )


def is_abroad(text: str) -> bool:
    """Whether free text (separators removed) names a place outside China.

    >>> [is_abroad(t) for t in ("国外", "新加坡", "美国纽约", "刚果金", "巴林左旗", "广东")]
    [True, True, True, True, False, False]
    """
    if text.startswith(ABROAD_PREFIXES):
        return True
    for country, domestic in country_aliases():
        if text.startswith(country):
            return not text.startswith(domestic)
    return False


def _matches(aliases: tuple[Alias, ...], text: str) -> Iterator[Alias]:
    return (alias for alias in aliases if text.startswith(alias[0]))


Parse = tuple[Alias | None, Alias | None, str]  # prefecture, county, text left over


def _parses(province: str, rest: str) -> Iterator[Parse]:
    """Candidate readings of the text after the province."""
    for pref in _matches(local_aliases(province[:2], True), rest):
        after = rest[len(pref[0]) :]
        yield pref, None, after
        for county in _matches(local_aliases(pref[1][:4], False), after):
            yield pref, county, after[len(county[0]) :]
    for county in _matches(local_aliases(province[:2], False), rest):
        yield None, county, rest[len(county[0]) :]


def _best(province: str, rest: str) -> Parse:
    """The reading that explains most text, naming most levels, preferring current codes."""

    def score(parse: Parse) -> tuple[int, int, int]:
        pref, county, left = parse
        levels = (pref is not None) + (county is not None)
        return len(left), -levels, -sum(_is_current(a) for a in (pref, county) if a)

    return min(_parses(province, rest), key=score, default=(None, None, rest))


def _is_current(alias: Alias) -> bool:
    return any(p.end is None and p.name == alias[2] for p in periods(alias[1]))


def _clean(text: str) -> str:
    text = SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    for prefix in COUNTRY_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            return text[len(prefix) :]
    return text


SUGGESTED = 3  # at most this many places suggested; more would not help


@cache
def _current_by_first() -> dict[str, tuple[Alias, ...]]:
    """Every current prefecture and county alias, by its first character, longest first."""
    found: dict[str, set[Alias]] = {}
    for (prefix, _prefectures), aliases in _local_index().items():
        if len(prefix) == 2:
            for alias in aliases:
                if _is_current(alias):
                    found.setdefault(alias[0][:1], set()).add(alias)
    return {
        first: tuple(sorted(aliases, key=lambda alias: (-len(alias[0]), alias)))
        for first, aliases in found.items()
    }


def suggestion(text: str) -> str:
    """Words "是否为…？" naming the places a 外出流向 written without its province may mean
    (only words in the message, the cell is never changed); "" when none or too many.

    >>> suggestion("深圳"), suggestion("深圳南山")
    ('是否为“广东省深圳市”？', '是否为“广东省深圳市南山区”？')
    >>> suggestion("火星")
    ''
    """
    places = _places_without_province(text)
    if not places or len(places) > SUGGESTED:
        return ""
    return "是否为" + "或".join(f"“{place}”" for place in places) + "？"


def _places_without_province(text: str) -> list[str]:
    """The current divisions whose name ``text`` starts with (the longest such names),
    written in full from the province, with the county after a prefecture when given."""
    found = [alias for alias in _current_by_first().get(text[:1], ()) if text.startswith(alias[0])]
    best = [alias for alias in found if len(alias[0]) == len(found[0][0])] if found else []
    places = []
    for alias in best:
        county = None
        rest = text[len(alias[0]) :]
        if alias[1][4:] == "00" and rest:
            county = next(
                (a for a in _matches(local_aliases(alias[1][:4], False), rest) if _is_current(a)),
                None,
            )
        code = (county or alias)[1]
        parts = (province_of(code), prefecture_of(code), name(code))
        places.append("".join(dict.fromkeys(p for p in parts if p)))
    return list(dict.fromkeys(places))


def resolve_place(text: str) -> PlaceResult:
    """Read 省（区、市）+市（地、州、盟）+县（市、区、旗） from free text.

    Historic names are accepted; text after a recognised county (街道, 门牌) is ignored.

    >>> r = resolve_place("湖南省长沙县")
    >>> r.prefecture, r.county, r.code
    ('长沙市', '长沙县', '430121')
    >>> resolve_place("广东省火星市").problems[0].message
    '外出流向“广东省火星市”中的“火星市”不是广东省下的行政区划，请核对'
    """
    value = "" if text is None else str(text).strip()
    clean = _clean(value)
    if not clean:
        return PlaceResult(clean, None, None, None, None)
    found = next(_matches(province_aliases(), clean), None)
    if found is None and is_abroad(clean):  # 国外, 新加坡, 美国纽约 alike
        return PlaceResult(clean, None, None, None, None, (ABROAD.problem(value=value),))
    if found is None:
        problem = PROVINCE_UNKNOWN.problem(value=value, suggestion=suggestion(clean))
        return PlaceResult(clean, None, None, None, None, (problem,))
    rest = clean[len(found[0]) :].removeprefix("市辖区")  # 北京市市辖区朝阳区
    pref, county, left = _best(found[1], rest) if rest else (None, None, "")
    problems: tuple[Problem, ...] = ()
    if left and county is None:
        parent = (pref or found)[2]
        problems = (PART_UNKNOWN.problem(value=value, part=left, parent=parent),)
    pref_name = pref[2] if pref else county and prefecture_of(county[1])
    code = (county or pref or found)[1]
    return PlaceResult(clean, found[2], pref_name, county and county[2], code, problems)
