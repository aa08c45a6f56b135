"""Editing the parts of an .xlsx package as bytes: what every dyxx copy of a workbook uses.

``dyxx check -o``, ``prepare`` and ``clean`` change a few elements of a few parts
and copy everything else byte for byte (:class:`addin.xlsx.package.Rewriter`); nothing
is loaded into an object model and saved again, so images, charts, text boxes,
Excel 2010 extension lists and cached formula results stay as they were.

This module holds the pieces they share: the content types, the workbook's sheet
list (:class:`Book`), styles.xml (:class:`Styles`), the order of a worksheet's
elements, and XML text and attributes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar
from xml.sax.saxutils import escape, unescape

from addin.xlsx.package import Rewriter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
BOOK_TYPES = {
    False: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    True: "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
}
MAX_CELL_FORMATS = 64_000  # Excel's limit on cellXfs, kept with a margin
MAX_TEXT = 32_767  # characters in a cell (and in a note)
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ATTRIBUTE = re.compile(r'([\w:.-]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
ENTITIES = {"&quot;": '"', "&apos;": "'"}
CHARACTER = re.compile(r"&#([0-9]+|[xX][0-9a-fA-F]+);")
# The children of <worksheet>, in the order the schema (CT_Worksheet) requires.
WORKSHEET_ORDER = (
    "sheetPr",
    "dimension",
    "sheetViews",
    "sheetFormatPr",
    "cols",
    "sheetData",
    "sheetCalcPr",
    "sheetProtection",
    "protectedRanges",
    "scenarios",
    "autoFilter",
    "sortState",
    "dataConsolidate",
    "customSheetViews",
    "mergeCells",
    "phoneticPr",
    "conditionalFormatting",
    "dataValidations",
    "hyperlinks",
    "printOptions",
    "pageMargins",
    "pageSetup",
    "headerFooter",
    "rowBreaks",
    "colBreaks",
    "customProperties",
    "cellWatches",
    "ignoredErrors",
    "smartTags",
    "drawing",
    "legacyDrawing",
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
)
TAG = re.compile(rb"<(/?)([A-Za-z_][\w:.-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)(/?)>")
RECORDED = ("cellXfs", "numFmts", "dxfs")  # the sections dyxx prepare may add to
STYLES_ORDER = (
    "numFmts",
    "fonts",
    "fills",
    "borders",
    "cellStyleXfs",
    "cellXfs",
    "cellStyles",
    "dxfs",
    "tableStyles",
    "colors",
    "extLst",
)


class Unsupported(Exception):
    """XML this writer cannot follow; the caller refuses with a clear message."""


class TooManyFormats(Unsupported):
    """Another cell format would pass Excel's limit."""


# ---- text and attributes -------------------------------------------------------------------------


def text(value: str, limit: int = MAX_TEXT) -> str:
    """Text for an XML element: escaped, characters XML cannot hold removed, at most
    ``limit`` characters (a cell or note holds 32,767)."""
    if not value.isalnum():
        if ILLEGAL.search(value):
            value = ILLEGAL.sub("", value)
        value = escape(value)  # &, < and >
    if len(value) > limit:
        value = _clip(value, limit)
    return value


def _clip(escaped: str, limit: int) -> str:
    """Cut escaped text to ``limit`` characters of the text itself (never inside an entity)."""
    plain = unescape(escaped)[: limit - 1] + "…"
    return escape(plain)


def attribute(value: str) -> str:
    """A double-quoted attribute value."""
    return '"' + text(value).replace('"', "&quot;") + '"'


def unescaped(value: str) -> str:
    """XML text unescaped: the five entities and character references (&#10;)."""
    if "&" not in value:
        return value
    value = CHARACTER.sub(_character, value)
    return unescape(value, ENTITIES)


def _character(match: re.Match[str]) -> str:
    number = int(match.group(1)[1:], 16) if match.group(1)[0] in "xX" else int(match.group(1))
    try:
        return chr(number)
    except (ValueError, OverflowError):
        return ""


def attributes(tag: bytes | str) -> dict[str, str]:
    """The attributes of an opening tag, unescaped (prefixes kept: ``r:id``)."""
    source = tag.decode("utf-8") if isinstance(tag, bytes) else tag
    return {
        m.group(1): unescaped(m.group(2) if m.group(2) is not None else m.group(3))
        for m in ATTRIBUTE.finditer(source)
    }


