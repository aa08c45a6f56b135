"""The 校验 button on Excel for Windows, through xlwings' own desktop engine and a fake Excel
that counts every COM round trip (:mod:`tests.support.fakeexcel`, the one stand-in for
Excel: there is none on Linux). Counts are deterministic, so they are asserted here; the
figures at full size are printed by ``bench/com.py``.
"""

from __future__ import annotations

import sys

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from addin.engine.check import check_files
from addin.excel import stops
from addin.ribbon import desktop
from addin.write.marked.format import MARK_COLOURS, notes_by_cell
from bench.generate import TODAY, write
from tests.support import fakeexcel, win32stubs
from tests.support.books import good_member, good_org

pytestmark = pytest.mark.excel
MEMBERS = "党员基本信息汇总表"
ROWS = 5000  # the budget's size: ~2,000 marked cells
SETTINGS = {"ScreenUpdating": True, "EnableEvents": True, "Calculation": -4105, "StatusBar": False}


@pytest.fixture
def excel():
    """xlwings' desktop engine on the stubs for one test; xlwings' engines as before after."""
    with win32stubs.desktop():
        yield


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("com") / "5000.xlsx"
    write(path, ROWS, seed=1, ratio=0.02)
    return path


def click(app, name):
    from addin.ribbon.action import run

    app.calls.reset()
    return run(fakeexcel.caller(app, name), today=TODAY, operator="测试员")


def opened(path, helper=True):
    app = fakeexcel.Application()
    if helper:
        fakeexcel.install_note_macros(app)
    return app, app.open(path)


def marks(book, sheet):
    """Cell -> (fill, note) of every marked or noted cell, as '#RRGGBB' and text."""
    data = book.sheet(sheet)._data
    found = {}
    for key in set(data.fills) | set(data.notes):
        bgr = data.fills.get(key)
        fill = None if bgr is None else f"#{bgr & 255:02X}{bgr >> 8 & 255:02X}{bgr >> 16:02X}"
        if fill in MARK_COLOURS.values() or key in data.notes:
            found[fakeexcel.column_letters(key[1]) + str(key[0])] = (fill, data.notes.get(key))
    return found


def expected(path, sheet):
    findings = check_files([path], today=TODAY).findings
    return {
        cell: (MARK_COLOURS[worst], note)
        for (name, cell), (worst, note) in notes_by_cell(findings).items()
        if name == sheet
    }


def sheet_names(book):
    return [ws._data.name for ws in book._sheets]


@pytest.mark.e2e  # 5,000 rows
def test_first_and_repeat_click_within_budget_and_the_book_marked(generated, excel):
    app, book = opened(generated)
    outcome = click(app, generated.name)
    assert app.calls.total <= 1500, app.calls.report()
    assert marks(book, MEMBERS) == expected(generated, MEMBERS)
    assert len({(f.sheet, f.cell) for f in outcome.findings}) > 1900
    results = book.sheet("校验结果")._data
    assert max(r for r, _c in results.values) == len(outcome.findings) + 1
    assert {"校验结果", "校验记录"} <= set(sheet_names(book))
    assert "用时" in outcome.message and "批注较多" not in outcome.message
    shown = app.status_history
    assert shown[:2] == ["读取…", "校验…"] and shown[-1] is False
    assert any(str(s).startswith("标注 ") and s.endswith(f"/{len(expected(generated, MEMBERS))}…")
               for s in shown)  # fmt: skip
    assert {k: app._state[k] for k in SETTINGS} == SETTINGS

    again = click(app, generated.name)
    assert app.calls.total <= 100, app.calls.report()
    assert again.observed == 0 and again.sheets_written == ["校验记录"]
    assert marks(book, MEMBERS) == expected(generated, MEMBERS)


