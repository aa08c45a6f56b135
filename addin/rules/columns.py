"""Column-wise checking: each distinct value is parsed once, findings placed by row.

A county's roster repeats most values (codes, 是/否, dates, branch names), so
parsing every distinct value of a column once and reusing the result is what
keeps a 100,000-row check fast. Findings are created only for cells that have
problems.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from addin.findings import Finding, Problem
from addin.reader import Table
from addin.schema import field_label
from addin.values import text

T = TypeVar("T")
U = TypeVar("U")


def memoised(column: Sequence[object], parse: Callable[[object], T]) -> list[T]:
    """``[parse(v) for v in column]``, calling ``parse`` once per distinct value.

    >>> memoised(["21", "21", 21.0, True, None], lambda v: f"<{v!r}>")
    ["<'21'>", "<'21'>", '<21.0>', '<True>', '<None>']
    """
    return ParsedColumn(column, parse).results


class ParsedColumn(Generic[T]):
    """A column parsed once per distinct value: the result of every row, and row lookups.

    >>> parsed = ParsedColumn(["a", "b", "a", ""], str.upper)
    >>> parsed.results, parsed.where(lambda result: result == "A")
    (['A', 'B', 'A', ''], [0, 2])
    """

    __slots__ = ("_lookup", "column", "results")

    def __init__(self, column: Sequence[object], parse: Callable[[object], T]) -> None:
        self.column = column
        self._lookup: dict[object, T] | None = None
        try:
            distinct = set(column)
        except TypeError:  # an unhashable value: parse every cell as it is
            self.results = [parse(raw) for raw in column]
            return
        maybe_bool = True in distinct or False in distinct  # also true for 1, 0, 1.0 ...
        if maybe_bool and any(value.__class__ is bool for value in distinct):
            # True == 1 == 1.0 share one key in a set: keep them apart by type
            memo: dict[tuple[type, object], T] = {}
            for raw in column:
                key = (raw.__class__, raw)
                if key not in memo:
                    memo[key] = parse(raw)
            self.results = [memo[(raw.__class__, raw)] for raw in column]
            return
        self._lookup = {value: parse(value) for value in distinct}
        self.results = list(map(self._lookup.__getitem__, column))

    def derive(self, get: Callable[[T], U]) -> list[U]:
        """``[get(result) for result in results]``, calling ``get`` once per distinct value."""
        if self._lookup is None or len(self._lookup) * 4 > len(self.results):
            return list(map(get, self.results))
        derived = {raw: get(result) for raw, result in self._lookup.items()}
        return list(map(derived.__getitem__, self.column))

    def where(self, test: Callable[[T], object]) -> list[int]:
        """Indexes of the rows whose result passes ``test`` (tested once per distinct value)."""
        if self._lookup is None:
            return [i for i, result in enumerate(self.results) if test(result)]
        hits = {raw for raw, result in self._lookup.items() if test(result)}
        if not hits:
            return []
        return [i for i, raw in enumerate(self.column) if raw in hits]


def has_problems(result: object) -> bool:
    return bool(result.problems)  # type: ignore[attr-defined]


class Emitter:
    """Places problems at (record index, field) and turns them into findings."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.rows = [record.row for record in table.records]
        self.items: list[Finding] = []
        self._labels: dict[str, str] = {}

    def has_column(self, key: str) -> bool:
        return key in self.table.columns

    def label(self, key: str) -> str:
        if key not in self._labels:
            self._labels[key] = field_label(self.table.kind, key)
        return self._labels[key]

    def add(self, index: int, key: str, problem: Problem, raw: object) -> None:
        self.items.append(
            Finding(
                file=self.table.file,
                sheet=self.table.sheet,
                row=self.rows[index],
                column=self.table.columns.get(key),
                field=self.label(key),
                rule=problem.code,
                severity=problem.severity,
                value=text(raw),
                message=problem.message,
            )
        )

    def add_all(self, key: str, parsed: ParsedColumn) -> None:
        """Every problem of a parsed column (results with a ``problems`` tuple)."""
        for index in parsed.where(has_problems):
            for problem in parsed.results[index].problems:  # type: ignore[attr-defined]
                self.add(index, key, problem, parsed.column[index])
