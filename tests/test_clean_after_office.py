"""`dyxx clean` of workbooks an office suite has saved since dyxx wrote them.

An officer fills the template (or a prepared copy of the official download) in
LibreOffice Calc and saves; a committee officer marks it with `dyxx check -o`, the
branch inserts a row above a marked one and saves again. Whatever Calc (or Excel,
WPS) wrote back, `clean` takes out every live check, prompt and dropdown of dyxx's,
the code sheet and every 【错误】/【警告】 note, and keeps the officer's own
validations, notes and conditional formats. The other suites are imitated on the
XML: the forms their rewriting takes (1 for TRUE, 1E+15, _xlfn., regrouped and
split ranges, rows moved by an insertion above the table, escaped messages).
"""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from addin.engine.check import check_files
from addin.model.findings import column_letter
from addin.read.reader import read_workbook
from addin.workflow.clean import clean
from addin.workflow.prepare import prepare
from addin.write import template
from addin.write.entry import CODE_SHEET
from addin.write.layout import DATA_ROW, columns
from addin.write.livechecks import canonical
from addin.write.marked.annotate import write_annotated
from addin.xlsx import sheet as xlsxsheet
from addin.xlsx.source import sheet_parts
from tests.support import office_fixture
from tests.support.books import TODAY, good_member, good_org, person_id, write_book
from tests.support.cli import dyxx

pytestmark = pytest.mark.filterwarnings("ignore:Data Validation extension:UserWarning")
MEMBERS, ORGS = template.SHEETS["members"], template.SHEETS["orgs"]
PREFIXES = ("【错误】", "【警告】")
# The officer's own: a conditional format (names entered twice) and a dropdown with a prompt.
OWN_FORMAT = "COUNTIF($B$6:$B$2005,$B6)>1"
OWN_LIST = '"在职,退休,下岗"'
OWN_PROMPT = "本列由支部自填，不导入"


def own_aids(xml: str) -> str:
    """A sheet's XML with the officer's own conditional format and dropdown (column V)."""
    rule = (
        '<conditionalFormatting sqref="B6:B2005"><cfRule type="expression" dxfId="0" '
        f'priority="99"><formula>{OWN_FORMAT.replace(">", "&gt;")}</formula></cfRule>'
        "</conditionalFormatting>"
    )
    check = (
        '<dataValidation type="list" allowBlank="1" showInputMessage="1" promptTitle="在职情况" '
        f'prompt="{OWN_PROMPT}" sqref="V6:V2005"><formula1>{OWN_LIST.replace(chr(34), "&quot;")}'
        "</formula1></dataValidation>"
    )
    at = xml.index("<dataValidations")
    xml = xml[:at] + xml[at:].replace("</dataValidations>", check + "</dataValidations>", 1)
    count = int(re.search(r'<dataValidations count="(\d+)"', xml).group(1))
    xml = xml.replace(f'<dataValidations count="{count}"', f'<dataValidations count="{count + 1}"')
    at = xml.index("<conditionalFormatting")
    return xml[:at] + rule + xml[at:]


def edited(path: Path, out: Path, sheet: str, edit) -> Path:
    """A copy of ``path`` with one sheet's XML passed through ``edit``."""
    data = path.read_bytes()
    part = next(p for p, name in sheet_parts(data).items() if name == sheet)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == part:
                content = edit(content.decode("utf-8")).encode("utf-8")
            target.writestr(item, content)
    return out


def inventory(path: Path) -> dict[str, dict[str, list]]:
    """Per sheet: the conditional formats' formulas, the validations (type, prompt, first
    formula) and the notes (cell, text), as the file holds them."""
    data = path.read_bytes()
    found: dict[str, dict[str, list]] = {}
    with zipfile.ZipFile(path) as package:
        for part, sheet in sheet_parts(data).items():
            xml = package.read(part)
            found[sheet] = {
                "formats": [
                    rule.formulas[0] if rule.formulas else ""
                    for _group, rules in xlsxsheet.conditional_formats(xml)
                    for rule in rules
                ],
                "validations": [
                    (v.attrs.get("type", "none"), v.attrs.get("prompt"), (v.formulas or ("",))[0])
                    for v in xlsxsheet.validations(xml)
                ],
            }
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        found[sheet.title]["notes"] = [
            (cell.coordinate, cell.comment.text)
            for row in sheet.iter_rows()
            for cell in row
            if cell.comment is not None
        ]
    return found


