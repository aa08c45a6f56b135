"""Write the annotated copy: marked cells, a results sheet and a stamp.

The input is never opened for writing: the copy is built in memory by editing
the package's XML (:mod:`addin.write.marked.xlsxmark`), so every part the marks do not need
is copied byte for byte, and written to a temporary file beside the target,
then renamed over it. A copy that was marked before is first unmarked (exactly,
or by the marks' look when it was saved since: :mod:`addin.write.marked.unmark`),
so only the current findings show and nothing stacks up.

Below its summary rows the stamp keeps two records, hashes and style numbers
only, never cell values: 【行指纹】, a short hash of every data row (``dyxx
verify`` finds the rows added, removed or edited since), and 【标注记录】, what
each marked cell looked like before (``dyxx clean`` undoes the marks).

The results and stamp sheets are dyxx's by what they hold (:mod:`addin.read.ownsheets`);
an officer's own sheet called 校验结果 or 校验记录 is kept, and ours get free names.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from addin import __version__
from addin.engine.report import Prints, Report, data_fingerprint
from addin.model.errors import WorkbookError
from addin.model.findings import Finding, rule_title
from addin.read import ownsheets
from addin.read.ownsheets import (
    RESULT_HEADER,
    RESULT_SHEET,
    STAMP_HEADER,
    STAMP_SHEET,
    STAMP_TOOL,
)
from addin.read.reader import Table, read_workbook
from addin.values import codes
from addin.write.marked import xlsxmark
from addin.write.marked.format import (
    CHECKED_AT,
    CHECKED_FILE,
    CODE_TABLE,
    ERRORS,
    FAILED,
    FILE_FINGERPRINT,
    FINGERPRINT,
    FINGERPRINTS_NOTE,
    FINGERPRINTS_PER_ROW,
    FINGERPRINTS_TAG,
    PASSED,
    RECORDS_WHERE,
    ROW_FINGERPRINTS,
    ROWS_CHECKED,
    SEVERITY_NAMES,
    VERDICT,
    WARNINGS,
    notes_by_cell,
    packed,
)
from addin.write.marked.stamp import read_stamp
from addin.write.marked.unmark import undo
from addin.write.outputs import refuse_overwrite, write_atomically
from addin.xlsx import source as sources
from addin.xlsx.package import Rewriter

RESULT_WIDTHS = (6, 16, 8, 16, 6, 26, 24, 70, 16)
STAMP_WIDTHS = (22, 70)
RESULT_WRAPPED = (
    "工作表",
    "字段",
    "规则",
    "填写内容",
    "问题及修改方法",
    "姓名或名称",
)  # long, wrap
OUR_SHEETS = (ownsheets.RESULTS, ownsheets.STAMP, ownsheets.LEDGER)  # what a new check replaces
LEDGER = ownsheets.LEDGER_SHEET
LEDGER_WHERE = "行指纹和标注记录在隐藏的工作表“{}”中，dyxx verify 和 dyxx clean 据此工作，请勿删除"
MACROS = "原文件带宏，副本也须保存为 .xlsm（请把输出文件的扩展名改为 .xlsm），以免宏丢失"
TOO_MANY_FORMATS = (
    "工作簿中的单元格格式已达 Excel 的上限（约 64000 种），无法再加标注颜色；"
    "请在 Excel 中清除多余的格式后再试"
)
UNSUPPORTED = "工作簿的结构无法识别，未能生成标注副本（原文件未改动）；请用 Excel 打开后另存再试"
__all__ = [
    "RESULT_HEADER",
    "RESULT_SHEET",
    "STAMP_HEADER",
    "STAMP_SHEET",
    "write_annotated",
]


def write_annotated(
    source: str | Path,
    target: str | Path,
    report: Report,
    *,
    password: str | None = None,
    encrypt_with: str | None = None,
    prints: list[Prints] | None = None,
    loaded: sources.Source | None = None,
) -> None:
    """Write a marked copy of ``source`` to ``target`` (never ``source`` itself).

    ``password`` opens an encrypted source; ``encrypt_with`` encrypts the copy.
    ``prints`` are the row fingerprints of the source's tables as checked (the
    source is read again for them when not given), for the stamp. ``loaded``: the
    source as it was loaded and checked (it is then not read again).
    """
    source, target = Path(source), Path(target)
    refuse_overwrite(source, target)
    loaded = loaded or sources.load(source, password)
    if loaded.kind == "xls":
        raise WorkbookError(source, "旧版 .xls 文件只能校验，不能生成标注副本；请先另存为 .xlsx")
    macros = target.suffix.lower() == ".xlsm"
    if has_macros(loaded.data) and not macros:
        raise WorkbookError(target, MACROS)
    findings = report.for_file(str(source))
    if prints is None:
        prints = [Prints.of(table) for table in read_workbook(source, password)]
    stamp = stamp_rows(report, source, findings)
    data = marked(loaded, findings, stamp, macros, fingerprint_rows(prints))
    write_atomically(target, data, encrypt_with)


def has_macros(data: bytes) -> bool:
    """Whether a package holds a VBA project (an .xlsm)."""
    return b"vbaProject.bin" in data[-65536:] or b"macroEnabled" in data


def marked(
    loaded: sources.Source,
    findings: list[Finding],
    stamp: list[tuple[str, object]],
    macros: bool,
    prints: list[tuple[str, str]] | None = None,
) -> bytes:
    """The marked package: earlier marks undone, the current ones added. ``stamp``: the
    visible 校验记录's rows; ``prints``: the 【行指纹】 rows, kept on the hidden ledger."""
    try:
        own = ownsheets.package_sheets(Rewriter(loaded.data))
    except Exception:  # a package too damaged to follow
        raise WorkbookError(loaded.path, UNSUPPORTED) from None
    earlier = [n for n, k in own.items() if k in OUR_SHEETS]
    data = loaded.data
    if earlier:
        try:
            stamp_before = read_stamp(loaded, own)
        except WorkbookError:
            stamp_before = None  # a damaged record: its marks stay, the new ones are added
        try:
            try:
                data = undo(data, stamp_before, earlier, loaded.path)[0]
            except WorkbookError:  # a damaged record of the marks: only our sheets go
                data = undo(data, None, earlier, loaded.path)[0]
        except (xlsxmark.Unsupported, ValueError):
            raise WorkbookError(loaded.path, UNSUPPORTED) from None
    results = (RESULT_HEADER, result_rows(findings), [link(f.sheet, f.cell) for f in findings])
    try:
        taken = [s.name for s in _sheets(data)]
        names = tuple(ownsheets.free_name(n, taken) for n in (RESULT_SHEET, STAMP_SHEET, LEDGER))
        where = (RECORDS_WHERE, LEDGER_WHERE.format(names[2]))
        return xlsxmark.mark(
            data,
            notes_by_cell(findings),
            results,
            (STAMP_HEADER, [*stamp, where]),
            (RESULT_WIDTHS, STAMP_WIDTHS),
            names,  # type: ignore[arg-type]
            macros,
            loaded.hand_over(data),  # the sheets as the reader inflated them
            ((ownsheets.LEDGER_MARKER,), prints or []),
            (wrapped(RESULT_HEADER, RESULT_WRAPPED), (1, 2)),
        )
    except xlsxmark.TooManyFormats:
        raise WorkbookError(loaded.path, TOO_MANY_FORMATS) from None
    except (xlsxmark.Unsupported, ValueError, KeyError):
        raise WorkbookError(loaded.path, UNSUPPORTED) from None


