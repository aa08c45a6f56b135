"""附件4 rules, each on a real workbook: which cell is flagged, with which rule."""

from __future__ import annotations

from datetime import date

import pytest

from tests.support.books import BRANCH, good_member, good_org, person_id
from tests.support.cases import MEMBER_BAD, MEMBER_GOOD

# The member table starts at row 6 (two title rows, the 基层党委 line, a two-row header).
ROW = 6


def findings(check, **changes):
    report = check(members=[good_member(**changes)], orgs=[good_org()])
    return [tuple(item) for item in report.flatten(["cell", "rule", "severity"])]


def test_good_member_has_no_findings(check):
    assert findings(check) == []


@pytest.mark.parametrize("changes", list(MEMBER_GOOD.values()), ids=list(MEMBER_GOOD))
def test_good_variants_are_accepted(check, changes):
    assert findings(check, **changes) == []


@pytest.mark.parametrize(("changes", "expected"), MEMBER_BAD)
def test_bad_values_are_flagged(check, changes, expected):
    assert findings(check, **changes) == expected


def test_a_bad_field_does_not_hide_the_rest_of_the_row(check):
    """A broken ID still lets the date, gender and probation rules run on what parsed."""
    got = findings(
        check,
        id_number="43052319680312011",  # one digit short
        gender="男",
        join_date=date(1980, 1, 1),  # age 11 by the 出生日期 column
        full_date=date(1980, 6, 1),
        education="99",
    )
    rules = [rule for _cell, rule, _sev in got]
    assert rules == ["id.length", "code.unknown", "member.join_age", "member.full_date_early"]


def test_message_names_the_value_and_the_fix(check):
    report = check(members=[good_member(id_number="430523196803120118")], orgs=[good_org()])
    (finding,) = report.findings
    expected_digit = person_id("430523", "19680312", "011")[-1]
    assert "430523196803120118" in finding.message
    assert f"校验位应为{expected_digit}" in finding.message
    assert finding.field == "公民身份证号" and finding.value == "430523196803120118"


def test_lost_member_may_leave_unknown_fields_empty(check):
    got = findings(
        check, lost="是", lost_date="2015.03", address=None, mobile=None, landline=None, job=None
    )
    assert got == [
        ("L6", "field.required_lost", "warning"),
        ("O6", "field.required_lost", "warning"),
    ]


def test_duplicate_id_flags_both_rows_and_names_the_other(check):
    twin = good_member(name="李建军")
    report = check(members=[good_member(), twin], orgs=[good_org()])
    assert report.flatten(["cell", "rule"]) == [
        ["D6", "member.duplicate_id"],
        ["D7", "member.duplicate_id"],
    ]
    assert "第7行" in report.findings[0].message and "第6行" in report.findings[1].message


def test_branch_check_needs_annex3_in_the_submission(check):
    assert check(members=[good_member(branch="随便写的支部")]).findings == []


def test_branch_hint_suggests_the_full_name(check):
    report = check(members=[good_member(branch="林业局机关支部")], orgs=[good_org()])
    assert f"是否应为“{BRANCH}”" in report.findings[0].message


def test_marks_around_ids_phones_and_codes_are_warnings_like_spaces(check):
    """A BOM, an apostrophe or a zero-width character: normalised with a warning, never
    "有19位" (the live checks in addin/write/livechecks.py strip them too)."""
    number = good_member()["id_number"]
    got = findings(
        check,
        id_number="\ufeff" + number,
        mobile="'13807391234",
        landline="0739-6821234\u200b",
        education="‘21’",
        gender="\u2060男",
    )
    assert got == [
        ("D6", "id.normalised", "warning"),
        ("E6", "text.marks", "warning"),
        ("H6", "text.marks", "warning"),
        ("M6", "text.marks", "warning"),
        ("N6", "text.marks", "warning"),
    ]


def test_marks_inside_numbers_do_not_defeat_masking(check):
    number = good_member()["id_number"]
    marked = good_member(id_number=number[:6] + "\u200b" + number[6:], mobile="138\u200b07391234")
    report = check(members=[marked], orgs=[good_org()]).masked()
    assert [f.rule for f in report.findings] == ["id.normalised", "text.marks"]
    for finding in report.findings:
        digits = "".join(c for c in finding.message if c.isdigit())
        assert number not in digits and "13807391234" not in digits, finding.message
        assert "U+200B" in finding.message  # named, not hidden


def test_a_phone_in_the_other_phone_column_is_a_warning_both_ways(check):
    got = findings(check, mobile="0739-6821234", landline="13807391234")
    assert got == [
        ("M6", "phone.landline_in_mobile", "warning"),
        ("N6", "phone.mobile_in_landline", "warning"),
    ]


@pytest.mark.parametrize("region", ["810000", "820000", "830000"])
def test_residence_permit_numbers_are_a_warning(check, region):
    number = person_id(region, "19680312", "011")
    assert findings(check, id_number=number) == [("D6", "id.residence_permit", "warning")]


OTHER = "中共邵阳县教育局机关支部委员会"


@pytest.mark.parametrize(
    ("branch", "hinted"),
    [
        ("林业局机关支部", True),  # a short form of the one 附件3 name
        ("邵阳县林业局机关党支部", True),  # 中共, 委员会 and 党 dropped or added
        ("中共邵阳县林业局机关支布委员会", True),  # one character mistyped
        ("中共邵阳县林业局机关支部委员", True),  # one character dropped
        (OTHER, False),  # a row pasted from another branch: never told to move here
        ("中共邵阳县林业局第二支部委员会", False),
        ("教育局机关支部", False),
        ("支部", False),  # too vague to name one branch
    ],
)
def test_branch_hint_only_when_written_nearly_alike(check, branch, hinted):
    report = check(members=[good_member(branch=branch)], orgs=[good_org()])
    (finding,) = report.findings
    assert finding.rule == "member.branch_unknown"
    assert ("是否应为" in finding.message) is hinted
    assert (f"是否应为“{BRANCH}”" in finding.message) is hinted


def test_branch_hint_names_no_branch_when_two_are_alike(check):
    first, second = "中共邵阳县林业局第一支部委员会", "中共邵阳县林业局第二支部委员会"
    orgs = [good_org(org_name=first), good_org(org_name=second)]
    report = check(members=[good_member(branch="中共邵阳县林业局第三支部委员会")], orgs=orgs)
    assert [f.rule for f in report.findings] == ["member.branch_unknown"]
    assert "是否应为" not in report.findings[0].message
    report = check(members=[good_member(branch="林业局支部")], orgs=orgs)
    assert "是否应为" not in report.findings[0].message
