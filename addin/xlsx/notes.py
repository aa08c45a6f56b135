"""A sheet's notes (comments part and VML drawing), edited as bytes.

A sheet that already has notes keeps them: dyxx's notes go into the same parts
(a cell's own note gets dyxx's text appended), and every edit is an insertion
whose place is recorded (:class:`Edits`), so an unsaved copy can be cut back to
the original bytes. A copy saved since (in Excel, WPS, LibreOffice) is cleaned by
what the notes say (:meth:`Notes.remove`, :meth:`Notes.cut`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from addin.model.a1 import position
from addin.xlsx import parts as parts
from addin.xlsx.package import Rewriter

COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"
COMMENT = re.compile(rb"<(?:\w+:)?comment\b[^>]*?(?:/>|>.*?</(?:\w+:)?comment>)", re.S)
TEXTS = re.compile(rb"<(?:\w+:)?t\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?t>)", re.S)
SHAPE = re.compile(rb"<v:shape\b[^>]*>.*?</v:shape>", re.S)
SHAPE_ID = re.compile(rb'id="_x0000_s(\d+)"')
IDMAP = re.compile(rb'<o:idmap\b[^>]*\bdata="([\d,]+)"')
SHAPES_PER_BLOCK = 1024


class Edits:
    """Changes to one part's bytes, applied together; insertions can be undone exactly."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.edits: list[tuple[int, int, bytes]] = []

    def insert(self, at: int, new: bytes) -> None:
        self.edits.append((at, at, new))

    def replace(self, start: int, end: int, new: bytes) -> None:
        self.edits.append((start, end, new))

    def __bool__(self) -> bool:
        return bool(self.edits)

    def result(self) -> bytes:
        out, position = [], 0
        for start, end, new in sorted(self.edits, key=lambda e: (e[0], e[1])):
            out += [self.data[position:start], new]
            position = end
        out.append(self.data[position:])
        return b"".join(out)

    def spans(self) -> list[list[int]]:
        """[offset in the result, length] of every insertion (all edits must be insertions)."""
        found, shift = [], 0
        for start, end, new in sorted(self.edits, key=lambda e: (e[0], e[1])):
            if start != end:
                raise ValueError("not an insertion")
            found.append([start + shift, len(new)])
            shift += len(new)
        return found


def unsplice(data: bytes, spans: list[list[int]]) -> bytes:
    """The bytes before the recorded insertions."""
    out, position = [], 0
    for offset, length in sorted(spans):
        if offset < position or offset + length > len(data):
            raise ValueError("spans out of order")
        out.append(data[position:offset])
        position = offset + length
    out.append(data[position:])
    return b"".join(out)


@dataclass
class Note:
    ref: str
    start: int  # of the <comment> element
    end: int
    author: str
    text: str  # the plain text


def plain(element: bytes) -> str:
    """The text of a <comment> (or <is>/<si>) element: its <t> pieces, unescaped."""
    pieces = []
    for match in TEXTS.finditer(element):
        if b"<rPh" in element[max(0, match.start() - 5) : match.start()]:
            continue
        pieces.append(parts.unescaped((match.group(1) or b"").decode("utf-8")))
    return "".join(pieces)


