"""Write the annotated copy: marked cells, a 校验结果 sheet and a 校验记录 stamp.

The input is never opened for writing: the copy is built in memory and written
to a temporary file beside the target, then renamed over it.

Below its summary rows the stamp keeps two records, hashes and style numbers
only, never cell values: 【行指纹】, a short hash of every data row (``dyxx
verify`` finds the rows added, removed or edited since), and 【标注记录】, what
each marked cell looked like before (``dyxx clean`` undoes the marks).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import tostring

from addin import __version__, codes, xlsxmark
from addin import source as sources
from addin.errors import WorkbookError
from addin.findings import Finding, column_letter
from addin.outputs import refuse_overwrite, save_atomically, write_atomically
from addin.reader import Table, read_workbook
from addin.report import Prints, Report, data_fingerprint
from addin.xlsxmark import CELL_TAG, FILL_TAG, MARKS_NOTE, MARKS_TAG, WRITER, packed

RESULT_SHEET = "校验结果"
STAMP_SHEET = "校验记录"
FILLS = {
    "error": PatternFill("solid", fgColor="FFC7CE"),
    "warning": PatternFill("solid", fgColor="FFEB9C"),
}
SEVERITY_NAMES = {"error": "错误", "warning": "警告"}
RESULT_HEADER = ("序号", "工作表", "单元格", "字段", "级别", "规则", "填写内容", "问题及修改方法")
RESULT_WIDTHS = (6, 16, 8, 16, 6, 26, 24, 70)
STAMP_HEADER = ("项目", "内容")
STAMP_WIDTHS = (22, 70)
NOTE_AUTHOR = "dyxx 校验"
FINGERPRINTS_TAG = "【行指纹】"
FINGERPRINTS_NOTE = (
    "每行数据的哈希值（不含数据本身）；dyxx verify 据此找出校验后增加、删除或修改的行"
)
FILE_FINGERPRINT, ROW_FINGERPRINTS = "本文件数据指纹", "行指纹"
FINGERPRINTS_PER_ROW = 1000  # hashes per stamp cell (17 characters each, cells hold 32,767)


def write_annotated(
    source: str | Path,
    target: str | Path,
    report: Report,
    *,
    password: str | None = None,
    encrypt_with: str | None = None,
    prints: list[Prints] | None = None,
) -> None:
    """Write a marked copy of ``source`` to ``target`` (never ``source`` itself).

    ``password`` opens an encrypted source; ``encrypt_with`` encrypts the copy.
    ``prints`` are the row fingerprints of the source's tables as checked (the
    source is read again for them when not given), for the stamp.
    """
    source, target = Path(source), Path(target)
    refuse_overwrite(source, target)
    loaded = sources.load(source, password)
    if loaded.kind == "xls":
        raise WorkbookError(source, "旧版 .xls 文件只能校验，不能生成标注副本；请先另存为 .xlsx")
    findings = report.for_file(str(source))
    if prints is None:
        prints = [Prints.of(table) for table in read_workbook(source, password)]
    stamp = [*stamp_rows(report, source, findings), (), *fingerprint_rows(prints)]
    data = _streamed(loaded, target, findings, stamp)
    if data is not None:
        write_atomically(target, data, encrypt_with)
        return
    workbook = _load(loaded, keep_vba=target.suffix.lower() == ".xlsm")
    _unmark_earlier(workbook)
    _drop_own_sheets(workbook)
    marks = _mark_cells(workbook, findings)
    _write_results(workbook, findings)
    _write_stamp(workbook, [*stamp, (), *marks])
    save_atomically(workbook, target, encrypt_with)


def _streamed(
    loaded: sources.Source,
    target: Path,
    findings: list[Finding],
    stamp: list[tuple[object, ...]],
) -> bytes | None:
    """The marked package written by editing the XML (fast), or None to use openpyxl."""
    macro_source = b"vbaProject.bin" in loaded.data[-65536:] or b"macroEnabled" in loaded.data
    if macro_source != (target.suffix.lower() == ".xlsm"):
        return None  # the package type changes: let openpyxl rewrite the content types
    results = (RESULT_HEADER, result_rows(findings), [link(f.sheet, f.cell) for f in findings])
    try:
        return xlsxmark.mark(
            loaded.data,
            notes_by_cell(findings),
            results,
            (STAMP_HEADER, stamp),
            (RESULT_WIDTHS, STAMP_WIDTHS),
            (RESULT_SHEET, STAMP_SHEET),
        )
    except Exception:  # Unsupported, or XML this writer cannot follow: openpyxl decides
        return None


def _load(source: sources.Source, keep_vba: bool) -> Workbook:
    try:
        return load_workbook(source.stream(), keep_vba=keep_vba, rich_text=True)
    except Exception:
        raise WorkbookError(source.path, "无法打开以生成标注副本，文件可能已损坏") from None


def _drop_own_sheets(workbook: Workbook) -> None:
    for name in (RESULT_SHEET, STAMP_SHEET):
        if name in workbook.sheetnames:
            del workbook[name]


def notes_by_cell(findings: list[Finding]) -> dict[tuple[str, str], tuple[str, str]]:
    """(sheet, cell) -> (worst severity, the note text) for every flagged cell."""
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        if finding.column is not None:
            by_cell.setdefault((finding.sheet, finding.cell), []).append(finding)
    notes = {}
    for key, items in by_cell.items():
        worst = "error" if any(f.severity == "error" for f in items) else "warning"
        notes[key] = (
            worst,
            "\n".join(f"【{SEVERITY_NAMES[f.severity]}】{f.message}" for f in items),
        )
    return notes


def result_rows(findings: list[Finding]) -> list[tuple[object, ...]]:
    """The 校验结果 rows: one per finding (the 单元格 column becomes a link)."""
    return [
        (n, f.sheet, f.cell, f.field, SEVERITY_NAMES[f.severity], f.rule, f.value, f.message)
        for n, f in enumerate(findings, start=1)
    ]


def stamp_rows(report: Report, source: Path, findings: list[Finding]) -> list[tuple[str, object]]:
    """The 校验记录 rows: when, tool and code versions, counts, verdict, fingerprint."""
    errors = sum(f.severity == "error" for f in findings)
    rows: list[tuple[str, object]] = [
        ("校验时间", report.checked_at.strftime("%Y-%m-%d %H:%M:%S")),
        ("校验工具", f"dyxx {__version__}"),
        ("校验文件", source.name),
        ("检查行数", sum(t.rows for t in report.tables if t.file == str(source))),
        ("错误数", errors),
        ("警告数", len(findings) - errors),
        ("结论", "通过" if errors == 0 else "未通过"),
        ("数据指纹", report.fingerprint),
    ]
    return rows + [(f"代码表 {name}", digest) for name, digest in sorted(codes.versions().items())]


def fingerprint_rows(tables: Sequence[Table | Prints]) -> list[tuple[str, str]]:
    """The 【行指纹】 rows: per table, the hashes of its rows in chunks (never the data).

    Each row holds (工作表, 表格, first row, number of rows, hashes separated by spaces);
    a table's records are consecutive sheet rows from its first data row.
    """
    everything = [t if isinstance(t, Prints) else Prints.of(t) for t in tables]
    rows = [(FINGERPRINTS_TAG, FINGERPRINTS_NOTE), (FILE_FINGERPRINT, data_fingerprint(everything))]
    for table in everything:
        prints = table.hashes
        first = table.rows[0] if table.rows else table.data_row
        if not prints:
            rows.append((ROW_FINGERPRINTS, packed(table.sheet, table.kind, first, 0, "")))
        for start in range(0, len(prints), FINGERPRINTS_PER_ROW):
            chunk = prints[start : start + FINGERPRINTS_PER_ROW]
            item = packed(table.sheet, table.kind, first + start, len(chunk), " ".join(chunk))
            rows.append((ROW_FINGERPRINTS, item))
    return rows


def link(finding_sheet: str, cell: str) -> str:
    """The in-workbook target of a 校验结果 link."""
    return f"{_quoted(finding_sheet)}!{cell}"


def _mark_cells(workbook: Workbook, findings: list[Finding]) -> list[tuple[str, str]]:
    """Mark the cells; return the 【标注记录】 rows (each cell's fill and note before)."""
    fills: dict[str, int] = {}
    cells: list[tuple[str, str]] = []
    for (sheet, ref), (worst, note) in notes_by_cell(findings).items():
        cell = workbook[sheet][ref]
        fill = tostring(cell.fill.to_tree()).decode("utf-8")
        number = fills.setdefault(fill, len(fills) + 1)
        had = cell.comment
        cells.append((CELL_TAG, packed(sheet, ref, "", "", "", number, *_note_before(had))))
        cell.fill = FILLS[worst]
        if had is not None:
            note = f"{had.text}\n{note}"
        cell.comment = Comment(note, NOTE_AUTHOR, width=320, height=140)
    filled = [(FILL_TAG, packed(number, fill)) for fill, number in fills.items()]
    return [(MARKS_TAG, MARKS_NOTE), (WRITER, "openpyxl"), *filled, *cells]


def _note_before(comment: Comment | None) -> tuple[int | str, str]:
    """A note's length and author, so it can be cut back to itself ("" when none)."""
    if comment is None:
        return "", ""
    return len(comment.text), comment.author or ""


def _unmark_earlier(workbook: Workbook) -> None:
    """Undo the marks of an earlier check of this copy, so only current findings show."""
    from addin.workflow.stamp import unmark_workbook  # the workflow package reads stamps

    try:
        unmark_workbook(workbook)
    except WorkbookError:
        pass  # a damaged record of an earlier check: its marks stay, the new ones are added


def _write_results(workbook: Workbook, findings: list[Finding]) -> None:
    sheet = workbook.create_sheet(RESULT_SHEET)
    sheet.append(RESULT_HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, row in enumerate(result_rows(findings), start=2):
        sheet.append(row)
        cell = sheet.cell(row=number, column=3)
        cell.hyperlink = "#" + link(str(row[1]), str(row[2]))
        cell.style = "Hyperlink"
    _widths(sheet, RESULT_WIDTHS)
    sheet.freeze_panes = "A2"


def _write_stamp(workbook: Workbook, rows: list[tuple[object, ...]]) -> None:
    sheet = workbook.create_sheet(STAMP_SHEET)
    sheet.append(STAMP_HEADER)
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    _widths(sheet, STAMP_WIDTHS)


def _widths(sheet: Worksheet, widths: tuple[int, ...]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[column_letter(index)].width = width


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"
