"""``dyxx fix``: exactly the corrections dyxx knows, a 修改记录 of each, nothing else changed.

The roster below carries every kind of change fix makes and cells it must leave alone;
each is written by openpyxl as an officer's Excel would hold it (dates as text in cells
formatted as text, General, a date, a number), read back after the fix with openpyxl,
calamine and ``dyxx check``, and once through LibreOffice.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import xlwt
from stdnum.cn.ric import calc_check_digit

from addin.engine.check import check_files
from addin.model.fields import get
from addin.read import ownsheets
from addin.read.reader import read_workbook
from addin.values import codes
from addin.workflow.fix import ZERO_AMBIGUOUS, code_decider, column_form, plan
from addin.write.fixed import (
    FORMULA,
    LEFT_HEADER,
    LEFT_TITLE,
    NOT_A_DAY,
    CellFix,
    fixed_package,
)
from addin.write.layout import MEMBER_COLUMNS, ORG_COLUMNS, add_table
from addin.write.outputs import encrypt
from addin.xlsx.parts import Styles
from addin.xlsx.source import is_encrypted, load
from bench.generate import DATA_ROW as GENERATED_ROW
from bench.generate import write as generate
from tests.support.books import (
    BRANCH,
    TODAY,
    cell_style,
    good_member,
    good_org,
    marked_copy,
    write_book,
)
from tests.support.cli import dyxx
from tests.support.official import DATA, MEMBER_SHEET, official_download
from tests.support.xlsx import parts, rewrite

pytestmark = pytest.mark.filterwarnings("ignore:Data Validation extension:UserWarning")
MEMBERS, ORGS = "党员基本信息汇总表", "党组织和所在单位信息汇总表"
COLUMN = {key: openpyxl.utils.get_column_letter(i) for i, (_t, key) in enumerate(MEMBER_COLUMNS, 1)}
ORG_COLUMN = {
    key: openpyxl.utils.get_column_letter(i) for i, (_t, key) in enumerate(ORG_COLUMNS, 1)
}
WHEN = ("--today", TODAY.isoformat())
HOSTILE = '=HYPERLINK("http://example.invalid","钱七")'


def with_x() -> str:
    """A valid ID whose check character is X."""
    for sequence in range(10, 999):
        body = f"430523196803{12:02d}{sequence:03d}"
        if calc_check_digit(body + "0") == "X":
            return body + "X"
    raise AssertionError("no sequence gives X")


X_ID = with_x()
OLD_ID = "430523680312013"  # 15 digits: 430523 19680312 013
OLD_ID_18 = "43052319680312013" + calc_check_digit("43052319680312013" + "0")
BAD_OLD_ID = "430523681312011"  # month 13

MEMBERS_ROWS = [
    good_member(),
    good_member(
        name="张三",
        id_number=f" {X_ID[:6]} {X_ID[6:-1]}x",
        mobile="１３８ 0731 2345",
        birth_date="1968.03.12",
    ),
    good_member(
        name="王五",
        id_number=OLD_ID,
        ethnicity="维吾尔",
        job=211,
        landline=7396821234,
        join_date="1992年7月1日",
    ),
    good_member(name="赵六", id_number=BAD_OLD_ID, education="\ufeff21", full_date="1993-07-01"),
    good_member(
        name=HOSTILE,
        landline="'0739-6821234",
        join_date="1992.07.01",
        full_date="1993.07.01",
    ),
]
# cell -> number format given to it after the rows are written
FORMATS = {
    f"{COLUMN['birth_date']}7": "@",
    f"{COLUMN['full_date']}9": "yyyy-mm-dd",
    f"{COLUMN['join_date']}10": "0.00",
    f"{COLUMN['full_date']}10": "yyyy-mm",
}
# cell -> (as it was, as it is after, rule codes)
EXPECTED = {
    (MEMBERS, f"{COLUMN['id_number']}7"): (f" {X_ID[:6]} {X_ID[6:-1]}x", X_ID, "id.normalised"),
    (MEMBERS, f"{COLUMN['birth_date']}7"): ("1968.03.12", "1968-03-12", "fix.date_text"),
    (MEMBERS, f"{COLUMN['mobile']}7"): ("１３８ 0731 2345", "13807312345", "fix.phone_format"),
    (MEMBERS, f"{COLUMN['id_number']}8"): (OLD_ID, OLD_ID_18, "id.old_15"),
    (MEMBERS, f"{COLUMN['ethnicity']}8"): ("维吾尔", "维吾尔族", "code.ethnicity_variant"),
    (MEMBERS, f"{COLUMN['join_date']}8"): ("1992年7月1日", "1992-07-01", "fix.date_text"),
    (MEMBERS, f"{COLUMN['job']}8"): ("211", "0211", "code.leading_zero"),
    (MEMBERS, f"{COLUMN['landline']}8"): ("7396821234", "0739-6821234", "phone.zero_lost"),
    (MEMBERS, f"{COLUMN['education']}9"): ("\ufeff21", "21", "text.marks"),
    (MEMBERS, f"{COLUMN['full_date']}9"): ("1993-07-01", "1993-07-01", "fix.date_text"),
    (MEMBERS, f"{COLUMN['landline']}10"): ("'0739-6821234", "0739-6821234", "text.marks"),
    (ORGS, f"{ORG_COLUMN['phone']}6"): ("0739 6821234", "0739-6821234", "fix.phone_format"),
}
LEFT = {
    (MEMBERS, f"{COLUMN['id_number']}9"): "15位旧号码本身有误",
    (MEMBERS, f"{COLUMN['join_date']}10"): "（0.00）",
    (MEMBERS, f"{COLUMN['full_date']}10"): "（yyyy-mm）",
}
FIXED_RULES = {"id.normalised", "id.old_15", "text.marks", "code.leading_zero", "phone.zero_lost"}
DATES = {cell for (sheet, cell), (_o, _n, rule) in EXPECTED.items() if rule == "fix.date_text"}


def roster(path: Path) -> Path:
    write_book(path, MEMBERS_ROWS, [good_org(phone="0739 6821234")])
    book = openpyxl.load_workbook(path)
    for cell, number_format in FORMATS.items():
        book[MEMBERS][cell].number_format = number_format
    book.save(path)
    return path


@pytest.fixture(scope="module")
def fixed(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("fix")
    source = roster(folder / "名册.xlsx")
    ran = dyxx("fix", source, "-o", folder / "修正.xlsx", *WHEN)
    assert ran.returncode == 0, ran
    return source, folder / "修正.xlsx"


def log(path: Path) -> tuple[list[tuple], list[tuple]]:
    """The 修改记录's changes and the cells it left."""
    rows = list(openpyxl.load_workbook(path)[ownsheets.FIX_SHEET].iter_rows(values_only=True))
    assert rows[0][: len(ownsheets.FIX_HEADER)] == ownsheets.FIX_HEADER
    blank = next(i for i, row in enumerate(rows) if not any(row))
    changes = [row for row in rows[1:blank]]
    left = rows[blank + 3 :] if rows[blank + 1][0] == LEFT_TITLE else []
    if left:
        assert rows[blank + 2][: len(LEFT_HEADER)] == LEFT_HEADER
    return changes, left


