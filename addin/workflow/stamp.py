"""Reading the 校验记录 stamp that ``dyxx check -o`` writes (see :mod:`addin.annotate`).

The stamp is a two-column sheet: summary rows (校验时间, 结论, 数据指纹 …), then
the 【行指纹】 record (row hashes, for ``dyxx verify``) and the 【标注记录】 record
(each marked cell's style before, for ``dyxx clean``). A stamp is read from a
file that may have been edited or forged, so every record is checked and a bad
one is a :class:`WorkbookError`, never a crash.

:func:`unmark_workbook` undoes the marks in an openpyxl workbook by the record:
the cell fills come back and our notes go (a note the cell had before is cut
back to its own text). It is used by ``dyxx clean`` when the package cannot be
restored byte for byte, and by ``dyxx check -o`` on a copy that was marked before.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml.ElementTree import fromstring
from openpyxl.comments import Comment
from openpyxl.styles.fills import Fill, PatternFill
from openpyxl.workbook import Workbook
from python_calamine import CalamineWorkbook

from addin import source as sources
from addin import values
from addin.annotate import (
    FILE_FINGERPRINT,
    FILLS,
    NOTE_AUTHOR,
    ROW_FINGERPRINTS,
    STAMP_SHEET,
)
from addin.errors import WorkbookError
from addin.xlsxmark import (
    CELL_TAG,
    FILL_COUNT,
    FILL_TAG,
    SHEET_PARTS,
    STYLE_COUNT,
    STYLES_HASH,
    VML_TYPE_TAG,
    WRITER,
    YES,
)

MARK_COLOURS = frozenset(f.fgColor.rgb[-6:] for f in FILLS.values())
NOTE_PREFIXES = ("【错误】", "【警告】")
DAMAGED = "“校验记录”工作表中的记录已损坏或被改动，无法使用"
CELL_REF = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}")


@dataclass(frozen=True)
class TablePrints:
    """The row hashes of one table at the time of the check."""

    sheet: str
    kind: str
    first: int  # sheet row of the first record
    prints: list[str]


@dataclass(frozen=True)
class CellMark:
    sheet: str
    ref: str
    original: int | None  # style number before (xml writer); None: none or inserted
    marked: int | None  # style number given (xml writer)
    inserted: str  # "", "单元格" or "行" (xml writer)
    fill: str  # the fill XML before
    note_length: int | None  # the length of the cell's own note (openpyxl writer)
    note_author: str


@dataclass
class Stamp:
    items: dict[str, object] = field(default_factory=dict)
    tables: list[TablePrints] = field(default_factory=list)
    has_prints: bool = False
    writer: str | None = None  # "xml" or "openpyxl": how the cells were marked
    counts: dict[str, tuple[int, str]] = field(default_factory=dict)  # cellXfs / fills
    styles_hash: str = ""
    vml_added: bool = False
    sheet_parts: list[tuple[str, str, str, str, bool, bool]] = field(default_factory=list)
    cells: list[CellMark] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.items.get("结论") == "通过"

    def text(self, key: str) -> str:
        return values.text(self.items.get(key))


def parse(rows: Iterable[Sequence[object]], path: str | Path) -> Stamp:
    """The stamp from the rows of its sheet (the header row included)."""
    stamp = Stamp()
    fills: dict[int, str] = {}
    pending: list[list[object]] = []
    for row in rows:
        tag = row[0] if row else None
        value = row[1] if len(row) > 1 else None
        if not isinstance(tag, str) or not tag:
            continue
        try:
            if tag == ROW_FINGERPRINTS:
                stamp.tables.append(_prints(_list(value, 5)))
                stamp.has_prints = True
            elif tag == CELL_TAG:
                pending.append(_list(value, 6))
            elif tag == FILL_TAG:
                number, xml = _list(value, 2)
                fills[int(number)] = str(xml)
            else:
                _item(stamp, tag, value)
        except (ValueError, TypeError):
            raise WorkbookError(path, DAMAGED) from None
    try:
        stamp.cells = [_cell(item, fills) for item in pending]
    except (ValueError, TypeError, KeyError):
        raise WorkbookError(path, DAMAGED) from None
    return stamp


def _list(value: object, least: int) -> list[object]:
    items = json.loads(str(value))
    if not isinstance(items, list) or len(items) < least:
        raise ValueError("short record")
    return items


def _prints(items: list[object]) -> TablePrints:
    sheet, kind, first, count, joined = items[:5]
    prints = str(joined).split()
    if kind not in ("members", "orgs") or len(prints) != int(count):  # type: ignore[arg-type]
        raise ValueError("bad fingerprints")
    return TablePrints(str(sheet), str(kind), int(first), prints)  # type: ignore[arg-type]


def _item(stamp: Stamp, tag: str, value: object) -> None:
    if tag == FILE_FINGERPRINT:
        stamp.has_prints = True
    if tag == WRITER:
        stamp.writer = str(value)
    elif tag in (STYLE_COUNT, FILL_COUNT):
        number, attribute = _list(value, 2)[:2]
        stamp.counts[tag] = (int(number), str(attribute))  # type: ignore[arg-type]
    elif tag == STYLES_HASH:
        stamp.styles_hash = str(value)
    elif tag == VML_TYPE_TAG:
        stamp.vml_added = value == YES
    elif tag == SHEET_PARTS:
        sheet, part, comments, drawing, created, declared = _list(value, 6)[:6]
        stamp.sheet_parts.append(
            (str(sheet), str(part), str(comments), str(drawing), created == YES, declared == YES)
        )
    elif tag not in stamp.items:
        stamp.items[tag] = value


def _number(value: object) -> int | None:
    return None if value in ("", None) else int(value)  # type: ignore[arg-type]


def _cell(items: list[object], fills: dict[int, str]) -> CellMark:
    sheet, ref, original, marked, inserted, fill = items[:6]
    if not isinstance(ref, str) or not CELL_REF.fullmatch(ref):
        raise ValueError("not a cell reference")
    note = items[6:8] if len(items) >= 8 else ["", ""]
    return CellMark(
        sheet=str(sheet),
        ref=str(ref),
        original=_number(original),
        marked=_number(marked),
        inserted=str(inserted or ""),
        fill=fills[int(fill)],  # type: ignore[arg-type]
        note_length=_number(note[0]),
        note_author=str(note[1] or ""),
    )


def read_stamp(loaded: sources.Source) -> Stamp | None:
    """The stamp of a loaded workbook, None when it has no 校验记录 sheet."""
    try:
        book = CalamineWorkbook.from_filelike(loaded.stream())
        if STAMP_SHEET not in book.sheet_names:
            return None
        rows = book.get_sheet_by_name(STAMP_SHEET).to_python(skip_empty_area=False)
    except Exception:  # calamine raises several unrelated types
        raise WorkbookError(loaded.path, "无法读取，文件可能已损坏") from None
    return parse(rows, loaded.path)


def stamp_of(workbook: Workbook, path: str | Path = "") -> Stamp | None:
    if STAMP_SHEET not in workbook.sheetnames:
        return None
    return parse(workbook[STAMP_SHEET].iter_rows(values_only=True), path)


@dataclass
class Unmarked:
    restored: int = 0  # fills put back
    notes: int = 0  # notes removed or cut back
    skipped: list[str] = field(default_factory=list)  # cells no longer as marked


def is_mark(fill: object) -> bool:
    """Whether a cell's fill (an openpyxl fill or its style proxy) is one of our marks."""
    if getattr(fill, "fill_type", None) != "solid":
        return False
    colour = getattr(getattr(fill, "fgColor", None), "rgb", None)
    return isinstance(colour, str) and colour[-6:].upper() in MARK_COLOURS


