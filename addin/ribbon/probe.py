"""Reads of cell formatting the 校验 action needs, through xlwings' desktop API.

Values are read like any other xlwings data. What a cell *looks like* (its
fill, its note, its data validation, merged areas) is read here, in as few
Excel calls as the API allows: fills of many cells at once through
multi-area ranges, split in halves only where their fills differ.

xlwings' remote engine (Office.js, used by the tests) cannot read these
synchronously, so :func:`addin.ribbon.action.run` takes the probe as an
argument and the tests give it one that answers from the fixture workbook.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

import xlwings as xw

from addin.excel.marks import Observed
from addin.excel.plan import Area
from addin.write.marked.format import hex_colour
from addin.write.marked.state import Key

ADDRESS_LIMIT = 255  # Excel's limit on the address text of a multi-area range


class Probe(Protocol):
    def observe(self, book: xw.Book, keys: Sequence[Key]) -> dict[Key, Observed]:
        """The current fill and note of every cell in ``keys``."""
        ...

    def validation(self, sheet: xw.Sheet, area: Area) -> str:
        """xlwings' data-validation type of an area: "none", "list", "mixed_criteria" …"""
        ...

    def merged(self, book: xw.Book, areas: Mapping[str, Sequence[Area]]) -> dict[str, list[Area]]:
        """The merged areas inside the given areas, per sheet."""
        ...


def chunks(cells: Sequence[str], limit: int = ADDRESS_LIMIT) -> list[list[str]]:
    """Cells in groups whose comma-joined address fits Excel's limit.

    >>> chunks(["A1", "B22", "C333"], limit=7)
    [['A1', 'B22'], ['C333']]
    """
    groups: list[list[str]] = []
    length = 0
    for cell in cells:
        if groups and length + 1 + len(cell) <= limit:
            groups[-1].append(cell)
            length += 1 + len(cell)
        else:
            groups.append([cell])
            length = len(cell)
    return groups


class DesktopProbe:
    """The reads, through xlwings' desktop engines (Excel on Windows or macOS)."""

    def __init__(self) -> None:
        self.calls = 0

    def observe(self, book: xw.Book, keys: Sequence[Key]) -> dict[Key, Observed]:
        by_sheet: dict[str, list[str]] = {}
        for sheet, cell in keys:
            by_sheet.setdefault(sheet, []).append(cell)
        result: dict[Key, Observed] = {}
        for name, cells in by_sheet.items():
            sheet = book.sheets[name]
            fills: dict[str, str | None] = {}
            for group in chunks(cells):
                self._fills(sheet, group, fills)
            for cell in cells:
                result[(name, cell)] = Observed(fills.get(cell), self._note(sheet, cell))
        return result

    def _fills(self, sheet: xw.Sheet, cells: list[str], found: dict[str, str | None]) -> None:
        """One read for cells that share a fill; halves where they differ."""
        self.calls += 1
        try:
            colour = hex_colour(sheet.range(",".join(cells)).color)
        except Exception:  # xlwings cannot express differing fills of one range
            if len(cells) == 1:
                found[cells[0]] = None
                return
            middle = len(cells) // 2
            self._fills(sheet, cells[:middle], found)
            self._fills(sheet, cells[middle:], found)
            return
        for cell in cells:
            found[cell] = colour

    def _note(self, sheet: xw.Sheet, cell: str) -> str | None:
        self.calls += 1
        note = sheet.range(cell).note
        if note is None:
            return None
        self.calls += 1
        return note.text

    def validation(self, sheet: xw.Sheet, area: Area) -> str:
        self.calls += 1
        top, left, bottom, right = area
        return sheet.range((top, left), (bottom, right)).data_validation.type

    def merged(self, book: xw.Book, areas: Mapping[str, Sequence[Area]]) -> dict[str, list[Area]]:
        result: dict[str, list[Area]] = {}
        for name, rectangles in areas.items():
            found: list[Area] = []
            for rectangle in rectangles:
                self._merges(book.sheets[name], rectangle, found)
            result[name] = found
        return result

    def _merges(self, sheet: xw.Sheet, area: Area, found: list[Area]) -> None:
        top, left, bottom, right = area
        if any(inside(area, known) for known in found):
            return
        self.calls += 1
        state = sheet.range((top, left), (bottom, right)).merge_cells
        if state is False:
            return
        if (top, left) == (bottom, right):
            self.calls += 1
            merge = sheet.range((top, left)).merge_area
            rows, columns = merge.shape
            found.append(
                (merge.row, merge.column, merge.row + rows - 1, merge.column + columns - 1)
            )
            return
        for half in halves(area):
            self._merges(sheet, half, found)


def inside(area: Area, outer: Area) -> bool:
    return (
        outer[0] <= area[0] and outer[1] <= area[1] and area[2] <= outer[2] and area[3] <= outer[3]
    )


def halves(area: Area) -> Iterable[Area]:
    top, left, bottom, right = area
    if bottom > top:
        middle = (top + bottom) // 2
        return ((top, left, middle, right), (middle + 1, left, bottom, right))
    middle = (left + right) // 2
    return ((top, left, bottom, middle), (top, middle + 1, bottom, right))
