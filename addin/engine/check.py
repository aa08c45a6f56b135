"""Check a submission: one or more workbooks read together, every rule run once."""

from __future__ import annotations

import bisect
import gc
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from addin.engine import split
from addin.engine.part import MemberPart, check_member_part
from addin.engine.report import Prints, Report, TableSummary, data_fingerprint
from addin.model.findings import Finding, finding_order
from addin.read.reader import Table, read_workbook
from addin.rules.base import read_findings, table_findings
from addin.rules.columns import ParsedColumn, rows_holding
from addin.rules.merge import conflicts
from addin.rules.org import check_org
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


def check_files(
    paths: Iterable[str | Path],
    today: date | None = None,
    passwords: Mapping[Path, str] | None = None,
) -> Report:
    """Read every file (raising :class:`addin.model.errors.WorkbookError`) and check them as one.

    A big sheet is read and checked in two processes (:mod:`addin.engine.split`); if that
    fails for any reason, everything is read again in this process alone.
    """
    today = today or date.today()
    paths = list(paths)
    with paused_gc():
        tables: list[Table] = []
        try:
            tables = read_files(paths, passwords, split_on=today, into=tables)
            return check_tables(tables, today)
        except split.SplitFailed:
            _stop_children(tables)
            return check_tables(read_files(paths, passwords), today)
        except BaseException:
            _stop_children(tables)
            raise


def _stop_children(tables: list[Table]) -> None:
    for table in tables:
        if table.rest is not None:
            table.rest.stop()


def read_files(
    paths: Iterable[str | Path],
    passwords: Mapping[Path, str] | None = None,
    *,
    split_on: date | None = None,
    into: list[Table] | None = None,
) -> list[Table]:
    """The tables of every file, in order (pause the GC around this for big files).

    ``split_on``: the day to check on, when big sheets may be read and checked in
    two processes (the tables then carry the other process's part). ``into``: the
    list to add them to (so a caller still has the first files' tables when a
    later file cannot be read).
    """
    tables: list[Table] = [] if into is None else into
    for path in paths:
        password = (passwords or {}).get(Path(path))
        if split_on is None:
            tables.extend(read_workbook(path, password))
        else:
            tables.extend(split.read_workbook(path, password, split_on))
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
            part = check_member_part(table, today)  # its findings come sorted by cell
            if table.rest is not None:  # the rows another process read and checked
                part.extend(table.rest.result())
                table.uncached = part.uncached
            members.append((table, part))
            found = [*table_findings(table), *read_findings(table)]
            findings.extend(sorted([*found, *part.findings], key=key) if found else part.findings)
            prints.append(Prints.spanning(*_where(table), part.rows, part.fingerprints, part.lines))
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
            items.append(Keyed(keys.results[index], text(column[index]), "所在党支部", place))
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
