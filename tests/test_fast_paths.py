"""Every fast path of the check against the plain way it stands for: same results."""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import FrozenInstanceError
from datetime import date
from hashlib import sha256
from itertools import product
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from addin.engine import report
from addin.engine.check import check_files, read_files
from addin.engine.report import display_texts
from addin.model.fields import FIELDS
from addin.model.findings import Finding
from addin.read import extent
from addin.read.reader import Table, transposed
from addin.rules import crossfield
from addin.rules.base import add_months
from addin.rules.columns import ParsedColumn
from addin.values import ric
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


# In use, abolished (110103 崇文区 until 2010), never existing, a residence permit's
REGIONS = ["430523", "110103", "430599", "810000", "830000", "110101", "912345"]
BIRTHS = ["19000101", "18991231", "19600515", "20090230", "20240601", "20240602", "19991231"]


def test_the_plain_id_path_is_the_full_check():
    """Every way an ID the fast path takes can be right or wrong: both ways agree."""
    numbers = []
    for region, birth, sequence in product(REGIONS, BIRTHS, ["123", "124"]):
        body = region + birth + sequence
        right = ric.calc_check_digit(body + "0")
        numbers += [body + digit for digit in dict.fromkeys([right, "0", "X", "7"])]
    for today in (TODAY, date(2009, 12, 31), date(2011, 1, 1)):
        fast = [ric.check(number, today) for number in numbers]
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(ric, "quick_check", lambda number, today: None)
            assert [ric.check(number, today) for number in numbers] == fast
    assert sum(not result.problems for result in fast) > 10  # the fast path was taken


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


PLAIN_OTHER_R = re.compile(rb"r(?<=[\t\n\r\"' ]r)(?<!<c r)(?<!<row r)[\s=]")  # as plainly written
R_PIECES = ["<c", "<row", " r", "\tr", '"r', "'r", "\nr", "r", "=", " ", "\x0b", "\n", "<c r", ">"]


def test_other_r_finds_what_its_plain_pattern_finds():
    around = product(
        ["", "<c", "<row", "x", "<", "c", "w"], " \t\"'\nx", ["=", " ", "\x0b", "x", ""]
    )
    for before, space, after in around:
        xml = f"{before}{space}r{after}".encode()
        assert (extent.OTHER_R_ATTRIBUTE.search(xml) is None) == (
            PLAIN_OTHER_R.search(xml) is None
        ), xml


@given(pieces=st.lists(st.sampled_from(R_PIECES), max_size=12))
def test_other_r_finds_what_its_plain_pattern_finds_anywhere(pieces):
    xml = "".join(pieces).encode()
    assert (extent.OTHER_R_ATTRIBUTE.search(xml) is None) == (PLAIN_OTHER_R.search(xml) is None)


# ---- a whole check, fast against plain, on generated workbooks ---------------------------


def _plain_column(self: Table, key: str) -> list[object]:  # without reader.transposed
    col = self.columns.get(key)
    return [_cell_at(r.cells, col) for r in self.records]


def _cell_at(cells, col: int | None) -> object:
    return cells[col - 1] if col is not None and col - 1 < len(cells) else None


def _plain_add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def _plain_parse_distinct(self: ParsedColumn, lookup: dict, parse) -> None:
    for value in lookup:
        lookup[value] = self._parse(parse, value)


def _plain(patch: pytest.MonkeyPatch) -> None:
    """Every fast path replaced by the plain way it stands for."""
    patch.setattr(Table, "_column", _plain_column)
    patch.setattr(ParsedColumn, "_parse_distinct", _plain_parse_distinct)
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


def test_a_finding_placed_is_the_finding_made_plainly():
    where = Table("members", "名册.xlsx", "附件4", 4, 6, {})
    problem = ric.CHECKSUM.problem(value="1", expected="2")
    for column in (4, None):
        placed = Finding.at(where, 7, column, "公民身份证号", "1", problem)
        fields = ("名册.xlsx", "附件4", 7, column, "公民身份证号", "id.checksum", "error", "1")
        plain = Finding(*fields, problem.message)
        assert placed == plain and vars(placed) == vars(plain) and repr(placed) == repr(plain)
        assert list(vars(placed)) == list(vars(plain))
        with pytest.raises(FrozenInstanceError):
            placed.row = 8  # type: ignore[misc]


@given(rows=st.lists(st.lists(st.integers(0, 9), min_size=2, max_size=3), max_size=6))
def test_transposed_is_zip(rows):
    assert transposed(rows) == list(map(list, zip(*rows, strict=False)))
    assert transposed([tuple(row) for row in rows]) == list(map(list, zip(*rows, strict=False)))
