"""The generated hand-out workbook, read back with openpyxl and the engine.

What LibreOffice makes of it (dropdowns, protection, live checks, PDF) is in
tests/test_template_libreoffice.py.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest

from addin.engine.check import check_tables
from addin.model.fields import CODED, ENUMERATIONS
from addin.model.findings import RULES, column_letter
from addin.read.reader import read_workbook
from addin.values import codes
from addin.write import livechecks, template
from addin.write.dataentry import CODE_MARKER
from addin.write.entry import DATA_ROWS, options
from addin.write.forms import member_items, org_items
from addin.write.layout import DATA_ROW, GROUPS, HEADER_ROW, TITLES, columns
from tests.support.books import TODAY, good_member, good_org, person_id, write_book
from tests.support.cli import dyxx

ROOT = Path(__file__).resolve().parents[1]
LAST = DATA_ROW + DATA_ROWS - 1


@pytest.fixture(scope="module")
def built() -> bytes:
    return template.build()[template.TEMPLATE]


@pytest.fixture(scope="module")
def book(built):
    return openpyxl.load_workbook(io.BytesIO(built))


@pytest.fixture(scope="module")
def path(built, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("template") / template.TEMPLATE
    target.write_bytes(built)
    return target


def validations_at(sheet, ref: str):
    return [dv for dv in sheet.data_validations.dataValidation if ref in dv.sqref]


def test_two_builds_are_byte_identical(built):
    assert template.build()[template.TEMPLATE] == built


def test_committed_templates_are_fresh():
    """What CI runs: `dyxx template --check` against the committed templates/."""
    result = dyxx("template", "--check", "--dir", ROOT / "templates")
    assert result.returncode == 0, result.output
    assert "最新" in result.output


def test_check_reports_missing_and_changed_templates(tmp_path):
    result = dyxx("template", "--check", "--dir", tmp_path)
    assert result.returncode == 1 and template.TEMPLATE in result.output
    assert dyxx("template", "--dir", tmp_path).returncode == 0
    assert dyxx("template", "--check", "--dir", tmp_path).returncode == 0
    book = openpyxl.load_workbook(tmp_path / template.TEMPLATE)
    book[template.SHEETS["members"]]["B6"] = "手改"
    book.save(tmp_path / template.TEMPLATE)
    result = dyxx("template", "--check", "--dir", tmp_path)
    assert result.returncode == 1 and "dyxx template" in result.output


def test_core_properties_are_fixed(book):
    assert book.properties.created == template.FIXED_TIME
    assert book.properties.modified == template.FIXED_TIME


def test_engine_finds_exactly_the_two_empty_tables(path):
    tables = read_workbook(path)
    assert [(t.sheet, t.kind, t.header_row, t.data_row) for t in tables] == [
        (template.SHEETS["orgs"], "orgs", HEADER_ROW, DATA_ROW),
        (template.SHEETS["members"], "members", HEADER_ROW, DATA_ROW),
    ]
    for table in tables:
        order = [key for _text, key in columns(table.kind)]
        assert sorted(table.columns, key=table.columns.get) == order
        assert table.records == [] and table.missing == []
    # the blank template sent back is not a submission: exactly one error says so
    [finding] = check_tables(tables, TODAY).findings
    assert (finding.rule, finding.cell) == ("submission.no_members", f"A{DATA_ROW}")


@pytest.mark.parametrize("kind", ["orgs", "members"])
def test_seed_layout(book, kind):
    sheet = book[template.SHEETS[kind]]
    annex, title = TITLES[kind]
    assert sheet["A1"].value == annex and sheet["A2"].value == title
    assert sheet["A3"].value == "基层党委："
    width = len(columns(kind))
    assert f"A2:{column_letter(width)}2" in sheet.merged_cells
    assert any(
        str(v).startswith("汇总日期：") for v in next(sheet.iter_rows(3, 3, values_only=True))
    )
    for text, first, last in GROUPS[kind]:
        assert sheet.cell(HEADER_ROW, first).value == text
        assert f"{column_letter(first)}{HEADER_ROW}:{column_letter(last)}{HEADER_ROW}" in (
            sheet.merged_cells
        )
    assert sheet.cell(HEADER_ROW, 1).value == "序号"
    assert f"A{HEADER_ROW}:A{HEADER_ROW + 1}" in sheet.merged_cells


@pytest.mark.parametrize("kind", ["orgs", "members"])
def test_view_print_and_protection(book, kind):
    sheet = book[template.SHEETS[kind]]
    assert sheet.freeze_panes == f"C{DATA_ROW}"
    assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW + 1}"
    setup = sheet.page_setup
    assert (setup.orientation, int(setup.paperSize), setup.fitToWidth, setup.fitToHeight) == (
        "landscape",
        int(sheet.PAPERSIZE_A4),
        1,
        0,
    )
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.protection.sheet and not sheet.protection.password
    for col in range(1, len(columns(kind)) + 1):
        letter = column_letter(col)
        assert sheet.column_dimensions[letter].protection.locked is False
        assert sheet.column_dimensions[letter].width >= 6
        for row in range(1, DATA_ROW):
            assert sheet.cell(row, col).protection.locked, f"{letter}{row} must stay locked"


def test_code_sheet_holds_every_code_table_and_is_hidden(book):
    sheet = book.worksheets[-1]
    assert sheet.title == "代码表" and sheet.sheet_state == "hidden"
    assert sheet.protection.sheet and sheet["A1"].value == CODE_MARKER
    for index, key in enumerate(codes.KEYS):
        col = 3 * index + 1
        table = codes.table(key)
        rows = list(sheet.iter_rows(min_row=4, min_col=col, max_col=col + 2, values_only=True))
        listed = [r[:2] for r in rows if r[0] is not None]
        assert listed == [(e.code, e.name) for e in table.entries], key
        assert [r[2] for r in rows if r[2] is not None] == options(key)


@pytest.mark.parametrize("kind", ["orgs", "members"])
def test_one_validation_per_data_cell_and_none_in_the_header(book, kind):
    sheet = book[template.SHEETS[kind]]
    for col in range(2, len(columns(kind)) + 1):
        letter = column_letter(col)
        for row in (DATA_ROW, 1000, LAST):
            assert len(validations_at(sheet, f"{letter}{row}")) == 1, f"{letter}{row}"
        for row in (HEADER_ROW, HEADER_ROW + 1, LAST + 1):
            assert validations_at(sheet, f"{letter}{row}") == []


@pytest.mark.parametrize("kind", ["orgs", "members"])
def test_coded_columns_have_dropdowns_from_the_code_sheet(book, kind):
    sheet = book[template.SHEETS[kind]]
    code_sheet = book.worksheets[-1]
    for key, table_key in CODED[kind].items():
        col = next(i for i, (_t, k) in enumerate(columns(kind), start=1) if k == key)
        (dv,) = validations_at(sheet, f"{column_letter(col)}{DATA_ROW}")
        assert dv.type == "list" and not dv.showDropDown  # showDropDown=1 would hide it
        match = re.fullmatch(r"'代码表'!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", dv.formula1)
        assert match, dv.formula1
        cells = code_sheet[f"{match[1]}{match[2]}:{match[3]}{match[4]}"]
        assert [row[0].value for row in cells] == options(table_key)
        assert dv.errorStyle == ("stop" if table_key in ENUMERATIONS else "warning")
        assert dv.showErrorMessage and dv.showInputMessage and dv.prompt and dv.error
        assert len(dv.prompt) <= 255 and len(dv.error) <= 225 and len(dv.promptTitle) <= 32


@pytest.mark.parametrize("kind", ["orgs", "members"])
def test_text_and_date_columns(book, kind):
    sheet = book[template.SHEETS[kind]]
    for col, (_text, key) in enumerate(columns(kind), start=1):
        letter = column_letter(col)
        fmt = sheet.column_dimensions[letter].number_format
        if key in ("id_number", "mobile", "landline", "phone", "unit_code", "job", "education"):
            assert fmt == "@", key
        if key in ("birth_date", "join_date", "full_date"):
            assert fmt == "yyyy-mm-dd"
            (dv,) = validations_at(sheet, f"{letter}{DATA_ROW}")
            assert (dv.type, dv.operator, dv.errorStyle) == ("date", "between", "stop")
            assert (dv.formula1, dv.formula2) == ("DATE(1900,1,1)", "TODAY()")


FOLLOW_UPS = {
    ("gender", "女"): lambda seq: {"id_number": person_id("430523", "19680312", f"{seq + 1:03d}")},
    ("category", "预备党员"): lambda _seq: {
        "full_date": None,
        "join_date": TODAY.replace(year=TODAY.year - 1),
    },
    ("lost", "是"): lambda _seq: {"lost_date": "2015.03"},
    ("status", "停止党籍"): lambda _seq: {"lost": "是", "lost_date": "2015.03"},
    ("mobile_flow", "是"): lambda _seq: {"destination": "广东省深圳市南山区"},
    ("org_category", None): lambda _seq: {
        "unit_situation": "与上级党组织相同",
        **dict.fromkeys(("unit_name", "unit_nature", "unit_party_org", "unit_code")),
    },
    ("unit_situation", "与上级党组织相同"): lambda _seq: dict.fromkeys(
        ("unit_name", "unit_nature", "unit_party_org", "unit_code")
    ),
    ("unit_party_org", None): lambda _seq: {"org_category": "931"},  # no pairing rule
}


def _with(key: str, value: str, seq: int) -> dict[str, object]:
    """One dropdown value in an otherwise correct row (plus what that value requires)."""
    follow_up = FOLLOW_UPS.get((key, value)) or FOLLOW_UPS.get((key, None))
    return {key: value, **(follow_up(seq) if follow_up else {})}


def test_every_dropdown_value_passes_the_engine(tmp_path):
    """Whatever a dropdown inserts is accepted by `dyxx check` without any finding."""
    members = []
    for key, table_key in CODED["members"].items():
        for value in options(table_key):
            seq = 2 * len(members) + 1
            own_id = {"id_number": person_id("430523", "19680312", f"{seq:03d}")}
            members.append(good_member(**{**own_id, **_with(key, value, seq)}))
    orgs = [good_org()]
    for key, table_key in CODED["orgs"].items():
        for value in options(table_key):
            orgs.append(good_org(org_name=f"第{len(orgs)}党支部", **_with(key, value, 0)))
    path = write_book(tmp_path / "dropdowns.xlsx", members, orgs)
    report = check_tables(read_workbook(path), TODAY)
    assert report.rows == len(members) + len(orgs) > 150
    assert report.findings == [], report.flatten(["cell", "rule", "value"])


def test_live_check_formulas_are_portable():
    """Column-absolute references (valid on every row), Excel's length limit, no ROW(1:17)."""
    for kind in ("orgs", "members"):
        fields = {key: col for col, (_t, key) in enumerate(columns(kind), start=1)}
        placed = livechecks.conditional_formats(kind, fields, DATA_ROW, LAST)
        assert {p.check.field for p in placed} <= set(fields)
        for item in placed:
            text = re.sub(r'"(?:[^"]|"")*"', '""', item.formula)  # drop string literals
            refs = re.findall(r"\$?[A-Z]{1,3}\$?\d+", text)
            assert refs and all(r.startswith("$") for r in refs), item.formula[:80]
            assert "INDIRECT" not in text and "LET(" not in text
            # ROW only of the table's own cells (they move with inserted rows), never ROW(1:17)
            assert all(
                re.fullmatch(r"\$[A-Z]+\$?\d+(:\$[A-Z]+\$\d+)?", ref)
                for ref in re.findall(r"ROW\(([^()]*)\)", text)
            ), item.formula[:80]
            assert len(item.formula) < livechecks.EXCEL_FORMULA_LIMIT
            assert text.count("(") == text.count(")")


