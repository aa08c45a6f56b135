"""A worksheet's XML edited in place: cell styles over a block of rows, data
validations and conditional formats added or taken out.

Used by ``dyxx prepare`` (input aids put in) and ``dyxx clean`` (taken out);
everything else in the sheet (values, formulas with their cached results,
merges, panes, print settings, drawings, extension lists) stays byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from addin.model.a1 import column_letter, position
from addin.xlsx import parts as xparts
from addin.xlsx.parts import Unsupported

ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*?(?:/>|>.*?</(?:\w+:)?row>)", re.S)
CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?(?:/>|>.*?</(?:\w+:)?c>)", re.S)
FILLED = re.compile(rb"<(?:\w+:)?(?:v|f|is)\b")
COL = re.compile(rb"<(?:\w+:)?col\b[^>]*>")
TRUE = ("1", "true")
# decide(row, column, style, tag or None when the cell is not in the XML) -> new style,
# None (leave it) or REMOVE (take the empty cell out).
REMOVE = -1
Decide = Callable[[int, int, int, bytes | None], int | None]


UNNUMBERED = re.compile(rb'<(?:\w+:)?(?:row|c)\b(?! r=")')
# The same, found faster: unprefixed rows and cells each by its own literal start, and
# UNNUMBERED itself (which looks at every "<") only when some row or cell has a prefix
UNNUMBERED_PLAIN = (re.compile(rb'<c\b(?! r=")'), re.compile(rb'<row\b(?! r=")'))
PREFIXED = re.compile(rb":(?:row|c)\b")


def unnumbered(xml: bytes, start: int = 0) -> bool:
    """Whether a row or cell from ``start`` on has no reference first (UNNUMBERED)."""
    if any(pattern.search(xml, start) for pattern in UNNUMBERED_PLAIN):
        return True
    return PREFIXED.search(xml, start) is not None and UNNUMBERED.search(xml, start) is not None


def numbered(xml: bytes) -> bytes:
    """The sheet with every row and cell reference written first (``<row r="7" …>``,
    ``<c r="B7" …>``): the schema lets a writer leave them out, dyxx's edits need them.
    A sheet that has them is returned as it is."""
    start = xml.find(b"<sheetData")
    if start < 0 or not unnumbered(xml, start):
        return xml
    end = xml.rfind(b"</sheetData>")
    out, position_, expected = [xml[:start]], start, 1
    for match in ROW.finditer(xml, start, end if end >= 0 else len(xml)):
        row = match.group(0)
        head_end = row.find(b">") + 1
        attrs = xparts.attributes(row[:head_end])
        number = int(attrs.get("r", expected))
        expected = number + 1
        head = _first(row[:head_end], "r", str(number))
        body = row[head_end:]
        if not row.endswith(b"/>"):
            body = _numbered_cells(body, number)
        out += [xml[position_ : match.start()], head, body]
        position_ = match.end()
    out.append(xml[position_:])
    return b"".join(out)


def _numbered_cells(body: bytes, row: int) -> bytes:
    out, position_, column = [], 0, 0
    for match in CELL.finditer(body):
        cell = match.group(0)
        tag_end = cell.find(b">") + 1
        ref = xparts.attributes(cell[:tag_end]).get("r")
        column = position(ref)[1] if ref else column + 1
        head = _first(cell[:tag_end], "r", f"{column_letter(column)}{row}")
        out += [body[position_ : match.start()], head, cell[tag_end:]]
        position_ = match.end()
    out.append(body[position_:])
    return b"".join(out)


def _first(tag: bytes, name: str, value: str) -> bytes:
    """An opening tag with attribute ``name`` as its first attribute."""
    tag = xparts.set_attribute(tag, name, None)
    space = re.match(rb"<[\w:]+", tag)
    at = space.end() if space else 0
    return tag[:at] + f' {name}="{value}"'.encode() + tag[at:]


def column_styles(xml: bytes) -> dict[int, int]:
    """Column -> style of the <col> elements (the style of a cell not in the XML)."""
    styles: dict[int, int] = {}
    head = xml[: max(xml.find(b"<sheetData"), 0)]
    for match in COL.finditer(head):
        attrs = xparts.attributes(match.group(0))
        if "style" not in attrs:
            continue
        for column in range(int(attrs.get("min", 0)), min(int(attrs.get("max", 0)), 16384) + 1):
            styles[column] = int(attrs["style"])
    return styles


def restyle(
    xml: bytes, columns: Iterable[int], first: int, last: int, decide: Decide, insert: bool
) -> tuple[bytes, int]:
    """Ask ``decide`` about every empty cell of ``columns`` in rows ``first``..``last``
    (with ``insert``, also about the cells not in the XML, which are then added).
    Returns the new XML and the number of cells changed."""
    wanted = sorted(set(columns))
    start = xml.find(b"<sheetData")
    end = xml.rfind(b"</sheetData>")
    if start < 0:
        raise Unsupported("no sheetData")
    if end < 0:  # <sheetData/>
        if not insert:
            return xml, 0
        opened = re.search(rb"<sheetData\s*/>", xml)
        if opened is None:
            raise Unsupported("no sheetData")
        xml = xml[: opened.start()] + b"<sheetData></sheetData>" + xml[opened.end() :]
        start, end = opened.start(), opened.start() + len(b"<sheetData>")
    by_column = column_styles(xml)
    out: list[bytes] = []
    position_ = xml.find(b">", start) + 1
    out.append(xml[:position_])
    changed = 0
    expected = first
    for match in ROW.finditer(xml, position_, end):
        head = xparts.attributes(match.group(0)[: match.group(0).find(b">")])
        if "r" not in head:
            raise Unsupported("rows without numbers")
        number = int(head["r"])
        if number < first:
            continue
        if insert:
            for missing in range(expected, min(number, last + 1)):
                row, count = _new_row(missing, wanted, by_column, decide)
                if count:
                    out += [xml[position_ : match.start()], row]
                    position_ = match.start()
                    changed += count
        expected = number + 1
        if number > last:
            break
        row, count = _edit_row(match.group(0), number, wanted, by_column, decide, insert)
        if count:
            out += [xml[position_ : match.start()], row]
            position_ = match.end()
            changed += count
    if insert:
        for missing in range(expected, last + 1):
            row, count = _new_row(missing, wanted, by_column, decide)
            if count:
                out += [xml[position_:end], row]
                position_ = end
                changed += count
    out.append(xml[position_:])
    return b"".join(out), changed


def _new_row(
    number: int, columns: list[int], by_column: dict[int, int], decide: Decide
) -> tuple[bytes, int]:
    cells = []
    for column in columns:
        style = decide(number, column, by_column.get(column, 0), None)
        if style is not None and style != REMOVE:
            cells.append(f'<c r="{column_letter(column)}{number}" s="{style}"/>')
    if not cells:
        return b"", 0
    return f'<row r="{number}">{"".join(cells)}</row>'.encode(), len(cells)


def _edit_row(
    row: bytes,
    number: int,
    columns: list[int],
    by_column: dict[int, int],
    decide: Decide,
    insert: bool,
) -> tuple[bytes, int]:
    head_end = row.find(b">") + 1
    head = row[:head_end]
    attrs = xparts.attributes(head)
    row_style = int(attrs.get("s", 0)) if attrs.get("customFormat") in TRUE else None
    if row.endswith(b"/>"):
        body, closing = b"", b"</row>"
        head = head[:-2].rstrip() + b">"
    else:
        body, closing = row[head_end : row.rfind(b"</")], row[row.rfind(b"</") :]
    out: list[bytes] = []
    position_ = 0
    changed = 0
    done: set[int] = set()
    pending = list(columns)
    for match in CELL.finditer(body):
        cell = match.group(0)
        tag_end = cell.find(b">") + 1
        cell_attrs = xparts.attributes(cell[:tag_end])
        if "r" not in cell_attrs:
            raise Unsupported("cells without references")
        column = position(cell_attrs["r"])[1]
        while insert and pending and pending[0] < column:
            missing = pending.pop(0)
            new = _inserted(number, missing, row_style, by_column, decide)
            if new:
                out += [body[position_ : match.start()], new]
                position_ = match.start()
                changed += 1
        if pending and pending[0] == column:
            pending.pop(0)
        done.add(column)
        if column not in columns or FILLED.search(cell):
            continue
        style = int(cell_attrs.get("s", 0))
        decided = decide(number, column, style, cell[:tag_end])
        if decided is None or decided == style:
            continue
        out.append(body[position_ : match.start()])
        position_ = match.end()
        changed += 1
        if decided == REMOVE:
            continue
        out.append(xparts.set_attribute(cell[:tag_end], "s", str(decided)) + cell[tag_end:])
    out.append(body[position_:])
    if insert:
        for missing in pending:
            new = _inserted(number, missing, row_style, by_column, decide)
            if new:
                out.append(new)
                changed += 1
    if not changed:
        return row, 0
    new_body = b"".join(out)
    if not new_body and head_end and set(attrs) <= {"r"}:
        return b"", changed  # a bare row that is now empty: it was inserted, it goes
    return head + new_body + closing, changed


def _inserted(
    number: int, column: int, row_style: int | None, by_column: dict[int, int], decide: Decide
) -> bytes:
    base = row_style if row_style is not None else by_column.get(column, 0)
    style = decide(number, column, base, None)
    if style is None or style == REMOVE:
        return b""
    return f'<c r="{column_letter(column)}{number}" s="{style}"/>'.encode()


# ---- data validations and conditional formats ---------------------------------------------------


@dataclass(frozen=True)
class Found:
    """One <dataValidation> (or x14 one) or <conditionalFormatting> of a sheet."""

    start: int
    end: int
    attrs: dict[str, str]
    sqref: str
    formulas: tuple[str, ...]
    extension: bool = False  # in the sheet's extLst (Excel 2010)


VALIDATION = re.compile(
    rb"<(?:(\w+):)?dataValidation\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?dataValidation>)", re.S
)
FORMULA = re.compile(rb"<(?:\w+:)?(?:formula1|formula2|formula|f)\b[^>]*>([^<]*)</")
SQREF = re.compile(rb"<(?:\w+:)?sqref\b[^>]*>(.*?)</", re.S)
CONDITIONAL = re.compile(
    rb"<(?:(\w+):)?conditionalFormatting\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?conditionalFormatting>)",
    re.S,
)
RULE = re.compile(rb"<(?:\w+:)?cfRule\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?cfRule>)", re.S)


def _text(raw: bytes) -> str:
    return xparts.unescaped(raw.decode("utf-8"))


def validations(xml: bytes) -> list[Found]:
    """The sheet's data validations: the ordinary ones and those in its extLst."""
    found = []
    tail_at = xparts.tail_start(xml)
    for match in VALIDATION.finditer(xml, tail_at):
        attrs = xparts.attributes(match.group(2))
        body = match.group(3) or b""
        extension = match.group(1) is not None
        sqref = attrs.get("sqref", "")
        if extension:
            inner = SQREF.search(body)
            sqref = _text(inner.group(1)) if inner else ""
        formulas = tuple(_text(f) for f in FORMULA.findall(body))
        found.append(Found(match.start(), match.end(), attrs, sqref, formulas, extension))
    return found


