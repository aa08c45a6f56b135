"""A fake ``Excel.Application`` COM object model that counts every COM round trip.

Backed by a workbook loaded with openpyxl (values, solid fills, notes, merged cells, list
validations, "@" formats). One count = one cross-process call pywin32 would make:

* a property get (``rng.Value``, ``rng.Interior`` and then ``.Color``: two),
* a property set (``rng.Value = …``),
* a method call (``ws.Range("A1")``, ``rng.AddComment(t)``, ``comment.Text()``),
* calling an object's default member (``wb.Worksheets("附件4")``: ``Worksheets`` get + the
  call, as with pywin32's late binding; ``ws.Cells(r, c)``: ``Cells`` get + the call),
* enumerating a collection: ``_NewEnum`` + one ``Next`` per item.

Fetching a method object (``ws.Range`` before the call) costs nothing, as in pywin32.
Counts are kept by (kind, "Class.Member") and by the dyxx function that caused them (the
nearest ``addin.*`` frame, or a frame of a module listed in ``Calls.attribute``).

The objects subclass the stubbed ``win32com.client.CDispatch`` so xlwings' retry wrapper
wraps them exactly as it wraps real dispatch objects; their methods are ``MethodType``s
for the same reason.
"""

from __future__ import annotations

import re
import sys
import types
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime

from tests.support import win32stubs

win32stubs.install()
from win32com.client import CDispatch  # noqa: E402  (the stub)

com_error = win32stubs.com_error
MAX_ROW, MAX_COL = 1_048_576, 16_384
XL_NONE = -4142  # xlColorIndexNone
XL_ALL_VALIDATION, XL_COMMENTS = -4174, -4144  # SpecialCells types
XL_VALIDATE_LIST = 3
XL_BY_ROWS, XL_PREVIOUS = 1, 2  # Find's SearchOrder, SearchDirection
NUMBER = re.compile(r"[-+]?\d+(\.\d+)?")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
CELL = re.compile(r"^\$?([A-Z]{1,3})?\$?(\d+)?$")
Area = tuple[int, int, int, int]  # top, left, bottom, right (1-based, inclusive)


# ----------------------------------------------------------------------------- counting


class Calls:
    """Every round trip, by kind+member and by the dyxx function that made it."""

    attribute = ("addin.",)  # frames that count as "who made the call"

    def __init__(self) -> None:
        self.members: Counter[tuple[str, str]] = Counter()
        self.callers: Counter[str] = Counter()
        self.pairs: Counter[tuple[str, str]] = Counter()  # (dyxx function, kind Member)
        self.total = 0
        self.fail: str | None = None  # "kind Class.Member": that round trip raises com_error

    def hit(self, kind: str, cls: str, name: str) -> None:
        if self.fail == f"{kind} {cls}.{name}":
            raise com_error(message=f"{self.fail} failed (as asked by the test)")
        self.total += 1
        self.members[(kind, f"{cls}.{name}")] += 1
        who = _caller()
        self.callers[who] += 1
        self.pairs[(who, f"{kind} {cls}.{name}")] += 1

    def reset(self) -> None:
        self.members.clear()
        self.callers.clear()
        self.pairs.clear()
        self.total = 0

    def report(self, top: int = 25, detail: bool = False) -> str:
        kinds = Counter()
        for (kind, _name), n in self.members.items():
            kinds[kind] += n
        by_kind = ", ".join(f"{k} {n}" for k, n in kinds.most_common())
        lines = [f"total {self.total} round trips  ({by_kind})"]
        lines.append("  by member:")
        for (kind, name), n in self.members.most_common(top):
            lines.append(f"    {n:7d}  {kind:4s} {name}")
        lines.append("  by dyxx function:")
        for name, n in self.callers.most_common(top):
            lines.append(f"    {n:7d}  {name}")
        if detail:
            lines.append("  by dyxx function and member:")
            for (who, member), n in sorted(
                self.pairs.items(), key=lambda kv: (-self.callers[kv[0][0]], -kv[1])
            ):
                lines.append(f"    {n:7d}  {who:40s} {member}")
        return "\n".join(lines)


def _caller() -> str:
    frame = sys._getframe(3)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith(Calls.attribute):
            return f"{module}.{frame.f_code.co_name}"
        frame = frame.f_back
    return "(other)"


class _OleObj:
    """``obj._oleobj_``: the retry wrapper asks it whether a failing name exists."""

    def GetIDsOfNames(self, lcid, name):
        raise com_error(-2147352570, "Unknown name.")  # DISP_E_UNKNOWNNAME: do not retry


