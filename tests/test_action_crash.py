"""A 校验 click that stops half-way (Excel closed, a COM error) leaves a book that the next
click, and ``dyxx clean``, put right exactly: the record of every cell's own fill and note is
written before the first cell changes, and no note text is ever doubled.

Each click runs on xlwings' remote engine (:mod:`tests.support.client`); a failure is injected
at one step, and the Excel calls made before it are applied to the workbook, as Excel would
have carried them out.
"""

from __future__ import annotations

from dataclasses import replace

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from addin.workflow.clean import clean
from addin.write.marked.format import MARK_COLOURS
from addin.write.marked.state import STATE_SHEET, parse_state
from tests.support.books import TODAY, good_member, good_org, person_id, write_book
from tests.support.client import Client, WorkbookProbe, fill_of, remote_engine
from tests.support.official import footed

pytestmark = pytest.mark.excel
MEMBERS = "党员基本信息汇总表"
BLUE, GREEN = "#00B0F0", "#92D050"


class Stop(Exception):
    """The click's failure, injected."""


def _before_paint(monkeypatch, action) -> None:
    monkeypatch.setattr(action, "paint", _raise)


def _half_paint(monkeypatch, action) -> None:
    original = action.paint

    def half(book, groups):
        items = sorted(groups.items(), key=str)
        original(book, dict(items[: len(items) // 2]))
        raise Stop

    monkeypatch.setattr(action, "paint", half)


def _after_paint(monkeypatch, action) -> None:
    monkeypatch.setattr(action, "write_notes", _raise)


def _half_notes(monkeypatch, action) -> None:
    original = action.write_notes

    def half(book, writes):
        cut = replace(
            writes,
            add_notes=writes.add_notes[: len(writes.add_notes) // 2],
            set_notes=writes.set_notes[: len(writes.set_notes) // 2],
            delete_notes=writes.delete_notes[: len(writes.delete_notes) // 2],
        )
        original(book, cut)
        raise Stop

    monkeypatch.setattr(action, "write_notes", half)


def _after_notes(monkeypatch, action) -> None:
    original = action.write_notes

    def then_stop(book, writes):
        original(book, writes)
        raise Stop

    monkeypatch.setattr(action, "write_notes", then_stop)


def _raise(*_args, **_kwargs):
    raise Stop


STEPS = {
    "before paint": _before_paint,
    "half the fills": _half_paint,
    "after the fills": _after_paint,
    "half the notes": _half_notes,
    "after the notes": _after_notes,
}


def failing_click(client: Client, monkeypatch, step) -> None:
    """One click that stops at ``step``; the calls made before it reach the workbook."""
    xw = remote_engine(monkeypatch)
    from addin.ribbon import action

    with monkeypatch.context() as patched:
        step(patched, action)
        book = xw.Book(json=client.payload(xw.__version__))
        with pytest.raises(Stop):
            action.run(book, probe=WorkbookProbe(client), today=TODAY, operator="测试员")
        client.apply(book.json()["actions"])


def click(client: Client, monkeypatch) -> None:
    client.click(monkeypatch, today=TODAY, operator="测试员")


def looks(workbook: openpyxl.Workbook, sheet: str = MEMBERS) -> dict[str, tuple]:
    """Cell -> (fill, note) of every cell with a fill or a note."""
    found = {}
    for row in workbook[sheet].iter_rows():
        for cell in row:
            fill = fill_of(cell)
            if fill or cell.comment:
                found[cell.coordinate] = (fill, cell.comment.text if cell.comment else None)
    return found


def marks(client: Client) -> dict:
    rows = [list(r) for r in client.workbook[STATE_SHEET].iter_rows(values_only=True)]
    state = parse_state(rows)
    assert not getattr(state, "pending", False)  # a finished click leaves no pending record
    return state.marks


@pytest.fixture(scope="module")
def roster(tmp_path_factory):
    """Errors on cells with the officer's own fill and note (E7), own fill (G7), nothing (D8);
    H8, filled by the officer, becomes an error after :func:`edit`.

    The tables end in the official form's 注 footer (:func:`footed`)."""
    members = [
        good_member(),
        good_member(
            name="王芳",
            id_number=person_id("430523", "19700101", "022"),
            gender="男",
            birth_date=None,
            job=211,
        ),
        good_member(name="李强", id_number="430523196005151230"),
    ]
    path = write_book(tmp_path_factory.mktemp("crash") / "roster.xlsx", members, [good_org()])
    workbook = openpyxl.load_workbook(path)
    ws = workbook[MEMBERS]
    ws["E7"].fill = PatternFill("solid", fgColor="FF" + BLUE[1:])
    ws["E7"].comment = Comment("户籍上是男", "信息员")
    ws["G7"].fill = PatternFill("solid", fgColor="FF" + GREEN[1:])
    ws["H8"].fill = PatternFill("solid", fgColor="FF" + GREEN[1:])  # marked after the edit
    ws["F6"].comment = Comment("已核对", "信息员")  # a note on a good cell: never touched
    workbook.save(path)
    return footed(path)


def edit(client: Client) -> None:
    """The officer fixes E7 (its mark must go, their fill and note come back), breaks H8."""
    ws = client.workbook[MEMBERS]
    ws["E7"] = "女"
    ws["H8"] = "汉"


@pytest.fixture(scope="module")
def references(roster):
    """What clicks that never stopped leave: after one click, and after a second one that
    follows the officer's edit (computed once for every step)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        client = Client(roster)
        click(client, monkeypatch)
        first = (looks(client.workbook), marks(client))
        edit(client)
        click(client, monkeypatch)
        second = (looks(client.workbook), marks(client))
    return {"first": first, "second": second}


def test_the_roster_is_marked_where_the_officer_left_fills_and_notes(roster, monkeypatch):
    client = Client(roster)
    click(client, monkeypatch)
    shown = looks(client.workbook)
    assert shown["E7"][0] == MARK_COLOURS["error"] and shown["E7"][1].startswith("户籍上是男\n")
    assert shown["D8"][0] == MARK_COLOURS["error"]
    assert shown["F6"] == (None, "已核对")


@pytest.mark.parametrize("step", STEPS)
def test_the_next_click_finishes_a_first_click_that_stopped(roster, references, monkeypatch, step):
    client = Client(roster)
    failing_click(client, monkeypatch, STEPS[step])
    click(client, monkeypatch)
    assert (looks(client.workbook), marks(client)) == references["first"]
    note = client.workbook[MEMBERS]["E7"].comment.text
    assert note.count("户籍上是男") == 1 and note.count("【错误】") == 1


@pytest.mark.parametrize("step", STEPS)
def test_a_click_that_stopped_while_taking_marks_back_is_finished(
    roster, references, monkeypatch, step
):
    assert references["second"][0]["E7"] == (BLUE, "户籍上是男")
    client = Client(roster)
    click(client, monkeypatch)
    edit(client)
    failing_click(client, monkeypatch, STEPS[step])
    click(client, monkeypatch)
    assert (looks(client.workbook), marks(client)) == references["second"]


@pytest.mark.parametrize("step", STEPS)
def test_clean_restores_a_book_whose_click_stopped(roster, monkeypatch, step, tmp_path):
    before = looks(openpyxl.load_workbook(roster))
    client = Client(roster)
    failing_click(client, monkeypatch, STEPS[step])
    stopped = tmp_path / "停在半路.xlsx"
    client.workbook.save(stopped)
    out = tmp_path / "导入.xlsx"
    clean(stopped, out)
    result = openpyxl.load_workbook(out)
    assert STATE_SHEET not in result.sheetnames
    assert looks(result) == before