def test_the_copy_makes_exactly_the_planned_changes(fixed):
    source, target = fixed
    changes, _left = log(target)
    found = {(row[1], row[2]): (row[5], row[6], row[7]) for row in changes}
    assert found == EXPECTED
    assert [row[0] for row in changes] == list(range(1, len(EXPECTED) + 1))
    people = {(row[1], row[2]): row[3] for row in changes}
    assert people[(MEMBERS, f"{COLUMN['landline']}10")] == HOSTILE
    assert people[(ORGS, f"{ORG_COLUMN['phone']}6")] == BRANCH
    before, after = openpyxl.load_workbook(source), openpyxl.load_workbook(target)
    for sheet in (MEMBERS, ORGS):
        for row_before, row_after in zip(
            before[sheet].iter_rows(), after[sheet].iter_rows(), strict=True
        ):
            for old, new in zip(row_before, row_after, strict=True):
                wanted = EXPECTED.get((sheet, new.coordinate))
                if wanted is None or (sheet, new.coordinate) in LEFT:
                    assert new.value == old.value, new.coordinate
                elif new.coordinate in DATES:
                    assert new.value == datetime.fromisoformat(wanted[1]), new.coordinate
                else:
                    assert new.value == wanted[1] and new.data_type == "s", new.coordinate


