"""Undo the Excel 校验 button's marks in a package, as its state sheet records them.

A fill is put back only where the cell still shows the mark's colour, a note only
where it is still exactly the note the button wrote (as the button itself does on
its next click, :mod:`addin.excel.marks`); our notes elsewhere on a marked sheet (a
row moved since) go too. Only the marked sheets, their notes and styles.xml change.
"""

from __future__ import annotations

from collections import defaultdict

from addin.write.marked.format import fill_colour, solid_fill
from addin.write.marked.state import APPENDED_NOTE, Mark, State
from addin.write.marked.unmark import Undone, cell_heads, remove_stray_notes
from addin.xlsx import parts as xparts
from addin.xlsx.notes import Edits, Notes
from addin.xlsx.package import Rewriter


def unpaint(
    package: Rewriter,
    parts: dict[str, str],
    edited: dict[str, bytes],
    state: State,
    styles: xparts.Styles,
    types: xparts.ContentTypes,
) -> Undone:
    """Undo ``state``'s marks on the sheets (name -> part) of ``package``; ``edited`` holds
    the sheets' XML edited so far (part -> XML) and gets the results."""
    done = Undone()
    by_sheet: dict[str, list[Mark]] = defaultdict(list)
    for mark in state.marks.values():
        if mark.sheet in parts:
            by_sheet[mark.sheet].append(mark)
    for sheet, marks in by_sheet.items():
        part = parts[sheet]
        xml = edited.get(part) or package.read(part)
        notes = Notes(package, xml, types, xparts.Rels(package, part))
        edits = Edits(xml)
        heads = cell_heads(xml, [m.cell for m in marks])
        handled = set()
        for mark in marks:
            head = heads.get(mark.cell)
            if head is not None:
                tag = xml[head[0] : head[1]]
                style = int(xparts.attributes(tag).get("s", 0))
                if fill_colour(styles.fill_xml(style)) == mark.colour:
                    fill = styles.fill(solid_fill(mark.original)) if mark.original else 0
                    new = xparts.set_attribute(tag, "s", str(styles.back(style, "fillId", fill)))
                    edits.replace(head[0], head[1], new)
                    done.restored += 1
                    handled.add(mark.cell)
            note = notes.notes.get(mark.cell)
            if note is not None and note.text == mark.shown_note:
                handled.add(mark.cell)
                if mark.note == APPENDED_NOTE:
                    notes.set_text(mark.cell, mark.original_note)
                else:
                    notes.remove(mark.cell)
                done.notes += 1
        stray = remove_stray_notes(notes, handled)
        done.notes += len(stray)
        done.stray_notes += [f"{sheet}!{ref}" for ref in stray]
        edited[part] = edits.result()
        notes.save()
    return done
