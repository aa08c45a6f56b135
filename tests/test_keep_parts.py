"""Every copy dyxx writes of an officer's workbook keeps what it does not mean to change.

The workbook is made in LibreOffice (tests/support/office_fixture.py): 出生日期 as formulas
with cached results, an image, a text box, notes, a chart, a hidden sheet, a
dropdown whose list is on that sheet, print settings. Headless LibreOffice does
not save frozen panes, and it writes a list from another sheet as an ordinary
validation, so the two things Excel writes are added the way Excel writes them:
a frozen pane and a list from another sheet in the sheet's extension list (x14).

Then: prepare, check -o, check -o again on the marked copy, clean. Each step is
compared with its input zip part by part: a part nothing needed to change is
byte-identical, and the parts that did change keep their drawing, notes,
extension list, panes, print settings and every cell with a value or formula
exactly as it was.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import openpyxl
import pytest

from addin.engine.check import check_files
from addin.read.ownsheets import LEDGER_SHEET
from addin.workflow.clean import clean
from addin.workflow.prepare import prepare
from addin.workflow.verify import verify
from addin.write.marked.annotate import RESULT_SHEET, STAMP_SHEET
from addin.xlsx import parts as xlsxparts
from addin.xlsx import sheet as xlsxsheet
from addin.xlsx.package import Rewriter
from addin.xlsx.source import sheet_parts
from tests.support import office_fixture
from tests.support.books import TODAY, good_member, good_org, marked_copy, person_id, write_book
from tests.support.official import EXTENSION
from tests.support.xlsx import parts

pytestmark = [
    pytest.mark.office,  # the fixture workbook is saved by LibreOffice
    pytest.mark.filterwarnings("ignore:Data Validation extension:UserWarning"),
]
MEMBERS, OPTIONS, CHART = office_fixture.MEMBERS, office_fixture.OPTIONS, office_fixture.CHART
ORGS = office_fixture.ORGS
BOOK_PARTS = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"}
PANE = b'<pane xSplit="2" ySplit="5" topLeftCell="C6" activePane="bottomRight" state="frozen"/>'
# the elements of a sheet that no step may touch (CT_Worksheet names)
KEPT = ("sheetViews", "mergeCells", "printOptions", "pageMargins", "pageSetup", "headerFooter")
KEPT += ("drawing", "legacyDrawing", "extLst")


def members() -> list[dict[str, object]]:
    rows = [good_member(gender="女")]  # E6: a woman with a man's ID, and a note of her own
    for number in range(1, 8):
        birth = f"1970{number:02d}{number + 10:02d}"
        name = "张伟王强刘洋陈静杨帆赵磊黄敏"[2 * number - 2 : 2 * number]
        rows.append(good_member(name=name, id_number=person_id("430523", birth, "031")))
    rows[3]["mobile"] = "1380739"  # M9: a bad mobile number, no note
    return rows


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> Path:
    """The officer's workbook, saved by LibreOffice (skipped without it, as `office` is)."""
    from tests.support import uno_bridge

    reason = uno_bridge.missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"LibreOffice is required under CI: {reason}")
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("keep")
    rows = members()
    plain = write_book(folder / "dyxx.xlsx", rows, [good_org()])
    saved = office_fixture.build(plain, folder / "libreoffice.xlsx", len(rows))
    path = folder / "名册.xlsx"
    path.write_bytes(_as_excel_writes(saved.read_bytes(), len(rows)))
    return path


def _as_excel_writes(data: bytes, rows: int) -> bytes:
    """A frozen pane, and a list from another sheet kept in the extension list (x14)."""
    package = Rewriter(data)
    part = next(p for p, name in sheet_parts(data).items() if name == MEMBERS)
    xml = package.read(part)
    xml = re.sub(rb"(<sheetView\b[^>]*>)", lambda m: m.group(1) + PANE, xml, count=1)
    extension = EXTENSION.format(formula=f"{OPTIONS}!$B$1:$B$2", cells=f"I6:I{5 + rows}")
    xml = xml.replace(b"</worksheet>", extension.encode() + b"</worksheet>")
    package.put(part, xml)
    return package.finish()


def part_of(path: Path, sheet: str) -> str:
    return next(p for p, name in sheet_parts(path.read_bytes()).items() if name == sheet)


