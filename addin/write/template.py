"""The hand-out workbook in ``templates/``: generated here, never edited by hand.

One workbook holds the 附件1 and 附件2 collection forms, the 附件3 and 附件4
summary tables in the seed's layout (:mod:`addin.write.layout`) and the hidden code
sheet; :mod:`addin.write.dataentry` adds dropdowns, formats and live checks. Data
cells are unlocked, titles and headers locked (sheet protection without a
password, so an officer can still lift it).

The build is reproducible byte for byte: the document properties carry a fixed
date and the zip is rewritten with fixed entry times, so ``dyxx template
--check`` can tell whether the committed files are still what the code builds.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl.styles import Protection
from openpyxl.workbook import Workbook

from addin import __version__
from addin.write import outputs
from addin.write.dataentry import equip, write_code_sheet
from addin.write.entry import DATA_ROWS
from addin.write.forms import add_form
from addin.write.layout import DATA_ROW, HEADER_ROW, add_table, columns, new_workbook
from addin.write.printing import print_setup

TEMPLATE = "党组织和党员基本信息采集表.xlsx"
SHEETS = {
    "form:orgs": "附件1 党组织采集表",
    "form:members": "附件2 党员采集表",
    "orgs": "附件3 党组织汇总表",
    "members": "附件4 党员汇总表",
}
FIXED_TIME = datetime(2017, 6, 14)  # the date of the notice (邵组通〔2017〕26号)
ZIP_TIME = (2017, 6, 14, 0, 0, 0)
SUMMARY_DATE = "　　　　年　　月　　日"
CORE_TIMES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def build_workbook() -> Workbook:
    workbook = new_workbook()
    ranges = write_code_sheet(workbook)
    code_sheet = workbook.worksheets[0]
    for kind in ("orgs", "members"):
        add_form(workbook, kind, SHEETS[f"form:{kind}"], ranges)
    for kind in ("orgs", "members"):
        sheet = add_table(
            workbook, kind, title=SHEETS[kind], committee="", summary_date=SUMMARY_DATE
        )
        _table_sheet(sheet, kind, ranges)
    workbook.move_sheet(code_sheet, offset=len(workbook.sheetnames) - 1)
    workbook.active = workbook.sheetnames.index(SHEETS["members"])
    for sheet in workbook.worksheets:
        sheet.sheet_view.tabSelected = sheet.title == SHEETS["members"]
    workbook.properties.creator = f"dyxx {__version__}"
    workbook.properties.title = "党组织和党员基本信息采集表（附件1–4）"
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    return workbook


def _table_sheet(sheet, kind: str, ranges: dict[str, str]) -> None:
    fields = {key: col for col, (_text, key) in enumerate(columns(kind), start=1)}
    equip(sheet, kind, fields, DATA_ROW, DATA_ROW + DATA_ROWS - 1, ranges, column_styles=True)
    for row in range(1, DATA_ROW):
        for col in range(1, len(fields) + 1):
            sheet.cell(row=row, column=col).protection = Protection(locked=True)
    sheet.freeze_panes = f"C{DATA_ROW}"
    print_setup(sheet, landscape=True, title_rows=f"{HEADER_ROW}:{HEADER_ROW + 1}")
    sheet.print_options.horizontalCentered = True
    protection = sheet.protection
    protection.sheet = True
    protection.formatColumns = protection.formatRows = False  # widths and heights stay free
    protection.insertRows = protection.deleteRows = False
    protection.sort = protection.autoFilter = False


def reproducible_bytes(workbook: Workbook) -> bytes:
    """Save with fixed document times and zip entry times: the same input, the same bytes."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = CORE_TIMES.sub(lambda m: m.group(1) + stamp + m.group(3), data)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, data, compresslevel=9)
    return out.getvalue()


def build() -> dict[str, bytes]:
    """File name -> contents of every generated template."""
    return {TEMPLATE: reproducible_bytes(build_workbook())}


def write(directory: Path) -> list[Path]:
    """Write the templates into ``directory`` (every target checked before any is written)."""
    built = {directory / name: data for name, data in build().items()}
    outputs.claim(built)
    for path, data in built.items():
        outputs.write_atomically(path, data)
    return list(built)


def stale(directory: Path) -> list[str]:
    """Names of the templates in ``directory`` that are missing or differ from a fresh build.

    Files compare by their zip entries (names, order and contents), so a zlib
    that compresses differently does not count as a difference.
    """
    return [
        name
        for name, data in build().items()
        if not (directory / name).is_file()
        or not same_package((directory / name).read_bytes(), data)
    ]


def same_package(left: bytes, right: bytes) -> bool:
    if left == right:
        return True
    try:
        return _entries(left) == _entries(right)
    except zipfile.BadZipFile:
        return False


def _entries(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return [(info.filename, package.read(info.filename)) for info in package.infolist()]
