"""A stand-in for the Office.js client of xlwings' remote engine, over a real workbook.

The 校验 action is written against xlwings' Book/Sheet/Range API. To run it
without Excel, :class:`Client` does what xlwings' Office.js client does around
a call: it builds the JSON book payload from a workbook (here an .xlsx read
with openpyxl), the action runs on ``xw.Book(json=payload)``, and the actions
xlwings returns are applied back to the workbook, as Excel would apply them,
so a second click sees the first click's result. Cells are typed like Excel
types them: text into a text-formatted ("@") cell stays text, elsewhere
"=…" is a formula and "0211" becomes the number 211.

The remote engine cannot read fills, notes, validations or merges
synchronously; :class:`WorkbookProbe` answers those reads from the same
workbook (what desktop Excel would answer) and counts them.

The remote engine needs xlwings' noncommercial licence key, for these tests
only (``XLWINGS_LICENSE_KEY=noncommercial``); the add-in itself runs on the
open-source desktop engine.
"""

from __future__ import annotations

import re
import weakref
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.datavalidation import DataValidation

LICENSE = "noncommercial"
NUMBER = re.compile(r"[-+]?\d+(\.\d+)?")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
WHOLE_COLUMN = 100_000  # a format over more rows than this is kept per column


def remote_engine(monkeypatch: pytest.MonkeyPatch):
    """xlwings with its remote engine available (the licence key set for this test)."""
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", LICENSE)
    import xlwings as xw

    names = [engine.name for engine in xw.engines]
    if "remote" not in names or "officejs" not in names:
        # xlwings was imported before the key was set: add its engines as its __init__ would
        from xlwings.pro import _xlofficejs, _xlremote

        for impl in (_xlremote.engine, _xlofficejs.engine):
            if impl.name not in names:
                xw.engines.add(xw.main.Engine(impl=impl))
    return xw


def fill_of(cell) -> str | None:
    """The cell's solid fill as "#RRGGBB" (None: no fill), once per style of a workbook."""
    known = _FILLS.setdefault(cell.parent.parent, {})
    style = cell.style_id  # the same formatting while the workbook lives: styles are only added
    if style not in known:
        fill = cell.fill
        if fill is None or fill.fill_type != "solid":
            known[style] = None
        else:
            rgb = fill.fgColor.rgb if isinstance(fill.fgColor.rgb, str) else "FF000000"
            known[style] = "#" + rgb[-6:].upper()
    return known[style]