def is_our_note(comment: Comment | None) -> bool:
    if comment is None:
        return False
    lines = (comment.text or "").splitlines()
    return comment.author == NOTE_AUTHOR or any(line.startswith(NOTE_PREFIXES) for line in lines)


def _fill(xml: str, path: str | Path) -> Fill:
    if not xml:
        return PatternFill()
    try:
        fill = Fill.from_tree(fromstring(xml))
    except Exception:  # malformed, or an entity trick (defusedxml refuses it)
        raise WorkbookError(path, DAMAGED) from None
    if fill is None:
        raise WorkbookError(path, DAMAGED)
    return fill


def unmark_workbook(
    workbook: Workbook, stamp: Stamp | None = None, path: str | Path = ""
) -> Unmarked:
    """Put back each recorded cell's fill and note (openpyxl); the sheets stay.

    Raises :class:`WorkbookError` when the record is damaged.
    """
    done = Unmarked()
    stamp = stamp if stamp is not None else stamp_of(workbook, path)
    if stamp is None:
        return done
    for mark in stamp.cells:
        if mark.sheet not in workbook.sheetnames:
            done.skipped.append(f"{mark.sheet}!{mark.ref}")
            continue
        cell = workbook[mark.sheet][mark.ref]
        if not is_mark(cell.fill):
            done.skipped.append(f"{mark.sheet}!{mark.ref}")
            continue
        cell.fill = _fill(mark.fill, path)
        done.restored += 1
        if is_our_note(cell.comment):
            done.notes += 1
            if mark.note_length is None:
                cell.comment = None
            else:
                own = (cell.comment.text or "")[: mark.note_length]
                cell.comment = Comment(own, mark.note_author)
    return done
