"""``dyxx prepare``: the template's input aids put into a workbook the officer already has.

The tables are found by their headers, exactly as ``dyxx check`` finds them,
so title rows, header wording and line breaks, styling and extra sheets may be
whatever the official download has. Everything already in the workbook stays:
values, formulas and their results, styles, merges, images, charts, other sheets
and its own dropdowns (also Excel 2010's, kept in a sheet's extension list); a
column that already has a validation keeps it and only its uncovered rows get
ours. Run twice, the second run adds nothing.

The workbook is never loaded and saved again: the XML of the table sheets and
of styles.xml is edited and the code sheet added (:mod:`addin.xlsx.sheet`,
:mod:`addin.xlsx.parts`); every other part is copied byte for byte.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from hashlib import sha256
from pathlib import Path

from openpyxl.xml.functions import tostring
from python_calamine import CalamineWorkbook

from addin.excel.aids import code_sheet_rows, option_cells
from addin.model.a1 import column_letter
from addin.model.errors import WorkbookError
from addin.model.fields import field_label
from addin.read import ownsheets
from addin.read.reader import Table, read_workbook
from addin.write.dataentry import CODE_WIDTHS, MARK, Equipped, free_spans, validation
from addin.write.entry import CODE_SHEET, DATA_ROWS, number_format
from addin.write.livechecks import conditional_formats
from addin.write.marked.annotate import MACROS, TOO_MANY_FORMATS, UNSUPPORTED, has_macros
from addin.write.outputs import refuse_overwrite, write_atomically
from addin.xlsx import parts as xparts
from addin.xlsx import sheet as xlsxsheet
from addin.xlsx import source as sources
from addin.xlsx.package import Rewriter
from addin.xlsx.sheet import Found

# Beside the code sheet's first row: styles.xml before prepare, for dyxx clean (no data).
PREPARED_TAG = "dyxx 准备记录（样式表原状，供 dyxx clean 恢复，不含数据）："


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
    macros = target.suffix.lower() == ".xlsm"
    if has_macros(loaded.data) and not macros:
        raise WorkbookError(target, MACROS)
    try:
        data, done = equipped(loaded, tables, macros)
    except xparts.TooManyFormats:
        raise WorkbookError(
            source, TOO_MANY_FORMATS.replace("标注颜色", "文本和日期格式")
        ) from None
    except (xparts.Unsupported, ValueError, KeyError):
        raise WorkbookError(source, UNSUPPORTED.replace("标注副本", "带校验的副本")) from None
    write_atomically(target, data, password if loaded.encrypted else None)
    return done


def equipped(
    loaded: sources.Source, tables: list[Table], macros: bool
) -> tuple[bytes, list[Equipped]]:
    """The package with the code sheet and every table's input aids."""
    package = Rewriter(loaded.data)
    types = xparts.ContentTypes(package)
    book = xparts.Book(package)
    source_styles = package.read(xparts.Styles.PART)
    styles = xparts.Styles(source_styles)
    parts = {sheet.name: sheet.part for sheet in book.sheets}
    code_name = ownsheets.named(ownsheets.package_sheets(package), ownsheets.CODES)
    record = styles.record()
    if code_name is not None:  # prepared before: what styles.xml was before that, if still so
        earlier = prepared_record(ownsheets.sheet_head(package, parts[code_name], 1)[:1])
        if earlier is not None and earlier["hash"] == sha256(source_styles).hexdigest():
            record = earlier["styles"]
    name = code_name or book.free_sheet_name(CODE_SHEET)
    text_style = styles.variant(0, numFmtId=49)
    ranges = {key: _options_range(name, key) for key in _keys()}
    edited: dict[str, bytes] = {}
    done = []
    rows = _Rows(loaded)
    for table in tables:
        part = parts[table.sheet]
        xml = edited.get(part) or xlsxsheet.numbered(package.read(part))
        last = _last_row(table, tables, rows)
        xml, equipped_ = equip(xml, table, last, ranges, styles)
        edited[part] = xml
        done.append(equipped_)
    for part, xml in edited.items():
        if xml != package.read(part):
            package.put(part, xml)
    final = styles.xml() if styles.changed() else source_styles
    if styles.changed():
        package.put(xparts.Styles.PART, final)
    note = {"styles": record, "hash": sha256(final).hexdigest()}
    _code_sheet(package, book, types, name, code_sheet_xml(text_style, note), code_name is None)
    book.save()
    types.book_type(macros)
    types.save()
    return package.finish(), done


