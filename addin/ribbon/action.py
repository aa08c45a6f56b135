"""The 校验 button: check the active workbook in place, through xlwings only.

In this order, and idempotent when clicked again: find the 附件3/附件4 tables;
add missing dropdowns and text formats; check; mark every finding's cell
(fill and note) and take back marks that no longer apply, restoring the
cell's own fill and note; write the 校验结果 sheet; stamp the 校验记录 sheet.

Everything is decided by the engine (:mod:`addin.excel.plan`,
:mod:`addin.excel.aids`, :mod:`addin.excel.marks`); this module only reads
values, asks, and writes. Writes are batched: values in blocks, fills grouped
(:mod:`addin.ribbon.paint`). A sheet whose content would not change is not
written at all. On Excel for Windows every read and write goes to Excel's own
objects (:mod:`addin.ribbon.desktop`: few round trips, notes in batches,
progress in the status bar); elsewhere (xlwings' remote engine, macOS) through
xlwings' API, notes cell by cell.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date

import xlwings as xw

from addin.excel import aids as excel_aids
from addin.excel import plan as excel_plan
from addin.excel import stops
from addin.excel.aids import TEXT_FORMAT, Dropdown
from addin.excel.marks import Writes, recorded_first, resolve, to_observe, wanted
from addin.excel.plan import Book, Rows
from addin.model.a1 import column_letter, runs
from addin.model.errors import debugging, internal_error
from addin.model.findings import Finding
from addin.read import ownsheets
from addin.read.reader import Table
from addin.ribbon import desktop
from addin.ribbon.desktop import Native
from addin.ribbon.paint import paint
from addin.ribbon.probe import DesktopProbe, Probe
from addin.write.dataentry import validation as validation_texts
from addin.write.marked.annotate import RESULT_WIDTHS, STAMP_WIDTHS
from addin.write.marked.state import (
    STATE_SHEET,
    STATE_WIDTH,
    State,
    is_state,
    parse_state,
    state_rows,
)
from addin.write.marked.xlsxmark import LEDGER_WIDTHS

TITLE = "党员信息校验"
ENGINE = f"xlwings {xw.__version__}"
ALERT_STYLES = {"stop": 1, "warning": 2, "information": 3}  # Excel's XlDVAlertStyle
PROTECTION_FLAGS = (
    "AllowFormattingCells",
    "AllowFormattingColumns",
    "AllowFormattingRows",
    "AllowInsertingColumns",
    "AllowInsertingRows",
    "AllowInsertingHyperlinks",
    "AllowDeletingColumns",
    "AllowDeletingRows",
    "AllowSorting",
    "AllowFiltering",
    "AllowUsingPivotTables",
)
LOCKED = "请在“审阅”选项卡中点“撤销工作表保护”，输入密码后再点“校验”。"


@dataclass(frozen=True)
class Layout:
    """How one of our sheets is laid out."""

    widths: tuple[int, ...]
    text_columns: tuple[int, ...]  # text-formatted, so values stay exactly as written
    always: bool = False  # rewritten on every click (the stamp: its time changes)
    hidden: bool = False


RESULTS = Layout(RESULT_WIDTHS, excel_plan.RESULT_TEXT_COLUMNS)
STAMP = Layout(STAMP_WIDTHS, (2,), always=True)
LEDGER = Layout(LEDGER_WIDTHS, (1, 2), hidden=True)  # rewritten when the data changed
STATE = Layout((8, 16, 8, 10, 10, 8, 20, 40), tuple(range(1, STATE_WIDTH + 1)), hidden=True)


@dataclass
class Outcome:
    """What one click did."""

    message: str
    tables: int = 0
    findings: list[Finding] = field(default_factory=list)
    dropdowns: int = 0
    observed: int = 0  # cells whose fill and note were read
    writes: Writes | None = None
    sheets_written: list[str] = field(default_factory=list)
    names: tuple[str, str] = (ownsheets.RESULT_SHEET, ownsheets.STAMP_SHEET)


def main() -> None:
    """Entry point of the ribbon button (``dyxx.main``): check the active workbook."""
    try:
        book = xw.Book.caller()
    except Exception:
        if debugging():
            raise
        xw.apps.active.alert(stops.missing(desktop.app_facts()), title=TITLE, mode="critical")
        return
    try:
        outcome = run(book)
    except Exception as exc:
        if debugging():
            raise
        book.app.alert(internal_error(exc), title=TITLE, mode="critical")
        return
    book.app.alert(outcome.message, title=TITLE, mode="info")


def run(
    book: xw.Book,
    probe: Probe | None = None,
    today: date | None = None,
    operator: str | None = None,
) -> Outcome:
    """Check ``book`` and mark it; reads of formatting go through ``probe``."""
    started = time.monotonic()
    native = Native(book) if desktop.is_native(book) else None
    if native is not None:
        facts = native.facts()
        if stops.stop(facts):
            return Outcome(stops.stop(facts) or "")
        probe = probe or desktop.NativeProbe(native)
    probe = probe or DesktopProbe()
    with native.quiet() if native is not None else nullcontext():
        outcome = _run(book, native, probe, today, operator)
    if outcome.tables and native is not None:
        lines = [outcome.message]
        if stops.note(facts):
            lines.append(stops.note(facts) or "")
        if native.deferred:
            lines.append(excel_plan.deferred(native.deferred, outcome.names))
        lines.append(excel_plan.took(time.monotonic() - started))
        outcome.message = "\n".join(lines)
    return outcome


def _run(
    book: xw.Book,
    native: Native | None,
    probe: Probe,
    today: date | None,
    operator: str | None,
) -> Outcome:
    _status(native, "读取…")
    values = native.read() if native is not None else read_book(book)
    found = excel_plan.tables(values)
    if found:
        merged = probe.merged(book, excel_plan.data_areas(found))
        if any(merged.values()):
            found = excel_plan.tables(values, merged)
    if not found:
        return Outcome(excel_plan.NO_TABLES)
    state_name = next((n for n, rows in values.sheets.items() if is_state(rows)), None)
    state_name = state_name or ownsheets.free_name(STATE_SHEET, values.sheets)
    state = parse_state(values.sheets.get(state_name, []))
    # Marks on a sheet that is gone (deleted, renamed) cannot be taken back: forget them.
    state.marks = {k: m for k, m in state.marks.items() if k[0] in values.sheets}
    _status(native, "校验…")
    report = excel_plan.check(found, today)
    outcome = Outcome("", tables=len(found), findings=report.findings)
    active = native.active_sheet() if native is not None else book.sheets.active.name
    written = {t.sheet for t in found} | {sheet for sheet, _cell in state.marks}
    with (
        _quiet(book) if native is None else nullcontext(),
        _unprotected(book, native, written) as locked,
    ):
        if locked:
            names = "、".join(f"“{name}”" for name in sorted(locked))
            return Outcome(f"工作表{names}设有密码保护，无法标注：{LOCKED}")
        outcome.dropdowns = _equip(book, native, values, found, state, probe)

        def record(pending: State) -> None:
            _write(book, native, values, state_name, state_rows(pending), STATE)

        _mark(book, native, state, probe, outcome, record)
        who = operator or excel_plan.operator_name()
        names = outcome.names = values.own_names()
        ledger = values.ledger_name(names)
        stamp = excel_plan.stamp_rows(report, book.name, who, ENGINE, ledger)
        sheets = (
            (names[0], excel_plan.result_rows(report.findings), RESULTS),
            (names[1], stamp, STAMP),
            (ledger, excel_plan.ledger_rows(found), LEDGER),
            (state_name, state_rows(state), STATE),
        )
        for name, rows, layout in sheets:
            if _write(book, native, values, name, rows, layout):
                outcome.sheets_written.append(name)
        shown = names[0] if report.findings else active
        native.activate(shown) if native is not None else book.sheets[shown].activate()
    outcome.message = excel_plan.summary(report, report.findings, outcome.dropdowns, names)
    return outcome


def _status(native: Native | None, text: str) -> None:
    if native is not None:
        native.status(text)


def _mark(
    book: xw.Book,
    native: Native | None,
    state: State,
    probe: Probe,
    outcome: Outcome,
    record: Callable[[State], None],
) -> None:
    """Mark the findings' cells, take back the marks that no longer apply; what each cell
    showed is recorded (``record``) before the first cell changes."""
    want = wanted(outcome.findings)
    keys = to_observe(state.marks, want, everything=state.pending)
    observed = probe.observe(book, keys) if keys else {}
    writes = resolve(state.marks, want, observed)
    if writes.paint or writes.calls:
        record(State(recorded_first(state.marks, writes), state.aids, pending=True))
    if native is not None:
        native.paint(writes.paint)
        native.notes(writes)
    else:
        paint(book, writes.paint)
        write_notes(book, writes)
    state.marks, state.pending = writes.marks, False
    outcome.observed, outcome.writes = len(keys), writes


@contextmanager
def _quiet(book: xw.Book) -> Iterator[None]:
    """No screen updates while writing (desktop Excel repaints after each call otherwise)."""
    book.app.screen_updating = False
    try:
        yield
    finally:
        book.app.screen_updating = True


@contextmanager
def _unprotected(book: xw.Book, native: Native | None, names: set[str]) -> Iterator[set[str]]:
    """Desktop Excel: lift a sheet protection without password while writing, then put it
    back with the same permissions (``dyxx template`` protects its tables that way); a sheet
    protected with a password is never unprotected (its name is yielded).

    Yields the sheets that stay protected (a password). xlwings has no protection
    API: this goes through the sheet's native object, which the remote engine has
    not (it yields nothing there); not verified without Excel.
    """
    restore: list[tuple[object, dict[str, object]]] = []
    locked: set[str] = set()
    for name in sorted(names):
        try:
            api = native.sheets[name] if native is not None else book.sheets[name].api
            if not api.ProtectContents:
                continue
            options = {flag: getattr(api.Protection, flag) for flag in PROTECTION_FLAGS}
            options["DrawingObjects"] = api.ProtectDrawingObjects
            options["Scenarios"] = api.ProtectScenarios
        except Exception:  # no native object (remote engine)
            continue
        try:
            # An empty password lifts only a protection without one; without any argument,
            # Excel would ask for the password and we would put the protection back without it
            api.Unprotect("")
        except Exception:
            locked.add(name)
            continue
        restore.append((api, options))
    try:
        yield locked
    finally:
        for api, options in restore:
            try:
                api.Protect(Contents=True, **options)  # type: ignore[attr-defined]
            except Exception:
                pass


def read_book(book: xw.Book) -> Book:
    """Every sheet's values from A1 to the end of its used range (one read per sheet)."""
    result = Book(book.name)
    for sheet in book.sheets:
        result.sheets[sheet.name] = _values(sheet)
    return result


