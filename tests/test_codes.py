"""Tests for addin.values.codes: the code table files and value lookup."""

from __future__ import annotations

import hashlib

import pytest

from addin.model.findings import RULES
from addin.values.codes import KEYS, Entry, Lookup, data_dir, table, versions

CSV_FILES = sorted(p for p in data_dir().iterdir() if p.name.endswith(".csv"))


@pytest.mark.parametrize(
    ("key", "title", "count"),
    [
        ("org_category", "组织类别", 10),
        ("unit_nature", "单位类别", 14),
        ("unit_party_org", "单位建立党组织情况", 5),
        ("education", "学历", 23),
        ("job", "工作岗位", 59),
        ("ethnicity", "民族", 58),
        ("gender", "性别", 2),
        ("member_category", "人员类别", 2),
        ("party_status", "党籍状态", 2),
        ("yes_no", "是否", 2),
        ("unit_situation", "党组织所在单位情况", 3),
    ],
)
def test_tables_load(key: str, title: str, count: int) -> None:
    t = table(key)
    assert t.key == key
    assert t.title == title
    assert len(t.entries) == count
    assert t.source
    assert table(key) is t  # cached


def test_keys_cover_all_tables() -> None:
    # data read by addin.values.divisions and addin.rules.probation, not code tables
    data = {"divisions.csv", "countries.csv", "probation.csv", "synonyms.csv"}
    assert {p.name for p in CSV_FILES} == {f"{k}.csv" for k in KEYS} | data


def test_unknown_key() -> None:
    with pytest.raises(KeyError):
        table("divisions")


@pytest.mark.parametrize(
    ("key", "code", "name"),
    [
        ("org_category", "611", "党委"),
        ("org_category", "932", "临时联合党支部"),
        ("unit_nature", "12", "城市社区（居委会）"),
        ("unit_nature", "9", "其他"),
        ("unit_party_org", "2", "建立联合党支部的"),
        ("education", "1A", "中央党校研究生"),
        ("education", "2D", "省（区、市）委党校大专"),
        ("education", "47", "技工学校"),
        ("job", "0", "在岗职工"),
        ("job", "011", "公务员"),
        ("job", "0211", "事业单位管理岗位"),
        ("job", "0315", "事业单位工勤岗位"),
        ("job", "11", "农牧渔业生产人员"),
        ("job", "613", "其他无业人员"),
        ("job", "608", "改革后不再保留原机关干部身份,党组织关系仍保留在原单位的人员"),
        ("ethnicity", "01", "汉族"),
        ("ethnicity", "29", "柯尔克孜族"),
        ("ethnicity", "36", "毛南族"),
        ("ethnicity", "56", "基诺族"),
        ("ethnicity", "97", "其他未识别民族"),
        ("ethnicity", "98", "外国血统中国籍人士"),
        ("gender", "1", "男"),
        ("gender", "2", "女"),
    ],
)
def test_specific_codes(key: str, code: str, name: str) -> None:
    assert table(key).by_code(code) == Entry(code, name)


def test_ethnicity_order() -> None:
    codes = [e.code for e in table("ethnicity").entries]
    assert codes == [f"{n:02d}" for n in range(1, 57)] + ["97", "98"]


@pytest.mark.parametrize(
    ("key", "code", "parent"),
    [
        ("org_category", "611", "6"),
        ("job", "0211", "02"),
        ("job", "0311", "0"),
        ("job", "122", "1"),
        ("job", "301", "30"),
        ("education", "1A", "1"),
        ("education", "9", ""),
    ],
)
def test_parents(key: str, code: str, parent: str) -> None:
    entry = table(key).by_code(code)
    assert entry is not None
    assert entry.parent == parent


def test_display() -> None:
    edu = table("education")
    assert edu.display(Entry("21", "大学")) == "21 大学"
    assert table("yes_no").display(Entry("是", "是")) == "是"


