"""An officer's own sheets called 校验结果 or 校验记录 are theirs: never deleted, never
overwritten; dyxx's sheets are told by what they hold (addin/read/ownsheets.py), by check -o,
a re-check, verify, clean and the Excel add-in alike."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from addin.excel.plan import Book
from addin.read import ownsheets
from addin.workflow.clean import clean
from addin.workflow.verify import verify
from tests.support.books import TODAY, good_member, good_org, marked_copy, write_book
from tests.support.client import Client
from tests.support.official import footed
from tests.support.xlsx import parts

MEMBERS, ORGS = "党员基本信息汇总表", "党组织和所在单位信息汇总表"
THEIRS = {
    "校验结果": [["核对人", "日期"], ["王芳", "2024-05-30"]],
    "校验记录": [
        ["项目", "内容"],
        ["校验时间", "5月30日"],
        ["校验工具", "人工"],
    ],  # looks like ours
}


def values(path: Path, sheet: str) -> list[list[object]]:
    rows = openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True)
    return [list(r) for r in rows]


@pytest.fixture
def theirs(tmp_path) -> Path:
    """A roster with one error and two sheets of the officer's named like ours."""
    path = write_book(tmp_path / "名册.xlsx", [good_member(gender="女")], [good_org()])
    book = openpyxl.load_workbook(path)
    for name, rows in THEIRS.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_check_o_keeps_them_and_names_its_own_differently(theirs, tmp_path):
    marked = marked_copy(theirs, tmp_path / "标注.xlsx")
    book = openpyxl.load_workbook(marked)
    assert book.sheetnames[-5:] == ["校验结果", "校验记录", "校验结果2", "校验记录2", "校验数据"]
    for name, rows in THEIRS.items():
        assert values(marked, name) == rows
    assert book["校验结果2"]["D2"].value == "性别"
    again = marked_copy(marked, tmp_path / "再标注.xlsx")  # ours replaced, theirs kept
    assert openpyxl.load_workbook(again).sheetnames == book.sheetnames
    for name, rows in THEIRS.items():
        assert values(again, name) == rows
    verdict = verify(again)
    assert verdict.unchanged and verdict.stamp.sheet == "校验记录2"
    cleaned = tmp_path / "导入.xlsx"
    done = clean(again, cleaned)
    assert done.exact and done.sheets == ["校验结果2", "校验记录2", "校验数据"]
    assert parts(cleaned) == parts(theirs)


def test_a_renamed_stamp_is_still_ours(theirs, tmp_path):
    marked = marked_copy(theirs, tmp_path / "标注.xlsx")
    book = openpyxl.load_workbook(marked)
    book["校验记录2"].title = "上次校验"
    book.save(marked)
    assert verify(marked).stamp.sheet == "上次校验"
    again = marked_copy(marked, tmp_path / "再标注.xlsx")
    names = openpyxl.load_workbook(again).sheetnames
    assert "上次校验" not in names and names.count("校验记录2") == 1
    assert values(again, "校验记录") == THEIRS["校验记录"]


def test_without_dyxx_sheets_nothing_is_taken_for_ours(theirs, tmp_path):
    with pytest.raises(Exception, match="没有"):
        verify(theirs)
    cleaned = tmp_path / "导入.xlsx"
    done = clean(theirs, cleaned)
    assert not done.anything and parts(cleaned) == parts(theirs)


def test_the_rule_reads_content_not_names():
    header = [list(ownsheets.RESULT_HEADER)]
    stamp = [["项目", "内容"], ["校验时间", "2024-06-01"], ["校验工具", "dyxx 1.0"]]
    assert ownsheets.kind("随便什么名字", header) == ownsheets.RESULTS
    assert ownsheets.kind("检查", stamp) == ownsheets.STAMP
    for name, rows in THEIRS.items():
        assert ownsheets.kind(name, rows) is None
    assert ownsheets.free_name("校验结果", ["校验结果", "校验结果2"]) == "校验结果3"


def test_the_add_in_plans_by_the_same_rule():
    book = Book("名册.xlsx", {MEMBERS: [["附件4"]], **THEIRS})
    assert book.data_sheets == [MEMBERS, "校验结果", "校验记录"]
    assert book.own_names() == ("校验结果2", "校验记录2")
    ours = Book("x.xlsx", {"结果": [list(ownsheets.RESULT_HEADER)], "校验结果": [["x"]]})
    assert ours.own_names() == ("结果", "校验记录")


@pytest.mark.excel
def test_the_add_in_keeps_them(theirs, monkeypatch):
    client = Client(footed(theirs, [MEMBERS, ORGS]))  # input aids: a row, not 2000
    outcome, _actions, _probe = client.click(monkeypatch, today=TODAY, operator="测试员")
    assert outcome.findings and "校验结果2" in outcome.message
    names = client.workbook.sheetnames
    assert "校验结果2" in names and "校验记录2" in names
    for name, rows in THEIRS.items():
        got = [list(r) for r in client.workbook[name].iter_rows(values_only=True)]
        assert got == rows
    client.click(monkeypatch, today=TODAY, operator="测试员")  # a second click: nothing stacks
    assert client.workbook.sheetnames == names
