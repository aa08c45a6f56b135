"""Undo the marks of ``dyxx check -o`` in a package, as its stamp records them.

:func:`unmark_package` reverses every change of a copy nobody saved since, part by part, and
raises :class:`Inexact` as soon as anything is not as the writer left it. :func:`unmark_by_look`
handles a copy an office suite saved since: recorded cells still showing a mark colour get their
fill back, our notes go. ARCHITECTURE.md, "The marked copy", says what each undoes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path

from addin.model import a1
from addin.write.marked.format import (
    FILL_COUNT,
    INSERTED_CELL,
    INSERTED_ROW,
    NOTE_AUTHOR,
    STYLE_COUNT,
    is_our_note,
    is_recorded_mark,
    own_lines,
)
from addin.write.marked.stamp import CellMark, Stamp, checked_fill
from addin.xlsx import parts as xparts
from addin.xlsx.notes import Edits, Notes, unsplice
from addin.xlsx.package import Rewriter
from addin.xlsx.parts import REL

OURS = re.compile(r'<Relationship Id="rIdDyxx[^"]*"[^>]*/>')
OWN_SHEET = re.compile(
    r'<sheet name=(["\'])((?:(?!\1)[^<>])*)\1 sheetId="\d+"(?: state="hidden")? '
    r'\w+:id="(rIdDyxx\d+)"/>'
)
SHEET_ENTRY = re.compile(r"<(?:\w+:)?sheet\b[^>]*>")
LEGACY = re.compile(rb'<legacyDrawing \w+:id="rIdDyxx\w*"/>')
CELL_HEAD = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*>')
STYLE = re.compile(rb'\ss="(\d+)"')


class Inexact(Exception):
    """The package is not as the marker left it: it cannot be restored byte for byte."""


@dataclass
class Undone:
    restored: int = 0  # fills put back
    notes: int = 0  # notes removed or cut back
    skipped: list[str] = field(default_factory=list)  # cells no longer as marked
    # "sheet!cell" of our notes removed where no recorded mark was restored (a row moved)
    stray_notes: list[str] = field(default_factory=list)


def undo(
    data: bytes, stamp: Stamp | None, sheets: Iterable[str], path: str | Path = ""
) -> tuple[bytes, bool, Undone]:
    """The package without the marks and without our results and stamp ``sheets``:
    byte for byte when it can be, else by the marks' look. Returns (package, exact, done)."""
    sheets = list(sheets)
    if stamp is not None and stamp.writer == "xml":
        try:
            data = unmark_package(data, stamp, sheets)
        except Inexact:  # saved since the check: restore the cells' look instead
            pass
        else:
            return data, True, Undone(len(stamp.cells), len(stamp.cells))
    data, done = unmark_by_look(data, stamp, sheets, path)
    return data, False, done


def unmark_package(data: bytes, stamp: Stamp, sheets: Iterable[str]) -> bytes:
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
    for info in stamp.sheet_parts:
        if not package.exists(info.part):
            raise Inexact(f"missing {info.part}")
        xml = _cells(package.read(info.part), cells.pop(info.sheet, []))
        if info.drawing_new:
            xml = _without_legacy_drawing(xml, info.declared)
        package.put(info.part, xml)
        rels = xparts.rels_part(info.part)
        if info.rels_created:
            package.remove(rels)
        elif info.comments_new or info.drawing_new:
            package.put(rels, _without_ours(package.read(rels)))
        for part, new in ((info.comments, info.comments_new), (info.drawing, info.drawing_new)):
            if new:
                package.remove(part)
                if part == info.comments:
                    types = _without_override(types, part)  # the drawing's type: vml default
            elif part in stamp.splices:
                package.put(part, _unspliced(package, part, stamp.splices[part]))
    if cells:
        raise Inexact("marked cells on a sheet without a record")
    if stamp.vml_added:
        types = re.sub(r'<Default Extension="vml" ContentType="[^"]*"/>', "", types, count=1)
    types = _without_sheets(package, types, set(sheets), stamp.titles)
    package.put("[Content_Types].xml", types.encode("utf-8"))
    return package.finish()


def _unspliced(package: Rewriter, part: str, record: tuple[str, list[list[int]]]) -> bytes:
    digest, spans = record
    if not package.exists(part):
        raise Inexact(f"missing {part}")
    data = package.read(part)
    if sha256(data).hexdigest() != digest:
        raise Inexact(f"{part} changed since the check")
    try:
        return unsplice(data, spans)
    except ValueError:
        raise Inexact(f"{part}: insertions not where recorded") from None


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


def _without_sheets(
    package: Rewriter, types: str, names: set[str], titles: str | None = None
) -> str:
    """Remove the results and stamp sheets: entries, relationships, parts."""
    workbook = package.read("xl/workbook.xml").decode("utf-8")
    rels = package.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    own = [m for m in OWN_SHEET.finditer(workbook) if xparts.unescaped(m.group(2)) in names]
    if len(own) != len(names) or len(own) not in (2, 3):  # results, stamp (and ledger)
        raise Inexact("the results and stamp sheets are not ours")
    entries = [m.start() for m in SHEET_ENTRY.finditer(workbook)]
    for index in (entries.index(m.start()) for m in own):  # their print titles
        title = rf'<(?:\w+:)?definedName name="_xlnm\.Print_Titles" localSheetId="{index}">'
        workbook = re.sub(title + r"[^<]*</(?:\w+:)?definedName>", "", workbook, count=1)
    if titles is not None:  # the list was ours, or an empty one was there
        empty = r"<(\w+:)?definedNames></(\w+:)?definedNames>"
        workbook = re.sub(empty, lambda _match: titles, workbook, count=1)
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


