"""Input aids for the 附件3/附件4 tables: code sheet, dropdowns, formats, live checks.

:func:`equip` puts them on a table of the generated template (openpyxl);
``dyxx prepare`` puts the same ones (:func:`validation`, :func:`~addin.write.entry.number_format`,
:data:`MARK`) into an officer's own workbook by editing its XML
(:mod:`addin.workflow.prepare`), without stacking anything twice:

* a hidden, protected code sheet (:data:`CODE_SHEET`) holding every code
  table from ``codes/``; each coded or enumerated column gets a dropdown list
  from its options range (a range, never a literal list, so Excel's
  255-character limit on literal lists does not apply);
* enumerations (性别, 人员类别, 党籍状态, 是/否, 党组织所在单位情况) stop
  anything else; coded columns warn but let the bare code (``21``) through,
  which the engine accepts as well;
* every column states its format in an input message; ID, phone and code
  columns are text (no 4.30523E+17, no lost leading zeros), date columns are
  dates and accept only dates from 1900 to today;
* the live checks of :mod:`addin.write.livechecks` as conditional formats.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from openpyxl.formatting.rule import Rule
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.workbook import Workbook
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from addin.model.fields import ENUMERATIONS, FIELDS, field_label
from addin.model.fields import get as get_field
from addin.model.findings import column_letter
from addin.read.ownsheets import CODE_MARKER
from addin.values import codes
from addin.write.entry import (
    CODE_FIRST_ROW,
    CODE_HEADS,
    CODE_SHEET,
    TEXT_FORMAT,
    number_format,
    options,
)
from addin.write.livechecks import conditional_formats
from addin.write.printing import print_setup

CODE_WIDTHS = (8, 16, 22)  # of the three columns of each code table
MARK = DifferentialStyle(
    font=Font(color="9C0006"),
    fill=PatternFill(fill_type="solid", start_color="FFC7CE", end_color="FFC7CE", bgColor="FFC7CE"),
)


@dataclass
class Equipped:
    """What :func:`equip` did to one table."""

    sheet: str
    kind: str
    first: int
    last: int
    dropdowns: list[str] = field(default_factory=list)  # labels of columns given a dropdown
    kept: list[str] = field(default_factory=list)  # labels of columns whose own list stays
    checks: int = 0  # live checks added
    checks_present: int = 0  # live checks that were there already


def write_code_sheet(workbook: Workbook) -> dict[str, str]:
    """Create (or refresh) the code sheet; return each table's options range formula."""
    sheet = _code_sheet(workbook)
    sheet.protection.sheet = True
    sheet.sheet_state = "hidden"
    sheet["A1"] = CODE_MARKER
    sheet["A1"].font = Font(bold=True)
    ranges: dict[str, str] = {}
    for index, key in enumerate(codes.KEYS):
        col = 3 * index + 1
        table = codes.table(key)
        sheet.cell(row=2, column=col, value=f"{table.reference}（{table.source}）")
        for offset, head in enumerate(CODE_HEADS):
            sheet.cell(row=3, column=col + offset, value=head).font = Font(bold=True)
        for row, entry in enumerate(table.entries, start=CODE_FIRST_ROW):
            sheet.cell(row=row, column=col, value=entry.code).number_format = TEXT_FORMAT
            sheet.cell(row=row, column=col + 1, value=entry.name)
        listed = options(key)
        for row, value in enumerate(listed, start=CODE_FIRST_ROW):
            sheet.cell(row=row, column=col + 2, value=value)
        letter = column_letter(col + 2)
        last = CODE_FIRST_ROW + len(listed) - 1
        ranges[key] = f"{_quoted(sheet.title)}!${letter}${CODE_FIRST_ROW}:${letter}${last}"
        for offset, width in enumerate(CODE_WIDTHS):
            sheet.column_dimensions[column_letter(col + offset)].width = width
    print_setup(sheet, landscape=True)
    return ranges


def _code_sheet(workbook: Workbook) -> Worksheet:
    """Our code sheet (found by its marker, then emptied) or a new one with a free name."""
    for sheet in workbook.worksheets:
        if _first_value(sheet) == CODE_MARKER:
            sheet.delete_rows(1, sheet.max_row)
            return sheet
    name, number = CODE_SHEET, 1
    while name in workbook.sheetnames:
        number += 1
        name = f"{CODE_SHEET}{number}"
    return workbook.create_sheet(name)


def _first_value(sheet: Worksheet) -> object:
    """A1's value; openpyxl creates a cell it is asked for, so one it made is taken away
    again (an empty A1 would add a row to the sheet)."""
    cell = sheet["A1"]
    if cell.value is None and not cell.has_style and cell.comment is None and not cell.hyperlink:
        del sheet["A1"]
    return cell.value


def _quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def validation(kind: str, key: str, ranges: Mapping[str, str]) -> DataValidation | None:
    """The validation of one column (None for columns without one, like 序号)."""
    if key == "seq":
        return None
    item = get_field(kind, key)
    label = item.label
    if item.codes:
        return _list_validation(label, item.codes, ranges[item.codes])
    if item.date == "day":
        return DataValidation(
            type="date",
            operator="between",
            formula1="DATE(1900,1,1)",
            formula2="TODAY()",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop",
            errorTitle=f"{label}不是日期",
            error="请输入日期，如 1968-03-12（1900年以后、不晚于今天）。"
            "1968.03.12 这样的写法不是日期，请改用短横线或斜线分隔。",
            showInputMessage=True,
            promptTitle=label,
            prompt=item.prompt,
            imeMode="off",
        )
    return DataValidation(
        allow_blank=True,
        showInputMessage=True,
        promptTitle=label,
        prompt=item.prompt,
        imeMode="off" if item.text else None,  # typed in digits and Latin letters
    )


