"""The official 附件3/附件4 layout, written with openpyxl.

Used to build the bundled example and test fixtures (and later the hand-out
templates): 附件N line, title, 基层党委/汇总日期 line, the two-row merged
header with the seed's line breaks, 序号, the seed's column order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from addin.model.celltext import set_text
from addin.model.findings import column_letter

# (header text as printed in the seed, field key); a None key is a group header.
MEMBER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("序号", "seq"),
    ("姓名", "name"),
    ("所在党支部", "branch"),
    ("公民身份证号", "id_number"),
    ("性别", "gender"),
    ("民族", "ethnicity"),
    ("出生日期", "birth_date"),
    ("学历", "education"),
    ("人员类别", "category"),
    ("加入党组\n织日期", "join_date"),
    ("转为正式\n党员日期", "full_date"),
    ("工作岗位", "job"),
    ("手机号", "mobile"),
    ("固定电话", "landline"),
    ("家庭住址", "address"),
    ("党籍状态", "status"),
    ("是否为失\n联党员", "lost"),
    ("失去联\n系日期", "lost_date"),
    ("是否为流\n动党员", "mobile_flow"),
    ("外出流向", "destination"),
)
ORG_COLUMNS: tuple[tuple[str, str], ...] = (
    ("序号", "seq"),
    ("党组织名称", "org_name"),
    ("组织类别", "org_category"),
    ("党组织所在\n单位情况", "unit_situation"),
    ("党组织\n书记", "secretary"),
    ("党组织\n联系人", "contact"),
    ("联系电话", "phone"),
    ("单位名称", "unit_name"),
    ("单位类别", "unit_nature"),
    ("单位建立\n党组织情况", "unit_party_org"),
    ("党组织所在\n单位代码", "unit_code"),
)
# Group headers over the second header row: (text, first column, last column).
GROUPS = {
    "members": (("联系电话", 13, 14),),
    "orgs": (("党组织信息", 3, 7), ("单位信息", 8, 11)),
}
TITLES = {
    "members": ("附件4", "党员基本信息汇总表"),
    "orgs": ("附件3", "党组织和所在单位信息汇总表"),
}
TEXT_FIELDS = {
    "id_number",
    "mobile",
    "landline",
    "unit_code",
    "education",
    "job",
    "ethnicity",
    "org_category",
    "unit_nature",
    "unit_party_org",
}
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
HEADER_ROW = 4
DATA_ROW = 6


def columns(kind: str) -> tuple[tuple[str, str], ...]:
    return MEMBER_COLUMNS if kind == "members" else ORG_COLUMNS


def add_table(
    workbook: Workbook,
    kind: str,
    rows: Iterable[Mapping[str, object]] = (),
    *,
    title: str | None = None,
    committee: str = "",
    summary_date: str = "2017 年  月  日",
) -> Worksheet:
    """Add one official table as a new sheet; ``rows`` map field keys to cell values."""
    sheet = workbook.create_sheet(title or TITLES[kind][1])
    _title_rows(sheet, kind, committee, summary_date)
    _header(sheet, kind)
    for offset, row in enumerate(rows):
        _data_row(sheet, kind, DATA_ROW + offset, offset + 1, row)
    return sheet


def new_workbook() -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def _title_rows(sheet: Worksheet, kind: str, committee: str, summary_date: str) -> None:
    width = len(columns(kind))
    annex, title = TITLES[kind]
    sheet["A1"] = annex
    sheet["A2"] = title
    sheet["A2"].font = Font(size=16, bold=True)
    sheet["A2"].alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    set_text(sheet["A3"], f"基层党委：{committee}")
    set_text(sheet.cell(row=3, column=width - 3), f"汇总日期：{summary_date}")


def _header(sheet: Worksheet, kind: str) -> None:
    grouped = {c for _t, first, last in GROUPS[kind] for c in range(first, last + 1)}
    for col, (text, _key) in enumerate(columns(kind), start=1):
        if col in grouped:
            sheet.cell(row=HEADER_ROW + 1, column=col, value=text)
        else:
            sheet.cell(row=HEADER_ROW, column=col, value=text)
            sheet.merge_cells(
                start_row=HEADER_ROW, start_column=col, end_row=HEADER_ROW + 1, end_column=col
            )
    for text, first, last in GROUPS[kind]:
        sheet.cell(row=HEADER_ROW, column=first, value=text)
        sheet.merge_cells(
            start_row=HEADER_ROW, start_column=first, end_row=HEADER_ROW, end_column=last
        )
    for row in sheet.iter_rows(
        min_row=HEADER_ROW, max_row=HEADER_ROW + 1, max_col=len(columns(kind))
    ):
        for cell in row:
            cell.font, cell.alignment, cell.border = Font(bold=True), CENTER, BOX
    for col, (text, _key) in enumerate(columns(kind), start=1):
        width = 20 if text in ("公民身份证号", "家庭住址", "党组织名称", "单位名称") else 11
        sheet.column_dimensions[column_letter(col)].width = width


def _data_row(sheet: Worksheet, kind: str, row: int, seq: int, values: Mapping[str, object]):
    for col, (_text, key) in enumerate(columns(kind), start=1):
        value = seq if key == "seq" and "seq" not in values else values.get(key)
        cell = sheet.cell(row=row, column=col)
        set_text(cell, value)  # data stays data: "=1+1" is text, never a formula
        cell.border = BOX
        if key in TEXT_FIELDS:
            cell.number_format = "@"
        elif isinstance(value, date | datetime):
            cell.number_format = "yyyy-mm-dd"
