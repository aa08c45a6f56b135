"""导入准备: a copy with everything dyxx added taken out, the officer's values kept.

What is removed:

- the marks of ``dyxx check -o`` (fills, notes) and its 校验结果/校验记录 sheets.
  A copy nobody saved since the check is restored byte for byte from the stamp's
  record (:mod:`addin.workflow.unmark`); one saved since (in Excel, WPS,
  LibreOffice) gets each recorded cell's fill back and loses our notes
  (:func:`addin.workflow.stamp.unmark_workbook`);
- what ``dyxx prepare`` (or the template) put in: the hidden code sheet, the
  dropdowns and input messages, the live checks (conditional formats), and the
  text/date formats it gave to empty cells of the tables;
- the 统计核对, 数据质量, 问题清单 and 数据来源 sheets of ``dyxx merge``.

Everything else stays as it is: the officer's values and the official structure.
"""

from __future__ import annotations

import io
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.styles import PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineWorkbook

from addin import source as sources
from addin.annotate import RESULT_SHEET, STAMP_SHEET
from addin.dataentry import CODE_MARKER, DATA_ROWS, DATE_FIELDS, DATE_FORMAT, TEXT_FORMAT_FIELDS
from addin.dataentry import validation as prepared_validation
from addin.errors import WorkbookError
from addin.excel_marks import APPENDED_NOTE, is_state, parse_state
from addin.livechecks import conditional_formats
from addin.outputs import refuse_overwrite, write_atomically
from addin.reader import Table, find_tables
from addin.workflow.stamp import Stamp, read_stamp, unmark_workbook
from addin.workflow.summary import SUMMARY_SHEETS
from addin.workflow.unmark import Inexact, unmark_package

VALIDATION_SIGNATURE = ("type", "promptTitle", "prompt", "errorTitle", "error", "errorStyle")


@dataclass
class Cleaned:
    sheets: list[str] = field(default_factory=list)  # sheets removed
    exact: bool = False  # the marks were undone byte for byte
    marks: int = 0  # marked cells restored
    notes: int = 0  # our notes removed
    skipped: list[str] = field(default_factory=list)  # marked cells that could not be restored
    validations: int = 0
    conditional_formats: int = 0
    number_formats: int = 0

    @property
    def anything(self) -> bool:
        return bool(
            self.sheets or self.marks or self.validations or self.conditional_formats
        ) or bool(self.number_formats)


class _Defaults(dict):
    """Any options range: the signature of a validation does not depend on it."""

    def __missing__(self, key: str) -> str:
        return ""


def clean(
    source: Path, target: Path, password: str | None = None, secret: str | None = None
) -> Cleaned:
    """Write ``target``: ``source`` without what dyxx added (raises :class:`WorkbookError`)."""
    try:
        refuse_overwrite(source, target)
    except WorkbookError:
        raise WorkbookError(target, "输出文件不能与原文件相同，请另选文件名") from None
    macro = target.suffix.lower() == ".xlsm"
    if target.suffix.lower() not in (".xlsx", ".xlsm"):
        raise WorkbookError(target, "输出文件应为 .xlsx（或带宏的 .xlsm）工作簿")
    loaded = sources.load(source, password)
    if loaded.kind == "xls":
        raise WorkbookError(source, "旧版 .xls 文件不是 dyxx 生成的，无需清理")
    done = Cleaned()
    stamp = read_stamp(loaded)
    data = loaded.data
    if stamp is not None and stamp.writer == "xml":
        try:
            data = unmark_package(data, stamp)
        except Inexact:  # saved since the check: restore the cells' look instead
            pass
        else:
            done.exact = True
            done.marks = done.notes = len(stamp.cells)
            done.sheets += [RESULT_SHEET, STAMP_SHEET]
    remaining = None if done.exact else stamp
    sheets = _sheet_rows(loaded.path, data)
    if remaining is not None or _own_sheets(sheets):
        data = _rewrite(loaded.path, data, sheets, remaining, done, macro)
    write_atomically(target, data, secret)
    return done


def _sheet_rows(path: Path, data: bytes) -> dict[str, list[list[object]]]:
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return {
            name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in book.sheet_names
        }
    except Exception:  # calamine raises several unrelated types
        raise WorkbookError(path, "无法读取，文件可能已损坏") from None


def _own_sheets(sheets: dict[str, list[list[object]]]) -> list[str]:
    """The code sheet, the Excel add-in's state sheet and the summary's report sheets,
    recognised by their first cell."""
    found = []
    for name, rows in sheets.items():
        first = rows[0][0] if rows and rows[0] else None
        if first == CODE_MARKER or is_state(rows):
            found.append(name)
        elif name in SUMMARY_SHEETS and isinstance(first, str) and first.startswith(f"{name}："):
            found.append(name)
    return found