def prepared_record(rows: Sequence[Sequence[object]]) -> dict | None:
    """What prepare recorded on the code sheet's first row: styles.xml's sections before
    (:meth:`addin.xlsx.parts.Styles.record`) and its hash after; None when absent or odd."""
    for value in rows[0] if rows else ():
        if isinstance(value, str) and value.startswith(PREPARED_TAG):
            try:
                found = json.loads(value[len(PREPARED_TAG) :])
                sections = found["styles"]
                if isinstance(found["hash"], str) and all(
                    isinstance(sections[s], list) and len(sections[s]) == 3 for s in xparts.RECORDED
                ):
                    return found
            except (ValueError, KeyError, TypeError):
                return None
    return None


def _keys() -> list[str]:
    from addin.values import codes

    return list(codes.KEYS)


def _options_range(sheet: str, key: str) -> str:
    column, first, last = option_cells(key)
    letter = column_letter(column)
    return f"{_quoted(sheet)}!${letter}${first}:${letter}${last}"


def _quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


# ---- the code sheet ------------------------------------------------------------------------------


def _code_sheet(
    package: Rewriter,
    book: xparts.Book,
    types: xparts.ContentTypes,
    name: str,
    xml: bytes,
    new: bool,
) -> None:
    """Our code sheet: a new hidden one, or the one there refreshed."""
    if new:
        book.add(name, xml, types, hidden=True)
        return
    part = next(s.part for s in book.sheets if s.name == name)
    if package.read(part) != xml:
        package.put(part, xml)


def code_sheet_xml(text_style: int, note: dict) -> bytes:
    """The code sheet (the cells :func:`addin.excel.aids.code_sheet_rows` lays out), text
    formatted and protected; ``note`` (style counts, no data) beside its first row."""
    rows = code_sheet_rows()
    rows[0] = [*rows[0], "", PREPARED_TAG + json.dumps(note, ensure_ascii=False)]
    widths = CODE_WIDTHS * (len(rows[1]) // len(CODE_WIDTHS))
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1)
    )
    body = []
    for number, row in enumerate(rows, start=1):
        cells = "".join(
            f'<c r="{column_letter(col)}{number}" s="{text_style}" t="inlineStr"><is>'
            f'<t xml:space="preserve">{xparts.text(str(value))}</t></is></c>'
            for col, value in enumerate(row, start=1)
            if value not in ("", None)
        )
        body.append(f'<row r="{number}">{cells}</row>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{xparts.MAIN}" xmlns:r="{xparts.REL}"><cols>{cols}</cols>'
        f"<sheetData>{''.join(body)}</sheetData>"
        '<sheetProtection sheet="1" objects="1" scenarios="1"/></worksheet>'
    ).encode()


# ---- one table -----------------------------------------------------------------------------------


def equip(
    xml: bytes,
    table: Table,
    last: int,
    ranges: Mapping[str, str],
    styles: xparts.Styles,
) -> tuple[bytes, Equipped]:
    """Dropdowns, input messages, formats of empty cells and live checks for one table,
    rows ``table.data_row``..``last`` (what :func:`addin.write.dataentry.equip` does, in XML)."""
    first = table.data_row
    done = Equipped(table.sheet, table.kind, first, last)
    existing = xlsxsheet.validations(xml)
    added = []
    formats: dict[int, str] = {}
    for key, col in sorted(table.columns.items(), key=lambda item: item[1]):
        new = _validation(table.kind, key, col, first, last, ranges, existing, done)
        if new is not None:
            added.append(new)
        fmt = number_format(key)
        if fmt and not _column_has(xml, col, fmt, styles):
            formats[col] = fmt
    xml = _format_empty_cells(xml, formats, first, last, styles)
    xml = xlsxsheet.add(xml, "dataValidations", added)
    xml = xlsxsheet.add(xml, "conditionalFormatting", _live_checks(xml, table, last, styles, done))
    return xml, done


