"""Rules across records and files: one submission is every file given together.

Both run in O(n): one dictionary pass over the IDs, one set of branch names.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from addin.findings import Finding, rule

DUPLICATE_ID = rule(
    "member.duplicate_id",
    "error",
    "身份证号重复",
    "身份证号{value}重复：与{other}的记录相同；同一党员只能有一条记录，请核对后删除或改正",
)
BRANCH_UNKNOWN = rule(
    "member.branch_unknown",
    "error",
    "所在党支部不在附件3中",
    "所在党支部“{value}”不是附件3中的党组织名称{hint}；请填写党组织全称，与附件3完全一致",
)
DUPLICATE_ORG = rule(
    "org.duplicate_name",
    "error",
    "党组织名称重复",
    "党组织名称“{value}”重复：与{other}相同；每个党组织只填一行",
)


class Place(NamedTuple):
    """Where a value sits, for messages that point at the other copy."""

    file: str
    sheet: str
    row: int
    column: int | None

    def describe(self, here: Place) -> str:
        where = f"第{self.row}行"
        if self.sheet != here.sheet or self.file != here.file:
            where = f"工作表“{self.sheet}”{where}"
        if self.file != here.file:
            where = f"文件“{Path(self.file).name}”{where}"
        return where


class Keyed(NamedTuple):
    key: str  # the normalised value compared
    value: str  # what the cell shows
    field: str
    place: Place


def org_name_key(name: str) -> str:
    """Names compare without spaces and with full-width forms folded.

    >>> org_name_key(" 中共邵阳县林业局 机关支部委员会 ")
    '中共邵阳县林业局机关支部委员会'
    >>> org_name_key("第１支部")
    '第1支部'
    """
    return "".join(unicodedata.normalize("NFKC", name).split())


def duplicates(items: Iterable[Keyed], kind: str) -> list[Finding]:
    """Every copy of a repeated key, each naming the first other copy."""
    template = DUPLICATE_ID if kind == "id" else DUPLICATE_ORG
    groups: dict[str, list[Keyed]] = {}
    for item in items:
        groups.setdefault(item.key, []).append(item)
    findings: list[Finding] = []
    for group in groups.values():
        if len(group) < 2:
            continue
        for item in group:
            other = next(o for o in group if o is not item)
            problem = template.problem(value=item.value, other=other.place.describe(item.place))
            findings.append(_finding(item, problem))
    return findings


def unknown_branches(branches: Iterable[Keyed], org_names: Iterable[str]) -> list[Finding]:
    """A finding for each branch whose key is not one of the 附件3 names."""
    names = {org_name_key(n): n for n in org_names}
    hints: dict[str, str] = {}
    findings: list[Finding] = []
    for item in branches:
        if item.key in names:
            continue
        if item.key not in hints:
            hints[item.key] = _hint(item.key, names)
        findings.append(
            _finding(item, BRANCH_UNKNOWN.problem(value=item.value, hint=hints[item.key]))
        )
    return findings


def _hint(key: str, names: dict[str, str]) -> str:
    """Suggest the 附件3 name the officer probably meant (a short form, or a typo)."""
    containing = [n for n in names if key and key in n]
    close = containing[:1] or difflib.get_close_matches(key, list(names), n=1, cutoff=0.6)
    return f"（是否应为“{names[close[0]]}”？）" if close else ""


def _finding(item: Keyed, problem) -> Finding:
    return Finding(
        file=item.place.file,
        sheet=item.place.sheet,
        row=item.place.row,
        column=item.place.column,
        field=item.field,
        rule=problem.code,
        severity=problem.severity,
        value=item.value,
        message=problem.message,
    )