def test_what_it_cannot_know_is_left_and_listed(fixed):
    _source, target = fixed
    _changes, left = log(target)
    found = {(row[1], row[2]): row[6] for row in left}
    assert set(found) == set(LEFT)
    for cell, reason in LEFT.items():
        assert reason in found[cell]
    assert NOT_A_DAY.split("（")[0] in found[(MEMBERS, f"{COLUMN['join_date']}10")]


def test_every_other_part_and_cell_is_kept(fixed):
    source, target = fixed
    old, new = parts(source), parts(target)
    changed = {name for name in old if old[name] != new.get(name)}
    assert changed == {
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet2.xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "[Content_Types].xml",
        "xl/styles.xml",
    }
    assert set(new) - set(old) == {"xl/worksheets/sheet3.xml"}
    for part in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"):
        touched = {cell for (_sheet, cell) in EXPECTED}
        assert without_cells(new[part], touched) == without_cells(old[part], touched)
    # styles.xml: the styles the dates needed appended, every style in use as it was
    before, after = Styles(old["xl/styles.xml"]), Styles(new["xl/styles.xml"])
    for section in ("cellXfs", "numFmts", "fills", "dxfs"):
        assert after.items[section][: len(before.items[section])] == before.items[section]
    assert len(after.items["cellXfs"]) - len(before.items["cellXfs"]) <= 2  # from General, @
    assert re.sub(rb"<(cellXfs|numFmts)\b.*?</\1>", b"", new["xl/styles.xml"], flags=re.S) == (
        re.sub(rb"<(cellXfs|numFmts)\b.*?</\1>", b"", old["xl/styles.xml"], flags=re.S)
    )


def without_cells(xml: bytes, cells: set[str]) -> bytes:
    pattern = rb'<c r="(%s)"[^>]*?(?:/>|>.*?</c>)' % b"|".join(c.encode() for c in cells)
    return re.sub(pattern, b"", xml)


def test_cells_keep_their_look(fixed):
    """A changed cell keeps its style; a text date in a cell formatted as text or General
    gets the same style with a date format."""
    source, target = fixed
    before, after = openpyxl.load_workbook(source), openpyxl.load_workbook(target)
    for sheet in (MEMBERS, ORGS):
        for row_before, row_after in zip(
            before[sheet].iter_rows(), after[sheet].iter_rows(), strict=True
        ):
            for old, new in zip(row_before, row_after, strict=True):
                if sheet == MEMBERS and new.coordinate in DATES:
                    assert cell_style(new)[:-1] == cell_style(old)[:-1]
                    assert new.number_format == "yyyy-mm-dd"
                else:
                    assert cell_style(new) == cell_style(old), new.coordinate


def test_text_stays_text(fixed):
    _source, target = fixed
    log_xml = parts(target)["xl/worksheets/sheet3.xml"]
    assert b"<f>" not in log_xml and b"<f " not in log_xml
    assert b"HYPERLINK(&quot;" in log_xml or b'HYPERLINK("' in log_xml
    changes, _left = log(target)
    assert all(isinstance(row[5], str) and isinstance(row[6], str) for row in changes)


def test_the_change_log_is_never_read_as_a_roster(fixed):
    _source, target = fixed
    assert [t.sheet for t in read_workbook(target)] == [ORGS, MEMBERS]
    rows = list(openpyxl.load_workbook(target)[ownsheets.FIX_SHEET].iter_rows(values_only=True))
    assert ownsheets.kind("任何名字", rows[:6]) == ownsheets.FIXES