def set_attribute(tag: bytes, name: str, value: str | None) -> bytes:
    """An opening tag with one attribute set (added at the end) or removed (None)."""
    pattern = re.compile(rb"\s" + re.escape(name.encode()) + rb'\s*=\s*(?:"[^"]*"|\'[^\']*\')')
    found = pattern.search(tag)
    new = b"" if value is None else f" {name}={attribute(value)}".encode()
    if found:
        return tag[: found.start()] + new + tag[found.end() :]
    if value is None:
        return tag
    end = len(tag) - (2 if tag.endswith(b"/>") else 1)
    return tag[:end] + new + tag[end:]


def local(name: bytes | str) -> str:
    """An element name without its prefix."""
    name = name.decode() if isinstance(name, bytes) else name
    return name.rsplit(":", 1)[-1]


@dataclass(frozen=True)
class Element:
    name: str  # local name
    start: int
    end: int


def children(xml: bytes, start: int, end: int) -> list[Element]:
    """The elements directly inside xml[start:end] (which holds whole elements only)."""
    found: list[Element] = []
    depth = 0
    opened = 0
    name = ""
    for match in TAG.finditer(xml, start, end):
        closing, tag, _rest, empty = match.groups()
        if closing:
            depth -= 1
            if depth == 0:
                found.append(Element(name, opened, match.end()))
        elif empty:
            if depth == 0:
                found.append(Element(local(tag), match.start(), match.end()))
        else:
            if depth == 0:
                opened, name = match.start(), local(tag)
            depth += 1
    if depth:
        raise Unsupported("unbalanced XML")
    return found


# ---- a worksheet ---------------------------------------------------------------------------------


def tail_start(xml: bytes) -> int:
    """Where the elements after <sheetData> start."""
    end = xml.rfind(b"</sheetData>")
    if end >= 0:
        return end + len(b"</sheetData>")
    empty = re.search(rb"<sheetData\s*/>", xml)
    if empty is None:
        raise Unsupported("no sheetData")
    return empty.end()


def worksheet_end(xml: bytes) -> int:
    end = xml.rfind(b"</")
    if end < 0 or local(xml[end + 2 : xml.find(b">", end)]) != "worksheet":
        raise Unsupported("no </worksheet>")
    return end


def tail(xml: bytes) -> list[Element]:
    """The worksheet's elements after <sheetData> (merges, formats, validations …)."""
    return children(xml, tail_start(xml), worksheet_end(xml))


def insertion_point(xml: bytes, name: str, elements: list[Element] | None = None) -> int:
    """Where a new element ``name`` goes after <sheetData>, in the schema's order."""
    rank = WORKSHEET_ORDER.index(name)
    for element in elements if elements is not None else tail(xml):
        if element.name in WORKSHEET_ORDER and WORKSHEET_ORDER.index(element.name) > rank:
            return element.start
    return worksheet_end(xml)


def namespace_prefix(xml: bytes, namespace: str, root: str = "worksheet") -> str | None:
    """The prefix the root element binds to ``namespace`` (None when not declared)."""
    start = xml.find(b"<" + root.encode())
    if start < 0:
        start = re.search(rb"<\w+:" + root.encode(), xml).start()  # type: ignore[union-attr]
    head = xml[start : xml.find(b">", start)]
    match = re.search(rb'xmlns:([\w.-]+)="' + re.escape(namespace.encode()) + b'"', head)
    return match.group(1).decode() if match else None


def rels_part(part: str) -> str:
    folder, name = part.rsplit("/", 1) if "/" in part else ("", part)
    return f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"


def resolve(part: str, target: str) -> str:
    """A relationship's target as a part name."""
    if target.startswith("/"):
        return target.lstrip("/")
    folder = part.rsplit("/", 1)[0].split("/") if "/" in part else []
    for piece in target.split("/"):
        if piece == "..":
            if folder:
                folder.pop()
        elif piece and piece != ".":
            folder.append(piece)
    return "/".join(folder)


def relative(source: str, target: str) -> str:
    """The path of ``target`` as seen from ``source``'s folder."""
    here = source.split("/")[:-1]
    there = target.split("/")
    common = 0
    while common < min(len(here), len(there) - 1) and here[common] == there[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + there[common:])


