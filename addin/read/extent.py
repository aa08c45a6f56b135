"""Where a worksheet's cells lie, found before python-calamine reads it.

python-calamine holds a sheet as one dense grid from its first cell with a value
to its last: one stray cell at XFD1 makes a 10,000-row roster 160 million cells
(5 GB), and a crafted file with values at A1 and XFD1048576 asks for 550 GB,
which aborts the process. So before calamine sees a worksheet, :func:`dense`
checks in a few passes over its XML that every cell is written the plain way
office suites write it (``<c r="B7" …>``, one ``r``) inside a grid no bigger than
the XML can fill (:func:`budget`). When that cannot be shown, :func:`plan` finds
the cells outside such a grid (a sheet whose cells are not all written the plain
way is first written so, each cell where calamine would place it) and hands
calamine a copy of the sheet with those cells moved to rows of their own below the
grid (:class:`Outliers`). Their values are put back in place afterwards, a row
with a few cells far apart held as a :class:`SparseRow`. A sheet with so many
cells outside any such grid that even the copy would be too big is refused.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from addin.model.a1 import column_letter, column_number
from addin.model.errors import WorkbookError

BYTES_PER_CELL = 4  # the grid may have a cell per 4 bytes of XML (a cell takes 15 or more)
FREE_CELLS = 65_536  # and this many more, whatever the size
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384  # Excel's limits
SPARSE = (
    "的单元格分散在很大的范围里（如 XFD 列或第 1048576 行附近），请删除表格以外多余的单元格后再试"
)

# Anything that would put a cell where dense() does not look: a cell with a namespace
# prefix, an "r" that is not the first attribute of <c> or <row>, a cell not written
# <c r="A1"…
_PREFIXED_CELL = re.compile(rb":c[\s>/]")
# (the "r" and what follows it first, the rarer test, before looking behind: a quarter faster)
OTHER_R_ATTRIBUTE = re.compile(rb"r[\s=](?<=[\t\n\r\"' ]r.)(?<!<c r.)(?<!<row r.)", re.S)
_UNPLAIN_CELL = re.compile(rb'<c(?! r="[A-Za-z]{1,3}[0-9]{1,7}")[\s>/]')
_PLAIN_REF = re.compile(rb'<c r="([A-Za-z]+)([0-9]+)"')
_MARKUP = re.compile(rb"<[!?]")  # a comment, CDATA or processing instruction
# Writing cells plainly: comments, CDATA and processing instructions are taken whole
_TOKEN = re.compile(
    rb"<!--.*?-->|<!\[CDATA\[(.*?)\]\]>|<\?.*?\?>|</(?:[\w.-]+:)?row\s*>"
    rb"|<((?:[\w.-]+:)?)(row|c)(?=[\s/>])((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>",
    re.S,
)
_ATTRIBUTE = re.compile(rb"""([\w:.-]+)\s*=\s*("[^"]*"|'[^']*')""")
_REF = re.compile(rb"([A-Za-z]+)([0-9]+)")
_SHEET_DATA = re.compile(rb"<(?:[\w.-]+:)?sheetData(?=[\s/>])[^>]*(?<!/)>")
_SHEET_DATA_END = re.compile(rb"</(?:[\w.-]+:)?sheetData\s*>")


def budget(size: int) -> int:
    """How many cells the grid of a worksheet part of ``size`` bytes may have."""
    return FREE_CELLS + size // BYTES_PER_CELL


def dense(xml: bytes) -> bool:
    """True when calamine may read ``xml`` as it is (cheap; False only means "look
    closer" with :func:`plan`).

    Every cell must be written ``<c r="…"`` with one ``r``, its column and row inside
    a grid of at most :func:`budget` cells: as wide as the budget allows for rows up
    to a little past the last cell's.
    """
    grid = _grid(budget(len(xml)), _last_row(xml, 0, len(xml)))
    if grid is None:
        return False
    patterns = (_outside(*grid), _PREFIXED_CELL, OTHER_R_ATTRIBUTE)
    return not any(pattern.search(xml) for pattern in patterns)


def _last_row(xml: bytes, start: int, end: int) -> int:
    at = xml.rfind(b'<c r="', start, end)
    found = _PLAIN_REF.match(xml, at) if at >= 0 else None
    return int(found.group(2)) if found else 1