_FILLS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class Client:
    """One workbook, clicked like Excel would: payload out, actions back in."""

    def __init__(self, path: Path) -> None:
        self.name = path.name
        self.workbook = openpyxl.load_workbook(path)
        self.column_formats: dict[tuple[str, int], str] = {}
        self.history: list[list[dict]] = []

    # ------------------------------------------------------------------ payload

    def payload(self, version: str) -> dict:
        sheets = [self._sheet(ws) for ws in self.workbook.worksheets]
        active = self.workbook.worksheets.index(self.workbook.active)
        return {
            "client": "Office.js",
            "version": version,
            "book": {"name": self.name, "active_sheet_index": active, "selection": "A1"},
            "names": [],
            "sheets": sheets,
        }

    def _sheet(self, ws) -> dict:
        rows, columns = ws.max_row, ws.max_column
        empty = rows == 1 and columns == 1 and ws.cell(1, 1).value is None
        values = [
            [self._value(ws.cell(r, c)) for c in range(1, columns + 1)] for r in range(1, rows + 1)
        ]
        return {
            "name": ws.title,
            "values": [[]] if empty else values,
            "used_range_address": None if empty else f"A1:{get_column_letter(columns)}{rows}",
            "visibility": "Visible" if ws.sheet_state == "visible" else "Hidden",
            "notes": [
                {"address": c.coordinate} for row in ws.iter_rows() for c in row if c.comment
            ],
            "notes_supported": True,
            "pictures": [],
            "shapes": [],
            "charts": [],
            "tables": [],
            "pivot_tables": [],
            "show_gridlines": True,
            "print_area": None,
        }

    @staticmethod
    def _value(cell) -> object:
        value = cell.value
        if value is None:
            return ""
        if isinstance(value, datetime | date):  # what Office.js sends for a date cell
            return datetime(value.year, value.month, value.day).isoformat() + ".000Z"
        if isinstance(value, str) and value.startswith("=HYPERLINK("):
            return value.rsplit(",", 1)[-1].removesuffix(")").strip('"')
        return value

    # ------------------------------------------------------------------ click

    def click(self, monkeypatch: pytest.MonkeyPatch, **options):
        """Run the 校验 action once; returns (outcome, actions, probe)."""
        xw = remote_engine(monkeypatch)
        from addin.ribbon.action import run

        book = xw.Book(json=self.payload(xw.__version__))
        probe = WorkbookProbe(self)
        outcome = run(book, probe=probe, **options)
        actions = book.json()["actions"]
        self.apply(actions)
        self.history.append(actions)
        return outcome, actions, probe

    # ------------------------------------------------------------------ actions

    def apply(self, actions: list[dict]) -> None:
        for action in actions:
            getattr(self, "_" + action["func"], self._ignored)(action)

    def _ignored(self, action: dict) -> None:
        pass  # screen updating, alerts: nothing to keep

    def _ws(self, action: dict):
        return self.workbook.worksheets[action["sheet_position"]]

    def _cells(self, action: dict):
        ws = self._ws(action)
        top, left = action["start_row"] + 1, action["start_column"] + 1
        for r in range(action["row_count"]):
            for c in range(action["column_count"]):
                yield r, c, ws.cell(top + r, left + c)

    def _format(self, ws, cell) -> str:
        return self.column_formats.get((ws.title, cell.column)) or cell.number_format

    def _setValues(self, action: dict) -> None:
        ws = self._ws(action)
        for r, c, cell in self._cells(action):
            cell.value = self._typed(action["values"][r][c], self._format(ws, cell))

    @staticmethod
    def _typed(value: object, number_format: str) -> object:
        if not isinstance(value, str) or value == "":
            return None if value == "" else value
        if number_format == "@":
            return value
        if value.startswith("="):
            return value
        if NUMBER.fullmatch(value):
            return float(value) if "." in value else int(value)
        if ISO_DATE.fullmatch(value):
            return datetime.fromisoformat(value)
        return value

    def _setRangeColors(self, action: dict) -> None:
        matrix = action["args"][0]
        for r, c, cell in self._cells(action):
            self._paint(cell, matrix[r][c])

    def _setRangeColor(self, action: dict) -> None:
        for _r, _c, cell in self._cells(action):
            self._paint(cell, action["args"][0])

    @staticmethod
    def _paint(cell, colour: str | None) -> None:
        if colour == "keep":
            return
        if colour is None:
            cell.fill = PatternFill(fill_type=None)
        else:
            cell.fill = PatternFill("solid", fgColor="FF" + colour.lstrip("#"))

    def _setNumberFormat(self, action: dict) -> None:
        ws = self._ws(action)
        if action["row_count"] > WHOLE_COLUMN:
            for c in range(action["column_count"]):
                self.column_formats[(ws.title, action["start_column"] + 1 + c)] = action["args"][0]
            return
        for _r, _c, cell in self._cells(action):
            cell.number_format = action["args"][0]

    def _addNote(self, action: dict) -> None:
        address, text = action["args"]
        self._ws(action)[address.replace("$", "")].comment = Comment(text, "dyxx")

    def _setNoteText(self, action: dict) -> None:
        address, text = action["args"]
        self._ws(action)[address.replace("$", "")].comment = Comment(text, "dyxx")

    def _deleteNote(self, action: dict) -> None:
        self._ws(action)[action["args"][0].replace("$", "")].comment = None

    def _addSheet(self, action: dict) -> None:
        index, name = action["args"]
        self.workbook.create_sheet(name, index)

    def _setSheetVisibility(self, action: dict) -> None:
        self._ws(action).sheet_state = "hidden" if action["args"][0] != "Visible" else "visible"

    def _activateSheet(self, action: dict) -> None:
        self.workbook.active = action["args"][0]

    def _rangeClearContents(self, action: dict) -> None:
        for _r, _c, cell in self._cells(action):
            cell.value = None

    def _setDataValidationList(self, action: dict) -> None:
        source, _dropdown = action["args"]
        sheet = self.workbook.worksheets[source["sheet_position"]].title
        column = get_column_letter(source["start_column"] + 1)
        first, last = source["start_row"] + 1, source["start_row"] + source["row_count"]
        formula = f"'{sheet}'!${column}${first}:${column}${last}"
        validation = DataValidation(type="list", formula1=formula, allow_blank=True)
        ws = self._ws(action)
        top, left = action["start_row"] + 1, action["start_column"] + 1
        bottom, right = top + action["row_count"] - 1, left + action["column_count"] - 1
        validation.add(f"{get_column_letter(left)}{top}:{get_column_letter(right)}{bottom}")
        ws.add_data_validation(validation)


class WorkbookProbe:
    """The formatting reads desktop Excel would answer, from the client's workbook."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.reads: Counter[str] = Counter()

    def observe(self, book, keys):
        from addin.excel.marks import Observed

        self.reads["observe"] += len(keys)
        result = {}
        for sheet, cell in keys:
            target = self.client.workbook[sheet][cell]
            note = target.comment.text if target.comment else None
            result[(sheet, cell)] = Observed(fill_of(target), note)
        return result

    def validation(self, sheet, area) -> str:
        self.reads["validation"] += 1
        top, left, bottom, right = area
        ws = self.client.workbook[sheet.name]
        covered = 0
        for validation in ws.data_validations.dataValidation:
            for cells in validation.sqref.ranges:
                rows = max(0, min(bottom, cells.max_row) - max(top, cells.min_row) + 1)
                cols = max(0, min(right, cells.max_col) - max(left, cells.min_col) + 1)
                covered += rows * cols
        total = (bottom - top + 1) * (right - left + 1)
        return "none" if covered == 0 else "list" if covered >= total else "mixed_criteria"

    def merged(self, book, areas):
        self.reads["merged"] += sum(len(a) for a in areas.values())
        result = {}
        for sheet, rectangles in areas.items():
            found = []
            for merged in self.client.workbook[sheet].merged_cells.ranges:
                left, top, right, bottom = range_boundaries(str(merged))
                for t, lf, b, r in rectangles:
                    if top <= b and bottom >= t and left <= r and right >= lf:
                        found.append((top, left, bottom, right))
                        break
            result[sheet] = found
        return result
