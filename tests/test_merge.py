"""`dyxx merge`: three branch workbooks with overlaps and conflicts become one summary.

The summary is read back cell by cell: the official tables with every branch row
(none dropped, 序号 renumbered), 数据来源, 问题清单, 统计核对 and 数据质量 with its chart.
"""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from defusedxml import ElementTree

from addin.engine.check import check_files
from addin.model.findings import rule_title
from addin.workflow.merge import merge_files
from addin.workflow.summary import quality, statistics, write_summary
from addin.write.layout import DATA_ROW, MEMBER_COLUMNS, ORG_COLUMNS
from addin.write.outputs import encrypt
from addin.xlsx.source import is_encrypted
from tests.support.books import TODAY, good_member, good_org, person_id, write_book
from tests.support.branches import (
    COMMITTEE,
    FILES,
    MEMBERS,
    ORGAN,
    ORGS,
    RETIRED,
    branch_books,
)
from tests.support.cli import dyxx

MEMBER_KEYS = [key for _text, key in MEMBER_COLUMNS]
ORG_KEYS = [key for _text, key in ORG_COLUMNS]
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
MEMBER_SHEET, ORG_SHEET = "附件4 党员汇总表", "附件3 党组织汇总表"
SOURCE_MEMBERS, SOURCE_ORGS = "党员基本信息汇总表", "党组织和所在单位信息汇总表"


@pytest.fixture(scope="module")
def summary(tmp_path_factory) -> tuple[list[Path], Path]:
    folder = tmp_path_factory.mktemp("merge")
    books = branch_books(folder / "报送")
    out = folder / "汇总.xlsx"
    result = dyxx(
        "merge", *map(str, books), "-o", str(out), "--date", "2017-07-10", "--today", "2024-06-01"
    )
    assert result.returncode == 1, result.stdout + result.stderr
    return books, out


def rows(sheet, first: int, width: int) -> list[list[object]]:
    found = []
    for row in sheet.iter_rows(min_row=first, max_col=width, values_only=True):
        if all(v is None for v in row):
            break
        found.append(list(row))
    return found


def expected_row(values: dict[str, object], keys: list[str], seq: int) -> list[object]:
    def written(key: str) -> object:
        value = values.get(key)
        return datetime(value.year, value.month, value.day) if isinstance(value, date) else value

    return [seq if key == "seq" else written(key) for key in keys]


def test_every_branch_row_is_in_the_official_tables_renumbered(summary):
    _books, out = summary
    book = openpyxl.load_workbook(out)
    members = [m for name in FILES for m in MEMBERS[name]]
    orgs = [o for name in FILES for o in ORGS[name]]
    got = rows(book[MEMBER_SHEET], DATA_ROW, len(MEMBER_KEYS))
    assert got == [expected_row(m, MEMBER_KEYS, n) for n, m in enumerate(members, start=1)]
    got = rows(book[ORG_SHEET], DATA_ROW, len(ORG_KEYS))
    assert got == [expected_row(o, ORG_KEYS, n) for n, o in enumerate(orgs, start=1)]
    for name in (MEMBER_SHEET, ORG_SHEET):
        sheet = book[name]
        assert sheet["A3"].value == f"基层党委：{COMMITTEE}"  # taken from the branch files
        dated = [c.value for c in sheet[3] if c.value and str(c.value).startswith("汇总日期")]
        assert dated == ["汇总日期：2017年7月10日"]
    assert book[MEMBER_SHEET]["D6"].number_format == "@"  # the official layout's text column
    assert [c.value for c in book[MEMBER_SHEET][5]][12:14] == ["手机号", "固定电话"]


def test_the_summary_reads_back_as_one_submission(summary):
    _books, out = summary
    report = check_files([out], today=TODAY)
    assert [(t.sheet, t.kind, t.rows) for t in report.tables] == [
        (ORG_SHEET, "orgs", 4),
        (MEMBER_SHEET, "members", 13),
    ]
    # the copies stay side by side in one file now: the same duplicates, found again
    assert sorted(report.flatten(["cell", "rule"])) == [
        ["B6", "org.duplicate_name"],
        ["B9", "org.duplicate_name"],
        ["C18", "member.branch_unknown"],
        ["D12", "member.duplicate_id"],
        ["D13", "member.duplicate_id"],
        ["D14", "member.duplicate_id"],
        ["D9", "member.duplicate_id"],
        ["E17", "member.gender_mismatch"],
    ]


