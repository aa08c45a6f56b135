"""The corrected copy of ``dyxx fix``: a few cells' values changed, a 修改记录 sheet added.

Like the marked copy (:mod:`addin.write.marked.xlsxmark`) the package is edited as bytes:
only the changed cells of the sheets concerned are rewritten, each keeping its style
(text as an inline string, a date as a number), and every other part is copied byte for
byte. styles.xml changes only when a text date lands in a cell formatted as General or
text: the cell then gets a copy of its style with a date format, appended, so every style
in use keeps its meaning. A cell this writer cannot change as planned (a formula, a cell
of a merged range, a number format that would hide the day) is left as it is and listed
under 未自动修改 instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from itertools import groupby

from addin.model.a1 import column_letter, position
from addin.read.ownsheets import FIX_HEADER, FIX_SHEET, free_name
from addin.write.entry import DATE_FORMAT
from addin.write.marked.annotate import link
from addin.write.marked.xlsxmark import sheet_rows
from addin.xlsx import parts as xparts
from addin.xlsx.package import Rewriter
from addin.xlsx.parts import MAIN, REL, Unsupported
from addin.xlsx.sheet import numbered

LEFT_TITLE = "未自动修改（以下内容 dyxx 无法确定怎样改才对，请人工核对后修改）"
LEFT_HEADER = ("序号", "工作表", "单元格", "姓名或党组织名称", "字段", "填写内容", "原因")
NOTHING_LEFT = "未自动修改：无"
WIDTHS = (6, 16, 8, 18, 14, 24, 24, 22, 30)
FORMULA = "单元格是公式，其值由公式算出，请改公式或其引用的单元格"
EMPTY = "单元格在合并区域中或没有内容，请在合并区域左上角的单元格中修改"
UNREADABLE = "工作表的结构无法识别，未能修改这一格，请在 Excel 中修改"
NOT_A_DAY = "单元格的数字格式（{code}）不显示完整的年月日，改成日期后会看不出日，请人工修改"
BUILTIN_CODES = {1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%"}
# Built-in number formats that show a whole date (m/d/yyyy, yyyy/m/d h:mm, yyyy年m月d日)
FULL_DATE_BUILTINS = frozenset({14, 22, 31, 57})
TEXT_FORMATS = frozenset({0, 49})  # General and @: no date format chosen
QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
KIND = re.compile(rb'\st="[^"]*"')  # a cell's type: inline string, number or none
STYLE = re.compile(rb'\ss="(\d+)"')
EPOCHS = {False: date(1899, 12, 30), True: date(1904, 1, 1)}
LEAP_DAY = date(1900, 3, 1)  # the first day the 1900 system counts from 1899-12-30


@dataclass(frozen=True)
class CellFix:
    """One planned change: a cell's new value and why."""

    sheet: str
    row: int
    column: int
    field: str
    person: str  # 姓名, or the 党组织名称 of an 附件3 row
    old: str  # the cell as it shows
    new: str | date
    rule: str  # the rule codes, joined by "、"
    title: str  # their titles

    @cached_property
    def cell(self) -> str:
        return f"{column_letter(self.column)}{self.row}"

    @property
    def shown(self) -> str:
        return self.new.isoformat() if isinstance(self.new, date) else self.new


@dataclass(frozen=True)
class Unfixed:
    """A cell left for the officer: what it holds and why it was not changed."""

    sheet: str
    row: int
    column: int
    field: str
    person: str
    value: str
    reason: str

    @property
    def cell(self) -> str:
        return f"{column_letter(self.column)}{self.row}"


def left(fix: CellFix, reason: str) -> Unfixed:
    return Unfixed(fix.sheet, fix.row, fix.column, fix.field, fix.person, fix.old, reason)


def fixed_package(
    data: bytes,
    fixes: list[CellFix],
    unfixed: list[Unfixed],
    inflated: dict[str, bytes] | None = None,
    macros: bool | None = None,
) -> tuple[bytes | None, list[CellFix], list[Unfixed]]:
    """The corrected package, the changes made and the cells left (``unfixed`` and the
    planned changes this writer could not make). No package (None) when nothing changed.
    ``inflated``: sheets of ``data`` already inflated; ``macros`` sets the workbook type."""
    package = Rewriter(data, inflated)
    book = xparts.Book(package)
    parts = {sheet.name: sheet.part for sheet in book.sheets}
    cells = _Cells(package, _date1904(book.xml))
    made, refused = [], list(unfixed)
    by_sheet = sorted(fixes, key=lambda f: (f.sheet, f.row, f.column))
    for sheet, group in groupby(by_sheet, key=lambda f: f.sheet):
        wanted = list(group)
        part = parts.get(sheet)
        if not part or not package.exists(part):
            refused += [left(fix, UNREADABLE) for fix in wanted]
            continue
        xml = numbered(package.read(part))
        wanted, covered = under_merges(xml, wanted)
        xml, done, failed = cells.edit(xml, wanted)
        failed += [left(fix, EMPTY) for fix in covered]
        if done:
            package.put(part, xml)
        made += done
        refused += failed
    if not made:
        return None, [], refused
    types = xparts.ContentTypes(package)
    name = free_name(FIX_SHEET, parts)
    book.add(name, log_sheet(made, refused), types)
    book.save()
    if cells.styles is not None and cells.styles.changed():
        package.put(xparts.Styles.PART, cells.styles.xml())
    if macros is not None:
        types.book_type(macros)
    types.save()
    return package.finish(), made, refused


MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\sref="([A-Z]+\d+):([A-Z]+\d+)"')


def under_merges(xml: bytes, fixes: list[CellFix]) -> tuple[list[CellFix], list[CellFix]]:
    """The fixes to make, and those of cells a merged range covers whose first cell is not
    changed alike. The reader gives every cell of a merged range the first one's value,
    so a fix planned for the whole range is made once, in its first cell."""
    end = xml.rfind(b"</sheetData>")
    ranges = [
        (position(m.group(1).decode()), position(m.group(2).decode()))
        for m in MERGE.finditer(xml, max(end, 0))
    ]
    if not ranges:
        return fixes, []
    planned = {(f.row, f.column): f.new for f in fixes}
    kept, covered = [], []
    for fix in fixes:
        first = next(
            (top for top, bottom in ranges if _inside((fix.row, fix.column), top, bottom)), None
        )
        if first is None or first == (fix.row, fix.column):
            kept.append(fix)
        elif first not in planned or planned[first] != fix.new:
            covered.append(fix)  # the first cell does not get this value
    return kept, covered


def _inside(cell: tuple[int, int], top: tuple[int, int], bottom: tuple[int, int]) -> bool:
    return top[0] <= cell[0] <= bottom[0] and top[1] <= cell[1] <= bottom[1]


def _date1904(workbook_xml: str) -> bool:
    found = re.search(r"<(?:\w+:)?workbookPr\b[^>]*>", workbook_xml)
    return found is not None and xparts.attributes(found.group(0)).get("date1904") in ("1", "true")


class _Cells:
    """Rewrites cells of one sheet after another; styles.xml read when a date needs it."""

    def __init__(self, package: Rewriter, date1904: bool) -> None:
        self.package = package
        self.epoch = EPOCHS[date1904]
        self.styles: xparts.Styles | None = None
        self.dated: dict[int, int | str] = {}  # style -> style with a date format, or why not

    def edit(self, xml: bytes, fixes: list[CellFix]) -> tuple[bytes, list[CellFix], list[Unfixed]]:
        """The sheet with ``fixes`` (sorted by row and column) made, those made, those not."""
        start = xml.find(b"<sheetData")
        if start < 0:
            return xml, [], [left(fix, UNREADABLE) for fix in fixes]
        pieces, position = [xml[:start]], start
        done: list[CellFix] = []
        failed: list[Unfixed] = []
        for row, group in groupby(fixes, key=lambda f: f.row):
            span = _row_span(xml, row, position)
            for fix in group:
                found = _cell_span(xml, fix.cell, span, position) if span else None
                new = self._cell(xml[found[0] : found[1]], fix) if found else EMPTY
                if isinstance(new, str):
                    failed.append(left(fix, new))
                    continue
                pieces += [xml[position : found[0]], new]
                position = found[1]
                done.append(fix)
        pieces.append(xml[position:])
        return b"".join(pieces), done, failed

    def _cell(self, cell: bytes, fix: CellFix) -> bytes | str:
        """The cell with its new value, or why it cannot be given it."""
        head_end = cell.find(b">") + 1
        head, body = cell[:head_end], cell[head_end:]
        if head.endswith(b"/>"):
            return EMPTY
        if b"<f>" in body or b"<f " in body or b"<f/>" in body:
            return FORMULA
        if b"<v>" not in body and b"<is>" not in body and b"<v " not in body:
            return EMPTY
        head = KIND.sub(b"", head)
        if isinstance(fix.new, date):
            style = self._date_style(head)
            if isinstance(style, str):
                return style
            if style is not None:
                found = STYLE.search(head)
                own = f' s="{style}"'.encode()
                head = (
                    head[: found.start()] + own + head[found.end() :]
                    if found
                    else head[:-1] + own + b">"
                )
            return head + b"<v>%d</v></c>" % self.serial(fix.new)
        text = xparts.text(fix.new)
        return (
            head[:-1] + f' t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'.encode()
        )

    def serial(self, day: date) -> int:
        """Excel's number for a day; the 1900 system counts a 29 February 1900 that never was."""
        if self.epoch == EPOCHS[False] and day < LEAP_DAY:
            return (day - self.epoch).days - 1
        return (day - self.epoch).days

    def _date_style(self, head: bytes) -> int | str | None:
        """The style a date needs in this cell: None (its own), another, or why not."""
        found = STYLE.search(head)
        style = int(found.group(1)) if found else 0
        if style not in self.dated:
            self.dated[style] = self._dated(style)
        decided = self.dated[style]
        return None if decided == style else decided

    def _dated(self, style: int) -> int | str:
        if self.styles is None:
            if not self.package.exists(xparts.Styles.PART):
                return UNREADABLE
            try:
                self.styles = xparts.Styles(self.package.read(xparts.Styles.PART))
            except Unsupported:
                return UNREADABLE
        styles = self.styles
        if style >= styles.count("cellXfs"):
            return UNREADABLE
        number = styles.xf_attribute(style, "numFmtId")
        if number in FULL_DATE_BUILTINS:
            return style
        code = styles.format_code(number)
        if number in TEXT_FORMATS or code.casefold() in ("general", "@"):  # LibreOffice: 164
            try:
                return styles.variant(style, numFmtId=styles.number_format_id(DATE_FORMAT))
            except xparts.TooManyFormats:
                return UNREADABLE
        if full_date(code):
            return style
        return NOT_A_DAY.format(code=code or BUILTIN_CODES.get(number, f"内置格式{number}"))


