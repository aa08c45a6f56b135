"""The 校验 button on Excel for Windows: Excel's own objects, few round trips.

Every property read, write or method call on Excel's COM objects crosses processes
(0.3–10 ms each), so a click asks as little as it can (``bench/com.py`` counts it):

- each sheet is looked up once per click (:class:`Native` keeps the native objects by name)
  and every later call goes straight to it, never through xlwings' per-call lookups;
- a sheet's values come in one read of A1 to the end of its used range; a used range
  swollen by formatting is cut to the last cell holding anything (``Cells.Find``);
- a sheet's notes are known from one ``SpecialCells(xlCellTypeComments)`` call;
- notes are written (and read) in batches by the VBA helper of ``notes.bas``, which
  ``dyxx addin install`` imports into dyxx.xlam; where it is missing, one by one, at most
  :data:`NOTE_CAP` new notes per click (the rest follow on the next click);
- screen updating, events and calculation are off while writing, and always restored.

Used only when xlwings runs its Windows engine (``book.api`` is pywin32's); the remote engine
and macOS keep xlwings' own API (:mod:`addin.ribbon.action`). Verified against the counting
stand-in of the tests, not against a real Excel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import resources

import xlwings as xw

from addin.excel import plan as excel_plan
from addin.excel import stops
from addin.excel.marks import Observed, Writes, defer_notes
from addin.excel.plan import Area, Book, Rows
from addin.model.a1 import column_letter, position, runs
from addin.ribbon.paint import Groups, areas
from addin.ribbon.probe import chunks, halves, inside
from addin.write.marked.format import hex_colour
from addin.write.marked.state import Key

ADDIN = "dyxx.xlam"
WRITE_NOTES = f"'{ADDIN}'!DyxxWriteNotes"  # macros of notes.bas
READ_NOTES = f"'{ADDIN}'!DyxxReadNotes"
BATCH = 500  # notes per Run call, and per status-bar update
NOTE_CAP = 400  # new notes per click without the helper (2 round trips each)
XL_COMMENTS, XL_ALL_VALIDATION = -4144, -4174  # SpecialCells types
XL_NONE = -4142  # xlColorIndexNone
XL_MANUAL = -4135  # xlCalculationManual
XL_FORMULAS, XL_BY_ROWS, XL_BY_COLUMNS, XL_PREVIOUS = -4123, 1, 2, 2
XL_VALIDATE_LIST = 3
MAX_ROW, MAX_COLUMN = 1_048_576, 16_384


def helper_source() -> str:
    """The VBA module ``dyxx addin install`` imports (``notes.bas``, ASCII)."""
    return resources.files(__package__).joinpath("notes.bas").read_text(encoding="ascii")


def is_native(book: xw.Book) -> bool:
    """Whether ``book`` is driven through xlwings' Windows (COM) engine."""
    return type(book.impl).__module__ == "xlwings._xlwindows"


def _com_error() -> type[Exception]:
    import pywintypes  # pywin32: present wherever the Windows engine runs

    return pywintypes.com_error