def findings(path: Path) -> set[tuple[str, str, str]]:
    return {(f.sheet, f.cell, f.rule) for f in check_files([path], today=TODAY).findings}


def test_check_no_longer_reports_what_was_fixed(fixed):
    source, target = fixed
    before, after = findings(source), findings(target)
    assert after <= before  # nothing new
    fixed_cells = {(sheet, cell) for (sheet, cell) in EXPECTED if (sheet, cell) not in LEFT}
    assert not {f for f in after if f[:2] in fixed_cells}
    gone = {rule for (_o, _n, rule) in EXPECTED.values() if not rule.startswith("fix.")}
    assert {f[2] for f in before - after} == gone


def test_fixing_again_changes_nothing(fixed, tmp_path):
    _source, target = fixed
    again = tmp_path / "再修正.xlsx"
    ran = dyxx("fix", target, "-o", again, *WHEN)
    assert ran.returncode == 0, ran
    assert "没有可以自动修改的内容" in ran.stdout and not again.exists()


@pytest.mark.parametrize("kind", ["example", "official"])
def test_real_workbooks(kind, tmp_path):
    """The example workbook as shipped, and a copy of the official download's layout."""
    if kind == "example":
        source = Path(__file__).resolve().parents[1] / "examples" / "示例_林业局党委.xlsx"
    else:
        members = [good_member(), good_member(name="张三", mobile="138 0731 2345", job=211)]
        source = official_download(tmp_path / "下载.xlsx", members, [good_org()])
    target = tmp_path / "修正.xlsx"
    ran = dyxx("fix", source, "-o", target, *WHEN)
    assert ran.returncode == 0 and target.exists(), ran
    changes, _left = log(target)
    assert changes
    before, after = findings(source), findings(target)
    assert after <= before
    assert not {f for f in after if (f[0], f[1]) in {(row[1], row[2]) for row in changes}}
    if kind == "official":
        assert {(row[2], row[6]) for row in changes} == {
            (f"{COLUMN['mobile']}{DATA + 1}", "13807312345"),
            (f"{COLUMN['job']}{DATA + 1}", "0211"),
        }
        assert openpyxl.load_workbook(target)[MEMBER_SHEET].data_validations.dataValidation
    again = dyxx("fix", target, "-o", tmp_path / "再修正.xlsx", *WHEN)
    assert "没有可以自动修改的内容" in again.stdout, again


def test_formulas_and_merged_cells_are_left_alone(tmp_path):
    """A value a formula gives is not overwritten; a merged range is changed in its first
    cell only, the cells it covers stay empty."""
    members = [good_member(), good_member(name="张三"), good_member(name="李四")]
    source = write_book(tmp_path / "名册.xlsx", members)
    education, mobile = f"{COLUMN['education']}6", f"{COLUMN['mobile']}6"
    book = openpyxl.load_workbook(source)
    book[MEMBERS][education] = "'21"
    book[MEMBERS].merge_cells(f"{education}:{COLUMN['education']}7")
    book.save(source)
    xml = parts(source)["xl/worksheets/sheet1.xml"].decode()
    cell = re.search(rf'<c r="{mobile}"[^>]*>.*?</c>', xml).group(0)
    formula = f'<c r="{mobile}" t="str"><f>"138 0731 2345"</f><v>138 0731 2345</v></c>'
    spoiled = rewrite(
        source,
        tmp_path / "公式.xlsx",
        {"xl/worksheets/sheet1.xml": xml.replace(cell, formula).encode()},
    )
    target = tmp_path / "修正.xlsx"
    ran = dyxx("fix", spoiled, "-o", target, *WHEN)
    assert ran.returncode == 0, ran
    changes, left = log(target)
    assert [(row[2], row[6]) for row in changes] == [(education, "21")]
    assert [(row[2], row[6]) for row in left] == [(mobile, FORMULA)]
    new = parts(target)["xl/worksheets/sheet1.xml"]
    assert formula.encode() in new
    assert re.search(rb'<c r="%s7"[^>]*/>' % COLUMN["education"].encode(), new)
    assert not findings(target) & {(MEMBERS, education, "text.marks")}