class Com(CDispatch):
    """Base of the fake objects: ``get_X``/``set_X`` are properties, ``do_X`` methods,
    ``default()`` the default member (``obj(args)``), ``items()`` the enumeration."""

    _oleobj_ = _OleObj()

    def __init__(self, app: Application | None) -> None:
        object.__setattr__(self, "_app", app)

    @property
    def _calls(self) -> Calls:
        return self._app.calls

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        cls = type(self)
        getter = getattr(cls, "get_" + name, None)
        if getter is not None:
            self._calls.hit("get", cls.__name__, name)
            return getter(self)
        method = getattr(cls, "do_" + name, None)
        if method is not None:

            def call(this, *args, **kwargs):
                this._calls.hit("call", cls.__name__, name)
                return method(this, *args, **kwargs)

            return types.MethodType(call, self)
        raise AttributeError(f"{cls.__name__}.{name}")

    def __setattr__(self, name: str, value) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        cls = type(self)
        setter = getattr(cls, "set_" + name, None)
        if setter is None:
            raise com_error(message=f"{cls.__name__}.{name} cannot be set")
        self._calls.hit("set", cls.__name__, name)
        setter(self, value)

    def __call__(self, *args, **kwargs):
        self._calls.hit("call", type(self).__name__, "_Default")
        return self.default(*args, **kwargs)

    def __iter__(self):
        self._calls.hit("call", type(self).__name__, "_NewEnum")
        for item in list(self.items()):
            self._calls.hit("call", type(self).__name__, "Next")
            yield item

    def __bool__(self) -> bool:
        return True  # as pywin32's CDispatch

    def default(self, *args, **kwargs):
        raise com_error(message=f"{type(self).__name__} has no default member")

    def items(self) -> Iterable:
        raise com_error(message=f"{type(self).__name__} is not a collection")


# ----------------------------------------------------------------------------- addresses


def unwrap(obj):
    """The fake object inside xlwings' COMRetryObjectWrapper (arguments come wrapped)."""
    while getattr(obj, "_inner", None) is not None:
        obj = obj._inner
    return obj


def column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def parse(address: str) -> list[Area]:
    """ "D6", "$D$6:$D$8,F9", "B:H", "3:5" -> areas (a sheet prefix is not supported)."""
    areas = []
    for part in address.replace(" ", "").split(","):
        ends = part.split(":")
        first = _end(ends[0])
        last = _end(ends[-1])
        (c1, r1), (c2, r2) = first, last
        top = r1 or 1
        bottom = r2 or MAX_ROW if (r1 is None) else (r2 or r1)
        left = c1 or 1
        right = c2 or MAX_COL if (c1 is None) else (c2 or c1)
        areas.append((min(top, bottom), min(left, right), max(top, bottom), max(left, right)))
    return areas


def _end(text: str) -> tuple[int | None, int | None]:
    match = CELL.match(text.upper())
    if not match:
        raise com_error(message=f"bad address {text!r}")
    letters, digits = match.groups()
    return (column_number(letters) if letters else None, int(digits) if digits else None)


def area_address(area: Area, row_abs: bool = True, col_abs: bool = True) -> str:
    top, left, bottom, right = area
    r, c = ("$" if row_abs else ""), ("$" if col_abs else "")
    if top == 1 and bottom == MAX_ROW:
        return f"{c}{column_letters(left)}:{c}{column_letters(right)}"
    one = f"{c}{column_letters(left)}{r}{top}"
    if (top, left) == (bottom, right):
        return one
    return f"{one}:{c}{column_letters(right)}{r}{bottom}"


def cells_of(area: Area) -> Iterable[tuple[int, int]]:
    top, left, bottom, right = area
    for row in range(top, bottom + 1):
        for col in range(left, right + 1):
            yield row, col


def size(area: Area) -> int:
    return (area[2] - area[0] + 1) * (area[3] - area[1] + 1)


def overlap(a: Area, b: Area) -> Area | None:
    top, left = max(a[0], b[0]), max(a[1], b[1])
    bottom, right = min(a[2], b[2]), min(a[3], b[3])
    return (top, left, bottom, right) if top <= bottom and left <= right else None


# ----------------------------------------------------------------------------- data