def wrapped(header: tuple[str, ...], names: tuple[str, ...]) -> tuple[int, ...]:
    """The columns (1-based) of ``header`` named in ``names``."""
    return tuple(i for i, name in enumerate(header, start=1) if name in names)


def _sheets(data: bytes):
    from addin.xlsx.parts import Book

    return Book(Rewriter(data)).sheets


def result_rows(findings: list[Finding]) -> list[tuple[object, ...]]:
    """The 校验结果 rows: one per finding (the 单元格 column becomes a link; the rule's
    title, not its code: codes are for ``--json`` and ``dyxx rules``)."""
    return [
        (
            *(n, f.sheet, f.cell, f.field, SEVERITY_NAMES[f.severity]),
            *(rule_title(f.rule), f.value, f.message, f.name),
        )
        for n, f in enumerate(findings, start=1)
    ]


def stamp_rows(report: Report, source: Path, findings: list[Finding]) -> list[tuple[str, object]]:
    """The 校验记录 rows: when, tool and code versions, counts, verdict, fingerprint."""
    errors = sum(f.severity == "error" for f in findings)
    rows: list[tuple[str, object]] = [
        (CHECKED_AT, report.checked_at.strftime("%Y-%m-%d %H:%M:%S")),
        (STAMP_TOOL, f"dyxx {__version__}"),
        (CHECKED_FILE, source.name),
        (ROWS_CHECKED, sum(t.rows for t in report.tables if t.file == str(source))),
        (ERRORS, errors),
        (WARNINGS, len(findings) - errors),
        (VERDICT, PASSED if errors == 0 else FAILED),
        (FINGERPRINT, report.fingerprint),
    ]
    return rows + [(CODE_TABLE + name, digest) for name, digest in sorted(codes.versions().items())]


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


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"
