"""`dyxx clean`: everything dyxx added is taken out, the officer's values stay.

The issue's test: prepare → fill → check -o → clean gives a workbook whose
sheets, styles, merges, validations and formats equal the original's, cell
values aside. A marked copy nobody saved since is restored part for part, byte
for byte; one saved since (here by LibreOffice) gets its cells' look back.
"""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment

from addin.engine.check import check_files
from addin.read.ownsheets import LEDGER_SHEET
from addin.read.reader import read_workbook
from addin.workflow.clean import clean
from addin.workflow.prepare import prepare
from addin.write.layout import MEMBER_COLUMNS
from addin.write.outputs import encrypt
from addin.xlsx import sheet as xlsxsheet
from addin.xlsx.source import is_encrypted, sheet_parts
from bench.generate import write as generate
from tests.support.books import (
    BRANCH,
    TODAY,
    cell_style,
    good_member,
    good_org,
    marked_copy,
    person_id,
    write_book,
)
from tests.support.branches import branch_books, member
from tests.support.cli import dyxx
from tests.support.official import (
    DATA,
    EXTENSION,
    MEMBER_SHEET,
    ORGS,
    SITUATION_LIST,
    footed,
    official_download,
)
from tests.support.official import MEMBERS as OFFICIAL_MEMBERS
from tests.support.xlsx import parts, with_extension

pytestmark = pytest.mark.filterwarnings("ignore:Data Validation extension:UserWarning")
KEYS = [key for _text, key in MEMBER_COLUMNS]


def shown(value: object) -> object:
    return value.date() if isinstance(value, datetime) else value


def validations(path: Path) -> set[tuple[str, str, str | None]]:
    """Every validation: openpyxl's, and the ones Excel keeps in a sheet's extLst."""
    book = openpyxl.load_workbook(path)
    found = {
        (sheet.title, str(dv.sqref), dv.type, dv.formula1)
        for sheet in book.worksheets
        for dv in sheet.data_validations.dataValidation
    }
    with zipfile.ZipFile(path) as package:
        for part, sheet in sheet_parts(path.read_bytes()).items():
            found |= {
                (sheet, v.sqref, v.attrs.get("type"), v.formulas[0] if v.formulas else None)
                for v in xlsxsheet.validations(package.read(part))
                if v.extension
            }
    return found


def fill_in(path: Path, out: Path) -> dict[str, dict[str, object]]:
    """The officer fills two more members (one with a wrong 性别) and saves."""
    book = openpyxl.load_workbook(path)
    sheet = book[MEMBER_SHEET]
    typed = {}
    rows = [
        member("赵六", BRANCH, "19700101", "033", mobile="13907390001"),
        member("钱七", BRANCH, "19710202", "015", gender="女"),
    ]
    for offset, person in enumerate(rows):
        for col, key in enumerate(KEYS[1:], start=2):
            if person.get(key) is not None:
                cell = sheet.cell(row=DATA + 2 + offset, column=col, value=person[key])
                typed[cell.coordinate] = person[key]
    book.save(out)
    # openpyxl drops the sheet's extension list (a list from another sheet); Excel keeps it
    extension = EXTENSION.format(formula=SITUATION_LIST, cells=f"D{DATA}:D{DATA + 9}")
    out.write_bytes(with_extension(out.read_bytes(), "xl/worksheets/sheet2.xml", extension))
    return {MEMBER_SHEET: typed}


@pytest.fixture
def official(tmp_path) -> Path:
    return official_download(tmp_path / "官方下载.xlsx", OFFICIAL_MEMBERS, ORGS)