def _values(sheet: xw.Sheet) -> Rows:
    used = sheet.used_range
    rows, columns = used.shape
    last_row, last_column = used.row + rows - 1, used.column + columns - 1
    data = sheet.range((1, 1), (last_row, last_column)).options(ndim=2).value
    return [list(row) for row in data]


# --------------------------------------------------------------------------- input aids


def _equip(
    book: xw.Book,
    native: Native | None,
    values: Book,
    found: Sequence[Table],
    state: State,
    probe: Probe,
) -> int:
    """Dropdowns and formats for every table not yet equipped; returns the dropdowns added."""
    plans = []
    for table in found:
        done = state.aids.get((table.sheet, table.header_row))
        planned = excel_aids.plan(table, found, values.sheets[table.sheet], done)
        if planned is not None:
            plans.append(planned)
    missing = [
        dropdown
        for planned in plans
        for dropdown in planned.dropdowns
        if probe.validation(
            desktop.SheetName(dropdown.sheet) if native else book.sheets[dropdown.sheet],
            (dropdown.first, dropdown.column, dropdown.last, dropdown.column),
        )
        == "none"
    ]
    if missing and native is not None:
        codes_name = _native_code_sheet(native, values)
        for dropdown in missing:
            _native_dropdown(native, codes_name, dropdown)
    elif missing:
        codes = _code_sheet(book, values)
        for dropdown in missing:
            _dropdown(book, codes, dropdown)
    for planned in plans:
        for fmt in planned.formats:
            area = (fmt.first_row, fmt.first_column, fmt.last_row, fmt.last_column)
            if native is not None:
                native.number_format(planned.sheet, area, fmt.number_format)
            else:
                book.sheets[planned.sheet].range(
                    area[:2], area[2:]
                ).number_format = fmt.number_format
        state.aids[(planned.sheet, planned.header_row)] = planned.last
    return len(missing)


