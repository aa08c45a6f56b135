"""The mark decisions of the 校验 action (pure logic, :mod:`addin.excel.marks`)."""

from __future__ import annotations

from addin.excel.marks import Observed, resolve, to_observe
from addin.write.marked.format import EARLIER_COLOURS, MARK_COLOURS
from addin.write.marked.state import APPENDED_NOTE, NEW_NOTE, Mark, State, parse_state, state_rows

RED, YELLOW = MARK_COLOURS["error"], MARK_COLOURS["warning"]
BLUE = "#00B0F0"
KEY = ("附件4", "E7")
NOTE = "【错误】性别不对"


def mark(**changes) -> Mark:
    fields = {
        "sheet": "附件4",
        "cell": "E7",
        "original": None,
        "colour": RED,
        "note": NEW_NOTE,
        "original_note": "",
        "text": NOTE,
    }
    fields.update(changes)
    return Mark(**fields)


def test_a_new_mark_remembers_the_cells_own_fill():
    writes = resolve({}, {KEY: (RED, NOTE)}, {KEY: Observed(BLUE, None)})
    assert writes.paint == {("附件4", RED): ["E7"]}
    assert writes.add_notes == [("附件4", "E7", NOTE)]
    assert writes.marks[KEY] == mark(original=BLUE)


def test_a_fill_that_is_a_mark_colour_is_a_leftover_not_the_users():
    writes = resolve({}, {KEY: (RED, NOTE)}, {KEY: Observed(YELLOW, NOTE)})
    assert writes.marks[KEY].original is None
    assert writes.set_notes == [] and writes.add_notes == []  # our note is already there


def test_an_officers_bad_or_neutral_fill_is_theirs_and_comes_back():
    """Excel's own "Bad"/"Neutral" fills (and check -o's earlier marks) are not ours."""
    for fill in EARLIER_COLOURS:
        writes = resolve({}, {KEY: (RED, NOTE)}, {KEY: Observed(fill, None)})
        marked = writes.marks[KEY]
        assert marked.original == fill
        cleared = resolve({KEY: marked}, {}, {KEY: Observed(RED, NOTE)})
        assert cleared.paint == {("附件4", fill): ["E7"]}


def test_a_users_note_gets_ours_appended_and_comes_back():
    writes = resolve({}, {KEY: (RED, NOTE)}, {KEY: Observed(None, "核对过")})
    assert writes.set_notes == [("附件4", "E7", f"核对过\n{NOTE}")]
    marked = writes.marks[KEY]
    assert (marked.note, marked.original_note) == (APPENDED_NOTE, "核对过")
    cleared = resolve({KEY: marked}, {}, {KEY: Observed(RED, f"核对过\n{NOTE}")})
    assert cleared.set_notes == [("附件4", "E7", "核对过")]
    assert cleared.paint == {("附件4", None): ["E7"]}
    assert cleared.marks == {}


def test_an_unchanged_mark_needs_no_read_and_no_write():
    previous = {KEY: mark()}
    assert to_observe(previous, {KEY: (RED, NOTE)}) == []
    writes = resolve(previous, {KEY: (RED, NOTE)}, {})
    assert writes.paint == {} and writes.calls == 0 and writes.marks == previous


def test_clearing_restores_the_fill_only_where_the_mark_still_shows():
    previous = {KEY: mark(original=BLUE)}
    assert to_observe(previous, {}) == [KEY]
    restored = resolve(previous, {}, {KEY: Observed(RED, NOTE)})
    assert restored.paint == {("附件4", BLUE): ["E7"]} and restored.delete_notes == [KEY]
    recoloured = resolve(previous, {}, {KEY: Observed("#92D050", NOTE + "\n已核实")})
    assert recoloured.paint == {} and recoloured.delete_notes == [] and recoloured.calls == 0


def test_a_changed_finding_repaints_and_rewrites_its_note():
    previous = {KEY: mark()}
    want = {KEY: (YELLOW, "【警告】另一个问题")}
    writes = resolve(previous, want, {KEY: Observed(RED, NOTE)})
    assert writes.paint == {("附件4", YELLOW): ["E7"]}
    assert writes.set_notes == [("附件4", "E7", "【警告】另一个问题")]
    assert writes.marks[KEY].colour == YELLOW


def test_a_mark_whose_note_the_user_deleted_gets_a_new_one():
    previous = {KEY: mark()}
    writes = resolve(previous, {KEY: (RED, "【错误】新")}, {KEY: Observed(RED, None)})
    assert writes.add_notes == [("附件4", "E7", "【错误】新")] and writes.paint == {}


def test_the_state_survives_the_sheet_round_trip():
    state = State(
        {KEY: mark(original=BLUE, note=APPENDED_NOTE, original_note="=不是公式")},
        {("附件4", 4): 2005, ("附件3", 4): 2005},
    )
    assert parse_state(state_rows(state)) == state
    assert parse_state([["别的表"], ["x"]]) == State()  # not our sheet: nothing read
