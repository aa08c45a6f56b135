"""The marked copy without loading the workbook: the sheet XML is edited as bytes.

Only styles.xml (two fills, a copy of each flagged cell's style with that fill), the flagged
sheets (the cells' ``s`` attribute, notes: :mod:`addin.xlsx.notes`) and two new sheets (results
and stamp) change; every other part is copied byte for byte. What was changed is recorded in the
stamp's 【标注记录】 rows (:func:`record_rows`) so ``dyxx clean`` can undo it exactly. Why not
openpyxl, and what the record holds: ARCHITECTURE.md, "The marked copy".
"""

from __future__ import annotations

import operator
import re
from bisect import bisect_left
from hashlib import sha256
from itertools import accumulate, groupby, repeat

from addin.model import a1
from addin.model.a1 import column_letter
from addin.write import printing
from addin.write.marked.format import (
    CELL_TAG,
    FILL_COUNT,
    FILL_TAG,
    INSERTED_CELL,
    INSERTED_ROW,
    MARK_COLOURS,
    MARKS_NOTE,
    MARKS_TAG,
    NO,
    NOTE_AUTHOR,
    PRINT_TITLES,
    SHEET_PARTS,
    SPANS_PER_ROW,
    SPLICE_TAG,
    STYLE_COUNT,
    STYLES_HASH,
    VML_TYPE_TAG,
    WRITER,
    YES,
    packed,
    solid_fill,
)
from addin.xlsx import parts as xparts
from addin.xlsx.notes import VML_TYPE, Notes, idmaps
from addin.xlsx.package import Rewriter
from addin.xlsx.parts import MAIN, REL, TooManyFormats, Unsupported
from addin.xlsx.sheet import numbered

# Elements that come after <legacyDrawing> in a worksheet (CT_Worksheet order).
AFTER_LEGACY = (
    b"<legacyDrawingHF",
    b"<picture",
    b"<oleObjects",
    b"<controls",
    b"<webPublishItems",
    b"<tableParts",
    b"<extLst",
    b"</worksheet>",
)
ROW_WITHOUT_NUMBER = re.compile(rb'<row\b(?! r=")')
TAIL_WINDOW = 16 * 1024**2  # what may follow </sheetData>: merges, validations, formats ...
Piece = bytes | memoryview
STYLE = re.compile(rb'\ss="(\d+)"')
CELL_REF = re.compile(rb'<c r="([A-Z]+\d+)"')
PLAIN_RESERVE = 200  # cell formats kept free for marks that keep only a number format


def mark(
    data: bytes,
    notes: dict[tuple[str, str], tuple[str, str]],
    results: tuple[tuple[object, ...], list[tuple[object, ...]], list[str]],
    stamp: tuple[tuple[object, ...], list[tuple[str, object]]],
    widths: tuple[tuple[int, ...], tuple[int, ...]],
    names: tuple[str, str, str],
    macros: bool | None = None,
    inflated: dict[str, bytes] | None = None,
    ledger: tuple[tuple[object, ...], list[tuple[str, object]]] = ((), []),
    wrapped: tuple[tuple[int, ...], tuple[int, ...]] = ((), ()),
) -> bytes:
    """The new package: ``notes`` marked, plus the results and stamp sheets and the hidden
    ledger (``names``, which must be free). The ledger holds ``ledger``'s marker row and rows,
    then the 【标注记录】 rows. ``wrapped``: the columns of the results and stamp sheets whose
    text wraps (their rows get the heights it needs). ``macros`` sets the workbook's type
    (.xlsm or .xlsx); ``inflated``: parts of ``data`` already inflated (see :class:`Rewriter`)."""
    package = Rewriter(data, inflated)
    types = xparts.ContentTypes(package)
    book = xparts.Book(package)
    parts = {sheet.name: sheet.part for sheet in book.sheets}
    if any(name in parts for name in names):
        raise Unsupported("the workbook already has a sheet of that name")
    styles = _Styles(package.read("xl/styles.xml"))
    by_sheet: dict[str, dict[str, tuple[str, str]]] = {}
    for (sheet, cell), note in notes.items():
        by_sheet.setdefault(sheet, {})[cell] = note
    sheets, spliced = [], []
    vml_added = False
    shape_blocks = idmaps(package)
    for sheet, cells in sorted(by_sheet.items()):
        styles.sheet = sheet
        added, splices, vml = _mark_sheet(package, parts[sheet], cells, styles, types, shape_blocks)
        sheets.append((sheet, *added))
        spliced += splices
        vml_added = vml_added or vml
    package.inflated.clear()  # the sheets without marks are not read again
    wrap = styles.styles.cell_format(WRAP_XF) if any(wrapped) else 0
    styles_xml = styles.xml()
    header, rows, links = results
    results_sheet = Table(header, rows, widths[0], (wrap, wrapped[0]), landscape=True)
    book.add(names[0], results_sheet.xml(links), types)
    titles = book.print_titles(names[0], "$1:$1")  # the header on every page
    stamp_header, stamp_rows = stamp
    book.add(names[1], Table(stamp_header, stamp_rows, widths[1], (wrap, wrapped[1])).xml(), types)
    marker, ledger_rows = ledger
    record = record_rows(styles, sheets, vml_added, styles_xml, spliced, titles)
    recorded = [*ledger_rows, (), *record]
    ledger_sheet = Table(marker, recorded, LEDGER_WIDTHS, frozen=False)
    book.add(names[2], ledger_sheet.xml(), types, hidden=True)
    book.save()
    package.put("xl/styles.xml", styles_xml)
    if macros is not None:
        types.book_type(macros)
    types.save()
    return package.finish()


