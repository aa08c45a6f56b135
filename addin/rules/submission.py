"""Rules across records and files: one submission is every file given together.

Both run in O(n): one dictionary pass over the IDs, one set of branch names.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from addin.model.findings import Finding, rule
from addin.read.reader import Table
from addin.values import cells

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
NO_MEMBERS = rule(
    "submission.no_members",
    "error",
    "附件4 中没有任何党员",
    "附件4 中没有任何党员：工作表“{sheet}”的表头下没有一行党员信息（本次校验的文件中都没有党员）；"
    "空白的表不能报送，请填写后再校验",
)
EMPTY_TABLE = rule(
    "submission.empty_table",
    "warning",
    "表格中没有数据",
    "{annex} 中没有任何{things}：工作表“{sheet}”的表头下没有一行数据，而一起校验的其他表格有；"
    "请核对是否漏填或填到了别的工作表",
)
DUPLICATE_ORG = rule(
    "org.duplicate_name",
    "error",
    "党组织名称重复",
    "党组织名称“{value}”重复：与{other}相同；每个党组织只填一行。联合支部有多个单位时，"
    "各单位的名称、代码分别填在同一行的“单位名称”“党组织所在单位代码”格中，用“、”分隔",
)

MERGE_OUTPUT = rule(
    "file.merge_output",
    "warning",
    "输入的是 dyxx 的汇总结果",
    "“{file}”是 dyxx merge 的汇总结果（有“问题清单”“数据来源”等工作表），其中的党员和党组织"
    "已经汇总过一次；它的附件3、附件4 照常读取，dyxx 生成的工作表不读取。如果它所汇总的"
    "各支部文件也在这次的文件中，同一党员会出现两次：请只给各支部的文件，或只给汇总结果",
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


def org_key(raw: object) -> str | None:
    """:func:`org_name_key` of a cell naming a 党组织 (党组织名称, 所在党支部); None if blank."""
    return None if cells.is_blank(raw) else org_name_key(cells.text(raw))


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


def empty_tables(tables: Sequence[Table]) -> list[Finding]:
    """A submission with no member at all (the blank template sent back) is an error on its
    empty 附件4; an empty table beside filled ones is a warning.
    """
    filled = [bool(t.records) for t in tables]
    members = any(f for t, f in zip(tables, filled, strict=True) if t.kind == "members")
    findings: list[Finding] = []
    for table, full in zip(tables, filled, strict=True):
        if full:
            continue
        if table.kind == "members" and not members:
            problem = NO_MEMBERS.problem(sheet=table.sheet)
        elif any(filled):
            annex, things = ("附件4", "党员") if table.kind == "members" else ("附件3", "党组织")
            problem = EMPTY_TABLE.problem(annex=annex, things=things, sheet=table.sheet)
        else:
            continue
        place = Place(table.file, table.sheet, table.data_row, 1)
        findings.append(_finding(Keyed("", "", "表格", place), problem))
    return findings


def merge_outputs(tables: list[Table]) -> list[Finding]:
    """A warning for each dyxx merge output checked (or merged) together with other files."""
    first: dict[str, Table] = {}
    for table in tables:
        first.setdefault(table.file, table)
    if len(first) < 2:
        return []
    return [
        Finding.at(table, table.header_row, 1, "", "", MERGE_OUTPUT.problem(file=Path(file).name))
        for file, table in first.items()
        if table.made_by == "merge"
    ]


def unknown_branches(branches: Iterable[Keyed], org_names: Iterable[str]) -> list[Finding]:
    """A finding for each branch whose key is not one of the 附件3 names (none when 附件3
    names none: its being empty is reported on its own)."""
    names = {org_name_key(n): n for n in org_names}
    if not names:
        return []
    alike = Alike(names)
    hints: dict[str, str] = {}
    findings: list[Finding] = []
    for item in branches:
        if item.key in names:
            continue
        if item.key not in hints:
            hints[item.key] = alike.hint(item.key)
        findings.append(
            _finding(item, BRANCH_UNKNOWN.problem(value=item.value, hint=hints[item.key]))
        )
    return findings


class Alike:
    """The 附件3 names, to suggest the one a branch name was probably meant to be.

    A name is suggested only when it is written nearly alike: the same name with
    中共/委员会/党 dropped or added, a short form of exactly one name, or one character
    added, dropped or changed (not a number: 第一支部 is not 第二支部). A row pasted
    from another branch is never told to move to this file's branch.

    >>> alike = Alike({n: n for n in ("中共林业局机关支部委员会", "中共林场第一支部委员会")})
    >>> alike.hint("林业局机关党支部"), alike.hint("中共林业局机关支布委员会")
    ('（是否应为“中共林业局机关支部委员会”？）', '（是否应为“中共林业局机关支部委员会”？）')
    >>> alike.hint("中共教育局机关支部委员会"), alike.hint("中共林场第二支部委员会")
    ('', '')
    """

    def __init__(self, names: dict[str, str]) -> None:
        """``names``: each 附件3 name by its :func:`org_name_key`."""
        self.cores = {name: (key, _core(key)) for key, name in names.items()}
        self.order = {name: index for index, name in enumerate(self.cores)}
        # every key and core with one character (or none) deleted: a name one edit away
        # from a text shares one of these with it, so candidates are found in O(len(text))
        self.near: dict[str, set[str]] = {}
        for name, texts in self.cores.items():
            for text in set(texts):
                for variant in _deletions(text):
                    self.near.setdefault(variant, set()).add(name)

    def hint(self, key: str) -> str:
        """“（是否应为“…”？）” naming the 附件3 name ``key`` is written like, or ""."""
        core = _core(key)
        same = [name for name, (_key, other) in self.cores.items() if other == core]
        if same:
            return _suggest(same)
        if len(core) >= SHORT_FORM:
            containing = [name for name, (_key, other) in self.cores.items() if core in other]
            if containing:
                return _suggest(containing)
        near = {n for text in {key, core} for v in _deletions(text) for n in self.near.get(v, ())}
        return _suggest(
            [
                name
                for name in sorted(near, key=self.order.__getitem__)
                if _one_edit(self.cores[name][1], core) or _one_edit(self.cores[name][0], key)
            ]
        )


def _deletions(text: str) -> set[str]:
    return {text, *(text[:i] + text[i + 1 :] for i in range(len(text)))}


def _suggest(found: list[str]) -> str:
    """The hint naming the one name found ("" for none, or for several)."""
    return f"（是否应为“{found[0]}”？）" if len(found) == 1 else ""


SHORT_FORM = 4  # characters a short form needs to name one branch (not 支部, 党支部)
_PREFIXES = ("中国共产党", "中共")
_SUFFIXES = ("委员会", "党委", "委")
_NUMERALS = frozenset("0123456789〇零一二三四五六七八九十百甲乙丙丁")


def _core(key: str) -> str:
    """A name without the words that may be dropped: 中共, 委员会 (党委), 党.

    >>> _core("中共邵阳县林业局机关支部委员会"), _core("邵阳县林业局党委")
    ('邵阳县林业局机关支部', '邵阳县林业局')
    """
    for prefix in _PREFIXES:
        key = key.removeprefix(prefix)
    for suffix in _SUFFIXES:
        if key.endswith(suffix):
            key = key.removesuffix(suffix)
            break
    return key.replace("党", "")


def _one_edit(a: str, b: str) -> bool:
    """One character added, dropped or changed, and that character is not a numeral.

    >>> _one_edit("林业局机关支部", "林业局机关支布"), _one_edit("林场第一支部", "林场第二支部")
    (True, False)
    >>> _one_edit("林业局机关支部", "林业局机关总支部"), _one_edit("林业局机关支部", "林业局支部")
    (True, False)
    """
    if a == b or abs(len(a) - len(b)) > 1 or min(len(a), len(b)) < 4:
        return False
    i = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(map(len, (a, b)))
    )
    if a[i + 1 :] == b[i + 1 :] and len(a) == len(b):
        changed = a[i] + b[i]  # changed
    elif a[i:] == b[i + 1 :]:
        changed = b[i]  # added to b
    elif a[i + 1 :] == b[i:]:
        changed = a[i]  # dropped from b
    else:
        return False
    return not _NUMERALS.intersection(changed)


def _finding(item: Keyed, problem) -> Finding:
    place = item.place
    return Finding.at(place, place.row, place.column, item.field, item.value, problem)
