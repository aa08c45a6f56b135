"""The 校验 action, run through xlwings' remote engine on real fixture workbooks.

Each click builds the JSON payload xlwings' Office.js client sends, runs the
action on ``xw.Book(json=…)`` and applies the returned actions back to the
workbook (:mod:`tests.support.client`), so a second click sees the first.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from addin.engine.check import check_files
from addin.excel.plan import NO_TABLES, hyperlink
from addin.model import errors
from addin.model.findings import rule_title
from addin.read.ownsheets import LEDGER_SHEET, RESULT_HEADER, RESULT_SHEET, STAMP_SHEET
from addin.read.reader import read_workbook
from addin.workflow.prepare import prepare
from addin.write.marked.annotate import fingerprint_rows, write_annotated
from addin.write.marked.format import (
    FINGERPRINTS_NOTE,
    FINGERPRINTS_TAG,
    MARK_COLOURS,
    NOTE_PREFIXES,
    notes_by_cell,
)
from addin.write.marked.state import STATE_SHEET, parse_state
from tests.support.books import TODAY, good_member, good_org, person_id
from tests.support.client import Client, fill_of, remote_engine
from tests.support.official import footed

pytestmark = pytest.mark.excel
MEMBERS = "党员基本信息汇总表"
ORGS = "党组织和所在单位信息汇总表"
BLUE, GREEN = "#00B0F0", "#92D050"
IDLE = ["setScreenUpdating", "setValues", "activateSheet", "setScreenUpdating"]


def click(client: Client, monkeypatch):
    return client.click(monkeypatch, today=TODAY, operator="测试员")


def sheet_values(client: Client, name: str) -> list[list[object]]:
    return [list(row) for row in client.workbook[name].iter_rows(values_only=True)]


def marked(client: Client, sheet: str) -> dict[str, tuple[str | None, str | None]]:
    """Cell -> (fill, note) of every cell with a mark colour or a note."""
    found = {}
    for row in client.workbook[sheet].iter_rows():
        for cell in row:
            fill = fill_of(cell)
            if fill in MARK_COLOURS.values() or cell.comment:
                found[cell.coordinate] = (fill, cell.comment.text if cell.comment else None)
    return found


def expected_marks(path, sheet: str) -> dict[str, tuple[str, str]]:
    findings = check_files([path], today=TODAY).findings
    return {
        cell: (MARK_COLOURS[worst], note)
        for (name, cell), (worst, note) in notes_by_cell(findings).items()
        if name == sheet
    }


def restyle(path, changes) -> None:
    """Give cells the user's own fill or note, as an officer would in Excel."""
    workbook = openpyxl.load_workbook(path)
    for sheet, cell, fill, note in changes:
        target = workbook[sheet][cell]
        if fill:
            target.fill = PatternFill("solid", fgColor="FF" + fill.lstrip("#"))
        if note:
            target.comment = Comment(note, "信息员")
    workbook.save(path)


SAMPLE = [
    good_member(),
    good_member(
        name="王芳",
        id_number=person_id("430523", "19700101", "022"),
        gender="男",
        birth_date=None,
        job=211,
        education="25",
    ),
]


@pytest.fixture
def sample(book):
    """附件3 and 附件4: one error (性别), one unknown code, one warning (工作岗位 211), the
    tables ending in the official form's 注 footer (:func:`footed`: the input aids at their
    full depth are test_dropdowns_and_text_formats_are_added_once's)."""
    return footed(book(members=SAMPLE, orgs=[good_org()]))


def test_first_click_marks_every_finding_and_writes_the_sheets(sample, monkeypatch):
    client = Client(sample)
    outcome, actions, _probe = click(client, monkeypatch)
    report = check_files([sample], today=TODAY)
    assert [(f.sheet, f.cell, f.rule) for f in outcome.findings] == [
        (f.sheet, f.cell, f.rule) for f in report.findings
    ]  # the same findings as dyxx check
    assert {f.severity for f in report.findings} == {"error", "warning"}
    assert marked(client, MEMBERS) == expected_marks(sample, MEMBERS)
    results = sheet_values(client, RESULT_SHEET)
    assert tuple(results[0]) == RESULT_HEADER
    assert [r[3:] for r in results[1:]] == [
        [
            f.field,
            {"error": "错误", "warning": "警告"}[f.severity],
            rule_title(f.rule),
            f.value or None,
            f.message,
            f.name or None,
        ]
        for f in report.findings
    ]
    assert [r[2] for r in results[1:]] == [hyperlink(f.sheet, f.cell) for f in report.findings]
    stamp = dict(r[:2] for r in sheet_values(client, STAMP_SHEET)[1:])
    assert stamp["结论"] == "未通过" and stamp["操作人"] == "测试员"
    assert stamp["错误数"] == report.errors and stamp["警告数"] == report.warnings
    assert stamp["数据指纹"] == report.fingerprint
    assert stamp["校验方式"].startswith("Excel 插件（xlwings ")
    assert "行指纹" not in stamp and client.workbook[LEDGER_SHEET].sheet_state == "hidden"
    rows = [tuple(r[:2]) for r in sheet_values(client, LEDGER_SHEET)]
    record = rows[rows.index((FINGERPRINTS_TAG, FINGERPRINTS_NOTE)) :]
    assert record == fingerprint_rows(read_workbook(sample))  # as dyxx check -o writes it
    assert client.workbook[STATE_SHEET].sheet_state == "hidden"
    assert client.workbook.active.title == RESULT_SHEET
    assert "错误 " in outcome.message and "结论：未通过" in outcome.message
    assert actions[0]["func"] == "setScreenUpdating" and actions[-1]["func"] == "setScreenUpdating"