class SheetData:
    """One worksheet's content, sparse."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.values: dict[tuple[int, int], object] = {}
        self.formulas: dict[tuple[int, int], str] = {}
        self.fills: dict[tuple[int, int], int] = {}  # BGR int, as Interior.Color
        self.notes: dict[tuple[int, int], str] = {}
        self.formats: list[tuple[Area, str]] = []  # applied in order; last one wins
        self.validations: list[dict] = []
        self.merged: list[Area] = []
        self.visible = -1
        self.protection: dict | None = None  # {"password": …, flags…} when protected
        self.bold: set[tuple[int, int]] = set()
        self.widths: dict[int, float] = {}

    def number_format(self, row: int, col: int) -> str:
        for area, fmt in reversed(self.formats):
            if area[0] <= row <= area[2] and area[1] <= col <= area[3]:
                return fmt
        return "General"

    def used(self) -> Area | None:
        """As Excel's UsedRange: every cell with a value, fill or note, and every cell given
        a format over an area (a whole column or row keeps its format per column/row and
        does not count), so a column formatted down to row 1,048,576 makes it that tall."""
        keys = set(self.values) | set(self.formulas) | set(self.fills) | set(self.notes)
        corners = [k + k for k in keys]
        corners += [a for a, _f in self.formats if not _whole(a)]
        if not corners:
            return None
        return (
            min(a[0] for a in corners),
            min(a[1] for a in corners),
            max(a[2] for a in corners),
            max(a[3] for a in corners),
        )

    def last(self, by_rows: bool) -> tuple[int, int] | None:
        """Cells.Find("*", SearchDirection:=xlPrevious): the last cell holding anything."""
        keys = set(self.values) | set(self.formulas)
        if not keys:
            return None
        return max(keys) if by_rows else max(keys, key=lambda k: (k[1], k[0]))

    def write(self, row: int, col: int, value) -> None:
        """A value as Excel stores what is typed/assigned (a text-formatted cell keeps text)."""
        self.formulas.pop((row, col), None)
        if isinstance(value, datetime):
            value = value.replace(tzinfo=None)
        if value is None or value == "":
            self.values.pop((row, col), None)
            return
        if isinstance(value, str) and self.number_format(row, col) != "@":
            if value.startswith("="):
                self.formulas[(row, col)] = value
                if value.upper().startswith("=HYPERLINK("):
                    value = value.rsplit(",", 1)[-1].removesuffix(")").strip('"').replace('""', '"')
            elif NUMBER.fullmatch(value):
                value = float(value)
            elif ISO_DATE.fullmatch(value):
                value = datetime.fromisoformat(value)
        elif isinstance(value, bool):
            pass
        elif isinstance(value, int):
            value = float(value)
        self.values[(row, col)] = value


def _whole(area: Area) -> bool:
    return (area[0], area[2]) == (1, MAX_ROW) or (area[1], area[3]) == (1, MAX_COL)


def load(path) -> list[SheetData]:
    """Sheets of an .xlsx as the fake's data (openpyxl)."""
    import openpyxl

    workbook = openpyxl.load_workbook(path)
    sheets = []
    for ws in workbook.worksheets:
        data = SheetData(ws.title)
        for row in ws.iter_rows():
            for cell in row:
                key = (cell.row, cell.column)
                value = cell.value
                if isinstance(value, str) and value.startswith("="):
                    data.formulas[key] = value
                elif value is not None:
                    data.values[key] = (
                        float(value)
                        if isinstance(value, int) and not isinstance(value, bool)
                        else value
                    )
                fill = cell.fill
                if (
                    fill is not None
                    and fill.fill_type == "solid"
                    and isinstance(fill.fgColor.rgb, str)
                ):
                    rgb = fill.fgColor.rgb[-6:]
                    red, green, blue = int(rgb[0:2], 16), int(rgb[2:4], 16), int(rgb[4:6], 16)
                    data.fills[key] = red + green * 256 + blue * 65536
                if cell.comment is not None:
                    data.notes[key] = cell.comment.text
                if cell.number_format == "@":
                    data.formats.append(((cell.row, cell.column, cell.row, cell.column), "@"))
        for merged in ws.merged_cells.ranges:
            data.merged.append((merged.min_row, merged.min_col, merged.max_row, merged.max_col))
        for validation in ws.data_validations.dataValidation:
            if validation.type == "list":
                for cells in validation.sqref.ranges:
                    data.validations.append(
                        {
                            "area": (cells.min_row, cells.min_col, cells.max_row, cells.max_col),
                            "Type": XL_VALIDATE_LIST,
                            "Formula1": validation.formula1,
                        }
                    )
        if ws.sheet_state != "visible":
            data.visible = 0
        if ws.protection.sheet:
            data.protection = {"password": ws.protection.password}
        sheets.append(data)
    return sheets


