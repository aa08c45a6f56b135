"""The report: every finding of one submission, with counts and a data fingerprint."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from hashlib import sha256
from itertools import repeat

import orjson

from addin import __version__
from addin.engine.mask import mask_field, mask_text
from addin.model.fields import FIELDS, KIND_TITLES
from addin.model.findings import RULES, Finding
from addin.read.reader import Table
from addin.rules.columns import memoised
from addin.values.cells import EDGE_JUNK, WHITESPACE, text


@dataclass(frozen=True)
class TableSummary:
    file: str
    sheet: str
    kind: str
    header_row: int
    rows: int

    @property
    def title(self) -> str:
        return KIND_TITLES[self.kind]


@dataclass
class Report:
    findings: list[Finding]
    tables: list[TableSummary]
    fingerprint: str
    checked_at: datetime = field(default_factory=lambda: datetime.now().replace(microsecond=0))
    prints: list[Prints] = field(default_factory=list, repr=False)  # per table, for the stamp

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def passed(self) -> bool:
        return self.errors == 0

    def masked(self) -> Report:
        """The same report with ID and phone numbers masked in values and messages."""
        return replace(self, findings=[_masked(f) for f in self.findings])

    def flatten(self, keys: list[str]) -> list[list[object]]:
        """Findings as lists of the named attributes, e.g. ``["cell", "rule"]`` (for tests)."""
        return [[getattr(f, key) for key in keys] for f in self.findings]

    def for_file(self, file: str) -> list[Finding]:
        return [f for f in self.findings if f.file == file]

    def rule_counts(self) -> Counter[tuple[str, str]]:
        return Counter((f.rule, f.severity) for f in self.findings)

    def summary(self) -> dict[str, object]:
        return {
            "files": len({t.file for t in self.tables}),
            "tables": len(self.tables),
            "rows": self.rows,
            "errors": self.errors,
            "warnings": self.warnings,
            "passed": self.passed,
            "by_rule": [
                {"rule": code, "severity": severity, "title": RULES[code].title, "count": n}
                for (code, severity), n in sorted(self.rule_counts().items())
            ],
        }

    def to_dict(self) -> dict[str, object]:
        return {
            "tool": f"dyxx {__version__}",
            "checked_at": self.checked_at.isoformat(),
            "fingerprint": self.fingerprint,
            "tables": [
                {
                    "file": t.file,
                    "sheet": t.sheet,
                    "table": t.title,
                    "header_row": t.header_row,
                    "rows": t.rows,
                }
                for t in self.tables
            ],
            "findings": [f.as_dict() for f in self.findings],
            "summary": self.summary(),
        }

    def to_json(self) -> str:
        """The report as indented JSON (orjson writes 40,000 findings in hundredths of a second)."""
        return self.to_json_bytes().decode()[:-1]

    def to_json_bytes(self) -> bytes:
        """:meth:`to_json` as UTF-8, ending with a newline (for writing out as it is)."""
        return orjson.dumps(self.to_dict(), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def _masked(finding: Finding) -> Finding:
    value = mask_field(finding.field, finding.value)
    message = finding.message.replace(finding.value, value) if finding.value else finding.message
    return replace(finding, value=value, message=mask_text(message))


GAP = "-"  # the hash of a sheet row inside a table that holds no record


@dataclass(frozen=True)
class Prints:
    """The row fingerprints of one table and the sheet row of each (never the data).

    ``rows`` runs from the table's first record to its last, every sheet row between;
    ``hashes`` holds each record's hash, and :data:`GAP` for a row inside the table that
    holds no record (emptied, or holding only its 序号). So the stamp, which records a
    table's first row and its hashes in order, places every record at its own row.
    """

    file: str
    sheet: str
    kind: str
    data_row: int  # first data row of the table (where an empty table would start)
    rows: list[int]
    hashes: list[str]

    @classmethod
    def of(cls, table: Table) -> Prints:
        rows = [record.row for record in table.records]
        where = (table.file, table.sheet, table.kind, table.data_row)
        return cls.spanning(*where, rows, row_fingerprints(table))

    @classmethod
    def spanning(
        cls,
        file: str,
        sheet: str,
        kind: str,
        data_row: int,
        rows: list[int],
        hashes: list[str],
    ) -> Prints:
        """The prints of records at sheet ``rows`` (with their hashes): the rows between
        them get :data:`GAP`."""
        rows, hashes = spanned(rows, hashes)
        return cls(file, sheet, kind, data_row, rows, hashes)

    def record_rows(self) -> list[tuple[int, str]]:
        """(sheet row, hash) of each record."""
        return [(row, h) for row, h in zip(self.rows, self.hashes, strict=True) if h != GAP]


def spanned(rows: list[int], hashes: list[str]) -> tuple[list[int], list[str]]:
    """Every sheet row from the first of ``rows`` to the last, with its hash or :data:`GAP`.

    >>> spanned([6, 7, 9], ["a", "b", "c"])
    ([6, 7, 8, 9], ['a', 'b', '-', 'c'])
    """
    if not rows or rows[-1] - rows[0] == len(rows) - 1:  # no row between
        return rows, hashes
    full = [GAP] * (rows[-1] - rows[0] + 1)
    for row, digest in zip(rows, hashes, strict=True):
        full[row - rows[0]] = digest
    return list(range(rows[0], rows[-1] + 1)), full


def row_fingerprints(
    table: Table, distinct: Mapping[str, Collection[object]] | None = None
) -> list[str]:
    """A short hash of each record's values (the values themselves are never stored).

    Values are hashed as the cell shows them (``21`` for 21.0, a date at midnight as
    the date), so every reader — calamine, openpyxl, xlwings — gives the same hash.
    Computed once per table; ``distinct`` may give the distinct values of columns.
    """
    if table.fingerprints is None:
        keys = [f.key for f in FIELDS[table.kind]]
        columns = [display_texts(table.column(key), (distinct or {}).get(key)) for key in keys]
        table.fingerprints = [
            sha256("\x1f".join(cells).encode()).digest()[:8].hex()  # hexdigest()[:16], faster
            for cells in zip(*columns, strict=True)
        ]
    return table.fingerprints


_TRIMMED = WHITESPACE + EDGE_JUNK


def display_texts(column: list[object], distinct: Collection[object] | None = None) -> list[str]:
    """``[text(v) for v in column]``; a column of already-trimmed strings is returned as is.

    ``distinct``, the column's distinct values when known, makes the test cheaper.

    >>> display_texts(["张三", "李四"]), display_texts([" 张三", 21.0, None])
    (['张三', '李四'], ['张三', '21', ''])
    >>> display_texts(["张三", None]), display_texts([" 张三", None])
    (['张三', ''], ['张三', ''])
    """
    values = column if distinct is None or len(distinct) * 2 > len(column) else list(distinct)
    if None in values:  # empty cells among texts (optional fields): "" for them is their text
        texts = [v for v in values if v is not None]
        if _trimmed(texts):
            return [v if v is not None else "" for v in column]  # type: ignore[misc]
    elif _trimmed(values):
        return column  # type: ignore[return-value]
    if distinct is not None:  # dates among texts: a text per distinct value
        texts = dict(zip(distinct, map(text, distinct), strict=True))
        return list(map(texts.__getitem__, column))
    return memoised(column, text)


def _trimmed(values: list[object]) -> bool:
    """Whether every value is a str that :func:`addin.values.cells.text` leaves as it is."""
    try:
        # str.strip raises TypeError unless every value is a str
        return list(map(str.strip, values, repeat(_TRIMMED, len(values)))) == values
    except TypeError:
        return False


def data_fingerprint(tables: Sequence[Table | Prints]) -> str:
    """One hash of every checked value, independent of file names and formatting."""
    digest = sha256()
    for item in tables:
        prints = item if isinstance(item, Prints) else Prints.of(item)
        digest.update(f"{prints.sheet}|{prints.kind}\n".encode())
        digest.update(print_lines(prints.rows, prints.hashes))
    return digest.hexdigest()


def print_lines(rows: list[int], hashes: list[str]) -> bytes:
    """What :func:`data_fingerprint` hashes of a table: a ``row:fingerprint`` line per row.

    >>> print_lines([6, 7], ["ab", "cd"])
    b'6:ab\\n7:cd\\n'
    """
    return "".join(f"{row}:{fp}\n" for row, fp in zip(rows, hashes, strict=True)).encode()