def test_an_encrypted_workbook_gives_an_encrypted_copy(tmp_path):
    plain = write_book(tmp_path / "名册.xlsx", [good_member(mobile="138 0731 2345")])
    locked = tmp_path / "加密.xlsx"
    locked.write_bytes(encrypt(plain.read_bytes(), "口令1"))
    target = tmp_path / "修正.xlsx"
    ran = dyxx("fix", locked, "-o", target, "--password", "口令1", *WHEN)
    assert ran.returncode == 0, ran
    assert is_encrypted(target)
    reopened = load(target, "口令1")
    with zipfile.ZipFile(reopened.stream()) as package:
        assert ownsheets.FIX_SHEET.encode() in package.read("xl/workbook.xml")


def test_inputs_and_foreign_files_are_never_overwritten(tmp_path):
    source = write_book(tmp_path / "名册.xlsx", [good_member(mobile="138 0731 2345")])
    same = dyxx("fix", source, "-o", source, *WHEN)
    assert same.returncode == 2 and "不能与输入的文件相同" in same.output
    theirs = tmp_path / "他人.xlsx"
    theirs.write_bytes(b"not ours")
    refused = dyxx("fix", source, "-o", theirs, *WHEN)
    assert refused.returncode == 2 and theirs.read_bytes() == b"not ours"
    assert dyxx("fix", source, "-o", theirs, "--force", *WHEN).returncode == 0
    default = dyxx("fix", source, *WHEN)  # beside the input, named after it
    assert default.returncode == 0 and (tmp_path / "名册_修正.xlsx").exists()


def test_a_code_is_written_as_its_column_writes_them(tmp_path):
    members = [good_member(education=e) for e in ("21 大学", "22 大专", "'21")]
    source = write_book(tmp_path / "名册.xlsx", members)
    found = plan(read_workbook(source), TODAY)
    assert [(c.cell, c.shown) for c in found.changes] == [(f"{COLUMN['education']}8", "21 大学")]
    education = codes.table("education")
    field = get("members", "education")
    assert column_form(education, ["大学", "大专", 21.0], field) == "name"
    assert column_form(education, [None], field) == "both"


def test_a_lost_zero_that_fits_two_codes_is_not_guessed():
    ambiguous = codes.CodeTable(
        "job", {}, [{"code": "011", "name": "甲"}, {"code": "0011", "name": "乙"}]
    )
    decide = code_decider(ambiguous, [11.0, "011"], get("members", "job"))
    reason = decide(11.0)
    assert reason == ZERO_AMBIGUOUS.format(table="job", value="11", choices="“011 甲”或“0011 乙”")
    assert decide("011") is None and decide(1.0) is None


def test_through_libreoffice(fixed, office, tmp_path):
    """LibreOffice shows the changes as an officer would see them; a roster it saved is
    fixed alike, and its copy of the fixed workbook needs no more fixing."""
    source, target = fixed
    wanted = {cell for (sheet, cell) in EXPECTED if sheet == MEMBERS and (sheet, cell) not in LEFT}
    seen = office.call("inspect", path=str(target), cells={MEMBERS: sorted(wanted)})
    assert ownsheets.FIX_SHEET in [sheet["name"] for sheet in seen["sheets"]]
    for cell, info in seen["cells"][MEMBERS].items():
        assert info["string"] == EXPECTED[(MEMBERS, cell)][1], cell
        if cell in DATES:
            assert info["number_format"].upper() in ("YYYY-MM-DD", "YYYY\\-MM\\-DD"), cell
    saved = tmp_path / "另存.xlsx"
    office.call("evaluate", path=str(target), values={}, rows={}, save_as=str(saved))
    assert findings(saved) == findings(target)
    again = dyxx("fix", saved, "-o", tmp_path / "再修正.xlsx", *WHEN)
    assert again.returncode == 0 and "没有可以自动修改的内容" in again.stdout, again
    officer = tmp_path / "信息员另存.xlsx"
    office.call("evaluate", path=str(source), values={}, rows={}, save_as=str(officer))
    ran = dyxx("fix", officer, "-o", tmp_path / "修正.xlsx", *WHEN)
    assert ran.returncode == 0, ran
    changes, _left = log(tmp_path / "修正.xlsx")
    assert {(row[1], row[2]): (row[6], row[7]) for row in changes} == {
        cell: (new, rule) for cell, (_old, new, rule) in EXPECTED.items()
    }


