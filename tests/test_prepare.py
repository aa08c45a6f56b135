"""`dyxx prepare` on a workbook imitating the official download from 共产党员网.

The imitation (tests/support/official.py) differs from the seed layout the way real
downloads do: other title rows and header breaks, pre-numbered empty rows, a footer note,
a sheet of instructions, and dropdowns of its own, one in the sheet's extLst.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwt

from addin.engine.check import check_files
from addin.model.errors import WorkbookError
from addin.read.reader import read_workbook
from addin.workflow.prepare import prepare
from addin.write.dataentry import CODE_MARKER
from addin.write.entry import DATA_ROWS
from addin.write.outputs import encrypt
from addin.xlsx import sheet as xlsxsheet
from addin.xlsx import source as sources
from tests.support.books import TODAY
from tests.support.cli import dyxx
from tests.support.official import (
    DATA,
    HEADER,
    MEMBER_SHEET,
    MEMBERS,
    ORG_SHEET,
    ORGS,
    SITUATION_LIST,
    official_download,
)

# openpyxl warns that it drops the extLst validation; prepare puts it back (tested below).
pytestmark = pytest.mark.filterwarnings("ignore:Data Validation extension:UserWarning")


@pytest.fixture
def official(tmp_path) -> Path:
    return official_download(tmp_path / "官方下载.xlsx", MEMBERS, ORGS)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """The official download, its prepared copy, what prepare reported and the copy as
    openpyxl reads it: made and read once, for the tests that only look at them."""
    folder = tmp_path_factory.mktemp("prepared")
    official = official_download(folder / "官方下载.xlsx", MEMBERS, ORGS)
    out = folder / "带校验.xlsx"
    done = prepare(official, out)
    return official, out, done, openpyxl.load_workbook(out)


def validations(sheet):
    return [(str(dv.sqref), dv.type, dv.formula1) for dv in sheet.data_validations.dataValidation]


def all_validations(path: Path) -> dict[str, list[tuple[str, str | None, str | None]]]:
    """Per sheet, every validation: also Excel's in the extLst, which openpyxl does not read."""
    found: dict[str, list[tuple[str, str | None, str | None]]] = {}
    with zipfile.ZipFile(path) as package:
        for part, sheet in sources.sheet_parts(path.read_bytes()).items():
            found[sheet] = [
                (v.sqref, v.attrs.get("type"), v.formulas[0] if v.formulas else None)
                for v in xlsxsheet.validations(package.read(part))
            ]
    return found


def style(cell) -> tuple:
    return tuple(repr(x) for x in (cell.font, cell.fill, cell.border, cell.alignment))


def test_the_imitation_is_what_dyxx_check_reads(official):
    tables = read_workbook(official)
    assert [(t.sheet, t.kind, t.header_row, t.data_row, len(t.records)) for t in tables] == [
        (ORG_SHEET, "orgs", HEADER, DATA, 1),
        (MEMBER_SHEET, "members", HEADER, DATA, 2),
    ]
    with zipfile.ZipFile(official) as package:
        assert b"x14:dataValidation" in package.read("xl/worksheets/sheet2.xml")


def test_everything_in_the_workbook_is_kept(prepared):
    official, out, _done, after = prepared
    before = openpyxl.load_workbook(official)
    assert after.sheetnames == [*before.sheetnames, "代码表"]
    for old in before.worksheets:
        new = after[old.title]
        assert set(map(str, new.merged_cells.ranges)) == set(map(str, old.merged_cells.ranges))
        for row in old.iter_rows():
            for cell in row:
                moved = new[cell.coordinate]
                assert moved.value == cell.value, cell.coordinate
                assert style(moved) == style(cell), f"{old.title}!{cell.coordinate}"
                if cell.value is not None:
                    assert moved.number_format == cell.number_format
        for letter, dimension in old.column_dimensions.items():
            assert new.column_dimensions[letter].width == dimension.width
        assert new.row_dimensions[HEADER].height == old.row_dimensions[HEADER].height
        for kept in validations(old):
            assert kept in validations(new)
    assert read_workbook(out)[0].columns == read_workbook(official)[0].columns