def free_name(package: Rewriter, pattern: str) -> str:
    number = 1
    while package.exists(pattern.format(number)):
        number += 1
    return pattern.format(number)


# ---- relationships -------------------------------------------------------------------------------


class Rels:
    """A relationships part (created empty when the package has none)."""

    EMPTY = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{PACKAGE_REL}"></Relationships>'
    )

    def __init__(self, package: Rewriter, owner: str) -> None:
        self.package, self.owner, self.part = package, owner, rels_part(owner)
        self.existed = package.exists(self.part)
        self.text = package.read(self.part).decode("utf-8") if self.existed else self.EMPTY
        self.original = self.text

    def entries(self) -> list[dict[str, str]]:
        return [attributes(m.group(0)) for m in re.finditer(r"<Relationship\b[^>]*>", self.text)]

    def target(self, rel_id: str) -> str | None:
        for entry in self.entries():
            if entry.get("Id") == rel_id and entry.get("TargetMode") != "External":
                return resolve(self.owner, entry.get("Target", ""))
        return None

    def of_type(self, kind: str) -> list[tuple[str, str]]:
        """(id, part) of the relationships of a type (``comments``, ``vmlDrawing`` …)."""
        return [
            (e["Id"], resolve(self.owner, e.get("Target", "")))
            for e in self.entries()
            if e.get("Type", "").endswith("/" + kind) and e.get("TargetMode") != "External"
        ]

    def free_id(self, stem: str = "rIdDyxx") -> str:
        taken = {e.get("Id") for e in self.entries()}
        number = 1
        while f"{stem}{number}" in taken:
            number += 1
        return f"{stem}{number}"

    def add(self, kind: str, target_part: str, rel_id: str | None = None) -> tuple[str, str]:
        """Add a relationship; returns (id, the inserted XML)."""
        rel_id = rel_id or self.free_id()
        entry = (
            f'<Relationship Id="{rel_id}" Type="{REL}/{kind}" '
            f'Target="{relative(self.owner, target_part)}"/>'
        )
        self.text = _before_close(self.text, "Relationships", entry)
        return rel_id, entry

    def remove(self, rel_id: str) -> bool:
        for match in re.finditer(r"<Relationship\b[^>]*>", self.text):
            if attributes(match.group(0)).get("Id") == rel_id:
                self.text = self.text[: match.start()] + self.text[match.end() :]
                return True
        return False

    def save(self) -> None:
        if self.text == self.original:
            return
        if not self.entries() and not self.existed:
            return
        self.package.put(self.part, self.text.encode("utf-8"))


def _before_close(xml: str, root: str, entry: str) -> str:
    close = re.search(rf"</(\w+:)?{root}>\s*$", xml)
    if close is None:
        empty = re.search(rf"<((?:\w+:)?{root})\b([^>]*?)/>\s*$", xml)
        if empty is None:
            raise Unsupported(f"no <{root}>")
        return (
            xml[: empty.start()]
            + f"<{empty.group(1)}{empty.group(2)}>{entry}</{empty.group(1)}>"
            + xml[empty.end() :]
        )
    return xml[: close.start()] + entry + xml[close.start() :]


# ---- content types -------------------------------------------------------------------------------


class ContentTypes:
    PART = "[Content_Types].xml"

    def __init__(self, package: Rewriter) -> None:
        self.package = package
        self.text = package.read(self.PART).decode("utf-8")
        self.original = self.text

    def override(self, part: str, content_type: str) -> None:
        entry = f'<Override PartName="/{part}" ContentType="{content_type}"/>'
        self.text = _before_close(self.text, "Types", entry)

    def remove_override(self, part: str) -> bool:
        pattern = rf'<Override PartName="/{re.escape(part)}" ContentType="[^"]*"\s*/>'
        self.text, count = re.subn(pattern, "", self.text, count=1)
        return bool(count)

    def default(self, extension: str, content_type: str) -> bool:
        """Add a default content type unless present; whether it was added."""
        if re.search(rf'Extension="{re.escape(extension)}"', self.text, re.I):
            return False
        entry = f'<Default Extension="{extension}" ContentType="{content_type}"/>'
        self.text = _before_close(self.text, "Types", entry)
        return True

    def remove_default(self, extension: str) -> None:
        pattern = rf'<Default Extension="{re.escape(extension)}" ContentType="[^"]*"\s*/>'
        self.text = re.sub(pattern, "", self.text, count=1)

    def book_type(self, macros: bool) -> None:
        """The workbook part's type: with or without macros (.xlsm / .xlsx)."""
        self.text = self.text.replace(BOOK_TYPES[not macros], BOOK_TYPES[macros])

    def save(self) -> None:
        if self.text != self.original:
            self.package.put(self.PART, self.text.encode("utf-8"))