@pytest.mark.parametrize(
    ("key", "raw", "code"),
    [
        ("education", "21", "21"),
        ("education", "大学", "21"),
        ("education", "21 大学", "21"),
        ("education", "21-大学", "21"),
        ("education", "21　大学", "21"),
        ("education", "21大学", "21"),
        ("education", "21、大学", "21"),
        ("education", "(21)大学", "21"),
        ("education", "（21）大学", "21"),
        ("education", "  21 大学\u3000", "21"),
        ("education", "２１", "21"),
        ("education", 21, "21"),
        ("education", 21.0, "21"),
        ("education", "21.0", "21"),
        ("education", "1a", "1A"),
        ("education", "１Ａ", "1A"),
        ("education", "1b 省(区、市)委党校研究生", "1B"),
        ("education", "省（区、市）委党校大学", "2B"),
        ("org_category", 611, "611"),
        ("org_category", "611党委", "611"),
        ("unit_nature", "12 城市社区(居委会)", "12"),
        ("unit_party_org", "13 建立党支部的", "13"),
        ("job", "0211", "0211"),
        ("job", "011 公务员", "011"),
        ("job", 11, "11"),
        ("job", "11", "11"),
        ("job", 311, "311"),
        ("job", "33 中等专业学校学生", "33"),
        ("job", "606 （转业）待安置、学生毕业未就业的人员", "606"),
        ("ethnicity", "汉族", "01"),
        ("ethnicity", "01", "01"),
        ("ethnicity", 10, "10"),
        ("ethnicity", "01 汉族", "01"),
        ("gender", "男", "1"),
        ("gender", 2, "2"),
        ("gender", "2 女", "2"),
        ("member_category", "预备党员", "预备党员"),
        ("party_status", "停止党籍", "停止党籍"),
        ("yes_no", "否", "否"),
        ("unit_situation", "与上级党组织相同", "与上级党组织相同"),
    ],
)
def test_lookup_accepts(key: str, raw: object, code: str) -> None:
    found = table(key).lookup(raw)
    assert found.ok
    assert found.problems == ()
    assert found.entry == table(key).by_code(code)


@pytest.mark.parametrize(
    ("key", "raw", "code", "example"),
    [
        ("job", 0, "0", "01 机关干部岗位"),
        ("job", "32 大学专科学学生", "32", "321 大学专科毕业年级学生"),
        ("job", "大学专科学生", "32", "321 大学专科毕业年级学生"),  # the seed's typo fixed
        ("org_category", "6", "6", "631 党支部"),
        ("education", "本专科教育", "2", "21 大学"),
    ],
)
def test_group_heading_is_known_but_warned(key: str, raw: object, code: str, example: str) -> None:
    found = table(key).lookup(raw)
    assert found.ok and found.entry == table(key).by_code(code)
    assert [p.code for p in found.problems] == ["code.group"]
    assert example in found.problems[0].message


def test_leaf_codes_have_no_group_warning() -> None:
    for key in ("job", "education", "org_category", "unit_nature", "unit_party_org"):
        parents = {e.parent for e in table(key).entries}
        for entry in table(key).entries:
            if entry.code not in parents:
                assert table(key).lookup(entry.code).problems == (), (key, entry.code)


@pytest.mark.parametrize("raw", [None, "", "  ", "\u3000"])
def test_lookup_empty(raw: object) -> None:
    assert table("education").lookup(raw) == Lookup(None, ())
    assert not Lookup(None, ()).ok


@pytest.mark.parametrize(
    ("key", "raw", "code", "fix"),
    [
        ("job", 211, "0211", "0211"),
        ("job", 211.0, "0211", "0211"),
        ("job", "211", "0211", "0211"),
        ("job", 12, "012", "012"),
        ("job", 314, "0314", "0314"),
        ("job", "211 事业单位管理岗位", "0211", "0211"),
        ("ethnicity", 1, "01", "01"),
        ("ethnicity", "9", "09", "09"),
    ],
)
def test_leading_zero_warning(key: str, raw: object, code: str, fix: str) -> None:
    found = table(key).lookup(raw)
    assert found.entry is not None
    assert found.entry.code == code
    assert found.ok  # a warning only
    [problem] = found.problems
    assert problem.code == "code.leading_zero"
    assert problem.severity == "warning"
    assert problem.fix == fix
    assert f"应为“{fix}”" in problem.message
    assert "文本" in problem.message


@pytest.mark.parametrize(
    ("raw", "fix"),
    [
        ("汉", "汉族"),
        ("蒙古", "蒙古族"),
        ("维吾尔", "维吾尔族"),
        ("土家", "土家族"),
        (" 回 ", "回族"),
    ],
)
def test_ethnicity_variant(raw: str, fix: str) -> None:
    found = table("ethnicity").lookup(raw)
    assert found.ok
    assert found.entry is not None
    assert found.entry.name == fix
    [problem] = found.problems
    assert problem.code == "code.ethnicity_variant"
    assert problem.severity == "warning"
    assert problem.fix == fix
    assert f"“{fix}”" in problem.message