def _code_sheet(book: xw.Book, values: Book) -> xw.Sheet:
    """Our hidden code sheet: the existing one when current, else a new one."""
    name = excel_aids.find_code_sheet(values.sheets)
    if name is not None and excel_aids.is_current(values.sheets[name]):
        return book.sheets[name]
    rows = excel_aids.code_sheet_rows()
    sheet = _add_sheet(book, excel_aids.new_code_sheet_name(list(values.sheets)))
    cells = sheet.range((1, 1), (len(rows), len(rows[0])))
    cells.number_format = TEXT_FORMAT
    cells.value = rows
    sheet.visible = False
    values.sheets[sheet.name] = rows
    return sheet


def _native_code_sheet(native: Native, values: Book) -> str:
    """:func:`_code_sheet` on Excel's own objects; returns the code sheet's name."""
    name = excel_aids.find_code_sheet(values.sheets)
    if name is not None and excel_aids.is_current(values.sheets[name]):
        return name
    rows = excel_aids.code_sheet_rows()
    name = excel_aids.new_code_sheet_name(list(values.sheets))
    native.write(name, rows, range(1, len(rows[0]) + 1), created=True)
    native.dress(name, (1, 1, 1, 1), (), hidden=True)
    values.sheets[name] = rows
    return name


def _native_dropdown(native: Native, codes: str, dropdown: Dropdown) -> None:
    column, first, last = excel_aids.option_cells(dropdown.table_key)
    letter = column_letter(column)
    formula = f"='{codes.replace(chr(39), chr(39) * 2)}'!${letter}${first}:${letter}${last}"
    texts = validation_texts(dropdown.kind, dropdown.key, {dropdown.table_key: formula})
    style = ALERT_STYLES.get((texts.errorStyle if texts else None) or "stop", 1)
    area = (dropdown.first, dropdown.column, dropdown.last, dropdown.column)
    native.dropdown(dropdown.sheet, area, formula, texts, style)


