"""Undo what :mod:`addin.xlsxmark` did to a package, byte for byte, from the stamp's record.

The marked copy differs from its source in a few parts only; each change is
reversed exactly: the flagged cells get their style numbers back (cells and
rows that were inserted go), the <legacyDrawing> element, the comments and VML
parts and their relationships go, the 校验结果 and 校验记录 sheets go, and
styles.xml loses the appended fills and cell styles. Every part then equals the
source's again.

This holds only for a copy nobody has saved since: :func:`unmark_package`
raises :class:`Inexact` as soon as anything is not as the writer left it (a
styles.xml with another hash, a cell without the recorded style), and the
caller falls back to restoring the cells' look with openpyxl.
"""

from __future__ import annotations

import re
from collections import defaultdict
from hashlib import sha256

from addin.annotate import RESULT_SHEET, STAMP_SHEET
from addin.package import Rewriter
from addin.workflow.stamp import CellMark, Stamp
from addin.xlsxmark import FILL_COUNT, INSERTED_CELL, INSERTED_ROW, REL, STYLE_COUNT, _rels_part

OURS = re.compile(r'<Relationship Id="rIdDyxx[^"]*"[^>]*/>')
OWN_SHEET = re.compile(
    r'<sheet name=(["\'])((?:(?!\1)[^<>])*)\1 sheetId="\d+" \w+:id="(rIdDyxx\d+)"/>'
)
LEGACY = re.compile(rb'<legacyDrawing \w+:id="rIdDyxx\w*"/>')
CELL_HEAD = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*>')


class Inexact(Exception):
    """The package is not as the marker left it: it cannot be restored byte for byte."""


def unmark_package(data: bytes, stamp: Stamp) -> bytes:
    package = Rewriter(data)
    if not package.exists("xl/styles.xml"):
        raise Inexact("no styles")
    styles = package.read("xl/styles.xml")
    if sha256(styles).hexdigest() != stamp.styles_hash:
        raise Inexact("styles.xml changed since the check")
    package.put("xl/styles.xml", _styles(styles, stamp))
    types = package.read("[Content_Types].xml").decode("utf-8")
    cells: dict[str, list[CellMark]] = defaultdict(list)
    for mark in stamp.cells:
        cells[mark.sheet].append(mark)
    for sheet, part, comments, drawing, created, declared in stamp.sheet_parts:
        if not package.exists(part):
            raise Inexact(f"missing {part}")
        xml = _cells(package.read(part), cells.pop(sheet, []))
        xml = _without_legacy_drawing(xml, declared)
        package.put(part, xml)
        rels = _rels_part(part)
        if created:
            package.remove(rels)
        else:
            package.put(rels, _without_ours(package.read(rels)))
        package.remove(comments)
        package.remove(drawing)
        types = _without_override(types, comments)  # the drawing's type is the vml default
    if cells:
        raise Inexact("marked cells on a sheet without a record")
    if stamp.vml_added:
        types = re.sub(r'<Default Extension="vml" ContentType="[^"]*"/>', "", types, count=1)
    types = _without_sheets(package, types)
    package.put("[Content_Types].xml", types.encode("utf-8"))
    return package.finish()


def _without_override(types: str, part: str) -> str:
    pattern = rf'<Override PartName="/{re.escape(part)}" ContentType="[^"]*"/>'
    found, count = re.subn(pattern, "", types, count=1)
    if not count:
        raise Inexact(f"no content type for {part}")
    return found


def _without_ours(rels: bytes) -> bytes:
    text, count = OURS.subn("", rels.decode("utf-8"))
    if not count:
        raise Inexact("our relationships are gone")
    return text.encode("utf-8")


def _without_sheets(package: Rewriter, types: str) -> str:
    """Remove the 校验结果 and 校验记录 sheets: entries, relationships, parts."""
    workbook = package.read("xl/workbook.xml").decode("utf-8")
    rels = package.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    own = [m for m in OWN_SHEET.finditer(workbook) if m.group(2) in (RESULT_SHEET, STAMP_SHEET)]
    if len(own) != 2:
        raise Inexact("the results and stamp sheets are not ours")
    for match in own:
        rel = re.search(rf'<Relationship Id="{match.group(3)}"[^>]*Target="([^"]+)"/>', rels)
        if rel is None:
            raise Inexact("sheet without relationship")
        part = "xl/" + rel.group(1)
        package.remove(part)
        types = _without_override(types, part)
        rels = rels.replace(rel.group(0), "", 1)
        workbook = workbook.replace(match.group(0), "", 1)
    package.put("xl/workbook.xml", workbook.encode("utf-8"))
    package.put("xl/_rels/workbook.xml.rels", rels.encode("utf-8"))
    return types