# ---- the workbook's sheets -----------------------------------------------------------------------


@dataclass
class Sheet:
    name: str
    part: str
    rel_id: str
    state: str  # "visible", "hidden", "veryHidden"


class Book:
    """xl/workbook.xml and its relationships: the sheets, added and removed."""

    PART = "xl/workbook.xml"

    def __init__(self, package: Rewriter) -> None:
        self.package = package
        self.xml = package.read(self.PART).decode("utf-8")
        self.original = self.xml
        self.rels = Rels(package, self.PART)
        self.prefix = namespace_prefix(self.xml.encode("utf-8"), REL, "workbook")
        if self.prefix is None:
            raise Unsupported("workbook.xml without the relationships namespace")

    def _entries(self) -> list[tuple[re.Match[str], dict[str, str]]]:
        sheets = re.search(r"<(\w+:)?sheets\b[^>]*>(.*?)</(\w+:)?sheets>", self.xml, re.S)
        if sheets is None:
            return []
        return [
            (m, attributes(m.group(0)))
            for m in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", self.xml[: sheets.end()])
            if m.start() >= sheets.start()
        ]

    @property
    def sheets(self) -> list[Sheet]:
        found = []
        for _match, attrs in self._entries():
            rel_id = attrs.get(f"{self.prefix}:id", "")
            part = self.rels.target(rel_id) or ""
            found.append(Sheet(attrs.get("name", ""), part, rel_id, attrs.get("state", "visible")))
        return found

    def free_sheet_name(self, wanted: str) -> str:
        """``wanted``, or ``wanted2``, ``wanted3`` … when a sheet has that name already
        (sheet names compare without case in Excel)."""
        taken = {s.name.casefold() for s in self.sheets}
        name, number = wanted, 1
        while name.casefold() in taken:
            number += 1
            name = f"{wanted}{number}"
        return name

    def add(self, name: str, sheet_xml: bytes, types: ContentTypes, hidden: bool = False) -> str:
        """Add a sheet at the end; returns its part name."""
        part = free_name(self.package, "xl/worksheets/sheet{}.xml")
        self.package.put(part, sheet_xml)
        rel_id, _entry = self.rels.add("worksheet", part)
        ids = [int(a.get("sheetId", "0") or 0) for _m, a in self._entries()]
        state = ' state="hidden"' if hidden else ""
        entry = (
            f'<sheet name={attribute(name)} sheetId="{max(ids, default=0) + 1}"{state} '
            f'{self.prefix}:id="{rel_id}"/>'
        )
        closing = re.search(r"</(\w+:)?sheets>", self.xml)
        if closing is None:
            raise Unsupported("workbook.xml without sheets")
        self.xml = self.xml[: closing.start()] + entry + self.xml[closing.start() :]
        types.override(part, SHEET_TYPE)
        return part

    def print_titles(self, name: str, rows: str) -> str | None:
        """Repeat ``rows`` (e.g. "$1:$1") of sheet ``name`` at the top of every printed page:
        a defined name local to the sheet. Returns what its <definedNames> replaced: None
        when the workbook had a list to add it to, "" when none (the list is put where the
        schema has it), the empty element when the workbook had one."""
        index = next(i for i, (_m, a) in enumerate(self._entries()) if a.get("name") == name)
        sheets = re.search(r"<(\w+:)?sheets\b", self.xml)
        prefix = (sheets.group(1) or "") if sheets else ""
        target = text("'" + name.replace("'", "''") + "'!" + rows)
        entry = (
            f'<{prefix}definedName name="_xlnm.Print_Titles" localSheetId="{index}">'
            f"{target}</{prefix}definedName>"
        )
        existing = re.search(r"</(\w+:)?definedNames>", self.xml)
        if existing is not None:
            self.xml = self.xml[: existing.start()] + entry + self.xml[existing.start() :]
            return None
        element = f"<{prefix}definedNames>{entry}</{prefix}definedNames>"
        empty = re.search(r"<(\w+:)?definedNames\b[^>]*/>", self.xml)
        if empty is not None:
            self.xml = self.xml[: empty.start()] + element + self.xml[empty.end() :]
            return empty.group(0)
        after = re.search(r"</(\w+:)?sheets>", self.xml)
        if after is None:
            raise Unsupported("workbook.xml without sheets")
        names = "|".join(AFTER_DEFINED_NAMES)
        at = re.compile(rf"<(\w+:)?({names})\b|</(\w+:)?workbook>").search(self.xml, after.end())
        if at is None:
            raise Unsupported("workbook.xml without its end")
        self.xml = self.xml[: at.start()] + element + self.xml[at.start() :]
        return ""

    def remove(self, name: str, types: ContentTypes) -> None:
        """Remove a sheet: its entry, relationship, part and the parts only it used; the
        defined names local to it, and the sheet indexes of later ones."""
        entries = self._entries()
        index = next(i for i, (_m, a) in enumerate(entries) if a.get("name") == name)
        match, attrs = entries[index]
        rel_id = attrs.get(f"{self.prefix}:id", "")
        part = self.rels.target(rel_id)
        self.xml = self.xml[: match.start()] + self.xml[match.end() :]
        self.rels.remove(rel_id)
        if part:
            drop_part(self.package, part, types)
        self.xml = _renumber_local_names(self.xml, index)
        self.xml = _renumber_views(self.xml, index, len(entries) - 1)

    def save(self) -> None:
        if self.xml != self.original:
            self.package.put(self.PART, self.xml.encode("utf-8"))
        self.rels.save()


