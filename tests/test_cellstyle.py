"""addin.write.cellstyle against the plain openpyxl calls: the same workbook, byte for byte."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

from addin.write import cellstyle
from addin.write.cellstyle import Look
from addin.write.layout import new_workbook
from tests.support.cli import dyxx_ok
from tests.support.xlsx import parts

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "示例_林业局党委.xlsx"


def plain_apply(look: Look, cell) -> None:
    for name, value in look.attributes:
        setattr(cell, name, value)


def plain_merge(sheet, start_row, start_column, end_row, end_column) -> None:
    sheet.merge_cells(
        start_row=start_row, start_column=start_column, end_row=end_row, end_column=end_column
    )


@pytest.fixture
def plain(monkeypatch):
    """Make every Look and merge take openpyxl's own way."""

    def use() -> None:
        monkeypatch.setattr(Look, "apply", plain_apply)
        monkeypatch.setattr(cellstyle, "merge", plain_merge)

    return use


def same_parts(first: Path, second: Path) -> None:
    one, two = parts(first), parts(second)
    assert sorted(one) == sorted(two)
    assert [n for n in one if n != "docProps/core.xml" and one[n] != two[n]] == []


def test_outputs_are_written_as_the_plain_calls_write_them(tmp_path, plain):
    """merge, forms, sample and diff: the official layout, the report sheets and the forms
    (the template, built from the same code, is compared with the committed one by
    ``dyxx template --check`` in tests/test_template.py)."""
    for way in ("fast", "plain"):
        if way == "plain":
            plain()
        out = tmp_path / way
        dyxx_ok("merge", EXAMPLE, "-o", out / "merged.xlsx", "--date", "2024-01-01")
        dyxx_ok("forms", out / "merged.xlsx", "-o", out / "forms", "--no-pdf")
        dyxx_ok("sample", out / "merged.xlsx", "--seed", "3", "-o", out / "sample.xlsx")
        dyxx_ok("diff", EXAMPLE, out / "merged.xlsx", "-o", out / "diff.xlsx")
    books = sorted((tmp_path / "fast").rglob("*.xlsx"))
    assert len(books) >= 6
    for book in books:
        same_parts(book, tmp_path / "plain" / book.relative_to(tmp_path / "fast"))


THIN, THICK = Side(style="thin"), Side(style="thick")
LOOKS = [
    Look(border=Border(left=THIN, right=THIN, top=THIN, bottom=THIN), font=Font(bold=True)),
    Look(border=Border(bottom=THICK), alignment=Alignment(wrap_text=True)),
    Look(fill=PatternFill("solid", fgColor="DDEBF7"), protection=Protection(locked=False)),
    Look(number_format="@", border=Border(right=THICK, top=THIN)),
    Look(font=Font(italic=True)),
]
SHAPES = [(0, 2), (1, 1), (2, 0), (0, 0), (1, 3)]


def crafted(path: Path) -> None:
    """Ranges of several shapes over cells of several looks (some missing, some filled),
    each case met more than once so that the remembered styles are used."""
    workbook = new_workbook()
    sheet = workbook.create_sheet("s")
    row = 1
    for _round in range(3):
        for number, (rows, cols) in enumerate(SHAPES):
            for first, last in [(0, 1), (2, 3), (4, None), (None, 0), (None, None)]:
                for offset in range(cols + 1):  # cells inside the range, one with a value
                    sheet.cell(row, 1 + offset, "x" if offset == 1 else None)
                if first is not None:
                    LOOKS[first].apply(sheet.cell(row, 1))
                if last is not None:
                    LOOKS[last].apply(sheet.cell(row + rows, 1 + cols))
                LOOKS[number].apply(sheet.cell(row, 8, "after"))
                cellstyle.merge(sheet, row, 1, row + rows, 1 + cols)
                row += rows + 2
    workbook.save(path)


def test_crafted_merges_and_looks_are_the_plain_calls(tmp_path, plain):
    crafted(tmp_path / "fast.xlsx")
    plain()
    crafted(tmp_path / "plain.xlsx")
    same_parts(tmp_path / "fast.xlsx", tmp_path / "plain.xlsx")
    with zipfile.ZipFile(io.BytesIO((tmp_path / "fast.xlsx").read_bytes())) as package:
        assert package.read("xl/worksheets/sheet1.xml").count(b"<mergeCell ") == 75