def test_values_in_the_result_sheet_stay_as_written(book, monkeypatch):
    """“0299” or “=塘渡口镇” typed by an officer is reported as text, not as 299 or a formula."""
    path = book(members=[good_member(job="0299", address="=塘渡口镇")])
    workbook = openpyxl.load_workbook(path)
    workbook[MEMBERS]["O6"].data_type = "s"  # text that starts with "=", not a formula
    workbook.save(path)
    client = Client(path)
    click(client, monkeypatch)
    values = {row[3]: row[6] for row in sheet_values(client, RESULT_SHEET)[1:]}
    assert values["工作岗位"] == "0299" and values["家庭住址"] == "=塘渡口镇"


def test_second_click_changes_nothing(sample, monkeypatch):
    client = Client(sample)
    click(client, monkeypatch)
    before = {n: sheet_values(client, n) for n in client.workbook.sheetnames if n != STAMP_SHEET}
    marks = marked(client, MEMBERS)
    outcome, actions, probe = click(client, monkeypatch)
    assert [a["func"] for a in actions] == IDLE  # only the stamp is written
    assert client.workbook.worksheets[actions[1]["sheet_position"]].title == STAMP_SHEET
    assert list(probe.reads) == ["merged"]  # one look for merged cells per table, no cell read
    assert outcome.observed == 0 and outcome.dropdowns == 0
    assert marked(client, MEMBERS) == marks
    assert {n: sheet_values(client, n) for n in before} == before


def test_fixing_a_value_restores_the_users_fill_and_note(sample, monkeypatch):
    """User fill and note kept under the mark; gone mark when fixed; third click idempotent."""
    restyle(
        sample,
        [
            (MEMBERS, "E7", BLUE, "户籍上是男"),  # 性别: an error, with the user's fill and note
            (MEMBERS, "F7", GREEN, None),  # fine: never touched
        ],
    )
    client = Client(sample)
    click(client, monkeypatch)
    ws = client.workbook[MEMBERS]
    assert fill_of(ws["E7"]) == MARK_COLOURS["error"]
    assert ws["E7"].comment.text.startswith("户籍上是男\n【错误】王芳：性别")
    assert fill_of(ws["F7"]) == GREEN
    state = parse_state(sheet_values(client, STATE_SHEET)).marks[(MEMBERS, "E7")]
    assert (state.original, state.original_note) == (BLUE, "户籍上是男")

    ws["E7"] = "女"  # the officer corrects the cell
    outcome, _actions, _probe = click(client, monkeypatch)
    assert fill_of(ws["E7"]) == BLUE and ws["E7"].comment.text == "户籍上是男"
    assert fill_of(ws["F7"]) == GREEN
    assert (MEMBERS, "E7") not in parse_state(sheet_values(client, STATE_SHEET)).marks
    assert "E7" not in [r[2] for r in sheet_values(client, RESULT_SHEET)]
    assert "E7" not in {c for c in marked(client, MEMBERS) if c != "E7"}
    assert len(outcome.findings) == len(check_files([sample], today=TODAY).findings) - 1

    _outcome, actions, _probe = click(client, monkeypatch)
    assert [a["func"] for a in actions] == IDLE


def test_the_button_paints_as_check_o_does(sample, tmp_path, monkeypatch):
    """Same cells, same fill colours, same notes (and so the same note prefixes) as the
    marked copy of ``dyxx check -o``: one colour table for both."""
    copy = tmp_path / "标注.xlsx"
    write_annotated(sample, copy, check_files([sample], today=TODAY))
    written = openpyxl.load_workbook(copy)
    client = Client(sample)
    click(client, monkeypatch)
    for sheet in (MEMBERS, ORGS):
        by_check_o = {
            cell.coordinate: (fill_of(cell), cell.comment.text)
            for row in written[sheet].iter_rows()
            for cell in row
            if cell.comment is not None
        }
        assert by_check_o == marked(client, sheet)
    colours = {fill for fill, _note in marked(client, MEMBERS).values()}
    assert colours == set(MARK_COLOURS.values())  # an error and a warning
    assert all(note.startswith(NOTE_PREFIXES) for _f, note in marked(client, MEMBERS).values())


