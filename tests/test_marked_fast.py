"""Every fast path of the marked copy's writer against the plain way it stands for.

The plain ways are kept here, as the writer had them: each fast path must give the
same bytes on crafted pieces (hypothesis) and on a whole generated roster.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from addin.engine.check import check_files
from addin.model import a1
from addin.model.a1 import column_letter
from addin.model.findings import Finding
from addin.write.marked import xlsxmark
from addin.write.marked.annotate import write_annotated
from addin.write.marked.format import INSERTED_CELL, SEVERITY_NAMES, notes_by_cell, packed
from addin.xlsx.parts import Unsupported, text
from bench.generate import write as generate
from tests.support.books import TODAY

# ---- the plain ways ---------------------------------------------------------------------------

STYLE = re.compile(rb'\ss="(\d+)"')
CELL_REF = re.compile(rb'<c r="([A-Z]+\d+)"')
CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*?(?:/>|>.*?</c>)', re.S)


def plain_restyle_row(segment: bytes, row: int, cells: dict[int, str], styles) -> bytes:
    """A row restyled by going over every cell whole (the writer's first way)."""
    if segment.count(b"<c ") + segment.count(b"<c>") != segment.count(b'<c r="'):
        raise Unsupported("cells without a leading r attribute")
    if segment.endswith(b"/>") and b"</row>" not in segment:
        segment = segment[:-2] + b"></row>"
    head_end = segment.find(b">") + 1
    body = segment[head_end : -len(b"</row>")]
    default = STYLE.search(segment, 0, head_end)
    row_style = (
        int(default.group(1)) if default and b'customFormat="1"' in segment[:head_end] else 0
    )
    done: set[int] = set()
    out: list[bytes] = []
    position = 0
    for match in CELL.finditer(body):
        column = a1.column_number(match.group(1))
        for missing in sorted(c for c in cells if c < column and c not in done):
            out.append(body[position : match.start()])
            position = match.start()
            out.append(_plain_inserted(missing, row, row_style, cells[missing], styles))
            done.add(missing)
        if column in cells:
            out.append(body[position : match.start()])
            out.append(_plain_set_style(match.group(0), styles, cells[column]))
            position = match.end()
            done.add(column)
    out.append(body[position:])
    for missing in sorted(c for c in cells if c not in done):
        out.append(_plain_inserted(missing, row, row_style, cells[missing], styles))
    return segment[:head_end] + b"".join(out) + b"</row>"


def _plain_inserted(column: int, row: int, row_style: int, severity: str, styles) -> bytes:
    style = styles.marked_style(row_style, severity)
    styles.note(f"{column_letter(column)}{row}", None, row_style, style, INSERTED_CELL)
    return f'<c r="{column_letter(column)}{row}" s="{style}"/>'.encode()


def _plain_set_style(cell: bytes, styles, severity: str) -> bytes:
    head_end = cell.find(b">")
    head = cell[:head_end]
    current = STYLE.search(head)
    original = int(current.group(1)) if current else None
    style = styles.marked_style(original or 0, severity)
    ref = CELL_REF.match(head)
    styles.note(ref.group(1).decode() if ref else "", original, original or 0, style, "")
    if current:
        head = head[: current.start()] + f' s="{style}"'.encode() + head[current.end() :]
    else:
        head = head.rstrip(b"/") + f' s="{style}"'.encode() + (b"/" if head.endswith(b"/") else b"")
    return head + cell[head_end:]


def plain_cell_record(sheet, ref, kept, marked, inserted, number, note) -> str:
    return packed(sheet, ref, kept, marked, inserted, number, *note)


def plain_row(number: int, values: tuple[object, ...]) -> str:
    """One row of a new sheet, each value written in turn (the writer's first way)."""
    kinds = tuple(map(type, values))
    return xlsxmark.row_template(kinds).format(number, *map(_plain_cell_text, values))


def _plain_cell_text(value: object) -> object:
    if value is None or isinstance(value, int | float):
        return value
    return text(value if isinstance(value, str) else str(value))


class Recorder:
    """What a row edit asks of the styles: a marked style per (style, severity), and notes."""

    def __init__(self) -> None:
        self.log: list[tuple] = []

    def marked_style(self, style: int, severity: str) -> int:
        return 1000 + style * 2 + (severity == "error")

    def note(self, *entry) -> None:
        self.log.append(entry)


# ---- crafted pieces ---------------------------------------------------------------------------

CONTENT = st.sampled_from(
    ["/>", ' s="3"/>', ' t="s"><v>7</v></c>', ' s="12" t="inlineStr"><is><t>a&lt;c r</t></is></c>']
)


@st.composite
def rows(draw):
    """A row of cells (some with styles; mostly in column order, as the schema has them),
    and the flagged columns."""
    row = draw(st.integers(1, 120))
    present = sorted(draw(st.sets(st.integers(1, 30), max_size=12)))
    if draw(st.integers(0, 4)) == 0:  # out of order, or twice
        present = draw(st.permutations(present + present[:1]))
    cells = b"".join(
        f'<c r="{column_letter(c)}{row}"'.encode() + draw(CONTENT).encode() for c in present
    )
    head = draw(st.sampled_from(['<row r="{}">', '<row r="{}" s="5" customFormat="1">']))
    head = head.format(row).encode()
    if not cells and draw(st.booleans()):
        segment = head[:-1] + b"/>"
    else:
        segment = head + cells + b"</row>"
    flagged = draw(
        st.dictionaries(st.integers(1, 32), st.sampled_from(["error", "warning"]), min_size=1)
    )
    return segment, row, flagged


@given(rows())
def test_a_row_is_restyled_as_the_plain_way_does(case):
    segment, row, flagged = case
    fast, plain = Recorder(), Recorder()
    assert xlsxmark.restyle_row(segment, row, flagged, fast) == plain_restyle_row(
        segment, row, flagged, plain
    )
    assert fast.log == plain.log


def test_a_row_with_unnumbered_cells_is_refused_both_ways():
    segment = b'<row r="3"><c r="A3"/><c s="1"/></row>'
    for way in (xlsxmark.restyle_row, plain_restyle_row):
        with pytest.raises(Unsupported):
            way(segment, 3, {2: "error"}, Recorder())


NAMES = st.text(alphabet='表1 "\\\n&<>\u00e9\u4e00', max_size=6)


@given(
    sheet=NAMES,
    ref=st.one_of(st.from_regex(r"\A[A-Z]{1,3}[1-9][0-9]{0,6}\Z"), NAMES),
    kept=st.one_of(st.integers(0, 70000), st.just("")),
    marked=st.integers(0, 70000),
    inserted=st.sampled_from(["", "单元格", "行"]),
    number=st.integers(1, 50),
    note=st.one_of(st.just(()), st.tuples(st.integers(0, 40000), NAMES)),
)
def test_a_cell_record_is_the_packed_one(sheet, ref, kept, marked, inserted, number, note):
    fast = xlsxmark.cell_record(sheet, ref, kept, marked, inserted, number, note)
    assert fast == plain_cell_record(sheet, ref, kept, marked, inserted, number, note)


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=False, min_value=-2, max_value=2),
    st.sampled_from(["", "错误", "a&b", "<t>", "x\x01y", "1", " 空格 "]),
    st.dates(),
)