class Native:
    """One click on one workbook: its native objects, looked up once."""

    def __init__(self, book: xw.Book) -> None:
        self.name = book.name
        self.wb = book.api
        self.app = self.wb.Application
        self.sheets: dict[str, object] = {ws.Name: ws for ws in self.wb.Worksheets}
        self.helper: bool | None = None  # the VBA helper: unknown until the first Run
        self.deferred = 0  # new notes left for the next click

    # ------------------------------------------------------------------ facts, feel

    def facts(self) -> stops.Facts:
        return stops.Facts(read_only=bool(self.wb.ReadOnly), shared=bool(self.wb.MultiUserEditing))

    def status(self, text: str | bool) -> None:
        self.app.StatusBar = text

    @contextmanager
    def quiet(self) -> Iterator[None]:
        """Screen updating, events and calculation off; restored even when a write fails."""
        app = self.app
        saved = (app.ScreenUpdating, app.EnableEvents, app.Calculation)
        app.ScreenUpdating, app.EnableEvents = False, False
        app.Calculation = XL_MANUAL
        try:
            yield
        finally:
            names = ("ScreenUpdating", "EnableEvents", "Calculation")
            for name, value in zip(names, saved, strict=True):
                try:
                    setattr(app, name, value)
                except Exception:
                    pass  # restore the others all the same
            try:
                app.StatusBar = False
            except Exception:
                pass

    # ------------------------------------------------------------------ reading

    def read(self) -> Book:
        """Every sheet's values from A1 to its last used cell: 4 round trips a sheet."""
        from xlwings import _xlwindows

        clean = _xlwindows._clean_value_data_element
        result = Book(self.name)
        for name, ws in self.sheets.items():
            bottom, right = self._extent(ws)
            raw = ws.Range(f"A1:{column_letter(right)}{bottom}").Value
            rows = raw if isinstance(raw, tuple) else ((raw,),)
            result.sheets[name] = [
                [clean(v, dt.datetime, None, None, False) for v in r] for r in rows
            ]
        return result

    def _extent(self, ws) -> tuple[int, int]:
        *_start, bottom, right = _area(ws.UsedRange.Address)
        if excel_plan.worth_measuring((1, 1, bottom, right)):
            by_rows = ws.Cells.Find("*", LookIn=XL_FORMULAS, SearchOrder=XL_BY_ROWS,
                                    SearchDirection=XL_PREVIOUS)  # fmt: skip
            if by_rows is None:
                return 1, 1
            by_columns = ws.Cells.Find("*", LookIn=XL_FORMULAS, SearchOrder=XL_BY_COLUMNS,
                                       SearchDirection=XL_PREVIOUS)  # fmt: skip
            bottom, right = by_rows.Row, by_columns.Column
        return bottom, right

    def active_sheet(self) -> str:
        return self.wb.ActiveSheet.Name

    def activate(self, name: str) -> None:
        self.sheets[name].Activate()

    # ------------------------------------------------------------------ sheets

    def add_sheet(self, name: str):
        last = list(self.sheets.values())[-1]
        ws = self.wb.Worksheets.Add(After=last)
        ws.Name = name
        self.sheets[name] = ws
        return ws

    def write(self, name: str, rows: Rows, text_columns: Sequence[int], created: bool) -> None:
        """``rows`` from A1 (``text_columns`` formatted as text first)."""
        from xlwings import _xlwindows

        ws = self.add_sheet(name) if created else self.sheets[name]
        if text_columns:
            letters = ",".join(
                f"{column_letter(a)}:{column_letter(b)}" for a, b in runs(sorted(text_columns))
            )
            ws.Range(letters).NumberFormat = "@"
        width = max(len(r) for r in rows)
        prepare = _xlwindows.engine.prepare_xl_data_element
        ws.Range(f"A1:{column_letter(width)}{len(rows)}").Value = [
            [prepare(v, None) for v in row] for row in rows
        ]

    def clear(self, name: str, area: Area) -> None:
        self.sheets[name].Range(_address(area)).ClearContents()

    def dress(self, name: str, bold: Area, widths: Sequence[int], hidden: bool) -> None:
        """A new sheet's bold header, column widths (one call per width) and visibility."""
        ws = self.sheets[name]
        ws.Range(_address(bold)).Font.Bold = True
        by_width: dict[int, list[str]] = {}
        for column, size in enumerate(widths, start=1):
            by_width.setdefault(size, []).append(f"{column_letter(column)}:{column_letter(column)}")
        for size, columns in by_width.items():
            ws.Range(",".join(columns)).ColumnWidth = size
        if hidden:
            ws.Visible = False

    def number_format(self, name: str, area: Area, number_format: str) -> None:
        self.sheets[name].Range(_address(area)).NumberFormat = number_format

    def dropdown(self, name: str, area: Area, formula: str, texts, style: int) -> None:
        """A list validation with the alert style and messages ``dyxx prepare`` gives it."""
        validation = self.sheets[name].Range(_address(area)).Validation
        validation.Delete()
        validation.Add(Type=XL_VALIDATE_LIST, AlertStyle=style, Formula1=formula)
        if texts is not None:
            validation.ErrorTitle, validation.ErrorMessage = (
                texts.errorTitle or "",
                texts.error or "",
            )
            validation.InputTitle, validation.InputMessage = (
                texts.promptTitle or "",
                texts.prompt or "",
            )
            validation.ShowError, validation.ShowInput = True, True

    # ------------------------------------------------------------------ marks

    def paint(self, groups: Groups) -> int:
        """Fills over multi-area ranges (≤ 255 characters of address each)."""
        calls = 0
        for (name, colour), cells in groups.items():
            ws = self.sheets[name]
            for address in areas(cells):
                interior = ws.Range(address).Interior
                if colour is None:
                    interior.ColorIndex = XL_NONE
                else:
                    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
                    interior.Color = red + green * 256 + blue * 65536
                calls += 1
        return calls

    def notes(self, writes: Writes) -> None:
        """Every note change: batches through the helper, else one by one (capped)."""
        items = [
            *writes.set_notes,
            *writes.add_notes,
            *((s, c, "") for s, c in writes.delete_notes),
        ]
        done: set[Key] = set()
        for name, group in _by_sheet(items).items():
            for start in range(0, len(group), BATCH):
                part = group[start : start + BATCH]
                if self.helper is False or not self._run_notes(name, part):
                    break
                done.update((name, cell) for cell, _text in part)
                self.status(f"标注 {len(done)}/{len(items)}…")
        remaining = [item for item in items if (item[0], item[1]) not in done]
        if remaining:
            self._one_by_one(remaining, writes)

    def _run_notes(self, name: str, part: list[tuple[str, str]]) -> bool:
        try:
            self.app.Run(WRITE_NOTES, self.name, name, [c for c, _t in part], [t for _c, t in part])
        except _com_error():
            self.helper = False  # not imported (VBA project access refused at install)
            return False
        self.helper = True
        return True

    def _one_by_one(self, remaining: list[tuple[str, str, str]], writes: Writes) -> None:
        """Without the helper: 2 round trips a new note, 3 a changed one, deletes grouped;
        new notes beyond :data:`NOTE_CAP` wait for the next click."""
        keys = {(name, cell) for name, cell, _text in remaining}
        writes.add_notes[:] = [n for n in writes.add_notes if (n[0], n[1]) in keys]
        self.deferred = defer_notes(writes, NOTE_CAP)
        adds = {(name, cell) for name, cell, _text in writes.add_notes}
        sets = {(name, cell) for name, cell, _text in writes.set_notes}
        done = 0
        for name, group in _by_sheet(remaining).items():
            ws = self.sheets[name]
            for cell, text in group:
                if text and (name, cell) in adds:
                    ws.Range(cell).AddComment(text)
                elif text and (name, cell) in sets:
                    existing = ws.Range(cell).Comment
                    if existing is None:
                        ws.Range(cell).AddComment(text)
                    else:
                        existing.Text(text)
                else:
                    continue  # a delete (grouped below), or a note left for the next click
                done += 1
                if done % BATCH == 0:
                    self.status(f"标注 {done}/{len(adds) + len(sets)}…")
            for address in areas([cell for cell, text in group if text == ""]):
                ws.Range(address).ClearComments()

    def read_notes(self, name: str, cells: Sequence[str]) -> dict[str, str]:
        """The notes of ``cells``; one call when the sheet has none."""
        ws = self.sheets[name]
        try:
            noted = ws.Cells.SpecialCells(XL_COMMENTS)
        except _com_error():
            return {}  # no note on the sheet (a first click on a fresh book)
        have: list[str] = []
        for group in chunks(list(cells)):
            hit = self.app.Intersect(noted, ws.Range(",".join(group)))
            if hit is not None:
                have.extend(_cells(hit.Address))
        if not have:
            return {}
        if self.helper is not False:
            try:
                texts: dict[str, str] = {}
                for start in range(0, len(have), BATCH):
                    part = have[start : start + BATCH]
                    answer = self.app.Run(READ_NOTES, self.name, name, part)
                    texts.update({c: t for c, t in zip(part, answer, strict=True) if t is not None})
                self.helper = True
                return texts
            except _com_error():
                self.helper = False
        return {cell: ws.Range(cell).Comment.Text() for cell in have}