# What follows <definedNames> in a workbook (CT_Workbook order).
AFTER_DEFINED_NAMES = (
    "calcPr",
    "oleSize",
    "customWorkbookViews",
    "pivotCaches",
    "smartTagPr",
    "smartTagTypes",
    "webPublishing",
    "fileRecoveryPr",
    "webPublishObjects",
    "extLst",
)


def _renumber_local_names(xml: str, removed: int) -> str:
    """Defined names of a removed sheet go; later sheets' localSheetId move down by one."""

    def fix(match: re.Match[str]) -> str:
        local_id = attributes(match.group(1)).get("localSheetId")
        if local_id is None or not local_id.isdigit():
            return match.group(0)
        number = int(local_id)
        if number == removed:
            return ""
        if number < removed:
            return match.group(0)
        return match.group(0).replace(f'localSheetId="{number}"', f'localSheetId="{number - 1}"', 1)

    pattern = r"<(?:\w+:)?definedName\b([^>]*)(?:/>|>.*?</(?:\w+:)?definedName>)"
    xml = re.sub(pattern, fix, xml, flags=re.S)
    return re.sub(r"<(\w+:)?definedNames\b[^>]*>\s*</(\w+:)?definedNames>", "", xml)


def _renumber_views(xml: str, removed: int, remaining: int) -> str:
    """activeTab and firstSheet keep pointing at the same (or a remaining) sheet."""

    def fix(match: re.Match[str]) -> str:
        number = int(match.group(2))
        if number > removed or (number == removed and number >= remaining):
            number = max(number - 1, 0)
        return f'{match.group(1)}="{number}"'

    return re.sub(r'\b(activeTab|firstSheet)="(\d+)"', fix, xml)


def drop_part(package: Rewriter, part: str, types: ContentTypes, keep: set[str] | None = None):
    """Remove a part, its relationships, and the parts it refers to that nothing else uses."""
    if not package.exists(part):
        return
    rels = Rels(package, part)
    targets = [
        resolve(part, e.get("Target", ""))
        for e in rels.entries()
        if e.get("TargetMode") != "External"
    ]
    package.remove(part)
    types.remove_override(part)
    if rels.existed:
        package.remove(rels.part)
        types.remove_override(rels.part)
    for target in targets:
        if target not in (keep or set()) and not _referenced(package, target):
            drop_part(package, target, types, keep)


