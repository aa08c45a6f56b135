"""The code sheet is found by the marker in its A1, and looking leaves other sheets as they are."""

from __future__ import annotations

import re
import zipfile

import openpyxl

from addin.read.ownsheets import CODE_MARKER
from addin.write.dataentry import write_code_sheet


def sheet_data(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {
            name: re.search(rb"<sheetData.*?(?:</sheetData>|/>)", package.read(name), re.S).group()
            for name in package.namelist()
            if name.startswith("xl/worksheets/sheet")
        }


def test_the_old_code_sheet_is_refreshed_and_no_other_sheet_gains_a_cell(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "说明"
    workbook["说明"]["B2"] = "从 B2 开始"
    workbook.create_sheet("空表")
    old = workbook.create_sheet("旧代码表")
    old["A1"], old["C40"] = CODE_MARKER, "旧的选项"
    before = tmp_path / "before.xlsx"
    workbook.save(before)

    workbook = openpyxl.load_workbook(before)
    write_code_sheet(workbook)
    after = tmp_path / "after.xlsx"
    workbook.save(after)

    assert workbook.sheetnames == ["说明", "空表", "旧代码表"]
    assert (
        workbook["旧代码表"]["A1"].value == CODE_MARKER
        and workbook["旧代码表"]["C40"].value is None
    )
    old_data, new_data = sheet_data(before), sheet_data(after)
    for part in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"):
        assert new_data[part] == old_data[part]
