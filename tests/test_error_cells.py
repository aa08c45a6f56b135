"""A cell holding an Excel error is an error, never a blank (issue 12, point 4).

python-calamine reads #N/A, #REF! … as empty cells and refuses a whole sheet that
holds an error it does not know (#SPILL!, #CALC!, #GETTING_DATA). The reader finds
them in the sheet's XML (t="e") and puts them back: every one is a finding naming
the error, in every column, optional ones included. Files are written by openpyxl
(error constants) and saved by LibreOffice (formulas that fail, with their results).
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from addin.read.reader import read_workbook
from addin.write.layout import DATA_ROW, MEMBER_COLUMNS
from tests.support.books import TODAY, good_member, good_org, person_id, write_book
from tests.support.cli import dyxx

MEMBERS = "党员基本信息汇总表"
LETTER = {key: openpyxl.utils.get_column_letter(c) for c, (_t, key) in enumerate(MEMBER_COLUMNS, 1)}


def roster(path: Path, count: int = 6) -> Path:
    rows = [
        good_member(
            name=f"李{'建国明华伟芳'[i]}",
            id_number=person_id("430523", "19680312", f"{2 * i + 1:03d}"),
        )
        for i in range(count)
    ]
    return write_book(path, rows, [good_org()])


def with_errors(path: Path, cells: dict[str, str]) -> Path:
    """Error constants (t="e"), as Excel saves a formula's failed result."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[MEMBERS]
    for ref, error in cells.items():
        sheet[ref].value, sheet[ref].data_type = error, "e"
    workbook.save(path)
    return path


def checked(path: Path) -> tuple[int, dict]:
    result = dyxx("check", path, "--json", "--today", TODAY.isoformat())
    return result.returncode, json.loads(result.stdout) if result.stdout.startswith("{") else {}


def errors_found(report: dict) -> dict[str, str]:
    return {f["cell"]: f["value"] for f in report["findings"] if f["rule"] == "cell.error_value"}


CELLS = {
    f"{LETTER['id_number']}{DATA_ROW}": "#N/A",  # required
    f"{LETTER['name']}{DATA_ROW + 1}": "#NAME?",  # required
    f"{LETTER['landline']}{DATA_ROW + 2}": "#REF!",  # optional
    f"{LETTER['destination']}{DATA_ROW + 3}": "#DIV/0!",  # optional, empty column
    f"{LETTER['lost_date']}{DATA_ROW + 4}": "#VALUE!",  # optional
    f"{LETTER['address']}{DATA_ROW + 5}": "#NULL!",
}


def test_every_error_is_a_finding_naming_it_in_every_column(tmp_path):
    path = with_errors(roster(tmp_path / "名册.xlsx"), CELLS)
    code, report = checked(path)
    assert code == 1
    assert errors_found(report) == CELLS
    for finding in report["findings"]:
        if finding["rule"] == "cell.error_value":
            assert finding["severity"] == "error" and finding["value"] in finding["message"]
    required = {f["cell"] for f in report["findings"] if f["rule"] == "field.required"}
    assert not required & set(CELLS)  # never read as a blank


@pytest.mark.parametrize("error", ["#SPILL!", "#CALC!", "#GETTING_DATA", "#NUM!"])
def test_errors_calamine_refuses_are_read_too(tmp_path, error):
    ref = f"{LETTER['landline']}{DATA_ROW + 2}"
    path = with_errors(roster(tmp_path / "名册.xlsx"), {ref: error})
    code, report = checked(path)
    assert code == 1 and errors_found(report) == {ref: error}
    assert report["tables"][1]["rows"] == 6


def test_a_row_of_errors_among_members_is_a_member(tmp_path):
    path = roster(tmp_path / "名册.xlsx")
    row = DATA_ROW + 2
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[MEMBERS]
    for key, letter in LETTER.items():
        if key != "seq":
            sheet[f"{letter}{row}"].value, sheet[f"{letter}{row}"].data_type = "#N/A", "e"
    workbook.save(path)
    (table,) = [t for t in read_workbook(path) if t.kind == "members"]
    assert [r.row for r in table.records] == list(range(DATA_ROW, DATA_ROW + 6))
    assert {(r, v) for r, _c, v in table.errors} == {(row, "#N/A")}


def test_template_rows_whose_formulas_fail_are_not_members(tmp_path):
    """出生日期 filled down the empty rows as a formula of the ID shows #VALUE! there."""
    path = roster(tmp_path / "名册.xlsx")
    last = DATA_ROW + 5
    with_errors(path, {f"{LETTER['birth_date']}{r}": "#VALUE!" for r in range(last + 1, last + 30)})
    code, report = checked(path)
    assert code == 0 and report["findings"] == [] and report["tables"][1]["rows"] == 6


def test_libreoffice_saves_failing_formulas_as_errors(office, tmp_path):
    path = roster(tmp_path / "名册.xlsx")
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[MEMBERS]
    failing = {
        f"{LETTER['name']}{DATA_ROW}": ('=VLOOKUP("无此人",Z1:Z2,1,FALSE)', "#N/A"),
        f"{LETTER['landline']}{DATA_ROW + 1}": ("=1/0", "#DIV/0!"),
        f"{LETTER['address']}{DATA_ROW + 2}": ('=VALUE("地址")', "#VALUE!"),
        f"{LETTER['destination']}{DATA_ROW + 3}": ("=NOSUCHFUNCTION(1)", "#NAME?"),
    }
    for ref, (formula, _error) in failing.items():
        sheet[ref] = formula
    workbook.save(path)
    saved = tmp_path / "另存.xlsx"
    office.call("evaluate", path=str(path), values={}, rows={}, save_as=str(saved))
    code, report = checked(saved)
    assert code == 1
    assert errors_found(report) == {ref: error for ref, (_f, error) in failing.items()}
    constants = with_errors(roster(tmp_path / "常量.xlsx"), CELLS)
    resaved = tmp_path / "常量_另存.xlsx"
    office.call("evaluate", path=str(constants), values={}, rows={}, save_as=str(resaved))
    assert errors_found(checked(resaved)[1]) == CELLS
