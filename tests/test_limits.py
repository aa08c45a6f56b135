"""A marked copy stays within Excel's limits, and dyxx reads its own outputs again and again.

Excel refuses (or repairs) a workbook with more than about 64,000 cell formats; a
cell or a note holds at most 32,767 characters. The workbook here already has
nearly as many cell formats as Excel allows, and each flagged cell its own: marking
copies a cell's format with the mark's fill, which would pass the limit. Checked
again and again (a marked copy of a marked copy of …), nothing piles up.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment

from addin.engine.check import check_files
from addin.model.errors import WorkbookError
from addin.workflow.clean import clean
from addin.workflow.verify import verify
from addin.xlsx import parts as xlsxparts
from addin.xlsx.package import Rewriter
from addin.xlsx.source import sheet_parts
from tests.support.books import TODAY, good_member, good_org, marked_copy, person_id, write_book
from tests.support.xlsx import parts

MEMBERS = "党员基本信息汇总表"
FLAGGED = 300  # women with a man's ID: one error each, in column E
STYLES = 63_900  # cell formats the workbook has before it is marked


def cell_formats(path: Path) -> int:
    return xlsxparts.Styles(parts(path)["xl/styles.xml"]).count("cellXfs")


def crowded(path: Path, formats: int) -> Path:
    """A roster whose styles.xml has ``formats`` cell formats, each flagged cell its own."""
    rows = [
        good_member(
            name="王芳",
            gender="女",  # a man's ID (an odd 17th digit): 性别 is wrong
            id_number=person_id("430523", "19700101", f"{2 * n + 1:03d}"),
            birth_date=date(1970, 1, 1),
        )
        for n in range(FLAGGED)
    ]
    write_book(path, rows, [good_org()])
    package = Rewriter(path.read_bytes())
    styles = package.read("xl/styles.xml")
    have = xlsxparts.Styles(styles).count("cellXfs")
    extra = b"".join(
        b'<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
        b'<alignment indent="%d" textRotation="%d"/></xf>' % (n % 200, n // 200 % 180)
        for n in range(formats - have)
    )
    styles = styles.replace(b"</cellXfs>", extra + b"</cellXfs>")
    styles = re.sub(rb'(<cellXfs count=")\d+', rb"\g<1>%d" % formats, styles)
    package.put("xl/styles.xml", styles)
    part = next(p for p, name in sheet_parts(path.read_bytes()).items() if name == MEMBERS)
    xml = package.read(part)
    for number in range(FLAGGED):  # E6, E7 …: each its own format near the end
        ref = f"E{6 + number}".encode()
        xml = re.sub(
            rb'<c r="' + ref + rb'"( s="\d+")?',
            b'<c r="' + ref + b'" s="%d"' % (formats - 1 - number),
            xml,
            count=1,
        )
    package.put(part, xml)
    path.write_bytes(package.finish())
    return path


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> Path:
    return crowded(tmp_path_factory.mktemp("limits") / "名册.xlsx", STYLES)


@pytest.mark.e2e  # 64,000 cell formats
def test_marks_stay_within_excels_cell_formats(original, tmp_path):
    assert cell_formats(original) == STYLES
    marked = marked_copy(original, tmp_path / "标注.xlsx")
    assert STYLES < cell_formats(marked) <= xlsxparts.MAX_CELL_FORMATS
    sheet = openpyxl.load_workbook(marked)[MEMBERS]
    for number in range(FLAGGED):
        cell = sheet[f"E{6 + number}"]
        assert cell.fill.fgColor.rgb == "FFFFC7CF", cell.coordinate
        assert cell.number_format == "@", cell.coordinate  # the format a mark keeps


@pytest.mark.e2e  # 64,000 cell formats
def test_a_marked_copy_of_a_marked_copy_reads_and_nothing_piles_up(original, tmp_path):
    first = marked_copy(original, tmp_path / "标注0.xlsx")
    names, formats = set(parts(first)), cell_formats(first)
    findings = check_files([first], today=TODAY).flatten(["sheet", "cell", "rule"])
    assert len(findings) == FLAGGED
    path = first
    for round_ in range(1, 4):
        path = marked_copy(path, tmp_path / f"标注{round_}.xlsx")
        assert set(parts(path)) == names and cell_formats(path) == formats
        assert check_files([path], today=TODAY).flatten(["sheet", "cell", "rule"]) == findings
        assert verify(path).unchanged
    cleaned = tmp_path / "导入.xlsx"
    done = clean(path, cleaned)
    assert done.exact and parts(cleaned) == parts(original)


@pytest.mark.e2e  # 64,000 cell formats
def test_no_room_for_a_mark_is_a_clear_refusal(tmp_path):
    full = crowded(tmp_path / "满.xlsx", xlsxparts.MAX_CELL_FORMATS)
    out = tmp_path / "标注.xlsx"
    with pytest.raises(WorkbookError, match="上限"):
        marked_copy(full, out)
    assert not out.exists()


def test_a_note_stays_within_a_cells_characters(tmp_path):
    path = write_book(tmp_path / "批注.xlsx", [good_member(gender="女")], [good_org()])
    book = openpyxl.load_workbook(path)
    own = "核" * 32_760
    book[MEMBERS]["E6"].comment = Comment(own, "王芳")
    book.save(path)
    marked = marked_copy(path, tmp_path / "标注.xlsx")
    note = openpyxl.load_workbook(marked)[MEMBERS]["E6"].comment.text
    assert note.startswith(own + "\n【") and len(note) <= xlsxparts.MAX_TEXT
    cleaned = tmp_path / "导入.xlsx"
    assert clean(marked, cleaned).exact and parts(cleaned) == parts(path)
