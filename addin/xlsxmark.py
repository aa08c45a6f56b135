"""The marked copy without loading the workbook: the sheet XML is edited as bytes.

Loading and saving a 100,000-row workbook with openpyxl takes about a minute;
this writer touches only what the marks need and copies every other part of
the package byte for byte (see :mod:`addin.package`):

- ``xl/styles.xml``: two fills (red for errors, yellow for warnings) and, for
  each style a flagged cell had, a copy of it with that fill;
- each flagged sheet: the ``s`` attribute of the flagged cells (a cell that is
  not in the XML is inserted), a comments part with its VML drawing, and the
  relationships that tie them to the sheet;
- two new sheets, 校验结果 and 校验记录, written with inline strings.

What was changed is recorded at the end of the 校验记录 sheet (the 【标注记录】
rows, see :func:`record_rows`): each flagged cell's original style number (or
that the cell or row was inserted), the original fill, the parts added to each
sheet and the original counts of styles.xml. With it, ``dyxx clean`` restores
every changed part byte for byte; no cell value is recorded.

:class:`Unsupported` is raised for what this writer does not handle (a flagged
sheet that already has comments, an earlier 校验结果 sheet, rows or cells
without an ``r`` reference); the caller then uses the openpyxl writer.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from hashlib import sha256
from xml.sax.saxutils import quoteattr

from addin.findings import column_letter
from addin.package import Rewriter
from addin.source import sheet_parts

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"
FILL_COLOURS = {"error": "FFFFC7CE", "warning": "FFFFEB9C"}
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
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ROW_WITHOUT_NUMBER = re.compile(rb'<row\b(?! r=")')
TAIL_WINDOW = 16 * 1024**2  # what may follow </sheetData>: merges, validations, formats ...
Piece = bytes | memoryview
STYLE = re.compile(rb'\ss="(\d+)"')
CELL_REF = re.compile(rb'<c r="([A-Z]+\d+)"')
CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*?(?:/>|>.*?</c>)', re.S)
# The 【标注记录】 rows of the 校验记录 sheet: a tag in the first column, then the values.
MARKS_TAG = "【标注记录】"
MARKS_NOTE = "dyxx clean 据此恢复被标注单元格原来的样式；只记样式编号和填充，不含任何数据"
WRITER, STYLE_COUNT, FILL_COUNT, STYLES_HASH, VML_TYPE_TAG = (
    "标注方式",
    "原样式数",
    "原填充数",
    "样式表指纹",
    "VML类型",
)
SHEET_PARTS, FILL_TAG, CELL_TAG = "批注部件", "原填充", "标注单元格"
INSERTED_CELL, INSERTED_ROW = "单元格", "行"
YES, NO = "是", "否"


class Unsupported(Exception):
    """This workbook needs the openpyxl writer."""


def mark(
    data: bytes,
    notes: dict[tuple[str, str], tuple[str, str]],
    results: tuple[tuple[object, ...], list[tuple[object, ...]], list[str]],
    stamp: tuple[tuple[object, ...], list[tuple[str, object]]],
    widths: tuple[tuple[int, ...], tuple[int, ...]],
    names: tuple[str, str],
) -> bytes:
    """The new package: ``notes`` marked, plus the results and stamp sheets."""
    package = Rewriter(data)
    parts = {name: part for part, name in sheet_parts(data).items()}
    if any(name in parts for name in names):
        raise Unsupported("the workbook already has a results sheet")
    styles = _Styles(package.read("xl/styles.xml"))
    types = _ContentTypes(package.read("[Content_Types].xml"))
    by_sheet: dict[str, dict[str, tuple[str, str]]] = {}
    for (sheet, cell), note in notes.items():
        by_sheet.setdefault(sheet, {})[cell] = note
    sheets = []
    vml_added = False
    for number, (sheet, cells) in enumerate(sorted(by_sheet.items()), start=1):
        styles.sheet = sheet
        added, vml = _mark_sheet(package, parts[sheet], cells, styles, types, number)
        sheets.append((sheet, *added))
        vml_added = vml_added or vml
    styles_xml = styles.xml()
    header, rows, links = results
    book = _Workbook(package)
    book.add(names[0], _table_sheet(header, rows, widths[0], links), types)
    stamp_header, stamp_rows = stamp
    recorded = [*stamp_rows, (), *record_rows(styles, sheets, vml_added, styles_xml)]
    book.add(names[1], _table_sheet(stamp_header, recorded, widths[1], None), types)
    book.save()
    package.put("xl/styles.xml", styles_xml)
    package.put("[Content_Types].xml", types.xml())
    return package.finish()


def record_rows(
    styles: _Styles,
    sheets: list[tuple[str, ...]],
    vml_added: bool,
    styles_xml: bytes,
) -> list[tuple[str, str]]:
    """The 【标注记录】 rows: what this writer changed, enough to undo it exactly.

    Two columns like the rest of the 校验记录 sheet: a tag, then the values (a JSON
    list where there are several).
    """
    rows: list[tuple[str, str]] = [
        (MARKS_TAG, MARKS_NOTE),
        (WRITER, "xml"),
        (STYLE_COUNT, packed(len(styles.xfs), styles.count_attribute(styles.xfs_match))),
        (FILL_COUNT, packed(styles.fill_count, styles.count_attribute(styles.fills_match))),
        (STYLES_HASH, sha256(styles_xml).hexdigest()),
        (VML_TYPE_TAG, YES if vml_added else NO),
    ]
    rows += [(SHEET_PARTS, packed(*info)) for info in sheets]
    fills: dict[str, int] = {}
    cells = []
    for sheet, ref, original, shown, marked, inserted in styles.log:
        fill = styles.fill_xml(shown)
        number = fills.setdefault(fill, len(fills) + 1)
        kept = "" if original is None else original
        cells.append((CELL_TAG, packed(sheet, ref, kept, marked, inserted, number)))
    rows += [(FILL_TAG, packed(number, fill)) for fill, number in fills.items()]
    return rows + cells


def packed(*values: object) -> str:
    """Several values in one cell, as a JSON list.

    >>> packed("附件4", "E6", 5)
    '["附件4", "E6", 5]'
    """
    return _PACK(list(values))


_PACK = json.JSONEncoder(ensure_ascii=False).encode  # one encoder for the 40,000 rows of a stamp


# ---- styles ------------------------------------------------------------------------------------


class _Styles:
    def __init__(self, xml: bytes) -> None:
        self.source = xml
        fills = re.search(rb"<fills\b[^>]*>(.*?)</fills>", xml, re.S)
        xfs = re.search(rb"<cellXfs\b[^>]*>(.*?)</cellXfs>", xml, re.S)
        if not fills or not xfs:
            raise Unsupported("styles.xml without fills or cellXfs")
        self.fills_match, self.xfs_match = fills, xfs
        self.fills = re.findall(rb"<fill\b[^>]*?/>|<fill\b.*?</fill>", fills.group(1), re.S)
        self.fill_count = len(re.findall(rb"<fill\b", fills.group(1)))
        if self.fill_count != len(self.fills):
            raise Unsupported("fills this writer cannot follow")
        self.sheet = ""  # the sheet being marked, for the log
        # (sheet, cell, original style or None when inserted, style shown before, new style,
        # "" or INSERTED_CELL/INSERTED_ROW) of every flagged cell
        self.log: list[tuple[str, str, int | None, int, int, str]] = []
        self.xfs = re.findall(rb"<xf\b[^>]*?/>|<xf\b.*?</xf>", xfs.group(1), re.S)
        self.new_fills: list[bytes] = []
        self.new_xfs: list[bytes] = []
        self.fill_ids: dict[str, int] = {}
        self.marked: dict[tuple[int, str], int] = {}
        self._fill_xml: dict[int, str] = {}

    def marked_style(self, style: int, severity: str) -> int:
        """The index of a copy of cell style ``style`` with the severity's fill."""
        key = (style, severity)
        if key not in self.marked:
            base = self.xfs[style] if style < len(self.xfs) else self.xfs[0]
            xf = re.sub(rb'\sfillId="\d+"', b"", base, count=1)
            xf = re.sub(rb'\sapplyFill="\d+"', b"", xf, count=1)
            xf = xf.replace(
                b"<xf", f'<xf fillId="{self._fill(severity)}" applyFill="1"'.encode(), 1
            )
            self.new_xfs.append(xf)
            self.marked[key] = len(self.xfs) + len(self.new_xfs) - 1
        return self.marked[key]

    def note(self, ref: str, original: int | None, shown: int, marked: int, inserted: str) -> None:
        self.log.append((self.sheet, ref, original, shown, marked, inserted))

    def fill_xml(self, style: int) -> str:
        """The XML of the fill an original cell style shows ("" when there is none)."""
        if style not in self._fill_xml:
            self._fill_xml[style] = self._find_fill_xml(style)
        return self._fill_xml[style]

    def _find_fill_xml(self, style: int) -> str:
        base = self.xfs[style] if style < len(self.xfs) else self.xfs[0] if self.xfs else b""
        found = re.search(rb'\sfillId="(\d+)"', base.split(b">", 1)[0])
        index = int(found.group(1)) if found else 0
        return self.fills[index].decode("utf-8") if index < len(self.fills) else ""

    @staticmethod
    def count_attribute(match: re.Match[bytes]) -> str:
        """The count="…" of a section's opening tag as written ("" when absent)."""
        found = re.search(rb'\scount="(\d*)"', match.group(0).split(b">", 1)[0])
        return found.group(1).decode() if found else ""

    def _fill(self, severity: str) -> int:
        if severity not in self.fill_ids:
            colour = FILL_COLOURS[severity]
            self.new_fills.append(
                f'<fill><patternFill patternType="solid"><fgColor rgb="{colour}"/>'
                f'<bgColor indexed="64"/></patternFill></fill>'.encode()
            )
            self.fill_ids[severity] = self.fill_count + len(self.new_fills) - 1
        return self.fill_ids[severity]

    def xml(self) -> bytes:
        xml = self.source
        for match, extra, count in (
            (self.xfs_match, self.new_xfs, len(self.xfs)),
            (self.fills_match, self.new_fills, self.fill_count),
        ):  # the later section first, so the earlier offsets stay valid
            start, end = match.span()
            section = match.group(0)
            section = section.replace(match.group(1), match.group(1) + b"".join(extra), 1)
            section = re.sub(
                rb'count="\d+"', f'count="{count + len(extra)}"'.encode(), section, count=1
            )
            xml = xml[:start] + section + xml[end:]
        return xml


