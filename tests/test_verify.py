"""`dyxx verify`: a stamped copy is checked against the row hashes of its 校验记录."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from addin.engine.check import check_files
from addin.read.ownsheets import LEDGER_SHEET
from addin.read.reader import read_workbook
from addin.workflow.verify import ADDED, EDITED, REMOVED, verify
from addin.write.layout import MEMBER_COLUMNS
from addin.write.marked.annotate import STAMP_SHEET, write_annotated
from addin.write.outputs import encrypt
from bench.generate import write as generate
from tests.support.books import TODAY, good_member, good_org, person_id, write_book
from tests.support.cli import dyxx

MEMBERS = "党员基本信息汇总表"


NAMES = "甲乙丙丁戊己庚辛壬癸"


def people(count: int) -> list[dict[str, object]]:
    return [
        good_member(
            name="张" + NAMES[n % 10] + NAMES[n // 10],
            id_number=person_id("430523", "19680312", f"{2 * n + 1:03d}"),
        )
        for n in range(count)
    ]


def stamped(path: Path, out: Path | None = None) -> Path:
    out = out or path.with_name(path.stem + "_校验.xlsx")
    write_annotated(path, out, check_files([path], today=TODAY))
    return out


@pytest.fixture
def marked(tmp_path) -> Path:
    """A stamped copy of a workbook with one error (row 7) among five members."""
    rows = people(5)
    rows[1]["gender"] = "女"
    return stamped(write_book(tmp_path / "名册.xlsx", rows, [good_org()]))


def edit(path: Path, changes: dict[str, object], delete: int | None = None) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book[MEMBERS]
    if delete:
        sheet.delete_rows(delete)
    for ref, value in changes.items():
        sheet[ref] = value
    book.save(path)


def test_an_untouched_copy_matches_its_stamp(marked):
    verdict = verify(marked)
    assert verdict.unchanged and not verdict.stamp.passed and verdict.rows == 6
    result = dyxx("verify", str(marked))
    assert result.returncode == 1  # unchanged, but the check found an error
    assert "数据与校验时一致（6 行）" in result.stdout and "校验结论为未通过" in result.stdout


def test_a_passed_untouched_copy_exits_0(tmp_path):
    out = stamped(write_book(tmp_path / "好.xlsx", people(3), [good_org()]))
    result = dyxx("verify", str(out))
    assert result.returncode == 0, result.stdout
    assert "结论：通过" in result.stdout and "验收通过" in result.stdout


def test_edited_added_and_removed_rows_are_named(marked):
    edit(marked, {"E7": "男", "O9": "邵阳县塘渡口镇资江路14号"})
    changes = [(c.change, c.old_rows, c.new_rows) for c in verify(marked).changes]
    assert changes == [(EDITED, (7,), (7,)), (EDITED, (9,), (9,))]
    result = dyxx("verify", str(marked))
    assert result.returncode == 1
    assert "工作表“党员基本信息汇总表”（附件4）：第7行已修改" in result.stdout
    assert "校验后数据有变动，请重新校验" in result.stdout


def test_rows_inserted_and_deleted(marked):
    extra = people(7)[6]
    book = openpyxl.load_workbook(marked)
    sheet = book[MEMBERS]
    sheet.insert_rows(8)
    for col, (_text, key) in enumerate(MEMBER_COLUMNS, start=1):
        sheet.cell(row=8, column=col, value=99 if key == "seq" else extra[key])
    book.save(marked)
    changes = [(c.change, c.old_rows, c.new_rows) for c in verify(marked).changes]
    assert changes == [(ADDED, (), (8,))]
    edit(marked, {}, delete=10)
    changes = [(c.change, c.old_rows, c.new_rows) for c in verify(marked).changes]
    assert changes == [(ADDED, (), (8,)), (REMOVED, (9,), ())]
    result = dyxx("verify", str(marked))
    assert "新增第8行" in result.stdout and "删除了校验时的第9行" in result.stdout


def test_the_stamp_holds_hashes_never_the_data(tmp_path):
    path = write_book(tmp_path / "名册.xlsx", people(4), [good_org()])
    out = stamped(path)
    copy = openpyxl.load_workbook(out)
    stamp = [
        str(v)
        for name in (STAMP_SHEET, LEDGER_SHEET)  # the summary, the hidden records
        for row in copy[name].iter_rows(values_only=True)
        for v in row
        if v is not None
    ]
    data = {
        str(v)
        for table in read_workbook(path)
        for record in table.records
        for v in record.values.values()
        if v is not None and len(str(v)) >= 4
    }
    assert len(data) > 10
    for value in data:
        assert not any(value in cell for cell in stamp), value
    prints = [json.loads(c) for c in stamp if c.startswith('["' + MEMBERS)]
    assert prints and all(len(p[4].split()) == p[3] == 4 for p in prints if p[1] == "members")
    assert all(len(h) == 16 and int(h, 16) >= 0 for h in prints[0][4].split())


@pytest.mark.e2e  # 2,500 rows
def test_large_tables_are_stamped_in_chunks(tmp_path):
    path = tmp_path / "大名册.xlsx"
    generate(path, 2500, seed=3, ratio=0.01)
    out = stamped(path)
    assert verify(out).unchanged
    rows = openpyxl.load_workbook(out)[LEDGER_SHEET].iter_rows(values_only=True)
    assert sum(1 for row in rows if row[0] == "行指纹") >= 3
    book = openpyxl.load_workbook(out)
    sheet = book[MEMBERS]
    sheet["O2006"] = "改过的住址8号"
    book.save(out)
    assert [(c.change, c.new_rows) for c in verify(out).changes] == [(EDITED, (2006,))]


def test_a_copy_of_a_sheet_with_notes_verifies(tmp_path):
    """A sheet with a note of its own: ours go into its comments part, and it verifies."""
    path = write_book(tmp_path / "批注.xlsx", [good_member(gender="女")], [good_org()])
    book = openpyxl.load_workbook(path)
    book[MEMBERS]["B6"].comment = openpyxl.comments.Comment("已核对", "王芳")
    book.save(path)
    out = stamped(path)
    stamp = dict(
        row[:2] for row in openpyxl.load_workbook(out)[LEDGER_SHEET].iter_rows(values_only=True)
    )
    assert stamp["标注方式"] == "xml"
    assert openpyxl.load_workbook(out)[MEMBERS]["B6"].comment.text == "已核对"
    assert verify(out).unchanged


def test_libreoffice_resave_keeps_the_verdict(office, marked, tmp_path):
    resaved = tmp_path / "另存.xlsx"
    office.call("evaluate", path=str(marked), values={}, rows={}, save_as=str(resaved))
    assert verify(resaved).unchanged


def test_no_stamp_or_a_damaged_one_exit_2(tmp_path, marked):
    plain = write_book(tmp_path / "未校验.xlsx", people(2))
    result = dyxx("verify", str(plain))
    assert result.returncode == 2 and "没有 dyxx 写的“校验记录”工作表" in result.stdout
    book = openpyxl.load_workbook(marked)
    sheet = book[LEDGER_SHEET]
    row = next(r for r in sheet.iter_rows() if r[0].value == "行指纹")
    row[1].value = '["党员基本信息汇总表", "members", 6, 9'
    book.save(marked)
    result = dyxx("verify", str(marked))
    assert result.returncode == 2 and "已损坏或被改动" in result.stdout


def test_a_stamp_without_row_hashes_compares_the_whole(tmp_path, marked):
    book = openpyxl.load_workbook(marked)
    sheet = book[LEDGER_SHEET]
    for row in list(sheet.iter_rows()):
        if row[0].value in ("行指纹", "本文件数据指纹"):
            row[0].value = None
    book.save(marked)
    verdict = verify(marked)
    assert verdict.whole_only and verdict.unchanged
    edit(marked, {"E7": "男"})
    result = dyxx("verify", str(marked))
    assert result.returncode == 1 and "无法指出是哪些行" in result.stdout


def test_encrypted_copy(tmp_path, marked):
    locked = tmp_path / "加密.xlsx"
    locked.write_bytes(encrypt(marked.read_bytes(), "mima"))
    assert dyxx("verify", str(locked), "--password", "mima").returncode == 1
    result = dyxx("verify", str(locked))
    assert result.returncode == 2 and "密码" in result.stdout


def test_code_table_update_is_noted(marked, monkeypatch):
    from addin.values import codes

    changed = {**codes.versions(), "education.csv": "000000000000"}
    monkeypatch.setattr(codes, "versions", lambda: changed)
    assert verify(marked).codes_changed == ["education.csv"]


def test_unreadable_file(tmp_path):
    bad = tmp_path / "坏.xlsx"
    shutil.copy(Path(__file__), bad)
    result = dyxx("verify", str(bad))
    assert result.returncode == 2 and "坏.xlsx" in result.stdout