def record_rows(
    styles: _Styles,
    sheets: list[tuple[str, ...]],
    vml_added: bool,
    styles_xml: bytes,
    spliced: list[tuple[str, str, list[list[int]]]] = (),  # type: ignore[assignment]
    titles: str | None = None,
) -> list[tuple[str, str]]:
    """The 【标注记录】 rows: what this writer changed, enough to undo it exactly.

    Two columns like the rest of the stamp sheet: a tag, then the values (a JSON
    list where there are several).
    """
    rows: list[tuple[str, str]] = [
        (MARKS_TAG, MARKS_NOTE),
        (WRITER, "xml"),
        (STYLE_COUNT, packed(styles.original_xfs, styles.styles.count_attribute("cellXfs"))),
        (FILL_COUNT, packed(styles.original_fills, styles.styles.count_attribute("fills"))),
        (STYLES_HASH, sha256(styles_xml).hexdigest()),
        (VML_TYPE_TAG, YES if vml_added else NO),
    ]
    rows += [(SHEET_PARTS, packed(*info)) for info in sheets]
    if titles is not None:  # the defined names' list was added, or replaced an empty one
        rows.append((PRINT_TITLES, packed(titles)))
    for part, digest, spans in spliced:
        for start in range(0, max(len(spans), 1), SPANS_PER_ROW):
            chunk = " ".join(f"{o}:{n}" for o, n in spans[start : start + SPANS_PER_ROW])
            rows.append((SPLICE_TAG, packed(part, digest, chunk)))
    fills: dict[bytes, int] = {}
    numbers: dict[int, int] = {}  # the style shown -> the number of its fill
    cells = []
    for sheet, ref, original, shown, marked, inserted, note in styles.log:
        number = numbers.get(shown)
        if number is None:
            fill = styles.styles.fill_xml(shown)
            number = numbers[shown] = fills.setdefault(fill, len(fills) + 1)
        kept = "" if original is None else original
        cells.append((CELL_TAG, cell_record(sheet, ref, kept, marked, inserted, number, note)))
    rows += [(FILL_TAG, packed(number, fill.decode("utf-8"))) for fill, number in fills.items()]
    return rows + cells


def cell_record(
    sheet: str, ref: str, kept: int | str, marked: int, inserted: str, number: int, note: tuple
) -> str:
    """``packed(sheet, ref, kept, marked, inserted, number, *note)``, the JSON written from a
    template where it can be (a cell reference and numbers need no escaping)."""
    if note or not (ref.isascii() and ref.isalnum()) or kept.__class__ not in (int, str):
        return packed(sheet, ref, kept, marked, inserted, number, *note)
    if kept.__class__ is str and kept:
        return packed(sheet, ref, kept, marked, inserted, number)
    return (
        f'[{_quoted(sheet)}, "{ref}", {_quoted(kept) if kept == "" else kept}, {marked:d}, '
        f"{_quoted(inserted)}, {number:d}]"
    )


