"""The marked copy written by editing the XML: opens in openpyxl and LibreOffice with
the marks where the engine put them, every other part of the package byte-identical
(a workbook made in LibreOffice, with drawings and notes: tests/test_keep_parts.py)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from addin.engine.check import check_files
from addin.model.errors import WorkbookError
from addin.read.ownsheets import LEDGER_SHEET
from addin.write.marked.annotate import RESULT_SHEET, STAMP_SHEET, write_annotated
from addin.write.marked.stamp import own_sheets, read_stamp
from addin.write.marked.unmark import undo
from addin.xlsx import package, source
from bench.generate import write as generate
from tests.support.books import TODAY, cell_style, good_member, good_org

RED, YELLOW = 0xFFC7CF, 0xFFEB9D
# Parts the marker may change; everything else must be copied byte for byte.
CHANGED = {"[Content_Types].xml", "xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, object]:
    """A generated roster in the official layout with planted defects (cells left out too)."""
    path = tmp_path_factory.mktemp("marked") / "名册.xlsx"
    plan = generate(path, 300, seed=7, ratio=0.03)
    return path, plan


def marked(path: Path, out: Path):
    report = check_files([path], today=TODAY)
    write_annotated(path, out, report)
    return report


def test_generator_plants_exactly_what_the_engine_finds(generated):
    path, plan = generated
    report = check_files([path], today=TODAY)
    found = {(f.row, f.cell.rstrip("0123456789")): f.rule for f in report.findings}
    assert len(plan.defects) > 100
    assert found == plan.defects


def test_untouched_parts_are_byte_identical(generated, tmp_path):
    path, _plan = generated
    out = tmp_path / "标注.xlsx"
    marked(path, out)
    with zipfile.ZipFile(path) as before, zipfile.ZipFile(out) as after:
        names = set(after.namelist())
        assert set(before.namelist()) <= names
        flagged = "xl/worksheets/sheet2.xml"
        for name in before.namelist():
            if name in CHANGED or name == flagged:
                continue
            assert after.read(name) == before.read(name), name
        assert {"xl/comments1.xml", "xl/drawings/vmlDrawing1.vml"} <= names


def test_the_record_undoes_the_marks_exactly(generated, tmp_path):
    """Write the marks, parse their record back from the stamp, undo them: the source's
    parts again, byte for byte (without dyxx clean's other work in between)."""
    path, _plan = generated
    out = tmp_path / "标注.xlsx"
    report = marked(path, out)
    loaded = source.load(out, None)
    own = own_sheets(loaded)
    stamp = read_stamp(loaded, own)
    flagged = {(f.sheet, f.cell) for f in report.findings if f.column is not None}
    assert stamp.writer == "xml" and {(c.sheet, c.ref) for c in stamp.cells} == flagged
    data, exact, done = undo(loaded.data, stamp, own, out)
    assert exact and done.restored == len(flagged)
    with zipfile.ZipFile(path) as before, zipfile.ZipFile(io.BytesIO(data)) as after:
        assert sorted(after.namelist()) == sorted(before.namelist())
        assert all(after.read(name) == before.read(name) for name in before.namelist())


def test_marks_read_back_with_openpyxl(generated, tmp_path, deflated):
    path, plan = generated
    out = tmp_path / "标注.xlsx"
    marked(path, out)
    original = openpyxl.load_workbook(path)
    copy = openpyxl.load_workbook(out)
    sheet = copy["党员基本信息汇总表"]
    flagged = {f"{col}{row}" for row, col in plan.defects}
    for ref in flagged:
        assert sheet[ref].fill.fgColor.rgb == "FFFFC7CF", ref
        assert sheet[ref].comment is not None and "【错误】" in sheet[ref].comment.text
    for row in original["党员基本信息汇总表"].iter_rows():
        for cell in row:
            twin = sheet[cell.coordinate]
            assert twin.value == cell.value, cell.coordinate
            if cell.coordinate not in flagged:
                assert cell_style(twin) == cell_style(cell), cell.coordinate
                assert twin.comment is None, cell.coordinate
    assert copy.sheetnames[-3:] == [RESULT_SHEET, STAMP_SHEET, LEDGER_SHEET]
    assert copy[LEDGER_SHEET].sheet_state == "hidden"  # the records, out of the way
    results = copy[RESULT_SHEET]
    assert results.max_row == len(plan.defects) + 1
    assert results["C2"].hyperlink.location.startswith("'党员基本信息汇总表'!")


@pytest.fixture(params=["whole", "sliced"])
def deflated(request, monkeypatch):
    """How the big sheet is compressed: in one go, or as a big county roster is (in
    slices deflated by parallel threads and concatenated)."""
    if request.param == "sliced":
        monkeypatch.setattr(package, "BIG_PART", 16 * 1024)
        monkeypatch.setattr(package.Packing, "SLICE", 16 * 1024)
    return request.param


def test_marks_in_libreoffice(generated, tmp_path, office, deflated):
    path, plan = generated
    out = tmp_path / "标注.xlsx"
    report = marked(path, out)
    sheet_size = zipfile.ZipFile(out).getinfo("xl/worksheets/sheet2.xml").file_size
    assert (sheet_size > package.BIG_PART) == (deflated == "sliced")
    flagged = sorted(f"{col}{row}" for row, col in plan.defects)[:40]
    clean = ["B6", "C6", "D6"] if "B6" not in flagged else ["A6"]
    seen = office.call(
        "marks",
        path=str(out),
        cells={
            "党员基本信息汇总表": flagged + clean,
            RESULT_SHEET: ["A1", "C2", "H2"],
            STAMP_SHEET: ["A8", "B8"],
        },
    )
    assert seen["sheets"][-3:] == [RESULT_SHEET, STAMP_SHEET, LEDGER_SHEET]
    members = seen["cells"]["党员基本信息汇总表"]
    for ref in flagged:
        assert members[ref]["back"] == RED and "【错误】" in members[ref]["note"], ref
    for ref in clean:
        assert members[ref]["back"] == -1 and members[ref]["note"] == "", ref
    assert seen["cells"][RESULT_SHEET]["H2"]["string"] == report.findings[0].message
    assert seen["cells"][STAMP_SHEET]["B8"]["string"] == "未通过"


def test_warning_marks_are_yellow_and_existing_styles_are_kept(book, tmp_path):
    path = book(
        members=[good_member(job=211, address="邵阳县塘渡口镇", gender="女")], orgs=[good_org()]
    )
    out = tmp_path / "标注.xlsx"
    marked(path, out)
    sheet = openpyxl.load_workbook(out)["党员基本信息汇总表"]
    assert sheet["L6"].fill.fgColor.rgb == "FFFFEB9D"  # warning
    assert sheet["E6"].fill.fgColor.rgb == "FFFFC7CF"  # error
    assert sheet["L6"].number_format == "@" and sheet["E6"].border.left.style == "thin"


def test_a_sheet_with_notes_keeps_them(book, tmp_path):
    path = book(members=[good_member(gender="女")], orgs=[good_org()])
    workbook = openpyxl.load_workbook(path)
    workbook["党员基本信息汇总表"]["E6"].comment = openpyxl.comments.Comment("老批注", "王芳")
    workbook.save(path)
    out = tmp_path / "标注.xlsx"
    marked(path, out)
    note = openpyxl.load_workbook(out)["党员基本信息汇总表"]["E6"].comment.text
    assert note.startswith("老批注") and "性别" in note


def test_checking_the_marked_copy_again_works(book, tmp_path):
    path = book(members=[good_member(gender="女")], orgs=[good_org()])
    first, second = tmp_path / "一.xlsx", tmp_path / "二.xlsx"
    marked(path, first)
    report = marked(first, second)
    assert report.flatten(["cell", "rule"]) == [["E6", "member.gender_mismatch"]]
    assert openpyxl.load_workbook(second).sheetnames.count(RESULT_SHEET) == 1


def test_rows_and_cells_without_references_are_marked(book, tmp_path):
    """The schema lets a writer leave out <row r> and <c r>: such a sheet is numbered."""
    path = book(members=[good_member(gender="女")], orgs=[good_org()])
    with zipfile.ZipFile(path) as source:
        contents = {info.filename: source.read(info) for info in source.infolist()}
    sheet = "xl/worksheets/sheet2.xml"  # 党员基本信息汇总表
    contents[sheet] = re.sub(rb'(<(?:row|c)) r="[A-Z]*\d+"', rb"\1", contents[sheet])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in contents.items():
            target.writestr(name, data)
    out = tmp_path / "标注.xlsx"
    marked(path, out)
    sheet_ = openpyxl.load_workbook(out)["党员基本信息汇总表"]
    assert sheet_["E6"].fill.fgColor.rgb == "FFFFC7CF" and sheet_["E6"].value == "女"
    assert sheet_["D6"].value == good_member()["id_number"]


def test_macros_are_kept_or_the_copy_refused(book, tmp_path):
    """An .xlsm's VBA project is copied as it is; an .xlsx copy of it would lose it: refused."""
    path = book(members=[good_member(gender="女")], orgs=[good_org()])
    macro = tmp_path / "带宏.xlsm"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(macro, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")
            out.writestr(info.filename, data)
        out.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really a VBA project")
    with pytest.raises(WorkbookError, match="带宏"):
        marked(macro, tmp_path / "标注.xlsx")
    assert not (tmp_path / "标注.xlsx").exists()
    out = tmp_path / "标注.xlsm"
    marked(macro, out)
    with zipfile.ZipFile(macro) as before, zipfile.ZipFile(out) as after:
        assert after.read("xl/vbaProject.bin") == before.read("xl/vbaProject.bin")
        assert b"macroEnabled" in after.read("[Content_Types].xml")
