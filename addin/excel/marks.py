"""Which cells the Excel 校验 button marks, and how a mark is undone (pure logic).

A mark is a fill colour plus a note on the cell of a finding. Before a cell is
marked, its own fill (and note, if it has one) is remembered in a hidden state
sheet of the workbook (:data:`STATE_SHEET`); when the finding is gone on a later
click, the remembered fill and note come back. Nothing of the user's is lost:

* a cell whose fill is no longer our mark colour when the mark is due to be
  cleared (the user recoloured it, or rows were inserted and the address now
  holds another cell) keeps the fill it has;
* a user's note gets our text appended, and is restored to exactly its old
  text when the mark is cleared; a note the user has edited since is left alone;
* the mark colours are one unit away from Excel's own "Bad"/"Neutral" cell
  style fills, so a user's fill is never mistaken for one of our marks.

The functions here only decide; :mod:`addin.ribbon.action` reads what they ask
for through xlwings and applies what they return.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from addin.model.findings import Finding
from addin.read.ownsheets import STATE_MARKER
from addin.values.cells import text
from addin.write.marked.annotate import notes_by_cell

STATE_SHEET = "dyxx校验标记"
STATE_VERSION = "1"
STATE_HEADER = ("类型", "工作表", "单元格", "原填充色", "标注色", "批注", "原批注", "标注内容")
STATE_WIDTH = len(STATE_HEADER)
MARK, AIDS = "mark", "aids"
# Excel's "Bad" and "Neutral" style fills are FFC7CE and FFEB9C: ours differ by one unit.
MARK_FILLS = {"error": "#FFC7CF", "warning": "#FFEB9D"}
NEW_NOTE, APPENDED_NOTE = "new", "append"
NOTE_PREFIXES = ("【错误】", "【警告】")  # how every note of ours starts (annotate.notes_by_cell)

Key = tuple[str, str]  # (sheet, cell)


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


@dataclass(frozen=True)
class Observed:
    """What a cell shows now: its fill ("#RRGGBB" or None) and note text (None: no note)."""

    fill: str | None
    note: str | None


@dataclass
class Writes:
    """What to change in the workbook, and the state to remember afterwards."""

    paint: dict[tuple[str, str | None], list[str]] = field(default_factory=dict)
    add_notes: list[tuple[str, str, str]] = field(default_factory=list)
    set_notes: list[tuple[str, str, str]] = field(default_factory=list)
    delete_notes: list[Key] = field(default_factory=list)
    marks: dict[Key, Mark] = field(default_factory=dict)

    def fill(self, key: Key, colour: str | None) -> None:
        self.paint.setdefault((key[0], colour), []).append(key[1])

    @property
    def calls(self) -> int:
        """Note writes: the only per-cell Excel calls (fills are grouped by the painter)."""
        return len(self.add_notes) + len(self.set_notes) + len(self.delete_notes)


def joined(user_note: str, ours: str) -> str:
    return f"{user_note}\n{ours}" if user_note else ours


def hex_colour(value: object) -> str | None:
    """A fill as "#RRGGBB" from an RGB tuple, a hex string or None.

    >>> hex_colour((255, 199, 207)), hex_colour("ffc7cf"), hex_colour(None)
    ('#FFC7CF', '#FFC7CF', None)
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return "#" + value.lstrip("#").upper()
    red, green, blue = value  # type: ignore[misc]
    return f"#{red:02X}{green:02X}{blue:02X}"


def wanted(findings: Iterable[Finding]) -> dict[Key, tuple[str, str]]:
    """(sheet, cell) -> (mark colour, note text) for every finding placed at a cell."""
    notes = notes_by_cell(list(findings))
    return {key: (MARK_FILLS[worst], note) for key, (worst, note) in notes.items()}


def to_observe(previous: Mapping[Key, Mark], want: Mapping[Key, tuple[str, str]]) -> list[Key]:
    """The cells whose current fill and note must be read before deciding: new marks,
    changed marks and marks to clear (an unchanged mark needs no read)."""
    keys = [k for k in want if k not in previous or _changed(previous[k], want[k])]
    return keys + [k for k in previous if k not in want]


