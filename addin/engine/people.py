"""Who a finding is about: the member's 姓名 or the organisation's 党组织名称 on its row.

An officer fixing 27 problems should not have to look each row up. The name is
looked up once per row that has findings, and a sheet's rows are indexed only when it
has findings: a clean 100,000-row roster costs nothing and a dirty one little.
Names are data: they are carried as read, and every printer or writer shows them
through :mod:`addin.model.celltext` like any other cell text.
"""

from __future__ import annotations

from collections.abc import Iterable

from addin.model.findings import Finding
from addin.read.reader import Table
from addin.values.cells import PLACEHOLDERS, text

NAME_KEYS = {"members": "name", "orgs": "org_name"}


def name_findings(findings: list[Finding], tables: Iterable[Table]) -> list[Finding]:
    """``findings`` (the same list, in order), each on a record's row given its name.

    Findings come sorted by file, sheet and row: the name of a row is looked up once for
    all its findings, and a sheet's rows are indexed only when it has findings.
    """
    places = _places(tables)
    file = sheet = row = None
    rows: list[tuple[dict[int, int], list[object]]] = []
    name = ""
    for finding in findings:
        if finding.file != file or finding.sheet != sheet:
            file, sheet, row = finding.file, finding.sheet, None
            rows = [_indexed(table) for table in places.get((file, sheet), ())]
        if finding.row != row:
            row = finding.row
            name = _name_at(rows, row)
        if name and not finding.name:
            # set on the finding this check just made (no one holds it yet), as Finding.at
            # sets its fields: a copy of each of 200,000 findings would cost a second
            finding.__dict__["name"] = name
    return findings


def _places(tables: Iterable[Table]) -> dict[tuple[str, str], list[Table]]:
    places: dict[tuple[str, str], list[Table]] = {}
    for table in tables:
        key = NAME_KEYS.get(table.kind)
        if key is not None and key in table.columns and table.records:
            places.setdefault((table.file, table.sheet), []).append(table)
    return places


def _indexed(table: Table) -> tuple[dict[int, int], list[object]]:
    """A table's sheet rows -> record positions, and its name column."""
    rows = [record.row for record in table.records]
    return dict(zip(rows, range(len(rows)), strict=True)), table.column(NAME_KEYS[table.kind])


def _name_at(rows: list[tuple[dict[int, int], list[object]]], row: int) -> str:
    for positions, names in rows:
        at = positions.get(row)
        if at is not None:
            shown = text(names[at])  # a placeholder such as 无 is no name
            return "" if shown in PLACEHOLDERS else shown
    return ""