# ----------------------------------------------------------------------------- objects


# Application properties the fake keeps (their values when Excel starts)
SETTINGS = {
    "ScreenUpdating": True,
    "EnableEvents": True,
    "Calculation": -4105,
    "StatusBar": False,
    "DisplayAlerts": True,
    "Interactive": True,
}


class Application(Com):
    def __init__(self, hwnd: int = 4242) -> None:
        super().__init__(None)
        self._app = self
        self.calls = Calls()
        self._hwnd = hwnd
        self._books: list[Workbook] = []
        self._active_book: Workbook | None = None
        self._state = dict(SETTINGS)
        self.macros: dict[str, object] = {}  # Application.Run targets: name -> callable(app, *args)
        self._protected_view: list[str] = []  # names of books open in Protected View
        self.cells_read = 0  # cells whose values were read (Value/Formula gets)
        self.status_history: list[object] = []
        self.password_prompts = 0  # Unprotect without a password on a sheet that has one
        win32stubs.APPS[hwnd] = self

    def open(self, path, name: str | None = None) -> Workbook:
        """Open a workbook (not counted: this is the user opening it in Excel)."""
        from pathlib import Path

        book = Workbook(self, name or Path(path).name, load(path))
        self._books.append(book)
        self._active_book = book
        return book

    def window(self) -> Com:
        return _Window(self)

    def __getattr__(self, name):
        if name in SETTINGS:
            self.calls.hit("get", "Application", name)
            return self._state[name]
        return super().__getattr__(name)

    def __setattr__(self, name, value):
        if name in SETTINGS:
            self.calls.hit("set", "Application", name)
            self._state[name] = value
            if name == "StatusBar":
                self.status_history.append(value)
            return
        if name in ("calls", "macros", "status_history", "cells_read", "password_prompts"):
            object.__setattr__(self, name, value)
            return
        super().__setattr__(name, value)

    def get_Application(self):
        return self

    def get_Hwnd(self):
        return self._hwnd

    def get_Version(self):
        return "16.0"

    def get_Workbooks(self):
        return Workbooks(self)

    def get_ProtectedViewWindows(self):
        return _Counted(self, len(self._protected_view))

    def get_ActiveProtectedViewWindow(self):
        return _Counted(self, 1) if self._protected_view else None

    def get_ActiveWorkbook(self):
        return self._active_book

    def get_ActiveSheet(self):
        return self._active_book.get_ActiveSheet()

    def do_Run(self, macro, *args):
        name = str(macro).split("!")[-1]
        if name not in self.macros:
            raise com_error(message=f"Cannot run the macro '{macro}'.")
        return self.macros[name](self, *args)

    def do_Intersect(self, first, second):
        first, second = unwrap(first), unwrap(second)
        parts = []
        for a in first._areas:
            for b in second._areas:
                o = overlap(a, b)
                if o:
                    parts.append(o)
        return Range(first._ws, parts) if parts else None


class _Counted(Com):
    """A collection of which only Count is asked (ProtectedViewWindows)."""

    def __init__(self, app, count: int) -> None:
        super().__init__(app)
        self._count = count

    def get_Count(self):
        return self._count


class _Window(Com):
    def get_Application(self):
        return self._app


class Workbooks(Com):
    def get_Application(self):
        return self._app

    def get_Count(self):
        return len(self._app._books)

    def default(self, key):
        books = self._app._books
        if isinstance(key, int):
            return books[key - 1]
        for book in books:
            if book._name.lower() == str(key).lower():
                return book
        raise com_error(message=f"no workbook {key}")

    def items(self):
        return self._app._books


class Workbook(Com):
    def __init__(self, app: Application, name: str, sheets: list[SheetData]) -> None:
        super().__init__(app)
        self._name = name
        self._sheets = [Worksheet(app, self, data) for data in sheets]
        self._active = self._sheets[-1]
        self._read_only = False
        self._shared = False

    def get_Name(self):
        return self._name

    def get_ReadOnly(self):
        return self._read_only

    def get_MultiUserEditing(self):
        return self._shared

    def get_FullName(self):
        return self._name

    def get_Path(self):
        return ""

    def get_Application(self):
        return self._app

    def get_Parent(self):
        return self._app

    def get_Worksheets(self):
        return Worksheets(self._app, self)

    get_Sheets = get_Worksheets

    def get_ActiveSheet(self):
        return self._active

    def do_Activate(self):
        self._app._active_book = self

    def sheet(self, name: str) -> Worksheet:
        """Uncounted access for checks after a run."""
        return next(s for s in self._sheets if s._data.name == name)


