"""Blank rows inside a table never end it (issue 12, point 1).

An officer clears a leaving member's row and keeps its 序号; the official download
carries numbered empty rows. The roster here has 38 numbered rows of members with
row 16 emptied but for its 序号, and numbered empty rows below: every command reads
the 37 members at their own sheet rows. Footer lines (注：…, 填表人：…审核人：…, 合计)
are not members; a row of data that cannot be placed (below a footer, or in columns
that are not the table's) is an error naming its row.
"""

from __future__ import annotations

import functools
import io
import json
import tempfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from addin.model.findings import rule_title
from addin.read.reader import read_workbook
from addin.workflow.verify import ADDED, EDITED, REMOVED, verify
from addin.write.layout import DATA_ROW, MEMBER_COLUMNS
from tests.support.books import TODAY, good_member, good_org, person_id, write_book
from tests.support.cli import dyxx
from tests.support.xlsx import sheet_names

MEMBERS = "党员基本信息汇总表"
NUMBERED = 38  # rows numbered 1..38 from DATA_ROW
CLEARED = 16  # the sheet row emptied but for its 序号
LAST = DATA_ROW + NUMBERED - 1  # 43
TEMPLATE_ROWS = 50  # numbered rows in all, as the official download has them
MEMBER_ROWS = [r for r in range(DATA_ROW, LAST + 1) if r != CLEARED]
COLUMN = {key: col for col, (_text, key) in enumerate(MEMBER_COLUMNS, start=1)}
NAMES = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"