def test_the_button_takes_back_the_marks_of_a_check_o_copy(sample, tmp_path, monkeypatch):
    """A marked copy opened in Excel: once the cell is right, the button takes check -o's
    red away instead of keeping it as the cell's own fill."""
    copy = tmp_path / "标注.xlsx"
    write_annotated(sample, copy, check_files([sample], today=TODAY))
    client = Client(copy)
    click(client, monkeypatch)
    assert parse_state(sheet_values(client, STATE_SHEET)).marks[(MEMBERS, "E7")].original is None
    ws = client.workbook[MEMBERS]
    ws["E7"] = "女"
    click(client, monkeypatch)
    assert fill_of(ws["E7"]) is None and ws["E7"].comment is None


def test_a_mark_without_user_formatting_is_removed(sample, monkeypatch):
    client = Client(sample)
    click(client, monkeypatch)
    ws = client.workbook[MEMBERS]
    ws["E7"] = "女"
    click(client, monkeypatch)
    assert fill_of(ws["E7"]) is None and ws["E7"].comment is None


def test_a_mark_the_user_recoloured_or_whose_note_they_edited_is_left_alone(sample, monkeypatch):
    client = Client(sample)
    click(client, monkeypatch)
    ws = client.workbook[MEMBERS]
    ws["E7"].fill = PatternFill("solid", fgColor="FF92D050")
    ws["E7"].comment = Comment(ws["E7"].comment.text + "\n已电话核实", "信息员")
    ws["E7"] = "女"
    click(client, monkeypatch)
    assert fill_of(ws["E7"]) == GREEN
    assert ws["E7"].comment.text.endswith("已电话核实")


def test_a_changed_finding_updates_its_mark(sample, monkeypatch):
    client = Client(sample)
    click(client, monkeypatch)
    ws = client.workbook[MEMBERS]
    ws["H7"] = "21 大专"  # still wrong, another message
    click(client, monkeypatch)
    assert marked(client, MEMBERS) == expected_after(client, sample, monkeypatch)


def expected_after(client: Client, sample, monkeypatch) -> dict:
    client.workbook.save(sample)  # the workbook as it is now, checked by dyxx check
    return expected_marks(sample, MEMBERS)


def test_dropdowns_and_text_formats_are_added_once(book, monkeypatch):
    client = Client(book(members=SAMPLE, orgs=[good_org()]))  # no footer: 2000 rows below
    outcome, actions, probe = click(client, monkeypatch)
    lists = [a for a in actions if a["func"] == "setDataValidationList"]
    assert outcome.dropdowns == len(lists) == 12 == probe.reads["validation"]
    code_sheet = client.workbook["代码表"]
    assert code_sheet.sheet_state == "hidden" and code_sheet["U4"].value == "男"
    formats = {
        (a["start_column"] + 1, a["args"][0])
        for a in actions
        if a["func"] == "setNumberFormat" and a["sheet_position"] == 1
    }
    assert (4, "@") in formats and (7, "yyyy-mm-dd") in formats  # 身份证号, 出生日期
    ws = client.workbook[MEMBERS]
    assert ws["D6"].number_format == "@" and ws["D2005"].number_format == "@"
    assert ws["G9"].number_format == "yyyy-mm-dd"
    outcome, actions, _probe = click(client, monkeypatch)  # 2005 rows used now: none added
    assert [a["func"] for a in actions] == IDLE and outcome.dropdowns == 0


def test_a_prepared_workbook_keeps_its_dropdowns_and_code_sheet(sample, tmp_path, monkeypatch):
    prepared = tmp_path / "prepared.xlsx"
    prepare(sample, prepared)
    client = Client(prepared)
    outcome, actions, _probe = click(client, monkeypatch)
    assert outcome.dropdowns == 0
    assert not [a for a in actions if a["func"] == "setDataValidationList"]
    added = [a["args"][1] for a in actions if a["func"] == "addSheet"]
    assert added == [STATE_SHEET, RESULT_SHEET, STAMP_SHEET, LEDGER_SHEET]  # state: before a mark


def test_a_merged_branch_counts_on_every_row(book, tmp_path, monkeypatch):
    """所在党支部 merged over three rows: filled in for each, as dyxx check reads it."""
    members = [good_member(id_number=person_id("430523", "19680312", f"0{n}1")) for n in (1, 3, 5)]
    path = book(members=members)
    workbook = openpyxl.load_workbook(path)
    ws = workbook[MEMBERS]
    ws["C7"] = ws["C8"] = None
    ws.merge_cells("C6:C8")
    workbook.save(path)
    report = check_files([path], today=TODAY)
    assert not [f for f in report.findings if f.field == "所在党支部"]
    client = Client(path)
    outcome, _actions, probe = click(client, monkeypatch)
    assert [(f.cell, f.rule) for f in outcome.findings] == [
        (f.cell, f.rule) for f in report.findings
    ]
    assert probe.reads["merged"] == 1


