"""Check a submission: one or more workbooks read together, every rule run once."""

from __future__ import annotations

import bisect
import gc
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from addin.engine.people import name_findings
from addin.engine.report import (
    Prints,
    Report,
    TableSummary,
    data_fingerprint,
    row_fingerprints,
)
from addin.model.findings import Finding, finding_order
from addin.read.reader import Record, Table, read_source
from addin.rules.base import read_findings, table_findings
from addin.rules.columns import ParsedColumn, rows_holding
from addin.rules.member import check_members
from addin.rules.merge import conflicts
from addin.rules.org import check_org, check_unit_row, is_unit_row
from addin.rules.submission import (
    Keyed,
    Place,
    duplicates,
    empty_tables,
    merge_outputs,
    org_key,
    org_name_key,
    unknown_branches,
)
from addin.values.cells import is_blank, text
from addin.xlsx import source as sources


def check_files(
    paths: Iterable[str | Path],
    today: date | None = None,
    passwords: Mapping[Path, str] | None = None,
) -> Report:
    """Read every file (raising :class:`addin.model.errors.WorkbookError`) and check them as one."""
    return check_sources(load_files(paths, passwords), today)


def check_sources(loaded: Iterable[sources.Source], today: date | None = None) -> Report:
    """Check loaded workbooks as one submission (a list, to hand them on afterwards: the
    marked copy is made from the same bytes, never read again)."""
    with paused_gc():
        return check_tables(read_sources(loaded), today)


def load_files(
    paths: Iterable[str | Path], passwords: Mapping[Path, str] | None = None, keep: bool = False
) -> Iterator[sources.Source]:
    """Each file loaded in turn (:func:`addin.xlsx.source.load`); ``keep``: the sheets the
    reader inflates are kept for a marked copy (:attr:`addin.xlsx.source.Source.keep`)."""
    for path in paths:
        source = sources.load(Path(path), (passwords or {}).get(Path(path)))
        source.keep = keep
        yield source


def read_files(
    paths: Iterable[str | Path], passwords: Mapping[Path, str] | None = None
) -> list[Table]:
    """The tables of every file, in order (pause the GC around this for big files)."""
    return read_sources(load_files(paths, passwords))


def read_sources(loaded: Iterable[sources.Source]) -> list[Table]:
    return [table for source in loaded for table in read_source(source)]


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
    """A checked 附件4 table: its findings, and what the cross-record rules and the stamp
    need of each row (its sheet row, ID, branch and fingerprint)."""

    rows: list[int]
    numbers: list[str | None]  # normalised 公民身份证号 (None when it could not be read)
    ids: list[object]  # 公民身份证号 cells as read
    branches: list[object]  # 所在党支部 cells as read
    fingerprints: list[str]
    findings: list[Finding]  # sorted by cell

    @classmethod
    def of(cls, table: Table, today: date) -> MemberPart:
        distinct: dict[str, Collection[object]] = {}
        numbers, found = check_members(table, today, distinct)
        rows = [record.row for record in table.records]
        fingerprints = row_fingerprints(table, distinct)
        return cls(
            rows=rows,
            numbers=numbers,
            ids=table.column("id_number"),
            branches=table.column("branch"),
            fingerprints=fingerprints,
            findings=sorted(found, key=_cell),
        )


def _cell(finding: Finding) -> tuple[int, int]:
    return finding.row, finding.column or 0


def check_tables(tables: list[Table], today: date | None = None) -> Report:
    today = today or date.today()
    findings: list[Finding] = []
    members: list[tuple[Table, MemberPart]] = []
    orgs: list[Keyed] = []
    prints: list[Prints] = []
    counts: list[int] = []
    key = finding_order(tables)
    for table in tables:
        if table.kind == "members":
            part = MemberPart.of(table, today)  # its findings come sorted by cell
            members.append((table, part))
            found = [*table_findings(table), *read_findings(table)]
            findings.extend(sorted([*found, *part.findings], key=key) if found else part.findings)
            prints.append(Prints.spanning(*_where(table), part.rows, part.fingerprints))
            counts.append(len(part.rows))
        else:
            found = [
                *table_findings(table),
                *read_findings(table),
                *_check_orgs(table, today, orgs),
            ]
            findings.extend(sorted(found, key=key))
            prints.append(Prints.of(table))
            counts.append(len(table.records))
    extras = empty_tables(tables) + duplicates(_repeated_ids(members), "id")
    extras += duplicates(orgs, "org")
    if any(t.kind == "orgs" for t in tables):
        extras += unknown_branches(_unknown_branches(members, orgs), [o.value for o in orgs])
    extras += merge_outputs(tables)
    if len({t.file for t in tables}) > 1:  # one submission of several files
        extras += conflicts(tables)
    _insert_sorted(findings, extras, key)
    name_findings(findings, tables)
    summaries = [
        TableSummary(t.file, t.sheet, t.kind, t.header_row, count)
        for t, count in zip(tables, counts, strict=True)
    ]
    return Report(findings, summaries, data_fingerprint(prints), prints=prints)


def _insert_sorted(findings: list[Finding], extras: list[Finding], key) -> None:
    """Put ``extras`` into the sorted ``findings``, keeping the order stable (a few are
    inserted one by one; many make one sort of everything)."""
    if len(extras) > 1000:
        findings.extend(extras)
        findings.sort(key=key)
        return
    for finding in extras:
        bisect.insort_right(findings, finding, key=key)


def _where(table: Table) -> tuple[str, str, str, int]:
    return table.file, table.sheet, table.kind, table.data_row


def _repeated_ids(members: list[tuple[Table, MemberPart]]) -> list[Keyed]:
    """Only the rows whose ID occurs more than once become Keyed items (one pass, O(n))."""
    counts: Counter[str] = Counter()
    for _table, part in members:
        counts.update(filter(None, part.numbers))  # counted in C
    repeated = {n for n, count in counts.items() if count > 1}
    if not repeated:
        return []
    items = []
    for table, part in members:
        for index in rows_holding(part.numbers, repeated):
            place = _place(table, part.rows[index], "id_number")
            items.append(Keyed(part.numbers[index], text(part.ids[index]), "公民身份证号", place))
    return items


def _unknown_branches(members: list[tuple[Table, MemberPart]], orgs: list[Keyed]) -> list[Keyed]:
    """The branch cells whose name is not a 附件3 党组织名称."""
    known = {o.key for o in orgs}
    items = []
    for table, part in members:
        column = part.branches
        keys = ParsedColumn(column, org_key)
        for index in keys.where(lambda key: key is not None and key not in known):
            place = _place(table, part.rows[index], "branch")
            items.append(Keyed(keys.result(index), text(column[index]), "所在党支部", place))
    return items


def _check_orgs(table: Table, today: date, orgs: list[Keyed]):
    first: dict[str, Record] = {}  # the first row of each 党组织名称
    for record in table.records:
        name = record.values.get("org_name")
        key = None if is_blank(name) else org_name_key(text(name))
        if key in first and is_unit_row(record, first[key]):  # a 联合支部's unit on its own row
            yield from check_unit_row(table, record, first[key])
            continue
        _parsed, found = check_org(table, record, today)
        yield from found
        if key is not None:
            first.setdefault(key, record)
            place = _place(table, record.row, "org_name")
            orgs.append(Keyed(key, text(name), "党组织名称", place))


def _place(table: Table, row: int, key: str) -> Place:
    return Place(table.file, table.sheet, row, table.columns.get(key))
