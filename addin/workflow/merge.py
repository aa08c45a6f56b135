"""汇总: the branch workbooks combined into one 附件3 and one 附件4, checked as one submission.

Every row of every branch is kept, in file order, and numbered afresh; where it
came from is listed on the 数据来源 sheet. Nothing is dropped or overwritten:
two copies of one person (or organisation) both stay in the summary and are
reported, by the engine's duplicate rules when they are identical and by
the merge.* rules (:mod:`addin.rules.merge`) when their contents differ.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from addin.engine.check import check_tables, paused_gc
from addin.engine.people import name_findings
from addin.engine.report import Report
from addin.model.a1 import column_letter
from addin.model.errors import WorkbookError
from addin.model.findings import Finding, finding_order
from addin.read.reader import Record, Table
from addin.rules.compare import field_keys, records
from addin.rules.merge import conflicts
from addin.workflow.common import plain, read_all
from addin.workflow.sheets import OFFICIAL_TITLES
from addin.write.layout import DATA_ROW, columns


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
    extra = conflicts(tables) if len(files) == 1 else []  # the engine's across files
    if extra:
        ordered = sorted(report.findings + name_findings(extra, tables), key=finding_order(tables))
        report = replace(report, findings=ordered)
    rows = {kind: records(tables, kind) for kind in ("orgs", "members")}
    return Merged(files, tables, report, rows, committee_of(tables))


def committee_of(tables: Iterable[Table]) -> str:
    """The 基层党委 most branch tables name in their title rows ("" when none does)."""
    named = Counter(t.meta.get("基层党委", "").strip() for t in tables)
    named.pop("", None)
    return named.most_common(1)[0][0] if named else ""
