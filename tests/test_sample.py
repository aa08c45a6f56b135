"""`dyxx sample`: reproducible with a seed, every branch covered, a checklist to tick."""

from __future__ import annotations

import math
import random
from collections import Counter
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from addin.engine.report import data_fingerprint
from addin.read.reader import read_workbook
from addin.workflow.sample import count, draw
from tests.support.books import good_member, good_org, person_id, write_book
from tests.support.branches import branch_books
from tests.support.cli import dyxx

BRANCHES = [f"中共邵阳县林业局第{n}支部委员会" for n in range(1, 11)]
SIZES = [1, 2, 3, 5, 8, 13, 21, 4, 9, 34]  # 100 members, branches large and tiny
EMPTY_ORG = "中共邵阳县林业局委员会"  # the committee itself: a 附件3 row without members


def roster(shuffle: int | None = None) -> tuple[list[dict], list[dict]]:
    members = []
    for branch, size in zip(BRANCHES, SIZES, strict=True):
        for n in range(size):
            seq = f"{len(members) * 2 + 11:03d}"
            members.append(
                good_member(
                    name=f"党员{len(members):03d}",
                    branch=branch,
                    id_number=person_id("430523", "19700101", seq),
                    birth_date=date(1970, 1, 1),
                    gender="男" if int(seq[-1]) % 2 else "女",
                    mobile=f"1380739{n:04d}",
                )
            )
    orgs = [good_org(org_name=name) for name in [EMPTY_ORG, *BRANCHES]]
    if shuffle is not None:
        random.Random(shuffle).shuffle(members)
        random.Random(shuffle).shuffle(orgs)
    return members, orgs


@pytest.fixture(scope="module")
def summary(tmp_path_factory) -> Path:
    members, orgs = roster()
    return write_book(tmp_path_factory.mktemp("sample") / "汇总.xlsx", members, orgs)


def sampled(path: Path, ratio: float, seed: int) -> tuple[list[str], list[str]]:
    drawn = draw(path, read_workbook(path), ratio, seed)
    orgs = [str(r.values["org_name"]) for _t, r in drawn.orgs]
    return orgs, [str(r.values["id_number"]) for _t, r in drawn.members]


def values(path: Path) -> dict[str, list[list]]:
    """Every sheet's values, as calamine reads them (a tenth of openpyxl's time)."""
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_same_seed_same_workbook(summary, tmp_path):
    first, second = tmp_path / "一.xlsx", tmp_path / "二.xlsx"
    for out in (first, second):
        result = dyxx("sample", str(summary), "--ratio", "0.1", "--seed", "2017", "-o", str(out))
        assert result.returncode == 0, result.stdout + result.stderr
    assert values(first) == values(second)
    other = tmp_path / "三.xlsx"
    dyxx("sample", str(summary), "--ratio", "0.1", "--seed", "2018", "-o", str(other))
    assert values(other)["抽查党员"] != values(first)["抽查党员"]


def test_the_order_of_the_rows_does_not_change_the_sample(summary, tmp_path):
    members, orgs = roster(shuffle=5)
    shuffled = write_book(tmp_path / "乱序.xlsx", members, orgs)
    for seed in (1, 2, 3):
        one, other = sampled(summary, 0.2, seed), sampled(shuffled, 0.2, seed)
        assert sorted(one[0]) == sorted(other[0]) and sorted(one[1]) == sorted(other[1])


@pytest.mark.parametrize("ratio", [0.01, 0.1, 0.25, 1.0])
def test_every_branch_is_covered_at_the_ratio(summary, ratio):
    tables = read_workbook(summary)
    drawn = draw(summary, tables, ratio, seed=11)
    per_branch = Counter(str(r.values["branch"]) for _t, r in drawn.members)
    assert per_branch == {
        b: min(n, max(1, math.ceil(round(ratio * n, 9))))
        for b, n in zip(BRANCHES, SIZES, strict=True)
    }
    names = [str(r.values["org_name"]) for _t, r in drawn.orgs]
    assert EMPTY_ORG in names  # no members: its own 附件3 row is inspected
    assert len(names) == len(set(names)) >= count(ratio, 11)
    assert drawn.covered() and len(drawn.branches) == 11
    assert len({r.values["id_number"] for _t, r in drawn.members}) == len(drawn.members)


def test_covering_the_branch_files_of_a_merge(tmp_path):
    books = branch_books(tmp_path / "报送")
    tables = [t for b in books for t in read_workbook(b)]
    drawn = draw(books[0], tables, 0.01, seed=3)
    assert {b.name for b in drawn.branches if b.drawn_members} == {
        "中共邵阳县林业局机关支部委员会",
        "中共邵阳县林业局国有林场支部委员会",
        "中共邵阳县林业局木材检查站支部委员会",
        "林业局老干部支部",
    }
    assert len(drawn.members) == 4 and drawn.covered()