def full_date(code: str) -> bool:
    """Whether a number format code shows year, month and day (and no time).

    >>> full_date("yyyy-mm-dd"), full_date('yyyy"年"m"月"d"日"'), full_date("yyyy-mm")
    (True, True, False)
    >>> full_date("yyyy-mm-dd hh:mm"), full_date("@"), full_date("[$-804]yyyy/m/d")
    (False, False, True)
    """
    plain = QUOTED.sub("", code).lower()
    return all(c in plain for c in "ymd") and not any(c in plain for c in "hs@")


def _row_span(xml: bytes, row: int, position: int) -> tuple[int, int] | None:
    """Start and end of ``<row r="row" …>…</row>`` at or after ``position``."""
    start = xml.find(b'<row r="%d"' % row, position)
    if start < 0:
        return None
    head_end = xml.find(b">", start)
    if xml[head_end - 1 : head_end] == b"/":
        return None
    return start, xml.find(b"</row>", head_end)


def _cell_span(
    xml: bytes, ref: str, span: tuple[int, int], position: int
) -> tuple[int, int] | None:
    start = xml.find(b'<c r="%s"' % ref.encode(), max(span[0], position), span[1])
    if start < 0:
        return None
    head_end = xml.find(b">", start) + 1
    if xml[head_end - 2 : head_end] == b"/>":
        return start, head_end
    end = xml.find(b"</c>", head_end, span[1])
    return (start, end + len(b"</c>")) if end >= 0 else None


# ---- the 修改记录 sheet ----------------------------------------------------------------------


def log_rows(made: list[CellFix], refused: list[Unfixed]) -> tuple[list[tuple], list[tuple]]:
    """The rows of the 修改记录 sheet, and (row number, link target) of its links."""
    rows: list[tuple] = [FIX_HEADER]
    links = []
    for number, fix in enumerate(made, start=1):
        where = (number, fix.sheet, fix.cell, fix.person, fix.field)
        rows.append((*where, fix.old, fix.shown, fix.rule, fix.title))
        links.append((len(rows), link(fix.sheet, fix.cell)))
    rows.append(())
    if not refused:
        rows.append((NOTHING_LEFT,))
        return rows, links
    rows += [(LEFT_TITLE,), LEFT_HEADER]
    for number, item in enumerate(refused, start=1):
        where = (number, item.sheet, item.cell, item.person, item.field)
        rows.append((*where, item.value, item.reason))
        links.append((len(rows), link(item.sheet, item.cell)))
    return rows, links


def log_sheet(made: list[CellFix], refused: list[Unfixed]) -> bytes:
    rows, links = log_rows(made, refused)
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(WIDTHS, 1)
    )
    hyperlinks = "".join(
        f'<hyperlink ref="C{row}" location={quoted} display={quoted}/>'
        for row, quoted in ((row, xparts.attribute(target)) for row, target in links)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        f"</sheetView></sheetViews><cols>{cols}</cols>"
        f"<sheetData>{''.join(sheet_rows(_texts(rows)))}</sheetData>"
        f"{f'<hyperlinks>{hyperlinks}</hyperlinks>' if links else ''}</worksheet>"
    ).encode()


def _texts(rows: Iterable[tuple]) -> list[tuple]:
    """Every value as text but the 序号: a value from a cell stays what it showed."""
    return [tuple(_text(v, i) for i, v in enumerate(r)) for r in rows]


def _text(value: object, column: int) -> object:
    if column == 0 and isinstance(value, int):
        return value
    return "" if value is None else str(value)
