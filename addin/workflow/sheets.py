"""Writing the report sheets of the workflow outputs (openpyxl), printable on A4.

A report sheet is a title line, optional note lines, a bold boxed header and
boxed rows; the official 附件3/附件4 sheets come from :mod:`addin.write.layout`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from addin.model.a1 import column_letter
from addin.model.celltext import set_text
from addin.write import cellstyle
from addin.write.cellstyle import Look
from addin.write.layout import DATA_ROW, HEADER_ROW, add_table
from addin.write.printing import fit_rows, fit_values, print_setup

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(vertical="center", wrap_text=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(bold=True)
HEAD = Look(font=BOLD, alignment=CENTER, border=BOX, fill=HEAD_FILL)
BODY = Look(border=BOX, alignment=WRAP)
LINK = Look(font=Font(color="0563C1", underline="single"))
BOLDED = Look(font=BOLD)
LINES = Look(alignment=Alignment(vertical="center", wrap_text=True))
OFFICIAL_TITLES = {"orgs": "附件3 党组织汇总表", "members": "附件4 党员汇总表"}


@dataclass
class Written:
    """Where a report table landed: its header row and first/last data rows."""

    sheet: Worksheet
    header_row: int
    first: int
    last: int  # == first - 1 when there are no rows


def report_sheet(
    workbook: Workbook,
    title: str,
    heading: str,
    notes: Sequence[str],
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    *,
    landscape: bool = True,
) -> Written:
    """A new sheet: heading, notes, then a boxed table of ``rows`` under ``header``.

    Every text is written as text (:func:`addin.model.celltext.set_text`), never a formula.
    """
    sheet = workbook.create_sheet(title)
    set_text(sheet["A1"], heading)
    sheet["A1"].font = Font(size=14, bold=True)
    for offset, note in enumerate(notes, start=2):
        set_text(sheet.cell(row=offset, column=1), note)
    for row in range(1, len(notes) + 2):  # the heading and notes wrap across the table
        LINES.apply(sheet.cell(row=row, column=1))
        if len(header) > 1:
            cellstyle.merge(sheet, row, 1, row, len(header))
    header_row = len(notes) + 3
    written = table_at(sheet, header_row, header, rows)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[column_letter(index)].width = width
    sheet.freeze_panes = f"A{header_row + 1}"
    fit_rows(sheet, 1, header_row)  # LibreOffice does not grow rows itself
    fit_values(sheet, written.first, rows, widths)
    print_setup(sheet, landscape=landscape, title_rows=f"{header_row}:{header_row}")
    return written


def table_at(
    sheet: Worksheet, header_row: int, header: Sequence[str], rows: Sequence[Sequence[object]]
) -> Written:
    for col, text in enumerate(header, start=1):
        cell = sheet.cell(row=header_row, column=col)
        set_text(cell, text)
        HEAD.apply(cell)
    for number, row in enumerate(rows, start=header_row + 1):
        for col, value in enumerate(row, start=1):
            cell = sheet.cell(row=number, column=col)
            set_text(cell, value)
            BODY.apply(cell)
    return Written(sheet, header_row, header_row + 1, header_row + len(rows))


def official_sheet(
    workbook: Workbook,
    kind: str,
    rows: Sequence[Mapping[str, object]],
    *,
    committee: str = "",
    summary_date: str = "",
    title: str | None = None,
) -> Worksheet:
    """An official 附件3/附件4 sheet (:func:`addin.write.layout.add_table`), set up for printing."""
    sheet = add_table(
        workbook,
        kind,
        rows,
        title=title or OFFICIAL_TITLES[kind],
        committee=committee,
        summary_date=summary_date,
    )
    sheet.freeze_panes = f"C{DATA_ROW}"
    print_setup(sheet, landscape=True, title_rows=f"{HEADER_ROW}:{HEADER_ROW + 1}")
    return sheet


def link(cell, sheet: str, ref: str) -> None:
    """Make ``cell`` a link to ``sheet!ref`` inside the workbook."""
    target = "'" + sheet.replace("'", "''") + "'!" + ref
    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=target, display=target)
    LINK.apply(cell)


def bold_row(sheet: Worksheet, row: int, width: int) -> None:
    for col in range(1, width + 1):
        BOLDED.apply(sheet.cell(row=row, column=col))