def _referenced(package: Rewriter, part: str) -> bool:
    """Whether any remaining relationships part refers to ``part``."""
    for name in package.names():
        if not name.endswith(".rels"):
            continue
        owner = _owner(name)
        for entry in Rels(package, owner).entries():
            if (
                entry.get("TargetMode") != "External"
                and resolve(owner, entry.get("Target", "")) == part
            ):
                return True
    return False


def worksheet_parts(package: Rewriter) -> list[str]:
    """Every worksheet part of the package, as its content types name them."""
    types = package.read(ContentTypes.PART).decode("utf-8")
    found = re.findall(r'PartName="/([^"]+)"\s+ContentType="' + re.escape(SHEET_TYPE), types)
    return [part for part in found if package.exists(part)]


def _owner(rels: str) -> str:
    folder, name = rels.rsplit("/", 1)
    folder = folder.removesuffix("_rels").rstrip("/")
    stem = name.removesuffix(".rels")
    return f"{folder}/{stem}" if folder else stem


# ---- styles --------------------------------------------------------------------------------------


class Styles:
    """xl/styles.xml: cell formats, fills, number formats and differential formats.

    New entries are appended (and reused when an equal one exists), so every index
    in use keeps its meaning.
    """

    PART = "xl/styles.xml"
    ITEMS: ClassVar[dict[str, str]] = {
        "cellXfs": "xf",
        "fills": "fill",
        "numFmts": "numFmt",
        "dxfs": "dxf",
    }

    def __init__(self, xml: bytes) -> None:
        self.source = xml
        self.sections: dict[str, re.Match[bytes] | None] = {}
        self.items: dict[str, list[bytes]] = {}
        self.added: dict[str, list[bytes]] = {}
        for section, item in self.ITEMS.items():
            found = re.search(
                rb"<" + section.encode() + rb"\b[^>]*?(?:/>|>(.*?)</" + section.encode() + b">)",
                xml,
                re.S,
            )
            self.sections[section] = found
            inner = (found.group(1) or b"") if found else b""
            pattern = rb"<" + item.encode() + rb"\b[^>]*?/>|<" + item.encode() + rb"\b.*?</"
            pattern += item.encode() + b">"
            self.items[section] = re.findall(pattern, inner, re.S)
            if len(re.findall(rb"<" + item.encode() + rb"[\s/>]", inner)) != len(
                self.items[section]
            ):
                raise Unsupported(f"{section} this writer cannot follow")
            self.added[section] = []
        if self.sections["cellXfs"] is None or self.sections["fills"] is None:
            raise Unsupported("styles.xml without fills or cellXfs")
        self._index: dict[str, dict[bytes, int]] = {}
        self._loose: dict[str, dict[bytes, list[int]]] = {}  # see similar()

    # -- reading

    def count(self, section: str) -> int:
        return len(self.items[section]) + len(self.added[section])

    def item(self, section: str, index: int) -> bytes:
        own = self.items[section]
        if index < len(own):
            return own[index]
        extra = self.added[section]
        if index - len(own) < len(extra):
            return extra[index - len(own)]
        return own[0] if own else b""

    def count_attribute(self, section: str) -> str:
        """The count="…" of a section's opening tag as written ("" when absent)."""
        found = self.sections[section]
        if found is None:
            return ""
        head = found.group(0).split(b">", 1)[0]
        number = re.search(rb'\scount="(\d*)"', head)
        return number.group(1).decode() if number else ""

    def xf(self, style: int) -> bytes:
        return self.item("cellXfs", style)

    def xf_attribute(self, style: int, name: str) -> int:
        head = self.xf(style).split(b">", 1)[0]
        found = re.search(rb"\s" + name.encode() + rb'="(\d+)"', head)
        return int(found.group(1)) if found else 0

    def fill_xml(self, style: int) -> bytes:
        return self.item("fills", self.xf_attribute(style, "fillId"))

    def number_format(self, style: int) -> str:
        """The number format code of a cell style ("General", "@", "yyyy-mm-dd" …; the
        escapes LibreOffice writes, as in yyyy\\-mm\\-dd, left out)."""
        return _plain_code(self.format_code(self.xf_attribute(style, "numFmtId")))

    # -- adding

    def _find_or_add(self, section: str, xml: bytes) -> int:
        index = self._index.setdefault(section, {})
        if not index:
            for number, item in enumerate(self.items[section]):
                index.setdefault(_normal(item), number)
        key = _normal(xml)
        if key not in index:
            if section == "cellXfs" and self.count(section) >= MAX_CELL_FORMATS:
                raise TooManyFormats(section)
            self.added[section].append(xml)
            index[key] = self.count(section) - 1
            if section == "cellXfs":
                for name, loose in self._loose.items():
                    loose.setdefault(_loose(xml, name), []).append(index[key])
        return index[key]

    def fill(self, xml: bytes) -> int:
        return self._find_or_add("fills", xml)

    def cell_format(self, xml: bytes) -> int:
        return self._find_or_add("cellXfs", xml)  # TooManyFormats at Excel's limit

    def dxf(self, xml: bytes) -> int:
        return self._find_or_add("dxfs", xml)

    def number_format_id(self, code: str) -> int:
        builtin = {"General": 0, "@": 49}
        if code in builtin:
            return builtin[code]
        for entry in self.items["numFmts"] + self.added["numFmts"]:
            attrs = attributes(entry.split(b">", 1)[0])
            if _plain_code(attrs.get("formatCode", "")) == code:
                return int(attrs.get("numFmtId", "0"))
        taken = [
            int(attributes(e.split(b">", 1)[0]).get("numFmtId", "0"))
            for e in self.items["numFmts"] + self.added["numFmts"]
        ]
        number = max([163, *taken]) + 1
        self.added["numFmts"].append(
            f'<numFmt numFmtId="{number}" formatCode={attribute(code)}/>'.encode()
        )
        return number

    def variant(self, style: int, **changes: int) -> int:
        """A cell style like ``style`` with some ids changed (``fillId=…``, ``numFmtId=…``):
        the index of an equal one, or of one appended."""
        xf = self.xf(style)
        close = xf.find(b">") + 1
        head, rest = xf[:close], xf[close:]
        for name, value in changes.items():
            head = set_attribute(head, name, str(value))
            head = set_attribute(head, APPLY[name], "1" if value else None)
        return self._find_or_add("cellXfs", head + rest)

    def similar(self, style: int, name: str, accept: Callable[[int], bool]) -> int | None:
        """An existing cell style like ``style`` but for attribute ``name`` (and its apply
        flag), whose ``name`` passes ``accept``: the way back to a style ``variant`` made."""
        index = self._loose.get(name)
        if index is None:
            index = self._loose[name] = {}
            for number in range(self.count("cellXfs")):
                index.setdefault(_loose(self.xf(number), name), []).append(number)
        for number in index.get(_loose(self.xf(style), name), ()):
            if number != style and accept(self.xf_attribute(number, name)):
                return number
        return None

    def back(
        self, style: int, name: str, value: int, accept: Callable[[int], bool] | None = None
    ) -> int:
        """``style`` with ``name`` set to ``value`` (or any id ``accept`` takes): an existing
        like style first (the one a mark or a format was made from), else a new one."""
        found = self.similar(style, name, accept or (lambda number: number == value))
        return found if found is not None else self.variant(style, **{name: value})

    def format_code(self, number: int) -> str:
        """The code of a number format id ("General", "@", "yyyy-mm-dd" …)."""
        if number == 0:
            return "General"
        if number == 49:
            return "@"
        for entry in self.items["numFmts"] + self.added["numFmts"]:
            attrs = attributes(entry.split(b">", 1)[0])
            if attrs.get("numFmtId") == str(number):
                return attrs.get("formatCode", "")
        return ""

    def record(self) -> dict[str, list[object]]:
        """How the sections dyxx prepare adds to were written: [items, count="…", form]."""
        found = {}
        for section in RECORDED:
            match = self.sections[section]
            form = "absent" if match is None else "empty" if match.group(1) is None else "open"
            found[section] = [len(self.items[section]), self.count_attribute(section), form]
        return found

    def restored(self, record: dict[str, list[object]]) -> bytes:
        """styles.xml as ``record`` (see :meth:`record`) says it was: the entries appended
        since taken out again. Raises ValueError for a record that does not fit."""
        xml = self.source
        spans = sorted(
            ((section, self.sections[section]) for section in RECORDED),
            key=lambda item: -(item[1].start() if item[1] else 0),
        )
        for section, match in spans:
            count, attribute_, form = record[section]
            if match is None:
                if count or form != "absent":
                    raise ValueError(f"{section}: not what was recorded")
                continue
            if not isinstance(count, int) or count > len(self.items[section]):
                raise ValueError(f"{section}: not what was recorded")
            if form == "absent":
                new = b""
            else:
                head = match.group(0).split(b">", 1)[0].rstrip(b"/").rstrip()
                head = re.sub(rb'\scount="\d*"', b"", head)
                if attribute_:
                    head += f' count="{attribute_}"'.encode()
                name = section.encode()
                inner = b"".join(self.items[section][:count])
                if form == "empty":
                    new = head + b"/>"
                else:
                    new = head + b">" + inner + b"</" + name + b">"
                if form == "empty" and count:
                    raise ValueError(f"{section}: not what was recorded")
            xml = xml[: match.start()] + new + xml[match.end() :]
        return xml

    def changed(self) -> bool:
        return any(self.added.values())

    def xml(self) -> bytes:
        xml = self.source
        spans = []
        for section, extra in self.added.items():
            if extra:
                spans.append((section, extra))
        # later sections first, so the earlier offsets stay valid
        spans.sort(key=lambda s: -self._position(s[0]))
        for section, extra in spans:
            xml = self._extended(xml, section, extra)
        return xml

    def _position(self, section: str) -> int:
        found = self.sections[section]
        if found is not None:
            return found.start()
        return self._insertion(section)

    def _insertion(self, section: str) -> int:
        rank = STYLES_ORDER.index(section)
        for later in STYLES_ORDER[rank + 1 :]:
            found = re.search(rb"<" + later.encode() + rb"[\s/>]", self.source)
            if found:
                return found.start()
        return self.source.rfind(b"</")

    def _extended(self, xml: bytes, section: str, extra: list[bytes]) -> bytes:
        found = self.sections[section]
        total = self.count(section)
        name = section.encode()
        if found is None:
            at = self._insertion(section)
            new = b'<%s count="%d">%s</%s>' % (name, total, b"".join(extra), name)
            return xml[:at] + new + xml[at:]
        start, end = found.span()
        whole = found.group(0)
        if found.group(1) is None:  # <dxfs count="0"/>
            head = whole[:-2].rstrip()
            new = head + b">" + b"".join(extra) + b"</" + name + b">"
        else:
            close = whole.rfind(b"</")
            new = whole[:close] + b"".join(extra) + whole[close:]
        head_end = new.find(b">")
        head = new[:head_end]
        if re.search(rb'\scount="\d*"', head):
            head = re.sub(rb'\scount="\d*"', b' count="%d"' % total, head, count=1)
        new = head + new[head_end:]
        return xml[:start] + new + xml[end:]