class Worksheets(Com):
    def __init__(self, app, book: Workbook) -> None:
        super().__init__(app)
        self._book = book

    def get_Count(self):
        return len(self._book._sheets)

    def get_Parent(self):
        return self._book

    def default(self, key):
        sheets = self._book._sheets
        if isinstance(key, (int, float)):
            if not 1 <= key <= len(sheets):
                raise com_error(message="Subscript out of range")
            return sheets[int(key) - 1]
        for sheet in sheets:
            if sheet._data.name.lower() == str(key).lower():
                return sheet
        raise com_error(message="Subscript out of range")

    def items(self):
        return self._book._sheets

    def do_Add(self, Before=None, After=None, Count=1):
        Before, After = unwrap(Before), unwrap(After)
        sheets = self._book._sheets
        taken = {s._data.name for s in sheets}
        n = 1
        while f"Sheet{n}" in taken:
            n += 1
        sheet = Worksheet(self._app, self._book, SheetData(f"Sheet{n}"))
        if Before is not None:
            sheets.insert(sheets.index(Before), sheet)
        elif After is not None:
            sheets.insert(sheets.index(After) + 1, sheet)
        else:
            sheets.insert(sheets.index(self._book._active), sheet)
        self._book._active = sheet
        return sheet


class Worksheet(Com):
    def __init__(self, app, book: Workbook, data: SheetData) -> None:
        super().__init__(app)
        self._book = book
        self._data = data

    def get_Name(self):
        return self._data.name

    def set_Name(self, value):
        self._data.name = value

    def get_Parent(self):
        return self._book

    def get_Index(self):
        return self._book._sheets.index(self) + 1

    def get_Visible(self):
        return self._data.visible

    def set_Visible(self, value):
        self._data.visible = -1 if value is True or value == -1 else (2 if value == 2 else 0)

    def do_Activate(self):
        self._book._active = self

    do_Select = do_Activate

    def do_Move(self, Before=None, After=None):
        Before, After = unwrap(Before), unwrap(After)
        sheets = self._book._sheets
        sheets.remove(self)
        if Before is not None:
            sheets.insert(sheets.index(Before), self)
        else:
            sheets.insert(sheets.index(After) + 1, self)

    def get_Cells(self):
        return Range(self, [(1, 1, MAX_ROW, MAX_COL)])

    def do_Range(self, first, second=None):
        first, second = unwrap(first), unwrap(second)
        one = parse(first) if isinstance(first, str) else list(first._areas)
        if second is None:
            return Range(self, one)
        two = parse(second) if isinstance(second, str) else list(second._areas)
        boxes = one + two
        return Range(
            self,
            [
                (
                    min(a[0] for a in boxes),
                    min(a[1] for a in boxes),
                    max(a[2] for a in boxes),
                    max(a[3] for a in boxes),
                )
            ],
        )

    def get_UsedRange(self):
        used = self._data.used()
        return Range(self, [used or (1, 1, 1, 1)])

    def get_Comments(self):
        return Comments(self._app, self)

    # protection
    def get_ProtectContents(self):
        return self._data.protection is not None

    def get_ProtectDrawingObjects(self):
        return self._data.protection is not None

    def get_ProtectScenarios(self):
        return self._data.protection is not None

    def get_Protection(self):
        return _Protection(self._app, self._data)

    def do_Unprotect(self, Password=None):
        protection = self._data.protection
        if protection and protection.get("password") and Password is None:
            # Excel asks the user for the password; here the user types it
            self._app.password_prompts += 1
        elif protection and protection.get("password") and Password != protection["password"]:
            raise com_error(message="The password you supplied is not correct.")
        self._data.protection = None

    def do_Protect(self, Password=None, **flags):
        self._data.protection = {"password": Password, **flags}


class _Protection(Com):
    def __init__(self, app, data: SheetData) -> None:
        super().__init__(app)
        self._data = data

    def __getattr__(self, name):
        if name.startswith("Allow"):
            self._calls.hit("get", "Protection", name)
            return bool((self._data.protection or {}).get(name, False))
        return super().__getattr__(name)


