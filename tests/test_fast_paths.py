"""Every fast path of the check against the plain way it stands for: same results."""

from __future__ import annotations

from calendar import monthrange
from datetime import date
from hashlib import sha256
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from addin.engine import report
from addin.engine.check import check_files, read_files
from addin.engine.report import display_texts
from addin.model.fields import FIELDS
from addin.read.reader import Table
from addin.rules import crossfield
from addin.rules.base import add_months
from addin.rules.columns import ParsedColumn
from addin.values.cells import text
from addin.xlsx.sheet import UNNUMBERED, unnumbered
from bench.generate import write as generate

TODAY = date(2024, 6, 1)

DAYS = st.dates(date(1900, 1, 1), date(2030, 12, 31))


@given(day=DAYS, months=st.integers(0, 60))
def test_add_months_is_edate(day, months):
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    plain = date(year, month, min(day.day, monthrange(year, month)[1]))
    assert add_months(day, months) == plain


@given(join=DAYS, full=DAYS)
def test_theprobation_bounds_pass_what_the_rule_passes(join, full):
    earliest, latest = crossfield.probation_bounds(join)
    within = (earliest is None or full >= earliest) and (latest is None or full <= latest)
    assert within == (crossfield.probation_problem(join, full) is None)


CELLS = st.one_of(
    st.none(),
    st.text(alphabet=" 　\u200b张三12-", max_size=4),
    st.floats(allow_nan=False),
    st.datetimes(),
    st.dates(),
)


@given(column=st.lists(CELLS, max_size=30), hinted=st.booleans())
def test_display_texts_are_the_texts(column, hinted):
    distinct = dict.fromkeys(column) if hinted else None
    assert display_texts(column, distinct) == [text(v) for v in column]


PIECES = ["<c", "<row", "<x:c", "<x:row", "<col", "<cols", ' r="A1"', ' s="1"', ">", "/>", ":"]
PIECES += ["c", "row", " ", "r", "=", "<", "x", "_", "</c>", "</row>", "<v>1</v>", "<sheetData>"]


@given(pieces=st.lists(st.sampled_from(PIECES), max_size=40), start=st.integers(0, 20))
def test_unnumbered_finds_what_its_pattern_finds(pieces, start):
    xml = "".join(pieces).encode()
    assert unnumbered(xml, start) == (UNNUMBERED.search(xml, start) is not None)


# ---- a whole check, fast against plain, on generated workbooks ---------------------------


def _plain_column(self: Table, key: str) -> list[object]:
    col = self.columns.get(key)
    return [_cell_at(r.cells, col) for r in self.records]


def _cell_at(cells, col: int | None) -> object:
    return cells[col - 1] if col is not None and col - 1 < len(cells) else None


def _plain_add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def _plain(patch: pytest.MonkeyPatch) -> None:
    """Every fast path replaced by the plain way it stands for."""
    patch.setattr(Table, "_column", _plain_column)
    patch.setattr(ParsedColumn, "result", lambda self, index: self.results[index])
    patch.setattr(crossfield, "add_months", _plain_add_months)
    patch.setattr(crossfield, "probation_bounds", lambda join: (date.max, date.min))
    patch.setattr(report, "display_texts", lambda column, distinct=None: list(map(text, column)))


@pytest.fixture(
    scope="module",
    params=[
        pytest.param((3000, 1, 0.02), id="usual", marks=pytest.mark.e2e),  # 3,000 rows
        pytest.param((800, 7, 0.2), id="spoiled"),
    ],
)
def generated(request, tmp_path_factory) -> Path:
    rows, seed, ratio = request.param
    path = tmp_path_factory.mktemp("fast") / "附件4.xlsx"
    generate(path, rows, seed=seed, ratio=ratio)
    return path


def test_a_check_finds_what_the_plain_paths_find(generated):
    fast = check_files([generated], TODAY)
    with pytest.MonkeyPatch.context() as patch:
        _plain(patch)
        plain = check_files([generated], TODAY)
    assert len(fast.findings) > 50
    assert fast.findings == plain.findings
    assert [f.value for f in fast.findings] == [f.value for f in plain.findings]
    assert fast.fingerprint == plain.fingerprint
    assert fast.prints == plain.prints


def test_row_fingerprints_hash_the_texts_of_the_fields(generated):
    (table,) = [t for t in read_files([generated]) if t.kind == "members"]
    keys = [f.key for f in FIELDS["members"]]
    plain = [
        sha256("\x1f".join(text(r.values.get(k)) for k in keys).encode()).hexdigest()[:16]
        for r in table.records
    ]
    assert report.row_fingerprints(table) == plain
