"""Bounded resources: files that never end, sparse sheets, formula scans, memory."""

from __future__ import annotations

import json
import os
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from defusedxml import ElementTree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from addin.engine.check import check_tables, read_files
from addin.model.errors import WorkbookError
from addin.read import extent, reader
from addin.read.extent import SparseRow, column_letters
from addin.xlsx import source
from bench.generate import write as generate
from tests.support.books import good_member, good_org, write_book
from tests.support.cli import Ran, assert_refused, dyxx_process, reading_commands
from tests.support.examples import examples
from tests.support.xlsx import rewrite

# The memory a child run may take (its heap and private mappings: what calamine's grid
# would need): four times what any case here takes now. Only a child process can be limited.
LIMIT = 512 * 1024**2


# ---- only regular files are read ---------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_at_once_by_every_reading_command(tmp_path):
    fifo = tmp_path / "管道.xlsx"
    os.mkfifo(fifo)
    out = tmp_path / "输出.xlsx"
    for command, args in reading_commands(fifo, out).items():
        result = dyxx_process(*args, timeout=30, memory=LIMIT)  # a hang ends in the timeout
        assert_refused(result, "管道.xlsx", "不是普通文件")
        assert not out.exists(), command


@pytest.mark.e2e
@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
@pytest.mark.parametrize("command", ["check", "prepare"])
def test_a_link_to_an_endless_device_is_refused(tmp_path, command):
    link = tmp_path / "零.xlsx"
    link.symlink_to("/dev/zero")
    out = tmp_path / "输出.xlsx"
    result = dyxx_process(*reading_commands(link, out)[command], memory=LIMIT)
    assert_refused(result, "零.xlsx", "不是普通文件")
    assert not out.exists()


# ---- formulas saved without a result: a linear scan, the same as a plain reading ------------

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def uncached_by_tree(xml: bytes) -> dict[str, str]:
    """The plain reference: every cell that holds a formula and no result, by ElementTree."""
    found = {}
    for cell in ElementTree.fromstring(xml).iter(f"{MAIN}c"):
        kids = [k.tag.removeprefix(MAIN) for k in cell]
        empty = all(k.text in (None, "") and not len(k) for k in cell[1:])
        if kids in (["f"], ["f", "v"]) and empty:
            text = cell[0].text or ""
            found[cell.get("r")] = "=" + text if text else "=（公式）"
    return found


def escaped(text: str, draw) -> str:
    """``text`` as element content, each special character escaped one way or another."""
    ways = {
        "&": ["&amp;", "&#38;"],
        "<": ["&lt;", "&#x3C;"],
        ">": [">", "&gt;"],
        '"': ['"', "&quot;"],
        "'": ["'", "&apos;"],
    }
    return "".join(draw(st.sampled_from(ways[c])) if c in ways else c for c in text)


FORMULA_TEXT = st.text(alphabet=st.sampled_from("A1:+-*/()&<>\"' 党员=，\n"), max_size=40)
SPACE = st.sampled_from(["", " ", "\n  "])


@st.composite
def cells(draw, ref: str) -> str:
    """One cell as Excel, LibreOffice or openpyxl may write it."""
    attrs = draw(st.sampled_from(["", ' s="1"', ' t="str"', ' s="2" t="n"']))
    head, space = f'<c r="{ref}"{attrs}', draw(SPACE)
    kind = draw(st.sampled_from(["number", "text", "empty", "formula", "shared"]))
    if kind == "number":
        return f"{head}><v>{draw(st.integers(0, 99))}</v></c>"
    if kind == "text":
        return f'<c r="{ref}" t="inlineStr"><is><t>{escaped(draw(FORMULA_TEXT), draw)}</t></is></c>'
    if kind == "empty":
        return f"{head}/>"
    if kind == "formula":
        formula = f"<f>{escaped(draw(FORMULA_TEXT), draw)}</f>"
    else:
        formula = draw(st.sampled_from(['<f t="shared" si="0"/>', '<f t="shared" si="0"></f>']))
    result = draw(st.sampled_from(["", "<v/>", "<v />", "<v></v>", "<v>7</v>", "<v>党</v>"]))
    return f"{head}>{space}{formula}{space}{result}{space}</c>"