def test_covered_rules_are_engine_errors():
    for rules in livechecks.COVERED_RULES.values():
        for code in rules:
            assert RULES[code].severity == "error", code


def test_forms_carry_the_seed_items_and_signature_lines(book):
    orgs = book[template.SHEETS["form:orgs"]]
    members = book[template.SHEETS["form:members"]]
    texts = {
        sheet.title: [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
        for sheet in (orgs, members)
    }
    assert texts[orgs.title][:2] == ["附件1", "党组织和所在单位基本信息采集表"]
    assert texts[members.title][:2] == ["附件2", "党员基本信息采集表"]
    for item in org_items():
        assert item.label in texts[orgs.title]
    for item in member_items():
        assert item.label in texts[members.title]
    for line in ("信息采集员（签字）：", "党组织书记（签字）：", "基层党委（盖章）："):
        assert line in texts[orgs.title]
    for line in ("党员（签字）：", "党支部书记（签字）：", "信息采集员（签字）："):
        assert line in texts[members.title]
    assert texts[members.title].count("　　年　　月　　日") == 4
    assert "《学历代码》" in texts[members.title] and "《工作岗位代码》" in texts[members.title]
    assert "□男　　□女" in texts[members.title]
    for sheet in (orgs, members):
        assert sheet.protection.sheet and sheet.page_setup.orientation == "portrait"
        assert sheet["B5"].protection.locked is False and sheet["A5"].protection.locked


def test_form_answers_have_the_table_inputs(book):
    members = book[template.SHEETS["form:members"]]
    rows = {members.cell(r, 1).value: r for r in range(1, 40)}
    gender = validations_at(members, f"B{rows['2.性别']}")
    assert gender[0].type == "list" and gender[0].errorStyle == "stop"
    id_cell = members.cell(rows["4.公民身份证号"], 2)
    assert id_cell.number_format == "@"
    birth = validations_at(members, f"B{rows['5.出生日期']}")
    assert birth[0].type == "date"


def test_messages_fit_excel_limits(book):
    """Excel refuses a validation whose title, input message or error message is too long."""
    for sheet in book.worksheets:
        for dv in sheet.data_validations.dataValidation:
            assert len(dv.promptTitle or "") <= 32 and len(dv.errorTitle or "") <= 32
            assert len(dv.prompt or "") <= 255 and len(dv.error or "") <= 225
            assert dv.type != "list" or not dv.formula1.startswith('"')  # ranges, not literals


def test_clean_knows_every_live_check_and_no_officers_formula():
    """`dyxx clean` knows the live checks by their formulas (as any suite saves them)."""
    for kind in ("orgs", "members"):
        fields = {key: col for col, (_t, key) in enumerate(columns(kind), start=1)}
        for item in livechecks.conditional_formats(kind, fields, DATA_ROW + 3, LAST + 7):
            assert livechecks.is_live_check(item.formula), item.check.rules
            assert livechecks.is_live_check(item.formula.replace("TRUE", "1").lower())
    for own in ("COUNTIF($D:$D,$D6)>1", '$E6="女"', 'SUBSTITUTE($D6,"-","")<>$D6', "LEN($D6)<>18"):
        assert not livechecks.is_live_check(own)