# ---- content types and the workbook --------------------------------------------------------------


class _ContentTypes:
    def __init__(self, xml: bytes) -> None:
        self.text = xml.decode("utf-8")

    def override(self, part: str, content_type: str) -> None:
        entry = f'<Override PartName="/{part}" ContentType="{content_type}"/>'
        self.text = self.text.replace("</Types>", entry + "</Types>")

    def default(self, extension: str, content_type: str) -> bool:
        """Add a default content type unless present; whether it was added."""
        if f'Extension="{extension}"' in self.text:
            return False
        entry = f'<Default Extension="{extension}" ContentType="{content_type}"/>'
        self.text = self.text.replace("</Types>", entry + "</Types>")
        return True

    def xml(self) -> bytes:
        return self.text.encode("utf-8")


class _Workbook:
    def __init__(self, package: Rewriter) -> None:
        self.package = package
        self.xml = package.read("xl/workbook.xml").decode("utf-8")
        self.rels = package.read("xl/_rels/workbook.xml.rels").decode("utf-8")
        ids = [int(i) for i in re.findall(r'sheetId="(\d+)"', self.xml)]
        self.next_id = max(ids, default=0) + 1

    def add(self, name: str, sheet_xml: bytes, types: _ContentTypes) -> None:
        part = _free_name(self.package, "xl/worksheets/sheet{}.xml")
        rel_id = _free_rel_id(self.rels)
        self.package.put(part, sheet_xml)
        target = part.removeprefix("xl/")
        self.rels = self.rels.replace(
            "</Relationships>",
            f'<Relationship Id="{rel_id}" Type="{REL}/worksheet" Target="{target}"/>'
            "</Relationships>",
        )
        prefix = _prefix(self.xml, REL)
        entry = f'<sheet name={quoteattr(name)} sheetId="{self.next_id}" {prefix}:id="{rel_id}"/>'
        self.xml = re.sub(r"</(\w+:)?sheets>", lambda m: entry + m.group(0), self.xml, count=1)
        self.next_id += 1
        types.override(part, SHEET_TYPE)

    def save(self) -> None:
        self.package.put("xl/workbook.xml", self.xml.encode("utf-8"))
        self.package.put("xl/_rels/workbook.xml.rels", self.rels.encode("utf-8"))