@st.composite
def worksheets(draw) -> bytes:
    rows = []
    for row in range(1, draw(st.integers(0, 8)) + 1):
        columns = draw(st.lists(st.sampled_from("ABCDXY"), unique=True, max_size=4))
        body = "".join(draw(cells(f"{column}{row}")) for column in sorted(columns))
        rows.append(f'<row r="{row}">{body}</row>{draw(SPACE)}')
    xml = f'<worksheet xmlns="{MAIN[1:-1]}"><sheetData>{"".join(rows)}</sheetData></worksheet>'
    return xml.encode()


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(xml=worksheets(), chunk=st.integers(1, 300))
def test_uncached_formulas_match_a_plain_reading(xml, chunk):
    """Any chunk size (a cell may span many chunks)."""
    expected = uncached_by_tree(xml)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(source, "CHUNK", chunk)
        assert source.uncached_formulas(xml) == expected


# ---- memory follows the cells, not the grid they span --------------------------------------

MEMBERS = "xl/worksheets/sheet2.xml"  # the 附件4 sheet of bench.generate's workbooks


def with_cells(path: Path, target: Path, cells: bytes, row: int = 1) -> Path:
    """A copy of ``path`` with ``cells`` added at the end of row ``row`` of the 附件4 sheet
    (a new row at the bottom when there is none)."""
    with zipfile.ZipFile(path) as archive:
        xml = archive.read(MEMBERS)
    opening = xml.find(b'<row r="%d"' % row)
    if opening < 0:
        xml = xml.replace(b"</sheetData>", b'<row r="%d">%s</row></sheetData>' % (row, cells))
    else:
        end = xml.find(b"</row>", opening)
        xml = xml[:end] + cells + xml[end:]
    return rewrite(path, target, {MEMBERS: xml})


def findings(result: Ran) -> tuple:
    """What a ``check --json`` found, whatever the file was called."""
    report = json.loads(result.stdout)
    found = [{k: v for k, v in f.items() if k != "file"} for f in report["findings"]]
    return found, report["fingerprint"], report["summary"]


@pytest.fixture(scope="module")
def roster(tmp_path_factory) -> Path:
    """4,000 members: with a stray cell at XFD1, calamine's grid would take 2 GB."""
    path = tmp_path_factory.mktemp("roster") / "名册.xlsx"
    generate(path, 4000)
    return path


@pytest.fixture(scope="module")
def plain(roster) -> tuple:
    """What checking the roster as it is finds."""
    return findings(
        dyxx_process("check", str(roster), "--json", "--today", "2024-06-01", memory=LIMIT)
    )


STRAY = b'<c r="XFD1" t="inlineStr"><is><t>x</t></is></c>'


@pytest.mark.e2e  # 4,000 rows
def test_findings_hold_no_cell_of_the_sheet(roster):
    """A finding keeps its own copy of a cell's text: cells kept alive here and there
    by findings would keep the memory of all the sheet's cells from being given back."""
    tables = read_files([roster])
    cells = {id(v) for t in tables for r in t.records for v in r.cells if isinstance(v, str)}
    findings = check_tables(tables, date(2024, 6, 1)).findings
    values = [f.value for f in findings if len(f.value) > 1]  # one character: shared by Python
    assert len(values) > 100
    assert not [v for v in values if id(v) in cells]