def name_of(row: int) -> str:
    index = row - DATA_ROW
    return "李" + NAMES[index % len(NAMES)] + NAMES[index // len(NAMES)]


def person(row: int) -> dict[str, object]:
    """The member written at sheet ``row`` (a man born 1968-03-12, all correct)."""
    number = person_id("430523", "19680312", f"{2 * (row - DATA_ROW) + 1:03d}")
    return good_member(name=name_of(row), id_number=number)


def roster(path: Path, change=None) -> Path:
    """38 numbered members, row 16 emptied but for its 序号, numbered empty rows to 50;
    ``change(sheet)`` then edits its 附件4 sheet."""
    path.write_bytes(plain_roster())
    if change is not None:
        workbook = openpyxl.load_workbook(path)
        change(workbook[MEMBERS])
        workbook.save(path)
    return path


@functools.cache
def plain_roster() -> bytes:
    """The unchanged roster, built once (each test writes its own copy)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "名册.xlsx"
        write_book(path, [person(r) for r in range(DATA_ROW, LAST + 1)], [good_org()])
        workbook = openpyxl.load_workbook(path)
    sheet = workbook[MEMBERS]
    for col in range(2, len(MEMBER_COLUMNS) + 1):
        sheet.cell(CLEARED, col).value = None
    for number in range(NUMBERED + 1, TEMPLATE_ROWS + 1):
        sheet.cell(DATA_ROW + number - 1, 1, number)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def checked(path: Path) -> tuple[int, dict]:
    result = dyxx("check", path, "--json", "--today", TODAY.isoformat())
    return result.returncode, json.loads(result.stdout)


def member_rows(report: dict) -> int:
    (table,) = [t for t in report["tables"] if t["table"].startswith("附件4")]
    return table["rows"]


def finding_rows(report: dict, rule: str | None = None) -> list[int]:
    cells = [f["cell"] for f in report["findings"] if rule is None or f["rule"] == rule]
    return [int(cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) for cell in cells]


def wrong_gender(*rows: int):
    def change(sheet) -> None:
        for row in rows:
            sheet.cell(row, COLUMN["gender"], "女")

    return change


def test_check_reads_every_member_below_a_cleared_row(tmp_path):
    code, report = checked(roster(tmp_path / "名册.xlsx"))
    assert member_rows(report) == 37
    assert report["findings"] == [] and code == 0
    tables = read_workbook(tmp_path / "名册.xlsx")
    assert [r.row for r in tables[1].records] == MEMBER_ROWS


def test_check_names_problems_below_the_gap_at_their_rows(tmp_path):
    code, report = checked(roster(tmp_path / "名册.xlsx", wrong_gender(30, LAST)))
    assert code == 1 and member_rows(report) == 37
    assert sorted(set(finding_rows(report))) == [30, LAST]


def test_a_roster_saved_by_libreoffice_reads_the_same(office, tmp_path):
    source = roster(tmp_path / "名册.xlsx", wrong_gender(30, LAST))
    saved = tmp_path / "另存.xlsx"
    office.call("evaluate", path=str(source), values={}, rows={}, save_as=str(saved))
    code, report = checked(saved)
    assert code == 1 and member_rows(report) == 37
    assert sorted(set(finding_rows(report))) == [30, LAST]
    assert [r.row for r in read_workbook(saved)[1].records] == MEMBER_ROWS


def test_merge_keeps_every_member_with_its_source_row(tmp_path):
    out = tmp_path / "汇总.xlsx"
    result = dyxx("merge", roster(tmp_path / "名册.xlsx"), "-o", out, "--today", "2024-06-01")
    assert result.returncode == 0, result.output
    book = CalamineWorkbook.from_path(str(out))
    rows = book.get_sheet_by_name("附件4 党员汇总表").to_python()[DATA_ROW - 1 :]
    assert [row[1] for row in rows if row[1]] == [name_of(r) for r in MEMBER_ROWS]
    sources = book.get_sheet_by_name("数据来源").to_python()
    assert [int(r[5]) for r in sources if r[0] == "附件4 党员汇总表"] == MEMBER_ROWS


def test_sample_and_forms_see_every_member(tmp_path):
    path = roster(tmp_path / "名册.xlsx")
    assert dyxx("sample", path, "-o", tmp_path / "抽查.xlsx", "--ratio", "1").returncode == 0
    sampled = CalamineWorkbook.from_path(str(tmp_path / "抽查.xlsx"))
    rows = sampled.get_sheet_by_name("抽查党员").to_python()[DATA_ROW - 1 :]
    assert sorted(row[1] for row in rows if row[1]) == sorted(map(name_of, MEMBER_ROWS))
    assert dyxx("forms", path, "-o", tmp_path / "采集表", "--no-pdf").returncode == 0
    (written,) = (tmp_path / "采集表").glob("*.xlsx")
    forms = sheet_names(written)
    assert [f for f in forms if f[:3].isdigit()] == [
        f"{n:03d} {name_of(r)}" for n, r in enumerate(MEMBER_ROWS, start=1)
    ]


def test_diff_sees_changes_below_the_gap(tmp_path):
    old = roster(tmp_path / "上次.xlsx")

    def change(sheet) -> None:
        sheet.cell(30, COLUMN["mobile"], "13907390000")
        for col in range(2, len(MEMBER_COLUMNS) + 1):
            sheet.cell(40, col).value = None

    new = roster(tmp_path / "本次.xlsx", change)
    result = dyxx("diff", old, new, "-o", tmp_path / "变动.xlsx")
    assert result.returncode == 1, result.output
    rows = CalamineWorkbook.from_path(str(tmp_path / "变动.xlsx"))
    listed = rows.get_sheet_by_name("变动清单").to_python()
    names = [row[3] for row in listed[4:] if row[0]]
    assert sorted(names) == sorted([name_of(30), name_of(40)])


def test_verify_names_edited_and_removed_rows_below_the_gap(tmp_path):
    marked = tmp_path / "名册_校验.xlsx"
    path = roster(tmp_path / "名册.xlsx")
    assert dyxx("check", path, "-o", marked, "--today", "2024-06-01").returncode == 0
    verdict = verify(marked)
    assert verdict.accepted and verdict.rows == 37 + 1
    workbook = openpyxl.load_workbook(marked)
    sheet = workbook[MEMBERS]
    sheet.cell(35, COLUMN["name"], "王新")
    for col in range(2, len(MEMBER_COLUMNS) + 1):
        sheet.cell(20, col).value = None
    sheet.cell(CLEARED, COLUMN["name"], "赵新")  # a new member typed into the emptied row
    sheet.cell(CLEARED, COLUMN["id_number"], person_id("430523", "19700101", "033"))
    workbook.save(marked)
    changes = {(c.change, c.old_rows, c.new_rows) for c in verify(marked).changes}
    assert changes == {
        (ADDED, (), (CLEARED,)),
        (REMOVED, (20,), ()),
        (EDITED, (35,), (35,)),
    }


def footer_lines(sheet) -> None:
    """The notice's note, a signature line over three cells, a total."""
    sheet.cell(LAST + 2, 1, "注：1.此表由党支部信息采集员填写。")
    sheet.cell(LAST + 3, 1, "2.人员类别填正式党员或预备党员。")
    sheet.cell(LAST + 4, COLUMN["name"], "填表人：王芳")
    sheet.cell(LAST + 4, COLUMN["ethnicity"], "审核人：李四")
    sheet.cell(LAST + 4, COLUMN["job"], "填表日期：2024年5月30日")
    sheet.cell(LAST + 5, 1, "合计")
    sheet.cell(LAST + 5, COLUMN["name"], "37人")


def test_footer_lines_are_not_members(tmp_path):
    code, report = checked(roster(tmp_path / "名册.xlsx", footer_lines))
    assert code == 0 and member_rows(report) == 37 and report["findings"] == []


def test_data_below_a_footer_is_an_error_naming_its_row(tmp_path):
    def change(sheet) -> None:
        footer_lines(sheet)
        late = person(LAST + 1)
        for key, col in COLUMN.items():
            if key != "seq":
                sheet.cell(LAST + 7, col, late[key])

    code, report = checked(roster(tmp_path / "名册.xlsx", change))
    assert code == 1 and member_rows(report) == 37
    (finding,) = report["findings"]
    assert finding["rule"] == "table.row_not_read" and finding["severity"] == "error"
    assert finding["cell"] == f"B{LAST + 7}"
    assert f"第{LAST + 7}行" in finding["message"] and f"第{LAST + 2}行" in finding["message"]


def test_merge_lists_a_row_below_a_footer(tmp_path):
    def change(sheet) -> None:
        sheet.cell(LAST + 2, 1, "注：此表不可自行制作。")
        sheet.cell(LAST + 3, COLUMN["name"], "赵新")
        sheet.cell(LAST + 3, COLUMN["id_number"], person_id("430523", "19700101", "033"))

    out = tmp_path / "汇总.xlsx"
    path = roster(tmp_path / "名册.xlsx", change)
    result = dyxx("merge", path, "-o", out, "--today", "2024-06-01")
    assert result.returncode == 1
    listed = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("问题清单").to_python()
    (row,) = [r for r in listed if r[6] == rule_title("table.row_not_read")]
    assert row[3].endswith(f"!B{LAST + 3}")


def test_a_row_with_data_only_outside_the_columns_is_an_error(tmp_path):
    def change(sheet) -> None:
        width = len(MEMBER_COLUMNS)
        for col in range(2, width + 1):
            sheet.cell(20, col).value = None
        sheet.cell(20, width + 2, "张三")
        sheet.cell(20, width + 3, person_id("430523", "19700101", "033"))

    code, report = checked(roster(tmp_path / "名册.xlsx", change))
    assert code == 1 and member_rows(report) == 36
    (finding,) = report["findings"]
    assert finding["rule"] == "table.row_not_read" and finding["cell"] == "V20"
    assert "第20行" in finding["message"] and "V、W列" in finding["message"]


def test_a_second_table_further_down_the_sheet(tmp_path):
    orgs = ["序号", "党组织名称", "组织类别", "党组织所在单位情况", "党组织书记", "党组织联系人"]

    def change(sheet) -> None:
        start = TEMPLATE_ROWS + DATA_ROW + 3
        sheet.cell(start, 1, "附件3")
        sheet.cell(start + 1, 1, "党组织和所在单位信息汇总表")
        sheet.cell(start + 2, 1, "基层党委：林业局党委")
        for col, text in enumerate(orgs, start=1):
            sheet.cell(start + 3, col, text)
        org = good_org()
        for col, value in enumerate(
            [1, org["org_name"], "631", "与上级党组织相同", "李建国", "王芳"], 1
        ):
            sheet.cell(start + 4, col, value)

    tables = read_workbook(roster(tmp_path / "名册.xlsx", change))
    members, below = tables[1], tables[2]
    assert [r.row for r in members.records] == MEMBER_ROWS and not members.unplaced
    assert below.kind == "orgs" and below.header_row == TEMPLATE_ROWS + DATA_ROW + 6
    assert [r.row for r in below.records] == [below.header_row + 1]
    assert below.meta["基层党委"] == "林业局党委"


@pytest.mark.parametrize("merged", [False, True])
def test_a_row_holding_only_its_branch_is_not_a_member(tmp_path, merged):
    """所在党支部 filled in (or merged down) over the emptied row holds no member."""

    def change(sheet) -> None:
        col = COLUMN["branch"]
        if merged:
            letter = openpyxl.utils.get_column_letter(col)
            sheet.merge_cells(f"{letter}{CLEARED - 1}:{letter}{CLEARED + 1}")
        else:
            sheet.cell(CLEARED, col, good_member()["branch"])

    code, report = checked(roster(tmp_path / "名册.xlsx", change))
    assert code == 0 and member_rows(report) == 37 and report["findings"] == []


def test_a_stray_mark_below_the_table_is_named_not_read(tmp_path):
    def change(sheet) -> None:
        sheet.cell(LAST + 40, COLUMN["destination"], "。")

    code, report = checked(roster(tmp_path / "名册.xlsx", change))
    assert code == 0 and member_rows(report) == 37
    (finding,) = report["findings"]
    assert finding["rule"] == "table.stray_value" and finding["severity"] == "warning"
    assert finding["cell"] == f"T{LAST + 40}" and "“。”" in finding["message"]


def test_a_row_with_one_value_between_members_is_a_member(tmp_path):
    def change(sheet) -> None:
        sheet.cell(CLEARED, COLUMN["mobile"], "13807391234")

    code, report = checked(roster(tmp_path / "名册.xlsx", change))
    assert code == 1 and member_rows(report) == 38
    assert set(finding_rows(report)) == {CLEARED}  # its empty required fields


def test_a_row_with_one_value_right_below_the_members_is_a_member(tmp_path):
    """Typed right below the last member (the officer has begun a new row): checked."""

    def change(sheet) -> None:
        sheet.cell(LAST + 1, COLUMN["mobile"], "13807391234")

    code, report = checked(roster(tmp_path / "名册.xlsx", change))
    assert code == 1 and member_rows(report) == 38
    assert set(finding_rows(report)) == {LAST + 1}


def test_the_row_function_still_checks_a_row_with_one_value():
    from addin.excel.functions import row_findings

    values = [""] * len(MEMBER_COLUMNS)
    values[COLUMN["mobile"] - 1] = "13807391234"
    assert "“姓名”未填写" in row_findings(values, "附件4", TODAY)