def _dropdown(book: xw.Book, codes: xw.Sheet, dropdown: Dropdown) -> None:
    column, first, last = excel_aids.option_cells(dropdown.table_key)
    source = codes.range((first, column), (last, column))
    target = book.sheets[dropdown.sheet].range(
        (dropdown.first, dropdown.column), (dropdown.last, dropdown.column)
    )
    target.data_validation.set_list(source)
    formula = f"='{codes.name.replace(chr(39), chr(39) * 2)}'!${column_letter(column)}${first}"
    formula += f":${column_letter(column)}${last}"
    texts = validation_texts(dropdown.kind, dropdown.key, {dropdown.table_key: formula})
    _desktop_messages(target, texts, formula)


def _desktop_messages(target: xw.Range, texts, formula: str) -> None:
    """Desktop Excel only: the alert style and messages ``dyxx prepare`` gives the column.

    xlwings' API creates the list with a stop alert; a coded column (学历 …) must
    only warn, so that a bare code such as 21 can be typed. Office.js has no
    such call (``api`` is None there), and a failure here leaves the plain list.
    """
    api = target.data_validation.api
    if api is None or texts is None:
        return
    try:
        style = ALERT_STYLES.get(texts.errorStyle or "stop", 1)
        api.Modify(Type=3, AlertStyle=style, Formula1=formula)  # 3: xlValidateList
        api.ErrorTitle, api.ErrorMessage = texts.errorTitle or "", texts.error or ""
        api.InputTitle, api.InputMessage = texts.promptTitle or "", texts.prompt or ""
        api.ShowError, api.ShowInput = True, True
    except Exception:
        return


# --------------------------------------------------------------------------- marks


def write_notes(book: xw.Book, writes: Writes) -> None:
    for sheet, cell, note in writes.add_notes:
        book.sheets[sheet].range(cell).add_note(note)
    for sheet, cell, note in writes.set_notes:
        cells = book.sheets[sheet].range(cell)
        existing = cells.note
        if existing is None:
            cells.add_note(note)
        elif note:
            existing.text = note
        else:
            existing.delete()
    for sheet, cell in writes.delete_notes:
        existing = book.sheets[sheet].range(cell).note
        if existing is not None:
            existing.delete()


# --------------------------------------------------------------------------- sheets


def _add_sheet(book: xw.Book, name: str) -> xw.Sheet:
    return book.sheets.add(name, after=book.sheets[len(book.sheets) - 1])


def _write(
    book: xw.Book, native: Native | None, values: Book, name: str, rows: Rows, layout: Layout
) -> bool:
    """Write ``rows`` from A1 of sheet ``name`` (created if missing); False if unchanged."""
    existing = values.sheets.get(name)
    if existing is not None and not layout.always:
        if excel_plan.shown(existing) == excel_plan.shown(rows):
            return False
    width = max(len(r) for r in rows)
    created = existing is None
    if native is not None:
        padded = [list(r) + [""] * (width - len(r)) for r in rows]
        text = layout.text_columns if created or not layout.always else ()
        native.write(name, padded, text, created)
        old = excel_plan.shown(existing or [])
        if len(old) > len(rows):
            native.clear(name, (len(rows) + 1, 1, len(old), max(width, *(len(r) for r in old))))
        if created:
            bold = (1, 1, 2 if layout.hidden else 1, width)
            native.dress(name, bold, layout.widths, layout.hidden)
        values.sheets[name] = [list(r) for r in padded]
        return True
    sheet = _add_sheet(book, name) if created else book.sheets[name]
    if created or not layout.always:
        for first, last in runs(sorted(layout.text_columns)):
            letters = f"{column_letter(first)}:{column_letter(last)}"
            sheet.range(letters).number_format = TEXT_FORMAT
    padded = [list(r) + [""] * (width - len(r)) for r in rows]
    sheet.range((1, 1), (len(padded), width)).value = padded
    old = excel_plan.shown(existing or [])
    if len(old) > len(rows):
        extra = max(width, *(len(r) for r in old))
        sheet.range((len(rows) + 1, 1), (len(old), extra)).clear_contents()
    if created:
        sheet.range((1, 1), (2 if layout.hidden else 1, width)).font.bold = True
        for column, size in enumerate(layout.widths, start=1):
            sheet.range((1, column)).column_width = size
        if layout.hidden:
            sheet.visible = False
    values.sheets[name] = [list(r) for r in padded]
    return True


__all__ = ["Outcome", "main", "read_book", "run"]