@pytest.mark.e2e
def test_a_stray_cell_in_column_xfd_costs_no_memory(roster, plain, tmp_path):
    stray = with_cells(roster, tmp_path / "XFD.xlsx", STRAY)
    checked = dyxx_process("check", str(stray), "--json", "--today", "2024-06-01", memory=LIMIT)
    assert checked.returncode == 1, checked.stderr
    assert findings(checked) == plain


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("cells", "row"),
    [
        (b'<c r="XFD1048576"><v>1</v></c>', 1_048_576),  # the far corner
        (b'<c r="A1048576"><v>1</v></c>', 1_048_576),  # the bottom of column A
        (b'<c r="A1" r="XFD1048576"><v>1</v></c>', 7),  # calamine takes the last "r"
        (b'<c r="XFD7"/><c><v>1</v></c>', 7),  # a cell without "r" after XFD7: beyond XFD
        (b"<c r='XFC1048576'><v>1</v></c>", 1_048_576),
    ],
    ids=["corner", "bottom", "second r", "after XFD", "single quotes"],
)
def test_crafted_far_cells_are_read_in_little_memory(roster, plain, tmp_path, cells, row):
    """Each of these made calamine ask for up to 550 GB and abort the process."""
    crafted = with_cells(roster, tmp_path / "远处.xlsx", cells, row)
    result = dyxx_process("check", str(crafted), "--json", "--today", "2024-06-01", memory=LIMIT)
    if b"XFD7" in cells:  # a column past Excel's last: refused, not read
        assert_refused(result, "远处.xlsx", "位置不正确")
        return
    assert result.returncode == 1, result.stderr
    assert findings(result) == plain


@pytest.mark.e2e
def test_cells_far_apart_in_rows_and_columns_are_read(roster, plain, tmp_path):
    """A diagonal of 3,000 cells below the table, right of its columns (stray values inside
    them are findings of their own): a grid of 3,000 × 15,000 as it is."""
    diagonal = b"".join(
        b'<row r="%d"><c r="%s%d"><v>1</v></c></row>' % (r, column_letters((r - 5000) * 5 + 25), r)
        for r in range(5000, 8000)
    )
    with zipfile.ZipFile(roster) as archive:
        xml = archive.read(MEMBERS).replace(b"</sheetData>", diagonal + b"</sheetData>")
    crafted = rewrite(roster, tmp_path / "对角线.xlsx", {MEMBERS: xml})
    result = dyxx_process("check", str(crafted), "--json", "--today", "2024-06-01", memory=LIMIT)
    assert result.returncode == 1 and findings(result) == plain


@pytest.mark.e2e
def test_a_panic_in_the_reader_is_reported_as_an_unreadable_file(tmp_path):
    """A date cell holding -1E+20: calamine panics converting it (pyo3 raises
    PanicException, which is no Exception)."""
    members = [good_member(name=f"李{i}") for i in range(40)]
    path = write_book(tmp_path / "恐慌.xlsx", members, [good_org()])
    with zipfile.ZipFile(path) as archive:
        xml = archive.read(MEMBERS)
    date = re.search(rb'<c r="G45"( [^>]*)?><v>[0-9.]+</v>', xml)
    assert date is not None
    broken = xml.replace(date.group(), date.group().split(b"<v>")[0] + b"<v>-1E+20</v>")
    crafted = rewrite(path, tmp_path / "日期.xlsx", {MEMBERS: broken})
    result = dyxx_process("check", str(crafted), memory=LIMIT)
    assert_refused(result, "日期.xlsx", "无法读取")


# ---- reading a sparse sheet through a copy gives what calamine gives ------------------------

PACKAGE = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{MAIN[1:-1]}" xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships"><sheets><sheet name="表" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def one_sheet(path: Path, body: bytes) -> Path:
    """A minimal workbook with one sheet whose sheetData holds ``body``."""
    sheet = f'<worksheet xmlns="{MAIN[1:-1]}"><sheetData>'.encode() + body
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in PACKAGE.items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", sheet + b"</sheetData></worksheet>")
    return path


CELL_FORMS = ["plain", "s first", "quotes", "second r", "lower", "prefixed", "no r"]


