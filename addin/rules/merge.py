"""Copies of one person or organisation in a submission must agree: the merge.* rules.

Two rows with one 身份证号 (or one 党组织名称) are both kept and reported by the
duplicate rules (:mod:`addin.rules.submission`); when their contents differ as well,
each copy gets a finding naming the fields that differ (compared as meant,
:func:`addin.rules.compare.comparable`) and where the other copy is. The engine runs
them when several files are checked as one submission, and ``dyxx merge`` always.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable

from addin.model.fields import field_label
from addin.model.findings import Finding, Rule, rule
from addin.read.reader import Record, Table
from addin.rules.compare import comparable, field_keys, id_key, shown
from addin.rules.org import unit_rows
from addin.rules.submission import Place, org_key
from addin.values.cells import text

MEMBER_CONFLICT = rule(
    "merge.member_conflict",
    "error",
    "同一党员的两条记录不一致",
    "身份证号{value}在{other}还有一条记录，两处的{fields}不一致；"
    "同一党员只能保留一条，请与有关党支部核实后删除或改正",
)
ORG_CONFLICT = rule(
    "merge.org_conflict",
    "error",
    "同一党组织的两行信息不一致",
    "党组织“{value}”在{other}还有一行，两处的{fields}不一致；"
    "每个党组织只填一行，请核实后删除或改正",
)
SHOWN_DIFFERENCES = 3  # fields spelled out in a conflict message


def conflicts(tables: list[Table]) -> list[Finding]:
    """A finding on each copy of a person or organisation whose copies differ."""
    member_key: Callable[[object], str | None] = id_key
    return _conflicts(tables, "members", "id_number", member_key) + (
        _conflicts(tables, "orgs", "org_name", org_key)
    )


def _conflicts(
    tables: list[Table], kind: str, key_field: str, key_of: Callable[[object], str | None]
) -> list[Finding]:
    found: list[Finding] = []
    keys = field_keys(kind)
    tables = [t for t in tables if t.kind == kind]
    # a 联合支部's unit on a row of its own is reported by the check (org.unit_row),
    # not as a second copy
    units = {id(t): unit_rows(t) for t in tables} if kind == "orgs" else {}
    for copies in _copies(tables, key_field, key_of):
        group = [(t, r) for t, r in copies if r.row not in units.get(id(t), ())]
        compared = [(t, r, [comparable(kind, k, r.values.get(k)) for k in keys]) for t, r in group]
        for table, record, mine in compared:
            for other_table, other, theirs in compared:
                differing = [i for i, (a, b) in enumerate(zip(mine, theirs, strict=True)) if a != b]
                if other is record or not differing:
                    continue
                where = Place(other_table.file, other_table.sheet, other.row, None)
                found.append(_conflict(kind, key_field, (table, record), other, where, differing))
                break
    return found


def _copies(
    tables: list[Table], key_field: str, key_of: Callable[[object], str | None]
) -> list[list[tuple[Table, Record]]]:
    """The records sharing a key, by key, in the order of their first copy.

    Keys come from the key column alone; only a record with copies is looked at
    further (building a record's values costs more than keying all of them)."""
    keyed = [list(map(key_of, table.column(key_field))) for table in tables]
    counts = Counter(key for keys in keyed for key in keys if key)
    groups: dict[str, list[tuple[Table, Record]]] = defaultdict(list)
    for table, keys in zip(tables, keyed, strict=True):
        for record, key in zip(table.records, keys, strict=True):
            if counts[key] > 1:
                groups[key].append((table, record))
    return list(groups.values())


def _conflict(
    kind: str,
    key_field: str,
    mine: tuple[Table, Record],
    other: Record,
    where: Place,
    differing: list[int],
) -> Finding:
    table, record = mine
    keys = field_keys(kind)
    parts = []
    for index in differing[:SHOWN_DIFFERENCES]:
        key = keys[index]
        here, there = (
            shown(kind, key, record.values.get(key)),
            shown(kind, key, other.values.get(key)),
        )
        parts.append(f"{field_label(kind, key)}（本行“{here}”，另一处“{there}”）")
    more = len(differing) - SHOWN_DIFFERENCES
    described = "、".join(parts) + (f"等{len(differing)}项" if more > 0 else "")
    first = keys[differing[0]]
    template: Rule = MEMBER_CONFLICT if kind == "members" else ORG_CONFLICT
    here = Place(table.file, table.sheet, record.row, None)
    problem = template.problem(
        value=text(record.values.get(key_field)), other=where.describe(here), fields=described
    )
    at = first if first in table.columns else key_field  # the cell the finding marks
    label, value = field_label(kind, at), text(record.values.get(at))
    return Finding.at(table, record.row, table.columns.get(at), label, value, problem)
