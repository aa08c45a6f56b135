"""Control characters in any cell of a table: a vertical tab from Word, an escape from a web page.

They are invisible in Excel and WPS, yet an ID, phone or code holding one no
longer matches the same number typed cleanly (the national system, VLOOKUP and
the cross-file checks all see two different values), so each is an error, in
every column. The message shows the characters as visible pictures (␋, ␛).

>>> control_problem("第一支部\\x0b二组").message
'“第一支部␋二组”含有不可见的控制字符（␋），多是从 Word 或网页复制时带入的；请删除后重新输入'
>>> control_problem("第一支部\\x0b二组").fix, control_problem("第一支部\\n二组")
('第一支部二组', None)
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from addin.model.celltext import for_terminal, has_control
from addin.model.findings import Problem, rule
from addin.rules.base import RowFindings
from addin.rules.columns import Emitter, rows_holding

CONTROL_CHARACTER = rule(
    "cell.control_character",
    "error",
    "含有不可见的控制字符",
    "“{value}”含有不可见的控制字符（{chars}），多是从 Word 或网页复制时带入的；请删除后重新输入",
)
SHOWN = 40  # characters of the value quoted in the message


def control_problem(raw: object) -> Problem | None:
    """The finding for a text cell holding control characters (None for any other value)."""
    if raw.__class__ is not str or not has_control(raw):  # type: ignore[arg-type]
        return None
    value: str = raw  # type: ignore[assignment]
    bad = dict.fromkeys(c for c in value if has_control(c))
    shown = for_terminal(value.strip(" \u3000"))
    shown = shown if len(shown) <= SHOWN else shown[:SHOWN] + "…"
    chars = "、".join(for_terminal(c) for c in bad)
    fix = "".join(c for c in value if c not in bad).strip()
    return CONTROL_CHARACTER.problem(value=shown, chars=chars, fix=fix)


def check_columns(out: Emitter, distinct: Mapping[str, Collection[object]]) -> None:
    """Every column of a table: one search through all its distinct texts, cell by cell only
    when that finds something. ``distinct``: the distinct values of columns already known."""
    table = out.table
    for key in table.columns:
        column = table.column(key)
        values = distinct[key] if key in distinct else _distinct(column)
        if not _any_control(_joined(values)):
            continue
        found = {v: p for v in values if (p := control_problem(v))}
        for index in rows_holding(column, set(found)):
            out.add(index, key, found[column[index]], column[index])  # type: ignore[index]


def _distinct(column: list[object]) -> Collection[object]:
    try:
        return dict.fromkeys(column)
    except TypeError:  # an unhashable value (never from a workbook reader)
        return column


def _joined(values: Collection[object]) -> str:
    """The texts among ``values``, one per line (C speed when they are all texts).

    >>> _joined(["张三", None, 21.0, "李四"])
    '张三\\n李四'
    """
    try:
        return "\n".join(values)  # type: ignore[arg-type]
    except TypeError:
        return "\n".join([value for value in values if value.__class__ is str])  # type: ignore[misc]


# Bytes that are not ASCII control characters (tab, newline and return are allowed).
_NOT_ASCII_CONTROL = bytes(b for b in range(128) if b in (9, 10, 13) or 32 <= b < 127)


def _any_control(text: str) -> bool:
    if text.isascii():  # IDs, phones, dates: a C pass over the bytes, ten times a regex's speed
        return bool(text.encode("ascii").translate(None, _NOT_ASCII_CONTROL))
    return has_control(text)


def check_row(row: RowFindings) -> None:
    """Every cell of one record."""
    for key, raw in row.record.values.items():
        problem = control_problem(raw)
        if problem is not None:
            row.add(key, problem)
