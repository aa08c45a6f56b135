"""Who a finding is about: the member's 姓名 or the organisation's 党组织名称 on its row.

An officer fixing 27 problems should not have to look each row up. The name is
looked up only for rows that have findings (a bisection in the table's sheet
rows), so a clean 100,000-row roster costs nothing and a dirty one little.
Names are data: they are carried as read, and every printer or writer shows them
through :mod:`addin.model.celltext` like any other cell text.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from addin.model.findings import Finding
from addin.read.reader import Table
from addin.values.cells import is_blank, text

NAME_KEYS = {"members": "name", "orgs": "org_name"}

# per (file, sheet): the tables there, each as (its records' sheet rows, its name column)
Index = dict[tuple[str, str], list[tuple[list[int], list[object]]]]


def name_findings(findings: list[Finding], tables: Iterable[Table]) -> list[Finding]:
    """``findings`` (the same list, in order), each on a record's row carrying its name."""
    index: Index | None = None
    for position, finding in enumerate(findings):
        if finding.name:
            continue
        if index is None:
            index = _index(tables)
        name = _name_at(index, finding)
        if name:
            findings[position] = finding.named(name)
    return findings


def _index(tables: Iterable[Table]) -> Index:
    index: Index = {}
    for table in tables:
        key = NAME_KEYS.get(table.kind)
        if key is None or key not in table.columns or not table.records:
            continue
        rows = [record.row for record in table.records]
        index.setdefault((table.file, table.sheet), []).append((rows, table.column(key)))
    return index


def _name_at(index: Index, finding: Finding) -> str:
    for rows, names in index.get((finding.file, finding.sheet), ()):
        at = bisect_left(rows, finding.row)
        if at < len(rows) and rows[at] == finding.row:
            raw = names[at]
            return "" if is_blank(raw) else text(raw)
    return ""
