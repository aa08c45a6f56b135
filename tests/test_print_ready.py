"""What dyxx writes prints on A4: one page wide, no text spilling out of its cell (issue 15).

The file checks run everywhere: every sheet dyxx writes is set up for A4, one page wide,
and every wrapped cell's row is tall enough for its lines, counted here on the saved file
independently of :mod:`addin.write.printing` (a wide character two columns of width). The
``office`` tests render each output through LibreOffice to PDF and read it with poppler:
page counts, no two lines of text overlapping on a page, each long message whole.

The row hashes and the mark record live on a hidden sheet; a marked copy written before
(``tests/fixtures/legacy_marked.xlsx``, with them on the visible 校验记录) still verifies
and cleans.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import unicodedata
import zipfile
from math import ceil
from pathlib import Path

import openpyxl
import pytest

from addin.model.a1 import column_letter
from addin.read.ownsheets import LEDGER_SHEET, RESULT_SHEET, STAMP_SHEET
from tests.support.branches import branch_books
from tests.support.cli import dyxx
from tests.support.tools import required
from tests.support.xlsx import parts

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "示例_林业局党委.xlsx"
LEGACY = Path(__file__).resolve().parent / "fixtures" / "legacy_marked.xlsx"
TEMPLATE = ROOT / "templates" / "党组织和党员基本信息采集表.xlsx"
OURS_IN_MARKED = (RESULT_SHEET, STAMP_SHEET, LEDGER_SHEET)
LINE = 15.0  # points per line of 11-point text
MEMBERS = "党员基本信息汇总表"

pytestmark = pytest.mark.filterwarnings("ignore:Data Validation extension:UserWarning")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, Path]:
    """Every kind of workbook dyxx writes, from the bundled example and the branch books."""
    folder = tmp_path_factory.mktemp("print")
    made = {"marked": folder / "标注.xlsx", "merge": folder / "汇总.xlsx"}
    assert dyxx("check", str(EXAMPLE), "-o", str(made["marked"])).returncode == 1
    books = branch_books(folder / "报送")
    dated = ("--date", "2017-07-10", "--today", "2024-06-01")
    assert dyxx("merge", *map(str, books), "-o", str(made["merge"]), *dated).returncode == 1
    made["sample"] = folder / "抽查.xlsx"
    ran = dyxx(
        "sample", str(made["merge"]), "--ratio", "0.5", "--seed", "1", "-o", str(made["sample"])
    )
    assert ran.returncode == 0, ran.stdout
    changed = folder / "新.xlsx"
    book = openpyxl.load_workbook(EXAMPLE)
    book[MEMBERS]["O6"] = "邵阳县塘渡口镇资江路12号院内东侧第三栋二单元五楼五零二室（新搬入）"
    book[MEMBERS]["E7"] = "男"
    book.save(changed)
    made["diff"] = folder / "变动.xlsx"
    assert dyxx("diff", str(EXAMPLE), str(changed), "-o", str(made["diff"])).returncode == 1
    made["template"] = TEMPLATE
    forms = folder / "采集表"
    assert dyxx("forms", str(made["merge"]), "-o", str(forms), "--no-pdf").returncode == 0
    made["forms"] = min(forms.glob("*.xlsx"))
    return made


def our_sheets(kind: str, book) -> list:
    """The sheets dyxx wrote (a marked copy keeps the officer's own as they were)."""
    if kind == "marked":
        return [book[name] for name in OURS_IN_MARKED]
    return list(book.worksheets)


def wide(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def lines_needed(text: object, width: float, size: float) -> int:
    usable = (width - 1) * 11 / size
    return sum(max(1, ceil(wide(part) / usable)) for part in str(text).split("\n"))


def width_of(sheet, letter: str) -> float:
    dimension = sheet.column_dimensions.get(letter)
    return dimension.width if dimension is not None and dimension.width else 8.43


def height_of(sheet, row: int) -> float:
    dimension = sheet.row_dimensions.get(row)
    return dimension.height if dimension is not None and dimension.height else LINE


def short_rows(sheet) -> list[tuple[str, int, float]]:
    """(cell, lines its text needs, height it has) of each wrapped cell whose row (or merged
    rows) are too short for its text."""
    areas = {}
    for merged in sheet.merged_cells.ranges:
        areas[(merged.min_row, merged.min_col)] = (
            sum(
                width_of(sheet, column_letter(c)) for c in range(merged.min_col, merged.max_col + 1)
            ),
            sum(height_of(sheet, r) for r in range(merged.min_row, merged.max_row + 1)),
        )
    short = []
    for row in sheet.iter_rows():
        for cell in row:
            if not isinstance(cell.value, str) or not cell.value or not cell.alignment.wrap_text:
                continue  # numbers and dates do not wrap
            width, height = areas.get(
                (cell.row, cell.column),
                (width_of(sheet, cell.column_letter), height_of(sheet, cell.row)),
            )
            size = cell.font.sz or 11
            needed = lines_needed(cell.value, width, size)
            if height + 0.01 < needed * LINE * size / 11:
                short.append((cell.coordinate, needed, height))
    return short


@pytest.mark.parametrize("kind", ["marked", "merge", "sample", "diff", "template", "forms"])
def test_every_sheet_is_set_up_for_a4_one_page_wide(outputs, kind):
    book = openpyxl.load_workbook(outputs[kind])
    for sheet in our_sheets(kind, book):
        setup = sheet.page_setup
        assert str(setup.paperSize) == "9", sheet.title  # A4
        tall = (
            1 if kind == "forms" else 0
        )  # a filled-in form is one page; the rest, as long as it is
        assert (int(setup.fitToWidth), int(setup.fitToHeight)) == (1, tall), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title


@pytest.mark.parametrize("kind", ["marked", "merge", "sample", "diff", "template", "forms"])
def test_wrapped_text_has_the_height_it_needs(outputs, kind):
    book = openpyxl.load_workbook(outputs[kind])
    wrapped = 0
    for sheet in our_sheets(kind, book):
        assert short_rows(sheet) == [], sheet.title
        wrapped += sum(1 for row in sheet.iter_rows() for c in row if c.alignment.wrap_text)
    assert wrapped  # the check looked at something


def test_the_visible_stamp_is_a_summary_and_the_records_are_hidden(outputs):
    book = openpyxl.load_workbook(outputs["marked"])
    stamp = [row[0] for row in book[STAMP_SHEET].iter_rows(values_only=True)]
    assert "校验时间" in stamp and "行指纹" not in stamp and "标注单元格" not in stamp
    assert book[STAMP_SHEET].max_row < 30
    ledger = book[LEDGER_SHEET]
    assert ledger.sheet_state == "hidden"
    tags = {row[0] for row in ledger.iter_rows(values_only=True)}
    assert {"行指纹", "标注单元格", "标注方式"} <= tags


def test_a_copy_marked_before_the_ledger_still_verifies_and_cleans(tmp_path):
    legacy = tmp_path / "旧标注.xlsx"
    shutil.copyfile(LEGACY, legacy)
    assert LEDGER_SHEET not in openpyxl.load_workbook(legacy).sheetnames
    verified = dyxx("verify", str(legacy))
    assert verified.returncode == 1 and "数据与校验时一致（10 行）" in verified.stdout
    cleaned = tmp_path / "导入.xlsx"
    result = dyxx("clean", str(legacy), "-o", str(cleaned))
    assert result.returncode == 0 and "逐字节恢复原样" in result.stdout, result.stdout
    assert parts(cleaned) == parts(EXAMPLE)
    again = tmp_path / "再标注.xlsx"  # a new check replaces the old sheets
    assert dyxx("check", str(legacy), "-o", str(again)).returncode == 1
    names = openpyxl.load_workbook(again).sheetnames
    assert names[-3:] == list(OURS_IN_MARKED) and len(names) == 5
    assert dyxx("verify", str(again)).returncode == 1


def test_clean_takes_the_hidden_sheet_too(outputs, tmp_path):
    cleaned = tmp_path / "导入.xlsx"
    result = dyxx("clean", str(outputs["marked"]), "-o", str(cleaned))
    assert result.returncode == 0 and LEDGER_SHEET in result.stdout
    assert parts(cleaned) == parts(EXAMPLE)


# ---- through LibreOffice ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered(outputs, tmp_path_factory) -> dict[str, Path]:
    """Each output (and the example it marks) as LibreOffice prints it to PDF."""
    office = required("soffice", "pdftotext")
    folder = tmp_path_factory.mktemp("pdf")
    sources = {**outputs, "example": EXAMPLE}
    for kind, path in sources.items():  # distinct names: one PDF each
        shutil.copyfile(path, folder / f"{kind}.xlsx")
    subprocess.run(
        [
            office,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *(str(folder / f"{kind}.xlsx") for kind in sources),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return {kind: folder / f"{kind}.pdf" for kind in sources}


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


def text(pdf: Path, first: int = 1) -> str:
    return subprocess.run(
        ["pdftotext", "-f", str(first), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def overlaps(pdf: Path, first: int = 1) -> list[tuple[int, str, str]]:
    """Lines of text that overlap another on the same page (from page ``first``): a wrapped
    text in a row too short for it runs into the next row. Lines of one cell touch by about
    a point; text running over another overlaps by more."""
    xml = subprocess.run(
        ["pdftotext", "-bbox-layout", "-f", str(first), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = []
    line = re.compile(
        r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>', re.S
    )
    for number, page in enumerate(xml.split("<page ")[1:], start=first):
        boxes = [
            (tuple(map(float, m.groups()[:4])), "".join(re.findall(r">([^<]*)</word>", m.group(5))))
            for m in line.finditer(page)
        ]
        for (a, one), (b, other) in itertools.combinations(boxes, 2):
            across = min(a[2], b[2]) - max(a[0], b[0])
            down = min(a[3], b[3]) - max(a[1], b[1])
            if across > 1 and down > 2:
                found.append((number, one, other))
    return found


@pytest.mark.office
def test_the_marked_copy_adds_one_page_of_results_and_one_of_stamp(rendered):
    """25 pages before: 校验结果 four pages wide, 14 pages of row hashes on 校验记录."""
    assert pages(rendered["marked"]) == pages(rendered["example"]) + 2


@pytest.mark.office
@pytest.mark.parametrize(
    ("kind", "count"),
    [
        ("merge", 6),  # 附件3, 附件4, 统计核对, 数据质量, 问题清单, 数据来源: a page each
        ("sample", 5),  # 抽查清单, 抽样说明, 覆盖情况, 附件3, 附件4
        ("diff", 3),  # 变动清单, 变动统计, 比较说明
        ("template", 7),  # 附件1 and 附件2 with their code tables, 附件3, 附件4
    ],
)
def test_each_report_prints_on_its_pages(rendered, kind, count):
    assert pages(rendered[kind]) == count


@pytest.mark.office
@pytest.mark.parametrize("kind", ["marked", "merge", "sample", "diff", "template"])
def test_no_text_runs_into_another(rendered, kind):
    first = pages(rendered["example"]) + 1 if kind == "marked" else 1  # the officer's own
    assert overlaps(rendered[kind], first) == []


@pytest.mark.office
def test_each_long_message_prints_whole(rendered, outputs):
    printed = re.sub(r"\s", "", text(rendered["marked"], pages(rendered["example"]) + 1))
    book = openpyxl.load_workbook(outputs["marked"])
    messages = [row[7] for row in book[RESULT_SHEET].iter_rows(min_row=2, values_only=True)]
    assert any(len(m) > 40 for m in messages)
    for message in messages:  # its start and its end are printed (lines of the cell next to
        whole = re.sub(r"\s", "", message)  # it may come between them in pdftotext's order)
        assert whole[:16] in printed and whole[-8:] in printed, message


@pytest.mark.excel
def test_after_the_button_rewrote_the_stamp_its_hashes_count(outputs, tmp_path, monkeypatch):
    """The Excel button writes its row hashes to the ledger too: a check -o copy clicked
    after an edit verifies by the new ones."""
    from datetime import date

    from tests.support.client import Client

    edited = tmp_path / "改过.xlsx"
    book = openpyxl.load_workbook(outputs["marked"])
    book[MEMBERS]["E7"] = "男"  # 王秀英's row, changed after the check
    book.save(edited)
    client = Client(edited)
    client.click(monkeypatch, today=date(2024, 6, 1), operator="测试员")
    clicked = tmp_path / "点过.xlsx"
    client.workbook.save(clicked)
    result = dyxx("verify", str(clicked))
    assert "数据与校验时一致" in result.stdout, result.stdout


@pytest.mark.parametrize(
    "names",
    [
        "",  # none (as Excel writes a workbook without names)
        "<definedNames />",  # an empty list (as openpyxl writes it)
        "<definedNames><definedName name=\"区域\">'党员基本信息汇总表'!$A$1:$B$2</definedName>"
        "</definedNames>",
    ],
)
def test_the_results_header_repeats_on_every_page_and_clean_takes_it_back(tmp_path, names):
    source = tmp_path / "名册.xlsx"
    with zipfile.ZipFile(EXAMPLE) as zin, zipfile.ZipFile(source, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b"<definedNames />", names.encode())
            zout.writestr(item, data)
    marked = tmp_path / "标注.xlsx"
    assert dyxx("check", str(source), "-o", str(marked)).returncode == 1
    assert openpyxl.load_workbook(marked)[RESULT_SHEET].print_title_rows == "$1:$1"
    cleaned = tmp_path / "导入.xlsx"
    assert "逐字节恢复原样" in dyxx("clean", str(marked), "-o", str(cleaned)).stdout
    assert parts(cleaned) == parts(source)


def test_the_ledger_is_told_by_its_marker_and_never_read_as_data():
    from addin.excel.plan import Book
    from addin.read import ownsheets

    rows = [[ownsheets.LEDGER_MARKER], ["行指纹", '["附件4", "members", 6, 0, ""]']]
    assert ownsheets.kind("随便什么名字", rows) == ownsheets.LEDGER
    assert ownsheets.kind(LEDGER_SHEET, [["行指纹"]]) is None  # the name never decides
    book = Book("名册.xlsx", {MEMBERS: [["附件4"]], "记录": rows})
    assert book.data_sheets == [MEMBERS]


def test_a_stamp_with_its_own_hashes_is_not_mixed_with_the_ledgers(outputs, tmp_path):
    """An add-in of before the ledger wrote its row hashes on the visible stamp, leaving the
    ledger of an earlier check -o: the stamp's hashes count."""
    from addin.read.reader import read_workbook
    from addin.write.marked.annotate import fingerprint_rows

    edited = tmp_path / "改过.xlsx"
    book = openpyxl.load_workbook(outputs["marked"])
    book[MEMBERS]["E7"] = "男"
    book.save(edited)
    book = openpyxl.load_workbook(edited)
    for row in fingerprint_rows(read_workbook(edited)):
        book[STAMP_SHEET].append(row)
    book.save(edited)
    result = dyxx("verify", str(edited))
    assert "数据与校验时一致" in result.stdout, result.stdout


def test_report_rows_measured_from_their_values_as_from_their_cells():
    """The fast path (:func:`fit_values`, used for a report's rows) gives the heights the
    plain one (:func:`fit_rows`, every cell looked up) gives."""
    from openpyxl import Workbook

    from addin.workflow.sheets import report_sheet
    from addin.write.printing import fit_rows

    texts = [
        "",
        "短",
        "a" * 30,
        "党" * 9,
        "党" * 30,
        "一\n二\n三",
        "=1+1",
        "x" * 80,
        "中文 and 英文" * 4,
    ]
    rows = [
        [n, texts[n % len(texts)], texts[(n * 3) % len(texts)], 2017.5, texts[(n * 7) % len(texts)]]
        for n in range(60)
    ]
    written = report_sheet(
        Workbook(), "清单", "清单：测试", ["说明"], list("ABCDE"), rows, [6, 10, 20, 8, 40]
    )
    sheet = written.sheet
    fast = {r: sheet.row_dimensions[r].height for r in range(written.first, written.last + 1)}
    assert len(set(fast.values())) > 2  # rows of one, two and more lines
    for row in fast:
        sheet.row_dimensions[row].height = None
    fit_rows(sheet, written.first, written.last)
    assert {r: sheet.row_dimensions[r].height for r in fast} == fast
