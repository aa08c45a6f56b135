"""验收 of a stamped workbook: is the data still what ``dyxx check -o`` checked?

The 校验记录 stamp holds a short hash of every data row (【行指纹】, never the
data), each at its sheet row (a table may have empty rows inside it). The
workbook is read again and its rows hashed the same way; the two sequences are
compared per table, so rows added, removed or edited since the check are named by
their rows, before and now, even when rows moved up or down.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from pathlib import Path

from addin.engine.people import NAME_KEYS
from addin.engine.report import Prints, data_fingerprint
from addin.model.a1 import runs
from addin.model.errors import WorkbookError
from addin.read.ownsheets import STAMP_SHEET
from addin.read.reader import Table, read_workbook
from addin.values import codes
from addin.values.cells import is_blank, text
from addin.write.marked.format import CODE_TABLE, FINGERPRINT
from addin.write.marked.stamp import Stamp, TablePrints, read_stamp
from addin.xlsx import source as sources

EDITED, ADDED, REMOVED = "修改", "新增", "删除"
KIND_NAMES = {"members": "附件4", "orgs": "附件3"}


@dataclass(frozen=True)
class RowChange:
    sheet: str
    kind: str
    change: str  # 修改, 新增, 删除
    old_rows: tuple[int, ...]  # sheet rows at the time of the check
    new_rows: tuple[int, ...]  # sheet rows now
    names: tuple[str, ...] = ()  # the 姓名 (党组织名称) on new_rows now, "" where blank


@dataclass
class Verdict:
    stamp: Stamp
    rows: int  # data rows now
    changes: list[RowChange] = field(default_factory=list)
    whole_only: bool = False  # the stamp has no row hashes: only "changed or not"
    whole_changed: bool = False
    codes_changed: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not self.changes and not self.whole_changed

    @property
    def accepted(self) -> bool:
        return self.unchanged and self.stamp.passed


def verify(path: Path, password: str | None = None) -> Verdict:
    """Compare a stamped workbook with its stamp (raises :class:`WorkbookError`)."""
    loaded = sources.load(path, password)
    if loaded.kind == "xls":
        raise WorkbookError(
            path, "旧版 .xls 文件没有校验记录；请对 dyxx check -o 生成的标注副本验收"
        )
    stamp = read_stamp(loaded)
    if stamp is None:
        raise WorkbookError(
            path,
            f"没有 dyxx 写的“{STAMP_SHEET}”工作表，无法验收；"
            "请先用 dyxx check -o 生成带校验记录的标注副本",
        )
    tables = read_workbook(path, password)
    verdict = Verdict(stamp, sum(len(t.records) for t in tables))
    verdict.codes_changed = _codes_changed(stamp)
    if not stamp.has_prints:
        verdict.whole_only = True
        verdict.whole_changed = stamp.text(FINGERPRINT) != data_fingerprint(tables)
        return verdict
    before = _grouped([(p.sheet, p.kind, p.records()) for p in _joined(stamp.tables)])
    now = _grouped([(t.sheet, t.kind, Prints.of(t).record_rows()) for t in tables])
    for key in dict.fromkeys([*before, *now]):
        verdict.changes.extend(_compare(key[0], key[1], before.get(key, []), now.get(key, [])))
    verdict.changes = _named(verdict.changes, tables)
    return verdict


def _named(changes: list[RowChange], tables: list[Table]) -> list[RowChange]:
    """Each change with the names on its rows now (a removed row's name is gone with it)."""
    if not changes:
        return changes
    wanted = {(c.sheet, c.kind, row) for c in changes for row in c.new_rows}
    names: dict[tuple[str, str], dict[int, str]] = {}
    for table in tables:
        key = NAME_KEYS[table.kind]
        found = names.setdefault((table.sheet, table.kind), {})
        for record in table.records:
            if (table.sheet, table.kind, record.row) in wanted:
                raw = record.values.get(key)
                found[record.row] = "" if is_blank(raw) else text(raw)
    return [
        replace(c, names=tuple(names.get((c.sheet, c.kind), {}).get(r, "") for r in c.new_rows))
        for c in changes
    ]


def _joined(parts: list[TablePrints]) -> list[TablePrints]:
    """The stamp's chunks put back together into whole tables."""
    tables: list[TablePrints] = []
    for part in parts:
        last = tables[-1] if tables else None
        if (
            last is not None
            and part.prints
            and last.prints
            and (last.sheet, last.kind) == (part.sheet, part.kind)
            and last.first + len(last.prints) == part.first
        ):
            tables[-1] = TablePrints(last.sheet, last.kind, last.first, last.prints + part.prints)
        else:
            tables.append(part)
    return tables


Records = list[tuple[int, str]]  # (sheet row, hash) of each record of a table


def _grouped(tables: list[tuple[str, str, Records]]) -> dict[tuple[str, str, int], Records]:
    """(sheet, kind, n-th such table in the sheet) -> its records."""
    seen: dict[tuple[str, str], int] = {}
    grouped = {}
    for sheet, kind, records in tables:
        ordinal = seen.get((sheet, kind), 0)
        seen[(sheet, kind)] = ordinal + 1
        grouped[(sheet, kind, ordinal)] = records
    return grouped


def _compare(sheet: str, kind: str, old: Records, new: Records) -> list[RowChange]:
    """The records added, removed and edited, by their sheet rows then and now."""
    changes = []
    before, after = [h for _row, h in old], [h for _row, h in new]
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        olds = tuple(row for row, _h in old[i1:i2])
        news = tuple(row for row, _h in new[j1:j2])
        paired = min(len(olds), len(news)) if tag == "replace" else 0
        if paired:
            changes.append(RowChange(sheet, kind, EDITED, olds[:paired], news[:paired]))
        if len(olds) > paired:
            changes.append(RowChange(sheet, kind, REMOVED, olds[paired:], ()))
        if len(news) > paired:
            changes.append(RowChange(sheet, kind, ADDED, (), news[paired:]))
    return changes


def _codes_changed(stamp: Stamp) -> list[str]:
    current = codes.versions()
    return [
        name
        for name, digest in current.items()
        if CODE_TABLE + name in stamp.items and stamp.text(CODE_TABLE + name) != digest
    ]


def spans(rows: tuple[int, ...]) -> str:
    """Row numbers as ranges.

    >>> spans((7, 9, 10, 11, 20))
    '第7、9–11、20行'
    """
    parts = (str(first) if first == last else f"{first}–{last}" for first, last in runs(rows))
    return "第" + "、".join(parts) + "行"


NAMES_SHOWN = 10  # names listed per change; more are counted


def who(names: tuple[str, ...]) -> str:
    """The names of a change's rows, for its line.

    >>> who(("王芳", "", "李四")), who(()), who(tuple("甲乙丙丁戊己庚辛壬癸子"))
    ('：王芳、李四', '', '：甲、乙、丙、丁、戊、己、庚、辛、壬、癸等11行')
    """
    filled = [name for name in names if name]
    if not filled:
        return ""
    more = f"等{len(names)}行" if len(filled) > NAMES_SHOWN else ""
    return "：" + "、".join(filled[:NAMES_SHOWN]) + more


def describe(change: RowChange) -> str:
    where = f"工作表“{change.sheet}”（{KIND_NAMES[change.kind]}）"
    if change.change == EDITED:
        moved = change.old_rows != change.new_rows
        before = f"（校验时为{spans(change.old_rows)}）" if moved else ""
        return f"{where}：{spans(change.new_rows)}{before}已修改{who(change.names)}"
    if change.change == ADDED:
        return f"{where}：新增{spans(change.new_rows)}{who(change.names)}"
    return f"{where}：删除了校验时的{spans(change.old_rows)}"
