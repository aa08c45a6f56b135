"""Findings name the person: the member's 姓名 (the organisation's 党组织名称) on the terminal,
in ``--json``, in the 校验结果 sheet, the notes, merge's 问题清单 and verify's changed rows.

Names are personal data the README leaves unmasked; a hostile name stays data everywhere.
"""

from __future__ import annotations

import json

import openpyxl
import pytest

from addin.engine.check import check_files, check_tables, read_files
from addin.engine.contract import ReportModel
from addin.model.findings import rule_title
from addin.read import ownsheets
from addin.workflow.verify import verify
from addin.write.marked.annotate import RESULT_SHEET
from tests.support.books import TODAY, good_member, good_org, person_id, write_book
from tests.support.cli import dyxx, dyxx_ok

DAY = ("--today", TODAY.isoformat())
MEMBERS = "党员基本信息汇总表"
HOSTILE = '=HYPERLINK("http://x","点")\x1b]52;c;aGk=\x07\u202e芳王'


def roster(tmp_path, first: str = "王芳") -> object:
    """Three members: 王芳 with a wrong 性别 (row 6), 李四 correct, 张三 with a bad ID;
    one organisation with no 组织类别."""
    members = [
        good_member(name=first, gender="女"),
        good_member(name="李四", id_number=person_id("430523", "19680312", "031")),
        good_member(name="张三", id_number="430523196803120111"),
    ]
    orgs = [good_org(org_category=None)]
    return write_book(tmp_path / "名册.xlsx", members, orgs)


def by_name(report) -> dict[str, set[str]]:
    named: dict[str, set[str]] = {}
    for finding in report.findings:
        named.setdefault(finding.name, set()).add(finding.rule)
    return named


def test_every_finding_on_a_row_carries_its_name(tmp_path):
    report = check_files([roster(tmp_path)], today=TODAY)
    named = by_name(report)
    assert "member.gender_mismatch" in named["王芳"]
    assert "id.checksum" in named["张三"]
    assert "field.required" in named["中共邵阳县林业局机关支部委员会"]  # 组织类别 missing
    assert "李四" not in named


def test_a_name_is_a_copy_not_the_cell_read(tmp_path):
    """A finding holding a cell's own string would keep the memory of the sheet read from
    being given back before the marked copy is written (160 MB more at 100,000 rows)."""
    tables = read_files([roster(tmp_path)])
    report = check_tables(tables, TODAY)
    cells = {id(value) for t in tables for key in ("name", "org_name") for value in t.column(key)}
    names = [finding.name for finding in report.findings if finding.name]
    assert names and not any(id(name) in cells for name in names)


def test_a_finding_on_no_row_has_no_name(tmp_path):
    path = write_book(tmp_path / "空.xlsx", [], [good_org()])
    report = check_files([path], today=TODAY)
    assert report.findings and all(f.name == "" for f in report.findings if f.sheet == MEMBERS)


def test_the_terminal_table_shows_the_name(tmp_path):
    ran = dyxx("check", roster(tmp_path), *DAY)
    assert ran.returncode == 1
    line = next(line for line in ran.stdout.splitlines() if "E6" in line)
    assert "王芳" in line and "李四" not in ran.stdout


def test_json_carries_the_name_and_keeps_the_contract(tmp_path):
    ran = dyxx("check", roster(tmp_path), "--json", *DAY)
    data = json.loads(ran.stdout)
    ReportModel.model_validate(data)
    names = {f["cell"]: f["name"] for f in data["findings"] if f["sheet"] == MEMBERS}
    assert names["E6"] == "王芳"


def test_mask_leaves_names_as_the_readme_says(tmp_path):
    data = json.loads(dyxx("check", roster(tmp_path), "--json", "--mask", *DAY).stdout)
    id_finding = next(f for f in data["findings"] if f["rule"] == "id.checksum")
    assert id_finding["name"] == "张三" and "********" in id_finding["value"]


def test_the_marked_copy_names_the_person_in_results_and_notes(tmp_path):
    out = tmp_path / "标注.xlsx"
    dyxx_ok("check", roster(tmp_path), "-o", out, *DAY)
    book = openpyxl.load_workbook(out)
    results = book[RESULT_SHEET]
    assert results.cell(1, 9).value == "姓名或名称"
    rows = {r[2]: r for r in results.iter_rows(min_row=2, values_only=True) if r[1] == MEMBERS}
    assert rows["E6"][8] == "王芳"
    assert book[MEMBERS]["E6"].comment.text.startswith("【错误】王芳：性别")


def test_hostile_names_stay_data_everywhere(tmp_path):
    path = roster(tmp_path, first=HOSTILE)
    ran = dyxx("check", path, *DAY)
    assert "\x1b" not in ran.stdout and "\u202e" not in ran.stdout
    assert "␛" in ran.stdout and "␇" in ran.stdout  # shown, folded in its column
    out = tmp_path / "标注.xlsx"
    dyxx_ok("check", path, "-o", out, *DAY)
    book = openpyxl.load_workbook(out)
    cell = next(
        row[8]
        for row in book[RESULT_SHEET].iter_rows(min_row=2)
        if row[2].value == "E6" and row[1].value == MEMBERS
    )
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK(")  # text, no formula
    assert "\x1b" not in cell.value and "␛" in cell.value  # XML-illegal made visible
    note = book[MEMBERS]["E6"].comment.text
    assert note.startswith("【错误】=HYPERLINK(") and "\x1b" not in note


def test_verify_names_the_rows_changed(tmp_path):
    out = tmp_path / "标注.xlsx"
    dyxx_ok("check", roster(tmp_path), "-o", out, *DAY)
    book = openpyxl.load_workbook(out)
    book[MEMBERS]["E6"] = "男"
    book[MEMBERS].append([None, "赵六"])  # a row added below, only a name
    book.save(out)
    verdict = verify(out)
    assert [c.names for c in verdict.changes] == [("王芳",), ("赵六",)]
    ran = dyxx("verify", out)
    assert "第6行已修改：王芳" in ran.stdout and "赵六" in ran.stdout


@pytest.mark.parametrize("mask", [False, True])
def test_merge_lists_the_names_in_its_issue_list(tmp_path, mask):
    out = tmp_path / "汇总.xlsx"
    args = ("--mask",) if mask else ()
    dyxx_ok("merge", roster(tmp_path), "-o", out, *args, *DAY)
    sheet = openpyxl.load_workbook(out)["问题清单"]
    header = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "序号")
    assert header[-1] == "姓名或名称"
    listed = [r for r in sheet.iter_rows(values_only=True) if r[-1] == "张三"]
    assert any(r[6] == rule_title("id.checksum") for r in listed)


def test_a_results_sheet_from_before_the_name_column_is_still_ours():
    before = list(ownsheets.RESULT_HEADER[:8])  # 校验结果 as dyxx wrote it without 姓名或名称
    assert ownsheets.kind("校验结果", [before]) == ownsheets.RESULTS
    assert ownsheets.kind("校验结果", [list(ownsheets.RESULT_HEADER)]) == ownsheets.RESULTS
    assert ownsheets.kind("校验结果", [before[:7]]) is None
