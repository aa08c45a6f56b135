"""A 联合支部 with several units: the notice asks for every unit's information.

The accepted form is one row, names and codes joined with “、”; the prompts of 单位名称 and
党组织所在单位代码 and the duplicate-name message say so. A second row that repeats the
党组织名称 and fills only unit columns is accepted with one warning (``org.unit_row``),
not the seven errors of a second 党组织.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from addin.engine.check import check_files
from addin.model.fields import ORG_FIELDS
from addin.workflow.clean import clean
from addin.workflow.merge import merge_files
from addin.workflow.prepare import prepare
from tests.support.books import TODAY, good_member, good_org, write_book
from tests.support.cli import dyxx_ok

ORGS = "党组织和所在单位信息汇总表"
TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "党组织和党员基本信息采集表.xlsx"
JOINT = good_org(unit_situation="联合支部", org_category="632", unit_party_org="2")


def unit_row(**changes: object) -> dict[str, object]:
    """The second unit of JOINT on a row of its own: only its name and unit columns."""
    row: dict[str, object] = {
        "org_name": JOINT["org_name"],
        "unit_name": "邵阳县林业站",
        "unit_nature": "4",
        "unit_party_org": "2",
        "unit_code": "11430523006123458Q",
    }
    row.update(changes)
    return row


def findings(tmp_path, *orgs) -> list:
    path = write_book(tmp_path / "联合支部.xlsx", [good_member()], list(orgs))
    return check_files([path], today=TODAY).findings


@pytest.mark.parametrize(
    "second",
    [
        unit_row(),
        unit_row(unit_situation="联合支部"),  # the first row's 单位情况 repeated
        unit_row(**{k: JOINT[k] for k in ("org_category", "secretary", "contact", "phone")}),
    ],
    ids=["units only", "situation repeated", "first row copied"],
)
def test_a_second_unit_row_is_one_warning(tmp_path, second):
    found = findings(tmp_path, JOINT, second)
    assert [(f.cell, f.rule, f.severity) for f in found] == [("B7", "org.unit_row", "warning")]
    assert "第6行" in found[0].message and "“、”" in found[0].message
    assert found[0].name == JOINT["org_name"]


def test_the_marked_copy_marks_the_row_yellow_with_the_advice(tmp_path):
    path = write_book(tmp_path / "联合支部.xlsx", [good_member()], [JOINT, unit_row()])
    out = tmp_path / "标注.xlsx"
    ran = dyxx_ok("check", path, "-o", out, "--today", TODAY.isoformat())
    assert ran.returncode == 0  # a warning only: the submission passes
    note = openpyxl.load_workbook(out)[ORGS]["B7"].comment.text
    assert note.startswith("【警告】") and "用“、”分隔" in note


def test_a_bad_code_on_the_unit_row_is_still_an_error(tmp_path):
    found = findings(tmp_path, JOINT, unit_row(unit_code="11430523006123458A"))
    assert {(f.cell, f.rule) for f in found} >= {("B7", "org.unit_row")}
    assert any(f.cell == "K7" and f.severity == "error" for f in found)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (good_org(), unit_row()),  # the first row is a 法人单位, not a 联合支部
        (JOINT, unit_row(secretary="王五")),  # another 书记: a second 党组织 after all
        (JOINT, dict(JOINT)),  # the same row twice, no unit of its own
    ],
    ids=["not joint", "other secretary", "same row twice"],
)
def test_other_repeated_names_stay_duplicates_that_say_how_to_list_units(tmp_path, first, second):
    found = findings(tmp_path, first, second)
    duplicates = [f for f in found if f.rule == "org.duplicate_name"]
    assert [f.cell for f in duplicates] == ["B6", "B7"]
    assert all("用“、”分隔" in f.message for f in duplicates)
    assert not any(f.rule == "org.unit_row" for f in found)


def test_the_one_row_form_passes(tmp_path):
    joined = dict(JOINT, unit_name="邵阳县林业局、邵阳县林业站")
    joined["unit_code"] = "11430523006123458Q、11430523006123458Q"
    assert findings(tmp_path, joined) == []


def test_merge_takes_the_unit_row_for_no_second_copy(tmp_path):
    path = write_book(tmp_path / "联合支部.xlsx", [good_member()], [JOINT, unit_row()])
    merged = merge_files([path], {}, TODAY)
    assert [f.rule for f in merged.report.findings] == ["org.unit_row"]


PROMPTS = [("单位名称", "各单位名称"), ("单位代码", "各单位代码")]


@pytest.mark.parametrize(("header", "words"), PROMPTS)
def test_the_template_prompts_say_how_to_list_units(header, words):
    sheet = openpyxl.load_workbook(TEMPLATE)["附件3 党组织汇总表"]
    column = next(
        c.column_letter for row in sheet.iter_rows(max_row=6) for c in row if header in str(c.value)
    )
    prompts = [
        dv.prompt
        for dv in sheet.data_validations.dataValidation
        if any(str(r).startswith(column) for r in dv.sqref.ranges)
    ]
    assert any(words in p and "用“、”分隔" in p for p in prompts), prompts


def test_clean_still_knows_the_earlier_prompts(tmp_path):
    """A workbook prepared before the prompts changed: dyxx clean takes those prompts out too."""
    earlier = {f.key: f.earlier_prompts[0] for f in ORG_FIELDS if f.earlier_prompts}
    assert set(earlier) == {"unit_name", "unit_code"}
    prepared = tmp_path / "带校验.xlsx"
    prepare(write_book(tmp_path / "名册.xlsx", [good_member()], [JOINT]), prepared)
    book = openpyxl.load_workbook(prepared)
    now = {f.prompt: earlier[f.key] for f in ORG_FIELDS if f.key in earlier}
    changed = 0
    for dv in book[ORGS].data_validations.dataValidation:
        if dv.prompt in now:
            dv.prompt, changed = now[dv.prompt], changed + 1
    assert changed == 2
    book.save(prepared)
    cleaned = clean(prepared, tmp_path / "导入.xlsx")
    assert cleaned.validations
    left = openpyxl.load_workbook(tmp_path / "导入.xlsx")[ORGS].data_validations.dataValidation
    assert not {dv.prompt for dv in left} & set(earlier.values())