def _prefix(xml: str, namespace: str) -> str:
    match = re.search(rf'xmlns:(\w+)="{re.escape(namespace)}"', xml)
    if not match:
        raise Unsupported("workbook.xml without the relationships namespace")
    return match.group(1)


def _free_name(package: Rewriter, pattern: str) -> str:
    number = 1
    while package.exists(pattern.format(number)):
        number += 1
    return pattern.format(number)


def _free_rel_id(rels: str) -> str:
    number = 1
    while f'Id="rIdDyxx{number}"' in rels:
        number += 1
    return f"rIdDyxx{number}"


# ---- marking one sheet ---------------------------------------------------------------------------


def _mark_sheet(
    package: Rewriter,
    part: str,
    cells: dict[str, tuple[str, str]],
    styles: _Styles,
    types: _ContentTypes,
    number: int,
) -> tuple[tuple[str, ...], bool]:
    """Mark one sheet; returns (part, comments, drawing, rels created, xmlns added) and
    whether the vml content type was added."""
    xml = package.read(part)
    rels_part = _rels_part(part)
    created = not package.exists(rels_part)
    rels = (
        package.read(rels_part).decode("utf-8")
        if package.exists(rels_part)
        else (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{PACKAGE_REL}"></Relationships>'
        )
    )
    if "/comments" in rels or b"<legacyDrawing " in xml:
        raise Unsupported("the sheet already has comments")
    by_row: dict[int, dict[int, str]] = {}
    for ref, (severity, _note) in cells.items():
        column, row = _split(ref)
        by_row.setdefault(row, {})[column] = severity
    pieces = _restyle(xml, by_row, styles)
    comments = _free_name(package, "xl/comments{}.xml")
    drawing = _free_name(package, "xl/drawings/vmlDrawing{}.vml")
    package.put(comments, _comments_xml(cells))
    package.put(drawing, _vml(cells, number))
    comment_id, drawing_id = _free_rel_id(rels), _free_rel_id(rels + 'Id="rIdDyxx1"')
    if comment_id == drawing_id:
        drawing_id = f"{comment_id}v"
    rels = rels.replace(
        "</Relationships>",
        f'<Relationship Id="{comment_id}" Type="{REL}/comments" Target="../{comments[3:]}"/>'
        f'<Relationship Id="{drawing_id}" Type="{REL}/vmlDrawing" Target="../{drawing[3:]}"/>'
        "</Relationships>",
    )
    package.put(rels_part, rels.encode("utf-8"))
    marked, declared = _with_legacy_drawing(pieces, drawing_id)
    package.put(part, marked)  # compressed in the background from here
    types.override(comments, COMMENTS_TYPE)
    vml_added = types.default("vml", VML_TYPE)
    added = (part, comments, drawing, YES if created else NO, YES if declared else NO)
    return added, vml_added