def test_an_officers_sheet_called_like_ours_is_kept(tmp_path):
    source = write_book(tmp_path / "名册.xlsx", [good_member(mobile="138 0731 2345")])
    book = openpyxl.load_workbook(source)
    book.create_sheet(ownsheets.FIX_SHEET).append(["日期", "改了什么"])
    book.save(source)
    target = tmp_path / "修正.xlsx"
    assert dyxx("fix", source, "-o", target, *WHEN).returncode == 0
    fixed_book = openpyxl.load_workbook(target)
    assert fixed_book.sheetnames[-2:] == [ownsheets.FIX_SHEET, ownsheets.FIX_SHEET + "2"]
    assert next(fixed_book[ownsheets.FIX_SHEET].iter_rows(values_only=True)) == ("日期", "改了什么")
    assert log_of(target, ownsheets.FIX_SHEET + "2")[1][6] == "13807312345"


def log_of(path: Path, sheet: str) -> list[tuple]:
    return list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))


def test_clean_takes_the_change_log_out_and_keeps_the_fixes(fixed, tmp_path):
    _source, target = fixed
    ready = tmp_path / "导入.xlsx"
    ran = dyxx("clean", target, "-o", ready)
    assert ran.returncode == 0, ran
    book = openpyxl.load_workbook(ready)
    assert book.sheetnames == [ORGS, MEMBERS]
    assert book[MEMBERS][f"{COLUMN['id_number']}8"].value == OLD_ID_18


@pytest.mark.parametrize(
    ("date1904", "day", "serial"),
    [(False, "2017-06-15", 42901), (False, "1900-01-01", 1), (True, "2017-06-15", 41439)],
)
def test_a_date_becomes_the_number_excel_gives_it(date1904, day, serial):
    source = io.BytesIO()
    book = openpyxl.Workbook()
    book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904 if date1904 else book.epoch
    book.active["A1"] = "1"
    book.save(source)
    fix = CellFix("Sheet", 1, 1, "出生日期", "", "1", date.fromisoformat(day), "fix.date_text", "")
    data, made, _left = fixed_package(source.getvalue(), [fix], [])
    assert made == [fix]
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert f"<v>{serial}</v>".encode() in package.read("xl/worksheets/sheet1.xml")
    written = openpyxl.load_workbook(io.BytesIO(data)).active["A1"]
    assert written.value == datetime.fromisoformat(day) and written.number_format == "yyyy-mm-dd"


def test_a_macro_workbook_keeps_its_vba(tmp_path):
    """A real .xlsm (xlwings' own quickstart workbook) with a 附件4 sheet added."""
    import xlwings

    workbook = openpyxl.load_workbook(
        Path(xlwings.__file__).parent / "quickstart.xlsm", keep_vba=True
    )
    add_table(workbook, "members", [good_member(mobile="138 0731 2345")])
    source = tmp_path / "宏工作簿.xlsm"
    workbook.save(source)
    refused = dyxx("fix", source, "-o", tmp_path / "修正.xlsx", *WHEN)
    assert refused.returncode == 2 and ".xlsm" in refused.output
    assert not (tmp_path / "修正.xlsx").exists()
    default = dyxx("fix", source, *WHEN)
    assert default.returncode == 0, default
    target = tmp_path / "宏工作簿_修正.xlsm"
    assert parts(target)["xl/vbaProject.bin"] == parts(source)["xl/vbaProject.bin"]
    assert log_of(target, ownsheets.FIX_SHEET)[1][6] == "13807312345"


