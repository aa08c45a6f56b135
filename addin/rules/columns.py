"""Column-wise checking: each distinct value is parsed once, findings placed by row.

A county's roster repeats most values (codes, 是/否, dates, branch names), so
parsing every distinct value of a column once and reusing the result is what
keeps a 100,000-row check fast. Findings are created only for cells that have
problems.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from operator import attrgetter
from typing import Generic, TypeVar

from addin.model.fields import field_label
from addin.model.findings import Finding, Problem
from addin.read.reader import Table
from addin.values.cells import is_blank, text

_NO_BLANK = object()
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

    ``blank``: the result for blank cells (:func:`addin.values.cells.is_blank`), which
    are then never passed to ``parse``.

    >>> parsed = ParsedColumn(["a", "b", "a", ""], str.upper, blank=None)
    >>> parsed.results, parsed.where(lambda result: result == "A"), parsed.blanks()
    (['A', 'B', 'A', None], [0, 2], [3])
    """

    __slots__ = ("_blank", "_blanks", "_flagged", "_lookup", "_results", "column")

    def __init__(
        self, column: Sequence[object], parse: Callable[[object], T], blank: object = _NO_BLANK
    ) -> None:
        self.column = column
        self._lookup: dict[object, T] | None = None
        self._results: list[T] | None = None
        self._blank = blank
        self._blanks: set[object] = set()  # the distinct blank values
        self._flagged: set[object] = set()  # the distinct values with problems
        try:
            lookup = dict.fromkeys(column)
        except TypeError:  # an unhashable value: parse every cell as it is
            self._results = [self._parse(parse, raw) for raw in column]
            return
        maybe_bool = True in lookup or False in lookup  # also true for 1, 0, 1.0 ...
        if maybe_bool and any(value.__class__ is bool for value in lookup):
            # True == 1 == 1.0 share one key in a dict: keep them apart by type
            memo: dict[tuple[type, object], T] = {}
            for raw in column:
                key = (raw.__class__, raw)
                if key not in memo:
                    memo[key] = self._parse(parse, raw)
            self._results = [memo[(raw.__class__, raw)] for raw in column]
            return
        self._parse_distinct(lookup, parse)
        self._lookup = lookup  # type: ignore[assignment]

    def _parse_distinct(self, lookup: dict[object, object], parse: Callable[[object], T]) -> None:
        """Each key of ``lookup`` given its result: :meth:`_parse` inlined (a column of
        100,000 distinct IDs or phone numbers spends a third of its time in the calls)."""
        blank, blanks, flagged = self._blank, self._blanks, self._flagged
        checks_blank = blank is not _NO_BLANK
        for value in lookup:
            # a text starting with a digit (an ID, a phone) is never blank: tested here first
            digits = value.__class__ is str and "0" <= value[:1] <= "9"  # type: ignore[index]
            if checks_blank and not digits and is_blank(value):
                blanks.add(value)
                lookup[value] = blank
                continue
            result = lookup[value] = parse(value)
            if getattr(result, "problems", None):
                flagged.add(value)

    @property
    def results(self) -> list[T]:
        """The result of every row (made when first asked for: most columns need only
        their distinct values' results)."""
        if self._results is None:
            self._results = list(map(self._lookup.__getitem__, self.column))  # type: ignore[union-attr]
        return self._results

    def result(self, index: int) -> T:
        """The result of one row."""
        if self._results is None:
            return self._lookup[self.column[index]]  # type: ignore[index]
        return self._results[index]

    def _parse(self, parse: Callable[[object], T], raw: object) -> T:
        if self._blank is not _NO_BLANK and is_blank(raw):
            self._blanks.add(raw)
            return self._blank  # type: ignore[return-value]
        result = parse(raw)
        if getattr(result, "problems", None):
            self._flagged.add(raw)
        return result

    @property
    def distinct(self) -> Collection[object] | None:
        """The column's distinct values (None when they could not be told apart)."""
        return self._lookup.keys() if self._lookup is not None else None

    def derive(self, get: Callable[[T], U]) -> list[U]:
        """``[get(result) for result in results]``, calling ``get`` once per distinct value."""
        if self._lookup is None or len(self._lookup) * 4 > len(self.column):
            return list(map(get, self.results))
        derived = {raw: get(result) for raw, result in self._lookup.items()}
        return list(map(derived.__getitem__, self.column))

    def where(self, test: Callable[[T], object]) -> list[int]:
        """Indexes of the rows whose result passes ``test`` (tested once per distinct value)."""
        if self._lookup is None:
            return [i for i, result in enumerate(self.results) if test(result)]
        return rows_holding(self.column, {raw for raw, r in self._lookup.items() if test(r)})

    def flagged(self) -> list[int]:
        """Indexes of the rows whose result has problems."""
        if self._lookup is None:
            return self.where(has_problems)
        return rows_holding(self.column, self._flagged)

    def blanks(self) -> list[int]:
        """Indexes of the blank rows (needs ``blank``)."""
        if self._lookup is None:
            return self.where(self._is_blank)
        return rows_holding(self.column, self._blanks)

    def filled(self) -> list[int]:
        """Indexes of the rows that are not blank (needs ``blank``)."""
        if self._lookup is None or len(self._blanks) * 2 > len(self._lookup):
            return self.where(self._is_filled)
        blanks = self._blanks
        return [i for i, raw in enumerate(self.column) if raw not in blanks]

    def _is_blank(self, result: object) -> bool:
        return result is self._blank

    def _is_filled(self, result: object) -> bool:
        return result is not self._blank


def rows_holding(column: Sequence[object], values: set[object]) -> list[int]:
    """Indexes of the cells equal to one of ``values``, in order.

    A few values are found by ``list.index`` (a C loop per value); many by one pass.

    >>> rows_holding(["a", "b", "a", "c"], {"a", "c"})
    [0, 2, 3]
    """
    if not values:
        return []
    if len(values) > 8 or not isinstance(column, list) or any(v != v for v in values):  # NaN
        return [i for i, raw in enumerate(column) if raw in values]
    found: list[int] = []
    for value in values:
        index = -1
        try:
            while True:
                index = column.index(value, index + 1)
                found.append(index)
        except ValueError:
            pass
    found.sort()
    return found


def detached(value: str) -> str:
    """A copy of a cell's text, so that a finding holds no cell of the sheet read: the
    memory of a big sheet's cells, spread thinly among findings, could not be given back
    when the check is done (a marked copy is written after it).

    >>> cell = "李" * 3
    >>> detached(cell) == cell and detached(cell) is not cell
    True
    """
    return "".join((value, ""))  # a new string, where str() and value[:] give the same one


has_problems = attrgetter("problems")  # a result's problems: truthy when there are some


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
        table, row, label = self.table, self.rows[index], self.label(key)
        self.items.append(
            Finding.at(table, row, table.columns.get(key), label, detached(text(raw)), problem)
        )

    def add_all(self, key: str, parsed: ParsedColumn) -> None:
        """Every problem of a parsed column (results with a ``problems`` tuple)."""
        for index in parsed.flagged():
            for problem in parsed.result(index).problems:  # type: ignore[attr-defined]
                self.add(index, key, problem, parsed.column[index])
