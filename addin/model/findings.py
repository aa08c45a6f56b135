"""Rules and findings: findings are values, not exceptions.

A :class:`Rule` is a kind of problem with a stable ``code`` (``id.checksum``), a
severity, a Chinese title and a Chinese message template. Value checkers return
:class:`Problem` objects (a rule plus its formatted message); the sheet checks
place them at a cell and turn them into :class:`Finding` objects.

>>> r = Rule("demo.example", "warning", "示例", "值“{value}”仅为示例")  # rule() would register it
>>> p = r.problem(value="x")
>>> p.message, p.severity
('值“x”仅为示例', 'warning')
>>> from types import SimpleNamespace
>>> Finding.at(SimpleNamespace(file="名册.xlsx", sheet="附件4"), 7, 5, "性别", "x", p).cell
'E7'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from addin.model.a1 import column_letter

Severity = Literal["error", "warning"]

RULES: dict[str, Rule] = {}


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    title: str
    template: str

    def problem(self, **params: object) -> Problem:
        return Problem(self, self.template.format(**params), params.get("fix"))


def rule(code: str, severity: Severity, title: str, template: str) -> Rule:
    """Create and register a rule; a code may be registered only once."""
    if code in RULES:
        raise ValueError(f"rule {code} registered twice")
    RULES[code] = Rule(code, severity, title, template)
    return RULES[code]


def rule_title(code: str) -> str:
    """What an officer reads for a rule: its Chinese title (the code if unregistered)."""
    found = RULES.get(code)
    return found.title if found else code


@dataclass(frozen=True)
class Problem:
    rule: Rule
    message: str
    fix: object = None  # suggested normalised value, when there is one

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    @property
    def code(self) -> str:
        return self.rule.code


class Sheet(Protocol):
    """Where findings are placed: a table, or anything naming a file and a sheet."""

    @property
    def file(self) -> str: ...

    @property
    def sheet(self) -> str: ...


@dataclass(frozen=True)
class Finding:
    file: str
    sheet: str
    row: int  # 1-based sheet row
    column: int | None  # 1-based sheet column; None for a whole-row finding
    field: str  # Chinese header, e.g. 公民身份证号
    rule: str
    severity: Severity
    value: str
    message: str
    extra: dict[str, object] = field(default_factory=dict, compare=False)
    # the member's 姓名 or the organisation's 党组织名称 on that row ("" when none): filled
    # by addin.engine.people after the check, so an officer need not look the row up
    name: str = field(default="", compare=False)

    @classmethod
    def at(
        cls, where: Sheet, row: int, column: int | None, field: str, value: str, problem: Problem
    ) -> Finding:
        """``problem`` placed at a cell (``column`` None: the whole row) of ``where``'s sheet.

        Made without the dataclass's ``__init__``, which sets each field through
        ``object.__setattr__`` (a frozen class): a big roster has tens of thousands of
        findings. The result is the same as ``cls(...)`` with these fields.
        """
        rule = problem.rule
        finding = _new(cls)
        finding.__dict__.update(
            file=where.file,
            sheet=where.sheet,
            row=row,
            column=column,
            field=field,
            rule=rule.code,
            severity=rule.severity,
            value=value,
            message=problem.message,
            extra={},
            name="",
        )
        return finding

    @property
    def cell(self) -> str:
        return f"{column_letter(self.column or 1)}{self.row}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "rule": self.rule,
            "severity": self.severity,
            "value": self.value,
            "message": self.message,
            "name": self.name,
        }


_new = object.__new__


def finding_order(sheets: Iterable[Sheet]) -> Callable[[Finding], tuple[int, int, int, int]]:
    """The sort key of findings: files and sheets in the order of ``sheets`` (the tables
    checked), then row and column, a whole-row finding first.

    >>> from types import SimpleNamespace as Table
    >>> key = finding_order([Table(file="b", sheet="附件4"), Table(file="a", sheet="附件3")])
    >>> row = Finding("a", "附件3", 7, None, "", "", "error", "", "")
    >>> key(row), key(Finding("b", "附件4", 9, 2, "", "", "error", "", ""))
    ((1, 1, 7, 0), (0, 0, 9, 2))
    """
    files: dict[str, int] = {}
    places: dict[tuple[str, str], int] = {}
    for index, where in enumerate(sheets):
        files.setdefault(where.file, index)
        places.setdefault((where.file, where.sheet), index)

    def key(f: Finding) -> tuple[int, int, int, int]:
        return files.get(f.file, 0), places.get((f.file, f.sheet), 0), f.row, f.column or 0

    return key