class Comments(Com):
    def __init__(self, app, sheet: Worksheet) -> None:
        super().__init__(app)
        self._sheet = sheet

    def _all(self):
        return [Comment(self._app, self._sheet, key) for key in sorted(self._sheet._data.notes)]

    def get_Count(self):
        return len(self._sheet._data.notes)

    def default(self, index):
        return self._all()[index - 1]

    do_Item = default

    def items(self):
        return self._all()


class Comment(Com):
    def __init__(self, app, sheet: Worksheet, key: tuple[int, int]) -> None:
        super().__init__(app)
        self._sheet = sheet
        self._key = key

    def do_Text(self, Text=None, Start=None, Overwrite=None):
        notes = self._sheet._data.notes
        if Text is not None:
            if Start is None:
                notes[self._key] = Text
            else:
                old = notes.get(self._key, "")
                notes[self._key] = old[: Start - 1] + Text
        return notes.get(self._key, "")

    def get_Author(self):
        return "dyxx"

    def get_Parent(self):
        row, col = self._key
        return Range(self._sheet, [(row, col, row, col)])

    def do_Delete(self):
        self._sheet._data.notes.pop(self._key, None)


class Interior(Com):
    def __init__(self, app, rng: Range) -> None:
        super().__init__(app)
        self._range = rng

    def _fills(self):
        fills = self._range._ws._data.fills
        return {fills.get(cell) for cell in self._range._every_cell()}

    def get_ColorIndex(self):
        found = self._fills()
        if found == {None}:
            return XL_NONE
        return None if len(found) > 1 else 1  # Null when the cells differ

    def get_Color(self):
        found = self._fills()
        if len(found) > 1:
            return None
        (only,) = found
        return 16777215 if only is None else only

    def set_Color(self, value):
        fills = self._range._ws._data.fills
        for cell in self._range._every_cell():
            fills[cell] = int(value)

    def set_ColorIndex(self, value):
        fills = self._range._ws._data.fills
        if value == XL_NONE:
            for cell in self._range._every_cell():
                fills.pop(cell, None)
        else:
            raise com_error(message="only xlColorIndexNone is modelled")

    def set_Pattern(self, value):
        pass


class Font(Com):
    def __init__(self, app, rng: Range) -> None:
        super().__init__(app)
        self._range = rng

    def set_Bold(self, value):
        bold = self._range._ws._data.bold
        for cell in self._range._every_cell():
            (bold.add if value else bold.discard)(cell)

    def get_Bold(self):
        bold = self._range._ws._data.bold
        found = {cell in bold for cell in self._range._every_cell()}
        return found.pop() if len(found) == 1 else None


class Validation(Com):
    def __init__(self, app, rng: Range) -> None:
        super().__init__(app)
        self._range = rng

    def _covering(self):
        data = self._range._ws._data
        found, covered = [], 0
        for area in self._range._areas:
            for validation in data.validations:
                o = overlap(area, validation["area"])
                if o:
                    found.append(validation)
                    covered += size(o)
        return found, covered

    def get_Type(self):
        found, covered = self._covering()
        total = sum(size(a) for a in self._range._areas)
        if not found or covered < total or len({id(v) for v in found}) > 1:
            raise com_error(message="Application-defined or object-defined error.")
        return found[0]["Type"]

    def _single(self):
        found, _covered = self._covering()
        if not found:
            raise com_error(message="No validation")
        return found[0]

    def do_Add(self, Type, AlertStyle=1, Operator=None, Formula1=None, Formula2=None):
        found, _ = self._covering()
        if found:
            raise com_error(message="Application-defined or object-defined error.")
        for area in self._range._areas:
            self._range._ws._data.validations.append(
                {"area": area, "Type": Type, "AlertStyle": AlertStyle, "Formula1": Formula1}
            )

    def do_Modify(self, Type=None, AlertStyle=None, Operator=None, Formula1=None, Formula2=None):
        validation = self._single()
        for key, value in (("Type", Type), ("AlertStyle", AlertStyle), ("Formula1", Formula1)):
            if value is not None:
                validation[key] = value

    def do_Delete(self):
        data = self._range._ws._data
        data.validations = [
            v
            for v in data.validations
            if not any(overlap(a, v["area"]) for a in self._range._areas)
        ]

    def __getattr__(self, name):
        if name in ("Formula1", "AlertStyle", *VALIDATION_SETTABLE):
            self._calls.hit("get", "Validation", name)
            return self._single().get(name)
        return super().__getattr__(name)

    def __setattr__(self, name, value):
        if name in VALIDATION_SETTABLE:
            self._calls.hit("set", "Validation", name)
            self._single()[name] = value
            return
        super().__setattr__(name, value)