def records(path: Path) -> list[list[tuple[str, object]]]:
    return [
        [(field, record.values.get(field)) for field in sorted(record.values)]
        for table in read_workbook(path)
        for record in table.records
    ]


def typed(value: object) -> list:
    if isinstance(value, date):
        return ["d", value.isoformat()]
    return ["n", value] if isinstance(value, int | float) else ["s", str(value)]


def typed_rows(kind: str, rows: list[dict[str, object]]) -> dict[str, list]:
    layout = {key: col for col, (_text, key) in enumerate(columns(kind), start=1)}
    found = {}
    for offset, row in enumerate(rows):
        for key, col in layout.items():
            value = offset + 1 if key == "seq" else row.get(key)
            if value is not None:
                found[f"{column_letter(col)}{DATA_ROW + offset}"] = typed(value)
    return found


def run_clean(source: Path, out: Path):
    return dyxx("clean", source, "-o", out)


MEMBER_ROWS = [
    good_member(),
    good_member(
        name="王芳",
        gender="男",  # the ID is a woman's
        id_number=person_id("430523", "19690101", "022"),
        birth_date=date(1969, 1, 1),
    ),
    good_member(
        name="赵强",
        id_number=person_id("430523", "19700202", "031"),
        birth_date=date(1970, 2, 2),
        mobile=None,
    ),
]


@pytest.fixture(scope="module")
def filled(office, tmp_path_factory) -> Path:
    """The template, with the officer's own aids, filled and saved in LibreOffice Calc."""
    folder = tmp_path_factory.mktemp("calc")
    blank = folder / template.TEMPLATE
    blank.write_bytes(template.build()[template.TEMPLATE])
    own = edited(blank, folder / "自加.xlsx", MEMBERS, own_aids)
    saved = folder / "已填_calc.xlsx"
    values = {ORGS: typed_rows("orgs", [good_org()]), MEMBERS: typed_rows("members", MEMBER_ROWS)}
    office.call("evaluate", path=str(own), values=values, rows={}, save_as=str(saved))
    return saved


def dyxx_aids(found: dict[str, dict[str, list]]) -> tuple[int, int]:
    """How many conditional formats and validations are not the officer's own."""
    formats = sum(f != OWN_FORMAT for sheet in found.values() for f in sheet["formats"])
    checks = sum(v[1] != OWN_PROMPT for sheet in found.values() for v in sheet["validations"])
    return formats, checks


def test_the_template_filled_in_calc_comes_out_clean(filled, tmp_path):
    before = inventory(filled)
    formats, checks = dyxx_aids(before)
    assert formats == 15 and checks > 29  # the tables' and the forms' (Calc kept them all)
    out = tmp_path / "导入.xlsx"
    result = run_clean(filled, out)
    assert result.returncode == 0, result.output
    assert f"下拉列表等数据有效性 {checks} 项、实时检查 {formats} 项" in result.output
    assert f"删除工作表：{CODE_SHEET}" in result.output
    after = inventory(out)
    assert CODE_SHEET not in after
    assert after[MEMBERS]["formats"] == [OWN_FORMAT]
    assert after[MEMBERS]["validations"] == [("list", OWN_PROMPT, OWN_LIST)]
    assert all(not s["formats"] and not s["validations"] for n, s in after.items() if n != MEMBERS)
    assert records(out) == records(filled)


def test_a_prepared_download_saved_by_calc_comes_out_clean(office, tmp_path):
    """The officer's own dropdown (民族, from a hidden sheet), notes and formulas stay."""
    roster = write_book(tmp_path / "名册.xlsx", MEMBER_ROWS, [good_org()])
    prepared = tmp_path / "名册_带校验.xlsx"
    prepare(roster, prepared)
    own = edited(prepared, tmp_path / "自加.xlsx", office_fixture.MEMBERS, own_aids)
    saved = office_fixture.build(own, tmp_path / "calc.xlsx", len(MEMBER_ROWS))
    formats, _checks = dyxx_aids(inventory(saved))
    assert formats == 10 + 5
    out = tmp_path / "导入.xlsx"
    result = run_clean(saved, out)
    assert result.returncode == 0, result.output
    assert f"实时检查 {formats} 项" in result.output
    after = inventory(out)
    members = after[office_fixture.MEMBERS]
    assert CODE_SHEET not in after and office_fixture.OPTIONS in after
    assert members["formats"] == [OWN_FORMAT]
    own_lists = sorted(v[2] for v in members["validations"])
    assert own_lists == sorted([f"{office_fixture.OPTIONS}!$A$1:$A$5", OWN_LIST])
    assert dict(members["notes"]) == office_fixture.NOTES
    orgs = after[office_fixture.ORGS]
    assert not orgs["formats"] and not orgs["validations"]
    assert records(out) == records(saved)


