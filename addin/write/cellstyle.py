"""Cell styles and merged cells, set at the cost of a dictionary look-up.

openpyxl finds every Font, Border, Alignment... a cell is given in its workbook's list by
hashing it (recursively, in Python), and ``merge_cells`` restyles each cell of the range
that way too; writing a form or a report spent most of its time there. A :class:`Look`
and :func:`merge` do the real openpyxl work once per workbook for each starting style
(and shape), remember the style indices it produced, and give later cells those indices.
The workbook saved is the same, byte for byte (``tests/test_cellstyle.py`` compares it
with the one the plain openpyxl calls give).
"""

from __future__ import annotations

from copy import copy
from weakref import WeakKeyDictionary

from openpyxl.styles.cell_style import StyleArray
from openpyxl.workbook import Workbook
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

from addin.model.a1 import column_letter

Key = tuple[int, ...]


def _style_key(cell) -> Key:
    return tuple(cell._style or StyleArray())


class Look:
    """Style attributes given together, e.g. ``Look(font=BOLD, border=BOX)``; ``apply(cell)``
    is ``cell.font, cell.border = BOLD, BOX`` in the order given."""

    def __init__(self, **attributes: object) -> None:
        self.attributes = tuple(attributes.items())
        self._done: WeakKeyDictionary[Workbook, dict[Key, StyleArray]] = WeakKeyDictionary()

    def apply(self, cell) -> None:
        done = self._done.setdefault(cell.parent.parent, {})
        before = _style_key(cell)
        after = done.get(before)
        if after is None:
            for name, value in self.attributes:
                setattr(cell, name, value)
            done[before] = copy(cell._style)
        else:
            cell._style = copy(after)


# What merge_cells made of a range, by workbook: (shape, start style, end style) ->
# the style of every cell of the range, in the range's order.
_merged: WeakKeyDictionary[Workbook, dict[tuple, tuple[StyleArray, ...]]] = WeakKeyDictionary()


def merge(sheet: Worksheet, start_row: int, start_column: int, end_row: int, end_column: int):
    """``sheet.merge_cells(...)``, saved the same: the same merged range and cell styles.

    The first time in a workbook for a shape and the styles of its corner cells this is
    openpyxl's merge; afterwards the covered cells are given the styles that merge gave
    them, as empty ordinary cells (what they are once saved and read back) rather than
    openpyxl's MergedCell objects.
    """
    done = _merged.setdefault(sheet.parent, {})
    coords = [
        (row, column)
        for row in range(start_row, end_row + 1)
        for column in range(start_column, end_column + 1)
    ]
    start, end = sheet.cell(start_row, start_column), sheet.cell(end_row, end_column)
    key = (end_row - start_row, end_column - start_column, _style_key(start), _style_key(end))
    styles = done.get(key)
    if styles is None:
        sheet.merge_cells(
            start_row=start_row, start_column=start_column, end_row=end_row, end_column=end_column
        )
        done[key] = tuple(copy(sheet.cell(*coord)._style) for coord in coords)
        return
    ref = f"{column_letter(start_column)}{start_row}:{column_letter(end_column)}{end_row}"
    # A plain range added to the set: the save writes only its reference.
    # MergedCellRange would recompute the corner's borders only to be overwritten,
    # and merged_cells.add compares it with every range of the sheet (forms: thousands).
    sheet.merged_cells.ranges.add(CellRange(ref))
    start._style = copy(styles[0])
    for coord, style in zip(coords[1:], styles[1:], strict=True):
        cell = sheet.cell(*coord)
        cell.value = None
        cell._style = copy(style)
