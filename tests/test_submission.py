"""A submission with nothing in it is an error; an empty table beside filled ones a warning.

Real workbooks: the bundled blank template (also as LibreOffice saves it), and
official-layout books with one table left empty.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from addin.engine.check import check_files
from tests.support.books import TODAY, good_member, good_org, person_id
from tests.support.cli import dyxx

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates" / "党组织和党员基本信息采集表.xlsx"


def found(paths: list[Path]) -> list[tuple[str, str, str, str]]:
    report = check_files(paths, today=TODAY)
    return [(Path(f.file).name, f.cell, f.rule, f.severity) for f in report.findings]


def test_the_blank_template_sent_back_is_an_error():
    assert found([TEMPLATE]) == [(TEMPLATE.name, "A6", "submission.no_members", "error")]
    result = dyxx("check", TEMPLATE, "--today", TODAY.isoformat())
    assert result.returncode == 1, result.output
    assert "附件4 中没有任何党员" in result.output and "结论：未通过" in result.output


def test_the_blank_template_saved_by_libreoffice_is_an_error(office, tmp_path):
    saved = tmp_path / "另存.xlsx"
    office.call("evaluate", path=str(TEMPLATE), values={}, rows={}, save_as=str(saved))
    assert found([saved]) == [(saved.name, "A6", "submission.no_members", "error")]


def test_an_empty_annex4_beside_a_filled_annex3_is_an_error(book):
    path = book(members=[], orgs=[good_org()])
    assert found([path]) == [(path.name, "A6", "submission.no_members", "error")]
    (finding,) = check_files([path], today=TODAY).findings
    assert finding.message.startswith("附件4 中没有任何党员")


def test_members_from_another_file_make_an_empty_annex4_a_warning(book):
    orgs_only = book(members=[], orgs=[good_org()], name="党组织.xlsx")
    members = book(members=[good_member()], name="党员.xlsx")
    assert found([orgs_only, members]) == [
        ("党组织.xlsx", "A6", "submission.empty_table", "warning")
    ]


def test_an_empty_annex3_beside_members_is_a_warning_not_a_branch_error_per_member(book):
    path = book(
        members=[good_member(), good_member(id_number=person_id("430523", "19680312", "031"))],
        orgs=[],
    )
    assert found([path]) == [(path.name, "A6", "submission.empty_table", "warning")]
    (finding,) = check_files([path], today=TODAY).findings
    assert "附件3 中没有任何党组织" in finding.message


@pytest.mark.parametrize("orgs", [None, [good_org()]])
def test_a_filled_submission_has_no_such_finding(book, orgs):
    assert found([book(members=[good_member()], orgs=orgs)]) == []