def _rels_part(part: str) -> str:
    folder, name = part.rsplit("/", 1)
    return f"{folder}/_rels/{name}.rels"


@lru_cache(maxsize=65536)
def _split(ref: str) -> tuple[int, int]:
    letters = ref.rstrip("0123456789")
    column = 0
    for char in letters:
        column = column * 26 + ord(char) - 64
    return column, int(ref[len(letters) :])


def _restyle(xml: bytes, by_row: dict[int, dict[int, str]], styles: _Styles) -> list[Piece]:
    """Give each flagged cell its marked style; insert missing cells and rows.

    Returns the new XML in pieces: slices of the old one (not copied) and the
    edited rows.
    """
    start = xml.find(b"<sheetData")
    if start < 0:
        raise Unsupported("no sheetData")
    if ROW_WITHOUT_NUMBER.search(xml, start):
        raise Unsupported("rows without a leading r attribute")
    view = memoryview(xml)
    pieces: list[Piece] = [view[:start]]
    position = start
    for row in sorted(by_row):
        heads = _cell_heads(xml, row, by_row[row], position)
        if heads is not None:  # every flagged cell is there: restyle just their tags (fast)
            for head_start, head_end, column in heads:
                pieces.append(view[position:head_start])
                pieces.append(_set_style(xml[head_start:head_end], styles, by_row[row][column]))
                position = head_end
            continue
        found = _find_row(xml, row, position)
        if found is None:  # the row is not in the XML: insert it before the next row
            insert_at = _next_row_start(xml, row, position)
            pieces.append(view[position:insert_at])
            pieces.append(_new_row(row, by_row[row], styles))
            position = insert_at
            continue
        row_start, row_end = found
        pieces.append(view[position:row_start])
        pieces.append(_restyle_row(xml[row_start:row_end], row, by_row[row], styles))
        position = row_end
    pieces.append(view[position:])
    return pieces


