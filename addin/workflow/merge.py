"""汇总: the branch workbooks combined into one 附件3 and one 附件4, checked as one submission.

Every row of every branch is kept, in file order, and numbered afresh; where it
came from is listed on the 数据来源 sheet. Nothing is dropped or overwritten:
two copies of one person (or organisation) both stay in the summary and are
reported, by the engine's duplicate rules when they are identical and by
:data:`MEMBER_CONFLICT`/:data:`ORG_CONFLICT` when their contents differ.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from addin.engine.check import check_tables, paused_gc
from addin.engine.report import Report
from addin.model.a1 import column_letter
from addin.model.errors import WorkbookError
from addin.model.fields import field_label
from addin.model.findings import Finding, Rule, finding_order, rule
from addin.read.reader import Record, Table
from addin.rules.compare import comparable, field_keys, id_key, records, shown
from addin.rules.submission import Place, org_key
from addin.values.cells import text
from addin.workflow.common import plain, read_all
from addin.workflow.sheets import OFFICIAL_TITLES
from addin.write.layout import DATA_ROW, columns

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


@dataclass(frozen=True)
class Origin:
    """Where a summary row came from."""

    file: str
    sheet: str
    row: int


@dataclass
class Merged:
    """The combined submission: its rows per table kind, in summary order, and its report."""

    files: list[Path]
    tables: list[Table]
    report: Report
    rows: dict[str, list[tuple[Table, Record]]]
    committee: str
    _index: dict[tuple[str, str, int], tuple[Table, int]] = field(default_factory=dict)

    def values(self, kind: str) -> list[dict[str, object]]:
        """The summary rows of one kind, as field key -> value to write."""
        keys = field_keys(kind)
        return [{k: plain(r.values.get(k)) for k in keys} for _t, r in self.rows[kind]]

    def origins(self, kind: str) -> list[Origin]:
        return [Origin(t.file, t.sheet, r.row) for t, r in self.rows[kind]]

    def position(self, finding: Finding) -> tuple[str, str] | None:
        """The summary sheet and cell of a finding made on a branch file (None: no row)."""
        if not self._index:
            for items in self.rows.values():
                for index, (table, record) in enumerate(items):
                    self._index[(table.file, table.sheet, record.row)] = (table, index)
        found = self._index.get((finding.file, finding.sheet, finding.row))
        if found is None:
            return None
        table, index = found
        key = next((k for k, c in table.columns.items() if c == finding.column), None)
        keys = [k for _text, k in columns(table.kind)]
        col = keys.index(key) + 1 if key in keys else 1
        return OFFICIAL_TITLES[table.kind], f"{column_letter(col)}{DATA_ROW + index}"

    def file_of(self, finding: Finding) -> str:
        return Path(finding.file).name


def merge_files(
    files: list[Path], passwords: Mapping[Path, str], today: date | None = None
) -> Merged:
    """Read every branch workbook and check them together (raises WorkbookError)."""
    seen: set[Path] = set()
    for path in files:
        if path.resolve() in seen:
            raise WorkbookError(path, "这个文件在命令行上出现了两次；汇总时每个文件只能给一次")
        seen.add(path.resolve())
    with paused_gc():
        tables = read_all(files, passwords)
        report = check_tables(tables, today)
    extra = conflicts(tables)
    if extra:
        ordered = sorted(report.findings + extra, key=finding_order(tables))
        report = replace(report, findings=ordered)
    rows = {kind: records(tables, kind) for kind in ("orgs", "members")}
    return Merged(files, tables, report, rows, committee_of(tables))


def committee_of(tables: Iterable[Table]) -> str:
    """The 基层党委 most branch tables name in their title rows ("" when none does)."""
    named = Counter(t.meta.get("基层党委", "").strip() for t in tables)
    named.pop("", None)
    return named.most_common(1)[0][0] if named else ""


def conflicts(tables: list[Table]) -> list[Finding]:
    """A finding on each copy of a person or organisation whose copies differ."""
    member_key: Callable[[object], str | None] = id_key
    return _conflicts(records(tables, "members"), "members", "id_number", member_key) + (
        _conflicts(records(tables, "orgs"), "orgs", "org_name", org_key)
    )


def _conflicts(
    items: list[tuple[Table, Record]],
    kind: str,
    key_field: str,
    key_of: Callable[[object], str | None],
) -> list[Finding]:
    groups: dict[str, list[tuple[Table, Record]]] = defaultdict(list)
    for table, record in items:
        key = key_of(record.values.get(key_field))
        if key:
            groups[key].append((table, record))
    found: list[Finding] = []
    keys = field_keys(kind)
    for group in groups.values():
        if len(group) < 2:
            continue
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
    return Finding(
        file=table.file,
        sheet=table.sheet,
        row=record.row,
        column=table.columns.get(at),
        field=field_label(kind, at),
        rule=problem.code,
        severity=problem.severity,
        value=text(record.values.get(at)),
        message=problem.message,
    )
