"""A run of 附件4 rows checked on its own: what the rest of the check needs of it.

A table is checked in one piece, or in two when :mod:`addin.engine.split` reads and
checks its second half in another process. Either way the cross-record rules
(repeated IDs, unknown branches) and the stamp need only this of each row: its
sheet row, ID, branch and fingerprint, besides the findings.
"""

from __future__ import annotations

from array import array
from collections.abc import Collection
from dataclasses import dataclass, field, fields
from datetime import date
from operator import attrgetter

from addin.engine.report import GAP, print_lines, row_fingerprints, spanned
from addin.model.findings import Finding
from addin.read.reader import Table
from addin.rules.member import check_members

FINDING_FIELDS = tuple(f.name for f in fields(Finding))
LISTS = ("rows", "numbers", "ids", "branches", "fingerprints", "findings", "uncached")


@dataclass
class MemberPart:
    """What checking a run of 附件4 rows gives: its findings and what the cross-record
    rules and the stamp need of each row (its sheet row, ID, branch and fingerprint)."""

    rows: list[int]
    numbers: list[str | None]  # normalised 公民身份证号 (None when it could not be read)
    ids: list[object]  # 公民身份证号 cells as read
    branches: list[object]  # 所在党支部 cells as read
    fingerprints: list[str]
    findings: list[Finding]  # sorted by cell
    uncached: list[tuple[int, int, str]] = field(default_factory=list)
    lines: bytes = b""  # the "row:fingerprint" lines the data fingerprint hashes (GAP between)

    def extend(self, other: MemberPart) -> None:
        """Append the part that follows this one (the rest of the same table)."""
        if self.rows and other.rows:  # the rows between the two parts hold no record
            between = list(range(self.rows[-1] + 1, other.rows[0]))
            self.lines += print_lines(between, [GAP] * len(between))
        for name in LISTS:
            getattr(self, name).extend(getattr(other, name))
        self.lines += other.lines

    def __reduce__(self):
        """Pickled compactly (it is sent between processes): consecutive rows as a range,
        IDs only where the cell differs from the normalised number, branches as codes
        into their distinct values, fingerprints as one string, findings a field at a time."""
        rows: object = self.rows
        if self.rows and self.rows[-1] - self.rows[0] == len(self.rows) - 1:
            rows = range(self.rows[0], self.rows[-1] + 1)
        ids = {
            i: raw
            for i, (raw, n) in enumerate(zip(self.ids, self.numbers, strict=True))
            if raw != n
        }
        branches = list(dict.fromkeys(self.branches))
        codes = array("I", map({b: i for i, b in enumerate(branches)}.__getitem__, self.branches))
        flat = [list(map(attrgetter(name), self.findings)) for name in FINDING_FIELDS]
        packed = (rows, self.numbers, ids, branches, codes, "".join(self.fingerprints))
        return _unpack, (packed, flat, self.uncached, self.lines)


def _unpack(packed: tuple, flat: list[list], uncached: list, lines: bytes) -> MemberPart:
    rows, numbers, id_cells, branch_values, codes, prints = packed
    ids: list[object] = list(numbers)
    for index, raw in id_cells.items():
        ids[index] = raw
    width = len(prints) // len(numbers) if numbers else 0
    return MemberPart(
        rows=list(rows),
        numbers=numbers,
        ids=ids,
        branches=list(map(branch_values.__getitem__, codes)),
        fingerprints=[prints[i : i + width] for i in range(0, len(prints), width or 1)],
        findings=list(map(Finding, *flat)),  # the findings were sent a field at a time
        uncached=uncached,
        lines=lines,
    )


def check_member_part(table: Table, today: date) -> MemberPart:
    """Check the records of a 附件4 table (all of it, or the part read in this process)."""
    distinct: dict[str, Collection[object]] = {}
    numbers, found = check_members(table, today, distinct)
    rows = [record.row for record in table.records]
    fingerprints = row_fingerprints(table, distinct)
    return MemberPart(
        rows=rows,
        numbers=numbers,
        ids=table.column("id_number"),
        branches=table.column("branch"),
        fingerprints=fingerprints,
        findings=sorted(found, key=_cell),
        uncached=list(table.uncached),
        lines=print_lines(*spanned(rows, fingerprints)),
    )


def _cell(finding: Finding) -> tuple[int, int]:
    return finding.row, finding.column or 0