def conditional_formats(xml: bytes) -> list[tuple[Found, list[Found]]]:
    """Each <conditionalFormatting> with its rules (rule offsets are in the sheet's XML)."""
    found = []
    for match in CONDITIONAL.finditer(xml, xparts.tail_start(xml)):
        attrs = xparts.attributes(match.group(2))
        body_start = match.start(3) if match.group(3) is not None else match.end()
        rules = []
        for rule in RULE.finditer(match.group(3) or b""):
            rule_attrs = xparts.attributes(rule.group(1))
            formulas = tuple(_text(f) for f in FORMULA.findall(rule.group(2) or b""))
            rules.append(
                Found(body_start + rule.start(), body_start + rule.end(), rule_attrs, "", formulas)
            )
        sqref = attrs.get("sqref", "")
        if match.group(1) is not None:
            inner = SQREF.search(match.group(3) or b"")
            sqref = _text(inner.group(1)) if inner else ""
        group = Found(match.start(), match.end(), attrs, sqref, (), match.group(1) is not None)
        found.append((group, rules))
    return found


def ranges(sqref: str) -> list[tuple[int, int, int, int]]:
    """(first column, first row, last column, last row) of each range of a sqref."""
    found = []
    for piece in sqref.replace("$", "").split():
        low, _, high = piece.partition(":")
        high = high or low
        try:
            (r1, c1), (r2, c2) = position(low), position(high)
        except ValueError:
            continue
        found.append((c1, r1, c2, r2))
    return found