_QUOTED: dict[object, str] = {}


def _quoted(value: str) -> str:
    """A string as JSON (``packed`` writes it so), remembered: sheet names and kinds repeat."""
    found = _QUOTED.get(value)
    if found is None:
        found = _QUOTED[value] = packed(value)[1:-1]
    return found


# ---- styles ------------------------------------------------------------------------------------


class _Styles:
    """styles.xml while marking: a marked copy of each style, and a log of every cell."""

    def __init__(self, xml: bytes) -> None:
        self.styles = xparts.Styles(xml)
        self.original_xfs = self.styles.count("cellXfs")
        self.original_fills = self.styles.count("fills")
        self.sheet = ""  # the sheet being marked, for the log
        # (sheet, cell, original style or None when inserted, style shown before, new style,
        # "" or INSERTED_CELL/INSERTED_ROW, (own note's length, author) or ()) per flagged cell
        self.log: list[tuple[str, str, int | None, int, int, str, tuple]] = []
        self.notes: dict[tuple[str, str], tuple[int, str]] = {}
        self.marked: dict[tuple[int, str], int] = {}

    def marked_style(self, style: int, severity: str) -> int:
        """The index of a copy of cell style ``style`` with the severity's fill.

        Near Excel's limit of cell formats, cells of different looks share a marked
        style that keeps only their number format (dates stay dates)."""
        key = (style, severity)
        if key not in self.marked:
            fill = self.styles.fill(solid_fill(MARK_COLOURS[severity]))
            if self.styles.count("cellXfs") < xparts.MAX_CELL_FORMATS - PLAIN_RESERVE:
                self.marked[key] = self.styles.variant(style, fillId=fill)
            else:
                self.marked[key] = self._plain(style, fill)
        return self.marked[key]

    def _plain(self, style: int, fill: int) -> int:
        number = self.styles.xf_attribute(style, "numFmtId")
        xf = (
            f'<xf numFmtId="{number}" fontId="0" fillId="{fill}" borderId="0" xfId="0" '
            f'applyNumberFormat="1" applyFill="1"/>'
        ).encode()
        return self.styles.cell_format(xf)  # TooManyFormats: no room at all

    def note(self, ref: str, original: int | None, shown: int, marked: int, inserted: str) -> None:
        self.log.append((self.sheet, ref, original, shown, marked, inserted, ()))

    def xml(self) -> bytes:
        if self.notes:
            self.log = [
                (*entry[:6], self.notes.get((entry[0], entry[1]), ())) for entry in self.log
            ]
        return self.styles.xml()


# ---- marking one sheet ---------------------------------------------------------------------------


def _mark_sheet(
    package: Rewriter,
    part: str,
    cells: dict[str, tuple[str, str]],
    styles: _Styles,
    types: xparts.ContentTypes,
    shape_blocks: set[int],
) -> tuple[tuple[str, ...], list[tuple[str, str, list[list[int]]]], bool]:
    """Mark one sheet. Returns what its 批注部件 record holds (part, comments part, VML part,
    relationships part created, xmlns:r added, comments part new, VML part new), the
    insertions into parts that were there, and whether the vml content type was added."""
    raw = package.read(part)
    xml = numbered(raw)
    rels = xparts.Rels(package, part)
    notes = Notes(package, xml, types, rels)
    by_row: dict[int, dict[int, str]] = {}
    for ref, (severity, _note) in cells.items():
        row, column = a1.position(ref)
        by_row.setdefault(row, {})[column] = severity
    pieces = _restyle(xml, by_row, styles, looked=xml is raw)
    for ref, (_severity, note) in cells.items():
        own = notes.notes.get(ref) if not notes.comments_new else None
        length = notes.add(ref, note, NOTE_AUTHOR)
        if length is not None and own is not None:
            styles.notes[(styles.sheet, ref)] = (length, own.author)
    notes.finish(NOTE_AUTHOR, shape_blocks)
    made_comments, vml_id = notes.save()
    spliced = [
        (name, sha256(package.read(name)).hexdigest(), edits.spans())
        for name, edits, new in (
            (notes.comments_part, notes.comments, notes.comments_new),
            (notes.vml_part, notes.vml, notes.vml_new),
        )
        if edits and not new
    ]
    declared = False
    if vml_id is not None:
        marked, declared = _with_legacy_drawing(pieces, vml_id)
    else:
        marked = b"".join(pieces)
    package.put(part, marked)  # compressed in the background from here
    rels.save()
    vml_added = vml_id is not None and types.default("vml", VML_TYPE)
    added = (
        part,
        notes.comments_part,
        notes.vml_part,
        YES if not rels.existed else NO,
        YES if declared else NO,
        YES if made_comments else NO,
        YES if vml_id is not None else NO,
    )
    return added, spliced, vml_added