@pytest.mark.e2e  # 5,000 rows
def test_without_the_helper_notes_are_capped_and_the_next_clicks_add_the_rest(generated, excel):
    app, book = opened(generated, helper=False)
    want = expected(generated, MEMBERS)
    outcome = click(app, generated.name)
    assert app.calls.total <= 1500, app.calls.report()
    data = book.sheet(MEMBERS)._data
    assert len(data.notes) == desktop.NOTE_CAP
    assert {c: f for c, (f, _n) in marks(book, MEMBERS).items()} == {
        c: f for c, (f, _n) in want.items()
    }  # every cell filled
    assert f"还有 {len(want) - desktop.NOTE_CAP} 个单元格" in outcome.message
    for _ in range(len(want) // desktop.NOTE_CAP + 1):
        if "批注较多" not in click(app, generated.name).message:
            break
    assert marks(book, MEMBERS) == want  # no note lost
    click(app, generated.name)
    assert app.calls.total <= 100, app.calls.report()


def test_settings_are_restored_when_a_call_fails_half_way(book, excel):
    path = book(members=[good_member(gender="X")], orgs=[good_org()])
    app, _book = opened(path)
    app.calls.fail = "set Interior.Color"
    with pytest.raises(fakeexcel.com_error):
        click(app, path.name)
    assert {k: app._state[k] for k in SETTINGS} == SETTINGS
    assert app.status_history[-1] is False


def test_a_column_formatted_to_the_last_row_is_not_read(book, excel):
    path = book(members=[good_member(gender="X")], orgs=[good_org()])
    app, workbook = opened(path)
    data = workbook.sheet(MEMBERS)._data
    data.formats.append(((6, 4, fakeexcel.MAX_ROW, 4), "@"))  # D6:D1048576 as text
    outcome = click(app, path.name)
    assert app.cells_read < 10_000
    assert [(f.cell, f.rule) for f in outcome.findings] == [
        (f.cell, f.rule) for f in check_files([path], today=TODAY).findings
    ]


def test_a_shared_workbook_stops_and_a_read_only_one_is_marked_with_a_warning(book, excel):
    path = book(members=[good_member(gender="X")], orgs=[good_org()])
    app, workbook = opened(path)
    workbook._shared = True
    names = sheet_names(workbook)
    assert click(app, path.name).message == stops.SHARED
    assert sheet_names(workbook) == names and marks(workbook, MEMBERS) == {}
    workbook._shared, workbook._read_only = False, True
    outcome = click(app, path.name)
    assert stops.READ_ONLY in outcome.message
    assert marks(workbook, MEMBERS) == expected(path, MEMBERS)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("none", stops.NO_WORKBOOK),
        ("protected", stops.PROTECTED_VIEW),
        ("elsewhere", stops.NOT_FOUND),
    ],
)
def test_the_button_stops_with_a_plain_message_when_the_book_is_not_there(
    book, excel, monkeypatch, setup, message
):
    """As Excel starts Python: ``--wb=NAME --from_xl=1 --hwnd=…``; no VBA error dialog."""
    from addin.ribbon import action

    path = book(members=[good_member()], orgs=[good_org()])
    app = fakeexcel.Application(hwnd=4242)
    if setup == "protected":
        app._protected_view.append(path.name)  # open, but not a workbook yet
    if setup == "elsewhere":  # a second Excel holds the book; the button was clicked in this one
        fakeexcel.Application(hwnd=4343).open(path)
    monkeypatch.setattr(sys, "argv", ["x", f"--wb={path.name}", "--from_xl=1", "--hwnd=4242"])
    monkeypatch.setattr(sys, "platform", "win32")
    action.main()
    assert win32stubs.ALERTS and win32stubs.ALERTS[-1][0] == message


def test_the_vba_helper_ships_as_ascii_with_the_macros_the_button_runs():
    source = desktop.helper_source()
    assert 'Attribute VB_Name = "DyxxNotes"' in source
    for macro in (desktop.WRITE_NOTES, desktop.READ_NOTES):
        assert f"Public Function {macro.split('!')[-1]}(" in source


@pytest.mark.parametrize(
    ("failing", "helper"), [("set Interior.Color", True), ("call Range.AddComment", False)]
)
def test_a_click_that_fails_half_way_is_finished_by_the_next(book, excel, failing, helper):
    """The record goes first (issue 14, point 7): after a failed click the next one leaves
    the same fills and notes as one click that never failed, with no note text doubled."""
    path = book(
        members=[good_member(gender="X"), good_member(name="王芳", ethnicity="汉")],
        orgs=[good_org()],
    )
    workbook = openpyxl.load_workbook(path)
    workbook[MEMBERS]["E6"].fill = PatternFill("solid", fgColor="FF00B0F0")  # the officer's
    workbook[MEMBERS]["E6"].comment = Comment("户籍上是男", "信息员")
    workbook.save(path)
    reference_app, reference = opened(path)
    click(reference_app, path.name)
    app, workbook = opened(path, helper=helper)
    app.calls.fail = failing
    with pytest.raises(fakeexcel.com_error):
        click(app, path.name)
    app.calls.fail = None
    click(app, path.name)
    assert marks(workbook, MEMBERS) == marks(reference, MEMBERS)
    assert workbook.sheet(MEMBERS)._data.notes[(6, 5)].count("户籍上是男") == 1


def test_a_sheet_with_a_password_keeps_it_and_is_not_marked(book, excel):
    """Issue 14, point 6: no password prompt, no protection put back without its password."""
    path = book(members=[good_member(gender="X")], orgs=[good_org()])
    app, workbook = opened(path)
    data = workbook.sheet(MEMBERS)._data
    data.protection = {"password": "机密", "AllowFormattingCells": False}
    outcome = click(app, path.name)
    assert "密码保护" in outcome.message
    assert app.password_prompts == 0
    assert data.protection["password"] == "机密"
    assert not data.fills


def test_a_sheet_protected_without_password_gets_its_permissions_back(book, excel):
    path = book(members=[good_member(gender="X")], orgs=[good_org()])
    app, workbook = opened(path)
    data = workbook.sheet(MEMBERS)._data
    data.protection = {"password": None, "AllowFormattingCells": True, "AllowSorting": True}
    click(app, path.name)
    assert marks(workbook, MEMBERS) == expected(path, MEMBERS)  # marked
    assert data.protection["password"] is None
    assert data.protection["AllowFormattingCells"] and data.protection["AllowSorting"]
    assert not data.protection["AllowInsertingRows"]
