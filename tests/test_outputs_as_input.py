"""dyxx's own sheets are never data (issue 12, point 3).

A merge output holds 附件3, 附件4 and four report sheets; its 问题清单 lists in its
字段 column header words such as 党组织名称 above 组织类别, which once made it a
third table. Every command given a merge output (as it is, and saved again by
LibreOffice) reads its two tables and nothing else; given to merge with other files,
it is recognised and named in a warning.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

import addin.cli.main  # noqa: F401  (registers every command)
from addin.model.findings import rule_title
from addin.read import ownsheets
from addin.read.reader import read_workbook
from addin.workflow.verify import verify
from addin.write.layout import DATA_ROW
from tests.support.books import BRANCH, good_member, good_org, person_id, write_book
from tests.support.cli import dyxx, dyxx_ok

SECOND = "中共邵阳县林业局第二支部委员会"
OFFICIAL = ["附件3 党组织汇总表", "附件4 党员汇总表"]


def members(branch: str, start: int, count: int) -> list[dict[str, object]]:
    return [
        good_member(
            name=f"李{'建国明华伟芳敏静丽强'[(start + i) % 10]}{'一二三四五'[(start + i) // 10]}",
            branch=branch,
            id_number=person_id("430523", "19680312", f"{2 * (start + i) + 1:03d}"),
        )
        for i in range(count)
    ]


@pytest.fixture(scope="module")
def branches(tmp_path_factory) -> tuple[Path, Path]:
    """Two branch files whose 附件3 rows miss a name and a 组织类别 (so the 问题清单's
    字段 column reads 党组织名称, 组织类别, 组织类别 …)."""
    folder = tmp_path_factory.mktemp("报送")
    first = write_book(
        folder / "机关支部.xlsx",
        members(BRANCH, 0, 6),
        [good_org(), good_org(org_name="", org_category="99")],
    )
    second = write_book(
        folder / "第二支部.xlsx",
        members(SECOND, 10, 4),
        [good_org(org_name=SECOND, org_category="")],
    )
    return first, second


@pytest.fixture(scope="module")
def summary(branches, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("汇总") / "汇总.xlsx"
    dyxx_ok("merge", *branches, "-o", out, "--date", "2024-06-01", "--today", "2024-06-01")
    listed = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("问题清单").to_python()
    assert [r[5] for r in listed[4:7]] == ["党组织名称", "组织类别", "组织类别"]
    return out


@pytest.fixture(scope="module")
def resaved(summary, office, tmp_path_factory) -> Path:
    """The merge output as LibreOffice Calc saves it again."""
    out = tmp_path_factory.mktemp("另存") / "汇总_另存.xlsx"
    office.call("evaluate", path=str(summary), values={}, rows={}, save_as=str(out))
    return out


def check_json(path: Path) -> dict:
    return json.loads(dyxx_ok("check", path, "--json", "--today", "2024-06-01").stdout)


# "resaved" needs LibreOffice; asked for by name, the conftest cannot mark it office itself
@pytest.mark.parametrize("which", ["summary", pytest.param("resaved", marks=pytest.mark.office)])
def test_check_reads_only_the_two_tables(which, request):
    report = check_json(request.getfixturevalue(which))
    assert [(t["sheet"], t["rows"]) for t in report["tables"]] == [
        (OFFICIAL[0], 3),
        (OFFICIAL[1], 10),
    ]
    assert {f["sheet"] for f in report["findings"]} <= set(OFFICIAL)


def test_forms_writes_a_workbook_per_branch_only(summary, tmp_path):
    dyxx_ok("forms", summary, "-o", tmp_path / "采集表", "--no-pdf")
    written = sorted(p.stem for p in (tmp_path / "采集表").glob("*.xlsx"))
    assert written == sorted([BRANCH, SECOND, "（未填所在党支部）"])  # the unnamed 附件3 row


def test_sample_draws_only_real_organisations(summary, tmp_path):
    out = tmp_path / "抽查.xlsx"
    dyxx_ok("sample", summary, "-o", out, "--ratio", "1", "--seed", "7")
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("抽查党组织").to_python()
    drawn = sorted(r[1] for r in rows[DATA_ROW - 1 :] if r[0] != "")
    assert drawn == sorted([BRANCH, SECOND, ""])


def test_diff_of_two_summaries_lists_only_what_changed(branches, summary, tmp_path):
    fixed = tmp_path / "第二支部.xlsx"
    write_book(fixed, members(SECOND, 10, 4), [good_org(org_name=SECOND)])
    again = tmp_path / "汇总2.xlsx"
    dyxx_ok(
        "merge", branches[0], fixed, "-o", again, "--date", "2024-06-01", "--today", "2024-06-01"
    )
    dyxx_ok("diff", summary, again, "-o", tmp_path / "变动.xlsx")
    listed = CalamineWorkbook.from_path(str(tmp_path / "变动.xlsx")).get_sheet_by_name("变动清单")
    changes = [r for r in listed.to_python()[4:] if r[0] != ""]
    assert {r[3] for r in changes} - {""} == {SECOND}  # "": the 附件3 row without a name


def test_verify_of_a_checked_summary(summary, tmp_path):
    marked = tmp_path / "汇总_校验.xlsx"
    dyxx_ok("check", summary, "-o", marked, "--today", "2024-06-01")
    verdict = verify(marked)
    assert verdict.unchanged and verdict.rows == 13
    assert [t.sheet for t in read_workbook(marked)] == OFFICIAL


def test_merge_warns_of_a_summary_among_its_inputs(branches, summary, tmp_path):
    out = tmp_path / "再汇总.xlsx"
    result = dyxx_ok("merge", *branches, summary, "-o", out, "--today", "2024-06-01")
    assert "file.merge_output" in result.output or "汇总结果" in result.output
    book = CalamineWorkbook.from_path(str(out))
    listed = book.get_sheet_by_name("问题清单").to_python()
    (warning,) = [r for r in listed if r[6] == rule_title("file.merge_output")]
    assert warning[2] == "汇总.xlsx" and "是 dyxx merge 的汇总结果" in warning[8]
    members_rows = book.get_sheet_by_name(OFFICIAL[1]).to_python()[DATA_ROW - 1 :]
    assert len([r for r in members_rows if r[1]]) == 20  # 10 from the branches, 10 again
    orgs = book.get_sheet_by_name(OFFICIAL[0]).to_python()[DATA_ROW - 1 :]
    assert "组织类别" not in [r[1] for r in orgs]


def test_merge_of_a_summary_alone_gives_it_back(summary, tmp_path):
    out = tmp_path / "再汇总.xlsx"
    result = dyxx_ok("merge", summary, "-o", out, "--date", "2024-06-01", "--today", "2024-06-01")
    assert "汇总结果" not in result.output
    before, after = (CalamineWorkbook.from_path(str(p)) for p in (summary, out))
    for sheet in OFFICIAL:
        rows = [b.get_sheet_by_name(sheet).to_python()[DATA_ROW - 1 :] for b in (before, after)]
        assert rows[0] == rows[1]


def test_report_sheets_are_known_by_what_they_hold(summary, tmp_path):
    book = openpyxl.load_workbook(summary)
    book["问题清单"].title = "问题"  # renamed: still dyxx's
    theirs = book.create_sheet("数据来源2")
    theirs.append(["数据来源：第三支部自己的名单"])
    theirs.append(["序号", "姓名", "所在党支部", "公民身份证号"])
    theirs.append([1, "王新", SECOND, person_id("430523", "19700101", "033")])
    book.save(tmp_path / "改过.xlsx")
    tables = read_workbook(tmp_path / "改过.xlsx")
    assert [t.sheet for t in tables] == [*OFFICIAL, "数据来源2"]
    assert all(t.made_by == "merge" for t in tables)


def test_sample_and_diff_outputs_are_not_data(summary, tmp_path):
    dyxx_ok("sample", summary, "-o", tmp_path / "抽查.xlsx", "--ratio", "1")
    tables = read_workbook(tmp_path / "抽查.xlsx")
    assert [t.sheet for t in tables] == ["抽查党组织", "抽查党员"]  # copies of real rows
    dyxx_ok("diff", summary, summary, "-o", tmp_path / "变动.xlsx")
    result = dyxx("check", tmp_path / "变动.xlsx")
    assert result.returncode == 2 and "是dyxx生成的工作表" in "".join(result.output.split())


def test_the_code_and_state_sheets_are_known_by_the_markers_their_writers_put():
    from addin.read.ownsheets import CODE_MARKER, STATE_MARKER

    assert ownsheets.kind("选项", [[CODE_MARKER]]) == ownsheets.CODES
    assert ownsheets.kind("标记", [[STATE_MARKER, 1]]) == ownsheets.STATE