def elements(xml: bytes) -> dict[str, list[bytes]]:
    """A sheet's elements after <sheetData>, and its <sheetViews> and <cols>, by name."""
    found: dict[str, list[bytes]] = {}
    for element in xlsxparts.tail(xml):
        found.setdefault(element.name, []).append(xml[element.start : element.end])
    for name in ("sheetViews", "cols"):
        match = re.search(rb"<" + name.encode() + rb"\b.*?</" + name.encode() + b">", xml, re.S)
        if match:
            found[name] = [match.group(0)]
    return found


def valued_cells(xml: bytes) -> list[bytes]:
    """Every cell with a value or a formula, as written."""
    return [m.group(0) for m in xlsxsheet.CELL.finditer(xml) if xlsxsheet.FILLED.search(m.group(0))]


def unstyled(cell: bytes) -> bytes:
    return re.sub(rb'\ss="\d+"', b"", cell, count=1)


def assert_sheet_kept(before: bytes, after: bytes, where: str, marked: bool = False) -> None:
    """What the step must not touch is there byte for byte: the kept elements, the
    validations and formats of the sheet's own, every cell with a value or formula
    (``marked``: but for the style of a marked cell)."""
    old, new = elements(before), elements(after)
    for name in KEPT:
        assert old.get(name) == new.get(name), f"{where}: <{name}>"
    old_checks = xlsxsheet.validations(before)
    for found in old_checks:
        assert before[found.start : found.end] in after, f"{where}: validation {found.sqref}"
    kept = set(valued_cells(after))
    loose = {unstyled(cell) for cell in kept} if marked else set()
    for cell in valued_cells(before):
        assert cell in kept or unstyled(cell) in loose, f"{where}: {cell[:80]!r}"