def _by_sheet(items: Sequence[tuple[str, str, str]]) -> dict[str, list[tuple[str, str]]]:
    grouped: dict[str, list[tuple[str, str]]] = {}
    for name, cell, text in items:
        grouped.setdefault(name, []).append((cell, text))
    return grouped


class NativeProbe:
    """The formatting reads of :class:`addin.ribbon.probe.Probe` on native objects."""

    def __init__(self, native: Native) -> None:
        self.native = native
        self.calls = 0

    def observe(self, book, keys: Sequence[Key]) -> dict[Key, Observed]:
        by_sheet: dict[str, list[str]] = {}
        for name, cell in keys:
            by_sheet.setdefault(name, []).append(cell)
        result: dict[Key, Observed] = {}
        for name, cells in by_sheet.items():
            ws = self.native.sheets[name]
            fills: dict[str, str | None] = {}
            for group in chunks(cells):
                self._fills(ws, group, fills)
            notes = self.native.read_notes(name, cells)
            for cell in cells:
                result[(name, cell)] = Observed(fills.get(cell), notes.get(cell))
        return result

    def _fills(self, ws, cells: list[str], found: dict[str, str | None]) -> None:
        """One read for cells that share a fill; halves where they differ."""
        interior = ws.Range(",".join(cells)).Interior
        index = interior.ColorIndex
        if index is None and len(cells) > 1:  # Null: the cells' fills differ
            middle = len(cells) // 2
            self._fills(ws, cells[:middle], found)
            self._fills(ws, cells[middle:], found)
            return
        colour = None if index in (XL_NONE, None) else hex_colour(_rgb(interior.Color))
        for cell in cells:
            found[cell] = colour

    def validation(self, sheet, area: Area) -> str:
        ws = self.native.sheets[sheet.name]
        target = ws.Range(_address(area))
        try:
            kind = target.Validation.Type
        except _com_error():
            try:
                target.SpecialCells(XL_ALL_VALIDATION)
            except _com_error():
                return "none"
            return "mixed_criteria"
        return "list" if kind == XL_VALIDATE_LIST else "other"

    def merged(self, book, areas_: Mapping[str, Sequence[Area]]) -> dict[str, list[Area]]:
        result: dict[str, list[Area]] = {}
        for name, rectangles in areas_.items():
            found: list[Area] = []
            for rectangle in rectangles:
                self._merges(self.native.sheets[name], rectangle, found)
            result[name] = found
        return result

    def _merges(self, ws, area: Area, found: list[Area]) -> None:
        if any(inside(area, known) for known in found):
            return
        if ws.Range(_address(area)).MergeCells is False:
            return
        top, left, bottom, right = area
        if (top, left) == (bottom, right):
            found.append(_area(ws.Range(_address(area)).MergeArea.Address))
            return
        for half in halves(area):
            self._merges(ws, half, found)