def _cells(xml: bytes, marks: list[CellMark]) -> bytes:
    """Each marked cell's style number put back; inserted cells and rows removed."""
    pieces: list[bytes] = []
    position = 0
    by_row: dict[int, list[CellMark]] = defaultdict(list)
    for mark in marks:
        by_row[a1.position(mark.ref)[0]].append(mark)
    for row in sorted(by_row):
        items = sorted(by_row[row], key=lambda m: a1.position(m.ref)[1])
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


# ---- by the marks' look --------------------------------------------------------------------------


def unmark_by_look(
    data: bytes, stamp: Stamp | None, sheets: Iterable[str], path: str | Path = ""
) -> tuple[bytes, Undone]:
    """Each recorded cell still in a mark colour gets its recorded fill back and loses
    our note; our notes elsewhere on the marked sheets go too (every sheet's, without a
    record); the results and stamp ``sheets`` go (see the module's docstring)."""
    sheets = list(sheets)
    package = Rewriter(data)
    types = xparts.ContentTypes(package)
    book = xparts.Book(package)
    parts = {sheet.name: sheet.part for sheet in book.sheets}
    done = Undone()
    grouped: dict[str, list[CellMark]] = defaultdict(list)
    for mark in stamp.cells if stamp is not None else ():
        grouped[mark.sheet].append(mark)
    if stamp is None:
        grouped.update((name, []) for name in parts if name not in sheets)
    styles = xparts.Styles(package.read(xparts.Styles.PART)) if grouped else None
    for sheet, marks in grouped.items():
        part = parts.get(sheet)
        if not part or not package.exists(part):
            done.skipped += [f"{sheet}!{m.ref}" for m in marks]
            continue
        _restore_sheet(package, sheet, part, marks, styles, types, done, path)  # type: ignore[arg-type]
    for name in sheets:
        book.remove(name, types)
    if styles is not None and styles.changed():
        package.put(xparts.Styles.PART, styles.xml())
    book.save()
    types.save()
    return package.finish(), done


def _restore_sheet(
    package: Rewriter,
    sheet: str,
    part: str,
    marks: list[CellMark],
    styles: xparts.Styles,
    types: xparts.ContentTypes,
    done: Undone,
    path: str | Path,
) -> None:
    xml = package.read(part)
    notes = Notes(package, xml, types, xparts.Rels(package, part))
    edits = Edits(xml)
    heads = cell_heads(xml, [m.ref for m in marks])
    handled: set[str] = set()
    for mark in marks:
        head = heads.get(mark.ref)
        style = _style(xml[head[0] : head[1]]) if head else 0
        if head is None or not is_recorded_mark(styles.fill_xml(style)):
            done.skipped.append(f"{mark.sheet}!{mark.ref}")
            continue
        fill = checked_fill(mark.fill, path)
        restored = styles.back(style, "fillId", styles.fill(fill) if fill else 0)
        tag = xparts.set_attribute(xml[head[0] : head[1]], "s", str(restored))
        edits.replace(head[0], head[1], tag)
        done.restored += 1
        handled.add(mark.ref)
        note = notes.notes.get(mark.ref)
        if note is not None and is_our_note(note.author, note.text):
            done.notes += 1
            if mark.note_length is None:
                notes.remove(mark.ref)
            else:
                notes.set_text(mark.ref, note.text[: mark.note_length])
    stray = remove_stray_notes(notes, handled)
    done.notes += len(stray)
    done.stray_notes += [f"{sheet}!{ref}" for ref in stray]
    if edits:
        package.put(part, edits.result())
    notes.save()


def remove_stray_notes(notes: Notes, handled: set[str]) -> list[str]:
    """Our notes on cells other than ``handled`` (a marked row moved since the check, a
    fill changed): removed, or cut back to the officer's own lines before ours. Returns
    their cells."""
    found = []
    for ref, note in list(notes.notes.items()):
        if ref in handled or not is_our_note(note.author, note.text):
            continue
        own = own_lines(note.text)
        if note.author == NOTE_AUTHOR or not own.strip():
            notes.remove(ref)
        else:
            notes.set_text(ref, own)
        found.append(ref)
    return found


def _style(head: bytes) -> int:
    found = STYLE.search(head)
    return int(found.group(1)) if found else 0


CELL_TAG = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]{1,3}[0-9]{1,7})"[^>]*>')


def cell_heads(xml: bytes, refs: Iterable[str]) -> dict[str, tuple[int, int]]:
    """(start, end) of the opening tag of each wanted cell found in a sheet's XML."""
    wanted = set(refs)
    found: dict[str, tuple[int, int]] = {}
    if not wanted:
        return found
    for match in CELL_TAG.finditer(xml, max(xml.find(b"<sheetData"), 0)):
        ref = match.group(1).decode()
        if ref in wanted:
            found[ref] = match.span()
            if len(found) == len(wanted):
                break
    return found
