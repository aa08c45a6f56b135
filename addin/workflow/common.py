"""What the workflow steps share: reading inputs, masking and writing values, saving.

Rows are compared as :mod:`addin.rules.compare` compares them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from openpyxl.workbook import Workbook

from addin.engine.mask import mask_field
from addin.model.errors import WorkbookError
from addin.model.fields import FIELDS
from addin.read.reader import Record, Table, read_workbook
from addin.rules.compare import records
from addin.rules.submission import org_key
from addin.values import cells as values
from addin.values import codes
from addin.write.outputs import refuse_overwrite, save_atomically

# Labels by field key, for masking (the label names the field in messages too).
LABELS = {f.key: f.label for kind in FIELDS for f in FIELDS[kind]}
NO_BRANCH = "（未填所在党支部）"


def read_all(files: Iterable[Path], passwords: Mapping[Path, str]) -> list[Table]:
    """Every table of every file, in order (raises :class:`WorkbookError`)."""
    tables: list[Table] = []
    for path in files:
        tables.extend(read_workbook(path, passwords.get(path)))
    return tables


def plain(raw: object) -> object:
    """A cell value to write back: integral floats as integers, "" as empty."""
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e16:
        return int(raw)
    if raw == "":
        return None
    return raw


def masked(key: str, text: str, mask: bool) -> str:
    """``text`` of the field ``key``, masked if ``mask`` (:func:`addin.engine.mask.mask_field`)."""
    if not mask or not text:
        return text
    return mask_field(LABELS.get(key, key), text)


def branch_name(raw: object) -> str:
    """A 所在党支部 as shown, or a placeholder for an empty one."""
    return NO_BRANCH if values.is_blank(raw) else values.text(raw)


def branch_key(raw: object) -> str:
    """Branch names compare like 附件3 names (no spaces, full-width folded)."""
    key = org_key(raw)
    return NO_BRANCH if key is None else key


@dataclass
class BranchRecords:
    """One branch's 附件3 rows and members (``key``: the name as compared)."""

    name: str
    key: str
    orgs: list[Record] = field(default_factory=list)
    members: list[Record] = field(default_factory=list)


def by_branch(tables: list[Table]) -> list[BranchRecords]:
    """Organisations and members grouped by branch, in the order of the summary.

    A member belongs to the 附件3 row whose 党组织名称 matches its 所在党支部
    (:func:`branch_key`); a branch named by members only has no ``orgs``.
    """
    branches: dict[str, BranchRecords] = {}
    for kind, name_key in (("orgs", "org_name"), ("members", "branch")):
        for _table, record in records(tables, kind):
            raw = record.values.get(name_key)
            key = branch_key(raw)
            group = branches.setdefault(key, BranchRecords(branch_name(raw), key))
            getattr(group, kind).append(record)
    return list(branches.values())


def enumerated(table_key: str, raw: object) -> str | None:
    """The code of an enumeration value (正式党员, 是, 停止党籍 …), None when unknown."""
    entry = codes.table(table_key).lookup(raw).entry
    return entry.code if entry else None


def day_text(day: date) -> str:
    """A date as written on the tables' 汇总日期 line.

    >>> day_text(date(2017, 7, 10))
    '2017年7月10日'
    """
    return f"{day.year}年{day.month}月{day.day}日"


def save(
    workbook: Workbook,
    target: Path,
    inputs: Iterable[Path],
    secret: str | None,
) -> None:
    """Write ``workbook`` atomically (encrypted with ``secret``), never over an input."""
    check_target(target, inputs)
    save_atomically(workbook, target, secret)


def check_target(target: Path, inputs: Iterable[Path]) -> None:
    if target.suffix.lower() != ".xlsx":
        raise WorkbookError(target, "输出文件应为 .xlsx 工作簿")
    for source in inputs:
        refuse_overwrite(source, target)  # its message already names the output
