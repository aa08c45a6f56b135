"""``dyxx prepare``: the template's input aids put into a workbook the officer already has.

The tables are found by their headers, exactly as ``dyxx check`` finds them,
so title rows, header wording and line breaks, styling and extra sheets may be
whatever the official download has. Everything already in the workbook stays:
values, styles, merges, other sheets and its own dropdowns; a column that
already has a validation keeps it and only its uncovered rows get ours. Run
twice, the second run adds nothing.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path

from defusedxml import ElementTree
from openpyxl import load_workbook
from openpyxl.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from addin import source as sources
from addin.dataentry import DATA_ROWS, Equipped, equip, write_code_sheet
from addin.errors import WorkbookError
from addin.outputs import refuse_overwrite, save_atomically
from addin.reader import Table, read_workbook

X14 = "{http://schemas.microsoft.com/office/spreadsheetml/2009/9/main}"
XM = "{http://schemas.microsoft.com/office/excel/2006/main}"
VALIDATION_ATTRIBUTES = (
    "type",
    "operator",
    "errorStyle",
    "errorTitle",
    "error",
    "promptTitle",
    "prompt",
)
VALIDATION_FLAGS = ("allowBlank", "showInputMessage", "showErrorMessage", "showDropDown")


def prepare(source: str | Path, target: str | Path, password: str | None = None) -> list[Equipped]:
    """Write ``target``: ``source`` with dropdowns, formats and live checks on its tables.

    Raises :class:`WorkbookError` for a file that cannot be read, has no 附件3/附件4
    table, or would be overwritten.
    """
    source, target = Path(source), Path(target)
    try:
        refuse_overwrite(source, target)
    except WorkbookError:
        raise WorkbookError(target, "输出文件不能与原文件相同，请另选文件名") from None
    if target.suffix.lower() not in (".xlsx", ".xlsm"):
        raise WorkbookError(target, "输出文件应为 .xlsx（或带宏的 .xlsm）工作簿")
    tables = read_workbook(source, password)
    loaded = sources.load(source, password)
    if loaded.kind == "xls":
        raise WorkbookError(source, "旧版 .xls 文件不能加下拉列表和实时检查；请先另存为 .xlsx")
    workbook = _load(loaded, keep_vba=target.suffix.lower() == ".xlsm")
    ranges = write_code_sheet(workbook)
    done = []
    for table in tables:
        sheet = workbook[table.sheet]
        last = _last_row(sheet, table, tables)
        done.append(equip(sheet, table.kind, table.columns, table.data_row, last, ranges))
    save_atomically(workbook, target, password if loaded.encrypted else None)
    return done


def _load(loaded: sources.Source, keep_vba: bool) -> Workbook:
    try:
        with warnings.catch_warnings():  # the extLst validations are read below instead
            warnings.filterwarnings("ignore", "Data Validation extension", UserWarning)
            workbook = load_workbook(loaded.stream(), keep_vba=keep_vba, rich_text=True)
    except Exception:
        raise WorkbookError(loaded.path, "无法打开以加入下拉列表，文件可能已损坏") from None
    for name, found in _extension_validations(loaded.data).items():
        if name in workbook.sheetnames:
            for validation in found:
                workbook[name].add_data_validation(validation)
    return workbook


def _extension_validations(data: bytes) -> dict[str, list[DataValidation]]:
    """Validations Excel keeps in a sheet's extLst (lists from another sheet).

    openpyxl drops the extLst, so they are read here and put back as ordinary
    validations, which Excel, WPS and LibreOffice all read.
    """
    found: dict[str, list[DataValidation]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        for part, sheet in sources.sheet_parts(data).items():
            if part not in names:
                continue
            xml = archive.read(part)
            if b"dataValidation" not in xml or X14.encode()[1:-1] not in xml:
                continue
            root = ElementTree.fromstring(xml)
            for element in root.iter(f"{X14}dataValidation"):
                validation = _validation(element)
                if validation is not None:
                    found.setdefault(sheet, []).append(validation)
    return found


def _validation(element) -> DataValidation | None:
    sqref = element.findtext(f"{XM}sqref")
    if not sqref:
        return None
    attributes = {name: element.get(name) for name in VALIDATION_ATTRIBUTES if element.get(name)}
    flags = {name: element.get(name) in ("1", "true") for name in VALIDATION_FLAGS}
    formulas = {key: element.findtext(f"{X14}{key}/{XM}f") for key in ("formula1", "formula2")}
    return DataValidation(
        sqref=sqref,
        **attributes,
        **flags,
        **{key: value for key, value in formulas.items() if value},
    )


def _last_row(sheet: Worksheet, table: Table, tables: list[Table]) -> int:
    """The last row given input aids: 2000 rows (or the data, if longer), but never
    into another table further down the same sheet."""
    last_data = table.records[-1].row if table.records else table.data_row
    below = [
        t.header_row for t in tables if t.sheet == table.sheet and t.header_row > table.header_row
    ]
    if not below:
        return max(last_data, table.data_row + DATA_ROWS - 1)
    for row in range(last_data + 1, min(below)):
        if any(cell.value is not None for cell in sheet[row]):
            return row - 1
    return min(below) - 1