def test_duplicates_and_conflicts_are_reported_with_both_sources(summary):
    books, _out = summary
    merged = merge_files(books, {}, TODAY)
    found = {(Path(f.file).name, f.cell, f.rule) for f in merged.report.findings}
    assert found == {
        (FILES[0], "B6", "org.duplicate_name"),
        (FILES[2], "B7", "org.duplicate_name"),
        (FILES[0], "C9", "merge.member_conflict"),  # 刘洋: the first field that differs
        (FILES[1], "C8", "merge.member_conflict"),
        (FILES[0], "D9", "member.duplicate_id"),
        (FILES[1], "D8", "member.duplicate_id"),
        (FILES[1], "D9", "member.duplicate_id"),  # 孙丽: identical copies, a duplicate only
        (FILES[2], "D6", "member.duplicate_id"),
        (FILES[2], "E9", "member.gender_mismatch"),
        (FILES[2], "C10", "member.branch_unknown"),
    }
    conflict = next(f for f in merged.report.findings if f.rule == "merge.member_conflict")
    assert f"文件“{FILES[1]}”" in conflict.message and "第8行" in conflict.message
    assert "手机号（本行“13807391234”，另一处“13907391111”）" in conflict.message
    assert conflict.value == ORGAN and conflict.severity == "error"
    branch = next(f for f in merged.report.findings if f.rule == "member.branch_unknown")
    assert branch.value == RETIRED
    assert [merged.position(f) for f in merged.report.findings[:3]] == [
        (ORG_SHEET, "B6"),
        (MEMBER_SHEET, "C9"),
        (MEMBER_SHEET, "D9"),
    ]


def test_org_conflict_names_both_files(book):
    first = book(orgs=[good_org()], name="一.xlsx")
    second = book(orgs=[good_org(secretary="王芳", contact="李建国")], name="二.xlsx")
    merged = merge_files([first, second], {}, TODAY)
    conflicts = [f for f in merged.report.findings if f.rule == "merge.org_conflict"]
    assert [(Path(f.file).name, f.cell) for f in conflicts] == [
        ("一.xlsx", "E6"),
        ("二.xlsx", "E6"),
    ]
    assert "党组织书记（本行“李建国”，另一处“王芳”）、党组织联系人" in conflicts[0].message
    assert "文件“二.xlsx”第6行" in conflicts[0].message.replace(
        "工作表“党组织和所在单位信息汇总表”", ""
    )


def test_identical_copies_are_only_duplicates(book):
    same = good_member()
    merged = merge_files(
        [book(members=[same], name="甲.xlsx"), book(members=[same], name="乙.xlsx")], {}, TODAY
    )
    assert {f.rule for f in merged.report.findings} == {"member.duplicate_id"}
    assert len(merged.values("members")) == 2  # never dropped


def test_provenance_sheet(summary):
    _books, out = summary
    sheet = openpyxl.load_workbook(out)["数据来源"]
    got = rows(sheet, 5, 7)
    assert len(got) == 17
    assert got[:4] == [
        [ORG_SHEET, 6, 1, FILES[0], SOURCE_ORGS, 6, "党组织名称重复"],
        [ORG_SHEET, 7, 2, FILES[1], SOURCE_ORGS, 6, None],
        [ORG_SHEET, 8, 3, FILES[2], SOURCE_ORGS, 6, None],
        [ORG_SHEET, 9, 4, FILES[2], SOURCE_ORGS, 7, "党组织名称重复"],
    ]
    assert got[7] == [
        MEMBER_SHEET,
        9,
        4,
        FILES[0],
        SOURCE_MEMBERS,
        9,
        "同一党员的两条记录不一致、身份证号重复",
    ]
    assert got[-1] == [MEMBER_SHEET, 18, 13, FILES[2], SOURCE_MEMBERS, 10, None]
    assert sheet["B5"].hyperlink.location == f"'{ORG_SHEET}'!A6"


