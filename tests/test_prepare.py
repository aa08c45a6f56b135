"""`dyxx prepare` on a workbook imitating the official download from 共产党员网.

The imitation differs from the seed layout the way real downloads do: other
title rows, header text with line breaks in other places, a header that starts
on row 5, fills and borders, pre-numbered empty rows, a footer note, a sheet of
instructions, and dropdowns of its own on 组织类别 (a literal list), 性别, and
党组织所在单位情况 (a list on another sheet, which Excel stores in the sheet's
extLst, where openpyxl does not read it).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwt
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation
from typer.testing import CliRunner

from addin.cli.main import app
from addin.engine.check import check_files
from addin.model.errors import WorkbookError
from addin.read.reader import read_workbook
from addin.workflow.prepare import prepare
from addin.write.dataentry import CODE_MARKER
from addin.write.entry import DATA_ROWS
from addin.write.layout import MEMBER_COLUMNS, ORG_COLUMNS
from addin.write.outputs import encrypt
from addin.xlsx import sheet as xlsxsheet
from addin.xlsx import source as sources
from tests.conftest import TODAY, good_member, good_org, person_id

HEADER = 5  # the header starts on row 5: one more title row than the seed
DATA = 7
ORG_SHEET, MEMBER_SHEET, NOTES = "党组织信息", "党员信息", "填表说明"
ORG_HEADER = [
    ("序号", None),
    ("党组织\n名称", None),
    ("组织\n类别", "党组织信息"),
    ("党组织所\n在单位情况", "党组织信息"),
    ("党组织书记", "党组织信息"),
    ("党组织联\n系人", "党组织信息"),
    ("联系\n电话", "党组织信息"),
    ("单位\n名称", "单位信息"),
    ("单位\n类别", "单位信息"),
    ("单位建立党\n组织情况", "单位信息"),
    ("党组织所在单\n位代码", "单位信息"),
]
MEMBER_HEADER = [
    ("序号", None),
    ("姓 名", None),
    ("所在党\n支部", None),
    ("公民身份\n证号", None),
    ("性别", None),
    ("民族", None),
    ("出生\n日期", None),
    ("学历", None),
    ("人员\n类别", None),
    ("加入党组织\n日期", None),
    ("转为正式党员\n日期", None),
    ("工作\n岗位", None),
    ("手机号", "联系电话"),
    ("固定电话", "联系电话"),
    ("家庭\n住址", None),
    ("党籍\n状态", None),
    ("是否为失\n联党员", None),
    ("失去联\n系日期", None),
    ("是否为流\n动党员", None),
    ("外出\n流向", None),
]
ORG_KEYS = [key for _text, key in ORG_COLUMNS]
MEMBER_KEYS = [key for _text, key in MEMBER_COLUMNS]
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
GREY = PatternFill("solid", fgColor="D9D9D9")
SITUATION_LIST = f"{NOTES}!$H$2:$H$4"
EXTENSION = (
    '<extLst><ext uri="{{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1">'
    "<x14:formula1><xm:f>{formula}</xm:f></x14:formula1><xm:sqref>{cells}</xm:sqref>"
    "</x14:dataValidation></x14:dataValidations></ext></extLst>"
)


def official_download(path: Path, members=(), orgs=()) -> Path:
    """Write a workbook shaped like the official download (see the module docstring)."""
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = NOTES
    notes["A1"] = "填表说明：请按《党员基本信息采集表》填写，不要改动表头。"
    notes["A1"].font = Font(bold=True, color="C00000")
    notes.merge_cells("A1:F1")
    for row, name in enumerate(("与上级党组织相同", "法人单位", "联合支部"), start=2):
        notes[f"H{row}"] = name
    _table(book.create_sheet(ORG_SHEET), "附件3", "党组织和所在单位信息汇总表", ORG_HEADER)
    _table(book.create_sheet(MEMBER_SHEET), "附件4", "党员基本信息汇总表", MEMBER_HEADER)
    _rows(book[ORG_SHEET], ORG_KEYS, orgs)
    _rows(book[MEMBER_SHEET], MEMBER_KEYS, members)
    category = DataValidation(
        type="list", formula1='"611 党委,621 党总支部,631 党支部,632 联合党支部"'
    )
    category.add(f"C{DATA}:C{DATA + 9}")
    book[ORG_SHEET].add_data_validation(category)
    gender = DataValidation(type="list", formula1='"男,女"', showErrorMessage=True)
    gender.add(f"E{DATA}:E{DATA + 9}")
    book[MEMBER_SHEET].add_data_validation(gender)
    buffer = io.BytesIO()
    book.save(buffer)
    extension = EXTENSION.format(formula=SITUATION_LIST, cells=f"D{DATA}:D{DATA + 9}")
    path.write_bytes(_with_extension(buffer.getvalue(), "xl/worksheets/sheet2.xml", extension))
    return path


def _table(sheet, annex: str, title: str, header) -> None:
    width = len(header)
    sheet["A1"] = annex
    sheet["A2"] = title
    sheet["A2"].font = Font(name="黑体", size=18)
    sheet["A2"].alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    sheet["A3"] = "（2017年度）"
    sheet["A4"] = "基层党委：中共邵阳县林业局委员会"
    sheet.cell(row=4, column=width - 2, value="汇总日期：2017年7月10日")
    groups: dict[str, list[int]] = {}
    for col, (text, group) in enumerate(header, start=1):
        if group:
            groups.setdefault(group, []).append(col)
            sheet.cell(row=HEADER + 1, column=col, value=text)
        else:
            sheet.cell(row=HEADER, column=col, value=text)
            sheet.merge_cells(
                start_row=HEADER, start_column=col, end_row=HEADER + 1, end_column=col
            )
    for group, cols in groups.items():
        sheet.cell(row=HEADER, column=cols[0], value=group)
        sheet.merge_cells(
            start_row=HEADER, start_column=cols[0], end_row=HEADER, end_column=cols[-1]
        )
    for row in sheet.iter_rows(min_row=HEADER, max_row=DATA + 9, max_col=width):
        for cell in row:
            cell.border = BOX
            if cell.row < DATA:
                cell.fill, cell.font = GREY, Font(bold=True)
                cell.alignment = Alignment(wrap_text=True, horizontal="center")
    for number in range(10):
        sheet.cell(row=DATA + number, column=1, value=number + 1)
    footer = "注：此表可从系统中导出或从共产党员网（网址：www.12371.cn）下载，不可自行制作。"
    sheet.cell(row=DATA + 10, column=1, value=footer)
    sheet.merge_cells(start_row=DATA + 10, start_column=1, end_row=DATA + 10, end_column=width)
    sheet.column_dimensions["B"].width = 24
    sheet.row_dimensions[HEADER].height = 28


def _rows(sheet, keys, rows) -> None:
    for offset, values in enumerate(rows):
        for col, key in enumerate(keys, start=1):
            if key != "seq" and values.get(key) is not None:
                cell = sheet.cell(row=DATA + offset, column=col, value=values[key])
                if hasattr(values[key], "year"):
                    cell.number_format = "yyyy-mm-dd"


def _with_extension(data: bytes, part: str, extension: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == part:
                content = content.replace(b"</worksheet>", extension.encode() + b"</worksheet>")
            target.writestr(info, content)
    return out.getvalue()


WOMAN = person_id("430523", "19680312", "012")
# openpyxl warns that it drops the extLst validation; prepare puts it back (tested below).
pytestmark = pytest.mark.filterwarnings("ignore:Data Validation extension:UserWarning")
MEMBERS = [good_member(), good_member(name="王芳", gender="女", id_number=WOMAN)]
ORGS = [good_org()]


@pytest.fixture
def official(tmp_path) -> Path:
    return official_download(tmp_path / "官方下载.xlsx", MEMBERS, ORGS)


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


def test_everything_in_the_workbook_is_kept(official, tmp_path):
    out = tmp_path / "带校验.xlsx"
    prepare(official, out)
    before, after = openpyxl.load_workbook(official), openpyxl.load_workbook(out)
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


def test_own_dropdowns_are_kept_and_never_stacked(official, tmp_path):
    out = tmp_path / "带校验.xlsx"
    done = prepare(official, out)
    book = openpyxl.load_workbook(out)
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


def test_formats_go_to_empty_cells_only(official, tmp_path):
    out = tmp_path / "带校验.xlsx"
    prepare(official, out)
    sheet = openpyxl.load_workbook(out)[MEMBER_SHEET]
    assert (
        sheet[f"D{DATA + 2}"].number_format == "@" and sheet[f"D{DATA + 500}"].number_format == "@"
    )
    assert sheet[f"G{DATA + 2}"].number_format == "yyyy-mm-dd"
    assert sheet[f"G{DATA}"].number_format == "yyyy-mm-dd"  # a date already there
    assert sheet[f"A{DATA + 2}"].number_format == "General"  # 序号 untouched
    assert sheet[f"D{DATA + 2}"].border.left.style == "thin"  # the pre-drawn borders stay
    assert sheet.conditional_formatting
    code_sheet = openpyxl.load_workbook(out)["代码表"]
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


def test_the_engine_sees_the_same_data(official, tmp_path):
    out = tmp_path / "带校验.xlsx"
    prepare(official, out)
    before = check_files([official], today=TODAY).flatten(["sheet", "cell", "rule"])
    after = check_files([out], today=TODAY).flatten(["sheet", "cell", "rule"])
    assert after == before


def test_refuses_to_overwrite_the_input(official):
    with pytest.raises(WorkbookError, match="不能与原文件相同"):
        prepare(official, official)
    command = ["prepare", str(official), "-o", str(official)]
    result = CliRunner().invoke(app, command, env={"COLUMNS": "300"})
    assert result.exit_code == 2 and "不能与原文件相同" in result.output


def test_no_table_is_a_clear_error(tmp_path):
    path = tmp_path / "别的表.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["单位", "人数"])
    book.save(path)
    out = str(tmp_path / "out.xlsx")
    result = CliRunner().invoke(app, ["prepare", str(path), "-o", out], env={"COLUMNS": "300"})
    assert result.exit_code == 2
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
    result = CliRunner().invoke(app, ["prepare", str(official)], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
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