def test_prepare_fill_check_clean_gives_the_original_structure(official, tmp_path):
    prepared = tmp_path / "带校验.xlsx"
    prepare(official, prepared)
    filled = tmp_path / "已填.xlsx"
    typed = fill_in(prepared, filled)
    marked = marked_copy(filled, tmp_path / "已填_校验.xlsx")
    assert check_files([filled], today=TODAY).errors == 1  # the mark to undo: 钱七's 性别
    cleaned = tmp_path / "导入.xlsx"
    done = clean(marked, cleaned)
    assert done.exact and done.marks == 1 and done.validations > 20
    assert done.conditional_formats == 15 and done.number_formats > 1000
    before, after = openpyxl.load_workbook(official), openpyxl.load_workbook(cleaned)
    assert after.sheetnames == before.sheetnames  # no 代码表, 校验结果, 校验记录
    for old in before.worksheets:
        new = after[old.title]
        assert (new.max_row, new.max_column) == (old.max_row, old.max_column), old.title
        assert set(map(str, new.merged_cells.ranges)) == set(map(str, old.merged_cells.ranges))
        assert not new.conditional_formatting and not old.conditional_formatting
        assert new.freeze_panes == old.freeze_panes
        for letter, dimension in old.column_dimensions.items():
            assert new.column_dimensions[letter].width == dimension.width
        for number, dimension in old.row_dimensions.items():
            assert new.row_dimensions[number].height == dimension.height
        for row in old.iter_rows():
            for cell in row:
                twin = new[cell.coordinate]
                where = f"{old.title}!{cell.coordinate}"
                assert cell_style(twin)[:-1] == cell_style(cell)[:-1], where
                assert twin.comment is None, where
                if cell.coordinate in typed.get(old.title, {}):
                    assert shown(twin.value) == shown(typed[old.title][cell.coordinate]), where
                    continue  # cell values aside: a typed value keeps its format
                assert twin.value == cell.value, where
                assert twin.number_format == cell.number_format, where
    assert validations(cleaned) == validations(official)
    cleaned_rows = [r.values for t in read_workbook(cleaned) for r in t.records]
    assert cleaned_rows == [r.values for t in read_workbook(filled) for r in t.records]