def _validation(
    kind: str,
    key: str,
    col: int,
    first: int,
    last: int,
    ranges: Mapping[str, str],
    existing: list[Found],
    done: Equipped,
) -> bytes | None:
    new = validation(kind, key, ranges)
    if new is None:
        return None
    free = _free_rows(existing, col, first, last)
    if not free:
        done.kept.append(field_label(kind, key))
        return None
    letter = column_letter(col)
    for low, high in free:
        new.add(f"{letter}{low}:{letter}{high}")
    if new.type == "list":
        done.dropdowns.append(field_label(kind, key))
        if len(free) > 1 or free[0] != (first, last):
            done.kept.append(field_label(kind, key))
    return tostring(new.to_tree())


def _free_rows(existing: list[Found], col: int, first: int, last: int) -> list[tuple[int, int]]:
    """Row spans of ``first``..``last`` in column ``col`` that no validation covers yet
    (the sheet's own, also those in its extension list)."""
    taken: list[tuple[int, int]] = []
    for found in existing:
        for low_col, low_row, high_col, high_row in xlsxsheet.ranges(found.sqref):
            if low_col <= col <= high_col:
                taken.append((low_row, high_row))
    return free_spans(first, last, taken)


def _column_has(xml: bytes, col: int, fmt: str, styles: xparts.Styles) -> bool:
    """Whether the whole column already has the format (then its cells need none)."""
    style = xlsxsheet.column_styles(xml).get(col)
    return style is not None and styles.number_format(style) == fmt


def _format_empty_cells(
    xml: bytes, formats: dict[int, str], first: int, last: int, styles: xparts.Styles
) -> bytes:
    """The empty cells of general format get the column's text or date format."""
    if not formats:
        return xml
    ids = {col: styles.number_format_id(fmt) for col, fmt in formats.items()}
    made: dict[tuple[int, int], int | None] = {}

    def decide(_row: int, column: int, style: int, _tag: bytes | None) -> int | None:
        key = (style, ids[column])
        if key not in made:
            general = styles.number_format(style) == "General"
            made[key] = styles.variant(style, numFmtId=ids[column]) if general else None
        return made[key]

    return xlsxsheet.restyle(xml, formats, first, last, decide, insert=True)[0]


def _live_checks(
    xml: bytes, table: Table, last: int, styles: xparts.Styles, done: Equipped
) -> list[bytes]:
    present = {
        (_normal_sqref(group.sqref), formula)
        for group, rules in xlsxsheet.conditional_formats(xml)
        for rule in rules
        for formula in rule.formulas
    }
    priorities = [
        int(rule.attrs.get("priority", "0") or 0)
        for _group, rules in xlsxsheet.conditional_formats(xml)
        for rule in rules
        if rule.attrs.get("priority", "").isdigit()
    ]
    priority = max(priorities, default=0)
    dxf = None
    added = []
    for placed in conditional_formats(table.kind, table.columns, table.data_row, last):
        if (_normal_sqref(placed.range), placed.formula) in present:
            done.checks_present += 1
            continue
        if dxf is None:
            dxf = styles.dxf(tostring(MARK.to_tree()))
        priority += 1
        added.append(
            f'<conditionalFormatting sqref="{placed.range}"><cfRule type="expression" '
            f'dxfId="{dxf}" priority="{priority}"><formula>{xparts.text(placed.formula)}'
            "</formula></cfRule></conditionalFormatting>".encode()
        )
        done.checks += 1
    return added


def _normal_sqref(sqref: str) -> str:
    return " ".join(sorted(sqref.replace("$", "").split()))


# ---- how far the input aids go -------------------------------------------------------------------


class _Rows:
    """A sheet's cell values, read only when needed (a table further down the sheet)."""

    def __init__(self, loaded: sources.Source) -> None:
        self.loaded = loaded
        self.book: CalamineWorkbook | None = None

    def of(self, sheet: str) -> list[list[object]]:
        if self.book is None:
            self.book = CalamineWorkbook.from_filelike(io.BytesIO(self.loaded.data))
        return self.book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def _last_row(table: Table, tables: list[Table], rows: _Rows) -> int:
    """The last row given input aids: 2000 rows (or the data, if longer), but never
    into another table further down the same sheet."""
    last_data = table.records[-1].row if table.records else table.data_row
    below = [
        t.header_row for t in tables if t.sheet == table.sheet and t.header_row > table.header_row
    ]
    if not below:
        return max(last_data, table.data_row + DATA_ROWS - 1)
    values = rows.of(table.sheet)
    for row in range(last_data + 1, min(below)):
        cells = values[row - 1] if row - 1 < len(values) else []
        if any(v not in (None, "") for v in cells):
            return row - 1
    return min(below) - 1
