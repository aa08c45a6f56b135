"""How dyxx's sheets print: the one owner of row heights for wrapped text and of page setup.

Office suites grow a row to fit wrapped text only when they lay the sheet out themselves
(LibreOffice does not for a file it opens), so every writer gives each row holding wrapped
text an explicit height, computed here from the text and the column widths: a CJK character
is about two characters of a column's width (:func:`text_width`). Used by the openpyxl
writers (:func:`fit_rows`, :func:`print_setup`, through duck typing: this module loads no
openpyxl) and by the XML writer of the marked copy (:func:`height`, :func:`page_setup_xml`).
"""

from __future__ import annotations

from collections.abc import Iterable
from math import ceil

from addin.model.a1 import column_letter

LINE_HEIGHT = 15.0  # points per line of 11-point text (Excel's default row height)
PADDING = 3.0  # points above and below the lines
DEFAULT_HEIGHT = 15.0
MARGIN = 1.0  # characters of a column's width not available to text (cell padding)


def text_width(text: str) -> int:
    """The width of a text in characters of a column's width: 2 for a CJK (wide) character,
    1 otherwise (taken from its UTF-8 length, so no loop over characters).

    >>> text_width("abc"), text_width("党员"), text_width("性别：男")
    (3, 4, 8)
    """
    if text.isascii():
        return len(text)
    return (len(text) + len(text.encode("utf-8"))) // 2


def lines(text: object, width: float, size: float = 11) -> int:
    """How many lines a wrapped ``text`` in ``size``-point type takes in a column ``width``
    characters wide.

    >>> lines("", 10), lines("a" * 9, 10), lines("a" * 10, 10), lines("党" * 10, 10)
    (1, 1, 2, 3)
    >>> lines("一\\n二", 10), lines("党" * 10, 10, size=8)
    (2, 2)
    """
    if text is None or text == "":
        return 1
    usable = max(1.0, width - MARGIN) * 11 / size
    return sum(max(1, ceil(text_width(part) / usable)) for part in str(text).split("\n"))


def points(count: int, size: float = 11) -> float:
    """The height of ``count`` lines of ``size``-point text, padding included."""
    return round(count * LINE_HEIGHT * size / 11 + PADDING, 1)


def height(texts: Iterable[tuple[object, float]], size: float = 11) -> float | None:
    """The height (points) of a row whose wrapped cells hold these (text, column width);
    None when one line of the default size fits (the default height does)."""
    needed = max((lines(text, width, size) for text, width in texts), default=1)
    if needed <= 1 and size <= 11:
        return None
    return points(needed, size)


def fit_rows(sheet, first: int, last: int) -> None:
    """Give each row ``first``..``last`` of an openpyxl sheet the height its wrapped text
    needs (never less than it has). A cell merged across columns of one row is measured
    at the merged width; one merged down several rows is left to its rows' heights."""
    spans = {}  # (row, column) -> width of a one-row merge starting there; 0: not measured
    for merged in sheet.merged_cells.ranges:
        if merged.min_row == merged.max_row and first <= merged.min_row <= last:
            columns = range(merged.min_col, merged.max_col + 1)
            spans[(merged.min_row, merged.min_col)] = sum(
                column_width(sheet, column_letter(c)) for c in columns
            )
        elif merged.min_row != merged.max_row:
            for row in range(merged.min_row, merged.max_row + 1):
                spans[(row, merged.min_col)] = 0.0
    widths: dict[int, float] = {}
    for row, cells in enumerate(sheet.iter_rows(min_row=first, max_row=last), start=first):
        needed = DEFAULT_HEIGHT  # (sheet[row] would measure the sheet's width on every row)
        for cell in cells:
            value = cell.value
            if not isinstance(value, str) or value == "":
                continue  # numbers and dates do not wrap
            width = spans.get((row, cell.column))
            if width == 0.0:
                continue
            if width is None:
                width = widths.get(cell.column)
                if width is None:
                    width = widths[cell.column] = column_width(sheet, cell.column_letter)
            size = cell.font.sz or 11 if cell.has_style else 11
            if size <= 11 and len(value) * 2 < width - MARGIN and "\n" not in value:
                continue  # one line, whatever the characters (the slow look-ups skipped)
            if not cell.alignment.wrap_text:
                continue
            count = lines(value, width, size)
            if count > 1 or size > 11:
                needed = max(needed, points(count, size))
        current = sheet.row_dimensions[row].height
        if needed > DEFAULT_HEIGHT and (current is None or current < needed):
            sheet.row_dimensions[row].height = needed


def fit_values(
    sheet, first: int, rows: Iterable[Iterable[object]], widths: Iterable[float]
) -> None:
    """:func:`fit_rows` for rows of values just written from row ``first`` in 11-point type,
    every cell wrapping: measured from the values, without openpyxl's cell look-ups."""
    widths = tuple(widths)
    counted: dict[tuple[str, float], int] = {}  # texts repeat down a column
    for number, row in enumerate(rows, start=first):
        most = 1
        for value, width in zip(row, widths, strict=False):
            if value.__class__ is not str or (
                len(value) * 2 < width - MARGIN and "\n" not in value
            ):
                continue  # surely one line
            count = counted.get((value, width))
            if count is None:
                count = counted[(value, width)] = lines(value, width)
            most = max(most, count)
        if most > 1:  # (a row's dimensions are made when first looked at: slow)
            dimension = sheet.row_dimensions[number]
            if dimension.height is None or dimension.height < points(most):
                dimension.height = points(most)


def column_width(sheet, letter: str) -> float:
    """A column's width in characters (openpyxl's default when none was set)."""
    dimension = sheet.column_dimensions.get(letter)
    return dimension.width if dimension is not None and dimension.width else 8.43


# ---- page setup ----------------------------------------------------------------------------------


def print_setup(
    sheet,
    *,
    landscape: bool,
    title_rows: str | None = None,
    margin: float = 0.4,
) -> None:
    """A4, one page wide (as many pages tall as needed), the header rows on every page."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = margin
    if title_rows:
        sheet.print_title_rows = title_rows


def page_setup_xml(landscape: bool) -> tuple[str, str]:
    """The worksheet XML of :func:`print_setup` for the XML writers: the <sheetPr> that goes
    first in <worksheet>, and the elements that follow <sheetData> (and <hyperlinks>)."""
    orientation = "landscape" if landscape else "portrait"
    return (
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>',
        '<printOptions horizontalCentered="1"/>'
        '<pageMargins left="0.4" right="0.4" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        f'<pageSetup paperSize="9" orientation="{orientation}" fitToWidth="1" fitToHeight="0"/>',
    )