def test_findings_sheet(summary):
    _books, out = summary
    sheet = openpyxl.load_workbook(out)["问题清单"]
    got = rows(sheet, 5, 9)
    assert len(got) == 10
    assert got[1][:8] == [
        2,
        "错误",
        FILES[0],
        f"{SOURCE_MEMBERS}!C9",
        f"{MEMBER_SHEET}!C9",
        "所在党支部",
        rule_title("merge.member_conflict"),  # the title, as officers read it
        ORGAN,
    ]
    assert sheet["E6"].hyperlink.location == f"'{MEMBER_SHEET}'!C9"
    assert sheet["A2"].value.startswith("共 17 行：错误 10 个，警告 0 个")


def test_statistics_sheet(summary):
    _books, out = summary
    sheet = openpyxl.load_workbook(out)["统计核对"]
    header = [c.value for c in sheet[4]]
    assert header[:11] == [
        "报送文件",
        "党员行数",
        "不重复人数",
        "重复行数",
        "正式党员",
        "预备党员",
        "人员类别不明",
        "失联党员",
        "流动党员",
        "停止党籍",
        "党组织",
    ]
    assert header[11:] == [
        "611 党委",
        "621 党总支部",
        "631 党支部",
        "632 联合党支部",
        "911 临时党委",
        "921 临时党总支部",
        "931 临时党支部",
        "932 临时联合党支部",
        "组织类别不明",
    ]
    got = [[*row[:11], row[13], row[19]] for row in rows(sheet, 5, 20)]
    assert got == [
        [FILES[0], 4, 4, 0, 4, 0, 0, 0, 0, 0, 1, 1, 0],
        [FILES[1], 4, 4, 0, 3, 1, 0, 0, 1, 0, 1, 1, 0],
        [FILES[2], 5, 5, 0, 5, 0, 0, 2, 0, 1, 2, 2, 0],
        # 刘洋 and 孙丽 are each in two files: 13 rows, 11 members
        ["合计", 13, 11, 2, 12, 1, 0, 2, 1, 1, 4, 4, 0],
    ]
    assert sheet["A8"].font.bold
    assert "不重复人数" in sheet["A2"].value and "党统半年报" in sheet["A2"].value


def test_distinct_members_are_counted_by_their_id(book):
    """Copies in one file, the same ID written with spaces, a BOM or 15 digits, rows
    without an ID: what the 党统 report counts is people, not rows."""
    number = person_id("430523", "19680312", "011")
    old = "430523680312011"  # the same man's first-generation number
    other = person_id("430523", "19700101", "021")
    first = book(
        members=[
            good_member(),
            good_member(id_number=f"{number[:6]} {number[6:14]} {number[14:]}"),
            good_member(id_number="\ufeff" + number),
            good_member(id_number=old),
            good_member(id_number=None),
            good_member(id_number=None),
        ],
        orgs=[good_org()],
        name="一.xlsx",
    )
    second = book(members=[good_member(), good_member(id_number=other)], name="二.xlsx")
    counts = statistics(merge_files([first, second], {}, TODAY))
    assert [(c.label, c.members, c.distinct, c.repeats) for c in counts] == [
        ("一.xlsx", 6, 3, 3),  # the man once, and two rows that cannot be told apart
        ("二.xlsx", 2, 2, 0),
        ("合计", 8, 4, 4),  # the man is in both files
    ]


def test_statistics_count_unknown_values_apart(book):
    odd = good_member(category="党员", id_number=person_id("430523", "19680312", "031"))
    merged = merge_files(
        [book(members=[good_member(), odd], orgs=[good_org(org_category="6")])], {}, TODAY
    )
    counts = statistics(merged)[-1]
    assert (counts.members, counts.full, counts.category_unknown) == (2, 1, 1)
    assert counts.org_categories == {"组织类别不明": 1}  # a group heading is not a category


