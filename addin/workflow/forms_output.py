"""采集表: the 附件1/附件2 forms pre-filled from a summary, one workbook (and PDF) per branch.

The notice: "此表可直接从软件系统中导出打印，再交由党员本人确认". Each form is
laid out as in the seed (the items, their wording, the signature and date lines
and the closing note of :mod:`addin.forms`), one sheet per organisation or
person, printed on one A4 page: tick items show ☑ for the recorded answer and
☐ for the others, coded items show code and name ("21 大学"), dates read
"1968年03月12日". An answer that is empty stays blank to be filled in by hand;
one that cannot be read is shown as recorded, for the member to correct.

PDFs are made with LibreOffice (``soffice --headless --convert-to pdf``) when it
is installed, with a private profile so it never touches the user's own.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.styles import Font
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from addin import __version__, codes, values
from addin.dataentry import CODED, DATE_FIELDS, ENUMERATIONS
from addin.errors import WorkbookError
from addin.forms import (
    BOX,
    FONT,
    FORMS,
    WIDTHS,
    WRAP,
    Item,
    form_frame,
    write_label,
    write_line,
)
from addin.layout import new_workbook
from addin.outputs import save_atomically
from addin.reader import Record, Table
from addin.workflow.common import FAR_FUTURE, branch_key, branch_name, check_target, records
from addin.workflow.merge import org_key
from addin.workflow.sheets import print_setup

TICKED, UNTICKED = "☑", "☐"
PLAIN_NAMES = frozenset({"ethnicity"})  # written by name on the form (民族: 汉族)
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\[\]]')
SOFFICE_TIMEOUT = 120  # seconds for starting LibreOffice, plus PER_WORKBOOK for each file
PER_WORKBOOK = 20


@dataclass
class BranchForms:
    """What goes into one branch's workbook: its 附件1 rows and its members."""

    name: str
    orgs: list[Record] = field(default_factory=list)
    members: list[Record] = field(default_factory=list)


def by_branch(tables: list[Table]) -> list[BranchForms]:
    """Organisations and members grouped by branch, in the order of the summary."""
    branches: dict[str, BranchForms] = {}
    for _table, record in records(tables, "orgs"):
        raw = record.values.get("org_name")
        key = org_key(raw) or branch_key(None)
        branches.setdefault(key, BranchForms(branch_name(raw))).orgs.append(record)
    for _table, record in records(tables, "members"):
        raw = record.values.get("branch")
        branches.setdefault(branch_key(raw), BranchForms(branch_name(raw))).members.append(record)
    return list(branches.values())


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
        return entry.name if key in PLAIN_NAMES else table.display(entry)
    if key in DATE_FIELDS:
        day = values.parse_date(raw, today=FAR_FUTURE).value
        return f"{day.year}年{day.month:02d}月{day.day:02d}日" if day else values.text(raw)
    if key == "lost_date":
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
    note = FORMS[kind][4]
    sheet, row = form_frame(
        workbook, kind, title, lambda s, r, item: _item(s, r, kind, item, record)
    )
    write_line(sheet, row + 1, note, Font(name=FONT, size=10), WRAP, height=32)
    print_setup(sheet, landscape=False)
    sheet.page_setup.fitToHeight = 1  # one form, one page
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.sheet_view.showGridLines = False
    return sheet


def _item(sheet: Worksheet, row: int, kind: str, item: Item, record: Record) -> None:
    if not write_label(sheet, row, item):
        return
    text = answer(kind, item, record.values.get(item.key))
    cell = sheet.cell(row=row, column=2, value=text or None)
    cell.font, cell.alignment = Font(name=FONT, size=11), WRAP
    cell.number_format = "@"
    for col in range(2, len(WIDTHS) + 1):
        sheet.cell(row=row, column=col).border = BOX
    sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=len(WIDTHS))
    sheet.row_dimensions[row].height = 30


def safe_name(name: str, limit: int) -> str:
    """A file or sheet name from a branch or person name.

    >>> safe_name("第一/第二支部: [试点]", 31)
    '第一_第二支部_ _试点_'
    """
    cleaned = UNSAFE.sub("_", name).strip(" .'") or "未命名"
    return cleaned[:limit]


def branch_workbook(branch: BranchForms) -> Workbook:
    workbook = new_workbook()
    titles: set[str] = set()
    for number, record in enumerate(branch.orgs, start=1):
        suffix = f" {number}" if len(branch.orgs) > 1 else ""
        add_filled_form(workbook, "orgs", _unique(f"附件1 党组织{suffix}", titles), record)
    for number, record in enumerate(branch.members, start=1):
        name = values.text(record.values.get("name")) or "未填姓名"
        add_filled_form(workbook, "members", _unique(f"{number:03d} {name}", titles), record)
    workbook.properties.creator = f"dyxx {__version__}"
    workbook.properties.title = f"{branch.name} 信息采集表"
    return workbook


def _unique(title: str, taken: set[str]) -> str:
    base = safe_name(title, 28)
    name, number = base, 2
    while name.lower() in taken:
        name, number = f"{base}({number})", number + 1
    taken.add(name.lower())
    return name


def workbook_paths(branches: list[BranchForms], directory: Path) -> list[Path]:
    """One file name per branch, unique within ``directory``."""
    taken: set[str] = set()
    paths = []
    for branch in branches:
        base = safe_name(branch.name, 80)
        name, number = base, 2
        while name.lower() in taken:
            name, number = f"{base}({number})", number + 1
        taken.add(name.lower())
        paths.append(directory / f"{name}.xlsx")
    return paths


def write_forms(
    tables: list[Table], source: Path, directory: Path, secret: str | None
) -> list[tuple[BranchForms, Path]]:
    """Write one workbook per branch into ``directory``; returns what went where."""
    if directory.exists() and not directory.is_dir():
        raise WorkbookError(directory, "-o 应为一个文件夹：每个党支部各写一个工作簿")
    branches = by_branch(tables)
    paths = workbook_paths(branches, directory)
    for path in paths:
        check_target(path, [source])
    for branch, path in zip(branches, paths, strict=True):
        save_atomically(branch_workbook(branch), path, secret)
    return list(zip(branches, paths, strict=True))


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(workbooks: list[Path], directory: Path, program: str) -> list[Path]:
    """Convert the workbooks to PDF beside them with LibreOffice; the PDFs made.

    Raises :class:`RuntimeError` (with a Chinese message) when LibreOffice fails.
    """
    timeout = SOFFICE_TIMEOUT + PER_WORKBOOK * len(workbooks)
    with (
        tempfile.TemporaryDirectory(prefix="dyxx-lo-") as profile,
        tempfile.TemporaryDirectory(prefix=".dyxx-pdf-", dir=directory) as staging,
    ):
        command = [
            program,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            staging,
            *map(str, workbooks),
        ]
        try:
            subprocess.run(
                command, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"LibreOffice 在 {timeout} 秒内未完成转换") from None
        except OSError as exc:
            raise RuntimeError(f"无法启动 LibreOffice（{exc.strerror or exc}）") from None
        made = []
        for workbook in workbooks:
            pdf = Path(staging) / f"{workbook.stem}.pdf"
            if not pdf.exists():
                raise RuntimeError(f"LibreOffice 没有生成“{workbook.stem}.pdf”")
            target = directory / pdf.name
            os.replace(pdf, target)
            made.append(target)
    return made