class Notes:
    """The notes of one sheet: its comments part and VML drawing, existing or new."""

    def __init__(
        self,
        package: Rewriter,
        sheet_xml: bytes,
        types: parts.ContentTypes,
        rels: parts.Rels,
    ) -> None:
        self.package, self.types, self.rels = package, types, rels
        found = self.rels.of_type("comments")
        self.comments_part = found[0][1] if found else ""
        self.comments_new = not found or not package.exists(found[0][1])
        self.vml_part, self.vml_id = self._vml(sheet_xml)
        self.vml_new = not self.vml_part
        self.comments = Edits(b"" if self.comments_new else package.read(self.comments_part))
        self.vml = Edits(b"" if self.vml_new else package.read(self.vml_part))
        self.new_notes: list[tuple[str, str]] = []  # (ref, text) of notes this adds
        self._notes: dict[str, Note] | None = None
        self._authors: list[str] | None = None

    def _vml(self, sheet_xml: bytes) -> tuple[str, str]:
        legacy = re.search(
            rb"<(?:\w+:)?legacyDrawing\b[^>]*>", sheet_xml[parts.tail_start(sheet_xml) :]
        )
        if legacy is None:
            return "", ""
        rel_id = next(
            (v for k, v in parts.attributes(legacy.group(0)).items() if k.endswith(":id")), ""
        )
        target = self.rels.target(rel_id)
        if target is None or not self.package.exists(target):
            raise parts.Unsupported("legacy drawing without its part")
        return target, rel_id

    # -- reading

    @property
    def authors(self) -> list[str]:
        if self._authors is None:
            block = re.search(
                rb"<(?:\w+:)?authors\b[^>]*>(.*?)</(?:\w+:)?authors>", self.comments.data, re.S
            )
            names = (
                re.findall(
                    rb"<(?:\w+:)?author\b[^>]*>(.*?)</(?:\w+:)?author>", block.group(1), re.S
                )
                if block
                else []
            )
            self._authors = [parts.unescaped(n.decode("utf-8")) for n in names]
        return self._authors

    @property
    def notes(self) -> dict[str, Note]:
        """The existing notes by cell."""
        if self._notes is None:
            self._notes = {}
            for match in COMMENT.finditer(self.comments.data):
                head = parts.attributes(match.group(0)[: match.group(0).find(b">")])
                number = head.get("authorId", "")
                author = (
                    self.authors[int(number)]
                    if number.isdigit() and int(number) < len(self.authors)
                    else ""
                )
                ref = head.get("ref", "").split(":")[0].replace("$", "")
                self._notes[ref] = Note(
                    ref, match.start(), match.end(), author, plain(match.group(0))
                )
        return self._notes

    # -- marking (insertions only)

    def add(self, ref: str, note: str, author: str) -> int | None:
        """Give a cell ``note``: a new note, or appended to its own (returns the length of
        its own note's text then, else None)."""
        own = self.notes.get(ref)
        if own is None:
            self.new_notes.append((ref, note))
            return None
        element = self.comments.data[own.start : own.end]
        close = element.rfind(b"</text>")
        if close < 0:
            close = re.search(rb"</\w+:text>", element)
            if close is None:
                raise parts.Unsupported("a note without text")
            close = close.start()
        room = max(parts.MAX_TEXT - len(own.text) - 1, 1)  # a note holds 32,767 characters
        run = f'<r><t xml:space="preserve">\n{parts.text(note, room)}</t></r>'
        self.comments.insert(own.start + close, run.encode())
        return len(own.text)

    def finish(self, author: str, idmaps: set[int]) -> None:
        """Write the new notes into the parts (new parts or insertions into the old ones)."""
        if not self.new_notes:
            return
        self.new_notes.sort(key=lambda item: position(item[0]))
        if self.comments_new:
            self.comments.data = _comments_part(author)
            self._authors = [author]
            self._notes = {}
        number = self._author(author)
        distinct = {note for _ref, note in self.new_notes}  # notes repeat: each escaped once
        texts = {note: parts.text(note) for note in distinct}
        items = "".join(
            f'<comment ref="{ref}" authorId="{number}"><text><r><t xml:space="preserve">'
            f"{texts[note]}</t></r></text></comment>"
            for ref, note in self.new_notes
        ).encode()
        data = self.comments.data
        close = re.search(rb"</(?:\w+:)?commentList>", data)
        if close is not None:
            self.comments.insert(close.start(), items)
        else:
            empty = re.search(rb"<((?:\w+:)?commentList)\s*/>", data)
            if empty is None:
                raise parts.Unsupported("comments without a list")
            self.comments.replace(
                empty.start(), empty.end(), b"<commentList>" + items + b"</commentList>"
            )
        self._shapes(idmaps)

    def _author(self, author: str) -> int:
        if author in self.authors:
            return self.authors.index(author)
        data = self.comments.data
        close = re.search(rb"</(?:\w+:)?authors>", data)
        if close is None:
            raise parts.Unsupported("comments without authors")
        self.comments.insert(close.start(), f"<author>{parts.text(author)}</author>".encode())
        self.authors.append(author)
        return len(self.authors) - 1

    def _shapes(self, idmaps: set[int]) -> None:
        data = self.vml.data
        if self.vml_new:
            block = _free_block(idmaps)
            self.vml.data = _vml_part(block)
            data = self.vml.data
            first = block * SHAPES_PER_BLOCK + 1
        else:
            used = [int(n) for n in SHAPE_ID.findall(data)]
            blocks = [int(n) for m in IDMAP.findall(data) for n in m.split(b",") if n]
            first = max([*used, *(b * SHAPES_PER_BLOCK for b in blocks)], default=0) + 1
        shapes = "".join(_shape(first + i, ref) for i, (ref, _n) in enumerate(self.new_notes))
        if b'id="_x0000_t202"' not in data:
            shapes = SHAPETYPE + shapes
        close = data.rfind(b"</xml>")
        if close < 0:
            raise parts.Unsupported("VML without </xml>")
        self.vml.insert(close, shapes.encode())

    # -- cleaning (any edits)

    def remove(self, ref: str) -> None:
        """Remove a cell's note and its shape."""
        own = self.notes.get(ref)
        if own is None:
            return
        self.comments.replace(own.start, own.end, b"")
        row, column = position(ref)
        for match in SHAPE.finditer(self.vml.data):
            shape = match.group(0)
            if re.search(rb"<x:Row>\s*%d\s*</x:Row>" % (row - 1), shape) and re.search(
                rb"<x:Column>\s*%d\s*</x:Column>" % (column - 1), shape
            ):
                self.vml.replace(match.start(), match.end(), b"")
                break

    def set_text(self, ref: str, text: str) -> None:
        """Replace a note's text (its formatting goes: it was ours appended to theirs)."""
        own = self.notes.get(ref)
        if own is None:
            return
        element = self.comments.data[own.start : own.end]
        block = re.search(rb"<((?:\w+:)?text)\b[^>]*>.*</\1>", element, re.S)
        if block is None:
            return
        runs = _cut_runs(block.group(0), len(text)) if own.text.startswith(text) else None
        if runs is None:
            name = block.group(1).decode()
            runs = f'<{name}><t xml:space="preserve">{parts.text(text)}</t></{name}>'.encode()
        self.comments.replace(own.start + block.start(), own.start + block.end(), runs)

    # -- saving

    def save(self) -> tuple[bool, str | None]:
        """Put the changed parts (new ones with their relationships and content type);
        returns whether a comments part was made, and the relationship id of a new
        VML drawing (the sheet then needs a <legacyDrawing> for it)."""
        made_comments, vml_id = False, None
        if self.comments:
            if self.comments_new:
                self.comments_part = parts.free_name(self.package, "xl/comments{}.xml")
                self.types.override(self.comments_part, COMMENTS_TYPE)
                self.rels.add("comments", self.comments_part)
                made_comments = True
            self.package.put(self.comments_part, self.comments.result())
        if self.vml:
            if self.vml_new:
                self.vml_part = parts.free_name(self.package, "xl/drawings/vmlDrawing{}.vml")
                vml_id, _entry = self.rels.add("vmlDrawing", self.vml_part)
                self.vml_id = vml_id
            self.package.put(self.vml_part, self.vml.result())
        return made_comments, vml_id


