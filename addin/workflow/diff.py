"""更新维护: what changed between two summaries, one row per change.

Members are matched by 公民身份证号 (by 姓名 and 出生日期 when the number is
missing), organisations by 党组织名称 (spaces and full-width forms ignored).
Values are compared as meant (:func:`addin.rules.compare.comparable`), so a
code rewritten as "21 大学" or a date retyped as 1968.03.12 is no change.

Each field change is classified as the maintenance event the notice lists
(三(三)): 转正, 组织关系转移 (another 所在党支部), 停止党籍 / 恢复党籍, 失联 /
失联党员取得联系, 外出流动 / 流动党员返回; anything else is 基本信息变动.
A renamed organisation shows as one 减少 and one 新增.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from addin import __version__
from addin.engine.report import data_fingerprint
from addin.model.fields import field_label
from addin.read.reader import Record, Table
from addin.rules.compare import comparable, field_keys, id_key, records, shown
from addin.rules.org import organisation_items
from addin.rules.submission import org_key
from addin.values.cells import is_blank, text
from addin.workflow.common import branch_name, masked, save
from addin.workflow.sheets import report_sheet
from addin.write.layout import new_workbook

SUBJECTS = {"members": "党员", "orgs": "党组织"}
ADDED, REMOVED = "新增", "减少"
OTHER = {"members": "基本信息变动", "orgs": "党组织信息变动"}
# The order of the 变动统计 sheet.
EVENTS = (
    ADDED,
    REMOVED,
    "转正",
    "组织关系转移",
    "停止党籍",
    "恢复党籍",
    "失联",
    "失联党员取得联系",
    "失联信息变动",
    "外出流动",
    "流动党员返回",
    "外出流向变动",
    "人员类别变动",
    "党籍状态变动",
    "基本信息变动",
    "党组织信息变动",
)
CHANGES_SHEET, COUNTS_SHEET, ABOUT_SHEET = "变动清单", "变动统计", "比较说明"


@dataclass(frozen=True)
class Change:
    subject: str  # members / orgs
    event: str  # 新增, 减少, 转正, 组织关系转移 …
    name: str  # person or organisation
    number: str  # ID number ("" for organisations)
    old_branch: str
    new_branch: str
    field: str  # label of the changed field ("" for 新增/减少)
    key: str  # its field key
    old: str
    new: str
    old_place: str
    new_place: str


@dataclass
class Diff:
    old: Path
    new: Path
    changes: list[Change]
    totals: dict[str, tuple[int, int]]  # kind -> (old count, new count)
    fingerprints: tuple[str, str]
    ambiguous: dict[str, int] = field(default_factory=dict)  # kind -> keys held by several rows

    def counts(self) -> list[tuple[str, str, int, int]]:
        """(subject, event, changes, people or organisations concerned), in EVENTS order."""
        rows: Counter[tuple[str, str]] = Counter()
        concerned: dict[tuple[str, str], set[str]] = defaultdict(set)
        for change in self.changes:
            rows[(change.subject, change.event)] += 1
            concerned[(change.subject, change.event)].add(change.number or change.name)
        return [
            (kind, event, rows[(kind, event)], len(concerned[(kind, event)]))
            for kind in SUBJECTS
            for event in EVENTS
            if rows[(kind, event)]
        ]


def compare(old: Path, old_tables: list[Table], new: Path, new_tables: list[Table]) -> Diff:
    changes: list[Change] = []
    totals: dict[str, tuple[int, int]] = {}
    ambiguous: dict[str, int] = {}
    for kind, key_of in (("orgs", _org_identity), ("members", _member_identity)):
        before, after = items_of(old_tables, kind), items_of(new_tables, kind)
        totals[kind] = (len(before), len(after))
        found, repeated = _compare_kind(kind, before, after, key_of)
        changes.extend(found)
        if repeated:
            ambiguous[kind] = repeated
    prints = (data_fingerprint(old_tables), data_fingerprint(new_tables))
    return Diff(old, new, changes, totals, prints, ambiguous)


def items_of(tables: list[Table], kind: str) -> list[Item]:
    """The rows compared: each 党组织 once, a 联合支部's unit rows joined into its first
    row (so writing them on one row as asked is no change)."""
    return organisation_items(tables) if kind == "orgs" else records(tables, kind)


def _member_identity(record: Record) -> str | None:
    number = id_key(record.values.get("id_number"))
    if number:
        return number
    name = record.values.get("name")
    if is_blank(name):
        return None
    birth = comparable("members", "birth_date", record.values.get("birth_date"))
    return f"姓名:{comparable('members', 'name', name)}|{birth}"


def _org_identity(record: Record) -> str | None:
    return org_key(record.values.get("org_name"))


Item = tuple[Table, Record]


def _grouped(items: list[Item], key_of: Callable[[Record], str | None]) -> dict[str, list[Item]]:
    groups: dict[str, list[Item]] = {}
    for item in items:
        key = key_of(item[1])
        if key is not None:
            groups.setdefault(key, []).append(item)
    return groups


def _compare_kind(
    kind: str, before: list[Item], after: list[Item], key_of: Callable[[Record], str | None]
) -> tuple[list[Change], int]:
    old_groups, new_groups = _grouped(before, key_of), _grouped(after, key_of)
    repeated = sum(len(g) > 1 for g in (*old_groups.values(), *new_groups.values()))
    changes: list[Change] = []
    for key, items in new_groups.items():
        olds = old_groups.get(key, [])
        for index, item in enumerate(items):
            if index < len(olds):
                changes.extend(_field_changes(kind, olds[index], item))
            else:
                changes.append(_whole(kind, ADDED, None, item))
    for key, olds in old_groups.items():
        for item in olds[len(new_groups.get(key, [])) :]:
            changes.append(_whole(kind, REMOVED, item, None))
    changes.extend(_whole(kind, ADDED, None, i) for i in after if key_of(i[1]) is None)
    changes.extend(_whole(kind, REMOVED, i, None) for i in before if key_of(i[1]) is None)
    return changes, repeated


def _place(item: Item | None) -> str:
    return f"{item[0].sheet} 第{item[1].row}行" if item else ""


def _identity(kind: str, old: Item | None, new: Item | None) -> dict[str, str]:
    record = (new or old)[1]  # type: ignore[index]
    name_key = "name" if kind == "members" else "org_name"
    branches = ["", ""]
    if kind == "members":
        branches = [branch_name(i[1].values.get("branch")) if i else "" for i in (old, new)]
    return {
        "name": text(record.values.get(name_key)),
        "number": text(record.values.get("id_number")) if kind == "members" else "",
        "old_branch": branches[0],
        "new_branch": branches[1],
        "old_place": _place(old),
        "new_place": _place(new),
    }


def _whole(kind: str, event: str, old: Item | None, new: Item | None) -> Change:
    return Change(kind, event, field="", key="", old="", new="", **_identity(kind, old, new))


def _field_changes(kind: str, old: Item, new: Item) -> list[Change]:
    before, after = old[1].values, new[1].values
    values = {
        k: (comparable(kind, k, before.get(k)), comparable(kind, k, after.get(k)))
        for k in field_keys(kind)
    }
    identity = _identity(kind, old, new)
    changes = []
    for key, (was, now) in values.items():
        if was == now:
            continue
        changes.append(
            Change(
                kind,
                _event(kind, key, was, now, values),
                field=field_label(kind, key),
                key=key,
                old=shown(kind, key, before.get(key)),
                new=shown(kind, key, after.get(key)),
                **identity,
            )
        )
    return changes


def _event(kind: str, key: str, was: str, now: str, values: dict[str, tuple[str, str]]) -> str:
    """The maintenance event a field change stands for."""
    if kind == "orgs":
        return OTHER[kind]
    promoted = values["category"] == ("预备党员", "正式党员")
    if key == "category":
        return "转正" if promoted else "人员类别变动"
    if key == "full_date" and promoted:
        return "转正"
    if key == "branch":
        return "组织关系转移"
    if key == "status":
        return {"停止党籍": "停止党籍"}.get(now) or (
            "恢复党籍" if was == "停止党籍" else "党籍状态变动"
        )
    if key == "lost":
        return "失联" if now == "是" else "失联党员取得联系" if was == "是" else "失联信息变动"
    if key == "lost_date":
        return "失联信息变动"
    if key == "mobile_flow":
        return "外出流动" if now == "是" else "流动党员返回" if was == "是" else "外出流向变动"
    if key == "destination":
        return "外出流向变动"
    return OTHER[kind]


def write_diff(diff: Diff, target: Path, *, mask: bool, secret: str | None) -> None:
    workbook = new_workbook()
    rows = [
        [
            number,
            SUBJECTS[c.subject],
            c.event,
            c.name,
            masked("id_number", c.number, mask),
            c.old_branch,
            c.new_branch,
            c.field,
            masked(c.key, c.old, mask),
            masked(c.key, c.new, mask),
            c.old_place,
            c.new_place,
        ]
        for number, c in enumerate(diff.changes, start=1)
    ]
    report_sheet(
        workbook,
        CHANGES_SHEET,
        "变动清单：每行一处变动",
        [f"原汇总表：{diff.old.name}；新汇总表：{diff.new.name}；共 {len(rows)} 处变动。"],
        [
            "序号",
            "对象",
            "变动类型",
            "姓名或党组织名称",
            "公民身份证号",
            "原所在党支部",
            "现所在党支部",
            "变动项目",
            "原值",
            "新值",
            "原位置",
            "新位置",
        ],
        rows,
        [6, 7, 14, 24, 20, 26, 26, 14, 22, 22, 20, 20],
    )
    totals = [
        [SUBJECTS[kind], "总数（原 → 新）", f"{was} → {now}", ""]
        for kind, (was, now) in diff.totals.items()
    ]
    counted = [[SUBJECTS[k], event, n, people] for k, event, n, people in diff.counts()]
    report_sheet(
        workbook,
        COUNTS_SHEET,
        "变动统计",
        ["“条数”为变动清单中的行数，“涉及”为涉及的党员人数或党组织个数。"],
        ["对象", "变动类型", "条数", "涉及"],
        totals + counted,
        [10, 20, 14, 8],
        landscape=False,
    )
    about = [
        ["原汇总表", diff.old.name],
        ["原数据指纹", diff.fingerprints[0]],
        ["新汇总表", diff.new.name],
        ["新数据指纹", diff.fingerprints[1]],
        [
            "比较方法",
            "党员按公民身份证号（没有身份证号的按姓名和出生日期）对应，党组织按名称对应；"
            "代码与名称、日期的不同写法视为相同。党组织改名显示为一个减少、一个新增。",
        ],
        ["比较工具", f"dyxx {__version__}"],
    ]
    for kind, repeated in diff.ambiguous.items():
        about.append(
            [f"重复的{SUBJECTS[kind]}", f"{repeated} 个身份证号或名称出现不止一次，按出现顺序对应"]
        )
    report_sheet(
        workbook, ABOUT_SHEET, "比较说明", [], ["项目", "内容"], about, [14, 100], landscape=False
    )
    save(workbook, target, [diff.old, diff.new], secret)