def _restyle(
    xml: bytes, by_row: dict[int, dict[int, str]], styles: _Styles, looked: bool = False
) -> list[Piece]:
    """Give each flagged cell its marked style; insert missing cells and rows.

    Returns the new XML in pieces: slices of the old one (not copied) and the
    edited rows. ``looked``: :func:`numbered` found every row numbered already.
    """
    start = xml.find(b"<sheetData")
    if start < 0:
        raise Unsupported("no sheetData")
    if not looked and ROW_WITHOUT_NUMBER.search(xml, start):
        raise Unsupported("rows without a leading r attribute")
    view = memoryview(xml)
    pieces: list[Piece] = [view[:start]]
    position = start
    for row in sorted(by_row):
        cells = by_row[row]
        found = _find_row(xml, row, position)
        if found is None:  # the row is not in the XML: insert it before the next row
            insert_at = _next_row_start(xml, row, position)
            pieces.append(view[position:insert_at])
            pieces.append(_new_row(row, cells, styles))
            position = insert_at
            continue
        row_start, row_end = found
        heads = _cell_heads(xml, row, cells, row_start, row_end)
        if heads is None:  # a flagged cell is not in the XML: edit the row
            pieces.append(view[position:row_start])
            pieces.append(restyle_row(xml[row_start:row_end], row, cells, styles))
            position = row_end
            continue
        for head_start, head_end, column in heads:  # restyle just their tags (fast)
            pieces.append(view[position:head_start])
            pieces.append(_set_style(xml[head_start:head_end], styles, cells[column]))
            position = head_end
    pieces.append(view[position:])
    return pieces


def _cell_heads(
    xml: bytes, row: int, cells: dict[int, str], position: int, row_end: int
) -> list[tuple[int, int, int]] | None:
    """(start, end, column) of the opening tag of each flagged cell of the row that runs
    from ``position`` to ``row_end``, in order; None when one of them is not in the XML."""
    heads = []
    for column in sorted(cells):
        start = xml.find(b'<c r="%s%d"' % (_letters(column), row), position, row_end)
        if start < 0:
            return None
        position = xml.find(b">", start) + 1
        heads.append((start, position, column))
    return heads


def _letters(column: int) -> bytes:
    found = _LETTERS.get(column)
    if found is None:
        found = _LETTERS[column] = column_letter(column).encode()
    return found


_LETTERS: dict[int, bytes] = {}


def _find_row(xml: bytes, row: int, position: int) -> tuple[int, int] | None:
    """Start and end of ``<row r="row" ...>...</row>`` at or after ``position``."""
    start = xml.find(b'<row r="%d"' % row, position)
    if start < 0:
        return None
    head_end = xml.find(b">", start)
    if xml[head_end - 1 : head_end] == b"/":
        return start, head_end + 1
    return start, xml.find(b"</row>", head_end) + len(b"</row>")


def _next_row_start(xml: bytes, row: int, position: int) -> int:
    for match in re.finditer(rb'<row r="(\d+)"', xml[position:]):
        if int(match.group(1)) > row:
            return position + match.start()
    end = xml.find(b"</sheetData>", position)
    if end < 0:  # <sheetData/>: open it
        raise Unsupported("empty sheetData")
    return end