def _styles(xml: bytes, stamp: Stamp) -> bytes:
    """styles.xml without the appended cell styles and fills, counts as they were."""
    for tag, element, key in (
        (b"cellXfs", rb"<xf\b[^>]*?/>|<xf\b.*?</xf>", STYLE_COUNT),
        (b"fills", rb"<fill\b[^>]*?/>|<fill\b.*?</fill>", FILL_COUNT),
    ):
        if key not in stamp.counts:
            raise Inexact("no style counts")
        number, attribute = stamp.counts[key]
        section = re.search(rb"<" + tag + rb"\b([^>]*)>(.*?)</" + tag + b">", xml, re.S)
        if section is None:
            raise Inexact("styles section missing")
        items = list(re.finditer(element, section.group(2), re.S))
        if len(items) < number:
            raise Inexact("fewer styles than before")
        inner = (
            section.group(2)[: items[number].start()] if len(items) > number else section.group(2)
        )
        head = section.group(1)
        if attribute:
            head = re.sub(rb'count="\d*"', f'count="{attribute}"'.encode(), head, count=1)
        start, end = section.span()
        xml = xml[:start] + b"<" + tag + head + b">" + inner + b"</" + tag + b">" + xml[end:]
    return xml


def _position(ref: str) -> tuple[int, int]:
    letters = ref.rstrip("0123456789")
    column = 0
    for char in letters:
        column = column * 26 + ord(char) - 64
    return int(ref[len(letters) :]), column


def _cells(xml: bytes, marks: list[CellMark]) -> bytes:
    """Each marked cell's style number put back; inserted cells and rows removed."""
    pieces: list[bytes] = []
    position = 0
    by_row: dict[int, list[CellMark]] = defaultdict(list)
    for mark in marks:
        by_row[_position(mark.ref)[0]].append(mark)
    for row in sorted(by_row):
        items = sorted(by_row[row], key=lambda m: _position(m.ref)[1])
        if all(m.inserted == INSERTED_ROW for m in items):
            body = b"".join(f'<c r="{m.ref}" s="{m.marked}"/>'.encode() for m in items)
            element = f'<row r="{row}">'.encode() + body + b"</row>"
            at = xml.find(element, position)
            if at < 0:
                raise Inexact(f"inserted row {row} not found")
            pieces.append(xml[position:at])
            position = at + len(element)
            continue
        for mark in items:
            position = _cell(xml, mark, position, pieces)
    pieces.append(xml[position:])
    return b"".join(pieces)


def _cell(xml: bytes, mark: CellMark, position: int, pieces: list[bytes]) -> int:
    """Restore one cell found at or after ``position``; return the new position."""
    if mark.inserted == INSERTED_CELL:
        element = f'<c r="{mark.ref}" s="{mark.marked}"/>'.encode()
        at = xml.find(element, position)
        if at < 0:
            raise Inexact(f"inserted cell {mark.ref} not found")
        pieces.append(xml[position:at])
        return at + len(element)
    at = xml.find(f'<c r="{mark.ref}"'.encode(), position)
    head = CELL_HEAD.match(xml, at) if at >= 0 else None
    given = f' s="{mark.marked}"'.encode()
    if head is None or given not in head.group(0):
        raise Inexact(f"cell {mark.ref} does not have the marked style")
    original = b"" if mark.original is None else f' s="{mark.original}"'.encode()
    pieces.append(xml[position:at])
    pieces.append(head.group(0).replace(given, original, 1))
    return head.end()


def _without_legacy_drawing(xml: bytes, declared: bool) -> bytes:
    found = list(LEGACY.finditer(xml))
    if len(found) != 1:
        raise Inexact("legacy drawing not found")
    xml = xml[: found[0].start()] + xml[found[0].end() :]
    if declared:
        declaration = f' xmlns:r="{REL}"'.encode()
        root = xml.find(b"<worksheet")
        at = xml.find(declaration, root)
        if at < 0 or at > xml.find(b">", root):
            raise Inexact("namespace declaration not found")
        xml = xml[:at] + xml[at + len(declaration) :]
    return xml
