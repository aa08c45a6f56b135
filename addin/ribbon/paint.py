"""Fill many scattered cells in few Excel calls.

Desktop Excel takes a multi-area range (``"D6,F9,D12:D14"``, at most 255
characters of address) and colours it in one call. Office.js, and so xlwings'
remote engine, has no multi-area ranges; there one ``set_colors`` call sets a
whole block of cells (``...`` leaves a cell as it is), at most 10,000 cells
per call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import xlwings as xw

from addin.model.a1 import column_letter, position, runs
from addin.ribbon.probe import ADDRESS_LIMIT, chunks

BLOCK_CELLS = 10_000  # xlwings' limit per set_colors call
Groups = Mapping[tuple[str, str | None], Sequence[str]]  # (sheet, colour or None) -> cells


def paint(book: xw.Book, groups: Groups) -> int:
    """Apply every fill (None: no fill); return the number of Excel calls made."""
    if book.app.engine.name == "excel":
        return sum(
            _multi_area(book.sheets[sheet], colour, cells)
            for (sheet, colour), cells in groups.items()
        )
    by_sheet: dict[str, dict[tuple[int, int], str | None]] = {}
    for (sheet, colour), cells in groups.items():
        for cell in cells:
            by_sheet.setdefault(sheet, {})[position(cell)] = colour
    return sum(_blocks(book.sheets[sheet], colours) for sheet, colours in by_sheet.items())


def _multi_area(sheet: xw.Sheet, colour: str | None, cells: Sequence[str]) -> int:
    addresses = areas(cells)
    for address in addresses:
        sheet.range(address).color = colour
    return len(addresses)


def areas(cells: Sequence[str], limit: int = ADDRESS_LIMIT) -> list[str]:
    """Multi-area addresses covering ``cells``: vertical runs joined (D6:D9), each ≤ ``limit``.

    >>> areas(["D6", "D7", "D8", "F9", "D12"])
    ['D6:D8,D12,F9']
    """
    by_column: dict[int, list[int]] = {}
    for cell in cells:
        row, column = position(cell)
        by_column.setdefault(column, []).append(row)
    parts: list[str] = []
    for column in sorted(by_column):
        letter = column_letter(column)
        for first, last in runs(sorted(set(by_column[column]))):
            parts.append(f"{letter}{first}" if first == last else f"{letter}{first}:{letter}{last}")
    return [",".join(group) for group in chunks(parts, limit)]


def _blocks(sheet: xw.Sheet, colours: Mapping[tuple[int, int], str | None]) -> int:
    """``set_colors`` over row blocks of the changed cells' columns (≤ 10,000 cells each)."""
    left = min(c for _r, c in colours)
    right = max(c for _r, c in colours)
    width = right - left + 1
    height = max(1, BLOCK_CELLS // width)
    rows = sorted({r for r, _c in colours})
    calls = 0
    index = 0
    while index < len(rows):
        top = rows[index]
        bottom = top
        while index < len(rows) and rows[index] < top + height:
            bottom = rows[index]
            index += 1
        matrix = [
            [colours.get((r, c), ...) for c in range(left, right + 1)]
            for r in range(top, bottom + 1)
        ]
        sheet.range((top, left), (bottom, right)).set_colors(matrix)
        calls += 1
    return calls