def test_own_dropdowns_are_kept_and_never_stacked(prepared):
    _official, out, done, book = prepared
    found = all_validations(out)
    situation = [v for v in found[ORG_SHEET] if v[2] == SITUATION_LIST]
    assert situation == [(f"D{DATA}:D{DATA + 9}", "list", SITUATION_LIST)]  # the extLst's, kept
    last = DATA + DATA_ROWS - 1
    for sheet in (book[ORG_SHEET], book[MEMBER_SHEET]):
        for col in range(2, sheet.max_column + 1):
            letter = openpyxl.utils.get_column_letter(col)
            for row in (DATA, DATA + 9, DATA + 10, last):
                covering = [
                    v
                    for v in found[sheet.title]
                    if any(
                        c1 <= col <= c2 and r1 <= row <= r2
                        for c1, r1, c2, r2 in xlsxsheet.ranges(v[0])
                    )
                ]
                assert len(covering) == 1, f"{sheet.title}!{letter}{row}"
    category = [v for v in found[ORG_SHEET] if v[0] == f"C{DATA + 10}:C{last}"]
    assert category and category[0][2].startswith("'代码表'!")
    assert "组织类别" in done[0].kept and "党组织所在单位情况" in done[0].kept
    assert "性别" in done[1].kept and "民族" in done[1].dropdowns


def test_formats_go_to_empty_cells_only(prepared):
    book = prepared[3]
    sheet = book[MEMBER_SHEET]
    assert (
        sheet[f"D{DATA + 2}"].number_format == "@" and sheet[f"D{DATA + 500}"].number_format == "@"
    )
    assert sheet[f"G{DATA + 2}"].number_format == "yyyy-mm-dd"
    assert sheet[f"G{DATA}"].number_format == "yyyy-mm-dd"  # a date already there
    assert sheet[f"A{DATA + 2}"].number_format == "General"  # 序号 untouched
    assert sheet[f"D{DATA + 2}"].border.left.style == "thin"  # the pre-drawn borders stay
    assert sheet.conditional_formatting
    code_sheet = book["代码表"]
    assert code_sheet.sheet_state == "hidden" and code_sheet["A1"].value == CODE_MARKER


def test_running_twice_adds_nothing(official, tmp_path):
    once, twice = tmp_path / "一次.xlsx", tmp_path / "两次.xlsx"
    first = prepare(official, once)
    second = prepare(once, twice)
    assert sum(d.checks for d in first) == 15 and sum(d.checks for d in second) == 0
    assert all(not d.dropdowns for d in second)
    with zipfile.ZipFile(once) as a, zipfile.ZipFile(twice) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            if name != "docProps/core.xml":
                assert a.read(name) == b.read(name), name


def test_the_engine_sees_the_same_data(prepared):
    official, out, _done, _book = prepared
    before = check_files([official], today=TODAY).flatten(["sheet", "cell", "rule"])
    after = check_files([out], today=TODAY).flatten(["sheet", "cell", "rule"])
    assert after == before


def test_refuses_to_overwrite_the_input(official):
    with pytest.raises(WorkbookError, match="不能与原文件相同"):
        prepare(official, official)
    result = dyxx("prepare", official, "-o", official)
    assert result.returncode == 2 and "不能与原文件相同" in result.output


def test_no_table_is_a_clear_error(tmp_path):
    path = tmp_path / "别的表.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["单位", "人数"])
    book.save(path)
    out = str(tmp_path / "out.xlsx")
    result = dyxx("prepare", path, "-o", out)
    assert result.returncode == 2
    assert "没有找到附件3或附件4表格" in result.output
    assert not (tmp_path / "out.xlsx").exists()


def test_legacy_xls_is_refused_with_advice(tmp_path):
    path = tmp_path / "旧版.xls"
    book = xlwt.Workbook()
    sheet = book.add_sheet("附件4")
    for col, text in enumerate(("序号", "姓名", "公民身份证号")):
        sheet.write(0, col, text)
    book.save(str(path))
    with pytest.raises(WorkbookError, match=r"另存为 \.xlsx"):
        prepare(path, tmp_path / "out.xlsx")


def test_command_line_reports_what_it_did(official):
    result = dyxx("prepare", official)
    assert result.returncode == 0, result.output
    target = official.with_name("官方下载_带校验.xlsx")
    assert target.exists() and f"已写出 {target}" in result.output
    assert "新增下拉列表" in result.output and "保留原有的数据有效性" in result.output


def test_an_encrypted_workbook_stays_encrypted(official, tmp_path):
    locked = tmp_path / "加密.xlsx"
    locked.write_bytes(encrypt(official.read_bytes(), "dangyuan"))
    out = tmp_path / "加密_带校验.xlsx"
    prepare(locked, out, password="dangyuan")
    assert sources.is_encrypted(out)
    assert len(read_workbook(out, "dangyuan")) == 2