def _new_row(row: int, cells: dict[int, str], styles: _Styles) -> bytes:
    body = []
    for column in sorted(cells):
        style = styles.marked_style(0, cells[column])
        styles.note(f"{column_letter(column)}{row}", None, 0, style, INSERTED_ROW)
        body.append(f'<c r="{column_letter(column)}{row}" s="{style}"/>'.encode())
    return f'<row r="{row}">'.encode() + b"".join(body) + b"</row>"


def restyle_row(segment: bytes, row: int, cells: dict[int, str], styles: _Styles) -> bytes:
    """A row with its flagged cells restyled and the missing ones inserted in column order
    (before the first cell of a later column). Only the cells' opening tags are looked at."""
    if segment.count(b"<c ") + segment.count(b"<c>") != segment.count(b'<c r="'):
        raise Unsupported("cells without a leading r attribute")
    if segment.endswith(b"/>") and b"</row>" not in segment:
        segment = segment[:-2] + b"></row>"
    head_end = segment.find(b">") + 1
    body_end = len(segment) - len(b"</row>")
    default = STYLE.search(segment, 0, head_end)
    row_style = (
        int(default.group(1)) if default and b'customFormat="1"' in segment[:head_end] else 0
    )
    heads = _heads(segment, head_end, body_end)
    if heads is None:
        return _restyle_cells(segment, row, cells, styles, head_end, row_style)
    starts, columns = heads
    out: list[bytes] = []
    position = 0
    for column in sorted(cells):
        at = bisect_left(columns, column)
        start = starts[at] if at < len(starts) else body_end
        out.append(segment[position:start])
        if at < len(columns) and columns[at] == column:
            position = segment.find(b">", start) + 1
            out.append(_set_style(segment[start:position], styles, cells[column]))
        else:
            position = start
            out.append(_inserted(column, row, row_style, cells, styles))
    out.append(segment[position:])
    return b"".join(out)


def _heads(segment: bytes, head_end: int, body_end: int) -> tuple[list[int], list[int]] | None:
    """Where each cell of a row starts, and its column, when the columns ascend (as the
    schema has them; found without a loop over the cells); None otherwise."""
    letters = CELL_HEAD.findall(segment, head_end, body_end)
    pieces = segment[head_end:body_end].split(b'<c r="')
    if len(pieces) != len(letters) + 1:
        return None
    columns = [_COLUMNS.get(letter) or _column(letter) for letter in letters]
    if not all(map(operator.lt, columns, columns[1:])):
        return None
    ends = accumulate(map(len, pieces[:-1]))  # of the text before each cell's '<c r="'
    opening = len(b'<c r="')
    return list(
        map(operator.add, ends, range(head_end, head_end + opening * len(letters), opening))
    ), columns


def _restyle_cells(
    segment: bytes, row: int, cells: dict[int, str], styles: _Styles, head_end: int, row_style: int
) -> bytes:
    """:func:`restyle_row` going over every cell in turn (cells not in column order)."""
    body_end = len(segment) - len(b"</row>")
    missing = sorted(cells)  # flagged columns not met yet
    out: list[bytes] = [segment[:head_end]]
    position = head_end
    for match in CELL_HEAD.finditer(segment, head_end, body_end):
        column = _COLUMNS.get(match.group(1)) or _column(match.group(1))
        if missing and missing[0] < column:
            out.append(segment[position : match.start()])
            position = match.start()
            while missing and missing[0] < column:
                out.append(_inserted(missing.pop(0), row, row_style, cells, styles))
        if column in cells:
            close = segment.find(b">", match.end()) + 1
            out.append(segment[position : match.start()])
            out.append(_set_style(segment[match.start() : close], styles, cells[column]))
            position = close
            if missing and missing[0] == column:
                missing.pop(0)
    out.append(segment[position:body_end])
    out += [_inserted(column, row, row_style, cells, styles) for column in missing]
    out.append(b"</row>")
    return b"".join(out)


CELL_HEAD = re.compile(rb'<c r="([A-Z]+)\d+"')
_COLUMNS: dict[bytes, int] = {}


def _column(letters: bytes) -> int:
    _COLUMNS[letters] = number = a1.column_number(letters)
    return number