class _AnyRange(dict):
    """Options ranges for :func:`texts`: a validation's texts do not depend on them."""

    def __missing__(self, key: str) -> str:
        return ""


@cache
def texts() -> frozenset[str]:
    """The input and error messages of every validation dyxx writes (tables and forms):
    how ``dyxx clean`` knows them again after an office suite has saved the file."""
    found = set()
    for kind, fields in FIELDS.items():
        for item in fields:
            made = validation(kind, item.key, _AnyRange())
            if made is not None:
                found |= {made.prompt, made.error} - {None}
            found.update(item.earlier_prompts)  # a workbook prepared by an earlier version
    return frozenset(found)


def _list_validation(label: str, table_key: str, source: str) -> DataValidation:
    table = codes.table(table_key)
    listed = options(table_key)
    if table_key in ENUMERATIONS:
        choices = "、".join(listed)
        return DataValidation(
            type="list",
            formula1=source,
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop",
            errorTitle=f"{label}只能从下拉列表中选择",
            error=f"{label}只能填写：{choices}",
            showInputMessage=True,
            promptTitle=label,
            prompt=f"从下拉列表中选择：{choices}",
        )
    example = listed[0]
    code = example.split(" ", 1)[0]
    return DataValidation(
        type="list",
        formula1=source,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",
        errorTitle=f"{label}不在下拉列表中",
        error=f"请从下拉列表中选择，或填写{table.reference}中的代码（如“{code}”）。"
        "只填了代码的，点“是”保留。",
        showInputMessage=True,
        promptTitle=label,
        prompt=f"从下拉列表中选择，如“{example}”；也可只填{table.reference}中的代码，如“{code}”",
    )


def equip(
    sheet: Worksheet,
    kind: str,
    columns: Mapping[str, int],
    first: int,
    last: int,
    ranges: Mapping[str, str],
    *,
    column_styles: bool = False,
) -> Equipped:
    """Add dropdowns, input messages, formats and live checks to one table.

    ``column_styles`` (templates) sets formats and unlocked protection on whole
    columns; otherwise only the empty cells of rows ``first``..``last`` get a
    format, and everything already in the sheet is left as it is.
    """
    done = Equipped(sheet.title, kind, first, last)
    for key, col in sorted(columns.items(), key=lambda item: item[1]):
        _add_validation(sheet, kind, key, col, first, last, ranges, done)
        fmt = number_format(key)
        if column_styles:
            dimension = sheet.column_dimensions[column_letter(col)]
            dimension.protection = Protection(locked=False)
            dimension.alignment = Alignment(vertical="center")
            if fmt:
                dimension.number_format = fmt
        elif fmt:
            _format_empty_cells(sheet, col, first, last, fmt)
    _add_live_checks(sheet, kind, columns, first, last, done)
    return done


def _format_empty_cells(sheet: Worksheet, col: int, first: int, last: int, fmt: str) -> None:
    """Format the empty cells, unless the whole column already has that format."""
    column = sheet.column_dimensions.get(column_letter(col))
    if column is not None and column.number_format == fmt:
        return
    for row in range(first, last + 1):
        cell = sheet.cell(row=row, column=col)
        if cell.value is None and cell.number_format == "General":
            cell.number_format = fmt


def _add_validation(
    sheet: Worksheet,
    kind: str,
    key: str,
    col: int,
    first: int,
    last: int,
    ranges: Mapping[str, str],
    done: Equipped,
) -> None:
    new = validation(kind, key, ranges)
    if new is None:
        return
    free = _free_rows(sheet, col, first, last)
    if not free:
        done.kept.append(field_label(kind, key))
        return
    letter = column_letter(col)
    for low, high in free:
        new.add(f"{letter}{low}:{letter}{high}")
    sheet.add_data_validation(new)
    if new.type == "list":
        done.dropdowns.append(field_label(kind, key))
        if len(free) > 1 or free[0] != (first, last):
            done.kept.append(field_label(kind, key))


def _free_rows(sheet: Worksheet, col: int, first: int, last: int) -> list[tuple[int, int]]:
    """Row spans of ``first``..``last`` in column ``col`` that no validation covers yet."""
    taken: list[tuple[int, int]] = []
    for existing in sheet.data_validations.dataValidation:
        for cells in existing.sqref.ranges:
            if cells.min_col <= col <= cells.max_col:
                taken.append((cells.min_row, cells.max_row))
    return free_spans(first, last, taken)


def _add_live_checks(
    sheet: Worksheet,
    kind: str,
    columns: Mapping[str, int],
    first: int,
    last: int,
    done: Equipped,
) -> None:
    present = {
        (str(cf.sqref), formula)
        for cf in sheet.conditional_formatting
        for rule in cf.rules
        for formula in rule.formula or ()
    }
    for placed in conditional_formats(kind, columns, first, last):
        if (str(CellRange(placed.range)), placed.formula) in present:
            done.checks_present += 1
            continue
        rule = Rule(type="expression", dxf=MARK, formula=[placed.formula])
        sheet.conditional_formatting.add(placed.range, rule)
        done.checks += 1


def free_spans(first: int, last: int, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The runs of rows ``first``..``last`` that no ``taken`` (low, high) span covers.

    >>> free_spans(6, 20, [(8, 9), (12, 30)])
    [(6, 7), (10, 11)]
    """
    free: list[tuple[int, int]] = []
    start = first
    for low, high in sorted(taken):
        if high < start or low > last:
            continue
        if low > start:
            free.append((start, low - 1))
        start = max(start, high + 1)
    if start <= last:
        free.append((start, last))
    return free
