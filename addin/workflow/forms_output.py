"""采集表: the 附件1/附件2 forms pre-filled from a summary, one workbook (and PDF) per branch.

One sheet per organisation or person, one A4 page each, laid out as in the seed
(:mod:`addin.write.forms`); an empty answer stays blank, an unreadable one is shown as
recorded. PDFs come from LibreOffice with a private profile, never listening, and only fixed
options and absolute paths on its command line (:func:`soffice_command`), so no name from the
data can be read as an option.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.styles import Font
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from addin import __version__
from addin.model.celltext import for_cell, set_text
from addin.model.errors import WorkbookError
from addin.model.fields import CODED, DATE_FIELDS, ENUMERATIONS, MONTH_FIELDS
from addin.model.fields import get as get_field
from addin.model.safename import Namer, sheet_title
from addin.read.reader import Record, Table
from addin.rules.compare import FAR_FUTURE, records
from addin.rules.submission import org_key
from addin.values import cells as values
from addin.values import codes
from addin.workflow.common import branch_key, branch_name, check_target
from addin.write import outputs
from addin.write.cellstyle import Look
from addin.write.forms import (
    FONT,
    FORMS,
    NOTE,
    WRAP,
    Item,
    box_answer,
    form_frame,
    write_label,
    write_line,
)
from addin.write.layout import new_workbook
from addin.write.outputs import save_atomically
from addin.write.printing import fit_rows, print_setup

TICKED, UNTICKED = "☑", "☐"
ANSWER = Look(font=Font(name=FONT, size=11), alignment=WRAP, number_format="@")
SOFFICE_TIMEOUT = 120  # seconds for starting LibreOffice, plus PER_WORKBOOK for each file
PER_WORKBOOK = 20
SOFFICE_OPTIONS = (
    "--headless",
    "--invisible",
    "--nologo",
    "--nodefault",
    "--norestore",
    "--nolockcheck",
    "--convert-to",
    "pdf",
)


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
    note = FORMS[kind][4]
    sheet, row = form_frame(
        workbook, kind, title, lambda s, r, item: _item(s, r, kind, item, record)
    )
    write_line(sheet, row + 1, note, NOTE, height=32)
    fit_rows(sheet, 1, row + 1)  # a long answer wraps: LibreOffice does not grow rows itself
    print_setup(sheet, landscape=False)
    sheet.page_setup.fitToHeight = 1  # one form, one page
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.sheet_view.showGridLines = False
    return sheet


def _item(sheet: Worksheet, row: int, kind: str, item: Item, record: Record) -> None:
    if not write_label(sheet, row, item):
        return
    cell = sheet.cell(row=row, column=2)
    set_text(cell, answer(kind, item, record.values.get(item.key)) or None)
    ANSWER.apply(cell)
    box_answer(sheet, row)


def branch_workbook(branch: BranchForms) -> Workbook:
    workbook = new_workbook()
    titles: set[str] = set()
    for number, record in enumerate(branch.orgs, start=1):
        suffix = f" {number}" if len(branch.orgs) > 1 else ""
        add_filled_form(workbook, "orgs", sheet_title(f"附件1 党组织{suffix}", titles), record)
    for number, record in enumerate(branch.members, start=1):
        name = values.text(record.values.get("name")) or "未填姓名"
        add_filled_form(workbook, "members", sheet_title(f"{number:03d} {name}", titles), record)
    workbook.properties.creator = f"dyxx {__version__}"
    workbook.properties.title = for_cell(f"{branch.name} 信息采集表")
    return workbook


def workbook_paths(branches: list[BranchForms], directory: Path) -> list[Path]:
    """One absolute file name per branch, safe and unique (:mod:`addin.model.safename`)."""
    folder, namer = directory.resolve(), Namer()
    return [folder / f"{namer(branch.name)}.xlsx" for branch in branches]


def write_forms(
    tables: list[Table], source: Path, directory: Path, secret: str | None, *, pdf: bool = False
) -> list[tuple[BranchForms, Path]]:
    """Write one workbook per branch into ``directory``; returns what went where.

    Every target (and with ``pdf`` the PDF beside each workbook) is claimed
    before anything is written, so a refused name leaves no partial output.
    """
    if directory.exists() and not directory.is_dir():
        raise WorkbookError(directory, "-o 应为一个文件夹：每个党支部各写一个工作簿")
    branches = by_branch(tables)
    paths = workbook_paths(branches, directory)
    for path in paths:
        check_target(path, [source])
    outputs.claim([*paths, *(map(pdf_path, paths) if pdf else [])], secret)
    for branch, path in zip(branches, paths, strict=True):
        save_atomically(branch_workbook(branch), path, secret)
    return list(zip(branches, paths, strict=True))


def pdf_path(workbook: Path) -> Path:
    return workbook.with_suffix(".pdf")


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def soffice_command(program: str, profile: Path, outdir: Path, files: list[Path]) -> list[str]:
    """The LibreOffice command line converting ``files`` to PDF into ``outdir``.

    Options are fixed here; everything else is a path, and a path that could be
    read as an option (or as a URL such as ``macro:``) is refused, whatever
    the data it was built from: only absolute paths, which start with ``/`` or
    a drive letter, never with ``-``. The profile is private and nothing listens.
    """
    paths = [outdir, *files]
    for path in paths:
        if not path.is_absolute() or str(path).startswith("-"):
            raise ValueError(f"not an absolute path: {path!r}")
    return [
        program,
        f"-env:UserInstallation={profile.as_uri()}",
        *SOFFICE_OPTIONS,
        "--outdir",
        str(outdir),
        *map(str, files),
    ]


def to_pdf(workbooks: list[Path], directory: Path, program: str) -> list[Path]:
    """Convert the workbooks to PDF beside them with LibreOffice; the PDFs made.

    LibreOffice runs with a fresh profile in a private temporary folder (mode
    0700, outside ``directory``, removed afterwards), stdin closed and a time
    limit; each PDF is then written into ``directory`` through
    :func:`addin.write.outputs.write_atomically`. Raises :class:`RuntimeError` (with a
    Chinese message) when LibreOffice fails, :class:`WorkbookError` when a PDF
    cannot be written.
    """
    workbooks = [path.resolve() for path in workbooks]
    targets = [pdf_path(path) for path in workbooks]
    outputs.claim(targets)
    timeout = SOFFICE_TIMEOUT + PER_WORKBOOK * len(workbooks)
    with tempfile.TemporaryDirectory(prefix="dyxx-lo-", ignore_cleanup_errors=True) as private:
        root = Path(private).resolve()
        root.chmod(0o700)
        profile, staging = root / "profile", root / "pdf"
        staging.mkdir(mode=0o700)
        _run(soffice_command(program, profile, staging, workbooks), timeout, root)
        made = []
        for workbook, target in zip(workbooks, targets, strict=True):
            pdf = staging / pdf_path(workbook).name
            if not pdf.is_file():
                raise RuntimeError(f"LibreOffice 没有生成“{pdf.name}”")
            outputs.write_atomically(target, pdf.read_bytes())
            made.append(target)
    return made


def _run(command: list[str], timeout: float, private: Path) -> None:
    """Run LibreOffice to the end, or stop it (and what it started) after ``timeout``.

    Without a session's runtime folder, dconf (read by LibreOffice on Linux)
    would leave a file in ~/.cache: it gets the ``private`` folder instead.
    """
    posix = os.name == "posix"
    env = {"XDG_RUNTIME_DIR": str(private), **os.environ}
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=posix,  # its own process group, to stop all of it
        )
    except OSError as exc:
        raise RuntimeError(f"无法启动 LibreOffice（{exc.strerror or exc}）") from None
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"LibreOffice 在 {timeout} 秒内未完成转换") from None
    finally:
        if process.poll() is None:  # still ours: its group cannot have been reused
            with contextlib.suppress(ProcessLookupError):
                if posix:
                    os.killpg(process.pid, signal.SIGKILL)
                else:
                    process.kill()
            process.wait()