def _cut_runs(block: bytes, length: int) -> bytes | None:
    """A <text> element keeping only its first ``length`` characters, formatting kept;
    None when the text is not made of simple runs."""
    head_end = block.find(b">") + 1
    close = block.rfind(b"</")
    body = block[head_end:close]
    out, left = [], length
    for match in re.finditer(rb"<(?:\w+:)?(r|t)\b[^>]*?(?:/>|>.*?</(?:\w+:)?\1>)", body, re.S):
        piece = match.group(0)
        value = plain(piece)
        if left <= 0:
            break
        if len(value) <= left:
            out.append(piece)
            left -= len(value)
            continue
        inner = TEXTS.search(piece)
        if inner is None:
            return None
        kept = parts.text(value[:left])
        out.append(
            piece[: inner.start()]
            + f'<t xml:space="preserve">{kept}</t>'.encode()
            + piece[inner.end() :]
        )
        left = 0
    return block[:head_end] + b"".join(out) + block[close:]


def idmaps(package: Rewriter) -> set[int]:
    """The shape id blocks (o:idmap) the package's VML drawings use."""
    used: set[int] = set()
    for name in package.names():
        if name.endswith(".vml"):
            for found in IDMAP.findall(package.read(name)):
                used |= {int(n) for n in found.split(b",") if n}
    return used


def _free_block(used: set[int]) -> int:
    block = 1
    while block in used:
        block += 1
    used.add(block)
    return block


def _comments_part(author: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<comments xmlns="{parts.MAIN}"><authors><author>{parts.text(author)}</author></authors>'
        "<commentList></commentList></comments>"
    ).encode()


SHAPETYPE = (
    '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
    'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
    '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
)


def _vml_part(block: int) -> bytes:
    return (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" '
        'xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel">'
        f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{block}"/></o:shapelayout>'
        f"{SHAPETYPE}</xml>"
    ).encode()


def _shape(number: int, ref: str) -> str:
    row, column = position(ref)
    return (
        f'<v:shape id="_x0000_s{number}" type="#_x0000_t202" '
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