def _normal(xml: bytes) -> bytes:
    """An item compared with others: attribute order and spacing do not matter."""
    head_end = xml.find(b">")
    head = xml[:head_end].rstrip(b"/").rstrip()
    name = head.split(None, 1)[0]
    pairs = sorted(ATTRIBUTE.findall(head.decode("utf-8", "replace")))
    body = xml[head_end + 1 :] if not xml[: head_end + 1].endswith(b"/>") else b""
    return name + repr(pairs).encode() + b"|" + body.strip()


APPLY = {"fillId": "applyFill", "numFmtId": "applyNumberFormat"}


def _loose(xml: bytes, name: str) -> bytes:
    """A cell style compared without one of its ids and the flag that applies it."""
    ignored = (name, APPLY[name])
    head_end = xml.find(b">")
    head = xml[:head_end].rstrip(b"/").rstrip().decode("utf-8", "replace")
    pairs = sorted(p for p in ATTRIBUTE.findall(head) if p[0] not in ignored)
    body = xml[head_end + 1 :] if not xml[: head_end + 1].endswith(b"/>") else b""
    return repr(pairs).encode() + b"|" + body.strip()


def _plain_code(code: str) -> str:
    """A number format code without its escapes (LibreOffice writes yyyy\\-mm\\-dd)."""
    return code.replace("\\", "")