def _cell_heads(
    xml: bytes, row: int, cells: dict[int, str], position: int
) -> list[tuple[int, int, int]] | None:
    """(start, end, column) of the opening tag of each flagged cell of a row, in order;
    None when the row or one of the cells is not in the XML (the row is then edited whole)."""
    found = _find_row(xml, row, position)
    if found is None:
        return None
    position, row_end = found
    heads = []
    for column in sorted(cells):
        start = xml.find(f'<c r="{column_letter(column)}{row}"'.encode(), position, row_end)
        if start < 0:
            return None
        position = xml.find(b">", start) + 1
        heads.append((start, position, column))
    return heads


def _find_row(xml: bytes, row: int, position: int) -> tuple[int, int] | None:
    """Start and end of ``<row r="row" ...>...</row>`` at or after ``position``."""
    start = xml.find(f'<row r="{row}"'.encode(), position)
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


def _restyle_row(segment: bytes, row: int, cells: dict[int, str], styles: _Styles) -> bytes:
    if segment.count(b"<c ") + segment.count(b"<c>") != segment.count(b'<c r="'):
        raise Unsupported("cells without a leading r attribute")
    if segment.endswith(b"/>") and b"</row>" not in segment:
        segment = segment[:-2] + b"></row>"
    head_end = segment.find(b">") + 1
    body = segment[head_end : -len(b"</row>")]
    default = STYLE.search(segment, 0, head_end)
    row_style = (
        int(default.group(1)) if default and b'customFormat="1"' in segment[:head_end] else 0
    )
    done: set[int] = set()
    out: list[bytes] = []
    position = 0
    for match in CELL.finditer(body):
        column = _split(match.group(1).decode() + "1")[0]
        for missing in sorted(c for c in cells if c < column and c not in done):
            out.append(body[position : match.start()])
            position = match.start()
            out.append(_inserted(missing, row, row_style, cells[missing], styles))
            done.add(missing)
        if column in cells:
            out.append(body[position : match.start()])
            out.append(_set_style(match.group(0), styles, cells[column]))
            position = match.end()
            done.add(column)
    out.append(body[position:])
    for missing in sorted(c for c in cells if c not in done):
        out.append(_inserted(missing, row, row_style, cells[missing], styles))
    return segment[:head_end] + b"".join(out) + b"</row>"


def _inserted(column: int, row: int, row_style: int, severity: str, styles: _Styles) -> bytes:
    style = styles.marked_style(row_style, severity)
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


# ---- comments ------------------------------------------------------------------------------------


