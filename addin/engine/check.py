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

from addin.engine.report import (
    Prints,
    Report,
    TableSummary,
    data_fingerprint,
    row_fingerprints,
)
from addin.model.fields import KIND_TITLES, field_label
from addin.model.findings import Finding, Problem, column_letter, rule
from addin.read.reader import Table, Unplaced, read_source
from addin.rules.base import table_findings
from addin.rules.columns import ParsedColumn, rows_holding
from addin.rules.member import check_members
from addin.rules.org import check_org
from addin.rules.submission import (
    Keyed,
    Place,
    duplicates,
    empty_tables,
    org_name_key,
    unknown_branches,
)
from addin.values.cells import is_blank, text, visible
from addin.xlsx import source as sources

ROW_NOT_READ = rule(
    "table.row_not_read",
    "error",
    "有内容的行没有读取",
    "第{row}行{where}，没有作为{what}读取；{fix}",
)
STRAY_VALUE = rule(
    "table.stray_value",
    "warning",
    "表格下面有零星内容",
    "第{row}行只有一个单元格有内容（“{value}”），不像一个{what}的信息，没有读取；"
    "如果是{what}，请把这一行补全；如果不是，请删除",
)
ERROR_VALUE = rule(
    "cell.error_value",
    "error",
    "单元格是错误值",
    "单元格显示的是错误值“{value}”{meaning}，不是有效内容，无法校验；"
    "请改为正确的值（如果是公式算出的，请检查公式，或直接填写）",
)
MERGE_OUTPUT = rule(
    "file.merge_output",
    "warning",
    "输入的是 dyxx 的汇总结果",
    "“{file}”是 dyxx merge 的汇总结果（有“问题清单”“数据来源”等工作表），其中的党员和党组织"
    "已经汇总过一次；它的附件3、附件4 照常读取，dyxx 生成的工作表不读取。如果它所汇总的"
    "各支部文件也在这次的文件中，同一党员会出现两次：请只给各支部的文件，或只给汇总结果",
)
ERROR_MEANINGS = {
    "#N/A": "（公式查找的值不存在）",
    "#REF!": "（公式引用的单元格已被删除）",
    "#VALUE!": "（公式中的值类型不对）",
    "#DIV/0!": "（公式除以零）",
    "#NAME?": "（公式中有无法识别的名称）",
    "#NUM!": "（公式算出的数值无效）",
    "#NULL!": "（公式引用的区域不相交）",
    "#SPILL!": "（公式结果放不下）",
    "#CALC!": "（公式无法计算）",
    "#GETTING_DATA": "（数据还没有取回）",
}


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
    key = _position(tables)
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
    _insert_sorted(findings, extras, key)
    summaries = [
        TableSummary(t.file, t.sheet, t.kind, t.header_row, count)
        for t, count in zip(tables, counts, strict=True)
    ]
    return Report(findings, summaries, data_fingerprint(prints), prints=prints)


def read_findings(table: Table) -> list[Finding]:
    """What reading a table found: rows with data that are not records (below a footer
    line, or outside the table's columns), and cells holding an Excel error."""
    items = [_unplaced(table, item) for item in table.unplaced]
    for row, column, value in table.errors:
        problem = ERROR_VALUE.problem(value=value, meaning=ERROR_MEANINGS.get(value, ""))
        label = next((field_label(table.kind, k) for k, c in table.columns.items() if c == column))
        items.append(_at(table, row, column, label, value, problem))
    return items


def _unplaced(table: Table, item: Unplaced) -> Finding:
    what = "党员" if table.kind == "members" else "党组织"
    if item.stray:
        problem = STRAY_VALUE.problem(row=item.row, value=item.value, what=what)
        label = next(
            field_label(table.kind, k) for k, c in table.columns.items() if c == item.column
        )
        return _at(table, item.row, item.column, label, item.value, problem)
    if item.footer is not None:
        row, line = item.footer
        where = f"在表尾“{visible(line[:20])}”（第{row}行）的下面"
        fix = f"如果是{what}，请把这一行移到表尾的上面，紧接着表格中的数据；如果不是，请删除"
    else:
        letters = "、".join(column_letter(c) for c in item.columns[:5])
        letters += "等" if len(item.columns) > 5 else ""
        where = f"只在{letters}列有内容，这些列不是{KIND_TITLES[table.kind]}的列（表头中没有）"
        fix = f"如果是{what}的信息，请填到表头对应的列中；如果不需要，请删除这些内容"
    problem = ROW_NOT_READ.problem(row=item.row, where=where, what=what, fix=fix)
    return _at(table, item.row, item.column, "", "", problem)


def _at(table: Table, row: int, column: int, label: str, value: str, problem: Problem) -> Finding:
    return Finding(
        file=table.file,
        sheet=table.sheet,
        row=row,
        column=column,
        field=label,
        rule=problem.code,
        severity=problem.severity,
        value=value,
        message=problem.message,
    )


def merge_outputs(tables: list[Table]) -> list[Finding]:
    """A warning for each dyxx merge output checked (or merged) together with other files."""
    first: dict[str, Table] = {}
    for table in tables:
        first.setdefault(table.file, table)
    if len(first) < 2:
        return []
    return [
        _at(table, table.header_row, 1, "", "", MERGE_OUTPUT.problem(file=Path(file).name))
        for file, table in first.items()
        if table.made_by == "merge"
    ]


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
        keys = ParsedColumn(column, _branch_key)
        for index in keys.where(lambda key: key is not None and key not in known):
            place = _place(table, part.rows[index], "branch")
            items.append(Keyed(keys.result(index), text(column[index]), "所在党支部", place))
    return items


def _branch_key(raw: object) -> str | None:
    return None if is_blank(raw) else org_name_key(text(raw))


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
