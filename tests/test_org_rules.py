"""附件3 rules, each on a real workbook."""

from __future__ import annotations

import pytest

from addin.engine.check import check_files
from tests.support.books import TODAY, good_member, good_org, shared_file
from tests.support.cases import ORG_BAD, ORG_GOOD, ORG_GROUPS


def findings(check, **changes):
    report = check(orgs=[good_org(**changes)])
    return [tuple(item) for item in report.flatten(["cell", "rule", "severity"])]


def test_good_org_has_no_findings(check):
    assert findings(check) == []


@pytest.mark.parametrize("changes", list(ORG_GOOD.values()), ids=list(ORG_GOOD))
def test_good_variants_are_accepted(check, changes):
    assert findings(check, **changes) == []


@pytest.mark.parametrize(("changes", "expected"), ORG_BAD)
def test_bad_values_are_flagged(check, changes, expected):
    assert findings(check, **changes) == expected


def test_duplicate_org_names(check):
    report = check(orgs=[good_org(), good_org(org_name=" 中共邵阳县林业局机关支部委员会")])
    assert report.flatten(["cell", "rule"]) == [
        ["B6", "org.duplicate_name"],
        ["B7", "org.duplicate_name"],
    ]


def test_real_unit_codes_are_accepted(check):
    """Every real 统一社会信用代码 in ../shared/data, and its embedded 组织机构代码, passes."""
    codes = shared_file("data", "uscc-real.txt").read_text().split()
    orgs = [
        good_org(org_name=f"第{i}党支部", unit_code=code if i % 2 else f"{code[8:16]}-{code[16]}")
        for i, code in enumerate(codes)
    ]
    report = check(orgs=orgs)
    assert report.rows == 200 and report.findings == []


def test_members_and_orgs_cross_files(book):
    """Two files given together are one submission: branch names and IDs cross-checked,
    and copies of one person that differ reported as in a merge."""
    orgs = book(orgs=[good_org()], name="附件3.xlsx")
    twin = good_member(branch="不存在的支部")
    members = book(members=[good_member(), twin], name="附件4.xlsx")
    report = check_files([orgs, members], today=TODAY)
    assert report.flatten(["file", "cell", "rule"]) == [
        [str(members), "C6", "merge.member_conflict"],
        [str(members), "D6", "member.duplicate_id"],
        [str(members), "C7", "member.branch_unknown"],
        [str(members), "C7", "merge.member_conflict"],
        [str(members), "D7", "member.duplicate_id"],
    ]
    other = book(members=[good_member()], name="另一个支部.xlsx")
    report = check_files([orgs, other, members], today=TODAY)
    first = report.findings[0]
    assert first.file == str(other) and "文件“附件4.xlsx”" in first.message


@pytest.mark.parametrize(("rows", "expected"), ORG_GROUPS.values(), ids=list(ORG_GROUPS))
def test_joint_branch_rows(check, rows, expected):
    report = check(orgs=[good_org(**changes) for changes in rows])
    assert [tuple(item) for item in report.flatten(["cell", "rule", "severity"])] == expected