def _rewrite(
    path: Path,
    data: bytes,
    sheets: dict[str, list[list[object]]],
    stamp: Stamp | None,
    done: Cleaned,
    macro: bool,
) -> bytes:
    """The openpyxl part: marks by their look, own sheets, and dyxx prepare's input aids."""
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Data Validation extension", UserWarning)
            workbook = load_workbook(io.BytesIO(data), keep_vba=macro, rich_text=True)
    except Exception:
        raise WorkbookError(path, "无法打开以清理，文件可能已损坏") from None
    if stamp is not None:
        unmarked = unmark_workbook(workbook, stamp, path)
        done.marks, done.notes, done.skipped = unmarked.restored, unmarked.notes, unmarked.skipped
    for name in (RESULT_SHEET, STAMP_SHEET):
        if stamp is not None and name in workbook.sheetnames:
            del workbook[name]
            done.sheets.append(name)
    own = _own_sheets(sheets)
    code_sheet = next((n for n in own if sheets[n] and sheets[n][0][0] == CODE_MARKER), None)
    if code_sheet is not None:
        tables = [t for n, rows in sheets.items() for t in find_tables(rows, file="", sheet=n)]
        for table in tables:
            if table.sheet in workbook.sheetnames and table.sheet not in own:
                _remove_input_aids(workbook[table.sheet], table, code_sheet, done)
        for sheet in workbook.worksheets:  # any other list from the code sheet would break
            _remove_lists_from(sheet, code_sheet, done)
    _undo_excel_marks(workbook, sheets, done)
    for name in own:
        del workbook[name]
        done.sheets.append(name)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _undo_excel_marks(workbook, sheets: dict[str, list[list[object]]], done: Cleaned) -> None:
    """Undo the marks of the Excel add-in's 校验 button, as remembered in its state sheet.

    A fill is restored only where the cell still shows the mark's colour, a note only
    where it is still exactly the note the add-in wrote (as the add-in itself does).
    """
    state = next((parse_state(rows) for rows in sheets.values() if is_state(rows)), None)
    for mark in state.marks.values() if state else ():
        if mark.sheet not in workbook.sheetnames:
            continue
        cell = workbook[mark.sheet][mark.cell]
        if _rgb(cell) == mark.colour:
            cell.fill = _solid(mark.original) if mark.original else PatternFill()
            done.marks += 1
        if cell.comment is not None and cell.comment.text == mark.shown_note:
            cell.comment = Comment(mark.original_note, "") if mark.note == APPENDED_NOTE else None
            done.notes += 1


def _rgb(cell) -> str | None:
    colour = cell.fill.fgColor.rgb if cell.fill is not None and cell.fill.fill_type else None
    return f"#{colour[-6:].upper()}" if isinstance(colour, str) else None


def _solid(colour: str) -> PatternFill:
    return PatternFill(fill_type="solid", fgColor="FF" + colour.lstrip("#"))


def _signature(check: DataValidation) -> tuple[object, ...]:
    return tuple(getattr(check, name) for name in VALIDATION_SIGNATURE)


def _remove_input_aids(sheet: Worksheet, table: Table, code_sheet: str, done: Cleaned) -> None:
    ours = {
        _signature(made)
        for key in table.columns
        if (made := prepared_validation(table.kind, key, _Defaults())) is not None
    }
    kept = []
    for check in sheet.data_validations.dataValidation:
        listed = check.type != "list" or code_sheet in (check.formula1 or "")
        if _signature(check) in ours and listed:
            done.validations += 1
        else:
            kept.append(check)
    sheet.data_validations.dataValidation = kept
    last = _remove_live_checks(sheet, table, done)
    _reset_formats(sheet, table, max(last, table.data_row + DATA_ROWS - 1), done)


def _remove_lists_from(sheet: Worksheet, code_sheet: str, done: Cleaned) -> None:
    quoted = "'" + code_sheet.replace("'", "''") + "'!"
    kept = []
    for check in sheet.data_validations.dataValidation:
        formula = check.formula1 or ""
        if formula.startswith((quoted, code_sheet + "!")):
            done.validations += 1
        else:
            kept.append(check)
    sheet.data_validations.dataValidation = kept


def _remove_live_checks(sheet: Worksheet, table: Table, done: Cleaned) -> int:
    """Drop the live checks of this table; return the last row they covered."""
    kept = ConditionalFormattingList()
    last = 0
    formulas: dict[int, set[str]] = defaultdict(set)
    for formatting in sheet.conditional_formatting:
        bottom = max(r.max_row for r in formatting.sqref.ranges)
        if bottom not in formulas:
            placed = conditional_formats(table.kind, table.columns, table.data_row, bottom)
            formulas[bottom] = {p.formula for p in placed}
        for rule in formatting.rules:
            if rule.type == "expression" and rule.formula and rule.formula[0] in formulas[bottom]:
                done.conditional_formats += 1
                last = max(last, bottom)
            else:
                kept.add(str(formatting.sqref), rule)
    sheet.conditional_formatting = kept
    return last


def _reset_formats(sheet: Worksheet, table: Table, last: int, done: Cleaned) -> None:
    """Empty cells dyxx prepare formatted as text or date get the general format back."""
    for key, column in table.columns.items():
        wanted = "@" if key in TEXT_FORMAT_FIELDS else DATE_FORMAT if key in DATE_FIELDS else None
        if wanted is None:
            continue
        for row in range(table.data_row, last + 1):
            cell = sheet._cells.get((row, column))
            if cell is None or cell.value is not None or cell.number_format != wanted:
                continue
            cell.number_format = "General"
            done.number_formats += 1
            if not cell.has_style and cell.hyperlink is None and cell.comment is None:
                del sheet._cells[(row, column)]
