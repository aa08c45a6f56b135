"""Check a submission: one or more workbooks read together, every rule run once."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from addin.findings import Finding
from addin.reader import Table, read_workbook
from addin.report import Prints, Report, TableSummary, data_fingerprint, row_fingerprints
from addin.rules.base import table_findings
from addin.rules.columns import memoised
from addin.rules.member import check_members
from addin.rules.org import check_org
from addin.rules.submission import Keyed, Place, duplicates, org_name_key, unknown_branches
from addin.values import is_blank, text


def check_files(
    paths: Iterable[str | Path],
    today: date | None = None,
    passwords: Mapping[Path, str] | None = None,
) -> Report:
    """Read every file (raising :class:`addin.errors.WorkbookError`) and check them as one."""
    with paused_gc():
        return check_tables(read_files(paths, passwords), today)


def read_files(
    paths: Iterable[str | Path], passwords: Mapping[Path, str] | None = None
) -> list[Table]:
    """The tables of every file, in order (pause the GC around this for big files)."""
    tables: list[Table] = []
    for path in paths:
        tables.extend(read_workbook(path, (passwords or {}).get(Path(path))))
    return tables


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while millions of cell values are alive.

    Reading and checking create no reference cycles worth collecting, but every
    collection would scan all the cells read so far: pausing it halves the time
    of a 100,000-row check.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class MemberPart:
    """What checking a run of 附件4 rows gives: its findings and what the cross-record
    rules and the stamp need of each row (its sheet row, ID, branch and fingerprint)."""

    rows: list[int]
    numbers: list[str | None]  # normalised 公民身份证号 (None when it could not be read)
    ids: list[object]  # 公民身份证号 cells as read
    branches: list[object]  # 所在党支部 cells as read
    fingerprints: list[str]
    findings: list[Finding]
    uncached: list[tuple[int, int, str]] = field(default_factory=list)

    def extend(self, other: MemberPart) -> None:
        """Append the part that follows this one (the rest of the same table)."""
        for name in ("rows", "numbers", "ids", "branches", "fingerprints", "findings", "uncached"):
            getattr(self, name).extend(getattr(other, name))


def check_member_part(table: Table, today: date) -> MemberPart:
    """Check the records of a 附件4 table (all of it, or the part read in this process)."""
    numbers, found = check_members(table, today)
    return MemberPart(
        rows=[record.row for record in table.records],
        numbers=numbers,
        ids=table.column("id_number"),
        branches=table.column("branch"),
        fingerprints=row_fingerprints(table),
        findings=found,
        uncached=list(table.uncached),
    )


def check_tables(tables: list[Table], today: date | None = None) -> Report:
    today = today or date.today()
    findings: list[Finding] = []
    members: list[tuple[Table, MemberPart]] = []
    orgs: list[Keyed] = []
    prints: list[Prints] = []
    for table in tables:
        if table.kind == "members":
            part = check_member_part(table, today)
            if table.rest is not None:  # the rows another process read and checked
                part.extend(table.rest.result())
                table.uncached = part.uncached
            members.append((table, part))
            findings.extend(table_findings(table))
            findings.extend(part.findings)
            prints.append(Prints(*_where(table), part.rows, part.fingerprints))
        else:
            findings.extend(table_findings(table))
            findings.extend(_check_orgs(table, today, orgs))
            prints.append(Prints.of(table))
    findings.extend(duplicates(_repeated_ids(members), "id"))
    findings.extend(duplicates(orgs, "org"))
    if any(t.kind == "orgs" for t in tables):
        findings.extend(unknown_branches(_unknown_branches(members, orgs), [o.value for o in orgs]))
    findings.sort(key=_position(tables))
    summaries = [
        TableSummary(t.file, t.sheet, t.kind, t.header_row, len(p.rows))
        for t, p in zip(tables, prints, strict=True)
    ]
    return Report(findings, summaries, data_fingerprint(prints), prints=prints)


def _where(table: Table) -> tuple[str, str, str, int]:
    return table.file, table.sheet, table.kind, table.data_row


def _repeated_ids(members: list[tuple[Table, MemberPart]]) -> list[Keyed]:
    """Only the rows whose ID occurs more than once become Keyed items (one pass, O(n))."""
    counts = Counter(n for _table, part in members for n in part.numbers if n)
    repeated = {n for n, count in counts.items() if count > 1}
    if not repeated:
        return []
    items = []
    for table, part in members:
        for index, number in enumerate(part.numbers):
            if number in repeated:
                place = _place(table, part.rows[index], "id_number")
                items.append(Keyed(number, text(part.ids[index]), "公民身份证号", place))
    return items


def _unknown_branches(members: list[tuple[Table, MemberPart]], orgs: list[Keyed]) -> list[Keyed]:
    """The branch cells whose name is not a 附件3 党组织名称."""
    known = {o.key for o in orgs}
    items = []
    for table, part in members:
        column = part.branches
        keys = memoised(column, lambda raw: None if is_blank(raw) else org_name_key(text(raw)))
        for index, key in enumerate(keys):
            if key is not None and key not in known:
                place = _place(table, part.rows[index], "branch")
                items.append(Keyed(key, text(column[index]), "所在党支部", place))
    return items


def _check_orgs(table: Table, today: date, orgs: list[Keyed]):
    for record in table.records:
        _parsed, found = check_org(table, record, today)
        yield from found
        name = record.values.get("org_name")
        if not is_blank(name):
            place = _place(table, record.row, "org_name")
            orgs.append(Keyed(org_name_key(text(name)), text(name), "党组织名称", place))


def _place(table: Table, row: int, key: str) -> Place:
    return Place(table.file, table.sheet, row, table.columns.get(key))


def _position(tables: list[Table]):
    order = {t.file: i for i, t in reversed(list(enumerate(tables)))}
    sheets = {(t.file, t.sheet): i for i, t in reversed(list(enumerate(tables)))}

    def key(f: Finding) -> tuple:
        return (order.get(f.file, 0), sheets.get((f.file, f.sheet), 0), f.row, f.column or 0)

    return key
