"""A big sheet read and checked in two processes gives the same report as read whole.

Every case is a real workbook, checked twice: forced to split (the size threshold
set to 0) and in one process. The reports must be equal finding for finding,
with the same row counts and data fingerprint; the cases that cannot be split
safely must fall back and still give the same report.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.styles import PatternFill

from addin.engine import split
from addin.engine.check import check_files, read_files
from addin.write.layout import DATA_ROW, MEMBER_COLUMNS
from bench.generate import write as generate
from tests.conftest import TODAY, good_member, good_org, person_id, write_book

ROOT = Path(__file__).resolve().parents[1]
LETTER = {key: chr(64 + col) for col, (_text, key) in enumerate(MEMBER_COLUMNS, start=1)}
BRANCHES = [f"中共邵阳县林业局第{i}支部委员会" for i in range(1, 5)]
ROWS = 400


def members(count: int = ROWS) -> list[dict[str, object]]:
    """Members spread over four branches, with a few problems in both halves."""
    rows = []
    for i in range(count):
        born = f"19{60 + i % 30}0{1 + i % 9}1{i % 10}"
        rows.append(
            good_member(
                name=f"李{'建国明华'[i % 4]}{'伟芳敏'[i % 3]}",
                branch=BRANCHES[i * 4 // count],
                id_number=person_id("430523", born, f"{i % 1000:03d}"),
                birth_date=date(int(born[:4]), int(born[4:6]), int(born[6:])),
                join_date=date(1990 + i % 20, 7, 1),
                full_date=date(1991 + i % 20, 7, 1),
                mobile=f"138{i:08d}",
            )
        )
    for i in (7, count // 2 + 5, count - 3):
        rows[i]["mobile"] = "1380739123"  # ten digits
        rows[i]["education"] = "25"
    rows[count - 10]["id_number"] = rows[10]["id_number"]  # a duplicate across the halves
    return rows


def orgs() -> list[dict[str, object]]:
    return [good_org(org_name=name) for name in BRANCHES[:3]]  # the fourth is unknown


def edit(path: Path, change) -> Path:
    workbook = load_workbook(path)
    change(workbook["党员基本信息汇总表"])
    workbook.save(path)
    return path


def plain(tmp: Path) -> Path:
    return write_book(tmp / "plain.xlsx", members(), orgs())


def merged_branches(tmp: Path) -> Path:
    """所在党支部 merged down each branch's rows: one merge spans the middle."""

    def change(sheet) -> None:
        col = LETTER["branch"]
        for first in range(0, ROWS, ROWS // 4):
            top, bottom = DATA_ROW + first, DATA_ROW + first + ROWS // 4 - 1
            sheet.merge_cells(f"{col}{top}:{col}{bottom}")

    return edit(write_book(tmp / "merged.xlsx", members(), orgs()), change)


def footer(tmp: Path) -> Path:
    def change(sheet) -> None:
        sheet.cell(DATA_ROW + ROWS + 1, 1, "注：本表由信息采集员填写。")

    return edit(write_book(tmp / "footer.xlsx", members(), orgs()), change)


def formulas(tmp: Path) -> Path:
    """Formulas saved without a result (openpyxl writes none), in both halves."""

    def change(sheet) -> None:
        for offset in (3, ROWS - 4):
            sheet[f"{LETTER['address']}{DATA_ROW + offset}"] = '="邵阳县"&"塘渡口镇1号"'

    return edit(write_book(tmp / "formulas.xlsx", members(), orgs()), change)


def formula_in_last_column(tmp: Path) -> Path:
    """外出流向 (the last column, blank everywhere else) holds a formula saved without a
    result in the second half: read whole, the row is as wide as the header."""

    def change(sheet) -> None:
        sheet[f"{LETTER['destination']}{DATA_ROW + ROWS - 7}"] = '="广东省"&"深圳市南山区"'

    return edit(write_book(tmp / "last.xlsx", members(), orgs()), change)


def gap(tmp: Path) -> Path:
    """A blank row and a row holding only its 序号 in each half, members after them."""
    rows = members()
    path = write_book(tmp / "gap.xlsx", rows, orgs())

    def change(sheet) -> None:
        sheet.delete_rows(DATA_ROW + ROWS - 20)
        sheet.insert_rows(DATA_ROW + ROWS - 30)
        sheet.insert_rows(DATA_ROW + 40)
        for row in (DATA_ROW + 60, DATA_ROW + ROWS - 50):
            for col in range(2, len(MEMBER_COLUMNS) + 1):
                sheet.cell(row, col).value = None

    return edit(path, change)


def below_footer(tmp: Path) -> Path:
    """A footer line in the second half with members below it (reported: read whole)."""

    def change(sheet) -> None:
        sheet.insert_rows(DATA_ROW + ROWS - 30)
        sheet.cell(DATA_ROW + ROWS - 30, 1, "注：以下为新调入党员")

    return edit(write_book(tmp / "footer_inside.xlsx", members(), orgs()), change)


def outside_columns(tmp: Path) -> Path:
    """A row in the second half holding values only beyond the table's columns."""

    def change(sheet) -> None:
        row = DATA_ROW + ROWS - 30
        for col in range(2, len(MEMBER_COLUMNS) + 1):
            sheet.cell(row, col).value = None
        sheet.cell(row, len(MEMBER_COLUMNS) + 2, "张三")

    return edit(write_book(tmp / "outside.xlsx", members(), orgs()), change)


def error_cells(tmp: Path) -> Path:
    """Cells holding Excel errors in both halves (one calamine refuses): read whole."""

    def change(sheet) -> None:
        for offset, error in ((5, "#N/A"), (ROWS - 5, "#SPILL!")):
            cell = sheet[f"{LETTER['landline']}{DATA_ROW + offset}"]
            cell.value, cell.data_type = error, "e"

    return edit(write_book(tmp / "errors.xlsx", members(), orgs()), change)


def second_table(tmp: Path) -> Path:
    """Another 附件4 table further down the same sheet (cannot be split)."""

    def change(sheet) -> None:
        start = DATA_ROW + ROWS + 3
        for col, (text, _key) in enumerate(MEMBER_COLUMNS, start=1):
            sheet.cell(start, col, text)
        for col, (_text, key) in enumerate(MEMBER_COLUMNS, start=1):
            value = good_member(name="王芳")[key] if key in good_member() else None
            sheet.cell(start + 1, col, value)

    return edit(write_book(tmp / "second.xlsx", members(), orgs()), change)


def generated(tmp: Path) -> Path:
    path = tmp / "generated.xlsx"
    generate(path, 1500)
    return path


def example(_tmp: Path) -> Path:
    return ROOT / "examples" / "示例_林业局党委.xlsx"


def small_table_first(tmp: Path) -> Path:
    """A short 附件4 at the top of the sheet and the big one below it: the child is told
    of the first header, the cut falls in the second table, so it is read whole."""
    path = tmp / "two.xlsx"
    write_book(path, members(ROWS), orgs())

    def change(sheet) -> None:
        sheet.insert_rows(DATA_ROW + 3, amount=5)  # a gap, then a header for the rest
        for col, (text, _key) in enumerate(MEMBER_COLUMNS, start=1):
            sheet.cell(DATA_ROW + 5, col, text)

    return edit(path, change)


SPLIT = [plain, merged_branches, footer, formulas, formula_in_last_column, gap, generated]
WHOLE = [second_table, below_footer, outside_columns]


@pytest.fixture
def forced(monkeypatch):
    monkeypatch.setenv("DYXX_SPLIT_BYTES", "0")
    monkeypatch.delenv("DYXX_PROCESSES", raising=False)


def one_process(path: Path):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DYXX_PROCESSES", "1")
        return check_files([path], today=TODAY)


FIELDS = ["file", "sheet", "row", "column", "field", "rule", "severity", "value", "message"]


def in_reading_order(report) -> bool:
    """Findings listed by sheet (as the tables came), then row, then column."""
    sheets = list(dict.fromkeys((t.file, t.sheet) for t in report.tables))
    places = [(sheets.index((f.file, f.sheet)), f.row, f.column or 0) for f in report.findings]
    return places == sorted(places)


def assert_same(split_report, whole) -> None:
    assert in_reading_order(split_report) and in_reading_order(whole)
    assert split_report.flatten(FIELDS) == whole.flatten(FIELDS)
    assert split_report.tables == whole.tables
    assert split_report.fingerprint == whole.fingerprint
    assert [(p.rows, p.hashes) for p in split_report.prints] == [
        (p.rows, p.hashes) for p in whole.prints
    ]


@pytest.mark.usefixtures("forced")
@pytest.mark.parametrize("make", [*SPLIT, example], ids=lambda f: f.__name__)
def test_a_split_check_reports_exactly_what_a_whole_check_does(make, tmp_path):
    path = make(tmp_path)
    assert_same(check_files([path], today=TODAY), one_process(path))


@pytest.mark.usefixtures("forced")
@pytest.mark.parametrize("make", SPLIT, ids=lambda f: f.__name__)
def test_the_second_half_really_is_read_by_a_child(make, tmp_path):
    tables = read_files([make(tmp_path)], split_on=TODAY)
    (table,) = [t for t in tables if t.kind == "members"]
    assert table.rest is not None
    child = table.rest.pid
    assert child > 0
    first = len(table.records)
    rest = table.rest.result()
    assert 0 < first < first + len(rest.rows)
    assert rest.rows[0] == table.records[-1].row + 1
    with pytest.raises(ChildProcessError):  # reaped: no zombie is left behind
        os.waitpid(child, os.WNOHANG)


def test_the_checks_find_what_was_planted_in_both_halves(forced, tmp_path):
    report = check_files([plain(tmp_path)], today=TODAY)
    rules = {(f.row, f.rule) for f in report.findings}
    for i in (7, ROWS // 2 + 5, ROWS - 3):
        assert (DATA_ROW + i, "phone.mobile") in rules
        assert (DATA_ROW + i, "code.unknown") in rules
    assert (DATA_ROW + 10, "member.duplicate_id") in rules
    assert (DATA_ROW + ROWS - 10, "member.duplicate_id") in rules
    unknown = [f for f in report.findings if f.rule == "member.branch_unknown"]
    assert [f.row for f in unknown] == list(range(DATA_ROW + 3 * ROWS // 4, DATA_ROW + ROWS))


@pytest.mark.usefixtures("forced")
@pytest.mark.parametrize("make", WHOLE, ids=lambda f: f.__name__)
def test_sheets_that_cannot_be_split_are_read_whole(make, tmp_path):
    path = make(tmp_path)
    (table,) = [t for t in read_files([path], split_on=TODAY) if t.kind == "members"]
    with pytest.raises(split.SplitFailed):  # the child saw the table end in its half
        table.rest.result()
    assert_same(check_files([path], today=TODAY), one_process(path))


@pytest.mark.usefixtures("forced")
def test_error_cells_are_read_in_one_process(tmp_path):
    path = error_cells(tmp_path)
    assert all(t.rest is None for t in read_files([path], split_on=TODAY))
    report = check_files([path], today=TODAY)
    assert_same(report, one_process(path))
    errors = [(f.row, f.value) for f in report.findings if f.rule == "cell.error_value"]
    assert errors == [(DATA_ROW + 5, "#N/A"), (DATA_ROW + ROWS - 5, "#SPILL!")]


@pytest.mark.usefixtures("forced")
def test_blank_rows_where_the_sheet_is_cut(tmp_path):
    """The first half ends in blank rows: the table is not seen to run on, read whole."""
    from addin.xlsx import source as sources

    path = plain(tmp_path)
    middle = split.plan(sources.load(path)).row

    def change(sheet) -> None:
        for row in range(middle - 10, middle + 10):
            for col in range(2, len(MEMBER_COLUMNS) + 1):
                sheet.cell(row, col).value = None

    edit(path, change)
    cut = split.plan(sources.load(path)).row
    assert middle - 10 < cut <= middle + 10  # the first half ends with an emptied row
    assert all(t.rest is None for t in read_files([path], split_on=TODAY))
    report = check_files([path], today=TODAY)
    assert_same(report, one_process(path))
    assert report.tables[1].rows == ROWS - 20


@pytest.mark.usefixtures("forced")
def test_a_second_half_that_begins_with_emptied_rows(tmp_path):
    """Emptied rows that keep their formatting are rows of the XML: the cut can fall on
    one, and the child's first record is then a few rows below it."""
    from addin.xlsx import source as sources

    middle = split.plan(sources.load(plain(tmp_path))).row
    for shift in range(-4, 4):
        path = plain(tmp_path)

        def change(sheet, first=middle + shift) -> None:
            for row in range(first, first + 4):
                for col in range(2, len(MEMBER_COLUMNS) + 1):
                    cell = sheet.cell(row, col)
                    cell.value, cell.fill = None, PatternFill("solid", fgColor="FFFF00")

        edit(path, change)
        (table,) = [t for t in read_files([path], split_on=TODAY) if t.kind == "members"]
        if table.rest is not None and table.rest.result().rows[0] > table.records[-1].row + 1:
            break
        if table.rest is not None:
            table.rest.stop()
    else:
        pytest.fail("no cut fell on an emptied row")
    report = check_files([path], today=TODAY)
    assert_same(report, one_process(path))
    assert report.tables[1].rows == ROWS - 4


def raising(error: BaseException | type[BaseException]):
    """A stand-in for a function that fails with ``error``."""

    def fail(*_args: object) -> None:
        raise error

    return fail


def test_a_child_told_of_another_table_is_let_go(forced, tmp_path):
    path = small_table_first(tmp_path)
    tables = read_files([path], split_on=TODAY)
    assert all(t.rest is None for t in tables)  # read whole after all
    assert len([t for t in tables if t.kind == "members"]) == 2
    assert_same(check_files([path], today=TODAY), one_process(path))


def test_a_child_that_dies_before_its_go_falls_back(forced, tmp_path, monkeypatch):
    path = plain(tmp_path)
    whole = one_process(path)
    monkeypatch.setattr(split, "_second_rows", lambda *_args: os._exit(1))  # only the child
    assert_same(check_files([path], today=TODAY), whole)


def test_a_failure_on_this_side_reads_the_sheet_whole(forced, tmp_path, monkeypatch):
    path = plain(tmp_path)
    whole = one_process(path)

    monkeypatch.setattr(split.Cut, "first", raising(MemoryError))
    tables = read_files([path], split_on=TODAY)
    assert all(t.rest is None for t in tables)
    assert_same(check_files([path], today=TODAY), whole)


def test_a_full_ram_disk_reads_the_halves_from_memory(forced, tmp_path, monkeypatch):
    path = plain(tmp_path)
    whole = one_process(path)

    monkeypatch.setattr(split, "_open_nameless", raising(OSError(28, "No space left on device")))
    (table,) = [t for t in read_files([path], split_on=TODAY) if t.kind == "members"]
    assert table.rest is not None and table.rest.result().rows
    assert_same(check_files([path], today=TODAY), whole)


def test_a_failing_child_falls_back_to_one_process(forced, tmp_path, monkeypatch):
    path = plain(tmp_path)
    whole = one_process(path)

    monkeypatch.setattr(split, "_check_rest", raising(MemoryError))  # the child inherits it
    assert_same(check_files([path], today=TODAY), whole)


def test_merges_across_the_cut_move_it_below_them(tmp_path, forced):
    from addin.xlsx import source as sources

    cut = split.plan(sources.load(merged_branches(tmp_path)))
    assert cut is not None
    quarter = ROWS // 4
    spans = [(DATA_ROW + i, DATA_ROW + i + quarter - 1) for i in range(0, ROWS, quarter)]
    assert not any(top < cut.row <= bottom for top, bottom in spans)


def test_small_sheets_one_core_or_the_switch_read_in_one_process(tmp_path, monkeypatch):
    from addin.xlsx import source as sources

    path = plain(tmp_path)
    assert split.plan(sources.load(path)) is None  # far below 8 MB
    monkeypatch.setenv("DYXX_SPLIT_BYTES", "0")
    monkeypatch.setenv("DYXX_PROCESSES", "1")
    assert not split.can_fork()
    assert all(t.rest is None for t in read_files([path], split_on=TODAY))


def dyxx(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "addin.cli.main", *args, "--today", TODAY.isoformat()],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=ROOT,
        check=False,
    )


def test_the_command_line_gives_the_same_json_and_stamp_either_way(tmp_path):
    path = generated(tmp_path)
    runs = {}
    for name, env in (("split", {"DYXX_SPLIT_BYTES": "0"}), ("whole", {"DYXX_PROCESSES": "1"})):
        marked = tmp_path / f"{name}.xlsx"
        result = dyxx("check", str(path), "--json", "-o", str(marked), **env)
        assert result.returncode == 1, result.stderr
        report = json.loads(result.stdout)
        report.pop("checked_at")
        stamp = load_workbook(marked)["校验记录"]
        rows = [[c.value for c in row] for row in stamp.iter_rows()]
        runs[name] = (report, [r for r in rows if r[0] not in ("校验时间",)])
    assert runs["split"] == runs["whole"]
    assert [t["rows"] for t in runs["split"][0]["tables"]] == [40, 1500]


RAM = Path(split.RAM_FOLDER)


def test_the_halves_pass_through_ram_only_briefly(forced, tmp_path):
    if not split._in_memory(split.RAM_FOLDER):
        pytest.skip("no tmpfs at /dev/shm on this machine")
    before = set(RAM.glob("dyxx-*"))
    check_files([plain(tmp_path)], today=TODAY)
    assert set(RAM.glob("dyxx-*")) == before  # opened, then removed at once


def test_an_encrypted_workbook_is_split_without_any_file(forced, tmp_path, monkeypatch):
    from addin.write.outputs import encrypt

    locked = tmp_path / "加密.xlsx"
    locked.write_bytes(encrypt(plain(tmp_path).read_bytes(), "dangyuan2017"))
    passwords = {locked: "dangyuan2017"}

    def no_files(*_args, **_kwargs):
        raise AssertionError("a decrypted workbook was written to a file")

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DYXX_PROCESSES", "1")
        whole = check_files([locked], TODAY, passwords)
    monkeypatch.setattr(split.tempfile, "mkstemp", no_files)  # the child inherits it too
    (table,) = [t for t in read_files([locked], passwords, split_on=TODAY) if t.kind == "members"]
    assert table.rest is not None and table.rest.result().rows
    assert_same(check_files([locked], TODAY, passwords), whole)