def _inserted(
    column: int, row: int, row_style: int, cells: dict[int, str], styles: _Styles
) -> bytes:
    style = styles.marked_style(row_style, cells[column])
    styles.note(f"{column_letter(column)}{row}", None, row_style, style, INSERTED_CELL)
    return f'<c r="{column_letter(column)}{row}" s="{style}"/>'.encode()


def _set_style(cell: bytes, styles: _Styles, severity: str) -> bytes:
    head_end = cell.find(b">")
    head = cell[:head_end]
    current = STYLE.search(head)
    original = int(current.group(1)) if current else None
    style = styles.marked_style(original or 0, severity)
    ref = CELL_REF.match(head)
    styles.note(ref.group(1).decode() if ref else "", original, original or 0, style, "")
    if current:
        head = head[: current.start()] + f' s="{style}"'.encode() + head[current.end() :]
    else:
        head = head.rstrip(b"/") + f' s="{style}"'.encode() + (b"/" if head.endswith(b"/") else b"")
    return head + cell[head_end:]


def _with_legacy_drawing(pieces: list[Piece], rel_id: str) -> tuple[bytes, bool]:
    """The sheet with its <legacyDrawing>, and whether xmlns:r had to be declared.

    ``pieces[0]`` holds the root element, ``pieces[-1]`` the end of the sheet data.
    """
    head = bytes(pieces[0])
    root_end = head.find(b">", head.find(b"<worksheet"))
    root = head[:root_end]
    prefix = re.search(rb'xmlns:(\w+)="' + REL.encode() + b'"', root)
    declared = False
    if prefix:
        name = prefix.group(1).decode()
    else:
        name = "r"
        if b"xmlns:r=" in root:
            raise Unsupported("prefix r is bound to another namespace")
        head = head[:root_end] + f' xmlns:r="{REL}"'.encode() + head[root_end:]
        declared = True
    element = f'<legacyDrawing {name}:id="{rel_id}"/>'.encode()
    last = pieces[-1]
    tail_bytes = bytes(last[-TAIL_WINDOW:]) if len(last) > TAIL_WINDOW else bytes(last)
    offset = len(last) - len(tail_bytes)
    tail = tail_bytes.rfind(b"</sheetData>")
    if tail < 0:
        raise Unsupported("the sheet's tail is too long to find")
    at = offset + min(p for p in (tail_bytes.rfind(tag, tail) for tag in AFTER_LEGACY) if p >= 0)
    return b"".join([head, *pieces[1:-1], last[:at], element, last[at:]]), declared


# ---- the new sheets ------------------------------------------------------------------------------


WRAP_XF = (
    b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    b'<alignment vertical="top" wrapText="1"/></xf>'
)
LEDGER_WIDTHS = (22, 100)


class Table:
    """One of the new sheets: a header row (frozen), rows of values, column widths. With
    ``wrap`` (style, columns) every cell has the (wrapping) style and each row is as tall
    as the text of those columns needs (:mod:`addin.write.printing`). Printed on A4, one
    page wide."""

    def __init__(
        self,
        header: tuple[object, ...],
        rows: list[tuple[object, ...]],
        widths: tuple[int, ...],
        wrap: tuple[int, tuple[int, ...]] = (0, ()),
        *,
        landscape: bool = False,
        frozen: bool = True,
    ) -> None:
        self.rows = [header, *rows]
        self.widths, self.wrap, self.landscape, self.frozen = widths, wrap, landscape, frozen

    def xml(self, links: list[str] | None = None) -> bytes:
        widths = self.widths
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
            for i, w in enumerate(widths, 1)
        )
        style, columns = self.wrap
        every = dict.fromkeys(range(1, len(widths) + 1), style)  # all aligned alike
        body = sheet_rows(self.rows, every if columns else None)
        if columns:
            _fit(body, self.rows, [(c, widths[c - 1]) for c in columns])
        hyperlinks = ""
        if links:
            hyperlinks = (
                "<hyperlinks>"
                + "".join(
                    f'<hyperlink ref="C{n}" location={quoted} display={quoted}/>'
                    for n, quoted in enumerate(map(_attribute, links), start=2)
                )
                + "</hyperlinks>"
            )
        pane = (
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            if self.frozen
            else ""
        )
        properties, page = printing.page_setup_xml(self.landscape)
        last = column_letter(len(widths))
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}">{properties}'
            f'<dimension ref="A1:{last}{len(self.rows)}"/>'
            f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
            f"<cols>{cols}</cols><sheetData>{''.join(body)}</sheetData>"
            f"{hyperlinks}{page}</worksheet>"
        ).encode()