VALIDATION_SETTABLE = (
    "InCellDropdown",
    "ErrorTitle",
    "ErrorMessage",
    "InputTitle",
    "InputMessage",
    "ShowError",
    "ShowInput",
    "IgnoreBlank",
)


class Areas(Com):
    def __init__(self, app, rng: Range) -> None:
        super().__init__(app)
        self._range = rng

    def get_Count(self):
        return len(self._range._areas)

    def default(self, index):
        return Range(self._range._ws, [self._range._areas[index - 1]])

    do_Item = default

    def items(self):
        return [Range(self._range._ws, [a]) for a in self._range._areas]


class Range(Com):
    def __init__(self, ws: Worksheet, areas: list[Area], mode: str = "cells") -> None:
        super().__init__(ws._app)
        self._ws = ws
        self._areas = areas
        self._mode = mode  # "rows"/"columns": what Count counts (Range.Rows / .Columns)

    # -- helpers (uncounted)
    def _every_cell(self):
        for area in self._areas:
            yield from cells_of(area)

    @property
    def _first(self) -> Area:
        return self._areas[0]

    # -- geometry
    def get_Row(self):
        return self._first[0]

    def get_Column(self):
        return self._first[1]

    def get_Rows(self):
        return Range(self._ws, self._areas, "rows")

    def get_Columns(self):
        return Range(self._ws, self._areas, "columns")

    def get_Count(self):
        top, left, bottom, right = self._first
        if self._mode == "rows":
            return bottom - top + 1
        if self._mode == "columns":
            return right - left + 1
        return sum(size(a) for a in self._areas)

    get_CountLarge = get_Count

    def get_Cells(self):
        return Range(self._ws, self._areas)

    def default(self, row, col=1):
        top, left = self._first[0], self._first[1]
        r, c = top + row - 1, left + col - 1
        return Range(self._ws, [(r, c, r, c)])

    do_Item = default

    def get_Worksheet(self):
        return self._ws

    get_Parent = get_Worksheet

    def get_Address(self):
        return ",".join(area_address(a) for a in self._areas)

    def do_GetAddress(
        self, RowAbsolute=True, ColumnAbsolute=True, ReferenceStyle=1, External=False
    ):
        text = ",".join(area_address(a, RowAbsolute, ColumnAbsolute) for a in self._areas)
        if External:
            name = self._ws._data.name.replace("'", "''")
            text = f"'[{self._ws._book._name}]{name}'!{text}"
        return text

    def get_Areas(self):
        return Areas(self._app, self)

    def get_MergeArea(self):
        row, col = self._first[0], self._first[1]
        for area in self._ws._data.merged:
            if area[0] <= row <= area[2] and area[1] <= col <= area[3]:
                return Range(self._ws, [area])
        return Range(self._ws, [(row, col, row, col)])

    def get_MergeCells(self):
        merged = self._ws._data.merged
        touched = [m for a in self._areas for m in merged if overlap(a, m)]
        if not touched:
            return False
        if len(self._areas) == 1 and any(overlap(self._first, m) == self._first for m in touched):
            inside = all(
                overlap(self._first, m) == m or overlap(self._first, m) == self._first
                for m in touched
            )
            covered = sum(size(overlap(self._first, m)) for m in touched)
            if inside and covered == size(self._first):
                return True
        return None  # mixed

    # -- values
    def _read(self, formulas: bool = False):
        data = self._ws._data
        top, left, bottom, right = self._first
        self._app.cells_read += size(self._first)

        def one(key):
            if formulas and key in data.formulas:
                return data.formulas[key]
            return data.values.get(key, "" if formulas else None)

        if (top, left) == (bottom, right):
            return one((top, left))
        return tuple(
            tuple(one((r, c)) for c in range(left, right + 1)) for r in range(top, bottom + 1)
        )

    def _write(self, value):
        data = self._ws._data
        top, left, bottom, right = self._first
        if isinstance(value, (list, tuple)):
            rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in value]
            for i, row in enumerate(rows):
                for j, v in enumerate(row):
                    if top + i <= bottom and left + j <= right:
                        data.write(top + i, left + j, v)
        else:
            for area in self._areas:
                for r, c in cells_of(area):
                    data.write(r, c, value)

    def get_Value(self):
        return self._read()

    get_Value2 = get_Value

    def set_Value(self, value):
        self._write(value)

    set_Value2 = set_Value

    def get_Formula(self):
        return self._read(formulas=True)

    set_Formula = set_Value

    def do_ClearContents(self):
        data = self._ws._data
        for area in self._areas:
            for key in [
                k for k in data.values if area[0] <= k[0] <= area[2] and area[1] <= k[1] <= area[3]
            ]:
                data.values.pop(key, None)
                data.formulas.pop(key, None)

    def get_NumberFormat(self):
        formats = {self._ws._data.number_format(r, c) for r, c in self._every_cell()}
        return formats.pop() if len(formats) == 1 else None

    def set_NumberFormat(self, value):
        for area in self._areas:
            self._ws._data.formats.append((area, value))

    def set_ColumnWidth(self, value):
        for area in self._areas:
            for col in range(area[1], area[3] + 1):
                self._ws._data.widths[col] = value

    # -- formatting objects
    def get_Interior(self):
        return Interior(self._app, self)

    def get_Font(self):
        return Font(self._app, self)

    def get_Validation(self):
        return Validation(self._app, self)

    # -- notes
    def get_Comment(self):
        key = self._first[:2]
        return Comment(self._app, self._ws, key) if key in self._ws._data.notes else None

    def do_AddComment(self, Text=None):
        key = self._first[:2]
        if key in self._ws._data.notes:
            raise com_error(message="Application-defined or object-defined error.")
        self._ws._data.notes[key] = Text or ""
        return Comment(self._app, self._ws, key)

    def do_ClearComments(self):
        notes = self._ws._data.notes
        small = sum(size(a) for a in self._areas) < 1_000_000
        for cell in list(self._every_cell()) if small else list(notes):
            notes.pop(cell, None)

    def do_SpecialCells(self, kind, value=None):
        data = self._ws._data
        if kind == XL_ALL_VALIDATION:
            parts = [
                o for a in self._areas for v in data.validations if (o := overlap(a, v["area"]))
            ]
        elif kind == XL_COMMENTS:
            parts = [
                (r, c, r, c)
                for (r, c) in sorted(data.notes, key=lambda k: (k[1], k[0]))
                if any(a[0] <= r <= a[2] and a[1] <= c <= a[3] for a in self._areas)
            ]
        else:
            raise com_error(message="SpecialCells type not modelled")
        if not parts:
            raise com_error(message="No cells were found.")
        return Range(self._ws, parts)

    def do_Select(self):
        pass

    def do_Find(
        self,
        What=None,
        After=None,
        LookIn=None,
        LookAt=None,
        SearchOrder=None,
        SearchDirection=None,
        MatchCase=None,
    ):
        if What != "*" or SearchDirection != XL_PREVIOUS:
            raise com_error(message='only Find("*", SearchDirection:=xlPrevious) is modelled')
        found = self._ws._data.last(by_rows=SearchOrder == XL_BY_ROWS)
        if found is None:
            return None
        return Range(self._ws, [found + found])