def _changed(mark: Mark, want: tuple[str, str]) -> bool:
    return (mark.colour, mark.text) != want


def resolve(
    previous: Mapping[Key, Mark],
    want: Mapping[Key, tuple[str, str]],
    observed: Mapping[Key, Observed],
) -> Writes:
    """Decide every fill and note change; ``observed`` covers :func:`to_observe`'s cells."""
    writes = Writes()
    for key, (colour, note) in want.items():
        mark = previous.get(key)
        if mark is not None and not _changed(mark, (colour, note)):
            writes.marks[key] = mark
        elif mark is None:
            writes.marks[key] = _new(key, colour, note, observed[key], writes)
        else:
            writes.marks[key] = _change(mark, colour, note, observed[key], writes)
    for key, mark in previous.items():
        if key not in want:
            _clear(mark, observed[key], writes)
    return writes


def _ours(note: str | None) -> bool:
    return note is not None and note.startswith(NOTE_PREFIXES)


def _new(key: Key, colour: str, note: str, now: Observed, writes: Writes) -> Mark:
    # A fill that already is a mark colour is a mark left behind (rows moved): no own fill.
    original = None if now.fill in MARK_FILLS.values() else now.fill
    writes.fill(key, colour)
    if now.note is None:
        writes.add_notes.append((*key, note))
        return Mark(*key, original, colour, NEW_NOTE, "", note)
    if _ours(now.note):
        if now.note != note:
            writes.set_notes.append((*key, note))
        return Mark(*key, original, colour, NEW_NOTE, "", note)
    writes.set_notes.append((*key, joined(now.note, note)))
    return Mark(*key, original, colour, APPENDED_NOTE, now.note, note)


def _change(mark: Mark, colour: str, note: str, now: Observed, writes: Writes) -> Mark:
    original = mark.original
    if now.fill != mark.colour and now.fill not in MARK_FILLS.values():
        original = now.fill  # the user recoloured the marked cell: that is its fill now
    if now.fill != colour:
        writes.fill(mark.key, colour)
    if now.note is None:
        writes.add_notes.append((*mark.key, note))
        return Mark(*mark.key, original, colour, NEW_NOTE, "", note)
    if now.note == mark.shown_note or (mark.note == NEW_NOTE and _ours(now.note)):
        kept = mark.original_note if mark.note == APPENDED_NOTE else ""
        updated = Mark(*mark.key, original, colour, mark.note or NEW_NOTE, kept, note)
        if now.note != updated.shown_note:
            writes.set_notes.append((*mark.key, updated.shown_note))
        return updated
    # The user edited the note: keep their text and append ours to it.
    writes.set_notes.append((*mark.key, joined(now.note, note)))
    return Mark(*mark.key, original, colour, APPENDED_NOTE, now.note, note)


def _clear(mark: Mark, now: Observed, writes: Writes) -> None:
    if now.fill == mark.colour:
        writes.fill(mark.key, mark.original)
    if now.note is None or now.note != mark.shown_note:
        return  # gone already, or edited by the user: leave it as it is
    if mark.note == APPENDED_NOTE:
        writes.set_notes.append((*mark.key, mark.original_note))
    elif mark.note == NEW_NOTE:
        writes.delete_notes.append(mark.key)


# --------------------------------------------------------------------------- state sheet


@dataclass
class State:
    """What the state sheet remembers: the marks, and how far each table was equipped."""

    marks: dict[Key, Mark] = field(default_factory=dict)
    aids: dict[tuple[str, int], int] = field(default_factory=dict)  # (sheet, header row) -> row


def state_rows(state: State) -> list[list[str]]:
    """The state sheet's cells (all text), row by row."""
    rows: list[list[str]] = [
        [STATE_MARKER, STATE_VERSION, *[""] * (STATE_WIDTH - 2)],
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

    >>> s = State({("附件4", "D6"): Mark("附件4", "D6", None, "#FFC7CF", "new", "", "x")},
    ...           {("附件4", 4): 2005})
    >>> parse_state(state_rows(s)) == s
    True
    """
    state = State()
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
