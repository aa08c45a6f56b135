"""Check a submission: one or more workbooks read together, every rule run once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

from addin.findings import Finding
from addin.reader import Table, read_workbook
from addin.report import Report, TableSummary, data_fingerprint
from addin.rules.base import table_findings
from addin.rules.member import check_member
from addin.rules.org import check_org
from addin.rules.submission import Keyed, Place, duplicates, org_name_key, unknown_branches
from addin.values import is_blank, text


def check_files(
    paths: Iterable[str | Path],
    today: date | None = None,
    passwords: Mapping[Path, str] | None = None,
) -> Report:
    """Read every file (raising :class:`addin.errors.WorkbookError`) and check them as one."""
    tables: list[Table] = []
    for path in paths:
        tables.extend(read_workbook(path, (passwords or {}).get(Path(path))))
    return check_tables(tables, today)


def check_tables(tables: list[Table], today: date | None = None) -> Report:
    today = today or date.today()
    findings: list[Finding] = []
    ids: list[Keyed] = []
    branches: list[Keyed] = []
    orgs: list[Keyed] = []
    for table in tables:
        findings.extend(table_findings(table))
        if table.kind == "members":
            findings.extend(_check_members(table, today, ids, branches))
        else:
            findings.extend(_check_orgs(table, today, orgs))
    findings.extend(duplicates(ids, "id"))
    findings.extend(duplicates(orgs, "org"))
    if any(t.kind == "orgs" for t in tables):
        findings.extend(unknown_branches(branches, [o.value for o in orgs]))
    findings.sort(key=_position(tables))
    summaries = [
        TableSummary(t.file, t.sheet, t.kind, t.header_row, len(t.records)) for t in tables
    ]
    return Report(findings, summaries, data_fingerprint(tables))


def _check_members(table: Table, today: date, ids: list[Keyed], branches: list[Keyed]):
    for record in table.records:
        member, found = check_member(table, record, today)
        yield from found
        if member.id_number:
            place = _place(table, record.row, "id_number")
            ids.append(
                Keyed(member.id_number, text(record.values["id_number"]), "公民身份证号", place)
            )
        branch = record.values.get("branch")
        if not is_blank(branch):
            place = _place(table, record.row, "branch")
            branches.append(Keyed(org_name_key(text(branch)), text(branch), "所在党支部", place))


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