def install_note_macros(app: Application) -> None:
    """What addin/ribbon/dyxx.bas does when Excel runs it (each Run is one round trip)."""

    def cell(address: str) -> tuple[int, int]:
        ((top, left, _bottom, _right),) = parse(address)
        return top, left

    def sheet(book: str, name: str):
        return app.get_Workbooks().default(book).get_Worksheets().default(name)

    def write_notes(_app, book, name, addresses, texts):
        notes = sheet(book, name)._data.notes
        for address, text in zip(addresses, texts, strict=True):
            if text == "":
                notes.pop(cell(address), None)
            else:
                notes[cell(address)] = text
        return len(addresses)

    def read_notes(_app, book, name, addresses):
        notes = sheet(book, name)._data.notes
        return tuple(notes.get(cell(address)) for address in addresses)

    app.macros["DyxxWriteNotes"] = write_notes
    app.macros["DyxxReadNotes"] = read_notes


def as_date(value):
    return (
        value.date()
        if isinstance(value, datetime) and value.time() == datetime.min.time()
        else value
    )


__all__ = ["Application", "Calls", "com_error", "date"]


def caller(app: Application, name: str):
    """What ``xw.Book.caller()`` does on Windows for ``--wb=name --from_xl=1 --hwnd=…``
    (``sys.platform`` is not "win32" here, so xlwings would take its macOS branch)."""
    import xlwings as xw
    from xlwings import _xlwindows

    xl_app = xw.App(impl=_xlwindows.App(xl=int(app._hwnd)))
    return xw.Book(impl=xl_app.books[name.lower()].impl)
