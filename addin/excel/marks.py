"""Which cells the Excel 校验 button marks, and how a mark is undone (pure logic).

A mark is a fill and a note (:mod:`addin.write.marked.format`); each cell's own fill and note
are remembered first (:mod:`addin.write.marked.state`) and come back when its finding is gone.
A fill or note the user changed since is left as the user made it (ARCHITECTURE.md, "Marks
the button takes back"). These functions only decide; :mod:`addin.ribbon.action` applies them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from addin.model.findings import Finding
from addin.write.marked.format import MARK_COLOURS, is_mark_colour, notes_by_cell, starts_ours
from addin.write.marked.state import APPENDED_NOTE, NEW_NOTE, Key, Mark, joined


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


def wanted(findings: Iterable[Finding]) -> dict[Key, tuple[str, str]]:
    """(sheet, cell) -> (mark colour, note text) for every finding placed at a cell."""
    notes = notes_by_cell(list(findings))
    return {key: (MARK_COLOURS[worst], note) for key, (worst, note) in notes.items()}


def to_observe(
    previous: Mapping[Key, Mark], want: Mapping[Key, tuple[str, str]], everything: bool = False
) -> list[Key]:
    """The cells whose current fill and note must be read before deciding: new marks,
    changed marks and marks to clear (an unchanged mark needs no read, unless the last click
    stopped half-way: ``everything``)."""
    keys = [k for k in want if everything or k not in previous or _changed(previous[k], want[k])]
    return keys + [k for k in previous if k not in want]


def _changed(mark: Mark, want: tuple[str, str]) -> bool:
    return (mark.colour, mark.text) != want


def resolve(
    previous: Mapping[Key, Mark],
    want: Mapping[Key, tuple[str, str]],
    observed: Mapping[Key, Observed],
) -> Writes:
    """Decide every fill and note change; ``observed`` covers :func:`to_observe`'s cells.

    A recorded mark whose cell was looked at is decided from what the cell shows (after a
    click that stopped half-way, it may not be painted yet); one not looked at is unchanged.
    """
    writes = Writes()
    for key, (colour, note) in want.items():
        mark = previous.get(key)
        if mark is not None and key not in observed:
            writes.marks[key] = mark
        elif mark is None:
            writes.marks[key] = _new(key, colour, note, observed[key], writes)
        else:
            writes.marks[key] = _change(mark, colour, note, observed[key], writes)
    for key, mark in previous.items():
        if key not in want:
            _clear(mark, observed[key], writes)
    return writes


def recorded_first(previous: Mapping[Key, Mark], writes: Writes) -> dict[Key, Mark]:
    """The marks to record before any cell is painted: the new ones, and the old ones until
    they are taken back, so a click that stops half-way loses no cell's own fill or note."""
    return {**{k: m for k, m in previous.items() if k not in writes.marks}, **writes.marks}


def _ours(note: str | None) -> bool:
    return note is not None and starts_ours(note)


def _new(key: Key, colour: str, note: str, now: Observed, writes: Writes) -> Mark:
    # A fill that already is a mark colour is a mark left behind: no own fill.
    original = None if is_mark_colour(now.fill) else now.fill
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
    if now.fill != mark.colour and not is_mark_colour(now.fill):
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


def defer_notes(writes: Writes, limit: int) -> int:
    """Keep at most ``limit`` new notes for this click; return how many wait for the next.

    A deferred cell is still filled, and its mark is remembered with an empty note text,
    so the next click sees the mark as changed and adds the note then (nothing is lost).
    Only new notes are deferred (the cell shows no note yet): a changed or removed note is
    always written, so what the cell shows and what the mark remembers never disagree.
    """
    later = writes.add_notes[limit:]
    del writes.add_notes[limit:]
    for sheet, cell, _note in later:
        writes.marks[(sheet, cell)] = replace(writes.marks[(sheet, cell)], text="")
    return len(later)