def changed(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {name for name in before if name in after and before[name] != after[name]}


@pytest.fixture(scope="module")
def steps(original, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("steps")
    prepared = folder / "带校验.xlsx"
    prepare(original, prepared)
    marked = marked_copy(prepared, folder / "标注.xlsx")
    again = marked_copy(marked, folder / "再标注.xlsx")
    cleaned = folder / "导入.xlsx"
    clean(again, cleaned)
    return {
        "original": original,
        "prepared": prepared,
        "marked": marked,
        "again": again,
        "cleaned": cleaned,
    }


def test_the_fixture_has_what_a_real_workbook_has(original):
    names = set(parts(original))
    assert {"xl/media/image1.png", "xl/charts/chart1.xml"} <= names
    assert any(n.startswith("xl/comments") for n in names)
    member_xml = parts(original)[part_of(original, MEMBERS)]
    assert b"<f" in member_xml and b"<drawing " in member_xml and b"<legacyDrawing " in member_xml
    assert b"x14:dataValidation" in member_xml and PANE in member_xml
    assert b'state="hidden"' in parts(original)["xl/workbook.xml"]
    report = check_files([original], today=TODAY)
    cells = {(f.sheet, f.cell) for f in report.findings}
    assert {(MEMBERS, "E6"), (MEMBERS, "M9")} <= cells
    assert not [f for f in report.findings if f.rule.startswith("formula")]


def test_prepare_changes_only_the_tables_and_keeps_what_is_in_them(steps):
    before, after = parts(steps["original"]), parts(steps["prepared"])
    tables = {part_of(steps["original"], MEMBERS), part_of(steps["original"], ORGS)}
    assert changed(before, after) <= BOOK_PARTS | {"xl/styles.xml"} | tables
    assert set(before) <= set(after) and len(set(after) - set(before)) == 1  # the code sheet
    for part in tables:
        assert_sheet_kept(before[part], after[part], f"prepare {part}")
    member = after[part_of(steps["prepared"], MEMBERS)]
    assert member.count(b"<conditionalFormatting") == 10 and b"<dataValidations" in member


def test_prepare_leaves_the_formulas_results_to_the_checker(steps):
    """openpyxl dropped the cached results: the formulas of 出生日期 became errors."""
    before = check_files([steps["original"]], today=TODAY).flatten(["sheet", "cell", "rule"])
    after = check_files([steps["prepared"]], today=TODAY).flatten(["sheet", "cell", "rule"])
    assert after == before


def test_check_o_changes_only_the_flagged_sheets_and_their_notes(steps):
    before, after = parts(steps["prepared"]), parts(steps["marked"])
    member = part_of(steps["prepared"], MEMBERS)
    notes = {n for n in before if n.startswith("xl/comments") or n.endswith(".vml")}
    assert changed(before, after) <= BOOK_PARTS | {"xl/styles.xml", member} | notes
    assert len(set(after) - set(before)) == 3  # the results, the stamp, its hidden ledger
    assert_sheet_kept(before[member], after[member], "check -o", marked=True)
    comments = next(n for n in notes if n.startswith("xl/comments"))
    for own in re.findall(rb"<comment\b.*?</comment>", before[comments], re.S):
        if b"E6" not in own:
            assert own in after[comments]  # the officer's other note, byte for byte
    assert after[comments].startswith(before[comments][:200])


def test_check_again_undoes_the_first_marks_exactly(steps):
    before, after = parts(steps["marked"]), parts(steps["again"])
    stamp = part_of(steps["again"], STAMP_SHEET)
    assert set(before) == set(after)
    assert changed(before, after) <= {stamp}
    book = openpyxl.load_workbook(steps["again"])
    assert book.sheetnames.count(RESULT_SHEET) == 1 and book.sheetnames.count(STAMP_SHEET) == 1
    assert book[MEMBERS]["E6"].comment.text.count("【错误】") == 1
    assert verify(steps["again"]).unchanged


def test_clean_gives_back_the_original_parts(steps):
    before, after = parts(steps["original"]), parts(steps["cleaned"])
    assert set(after) == set(before)
    assert changed(before, after) == set()  # styles.xml too: prepare recorded how it was


def test_libreoffice_opens_every_step(steps, office):
    for name in ("prepared", "marked", "again", "cleaned"):
        path = str(steps[name])
        charts = office.call("charts", path=path)
        assert len(charts[CHART]) == 1, name
        seen = office.call("marks", path=path, cells={MEMBERS: ["E6", "B7", "G6"]})
        cells = seen["cells"][MEMBERS]
        assert cells["B7"]["note"] == "新调入", name
        assert cells["E6"]["note"].startswith("已电话核实性别"), name
        assert cells["G6"]["string"], name  # the formula's result
        inspected = office.call("inspect", path=path, cells={MEMBERS: ["F6", "I6"]})
        assert inspected["cells"][MEMBERS]["F6"]["validation"]["values"][:2] == ["汉族", "回族"]
        assert inspected["cells"][MEMBERS]["I6"]["validation"]["type"] == "LIST", name
        hidden = {s["name"]: s["visible"] for s in inspected["sheets"]}
        assert hidden[OPTIONS] is False, name
    seen = office.call("marks", path=str(steps["marked"]), cells={MEMBERS: ["E6", "M9"]})
    assert seen["cells"][MEMBERS]["E6"]["note"].startswith("已电话核实性别\n【错误】")
    assert seen["cells"][MEMBERS]["M9"]["note"].startswith("【错误】")


def test_a_marked_copy_saved_since_is_marked_again_and_cleaned_by_look(steps, office, tmp_path):
    """LibreOffice saved the marked copy (every part rewritten): a new check and clean
    still change only the flagged sheet, its notes, the styles and our own sheets."""
    resaved = tmp_path / "另存.xlsx"
    office.call("evaluate", path=str(steps["marked"]), values={}, rows={}, save_as=str(resaved))
    again = marked_copy(resaved, tmp_path / "另存_标注.xlsx")
    before, after = parts(resaved), parts(again)
    member = part_of(resaved, MEMBERS)
    notes = {n for n in before if n.startswith("xl/comments") or n.endswith(".vml")}
    own = {part_of(resaved, name) for name in (RESULT_SHEET, STAMP_SHEET, LEDGER_SHEET)}
    assert changed(before, after) - own <= BOOK_PARTS | {"xl/styles.xml", member} | notes
    assert_sheet_kept(before[member], after[member], "re-check", marked=True)
    book = openpyxl.load_workbook(again)
    assert book[MEMBERS]["E6"].comment.text.count("【错误】") == 1
    assert book.sheetnames.count(RESULT_SHEET) == 1 and book.sheetnames.count(STAMP_SHEET) == 1
    cleaned = tmp_path / "另存_导入.xlsx"
    done = clean(again, cleaned)
    assert done.marks == 2 and not done.skipped
    seen = office.call("marks", path=str(cleaned), cells={MEMBERS: ["E6", "M9", "B7"]})
    assert RESULT_SHEET not in seen["sheets"] and STAMP_SHEET not in seen["sheets"]
    cells = seen["cells"][MEMBERS]
    assert cells["E6"]["note"] == "已电话核实性别" and cells["B7"]["note"] == "新调入"
    assert cells["M9"]["note"] == "" and cells["E6"]["back"] == cells["M9"]["back"] == -1
    assert len(office.call("charts", path=str(cleaned))[CHART]) == 1
    assert "xl/media/image1.png" in parts(cleaned)
