"""Reading the 校验记录 stamp of ``dyxx check -o`` (see :mod:`addin.write.marked.annotate`).

The stamp is a two-column sheet of summary rows (校验时间, 结论, 数据指纹 …); a hidden
ledger sheet, two columns too, holds the 【行指纹】 record (row hashes, for ``dyxx
verify``) and the 【标注记录】 record (each marked cell's style before, for ``dyxx clean``).
Marked copies written before the ledger, and the Excel button's stamp, hold those records
below the summary rows: they are read from either place. A stamp is read from a
file that may have been edited or forged, so every record is checked and a bad
one is a :class:`WorkbookError`, never a crash.

The stamp sheet is found by what it holds (:mod:`addin.read.ownsheets`), so an
officer's own sheet called 校验记录 is never taken for it. The words of the records
are :mod:`addin.write.marked.format`'s; this is their one parser.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml.ElementTree import fromstring
from python_calamine import CalamineWorkbook

from addin.engine.report import GAP
from addin.model.errors import WorkbookError
from addin.read import ownsheets
from addin.read.ownsheets import STAMP_SHEET
from addin.values import cells as values
from addin.write.marked.format import (
    CELL_TAG,
    FILE_FINGERPRINT,
    FILL_COUNT,
    FILL_TAG,
    PASSED,
    PRINT_TITLES,
    ROW_FINGERPRINTS,
    SHEET_PARTS,
    SPLICE_TAG,
    STYLE_COUNT,
    STYLES_HASH,
    VERDICT,
    VML_TYPE_TAG,
    WRITER,
    YES,
)
from addin.xlsx import source as sources
from addin.xlsx.package import Rewriter

DAMAGED = "“校验记录”（及隐藏的“校验数据”）工作表中的记录已损坏或被改动，无法使用"
CELL_REF = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}")


@dataclass(frozen=True)
class TablePrints:
    """The row hashes of one table at the time of the check: one per sheet row from the
    first record on, :data:`addin.engine.report.GAP` for a row that held no record."""

    sheet: str
    kind: str
    first: int  # sheet row of the first record
    prints: list[str]

    def records(self) -> list[tuple[int, str]]:
        """(sheet row, hash) of each record."""
        return [(self.first + i, h) for i, h in enumerate(self.prints) if h != GAP]


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


@dataclass(frozen=True)
class SheetParts:
    """What the xml writer did to one sheet's parts."""

    sheet: str
    part: str
    comments: str  # the comments part
    drawing: str  # the VML drawing part
    rels_created: bool
    declared: bool  # xmlns:r was added to the sheet
    comments_new: bool = True  # False: our notes went into the sheet's own parts
    drawing_new: bool = True


@dataclass
class Stamp:
    items: dict[str, object] = field(default_factory=dict)
    tables: list[TablePrints] = field(default_factory=list)
    has_prints: bool = False
    writer: str | None = None  # "xml" or "openpyxl": how the cells were marked
    counts: dict[str, tuple[int, str]] = field(default_factory=dict)  # cellXfs / fills
    styles_hash: str = ""
    vml_added: bool = False
    sheet_parts: list[SheetParts] = field(default_factory=list)
    # part -> (its hash after the marks, [offset, length] of each insertion)
    splices: dict[str, tuple[str, list[list[int]]]] = field(default_factory=dict)
    cells: list[CellMark] = field(default_factory=list)
    sheet: str = STAMP_SHEET  # the stamp sheet's name
    titles: str | None = None  # what the print titles' <definedNames> replaced (xml writer)

    @property
    def passed(self) -> bool:
        return self.items.get(VERDICT) == PASSED

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
    elif tag == PRINT_TITLES:
        stamp.titles = str(_list(value, 1)[0])
    elif tag == VML_TYPE_TAG:
        stamp.vml_added = value == YES
    elif tag == SHEET_PARTS:
        items = _list(value, 6)
        flags = [flag == YES for flag in items[4:8]] + [True] * (8 - max(len(items), 6))
        stamp.sheet_parts.append(SheetParts(*map(str, items[:4]), *flags[:4]))
    elif tag == SPLICE_TAG:
        part, digest, joined = _list(value, 3)[:3]
        spans = [[int(n) for n in pair.split(":")] for pair in str(joined).split()]
        if any(len(pair) != 2 or min(pair) < 0 for pair in spans):
            raise ValueError("bad insertion places")
        known = stamp.splices.setdefault(str(part), (str(digest), []))
        known[1].extend(spans)
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


def read_stamp(loaded: sources.Source, own: dict[str, str] | None = None) -> Stamp | None:
    """The stamp of a loaded workbook, None when it has none (a stamp sheet is told by
    what it holds: :mod:`addin.read.ownsheets`). ``own``: the workbook's own sheets, when known.

    Its records are on the hidden ledger sheet, or (copies written before the ledger, and
    the Excel button's) below the summary on the stamp sheet itself: both are read."""
    if own is None:
        own = own_sheets(loaded)
    name = ownsheets.named(own, ownsheets.STAMP)
    ledger = ownsheets.named(own, ownsheets.LEDGER)
    if name is None and ledger is None:
        return None
    try:
        book = CalamineWorkbook.from_filelike(loaded.stream())
        rows = [] if name is None else _rows(book, name)
        kept = _rows(book, ledger)[1:] if ledger is not None else []  # below its marker
    except Exception:  # calamine raises several unrelated types
        raise WorkbookError(loaded.path, "无法读取，文件可能已损坏") from None
    if any(row and row[0] == ROW_FINGERPRINTS for row in rows):
        # the stamp holds its own hashes (the Excel button rewrote it since): the ledger's
        # are of an earlier check
        kept = [
            row for row in kept if not row or row[0] not in (ROW_FINGERPRINTS, FILE_FINGERPRINT)
        ]
    rows += kept
    stamp = parse(rows, loaded.path)
    stamp.sheet = name or ledger or STAMP_SHEET
    return stamp


def _rows(book: CalamineWorkbook, name: str) -> list[list[object]]:
    return book.get_sheet_by_name(name).to_python(skip_empty_area=False)


def own_sheets(loaded: sources.Source) -> dict[str, str]:
    """dyxx's own sheets of a loaded .xlsx (name -> kind)."""
    try:
        return ownsheets.package_sheets(Rewriter(loaded.data))
    except Exception:  # a package too damaged to follow
        raise WorkbookError(loaded.path, "无法读取，文件可能已损坏") from None


def checked_fill(xml: str, path: str | Path) -> bytes:
    """A fill recorded in the stamp, as XML safe to put back into styles.xml ("" for none).

    The stamp may be forged: anything but one plain <fill> element is refused."""
    if not xml:
        return b""
    try:
        element = fromstring(xml)
    except Exception:  # malformed, or an entity trick (defusedxml refuses it)
        raise WorkbookError(path, DAMAGED) from None
    if element.tag.rsplit("}", 1)[-1] != "fill" or "<!" in xml:
        raise WorkbookError(path, DAMAGED)
    return xml.encode("utf-8")