@st.composite
def sparse_sheets(draw) -> bytes:
    """Rows of cells far apart, written every way calamine reads: without "r" where the
    next place is meant, "r" not first, twice, in single quotes, in lower case, with a
    prefix; empty cells and rows, formulas without a result, comments."""
    body, row_before = [], 0
    rows = sorted(draw(st.sets(st.integers(1, 400), max_size=12)))
    for row in rows:
        columns = sorted(draw(st.sets(st.integers(1, 400), min_size=1, max_size=5)))
        cells, before = [], 0
        for column in columns:
            ref = f"{column_letters(column - 1).decode()}{row}"
            form = draw(st.sampled_from(CELL_FORMS if column == before + 1 else CELL_FORMS[:-1]))
            value = draw(st.sampled_from(["<v>7</v>", "<v>2.5</v>", "", "<f>1+1</f>"]))
            value = value or "<is><t>党</t></is>"
            kind = ' t="inlineStr"' if "<is>" in value else ""
            head = {
                "plain": f'<c r="{ref}"{kind}>',
                "s first": f'<c s="0"{kind} r="{ref}">',
                "quotes": f"<c r='{ref}'{kind}>",
                "second r": f'<c r="A1"{kind} r="{ref}">',
                "lower": f'<c r="{ref.lower()}"{kind}>',
                "prefixed": f'<x:c xmlns:x="{MAIN[1:-1]}" r="{ref}"{kind}>',
                "no r": f"<c{kind}>",
            }[form]
            end = "</x:c>" if form == "prefixed" else "</c>"
            empty = draw(st.booleans()) and form in ("plain", "quotes")
            cells.append(head[:-1] + "/>" if empty else head + value + end)
            before = column
        number = "" if row == row_before + 1 and draw(st.booleans()) else f' r="{row}"'
        comment = draw(st.sampled_from(["", "<!-- <c r='XFD1'><v>1</v></c> -->"]))
        body.append(f"<row{number}>{''.join(cells)}</row>{comment}")
        row_before = row
    return "".join(body).encode()


def cells_of(rows) -> dict[tuple[int, int], object]:
    return {(r, c): v for r, row in enumerate(rows) for c, v in enumerate(row) if v != ""}


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=sparse_sheets())
def test_a_sparse_sheet_read_through_a_copy_holds_what_calamine_reads(tmp_path_factory, body):
    """With a grid budget of 3,000 cells nearly every sheet here is sparse, and is read
    through a copy (addin.read.extent.plan); the cells are those calamine reads as it is."""
    path = one_sheet(tmp_path_factory.mktemp("sparse") / "稀疏.xlsx", body)
    loaded = source.load(path)
    workbook = reader.open_workbook(path, loaded.data)
    expected = cells_of(reader.sheet_rows(path, workbook, "表"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(extent, "FREE_CELLS", 3000)
        patch.setattr(extent, "BYTES_PER_CELL", 10**9)
        try:
            rows = reader.read_sheets(loaded)["表"]
        except WorkbookError as error:  # more cells far out than the copy may hold
            assert "分散" in str(error)
            return
    assert cells_of(rows) == expected


def test_too_many_cells_far_out_are_refused(tmp_path):
    corner = "".join(
        f'<c r="{column_letters(16000 + c).decode()}1"><v>1</v></c>' for c in range(300)
    )
    bottom = '<row r="900000"><c r="A900000"><v>1</v></c></row>'
    body = f'<row r="1"><c r="A1"><v>1</v></c>{corner}</row>{bottom}'
    path = one_sheet(tmp_path / "远.xlsx", body.encode())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(extent, "FREE_CELLS", 200)
        patch.setattr(extent, "BYTES_PER_CELL", 10**9)
        with pytest.raises(WorkbookError, match="分散在很大的范围里"):
            extent.plan(path, "表", zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml"))


def test_a_sparse_row_reads_like_a_padded_list():
    cells = {0: "甲", 5: 3.0, 9: None}
    padded = ["甲", "", "", "", "", 3.0, "", "", "", None]
    row = SparseRow(10, dict(cells))
    assert len(row) == 10 and list(row) == padded and row[:] == padded
    assert [row[i] for i in range(-10, 10)] == padded * 2
    assert row.count("") == padded.count("") and row.count(None) == 1 and row.count(3.0) == 1
    row[1] = "乙"
    assert row[1] == "乙" and row.count("") == padded.count("") - 1
    for index in (10, -11):
        with pytest.raises(IndexError):
            row[index]
