"""The record of the Excel 校验 button's marks: its hidden state sheet.

Before the button marks a cell, the cell's own fill (and note, if it has one) is
remembered here, one row per marked cell; the next click, and ``dyxx clean``
(:mod:`.unpaint`), put them back once the finding is gone. The sheet also
remembers how far each table was given its input aids. It is dyxx's by its marker
in A1 (:data:`addin.read.ownsheets.STATE_MARKER`), never by its name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from addin.read.ownsheets import STATE_MARKER
from addin.values.cells import text
from addin.write.marked.format import hex_colour

STATE_SHEET = "dyxx校验标记"
STATE_VERSION = "1"
# Written in the marker row before any cell is painted, replaced when the click finishes: a
# click that stopped half-way leaves this, and the next click looks at every recorded cell.
PENDING = "标注未完成"
STATE_HEADER = ("类型", "工作表", "单元格", "原填充色", "标注色", "批注", "原批注", "标注内容")
STATE_WIDTH = len(STATE_HEADER)
MARK, AIDS = "mark", "aids"  # the kinds of rows
NEW_NOTE, APPENDED_NOTE = "new", "append"

Key = tuple[str, str]  # (sheet, cell)


def joined(user_note: str, ours: str) -> str:
    """A user's note with ours appended."""
    return f"{user_note}\n{ours}" if user_note else ours


@dataclass(frozen=True)
class Mark:
    """One marked cell, as remembered in the state sheet."""

    sheet: str
    cell: str
    original: str | None  # the cell's own fill before the mark ("#RRGGBB"), None: no fill
    colour: str  # the mark's fill
    note: str  # NEW_NOTE (our note), APPENDED_NOTE (added to the user's note) or ""
    original_note: str  # the user's note text (APPENDED_NOTE only)
    text: str  # the text of our note

    @property
    def key(self) -> Key:
        return (self.sheet, self.cell)

    @property
    def shown_note(self) -> str:
        """The note text the cell shows while marked."""
        return joined(self.original_note, self.text) if self.note == APPENDED_NOTE else self.text


@dataclass
class State:
    """What the state sheet remembers: the marks, and how far each table was equipped."""

    marks: dict[Key, Mark] = field(default_factory=dict)
    aids: dict[tuple[str, int], int] = field(default_factory=dict)  # (sheet, header row) -> row
    pending: bool = False  # recorded before painting; the click did not finish (yet)


def state_rows(state: State) -> list[list[str]]:
    """The state sheet's cells (all text), row by row."""
    rows: list[list[str]] = [
        [STATE_MARKER, STATE_VERSION, PENDING if state.pending else "", *[""] * (STATE_WIDTH - 3)],
        list(STATE_HEADER),
    ]
    for mark in state.marks.values():
        rows.append(
            [
                MARK,
                mark.sheet,
                mark.cell,
                mark.original or "",
                mark.colour,
                mark.note,
                mark.original_note,
                mark.text,
            ]
        )
    for (sheet, header), last in sorted(state.aids.items()):
        rows.append([AIDS, sheet, f"{header}:{last}", *[""] * (STATE_WIDTH - 3)])
    return rows


def parse_state(rows: Sequence[Sequence[object]]) -> State:
    """Read the state sheet back; anything unreadable is skipped, never raised.

    >>> s = State({("附件4", "D6"): Mark("附件4", "D6", None, "#FFC7CE", "new", "", "x")},
    ...           {("附件4", 4): 2005})
    >>> parse_state(state_rows(s)) == s
    True
    """
    state = State(pending=is_state(rows) and len(rows[0]) > 2 and text(rows[0][2]) == PENDING)
    for row in rows[2:] if is_state(rows) else ():
        cells = [text(c) for c in row] + [""] * STATE_WIDTH
        kind, sheet, where = cells[0], cells[1], cells[2]
        if kind == MARK and sheet and where:
            colour = hex_colour(cells[4])
            if colour is None:
                continue
            mark = Mark(sheet, where, hex_colour(cells[3]), colour, *cells[5:8])
            state.marks[mark.key] = mark
        elif kind == AIDS and sheet:
            header, _, last = where.partition(":")
            if header.isdigit() and last.isdigit():
                state.aids[(sheet, int(header))] = int(last)
    return state


def is_state(rows: Sequence[Sequence[object]]) -> bool:
    """True for the rows of our state sheet (recognised by its marker, not its name)."""
    return bool(rows) and bool(rows[0]) and text(rows[0][0]) == STATE_MARKER
