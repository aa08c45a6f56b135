"""拆分: the checked summary sent back to each branch, one official workbook per 党支部.

The notice: after 录入 and 校核, "把…电子版《党员基本信息汇总表》发送给相应党支部，用于
日常管理". Each 附件3 organisation gets a workbook with its own 附件3 row(s) and the
members whose 所在党支部 names it (matched as everywhere in dyxx:
:func:`addin.workflow.common.by_branch`), numbered afresh under the same header
block. Members that match no 附件3 row (or name no branch) are never guessed into
one: they go together into :data:`UNMATCHED`, with a sheet saying why. Every input
row lands in exactly one file, and all files are written or none
(:func:`addin.write.outputs.batch`).

A summary without any 附件3 row (the system's member export) is split by the
所在党支部 as written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.workbook import Workbook

from addin import __version__
from addin.model.celltext import for_cell
from addin.model.errors import WorkbookError
from addin.model.safename import Namer
from addin.read.reader import Record, Table
from addin.rules.compare import field_keys, records
from addin.rules.submission import Alike
from addin.workflow.common import NO_BRANCH, BranchRecords, by_branch, check_target, plain
from addin.workflow.merge import committee_of
from addin.workflow.sheets import official_sheet, report_sheet
from addin.write import outputs
from addin.write.layout import new_workbook

UNMATCHED = "未匹配党支部的党员"
REASONS_SHEET = "未匹配原因"
STEM_LIMIT = 150  # bytes: 50 Chinese characters, so that Excel's 218-character path limit holds


@dataclass
class Part:
    """One output workbook: a branch (or the unmatched members) and where it goes."""

    name: str
    orgs: list[Record]
    members: list[Record]
    path: Path
    unmatched: bool = False


@dataclass
class Unknown:
    """A 所在党支部 that names no 附件3 organisation, and how many members wrote it."""

    name: str
    members: int
    reason: str


@dataclass
class Split:
    parts: list[Part]
    totals: dict[str, int]  # records in the input, by kind
    committee: str
    summary_date: str
    unknown: list[Unknown] = field(default_factory=list)
    unplaced: int = 0  # rows with data that are no record (reported by dyxx check)
    by_name: bool = False  # no 附件3 row: split by the 所在党支部 as written

    @property
    def unmatched(self) -> Part | None:
        return next((p for p in self.parts if p.unmatched), None)

    def written(self, kind: str) -> int:
        return sum(len(getattr(p, kind)) for p in self.parts)


def plan(tables: list[Table], source: Path, directory: Path) -> Split:
    """Which rows go into which file (raises :class:`WorkbookError` when there is nothing)."""
    totals = {kind: len(records(tables, kind)) for kind in ("orgs", "members")}
    if not any(totals.values()):
        raise WorkbookError(source, "附件3、附件4 中都没有数据，没有可拆分的内容")
    groups = by_branch(tables)
    by_name = totals["orgs"] == 0
    folder, namer = directory.resolve(), Namer(STEM_LIMIT)
    unmatched_path = folder / f"{namer(UNMATCHED)}.xlsx"  # reserved: no branch takes it
    parts: list[Part] = []
    left: list[BranchRecords] = []
    for group in groups:
        if group.key == NO_BRANCH or not (group.orgs or by_name):
            left.append(group)
        else:
            path = folder / f"{namer(group.name)}.xlsx"
            parts.append(Part(group.name, group.orgs, group.members, path))
    split = Split(parts, totals, committee_of(tables), summary_date_of(tables))
    split.unplaced = sum(len(t.unplaced) for t in tables)
    split.by_name = by_name
    if left:
        orgs = [r for g in left for r in g.orgs]  # 附件3 rows without a name
        members = [r for g in left for r in g.members]
        parts.append(Part(UNMATCHED, orgs, members, unmatched_path, unmatched=True))
        split.unknown = reasons(left, [g.name for g in groups if g.orgs and g.key != NO_BRANCH])
    return split


def reasons(left: list[BranchRecords], org_names: list[str]) -> list[Unknown]:
    """Why each group of unmatched members is unmatched, with the likely name when one is."""
    alike = Alike({n: n for n in org_names})
    found = []
    for group in left:
        if not group.members:
            continue
        if group.key == NO_BRANCH:
            reason = "没有填写所在党支部"
        else:
            reason = f"附件3中没有名为“{group.name}”的党组织{alike.hint(group.key)}"
        found.append(Unknown(group.name, len(group.members), reason))
    return found


def summary_date_of(tables: list[Table]) -> str:
    """The 汇总日期 most tables show ("" when none does)."""
    shown = Counter(t.meta.get("汇总日期", "").strip() for t in tables)
    shown.pop("", None)
    return shown.most_common(1)[0][0] if shown else ""


def part_workbook(split: Split, part: Part) -> Workbook:
    """The official 附件3 and 附件4 of one part, numbered afresh, with the summary's header
    (the unmatched members' file has a 附件3 only for 附件3 rows without a name)."""
    workbook = new_workbook()
    for kind in ("orgs", "members"):
        if kind == "orgs" and part.unmatched and not part.orgs:
            continue
        keys = field_keys(kind)
        rows = [{k: plain(r.values.get(k)) for k in keys} for r in getattr(part, kind)]
        official_sheet(
            workbook, kind, rows, committee=split.committee, summary_date=split.summary_date
        )
    if part.unmatched:
        report_sheet(
            workbook,
            REASONS_SHEET,
            "所在党支部未能对应附件3中党组织的党员",
            [
                "这些党员的所在党支部与附件3中任何党组织名称都不一致（或没有填写），"
                "未分到任何党支部的文件中。",
                "请在汇总表中改正所在党支部（填写党组织全称，与附件3完全一致）后重新拆分。",
            ],
            ["所在党支部（原填）", "党员人数", "原因"],
            [[u.name, u.members, u.reason] for u in split.unknown],
            [40, 10, 70],
        )
    workbook.properties.creator = f"dyxx {__version__}"
    workbook.properties.title = for_cell(f"{part.name} 党员基本信息汇总表")
    return workbook


def write_split(split: Split, source: Path, directory: Path, secret: str | None) -> None:
    """Write every part into ``directory``, all or none; never over the input or a
    file dyxx did not write (:mod:`addin.write.outputs`)."""
    if directory.exists() and not directory.is_dir():
        raise WorkbookError(directory, "-o 应为一个文件夹：每个党支部各写一个工作簿")
    for kind in ("orgs", "members"):  # every row in exactly one file
        if split.written(kind) != split.totals[kind]:
            raise AssertionError(f"split lost {kind}: {split.written(kind)}/{split.totals[kind]}")
    for part in split.parts:
        check_target(part.path, [source])
    outputs.claim([p.path for p in split.parts], secret)
    with outputs.batch(secret) as files:
        for part in split.parts:
            files.save(part_workbook(split, part), part.path)