def test_a_workbook_without_tables_is_left_alone(tmp_path, monkeypatch):
    path = tmp_path / "其他.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "会议记录"
    workbook.save(path)
    client = Client(path)
    outcome, actions, _probe = click(client, monkeypatch)
    assert outcome.message == NO_TABLES and actions == []


def test_a_passing_workbook(book, monkeypatch):
    client = Client(book(members=[good_member()], orgs=[good_org()]))
    outcome, _actions, _probe = click(client, monkeypatch)
    assert outcome.findings == [] and "结论：通过" in outcome.message
    assert sheet_values(client, RESULT_SHEET) == [list(RESULT_HEADER)]
    assert dict(r[:2] for r in sheet_values(client, STAMP_SHEET))["结论"] == "通过"
    assert client.workbook.active.title == ORGS  # no findings: back where the user was


def test_the_engine_modules_never_import_xlwings():
    """All logic is in the engine, which runs anywhere; only udfs/ribbon adapt to Excel."""
    code = (
        "import sys, addin.excel.plan, addin.excel.marks, addin.excel.aids, "
        "addin.excel.functions; print('xlwings' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_marks_on_a_deleted_sheet_are_forgotten(book, monkeypatch):
    sample = footed(book(members=[good_member(gender="女")], orgs=[good_org(phone="123")]))
    client = Client(sample)
    click(client, monkeypatch)
    assert {s for s, _c in parse_state(sheet_values(client, STATE_SHEET)).marks} == {ORGS, MEMBERS}
    del client.workbook[ORGS]  # the officer deletes the 附件3 sheet (its marks go with it)
    client.workbook[MEMBERS]["E6"] = "男"
    click(client, monkeypatch)
    assert parse_state(sheet_values(client, STATE_SHEET)).marks == {}
    assert marked(client, MEMBERS) == expected_after(client, sample, monkeypatch)


def test_main_reports_the_outcome_and_never_the_data_of_an_error(sample, monkeypatch):
    from addin.ribbon import action

    xw = remote_engine(monkeypatch)
    client = Client(sample)
    book = xw.Book(json=client.payload(xw.__version__))
    monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls: book))
    monkeypatch.setattr(action, "run", lambda b: action.Outcome("共检查 2 行"))
    action.main()
    alert = book.json()["actions"][-1]
    assert alert["func"] == "alert" and alert["args"][:2] == ["共检查 2 行", action.TITLE]

    def broken(_book):
        raise ValueError("430523196803120110")

    monkeypatch.setattr(action, "run", broken)
    monkeypatch.delenv(errors.DEBUG_VARIABLE, raising=False)
    action.main()
    message = book.json()["actions"][-1]["args"][0]
    assert "内部错误" in message and "ValueError" in message and "4305" not in message


def test_the_code_sheet_is_laid_out_as_dyxx_prepare_lays_it_out():
    """So a workbook that went through dyxx prepare keeps its code sheet and dropdowns."""
    from addin.excel.aids import code_sheet_rows, is_current, option_cells
    from addin.write.dataentry import write_code_sheet

    workbook = openpyxl.Workbook()
    ranges = write_code_sheet(workbook)
    written = [
        ["" if v is None else v for v in row]
        for row in workbook["代码表"].iter_rows(values_only=True)
    ]
    assert written == code_sheet_rows() and is_current(written)
    for key, reference in ranges.items():
        column, first, last = option_cells(key)
        letter = openpyxl.utils.get_column_letter(column)
        assert reference == f"'代码表'!${letter}${first}:${letter}${last}"


def test_payload_round_trip(tmp_path, book, monkeypatch):
    """The payload carries values as Office.js does; actions come back onto the workbook."""
    from tests.support.books import good_member

    client = Client(book(members=[good_member()]))
    xw = remote_engine(monkeypatch)
    remote = xw.Book(json=client.payload(xw.__version__))
    sheet = remote.sheets["党员基本信息汇总表"]
    assert sheet["G6"].value == datetime(1968, 3, 12)
    assert sheet["D6"].value == good_member()["id_number"]
    sheet["B6"].color = "#FFC7CF"
    sheet["B7"].value = "0211"
    sheet["B8"].number_format = "@"
    sheet["B8"].value = "0211"
    client.apply(remote.json()["actions"])
    ws = client.workbook["党员基本信息汇总表"]
    assert fill_of(ws["B6"]) == "#FFC7CF"
    assert ws["B7"].value == 211 and ws["B8"].value == "0211"  # typed as Excel types