def _comments_xml(cells: dict[str, tuple[str, str]]) -> bytes:
    items = "".join(
        f'<comment ref="{ref}" authorId="0"><text><r><t xml:space="preserve">'
        f"{_text(note)}</t></r></text></comment>"
        for ref, (_severity, note) in sorted(cells.items(), key=lambda item: _split(item[0])[::-1])
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<comments xmlns="{MAIN}"><authors><author>dyxx 校验</author></authors>'
        f"<commentList>{items}</commentList></comments>"
    ).encode()


def _vml(cells: dict[str, tuple[str, str]], number: int) -> bytes:
    shapes = []
    for index, ref in enumerate(sorted(cells, key=lambda r: _split(r)[::-1]), start=1):
        column, row = _split(ref)
        shapes.append(
            f'<v:shape id="_x0000_s{number * 100000 + index}" type="#_x0000_t202" '
            'style="position:absolute;margin-left:59.25pt;margin-top:1.5pt;width:240pt;'
            'height:105pt;z-index:1;visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">'
            '<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
            '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
            '<div style="text-align:left"></div></v:textbox>'
            '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            f"<x:Anchor>{column}, 15, {row - 1}, 10, {column + 4}, 15, {row + 6}, 4</x:Anchor>"
            f"<x:AutoFill>False</x:AutoFill><x:Row>{row - 1}</x:Row>"
            f"<x:Column>{column - 1}</x:Column></x:ClientData></v:shape>"
        )
    return (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" '
        'xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel">'
        f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{number}"/></o:shapelayout>'
        '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
        'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
        '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
        + "".join(shapes)
        + "</xml>"
    ).encode("utf-8")


# ---- the new sheets ------------------------------------------------------------------------------


def _table_sheet(
    header: tuple[object, ...],
    rows: list[tuple[object, ...]],
    widths: tuple[int, ...],
    links: list[str] | None,
) -> bytes:
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1)
    )
    body = [_row(1, header)] + [_row(n, row) for n, row in enumerate(rows, start=2)]
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
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        f"</sheetView></sheetViews><cols>{cols}</cols><sheetData>{''.join(body)}</sheetData>"
        f"{hyperlinks}</worksheet>"
    ).encode()


LETTERS = [column_letter(c) for c in range(1, 27)]


def _row(number: int, values: tuple[object, ...]) -> str:
    """One row of inline-string and number cells (None and booleans are left out)."""
    kinds = tuple(map(type, values))
    template = _ROW_TEMPLATES.get(kinds)
    if template is None:
        template = _ROW_TEMPLATES[kinds] = _row_template(kinds)
    return template.format(number, *map(_cell_text, values))


_ROW_TEMPLATES: dict[tuple[type, ...], str] = {}


def _row_template(kinds: tuple[type, ...]) -> str:
    """A format string for rows whose cells have these types: {0} is the row number."""
    cells = []
    for column, kind in enumerate(kinds, start=1):
        letter = LETTERS[column - 1] if column <= len(LETTERS) else column_letter(column)
        if kind is type(None) or issubclass(kind, bool):
            continue
        if issubclass(kind, int | float):
            cells.append(f'<c r="{letter}{{0}}"><v>{{{column}}}</v></c>')
        else:
            cells.append(
                f'<c r="{letter}{{0}}" t="inlineStr"><is><t xml:space="preserve">'
                f"{{{column}}}</t></is></c>"
            )
    return '<row r="{0}">' + "".join(cells) + "</row>"


def _cell_text(value: object) -> object:
    if value.__class__ is str:
        return _text(value)  # type: ignore[arg-type]
    if value is None or isinstance(value, int | float):
        return value
    return _text(str(value))


def _attribute(value: str) -> str:
    """A double-quoted XML attribute value."""
    return '"' + _text(value).replace('"', "&quot;") + '"'


def _text(value: str) -> str:
    """Text for an XML element: &, < and > escaped, characters XML cannot hold removed."""
    if value.isalnum():  # nothing to escape or remove (most codes, names, numbers)
        return value
    if ILLEGAL.search(value):
        value = ILLEGAL.sub("", value)
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    return value


__all__ = ["Unsupported", "mark", "packed", "record_rows"]