def test_a_generated_roster_with_planted_defects(tmp_path):
    """300 members, some with planted defects fix must leave alone, every second date
    as text, some IDs and phones spaced out: check after the fix finds nothing new and
    nothing of what was fixed."""
    source = tmp_path / "附件4.xlsx"
    planted = {
        f"{letter}{row}" for row, letter in generate(source, 300, seed=5, ratio=0.01).defects
    }
    book = openpyxl.load_workbook(source)
    sheet = book[MEMBERS]
    spaced = {}
    for row in range(GENERATED_ROW, GENERATED_ROW + 300, 7):
        for key, cut in (("id_number", 6), ("mobile", 3)):
            cell = sheet[f"{COLUMN[key]}{row}"]
            if isinstance(cell.value, str) and len(cell.value) > cut:
                cell.value = f"{cell.value[:cut]} {cell.value[cut:]}"
                spaced[cell.coordinate] = cell.value.replace(" ", "")
    book.save(source)
    target = tmp_path / "修正.xlsx"
    assert dyxx("fix", source, "-o", target, *WHEN).returncode == 0
    changes, left = log(target)
    made = {row[2]: row[6] for row in changes}
    assert {c: made.get(c) for c in spaced} == {
        c: None if c in planted else n for c, n in spaced.items()
    }
    wrong_ids = {c for c in set(spaced) & planted if c.startswith(COLUMN["id_number"])}
    assert wrong_ids and {row[2] for row in left} == wrong_ids  # spaced, but a wrong number
    assert sum(row[7] == "fix.date_text" for row in changes) == 300
    before, after = findings(source), findings(target)
    assert after <= before
    assert not {f for f in after if f[1] in made and f[2] in FIXED_RULES}


def test_a_marked_copy_is_fixed_with_a_word_about_its_old_marks(tmp_path):
    source = write_book(tmp_path / "名册.xlsx", [good_member(mobile="138 0731 2345", job=211)])
    marked = marked_copy(source, tmp_path / "标注.xlsx")
    target = tmp_path / "修正.xlsx"
    ran = dyxx("fix", marked, "-o", target, *WHEN)
    assert ran.returncode == 0 and "输入的是标注副本" in ran.stdout, ran
    remarked = tmp_path / "重新标注.xlsx"
    assert dyxx("check", target, "-o", remarked, *WHEN).returncode == 0
    assert read_workbook(remarked)[0].column("job") == [
        "0211 事业单位管理岗位"
    ]  # no other to follow
    plain = dyxx("fix", source, "-o", tmp_path / "修正2.xlsx", *WHEN)
    assert "标注副本" not in plain.stdout


def test_a_legacy_xls_is_refused_with_advice(tmp_path):
    path = tmp_path / "旧版.xls"
    book = xlwt.Workbook()
    sheet = book.add_sheet("附件4")
    for col, text in enumerate(("序号", "姓名", "公民身份证号")):
        sheet.write(0, col, text)
        sheet.write(1, col, ("1", "李四", "430523 196803120110")[col])
    book.save(str(path))
    ran = dyxx("fix", path, "-o", tmp_path / "修正.xlsx", *WHEN)
    assert ran.returncode == 2 and "另存为 .xlsx" in ran.output, ran
    assert not (tmp_path / "修正.xlsx").exists()


def test_the_screen_shows_counts_and_what_was_left(fixed, tmp_path):
    source, _target = fixed
    ran = dyxx("fix", source, "-o", tmp_path / "修正.xlsx", "--limit", "1", *WHEN)
    assert ran.returncode == 0, ran
    assert f"共修改 {len(EXPECTED)} 个单元格" in ran.stdout
    assert "15位旧号码本身有误" in ran.stdout and f"另有 {len(LEFT) - 1} 处未列出" in ran.stdout
    assert "HYPERLINK" not in ran.stdout  # the left cells shown are the first only