def add(xml: bytes, section: str, items: list[bytes]) -> bytes:
    """Add elements to the sheet: into the existing ``section`` (``dataValidations``,
    count updated), or, for ``conditionalFormatting``, beside the existing ones."""
    if not items:
        return xml
    elements = xparts.tail(xml)
    if section == "conditionalFormatting":
        at = xparts.insertion_point(xml, section, elements)
        return xml[:at] + b"".join(items) + xml[at:]
    existing = next((e for e in elements if e.name == section), None)
    if existing is None:
        at = xparts.insertion_point(xml, section, elements)
        block = f'<{section} count="{len(items)}">'.encode() + b"".join(items)
        return xml[:at] + block + f"</{section}>".encode() + xml[at:]
    element = xml[existing.start : existing.end]
    head_end = element.find(b">") + 1
    count = len(VALIDATION.findall(element)) + len(items)
    if element.endswith(b"/>") and head_end == len(element):
        head = element[:-2].rstrip() + b">"
        new = head + b"".join(items) + f"</{section}>".encode()
    else:
        close = element.rfind(b"</")
        new = element[:close] + b"".join(items) + element[close:]
    head_end = new.find(b">") + 1
    head = new[:head_end]
    if b"count=" in head:
        head = xparts.set_attribute(head, "count", str(count))
    new = head + new[head_end:]
    return xml[: existing.start] + new + xml[existing.end :]