def _grid(cells: int, last_row: int) -> tuple[int, int] | None:
    """(columns, rows) of a grid of at most ``cells`` cells whose rows reach a little
    past ``last_row`` (a number :func:`_digits` can bound), or None."""
    rows = _round_up(last_row)
    columns = min(cells // rows, MAX_COLUMNS)
    return (columns, rows) if columns else None


def _grids(cells: int, xml: bytes, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Grids of at most ``cells`` cells for rows up to a little past those of all cells,
    of nearly all, or of most (stray cells are at the end), the taller first."""
    tried = set()
    for share in (100, 99, 90, 50):
        row = _last_row(xml, start, start + (end - start) * share // 100)
        grid = _grid(cells, min(row + row // 8 + 16, MAX_ROWS))
        if grid is not None and grid not in tried:
            tried.add(grid)
            yield grid


def _round_up(number: int) -> int:
    """The least ``D·10^k − 1`` (D of two digits) not below ``number``: 9, 10, 11 … 99,
    109, 119 … 999, 1099 …, at most a tenth more."""
    number = max(number, 9)
    power = 10 ** max(len(str(number)) - 2, 0)
    return -(-(number + 1) // power) * power - 1


@functools.lru_cache(maxsize=64)
def _outside(columns: int, rows: int) -> re.Pattern[bytes]:
    """A cell tag that is not ``<c r="…"`` with a column up to ``columns`` and a row up
    to ``rows`` (as :func:`_round_up` gives it)."""
    ref = _letters(columns) + _digits(rows)
    return re.compile(rb'<c(?! r="' + ref + rb'")[\s>/]')


def _letters(columns: int) -> bytes:
    """The column letters of the first ``columns`` columns (or a few less)."""
    if columns >= 18_278:
        return rb"[A-Z]{1,3}"
    if columns >= 702 + 676:
        return rb"(?:[A-Z]{1,2}|[A-%c][A-Z]{2})" % (64 + (columns - 702) // 676)
    if columns >= 702:
        return rb"[A-Z]{1,2}"
    if columns >= 52:
        return rb"(?:[A-Z]|[A-%c][A-Z])" % (64 + (columns - 26) // 26)
    if columns >= 26:
        return rb"[A-Z]"
    return rb"[A-%c]" % (64 + columns)


def _digits(rows: int) -> bytes:
    """The row numbers up to ``rows`` = D·10^k − 1 (D of two digits)."""
    text = str(rows + 1)
    first, second, rest = int(text[0]), int(text[1]), len(text) - 2
    shorter = rb"[0-9]{1,%d}" % (rest + 1)
    lower = [rb"[1-%d][0-9]{%d}" % (first - 1, rest + 1)] if first > 1 else []
    if second:
        lower.append(rb"%d[0-%d][0-9]{%d}" % (first, second - 1, rest))
    return rb"(?:" + rb"|".join([shorter, *lower]) + rb")"


def plan(path: Path, sheet: str, xml: bytes) -> Outliers | None:
    """How calamine is to read a worksheet :func:`dense` did not pass: None to read it
    as it is, or a copy to read instead; raises :class:`WorkbookError` when even the
    copy would be too big."""
    opening = _SHEET_DATA.search(xml)
    closing = _SHEET_DATA_END.search(xml, opening.end()) if opening else None
    if closing is None:  # no cells, or no end: calamine finds none or fails
        return None
    start, end = opening.end(), closing.start()
    odd = (_PREFIXED_CELL, OTHER_R_ATTRIBUTE, _UNPLAIN_CELL, _MARKUP)
    if not any(pattern.search(xml, start, end) for pattern in odd):
        found = Outliers.find(path, sheet, xml, start, end)
    else:  # written every cell its place, the way calamine places it: then plainly
        body = _TOKEN.sub(_Cells(path, sheet).token, xml[start:end])
        xml = xml[:start] + body + xml[end:]
        found = Outliers.find(path, sheet, xml, start, start + len(body))
        found = Outliers(xml, MAX_ROWS, []) if found is None else found
    if found is False:
        raise WorkbookError(path, f"工作表“{sheet}”{SPARSE}")
    return found


def _corrupt(path: Path, sheet: str) -> WorkbookError:
    problem = "有位置不正确的单元格，文件可能已损坏，请用 Excel 打开后另存再试"
    return WorkbookError(path, f"工作表“{sheet}”{problem}")


@dataclass
class Outliers:
    """A plainly written sheet whose few cells outside its main grid are moved to rows
    of their own below it (column A), to be put back after calamine has read it."""

    xml: bytes
    rows_kept: int  # the grid's rows, read where they are
    places: list[tuple[int, int]]  # (row, column) of each moved cell, 0-based

    @classmethod
    def find(cls, path: Path, sheet: str, xml: bytes, start: int, end: int):
        """The outliers of the plainly written ``xml[start:end]``: None when it has
        none, False when they are too many."""
        cells = budget(len(xml))
        for grid in _grids(cells // 2, xml, start, end):  # half for the moved cells' rows
            limit = (cells - grid[0] * grid[1]) // grid[0]
            found = _outside(*grid).finditer(xml, start, end)
            matches = list(itertools.islice(found, limit + 1))
            if len(matches) <= limit:
                return cls._moved(path, sheet, xml, start, grid, matches) if matches else None
        return False

    @classmethod
    def _moved(cls, path: Path, sheet: str, xml: bytes, start: int, grid, matches) -> Outliers:
        pieces, places, at = [], [], start
        for index, match in enumerate(matches):
            ref = _PLAIN_REF.match(xml, match.start())
            if ref is None:  # <c> without a usable r= first: not a place calamine can put it
                raise _corrupt(path, sheet)
            places.append(_place(path, sheet, ref.group(1), ref.group(2)))
            pieces += [xml[at : match.start()], b'<c r="A%d"' % (grid[1] + index + 1)]
            at = ref.end()
        return cls(b"".join([xml[:start], *pieces, xml[at:]]), grid[1], places)

    def rows(self, grid: list[list[object]]) -> list[Sequence[object]]:
        """The sheet's rows from calamine's rows of the copy."""
        rows: list[Sequence[object]] = list(grid[: self.rows_kept])
        moved: dict[int, dict[int, object]] = {}
        for index, (row, column) in enumerate(self.places):
            at = self.rows_kept + index
            value = grid[at][0] if at < len(grid) and grid[at] else ""
            if value != "":
                moved.setdefault(row, {})[column] = value
        for row, cells in moved.items():
            if row >= len(rows):
                rows.extend([()] * (row + 1 - len(rows)))
            held = {c: v for c, v in enumerate(rows[row]) if v != ""}
            rows[row] = _row({**held, **cells})
        while rows and not any(v != "" for v in rows[-1]):
            rows.pop()
        return rows


class _Cells:
    """Every cell tag written plainly, ``<c r="B7" …>``, in the place calamine gives it
    (the last "r", or the next place in the row); an empty <c/> holds nothing but
    moves the next cell along."""

    def __init__(self, path: Path, sheet: str) -> None:
        self.path, self.sheet = path, sheet
        self.row, self.column = 0, 0  # where calamine puts a cell without "r"

    def token(self, match: re.Match[bytes]) -> bytes:
        """The tag written plainly; CDATA as escaped text; no comment or instruction
        (calamine reads neither), so that nothing else looks like a cell."""
        text, _prefix, name, attributes = match.groups()
        if name is None:
            if match.group().startswith(b"</"):  # </row>
                self.row, self.column = self.row + 1, 0
                return match.group()
            if text is None:
                return b""
            return text.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b">", b"&gt;")
        empty = attributes.endswith(b"/")
        others, ref = _attributes(attributes)
        if name == b"row":
            if ref is not None:
                self.row = _place(self.path, self.sheet, b"A", ref)[0]
            if empty:
                self.row, self.column = self.row + 1, 0
            return match.group()
        if ref is None:
            row, column = self.row, self.column
            if row >= MAX_ROWS or column >= MAX_COLUMNS:
                raise _corrupt(self.path, self.sheet)
        else:
            found = _REF.fullmatch(ref)
            if found is None:
                raise _corrupt(self.path, self.sheet)
            row, column = _place(self.path, self.sheet, *found.groups())
        self.column = column + 1
        if empty:
            return b""
        return b'<c r="%s%d"%s>' % (column_letters(column), row + 1, others)


def _attributes(text: bytes) -> tuple[bytes, bytes | None]:
    """The attributes but ``r``, and the last ``r`` (the one calamine uses)."""
    others, ref = [], None
    for found in _ATTRIBUTE.finditer(text):
        if found.group(1) == b"r":
            ref = found.group(2)[1:-1]
        else:
            others.append(b" " + found.group())
    return b"".join(others), ref


def _place(path: Path, sheet: str, letters: bytes, digits: bytes) -> tuple[int, int]:
    """(row, column), 0-based, of a cell reference; refused beyond Excel's limits."""
    column = column_number(letters[:4])
    row = int(digits) if digits.isdigit() and len(digits) < 9 else 0
    if not (0 < row <= MAX_ROWS and 0 < column <= MAX_COLUMNS):
        raise _corrupt(path, sheet)
    return row - 1, column - 1


def column_letters(index: int) -> bytes:
    """``A`` for 0, ``Z`` for 25, ``AA`` for 26 …"""
    return column_letter(index + 1).encode()


def _row(cells: dict[int, object]) -> Sequence[object]:
    """A row holding ``cells`` (column -> value): a list up to its last cell, or a
    :class:`SparseRow` when the cells are few for its length."""
    length = max(cells) + 1
    if length > 4 * len(cells) + 32:
        return SparseRow(length, cells)
    row: list[object] = [""] * length
    for column, value in cells.items():
        row[column] = value
    return row


class SparseRow(Sequence[object]):
    """A sheet row with a few cells far apart, read like calamine's rows ("" between)
    but holding only its cells."""

    __slots__ = ("_cells", "_length")

    def __init__(self, length: int, cells: dict[int, object]) -> None:
        self._length, self._cells = length, cells

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._length))]
        return self._cells.get(self._index(index), "")

    def __setitem__(self, index: int, value: object) -> None:
        self._cells[self._index(index)] = value

    def _index(self, index: int) -> int:
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError("row index out of range")
        return index

    def __iter__(self) -> Iterator[object]:
        cells = self._cells
        return (cells.get(i, "") for i in range(self._length))

    def first_filled(self, start: int = 0) -> int:
        """The index of the first cell from ``start`` on with a value (-1 for none)."""
        cells = self._cells.items()
        return min((i for i, v in cells if i >= start and v != "" and v is not None), default=-1)

    def count(self, value: object) -> int:
        held = sum(1 for v in self._cells.values() if v == value)
        return held + (self._length - len(self._cells) if value == "" else 0)

    def __repr__(self) -> str:
        return f"SparseRow({self._length}, {self._cells!r})"
