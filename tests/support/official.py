"""A workbook imitating the official download from 共产党员网 (tests of prepare and clean).

The imitation differs from the seed layout the way real downloads do: other
title rows, header text with line breaks in other places, a header that starts
on row 5, fills and borders, pre-numbered empty rows, a footer note, a sheet of
instructions, and dropdowns of its own on 组织类别 (a literal list), 性别, and
党组织所在单位情况 (a list on another sheet, which Excel stores in the sheet's
extLst, where openpyxl does not read it).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

from addin.write.layout import MEMBER_COLUMNS, ORG_COLUMNS
from tests.support.books import good_member, good_org, person_id
from tests.support.xlsx import with_extension

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
FOOTER = "注：此表可从系统中导出或从共产党员网（网址：www.12371.cn）下载，不可自行制作。"
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
    path.write_bytes(with_extension(buffer.getvalue(), "xl/worksheets/sheet2.xml", extension))
    return path


def footed(path: Path, sheets: Sequence[str] = ()) -> Path:
    """``path`` with the official form's 注 footer two rows below the last row of each of
    ``sheets`` (default: every sheet).

    The Excel add-in's input area (dropdowns, formats) stops above a footer, so a click on
    such a workbook sets up a row or two instead of 2000: for tests about marks, notes and
    records, which are the same either way (test_action keeps one click at the full depth).
    """
    workbook = openpyxl.load_workbook(path)
    for sheet in [workbook[name] for name in sheets] or workbook.worksheets:
        sheet.cell(sheet.max_row + 2, 1, FOOTER)
    workbook.save(path)
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
    sheet.cell(row=DATA + 10, column=1, value=FOOTER)
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


WOMAN = person_id("430523", "19680312", "012")
MEMBERS = [good_member(), good_member(name="王芳", gender="女", id_number=WOMAN)]
ORGS = [good_org()]
