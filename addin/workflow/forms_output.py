"""采集表: the 附件1/附件2 forms pre-filled from a summary, one workbook (and PDF) per branch.

One sheet per organisation or person, one A4 page each, laid out as in the seed
(:mod:`addin.write.forms`); an empty answer stays blank, an unreadable one is shown as
recorded. PDFs come from LibreOffice (:mod:`addin.workflow.libreoffice`), made from a print
version of each workbook: the same forms on one sheet with a page break after each, which
prints the same pages (compared pixel by pixel in the tests) and converts about four times
faster, since LibreOffice fits each sheet to its page separately and slowly.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.styles import Font
from openpyxl.workbook import Workbook
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from addin import __version__
from addin.model.celltext import for_cell, set_text
from addin.model.errors import WorkbookError
from addin.model.fields import CODED, DATE_FIELDS, ENUMERATIONS, MONTH_FIELDS
from addin.model.fields import get as get_field
from addin.model.safename import Namer, sheet_title
from addin.read.reader import Record, Table
from addin.rules.compare import FAR_FUTURE
from addin.values import cells as values
from addin.values import codes
from addin.workflow.common import BranchRecords, by_branch, check_target
from addin.workflow.libreoffice import Conversion, save_pdfs
from addin.write import outputs
from addin.write.cellstyle import Look
from addin.write.forms import (
    FONT,
    FORMS,
    NOTE,
    WRAP,
    Item,
    box_answer,
    form_sheet,
    write_frame,
    write_label,
    write_line,
)
from addin.write.layout import new_workbook
from addin.write.printing import fit_rows, print_setup

TICKED, UNTICKED = "☑", "☐"
ANSWER = Look(font=Font(name=FONT, size=11), alignment=WRAP, number_format="@")


def answer(kind: str, item: Item, raw: object) -> str:
    """The text printed in a form's answer cell for the recorded value ``raw``."""
    key = item.key or ""
    table_key = CODED[kind].get(key)
    if table_key in ENUMERATIONS:
        return _ticks(table_key, raw)
    if values.is_blank(raw):
        return item.blank
    if table_key:
        table = codes.table(table_key)
        entry = table.lookup(raw).entry
        if entry is None:
            return values.text(raw)
        # the form asks for the code of some (21 大学), the name of others (民族: 汉族)
        return table.display(entry) if get_field(kind, key).form_code else entry.name
    if key in DATE_FIELDS:
        day = values.parse_date(raw, today=FAR_FUTURE).value
        return f"{day.year}年{day.month:02d}月{day.day:02d}日" if day else values.text(raw)
    if key in MONTH_FIELDS:
        month = values.parse_month(raw, today=FAR_FUTURE).value
        return f"{month[0]}年{month[1]:02d}月" if month else values.text(raw)
    return values.text(raw)


def _ticks(table_key: str, raw: object) -> str:
    """The tick boxes of an enumeration with the recorded answer ticked.

    >>> print(_ticks("gender", "女"), _ticks("yes_no", None), _ticks("gender", "M"))
    ☐男　　☑女 ☐是　　☐否 ☐男　　☐女　（原填：M）
    """
    table = codes.table(table_key)
    chosen = table.lookup(raw).entry
    boxes = "　　".join(f"{TICKED if e == chosen else UNTICKED}{e.name}" for e in table.entries)
    if chosen is None and not values.is_blank(raw):
        boxes += f"　（原填：{values.text(raw)}）"
    return boxes


def add_filled_form(workbook: Workbook, kind: str, title: str, record: Record) -> Worksheet:
    """One 附件1 (``orgs``) or 附件2 (``members``) form filled with ``record``."""
    sheet = form_sheet(workbook, title)
    fill_form(sheet, 1, kind, record)
    print_setup(sheet, landscape=False)
    sheet.page_setup.fitToHeight = 1  # one form, one page
    _page(sheet)
    return sheet


def fill_form(sheet: Worksheet, top: int, kind: str, record: Record, *, fit: bool = True) -> int:
    """The form filled with ``record`` from row ``top``; its last row (the note).

    ``fit`` gives its rows the heights long answers need (LibreOffice does not grow rows
    itself); a caller stacking many forms on one sheet fits them all at once instead.
    """
    row = write_frame(sheet, top, kind, lambda s, r, item: _item(s, r, kind, item, record))
    write_line(sheet, row + 1, FORMS[kind][4], NOTE, height=32)
    if fit:
        fit_rows(sheet, top, row + 1)
    return row + 1


def _page(sheet: Worksheet) -> None:
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.sheet_view.showGridLines = False


def _item(sheet: Worksheet, row: int, kind: str, item: Item, record: Record) -> None:
    if not write_label(sheet, row, item):
        return
    cell = sheet.cell(row=row, column=2)
    set_text(cell, answer(kind, item, record.values.get(item.key)) or None)
    ANSWER.apply(cell)
    box_answer(sheet, row)


def forms_of(branch: BranchRecords) -> list[tuple[str, Record]]:
    """The branch's forms in order: (kind, record)."""
    return [("orgs", r) for r in branch.orgs] + [("members", r) for r in branch.members]


def branch_workbook(branch: BranchRecords) -> Workbook:
    workbook = new_workbook()
    titles: set[str] = set()
    for number, record in enumerate(branch.orgs, start=1):
        suffix = f" {number}" if len(branch.orgs) > 1 else ""
        add_filled_form(workbook, "orgs", sheet_title(f"附件1 党组织{suffix}", titles), record)
    for number, record in enumerate(branch.members, start=1):
        name = values.text(record.values.get("name")) or "未填姓名"
        add_filled_form(workbook, "members", sheet_title(f"{number:03d} {name}", titles), record)
    _properties(workbook, branch)
    return workbook