def test_quality_sheet_and_its_chart(summary):
    _books, out = summary
    book = openpyxl.load_workbook(out)
    sheet = book["数据质量"]
    got = rows(sheet, 5, 7)
    assert [row[:5] for row in got] == [
        [FILES[0], 5, 2, 3, 0],
        [FILES[1], 5, 2, 3, 0],
        [FILES[2], 7, 4, 4, 0],
        ["合计", 17, 8, 10, 0],
    ]
    assert [round(row[5], 4) for row in got] == [0.4, 0.4, 0.5714, 0.4706]
    assert sheet["F5"].number_format == "0.0%"
    assert got[2][6] == "党组织名称重复 1 处；身份证号重复 1 处；性别与身份证号不符 1 处"
    assert len(sheet._charts) == 1
    with zipfile.ZipFile(out) as package:
        charts = [n for n in package.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        chart = ElementTree.fromstring(package.read(charts[0]))
    bar = chart.find(f".//{C}barChart")
    assert bar is not None and bar.find(f"{C}barDir").get("val") == "col"
    assert bar.find(f".//{C}cat//{C}f").text == "'数据质量'!$A$5:$A$7"  # the total left out
    assert bar.find(f".//{C}val//{C}f").text == "'数据质量'!$F$5:$F$7"


def test_libreoffice_sees_the_chart(office, summary):
    _books, out = summary
    charts = office.call("charts", path=str(out))
    assert charts["数据质量"] and charts["数据质量"][0]["type"] == "com.sun.star.chart.BarDiagram"
    assert all(not found for name, found in charts.items() if name != "数据质量")


def test_quality_counts(summary):
    books, _out = summary
    merged = merge_files(books, {}, TODAY)
    total = quality(merged, merged.report)[-1]
    assert (total.rows, total.error_rows, total.errors, total.warnings) == (17, 8, 10, 0)


def test_mask_hides_numbers_in_the_findings_not_in_the_tables(summary, tmp_path):
    books, _out = summary
    out = tmp_path / "汇总_屏蔽.xlsx"
    result = dyxx("merge", *map(str, books), "-o", str(out), "--mask", "--today", "2024-06-01")
    assert result.returncode == 1
    assert "430523197005140314" not in result.stdout and "430523********0314" in result.stdout
    book = openpyxl.load_workbook(out)
    listed = "\n".join(str(c.value) for row in book["问题清单"].iter_rows() for c in row)
    assert "430523197005140314" not in listed and "430523********0314" in listed
    assert "13907391111" not in listed and "139****1111" in listed
    assert book[MEMBER_SHEET]["D9"].value == "430523197005140314"  # the data itself is kept


def test_exit_codes(book, tmp_path):
    clean = book(members=[good_member()], orgs=[good_org()], name="好.xlsx")
    out = tmp_path / "汇总.xlsx"
    passed = dyxx(
        "merge", str(clean), "-o", str(out), "--committee", "某党委", "--today", "2024-06-01"
    )
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "结论：通过" in passed.stdout and f"已写出 {out}" in passed.stdout
    assert openpyxl.load_workbook(out)[MEMBER_SHEET]["A3"].value == "基层党委：某党委"
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"not a workbook")
    failed = dyxx("merge", str(clean), str(broken), "-o", str(tmp_path / "x.xlsx"))
    assert failed.returncode == 2 and "坏.xlsx" in failed.stdout
    assert not (tmp_path / "x.xlsx").exists()
    twice = dyxx("merge", str(clean), str(clean), "-o", str(tmp_path / "x.xlsx"))
    assert twice.returncode == 2 and "出现了两次" in twice.stdout
    over = dyxx("merge", str(clean), "-o", str(clean))
    assert over.returncode == 2 and "不能与输入的文件相同" in over.stdout
    wrong = dyxx("merge", str(clean), "-o", str(tmp_path / "汇总.csv"))
    assert wrong.returncode == 2 and ".xlsx" in wrong.stdout


def test_encrypted_branch_gives_an_encrypted_summary(tmp_path):
    plain = write_book(tmp_path / "支部.xlsx", [good_member()], [good_org()])
    locked = tmp_path / "加密支部.xlsx"
    locked.write_bytes(encrypt(plain.read_bytes(), "mima"))
    out = tmp_path / "汇总.xlsx"
    result = dyxx(
        "merge", str(locked), "-o", str(out), "--password", "mima", "--today", "2024-06-01"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert is_encrypted(out)


def test_write_summary_without_the_command(summary, tmp_path):
    books, _out = summary
    merged = merge_files(books, {}, TODAY)
    out = tmp_path / "汇总.xlsx"
    write_summary(merged, out, committee="", summary_date="")
    assert openpyxl.load_workbook(out).sheetnames == [
        ORG_SHEET,
        MEMBER_SHEET,
        "统计核对",
        "数据质量",
        "问题清单",
        "数据来源",
    ]