@given(st.lists(st.lists(VALUES, max_size=4).map(tuple), max_size=12))
def test_new_sheet_rows_are_the_plain_rows(rows):
    assert xlsxmark.sheet_rows(rows) == [plain_row(n, row) for n, row in enumerate(rows, 1)]


def plain_notes_by_cell(findings: list[Finding]) -> dict[tuple[str, str], tuple[str, str]]:
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        if finding.column is not None:
            by_cell.setdefault((finding.sheet, finding.cell), []).append(finding)
    return {
        key: (
            "error" if any(f.severity == "error" for f in items) else "warning",
            "\n".join(f"【{SEVERITY_NAMES[f.severity]}】{f.message}" for f in items),
        )
        for key, items in by_cell.items()
    }


FINDINGS = st.builds(
    Finding,
    file=st.just("a.xlsx"),
    sheet=st.sampled_from(["附件4", "其他"]),
    row=st.integers(1, 4),
    column=st.one_of(st.none(), st.integers(1, 3)),
    field=st.just("字段"),
    rule=st.just("field.required"),
    severity=st.sampled_from(["error", "warning"]),
    value=st.just(""),
    message=st.text(max_size=3),
)


@given(st.lists(FINDINGS, max_size=12))
def test_notes_by_cell_are_the_plain_notes(findings):
    assert notes_by_cell(findings) == plain_notes_by_cell(findings)


# ---- a whole roster ---------------------------------------------------------------------------


def _plain(patch: pytest.MonkeyPatch) -> None:
    """Every fast path of the writer replaced by the plain way it stands for."""
    patch.setattr(xlsxmark, "restyle_row", plain_restyle_row)
    patch.setattr(xlsxmark, "cell_record", plain_cell_record)


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize("ratio", [0.03, 0.3], ids=["usual", "spoiled"])
def test_a_marked_copy_is_the_plain_ways_copy(tmp_path, ratio):
    path = tmp_path / "名册.xlsx"
    generate(path, 600, seed=11, ratio=ratio)
    report = check_files([path], today=TODAY)
    write_annotated(path, tmp_path / "fast.xlsx", report)
    with pytest.MonkeyPatch.context() as patch:
        _plain(patch)
        write_annotated(path, tmp_path / "plain.xlsx", report)
    fast, plain = _parts(tmp_path / "fast.xlsx"), _parts(tmp_path / "plain.xlsx")
    assert len(report.findings) > 50
    assert list(fast) == list(plain)
    assert fast == plain