def print_workbook(branch: BranchRecords) -> Workbook | None:
    """The branch's forms on one sheet, a page break after each: what its PDF is made from.

    Fitted to the page's width only, each form prints on its own page as in
    :func:`branch_workbook` (whose sheets are each fitted to one page). None when a long
    answer made a form taller than its kind's usual height: that form might not fit its
    page at the width's scale, so the branch's own workbook is converted instead.
    """
    workbook = new_workbook()
    sheet = form_sheet(workbook, "采集表")
    spans, top = [], 1
    for kind, record in forms_of(branch):
        last = fill_form(sheet, top, kind, record, fit=False)
        spans.append((kind, top, last))
        top = last + 1
    # once for the sheet: fit_rows goes over all of the sheet's merged cells on every call
    fit_rows(sheet, 1, top - 1)
    if any(height(sheet, first, last) > usual_height(kind) for kind, first, last in spans):
        return None
    for _kind, _first, last in spans:
        sheet.row_breaks.append(Break(id=last))
    print_setup(sheet, landscape=False)
    _page(sheet)
    _properties(workbook, branch)
    return workbook


def height(sheet: Worksheet, first: int, last: int) -> float:
    """Rows ``first``..``last`` in points (a row without a height: the sheet's default)."""
    default = sheet.sheet_format.defaultRowHeight
    return sum(sheet.row_dimensions[row].height or default for row in range(first, last + 1))


@functools.cache
def usual_height(kind: str) -> float:
    """A form's height when every answer fits its box: blank, as such a form prints."""
    sheet = form_sheet(new_workbook(), "采集表")
    return height(sheet, 1, fill_form(sheet, 1, kind, Record(1, (), {})))


def _properties(workbook: Workbook, branch: BranchRecords) -> None:
    workbook.properties.creator = f"dyxx {__version__}"
    workbook.properties.title = for_cell(f"{branch.name} 信息采集表")


def workbook_paths(branches: list[BranchRecords], directory: Path) -> list[Path]:
    """One absolute file name per branch, safe and unique (:mod:`addin.model.safename`)."""
    folder, namer = directory.resolve(), Namer()
    return [folder / f"{namer(branch.name)}.xlsx" for branch in branches]


@dataclass
class Written:
    """What ``dyxx forms`` wrote: each branch's workbook, the PDFs, why PDFs failed."""

    workbooks: list[tuple[BranchRecords, Path]]
    pdfs: list[Path] = field(default_factory=list)
    pdf_problem: str | None = None


Progress = Callable[[str, int, int], None]  # (step: "forms" | "pdf", done, total)


def write_forms(
    tables: list[Table],
    source: Path,
    directory: Path,
    secret: str | None,
    *,
    program: str | None = None,
    progress: Progress | None = None,
) -> Written:
    """One workbook per branch into ``directory`` (all or none), and with ``program``
    (LibreOffice) the PDF beside each.

    Every target is claimed before anything is written, so a refused name leaves no
    partial output. LibreOffice converts the print versions (:func:`print_workbook`)
    while the workbooks are written; a failed conversion keeps the workbooks and is
    told in :attr:`Written.pdf_problem`.
    """
    if directory.exists() and not directory.is_dir():
        raise WorkbookError(directory, "-o 应为一个文件夹：每个党支部各写一个工作簿")
    branches = by_branch(tables, units_joined=True)
    paths = workbook_paths(branches, directory)
    for path in paths:
        check_target(path, [source])
    pdfs = [pdf_path(path) for path in paths] if program else []
    outputs.claim([*paths, *pdfs], secret)
    tell = progress or (lambda _step, _done, _total: None)
    with Conversion(program) if program else contextlib.nullcontext() as job:
        problem = None
        if job:
            try:
                _start_pdfs(job, branches, paths)
            except RuntimeError as exc:  # LibreOffice cannot start: the workbooks still can
                job, problem = None, str(exc)
        _save_workbooks(branches, paths, secret, tell)
        written = Written(list(zip(branches, paths, strict=True)), pdf_problem=problem)
        if job:
            try:
                made = job.wait(lambda done: tell("pdf", done, len(paths)))
            except RuntimeError as exc:
                written.pdf_problem = str(exc)
            else:
                save_pdfs(made, pdfs)
                written.pdfs = pdfs
    return written


def _start_pdfs(job: Conversion, branches: list[BranchRecords], paths: list[Path]) -> None:
    """Write the print versions under the workbooks' names (so the PDFs get them), each
    process started as soon as its share is written."""
    printed = {}
    for branch, path in zip(branches, paths, strict=True):
        book = (job.folder / path.name).resolve()
        job.add(book, weight=len(forms_of(branch)))
        printed[book] = branch
    for share in job.shares():
        for book in share:
            branch = printed[book]
            printable = print_workbook(branch) or branch_workbook(branch)
            printable.save(book)  # private, removed with the job's folder
        job.launch(share)


def _save_workbooks(
    branches: list[BranchRecords], paths: list[Path], secret: str | None, tell: Progress
) -> None:
    total = sum(len(forms_of(branch)) for branch in branches)
    done = 0
    with outputs.batch(secret) as files:
        for branch, path in zip(branches, paths, strict=True):
            files.save(branch_workbook(branch), path)
            done += len(forms_of(branch))
            tell("forms", done, total)


def pdf_path(workbook: Path) -> Path:
    return workbook.with_suffix(".pdf")