def remove(xml: bytes, spans: list[tuple[int, int]]) -> bytes:
    """The sheet without the given elements; a section left empty goes, the counts of
    the others are set to what they hold."""
    if not spans:
        return xml
    out, position_ = [], 0
    for start, end in sorted(spans):
        out.append(xml[position_:start])
        position_ = end
    out.append(xml[position_:])
    xml = b"".join(out)
    return _tidy(xml)


EMPTY_SECTION = re.compile(
    rb"<((?:\w+:)?(?:dataValidations|conditionalFormatting))\b[^>]*>\s*</\1>", re.S
)
VALIDATIONS = re.compile(rb"<((?:\w+:)?dataValidations)\b([^>]*)>(.*?)</\1>", re.S)
EMPTY_EXT = re.compile(rb"<((?:\w+:)?ext)\b[^>]*>\s*</\1>", re.S)
EMPTY_EXTLST = re.compile(rb"<((?:\w+:)?extLst)\b[^>]*>\s*</\1>", re.S)


def _tidy(xml: bytes) -> bytes:
    tail_at = xparts.tail_start(xml)
    head, tail = xml[:tail_at], xml[tail_at:]
    tail = EMPTY_SECTION.sub(b"", tail)

    def recount(match: re.Match[bytes]) -> bytes:
        count = len(VALIDATION.findall(match.group(3)))
        opening = f"<{match.group(1).decode()}{match.group(2).decode()}>".encode()
        if b"count=" in opening:
            opening = xparts.set_attribute(opening, "count", str(count))
        return opening + match.group(3) + b"</" + match.group(1) + b">"

    tail = VALIDATIONS.sub(recount, tail)
    tail = EMPTY_EXT.sub(b"", tail)
    tail = EMPTY_EXTLST.sub(b"", tail)
    return head + tail
