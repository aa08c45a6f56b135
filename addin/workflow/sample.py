"""检查验收: a reproducible random sample of organisations and members for the inspection team.

The notice asks the inspection to take "一定比例的基层党组织" and to make sure
every branch is covered ("确保覆盖到全县各基层党支部"). So:

- members are drawn per 所在党支部: ⌈ratio × members⌉ of each branch, at least one;
- organisations (附件3 rows) are drawn at the same ratio, at least one, and every
  organisation without a member in 附件4 is added, so that each organisation and
  each branch named in 附件4 has at least one record in the sample.

The draw depends only on the data, the ratio and the seed: records are put in a
fixed order (by branch name, then ID number or organisation name) before
:class:`random.Random` with the seed picks from them, so the same summary gives
the same sample even if its rows were sorted differently.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.worksheet.datavalidation import DataValidation

from addin import __version__
from addin.engine.report import data_fingerprint
from addin.read.reader import Record, Table
from addin.rules.compare import field_keys, id_key, records
from addin.rules.org import organisation_items
from addin.values.cells import text
from addin.workflow.common import branch_key, branch_name, masked, plain, save
from addin.workflow.merge import committee_of
from addin.workflow.sheets import official_sheet, report_sheet
from addin.write.layout import new_workbook

CHECKLIST_SHEET, ORGS_SHEET, MEMBERS_SHEET = "抽查清单", "抽查党组织", "抽查党员"
PARAMETERS_SHEET, COVERAGE_SHEET = "抽样说明", "覆盖情况"
CHECKS = ("信息是否完整", "信息是否准确", "信息是否规范")
METHOD = (
    "每个所在党支部按比例抽取党员（向上取整，至少1名）；党组织按同一比例抽取（至少1个），"
    "附件4中没有党员的党组织全部抽取，确保每个党组织、每个党支部至少抽到一条记录。"
    "记录先按党支部名称、身份证号（党组织名称）排序再用随机种子抽取，同一数据、比例和种子抽样结果相同。"
)


@dataclass
class Branch:
    """One organisation or branch: how many members it has and how many were drawn."""

    name: str
    in_orgs: bool = False
    members: int = 0
    drawn_members: int = 0
    org_drawn: bool = False


@dataclass
class Sample:
    source: Path
    ratio: float
    seed: int
    fingerprint: str
    orgs: list[tuple[Table, Record]]  # in summary order
    members: list[tuple[Table, Record]]
    totals: dict[str, int]
    branches: list[Branch] = field(default_factory=list)
    committee: str = ""

    def covered(self) -> bool:
        return all(b.drawn_members or b.org_drawn for b in self.branches)


def count(ratio: float, size: int) -> int:
    """How many of ``size`` records to draw: ⌈ratio × size⌉, at least 1 (none of none).

    >>> count(0.1, 30), count(0.1, 31), count(0.05, 3), count(1, 4), count(0.5, 0)
    (3, 4, 1, 4, 0)
    """
    if size == 0:
        return 0
    return min(size, max(1, math.ceil(round(ratio * size, 9))))


def draw(source: Path, tables: list[Table], ratio: float, seed: int) -> Sample:
    rng = random.Random(seed)
    order = {id(t): i for i, t in enumerate(tables)}

    def position(item: tuple[Table, Record]) -> tuple[int, int]:
        return order[id(item[0])], item[1].row

    branches: dict[str, Branch] = {}
    groups: dict[str, list[tuple[Table, Record]]] = defaultdict(list)
    for item in records(tables, "members"):
        raw = item[1].values.get("branch")
        key = branch_key(raw)
        groups[key].append(item)
        branches.setdefault(key, Branch(branch_name(raw))).members += 1
    orgs = organisation_items(tables)  # each 党组织 once, a 联合支部's units joined in
    for _table, record in orgs:
        raw = record.values.get("org_name")
        branches.setdefault(branch_key(raw), Branch(branch_name(raw))).in_orgs = True
    members: list[tuple[Table, Record]] = []
    for key in sorted(groups):
        group = sorted(groups[key], key=_member_order)
        chosen = rng.sample(group, count(ratio, len(group)))
        branches[key].drawn_members = len(chosen)
        members.extend(chosen)
    ordered = sorted(orgs, key=lambda o: (branch_key(o[1].values.get("org_name")), *position(o)))
    chosen_orgs = rng.sample(ordered, count(ratio, len(ordered)))
    chosen_ids = {id(o[1]) for o in chosen_orgs}
    chosen_orgs += [
        o
        for o in ordered
        if id(o[1]) not in chosen_ids and not groups.get(branch_key(o[1].values.get("org_name")))
    ]
    for _table, record in chosen_orgs:
        branches[branch_key(record.values.get("org_name"))].org_drawn = True
    return Sample(
        source=source,
        ratio=ratio,
        seed=seed,
        fingerprint=data_fingerprint(tables),
        orgs=sorted(chosen_orgs, key=position),
        members=sorted(members, key=position),
        totals={"orgs": len(orgs), "members": sum(len(g) for g in groups.values())},
        branches=[branches[k] for k in sorted(branches)],
        committee=committee_of(tables),
    )


def _member_order(item: tuple[Table, Record]) -> tuple[str, str]:
    values = item[1].values
    return id_key(values.get("id_number")) or "", text(values.get("name"))


def write_sample(sample: Sample, target: Path, *, mask: bool, secret: str | None) -> None:
    workbook = new_workbook()
    _checklist(workbook, sample, mask)
    for kind, items, title in (
        ("orgs", sample.orgs, ORGS_SHEET),
        ("members", sample.members, MEMBERS_SHEET),
    ):
        keys = field_keys(kind)
        rows = [{k: _cell(k, r.values.get(k), mask) for k in keys} for _t, r in items]
        official_sheet(workbook, kind, rows, title=title, committee=sample.committee)
    _parameters(workbook, sample)
    save(workbook, target, [sample.source], secret)


def _cell(key: str, raw: object, mask: bool) -> object:
    value = plain(raw)
    if mask and isinstance(value, str | int):
        return masked(key, text(value), mask) or None
    return value


def _checklist(workbook, sample: Sample, mask: bool) -> None:
    rows: list[list[object]] = []
    for table, record in sample.orgs:
        name = text(record.values.get("org_name"))
        rows.append(["党组织", name, name, "", _where(table, record)])
    for table, record in sample.members:
        number = masked("id_number", text(record.values.get("id_number")), mask)
        branch = branch_name(record.values.get("branch"))
        rows.append(
            ["党员", branch, text(record.values.get("name")), number, _where(table, record)]
        )
    numbered = [[n, *row, "", "", "", "", "", ""] for n, row in enumerate(rows, start=1)]
    header = ["序号", "类别", "所在党支部", "姓名或党组织名称", "公民身份证号", "汇总表位置"]
    written = report_sheet(
        workbook,
        CHECKLIST_SHEET,
        "检查验收抽查清单",
        [
            f"汇总表：{sample.source.name}；抽样比例 {sample.ratio:g}；随机种子 {sample.seed}；"
            f"抽取党组织 {len(sample.orgs)} 个、党员 {len(sample.members)} 名。",
            "请对照信息采集表、党员档案逐条核对，在“是否完整/准确/规范”栏选“是”或“否”，"
            "不符合的在“问题说明”中写明，核对人签名并填写日期。",
        ],
        [*header, *CHECKS, "问题说明", "核对人", "核对日期"],
        numbered,
        [6, 8, 26, 22, 21, 20, 8, 8, 8, 24, 10, 12],
    )
    sheet = written.sheet
    if rows:
        ticks = DataValidation(
            type="list",
            formula1='"是,否"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="只能选“是”或“否”",
            error="请从下拉列表中选择“是”或“否”",
        )
        ticks.add(f"G{written.first}:I{written.last}")
        sheet.add_data_validation(ticks)
    for row in range(written.first, written.last + 1):  # room to write in, or what wraps
        sheet.row_dimensions[row].height = max(24, sheet.row_dimensions[row].height or 0)


def _where(table: Table, record: Record) -> str:
    return f"{table.sheet} 第{record.row}行"


def _parameters(workbook, sample: Sample) -> None:
    drawn_orgs, drawn_members = len(sample.orgs), len(sample.members)
    items = [
        ("汇总表", sample.source.name),
        ("数据指纹", sample.fingerprint),
        ("抽样比例", f"{sample.ratio:g}"),
        ("随机种子", sample.seed),
        ("抽样方法", METHOD),
        ("党组织", f"共 {sample.totals['orgs']} 个，抽取 {drawn_orgs} 个"),
        ("党员", f"共 {sample.totals['members']} 名，抽取 {drawn_members} 名"),
        ("覆盖", f"全部 {len(sample.branches)} 个党组织（党支部）均已抽到"),
        (
            "复现命令",
            f"dyxx sample {sample.source.name} --ratio {sample.ratio:g} --seed {sample.seed}",
        ),
        ("抽样工具", f"dyxx {__version__}"),
    ]
    report_sheet(
        workbook,
        PARAMETERS_SHEET,
        "抽样说明",
        ["同一汇总表（数据指纹相同）、同一比例和随机种子，抽样结果完全相同。"],
        ["项目", "内容"],
        [list(item) for item in items],
        [14, 100],
        landscape=False,
    )
    rows = [
        [
            b.name,
            "是" if b.in_orgs else "否",
            b.members,
            b.drawn_members,
            "是" if b.org_drawn else "",
        ]
        for b in sample.branches
    ]
    report_sheet(
        workbook,
        COVERAGE_SHEET,
        "覆盖情况：每个党组织（党支部）抽到的记录",
        ["“党员”为附件4中所在党支部为该名称的党员数；没有党员的党组织抽查其附件3信息。"],
        ["党组织（党支部）", "在附件3中", "党员", "抽查党员", "抽查党组织信息"],
        rows,
        [40, 10, 8, 10, 14],
        landscape=False,
    )