def test_a_marked_copy_with_a_row_inserted_loses_every_note_of_ours(office, filled, tmp_path):
    """A row inserted above a marked one: its fill cannot be put back, its note goes all
    the same, and both are listed."""
    marked = tmp_path / "已填_校验.xlsx"
    write_annotated(filled, marked, check_files([filled], today=TODAY))
    notes = inventory(marked)[MEMBERS]["notes"]
    assert [cell for cell, _text in notes] == ["E7"]  # 王芳: 性别 does not match the ID
    moved = tmp_path / "插行.xlsx"
    office.call(
        "evaluate",
        path=str(marked),
        values={},
        rows={},
        save_as=str(moved),
        insert={MEMBERS: [DATA_ROW + 1, 1]},  # above 王芳's row
    )
    out = tmp_path / "导入.xlsx"
    result = run_clean(moved, out)
    assert result.returncode == 1 and "1 个标注未能恢复" in result.output, result.output
    assert "1 条 dyxx 的批注所在单元格在校验后被移动" in result.output  # listed, not only removed
    assert "E8" in result.output
    after = inventory(out)
    texts = [text for sheet in after.values() for _cell, text in sheet.get("notes", [])]
    assert not [t for t in texts if any(p in t for p in PREFIXES)], texts
    assert CODE_SHEET not in after
    assert [canonical(f) for f in after[MEMBERS]["formats"]] == [canonical(OWN_FORMAT)]  # grown
    done = clean(moved, tmp_path / "再次.xlsx")
    assert done.skipped == [f"{MEMBERS}!E7"] and done.stray_notes == [f"{MEMBERS}!E8"]
    assert done.notes == 1 and done.conditional_formats == 15


# --------------------------------------------------------------------------- other suites

CF_FORMULA = re.compile(r"(<cfRule\b[^>]*>\s*<formula>)(.*?)(</formula>)", re.S)


def rewritten(formula: str) -> str:
    """A formula as another suite may write it back (outside its text literals)."""
    parts = re.split(r'("(?:[^"]|"")*")', formula)
    for index in range(0, len(parts), 2):
        code = parts[index].replace("TRUE", "1").replace("FALSE", "FALSE()")
        code = code.replace("1000000000000000", "1E+15").replace("EDATE(", "_xlfn.EDATE(")
        parts[index] = re.sub(r"\b([A-Z]+)\(", lambda m: m.group(1).lower() + "(", code)
    return "".join(parts)


def other_suite(xml: str) -> str:
    """The live checks rewritten, one range split in two and moved a row down (a row
    inserted above the table), the messages of the validations as character references."""
    xml = CF_FORMULA.sub(lambda m: m.group(1) + rewritten(m.group(2)) + m.group(3), xml)
    xml = re.sub(r"\$([A-Z]+)6\b", r"$\g<1>7", xml)
    xml = xml.replace('sqref="D6:D2005"', 'sqref="D7:D100 D102:D2006"')
    return re.sub(
        r'(prompt|error)="([^"]*)"',
        lambda m: f'{m.group(1)}="' + "".join(f"&#{ord(c)};" for c in m.group(2)) + '"',
        xml,
    )


def test_live_checks_and_prompts_as_other_suites_write_them(tmp_path):
    blank = tmp_path / template.TEMPLATE
    blank.write_bytes(template.build()[template.TEMPLATE])
    changed = edited(blank, tmp_path / "其他软件.xlsx", MEMBERS, other_suite)
    before = inventory(changed)
    assert "_xlfn.edate(" in "".join(before[MEMBERS]["formats"])
    done = clean(changed, tmp_path / "导入.xlsx")
    after = inventory(tmp_path / "导入.xlsx")
    assert not any(sheet["formats"] or sheet["validations"] for sheet in after.values())
    assert done.conditional_formats == sum(len(sheet["formats"]) for sheet in before.values())