def test_a_marked_copy_comes_back_byte_for_byte(tmp_path):
    """Cells inserted into rows, a row inserted, styled and unstyled cells: all undone."""
    path = tmp_path / "名册.xlsx"
    generate(path, 300, seed=7, ratio=0.03)
    marked = marked_copy(path, tmp_path / "名册_校验.xlsx")
    rows = list(openpyxl.load_workbook(marked)[LEDGER_SHEET].iter_rows(values_only=True))
    stamp = dict(row[:2] for row in rows)
    assert stamp["标注方式"] == "xml"
    inserted = [r for r in rows if r[0] == "标注单元格" and r[1].endswith('"单元格", 1]')]
    assert inserted  # cells absent from the sheet's XML were added to mark them
    out = tmp_path / "名册_导入.xlsx"
    result = dyxx("clean", str(marked), "-o", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "逐字节恢复原样" in result.stdout
    assert parts(out) == parts(path)


def test_a_copy_saved_since_gets_its_look_back(office, tmp_path):
    path = write_book(tmp_path / "名册.xlsx", [good_member(gender="女")], [good_org()])
    marked = marked_copy(path, tmp_path / "名册_校验.xlsx")
    resaved = tmp_path / "另存.xlsx"
    office.call("evaluate", path=str(marked), values={}, rows={}, save_as=str(resaved))
    out = tmp_path / "导入.xlsx"
    result = dyxx("clean", str(resaved), "-o", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "恢复原有填充色" in result.stdout
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["党组织和所在单位信息汇总表", "党员基本信息汇总表"]
    cell = book["党员基本信息汇总表"]["E6"]
    assert cell.fill.fill_type is None and cell.comment is None
    assert cell.value == "女"


def test_a_cells_own_note_gets_ours_appended_and_comes_back(tmp_path):
    path = write_book(tmp_path / "批注.xlsx", [good_member(gender="女")], [good_org()])
    book = openpyxl.load_workbook(path)
    sheet = book["党员基本信息汇总表"]
    sheet["E6"].comment = Comment("已电话核实", "王芳")
    sheet["E6"].fill = openpyxl.styles.PatternFill("solid", fgColor="DDEBF7")
    book.save(path)
    marked = marked_copy(path, tmp_path / "批注_校验.xlsx")
    note = openpyxl.load_workbook(marked)["党员基本信息汇总表"]["E6"].comment
    assert note.text.startswith("已电话核实\n【错误】") and note.author == "王芳"
    out = tmp_path / "导入.xlsx"
    done = clean(marked, out)
    assert done.exact and done.marks == 1 and not done.skipped
    assert parts(out) == parts(path)  # our text cut out of the note's own part, byte for byte
    resaved = tmp_path / "另存.xlsx"
    openpyxl.load_workbook(marked).save(resaved)  # saved since: undone by the marks' look
    done = clean(resaved, out)
    assert not done.exact and done.marks == 1 and done.notes == 1 and not done.skipped
    cell = openpyxl.load_workbook(out)["党员基本信息汇总表"]["E6"]
    assert (cell.comment.text, cell.comment.author) == ("已电话核实", "王芳")
    assert cell.fill.fgColor.rgb == "00DDEBF7"


def test_checking_a_marked_copy_again_marks_only_what_is_wrong_now(tmp_path):
    path = write_book(
        tmp_path / "名册.xlsx",
        [
            good_member(gender="女"),
            good_member(name="王芳", gender="女", id_number=person_id("430523", "19690101", "021")),
        ],
    )
    first = marked_copy(path, tmp_path / "一.xlsx")
    book = openpyxl.load_workbook(first)
    book["党员基本信息汇总表"]["E6"] = "男"  # the officer fixes the first error in the copy
    book.save(first)
    second = marked_copy(first, tmp_path / "二.xlsx")
    sheet = openpyxl.load_workbook(second)["党员基本信息汇总表"]
    assert sheet["E6"].fill.fill_type is None and sheet["E6"].comment is None  # fixed: unmarked
    assert sheet["E7"].fill.fgColor.rgb.endswith("FFC7CF")  # still wrong: marked once
    assert sheet["E7"].comment.text.count("【错误】") == 1
    out = tmp_path / "导入.xlsx"
    clean(second, out)
    cleaned = openpyxl.load_workbook(out)["党员基本信息汇总表"]
    original = openpyxl.load_workbook(path)["党员基本信息汇总表"]
    for ref in ("E6", "E7"):
        assert cell_style(cleaned[ref]) == cell_style(original[ref]) and not cleaned[ref].comment


def test_a_moved_mark_is_reported(office, tmp_path):
    path = write_book(tmp_path / "名册.xlsx", [good_member(gender="女")], [good_org()])
    marked = marked_copy(path, tmp_path / "名册_校验.xlsx")
    moved = tmp_path / "插行.xlsx"
    office.call(
        "evaluate",
        path=str(marked),
        values={},
        rows={},
        save_as=str(moved),
        insert={"党员基本信息汇总表": [6, 1]},
    )
    result = dyxx("clean", str(moved), "-o", str(tmp_path / "导入.xlsx"))
    assert result.returncode == 1 and "1 个标注未能恢复" in result.stdout


def test_summary_sheets_are_removed(tmp_path):
    books = branch_books(tmp_path / "报送")
    summary = tmp_path / "汇总.xlsx"
    dyxx("merge", *map(str, books), "-o", str(summary))
    out = tmp_path / "汇总_导入.xlsx"
    result = dyxx("clean", str(summary), "-o", str(out))
    assert result.returncode == 0
    assert "删除工作表：统计核对、数据质量、问题清单、数据来源" in result.stdout
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["附件3 党组织汇总表", "附件4 党员汇总表"]
    assert [t.rows for t in check_files([out], today=TODAY).tables] == [4, 13]


def test_nothing_to_clean(tmp_path):
    path = write_book(tmp_path / "名册.xlsx", [good_member()], [good_org()])
    out = tmp_path / "名册_导入.xlsx"
    result = dyxx("clean", str(path))
    assert result.returncode == 0 and "没有发现 dyxx 添加的内容" in result.stdout
    assert parts(out) == parts(path)


def test_refusals_and_encryption(tmp_path, official):
    result = dyxx("clean", str(official), "-o", str(official))
    assert result.returncode == 2 and "不能与原文件相同" in result.stdout
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"PK\x03\x04")
    assert dyxx("clean", str(bad), "-o", str(tmp_path / "x.xlsx")).returncode == 2
    locked = tmp_path / "加密.xlsx"
    marked = marked_copy(official, tmp_path / "标注.xlsx")
    locked.write_bytes(encrypt(marked.read_bytes(), "mima"))
    out = tmp_path / "加密_导入.xlsx"
    result = dyxx("clean", str(locked), "-o", str(out), "--password", "mima")
    assert result.returncode == 0, result.stdout + result.stderr
    assert is_encrypted(out)


@pytest.mark.parametrize(
    ("tag", "forged"),
    [
        ("原填充", '[1, "<!DOCTYPE x [<!ENTITY a \\"b\\">]><fill>&a;</fill>"]'),
        ("原填充", '[1, "<fill><patternFill"]'),
        ("标注单元格", '["党员基本信息汇总表", "ZZZZZ1", 1, 2, "", 1]'),
        ("标注单元格", '["党员基本信息汇总表", "E6", 1, 2, "", 99]'),
        ("标注单元格", "不是记录"),
    ],
)
def test_a_forged_stamp_is_a_clean_error(tmp_path, tag, forged):
    path = write_book(tmp_path / "名册.xlsx", [good_member(gender="女")])
    marked = marked_copy(path, tmp_path / "标注.xlsx")
    book = openpyxl.load_workbook(marked)
    sheet = book[LEDGER_SHEET]
    row = next(r for r in sheet.iter_rows() if r[0].value == tag)
    row[1].value = forged
    book.save(marked)
    result = dyxx("clean", str(marked), "-o", str(tmp_path / "导入.xlsx"))
    assert result.returncode == 2 and "校验记录" in result.stdout and "已损坏" in result.stdout
    assert not (tmp_path / "导入.xlsx").exists()
    again = dyxx("check", str(marked), "-o", str(tmp_path / "再校验.xlsx"))
    assert again.returncode == 1, again.stdout + again.stderr  # a bad old record is ignored


@pytest.mark.excel
def test_clean_undoes_the_excel_add_ins_marks(book, tmp_path, monkeypatch):
    """A workbook marked by the 校验 button (applied by the add-in tests' stand-in client)."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    from addin.workflow.clean import clean
    from addin.write.marked.state import STATE_SHEET
    from tests.support.books import TODAY, good_member, good_org
    from tests.support.client import Client

    path = book(
        members=[
            good_member(gender="女"),
            good_member(name="王芳", id_number="430523197001010220", gender="女", birth_date=None),
        ],
        orgs=[good_org()],
    )
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["党员基本信息汇总表"]
    sheet["E6"].fill = PatternFill(fill_type="solid", fgColor="FF00B0F0")  # the officer's blue
    sheet["E6"].comment = Comment("请核对", "王芳")
    workbook.save(path)
    client = Client(path)
    outcome, _actions, _probe = client.click(monkeypatch, today=TODAY, operator="测试员")
    assert {f.cell for f in outcome.findings} >= {"E6", "D7"}
    clicked = tmp_path / "点过校验.xlsx"
    client.workbook.save(clicked)
    out = tmp_path / "导入.xlsx"
    done = clean(clicked, out)
    assert done.marks >= 2
    result = openpyxl.load_workbook(out)
    assert STATE_SHEET not in result.sheetnames
    assert "校验结果" not in result.sheetnames and "校验记录" not in result.sheetnames
    members = result["党员基本信息汇总表"]
    assert members["E6"].fill.fgColor.rgb.endswith("00B0F0")  # the officer's own fill is back
    assert members["E6"].comment is not None and members["E6"].comment.text == "请核对"
    assert members["D7"].fill.fill_type is None and members["D7"].comment is None


def test_prepare_then_clean_gives_back_every_part(official, tmp_path):
    """Nothing saved in between: the input aids, the code sheet and styles.xml's added
    entries (recorded on the code sheet) all go, byte for byte."""
    prepared = tmp_path / "带校验.xlsx"
    prepare(official, prepared)
    assert parts(prepared)["xl/styles.xml"] != parts(official)["xl/styles.xml"]
    cleaned = tmp_path / "导入.xlsx"
    done = clean(prepared, cleaned)
    assert done.validations > 20 and done.conditional_formats == 15
    assert parts(cleaned) == parts(official)


@pytest.mark.excel
def test_the_add_ins_notes_go_from_a_moved_row_too(book, tmp_path, monkeypatch):
    """A row inserted above the 校验 button's marks: the note moved with its cell is ours
    all the same; it goes and is listed, the officer's note stays."""
    from openpyxl.comments import Comment

    from tests.support.client import Client

    members = [
        good_member(),
        good_member(
            name="王芳",
            gender="男",
            id_number=person_id("430523", "19700101", "022"),
            birth_date=datetime(1970, 1, 1),
        ),
    ]
    path = footed(book(members=members, orgs=[good_org()]))  # input aids: a row, not 2000
    client = Client(path)
    outcome, _actions, _probe = client.click(monkeypatch, today=TODAY, operator="测试员")
    assert {f.cell for f in outcome.findings} == {"E7"}
    sheet = client.workbook["党员基本信息汇总表"]
    sheet.insert_rows(7)
    sheet["B9"].comment = Comment("新调入", "王芳")
    clicked = tmp_path / "点过校验.xlsx"
    client.workbook.save(clicked)
    assert openpyxl.load_workbook(clicked)["党员基本信息汇总表"]["E8"].comment is not None
    out = tmp_path / "导入.xlsx"
    done = clean(clicked, out)
    assert done.stray_notes == ["党员基本信息汇总表!E8"] and done.notes == 1
    members = openpyxl.load_workbook(out)["党员基本信息汇总表"]
    notes = {c.coordinate: c.comment.text for r in members.iter_rows() for c in r if c.comment}
    assert notes == {"B9": "新调入"}
