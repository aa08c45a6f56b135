"""附件4 rules, each on a real workbook: which cell is flagged, with which rule."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import BRANCH, good_member, good_org, person_id

# A man's ID (odd sequence) whose check digit is X, for the lower-case x rule.
MALE_ID_WITH_X = next(
    number
    for n in range(1, 999, 2)
    if (number := person_id("430523", "19680312", f"{n:03d}")).endswith("X")
)

# The member table starts at row 6 (two title rows, the 基层党委 line, a two-row header).
ROW = 6


def findings(check, **changes):
    report = check(members=[good_member(**changes)], orgs=[good_org()])
    return [tuple(item) for item in report.flatten(["cell", "rule", "severity"])]


def test_good_member_has_no_findings(check):
    assert findings(check) == []


@pytest.mark.parametrize(
    "changes",
    [
        {
            "id_number": person_id("430523", "19550820", "002"),
            "birth_date": date(1955, 8, 20),
            "gender": "女",
            "join_date": date(1978, 5, 4),
            "full_date": date(1979, 5, 4),
        },
        {
            "id_number": person_id("110103", "19750101", "013"),
            "birth_date": date(1975, 1, 1),
            "join_date": date(1995, 7, 1),
            "full_date": date(1996, 7, 1),
        },
        {"birth_date": "1968.03.12", "join_date": "1992年7月1日", "full_date": "1993/7/1"},
        {"birth_date": 24909, "join_date": "19920701"},
        {"gender": 1, "education": "21 大学", "job": "011 公务员", "ethnicity": "01"},
        {"landline": "无", "destination": "—", "lost_date": "/"},
        {"mobile": None, "landline": "(0739)6821234"},
        {"name": "买买提·艾力", "ethnicity": "维吾尔族"},
        {"lost": "是", "lost_date": "2015.03", "status": "停止党籍"},
        {"mobile_flow": "是", "destination": "广东省深圳市南山区"},
        {
            "category": "预备党员",
            "full_date": None,
            "join_date": date(2023, 9, 1),
            "id_number": person_id("430523", "19980909", "011"),
            "birth_date": date(1998, 9, 9),
        },
        {"full_date": date(1994, 1, 1)},
        {"address": "塘渡口镇白竹村3组"},
    ],
    ids=[
        "born-before-region-code",
        "region-abolished-later",
        "text-dates",
        "number-dates",
        "codes-as-numbers-and-pairs",
        "placeholders",
        "landline-only",
        "dotted-name",
        "lost-and-stopped",
        "flowing",
        "probationer",
        "late-but-within-2y",
        "village-address",
    ],
)
def test_good_variants_are_accepted(check, changes):
    assert findings(check, **changes) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"id_number": "430523196803120118"}, [("D6", "id.checksum", "error")]),
        ({"birth_date": date(1968, 3, 13)}, [("G6", "member.birth_mismatch", "error")]),
        ({"gender": "女"}, [("E6", "member.gender_mismatch", "error")]),
        (
            {"join_date": date(1985, 7, 1), "full_date": date(1986, 7, 1)},
            [("J6", "member.join_age", "error")],
        ),
        (
            {"join_date": date(2030, 7, 1), "full_date": None},
            [("J6", "date.future", "error"), ("K6", "member.full_date_missing", "error")],
        ),
        ({"full_date": None}, [("K6", "member.full_date_missing", "error")]),
        (
            {"join_date": date(1960, 7, 1), "full_date": date(1961, 7, 1)},
            [("J6", "member.join_before_birth", "error")],
        ),
        ({"full_date": date(1993, 1, 1)}, [("K6", "member.full_date_early", "error")]),
        ({"full_date": date(1995, 1, 1)}, [("K6", "member.full_date_late", "warning")]),
        ({"category": "预备党员"}, [("K6", "member.probation_full_date", "error")]),
        ({"category": "预备党员", "full_date": None}, [("I6", "member.probation_long", "warning")]),
        ({"lost": "是"}, [("R6", "member.lost_date_missing", "error")]),
        ({"lost_date": "2015.03"}, [("R6", "member.lost_date_unexpected", "error")]),
        ({"lost": "是", "lost_date": "1990.05"}, [("R6", "member.lost_before_join", "error")]),
        ({"lost": "是", "lost_date": "2015.13"}, [("R6", "month.invalid", "error")]),
        ({"mobile_flow": "是"}, [("T6", "member.destination_missing", "error")]),
        ({"destination": "广东省深圳市"}, [("T6", "member.destination_unexpected", "error")]),
        (
            {"mobile_flow": "是", "destination": "火星基地"},
            [("T6", "place.province_unknown", "error")],
        ),
        ({"status": "停止党籍"}, [("P6", "member.stopped_not_lost", "warning")]),
        ({"mobile": None, "landline": "无"}, [("M6", "member.phone_missing", "error")]),
        ({"mobile": "1380739123"}, [("M6", "phone.mobile", "error")]),
        ({"address": None}, [("O6", "field.required", "error")]),
        ({"address": "邵阳县塘渡口镇"}, [("O6", "address.no_number", "warning")]),
        ({"name": "张3"}, [("B6", "name.chars", "error")]),
        ({"education": "25"}, [("H6", "code.unknown", "error")]),
        ({"job": 211}, [("L6", "code.leading_zero", "warning")]),
        ({"ethnicity": "汉"}, [("F6", "code.ethnicity_variant", "warning")]),
        ({"education": "2"}, [("H6", "code.group", "warning")]),
        (
            {"id_number": "430523 1968 0312 011" + person_id("430523", "19680312", "011")[-1]},
            [("D6", "id.normalised", "warning")],
        ),
        ({"id_number": MALE_ID_WITH_X.lower()}, [("D6", "id.normalised", "warning")]),
        ({"join_date": "2017-13-01"}, [("J6", "date.invalid", "error")]),
        ({"birth_date": "1968-02-30"}, [("G6", "date.invalid", "error")]),
        ({"id_number": "430523196803120l1x"}, [("D6", "id.format", "error")]),
        (
            {"id_number": person_id("999999", "19680312", "011")},
            [("D6", "id.region_unknown", "error")],
        ),
        (
            {
                "id_number": person_id("110103", "20120101", "011"),
                "birth_date": date(2012, 1, 1),
                "join_date": date(2030, 1, 1),
                "full_date": None,
                "category": "预备党员",
            },
            [("D6", "id.region_abolished", "warning"), ("J6", "date.future", "error")],
        ),
        ({"branch": "林业局机关支部"}, [("C6", "member.branch_unknown", "error")]),
        ({"category": "党员"}, [("I6", "code.unknown", "error")]),
    ],
)
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