def test_checklist_sheet(summary, tmp_path):
    out = tmp_path / "抽查.xlsx"
    result = dyxx("sample", str(summary), "--ratio", "0.1", "--seed", "7", "-o", str(out))
    assert result.returncode == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["抽查清单", "抽查党组织", "抽查党员", "抽样说明", "覆盖情况"]
    sheet = book["抽查清单"]
    assert [c.value for c in sheet[5]] == [
        "序号",
        "类别",
        "所在党支部",
        "姓名或党组织名称",
        "公民身份证号",
        "汇总表位置",
        "信息是否完整",
        "信息是否准确",
        "信息是否规范",
        "问题说明",
        "核对人",
        "核对日期",
    ]
    drawn = draw(summary, read_workbook(summary), 0.1, 7)
    listed = list(sheet.iter_rows(min_row=6, values_only=True))
    assert len(listed) == len(drawn.orgs) + len(drawn.members)
    first_org = drawn.orgs[0][1]
    assert listed[0][:6] == (
        1,
        "党组织",
        first_org.values["org_name"],
        first_org.values["org_name"],
        None,
        f"党组织和所在单位信息汇总表 第{first_org.row}行",
    )
    member = drawn.members[0][1]
    row = listed[len(drawn.orgs)]
    assert row[1:6] == (
        "党员",
        member.values["branch"],
        member.values["name"],
        member.values["id_number"],
        f"党员基本信息汇总表 第{member.row}行",
    )
    assert all(cell is None for cell in row[6:])  # left to the inspection team
    (ticks,) = sheet.data_validations.dataValidation
    assert ticks.formula1 == '"是,否"' and str(ticks.sqref) == f"G6:I{5 + len(listed)}"
    assert sheet.print_title_rows == "$5:$5" and sheet.page_setup.orientation == "landscape"
    members = book["抽查党员"]
    ids = [r[3] for r in members.iter_rows(min_row=6, values_only=True)]
    assert ids == [r.values["id_number"] for _t, r in drawn.members]


def test_parameters_are_recorded(summary, tmp_path):
    out = tmp_path / "抽查.xlsx"
    dyxx("sample", str(summary), "--ratio", "0.25", "--seed", "42", "-o", str(out))
    sheet = openpyxl.load_workbook(out)["抽样说明"]
    recorded = {row[0]: row[1] for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]}
    assert recorded["汇总表"] == "汇总.xlsx"
    assert recorded["抽样比例"] == "0.25" and recorded["随机种子"] == 42
    assert recorded["数据指纹"] == data_fingerprint(read_workbook(summary))
    assert recorded["复现命令"] == "dyxx sample 汇总.xlsx --ratio 0.25 --seed 42"
    assert recorded["党员"] == f"共 100 名，抽取 {sum(count(0.25, n) for n in SIZES)} 名"
    coverage = list(openpyxl.load_workbook(out)["覆盖情况"].iter_rows(min_row=5, values_only=True))
    assert len(coverage) == 11
    assert coverage[0] == (EMPTY_ORG, "是", 0, 0, "是")


def test_without_a_seed_one_is_chosen_and_recorded(summary, tmp_path):
    out = tmp_path / "抽查.xlsx"
    result = dyxx("sample", str(summary), "-o", str(out))
    assert result.returncode == 0
    seed = openpyxl.load_workbook(out)["抽样说明"]["B8"].value
    assert isinstance(seed, int) and f"随机种子 {seed}" in result.stdout
    again = tmp_path / "再抽.xlsx"
    dyxx("sample", str(summary), "--seed", str(seed), "-o", str(again))
    assert values(again) == values(out)


def test_mask(summary, tmp_path):
    out = tmp_path / "抽查.xlsx"
    dyxx("sample", str(summary), "--ratio", "0.1", "--seed", "7", "--mask", "-o", str(out))
    book = openpyxl.load_workbook(out)
    listed = book["抽查清单"].iter_rows(min_row=6, values_only=True)
    number = next(row[4] for row in listed if row[1] == "党员")
    assert number.startswith("430523********") and len(number) == 18
    row = next(book["抽查党员"].iter_rows(min_row=6, values_only=True))
    assert "*" in row[3] and row[12].startswith("138****") and row[13] == "0739-***1234"
    assert row[1].startswith("党员")  # names stay


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--ratio", "0"], "抽样比例"),
        (["--ratio", "1.5"], "抽样比例"),
        (["--seed", "-3"], "非负整数"),
    ],
)
def test_bad_parameters(summary, tmp_path, args, words):
    result = dyxx("sample", str(summary), *args, "-o", str(tmp_path / "x.xlsx"))
    assert result.returncode == 2 and words in result.stdout + result.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_unreadable_summary(tmp_path):
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"PK\x03\x04 broken")
    result = dyxx("sample", str(bad), "-o", str(tmp_path / "x.xlsx"))
    assert (
        result.returncode == 2 and "坏.xlsx" in result.stdout and "Traceback" not in result.stderr
    )