def _fit(body: list[str], rows: list[tuple[object, ...]], columns: list[tuple[int, int]]) -> None:
    """Give the rows whose wrapped text takes more than a line the height it needs."""
    needed: dict[tuple[object, int], int] = {}  # (text, width) -> lines: texts repeat
    for index, row in enumerate(rows):
        most = 1
        for column, width in columns:
            value = row[column - 1] if column <= len(row) else None
            if value.__class__ is not str or (len(value) * 2 < width - 1 and "\n" not in value):
                continue  # surely one line
            count = needed.get((value, width))
            if count is None:
                count = needed[(value, width)] = printing.lines(value, width)
            most = max(most, count)
        if most > 1:
            head = f'<row r="{index + 1}">'
            body[index] = (
                f'<row r="{index + 1}" ht="{printing.points(most)}" customHeight="1">'
                + body[index][len(head) :]
            )


LETTERS = [column_letter(c) for c in range(1, 27)]


def sheet_rows(rows: list[tuple[object, ...]], styled: dict[int, int] | None = None) -> list[str]:
    """Rows 1, 2, … of inline-string and number cells (None and booleans are left out);
    ``styled``: column -> the style of its cells.

    Consecutive rows of the same types of values are written together, a column at a
    time: a text that repeats in a column is escaped once.
    """
    kinds = list(map(tuple, map(map, repeat(type), rows)))
    out: list[str] = []
    number = 1
    for kind, run in groupby(range(len(rows)), kinds.__getitem__):
        at = list(run)
        key = (kind, tuple(sorted(styled.items()))) if styled else (kind, ())
        template = _ROW_TEMPLATES.get(key)
        if template is None:
            template = _ROW_TEMPLATES[key] = row_template(kind, styled)
        columns = [_column_texts(column) for column in zip(*[rows[i] for i in at], strict=True)]
        numbers = range(number, number + len(at))
        out += map(template.format, numbers, *columns) if columns else map(template.format, numbers)
        number += len(at)
    return out


def _column_texts(column: tuple[object, ...]) -> list[object]:
    """:func:`_cell_text` of each value of a column of one type."""
    distinct = set(column)
    if len(distinct) * 2 > len(column):
        return list(map(_cell_text, column))
    texts = {value: _cell_text(value) for value in distinct}
    return list(map(texts.__getitem__, column))


_ROW_TEMPLATES: dict[tuple[tuple[type, ...], tuple[tuple[int, int], ...]], str] = {}


def row_template(kinds: tuple[type, ...], styled: dict[int, int] | None = None) -> str:
    """A format string for rows whose cells have these types: {0} is the row number;
    ``styled``: column -> the style of its cells."""
    cells = []
    for column, kind in enumerate(kinds, start=1):
        letter = LETTERS[column - 1] if column <= len(LETTERS) else column_letter(column)
        if kind is type(None) or issubclass(kind, bool):
            continue
        style = f' s="{styled[column]}"' if styled and column in styled else ""
        if issubclass(kind, int | float):
            cells.append(f'<c r="{letter}{{0}}"{style}><v>{{{column}}}</v></c>')
        else:
            cells.append(
                f'<c r="{letter}{{0}}"{style} t="inlineStr"><is><t xml:space="preserve">'
                f"{{{column}}}</t></is></c>"
            )
    return '<row r="{0}">' + "".join(cells) + "</row>"


def _cell_text(value: object) -> object:
    if value.__class__ is str:
        return _text(value)  # type: ignore[arg-type]
    if value is None or isinstance(value, int | float):
        return value
    return _text(str(value))


_attribute = xparts.attribute
_text = xparts.text


__all__ = ["TooManyFormats", "Unsupported", "mark", "record_rows"]