class SheetName:
    """What :meth:`NativeProbe.validation` needs of a sheet: its name (no lookup)."""

    def __init__(self, name: str) -> None:
        self.name = name


def app_facts() -> stops.AppFacts:
    """Excel's workbooks and Protected View windows, when the clicked book is not found."""
    try:
        app = xw.apps.active.api
        views = app.ProtectedViewWindows.Count
        return stops.AppFacts(app.Workbooks.Count, views, xw.apps.count)
    except Exception:
        return stops.AppFacts()


def _address(area: Area) -> str:
    top, left, bottom, right = area
    one = f"{column_letter(left)}{top}"
    return one if (top, left) == (bottom, right) else f"{one}:{column_letter(right)}{bottom}"


def _area(address: str) -> Area:
    """'$A$1:$H$5000' (or '$A$1', or whole columns '$A:$H', rows '$3:$5') -> an area.

    >>> _area("$A$1:$H$5000"), _area("$D$7"), _area("$A:$B"), _area("$3:$5")
    ((1, 1, 5000, 8), (7, 4, 7, 4), (1, 1, 1048576, 2), (3, 1, 5, 16384))
    """
    first, _, last = address.replace("$", "").partition(":")
    last = last or first
    if first.isdigit():  # whole rows
        return int(first), 1, int(last), MAX_COLUMN
    if first.isalpha():  # whole columns
        return 1, position(first + "1")[1], MAX_ROW, position(last + "1")[1]
    (top, left), (bottom, right) = position(first), position(last)
    return top, left, bottom, right


def _cells(address: str) -> list[str]:
    """'$D$6:$D$8,$F$9' -> ['D6', 'D7', 'D8', 'F9']."""
    found = []
    for part in address.split(","):
        top, left, bottom, right = _area(part)
        found += [
            f"{column_letter(c)}{r}" for r in range(top, bottom + 1) for c in range(left, right + 1)
        ]
    return found


def _rgb(value: int) -> tuple[int, int, int]:
    return (value & 0xFF, (value >> 8) & 0xFF, (value >> 16) & 0xFF)
