"""导入准备: a copy with everything dyxx added taken out, the officer's values kept.

Removed: the marks and sheets of ``dyxx check -o`` (:mod:`addin.write.marked.unmark`) and of
the Excel 校验 button (:mod:`addin.write.marked.unpaint`), the aids of ``dyxx prepare``, and
the sheets of ``dyxx merge``. Everything else is copied byte for byte. Why each is recognised
the way it is: ARCHITECTURE.md, "What clean takes out".
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path

from python_calamine import CalamineWorkbook

from addin.model.errors import WorkbookError
from addin.read import ownsheets
from addin.read.reader import Table, find_tables
from addin.workflow.prepare import prepared_record
from addin.write.dataentry import texts
from addin.write.entry import DATA_ROWS, number_format
from addin.write.livechecks import is_live_check
from addin.write.marked.annotate import MACROS, OUR_SHEETS, UNSUPPORTED, has_macros
from addin.write.marked.stamp import own_sheets, read_stamp
from addin.write.marked.state import parse_state
from addin.write.marked.unmark import undo
from addin.write.marked.unpaint import unpaint
from addin.write.outputs import refuse_overwrite, write_atomically
from addin.xlsx import parts as xparts
from addin.xlsx import sheet as xlsxsheet
from addin.xlsx import source as sources
from addin.xlsx.package import Rewriter
from addin.xlsx.sheet import REMOVE, Found


@dataclass
class Cleaned:
    sheets: list[str] = field(default_factory=list)  # sheets removed
    exact: bool = False  # the marks were undone byte for byte
    marks: int = 0  # marked cells restored
    notes: int = 0  # our notes removed
    skipped: list[str] = field(default_factory=list)  # marked cells that could not be restored
    stray_notes: list[str] = field(default_factory=list)  # notes removed where no mark was
    validations: int = 0
    conditional_formats: int = 0
    number_formats: int = 0

    @property
    def anything(self) -> bool:
        return bool(
            self.sheets or self.marks or self.notes or self.validations or self.conditional_formats
        ) or bool(self.number_formats)


def clean(
    source: Path, target: Path, password: str | None = None, secret: str | None = None
) -> Cleaned:
    """Write ``target``: ``source`` without what dyxx added (raises :class:`WorkbookError`)."""
    try:
        refuse_overwrite(source, target)
    except WorkbookError:
        raise WorkbookError(target, "输出文件不能与原文件相同，请另选文件名") from None
    macros = target.suffix.lower() == ".xlsm"
    if target.suffix.lower() not in (".xlsx", ".xlsm"):
        raise WorkbookError(target, "输出文件应为 .xlsx（或带宏的 .xlsm）工作簿")
    loaded = sources.load(source, password)
    if loaded.kind == "xls":
        raise WorkbookError(source, "旧版 .xls 文件不是 dyxx 生成的，无需清理")
    if has_macros(loaded.data) and not macros:
        raise WorkbookError(target, MACROS)
    done = Cleaned()
    own = own_sheets(loaded)
    data = loaded.data
    earlier = [n for n, k in own.items() if k in OUR_SHEETS]
    if earlier:
        stamp = read_stamp(loaded, own)
        try:
            data, done.exact, unmarked = undo(data, stamp, earlier, loaded.path)
        except (xparts.Unsupported, ValueError):
            raise WorkbookError(source, UNSUPPORTED.replace("标注副本", "导入副本")) from None
        done.marks, done.notes, done.skipped = unmarked.restored, unmarked.notes, unmarked.skipped
        done.stray_notes = unmarked.stray_notes
        done.sheets += earlier
    rest = {n: k for n, k in own.items() if n not in earlier}
    try:
        data = _without_aids(loaded.path, data, rest, done, macros)
    except (xparts.Unsupported, ValueError):
        raise WorkbookError(source, UNSUPPORTED.replace("标注副本", "导入副本")) from None
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


def _without_aids(
    path: Path, data: bytes, own: dict[str, str], done: Cleaned, macros: bool
) -> bytes:
    """Take out the input aids of ``dyxx prepare`` (and the template, and the add-in),
    the add-in's marks and our other sheets, editing the XML of the sheets concerned only.

    The aids are known by what they are, wherever they are and whoever saved the file
    since: live checks by their formulas, prompts by their texts, dropdowns by their
    list on the code sheet."""
    package = Rewriter(data)
    types = xparts.ContentTypes(package)
    book = xparts.Book(package)
    parts = {sheet.name: sheet.part for sheet in book.sheets}
    code_sheet = ownsheets.named(own, ownsheets.CODES)
    edited: dict[str, bytes] = {}
    aided: dict[str, int] = {}  # sheet -> the last row its live checks covered
    for name, part in parts.items():
        if name not in own:
            xml = package.read(part)
            new, last = _remove_aids(xml, code_sheet, done)
            if new != xml:
                edited[part], aided[name] = new, last
    styles = xparts.Styles(package.read(xparts.Styles.PART)) if aided or own else None
    if styles is not None:
        sheets = _sheet_rows(path, data)
        for table in _tables(sheets, own, aided if code_sheet is None else parts):
            part = parts[table.sheet]
            xml = xlsxsheet.numbered(edited.get(part) or package.read(part))
            last = max(aided.get(table.sheet, 0), table.data_row + DATA_ROWS - 1)
            edited[part] = _reset_formats(xml, table, last, styles, done)
        state = ownsheets.named(own, ownsheets.STATE)
        if state is not None:
            undone = unpaint(package, parts, edited, parse_state(sheets[state]), styles, types)
            done.marks += undone.restored
            done.notes += undone.notes
            done.stray_notes += undone.stray_notes
    for part, xml in edited.items():
        if xml != package.read(part):
            package.put(part, xml)
    for name in own:
        book.remove(name, types)
        done.sheets.append(name)
    if styles is not None:
        restored = _styles_before(package, styles, sheets.get(code_sheet or "", []))
        if restored is not None:
            package.put(xparts.Styles.PART, restored)
        elif styles.changed():
            package.put(xparts.Styles.PART, styles.xml())
    if own:
        book.save()
    types.book_type(macros)
    types.save()
    if not package.changed and not package.removed:
        return data  # nothing of ours: the same bytes
    return package.finish()


def _tables(
    sheets: Mapping[str, list[list[object]]], own: Mapping[str, str], wanted: Mapping[str, object]
) -> list[Table]:
    """The tables of the sheets whose empty cells may have dyxx's formats: every sheet
    when the code sheet says prepare was here, else those that had dyxx's aids."""
    return [
        table
        for name, rows in sheets.items()
        if name not in own and name in wanted
        for table in find_tables(rows, file="", sheet=name)
    ]