def test_suffix_only_for_ethnicity() -> None:
    assert table("job").lookup("学").entry is None


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("education", "21 大专", ["代码21对应“大学”", "“大专”的代码是22"]),
        ("education", "25 大学", ["没有代码25", "“大学”的代码是21"]),
        ("education", "21 大学本科", ["代码21对应“大学”", "没有“大学本科”"]),
        ("ethnicity", "02 汉族", ["代码02对应“蒙古族”", "“汉族”的代码是01"]),
        ("gender", "1 女", ["代码1对应“男”", "“女”的代码是2"]),
        ("job", "0211 公务员", ["代码0211对应“事业单位管理岗位”", "“公务员”的代码是011"]),
    ],
)
def test_mismatch(key: str, raw: str, expected: list[str]) -> None:
    found = table(key).lookup(raw)
    assert found.entry is None
    assert not found.ok
    [problem] = found.problems
    assert problem.code == "code.mismatch"
    assert problem.severity == "error"
    assert raw in problem.message
    for text in expected:
        assert text in problem.message


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        ("education", "本科"),
        ("education", 99),
        ("education", 2.5),
        ("education", "3"),
        ("org_category", "611.5"),
        ("job", "1A"),
        ("job", "00211"),
        ("ethnicity", "穿青人"),
        ("ethnicity", 99),
        ("unit_nature", "私营企业"),
    ],
)
def test_unknown(key: str, raw: object) -> None:
    t = table(key)
    found = t.lookup(raw)
    assert found.entry is None
    assert not found.ok
    [problem] = found.problems
    assert problem.code == "code.unknown"
    assert problem.severity == "error"
    assert str(raw) in problem.message
    assert t.title in problem.message
    assert "下拉列表" in problem.message


@pytest.mark.parametrize(
    ("key", "raw", "allowed"),
    [
        ("gender", "M", "应为“男”或“女”"),
        ("gender", "男性", "应为“男”或“女”"),
        ("yes_no", "Y", "应为“是”或“否”"),
        ("member_category", "党员", "应为“正式党员”或“预备党员”"),
        ("party_status", "停止", "应为“正常”或“停止党籍”"),
        ("unit_situation", "独立", "应为“与上级党组织相同”、“法人单位”或“联合支部”"),
    ],
)
def test_unknown_short_table_lists_values(key: str, raw: str, allowed: str) -> None:
    [problem] = table(key).lookup(raw).problems
    assert problem.code == "code.unknown"
    assert allowed in problem.message


def test_rules_registered() -> None:
    expected = {
        "code.unknown": "error",
        "code.mismatch": "error",
        "code.leading_zero": "warning",
        "code.ethnicity_variant": "warning",
    }
    assert {code: RULES[code].severity for code in expected} == expected


def test_versions() -> None:
    stamp = versions()
    assert set(stamp) == {p.name for p in CSV_FILES}
    assert "divisions.csv" in stamp and "job.csv" in stamp
    job = data_dir().joinpath("job.csv").read_bytes()
    assert stamp["job.csv"] == hashlib.sha256(job).hexdigest()[:12]
    stamp.clear()  # a copy: the cached stamp is unaffected
    assert versions()


@pytest.mark.parametrize("path", CSV_FILES, ids=lambda p: p.name)
def test_csv_has_source_header(path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = [line for line in lines if line.startswith("#")]
    assert lines[0].startswith("#")
    assert any("来源" in line for line in header)
    first_row = next(line for line in lines if not line.startswith("#"))
    if path.name == "probation.csv":  # periods of join dates, not codes
        assert first_row == "from,to,shortest_months,longest_months,note"
        assert any(line.startswith("# 日期：") for line in header)
    else:
        assert first_row.startswith("code,name")


@pytest.mark.parametrize("raw", ["'21", "‘21’", "\ufeff21", "21\u200b", "\u2060大学"])
def test_marks_around_a_code_are_normalised_with_a_warning(raw: str) -> None:
    found = table("education").lookup(raw)
    assert found.entry == Entry("21", "大学") and found.ok
    assert [p.code for p in found.problems] == ["text.marks"]


def test_marks_do_not_hide_an_unknown_code() -> None:
    found = table("education").lookup("'25")
    assert found.entry is None and [p.code for p in found.problems] == ["code.unknown"]