def _is_ours(found: Found, code_sheet: str | None) -> bool:
    """A validation dyxx wrote: a list from its code sheet, or another one carrying its
    messages. A list from elsewhere is the officer's, even with dyxx's messages left on
    it (a spreadsheet keeps them when the list of a cell is changed)."""
    if found.attrs.get("type") == "list":
        source = found.formulas[0] if found.formulas else ""
        if code_sheet is not None and _from_code_sheet(source, code_sheet):
            return True
        if "#REF!" not in source:  # the code sheet deleted: its lists point nowhere
            return False
    return found.attrs.get("prompt") in texts() or found.attrs.get("error") in texts()


def _from_code_sheet(source: str, code_sheet: str) -> bool:
    formula = source.lstrip("=")
    quoted = "'" + code_sheet.replace("'", "''") + "'!"
    return formula.startswith((quoted, code_sheet + "!"))


def _remove_aids(xml: bytes, code_sheet: str | None, done: Cleaned) -> tuple[bytes, int]:
    """A sheet without dyxx's validations and live checks, and the last row the live
    checks covered (0: none)."""
    spans = []
    for found in xlsxsheet.validations(xml):
        if _is_ours(found, code_sheet):
            spans.append((found.start, found.end))
            done.validations += 1
    checks, last = _live_checks(xml, done)
    return xlsxsheet.remove(xml, spans + checks), last


def _live_checks(xml: bytes, done: Cleaned) -> tuple[list[tuple[int, int]], int]:
    """The places of the sheet's live checks, and the last row they covered."""
    spans = []
    last = 0
    for group, rules in xlsxsheet.conditional_formats(xml):
        ours = [
            rule
            for rule in rules
            if rule.attrs.get("type") == "expression"
            and rule.formulas
            and is_live_check(rule.formulas[0])
        ]
        if not ours:
            continue
        done.conditional_formats += len(ours)
        areas = xlsxsheet.ranges(group.sqref)
        last = max([last, *(area[3] for area in areas)])
        if len(ours) == len(rules):
            spans.append((group.start, group.end))
        else:
            spans += [(rule.start, rule.end) for rule in ours]
    return spans, last


def _reset_formats(
    xml: bytes, table: Table, last: int, styles: xparts.Styles, done: Cleaned
) -> bytes:
    """Empty cells dyxx prepare formatted as text or date get the general format back."""
    wanted = {}
    for key, column in table.columns.items():
        fmt = number_format(key)
        if fmt is not None:
            wanted[column] = fmt

    by_column = xlsxsheet.column_styles(xml)

    def general(number: int) -> bool:
        return styles.format_code(number) == "General"

    backs: dict[int, int] = {}
    formats: dict[int, str] = {}  # style -> number format, looked up once per style

    def decide(_row: int, column: int, style: int, tag: bytes | None) -> int | None:
        if style not in formats:
            formats[style] = styles.number_format(style)
        if tag is None or formats[style] != wanted[column]:
            return None
        if style not in backs:
            backs[style] = styles.back(style, "numFmtId", 0, general)
        back = backs[style]
        attrs = xparts.attributes(tag)
        bare = set(attrs) <= {"r", "s", "t"} and attrs.get("t", "n") == "n"
        return REMOVE if bare and back == by_column.get(column, 0) else back

    xml, count = xlsxsheet.restyle(xml, wanted, table.data_row, last, decide, insert=False)
    done.number_formats += count
    return xml


STYLE_USE = re.compile(rb'\s(s|style|dxfId)="(\d+)"')


def _styles_before(
    package: Rewriter, styles: xparts.Styles, code_rows: list[list[object]]
) -> bytes | None:
    """styles.xml as it was before dyxx prepare, when prepare's record on the code sheet
    says so and nothing uses what prepare added any more; else None."""
    record = prepared_record(code_rows[:1])
    if record is None or styles.changed():
        return None
    if sha256(styles.source).hexdigest() != record["hash"]:
        return None  # saved since prepare: the entries may be in use under other numbers
    limits = {
        "s": record["styles"]["cellXfs"][0],
        "style": record["styles"]["cellXfs"][0],
        "dxfId": record["styles"]["dxfs"][0],
    }
    for part in xparts.worksheet_parts(package):
        for match in STYLE_USE.finditer(package.read(part)):
            if int(match.group(2)) >= limits[match.group(1).decode()]:
                return None
    try:
        return styles.restored(record["styles"])
    except ValueError:
        return None
