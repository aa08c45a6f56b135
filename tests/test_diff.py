"""`dyxx diff`: the maintenance events of 三(三) between an old and a new summary."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from addin.read.reader import read_workbook
from addin.workflow.diff import compare
from tests.support.books import write_book
from tests.support.branches import FARM, FILES, MEMBERS, ORGAN, ORGS, TIMBER, branch_org, member
from tests.support.cli import dyxx

NURSERY = "中共邵阳县林业局苗圃支部委员会"
OLD_MEMBERS = [m for name in FILES for m in MEMBERS[name] if m["name"] not in ("刘洋", "孙丽")]
OLD_ORGS = [ORGS[FILES[0]][0], ORGS[FILES[1]][0], ORGS[FILES[2]][0]]


def changed(name: str, **changes: object) -> dict[str, object]:
    old = next(m for m in OLD_MEMBERS if m["name"] == name)
    return {**old, **changes}


def new_roster() -> tuple[list[dict], list[dict]]:
    members = [
        changed("李建国", mobile="13907390000"),
        changed("王芳", mobile_flow="是", destination="湖南省长沙市岳麓区"),
        changed("张伟", branch=FARM),
        changed("陈静", category="正式党员", full_date=date(2024, 9, 1)),
        changed("赵强", mobile_flow="否", destination=None),
        changed("周敏", lost="否", lost_date=None),
        changed("吴军", status="正常"),
        # written differently, meaning the same: no change
        changed("黄磊", education="21 大学", birth_date="1960.02.29", job="011 公务员"),
        member("钱进", NURSERY, "19800808", "059"),
    ]
    orgs = [
        OLD_ORGS[0],
        {**OLD_ORGS[1], "secretary": "陈静"},
        OLD_ORGS[2],
        branch_org(NURSERY),
    ]
    return members, orgs


@pytest.fixture
def pair(tmp_path) -> tuple[Path, Path]:
    old = write_book(tmp_path / "2017年汇总.xlsx", OLD_MEMBERS, OLD_ORGS)
    members, orgs = new_roster()
    new = write_book(tmp_path / "2018年汇总.xlsx", members, orgs)
    return old, new


def test_every_event_is_found(pair):
    old, new = pair
    found = compare(old, read_workbook(old), new, read_workbook(new))
    got = [(c.subject, c.event, c.name, c.field, c.old, c.new) for c in found.changes]
    assert got == [
        ("orgs", "党组织信息变动", FARM, "党组织书记", "赵强", "陈静"),
        ("orgs", "新增", NURSERY, "", "", ""),
        ("members", "基本信息变动", "李建国", "手机号", "13807391234", "13907390000"),
        ("members", "外出流动", "王芳", "是否为流动党员", "否", "是"),
        ("members", "外出流向变动", "王芳", "外出流向", "", "湖南省长沙市岳麓区"),
        ("members", "组织关系转移", "张伟", "所在党支部", ORGAN, FARM),
        ("members", "转正", "陈静", "人员类别", "预备党员", "正式党员"),
        ("members", "转正", "陈静", "转为正式党员日期", "", "2024-09-01"),
        ("members", "流动党员返回", "赵强", "是否为流动党员", "是", "否"),
        ("members", "外出流向变动", "赵强", "外出流向", "广东省深圳市南山区", ""),
        ("members", "失联党员取得联系", "周敏", "是否为失联党员", "是", "否"),
        ("members", "失联信息变动", "周敏", "失去联系日期", "2015.03", ""),
        ("members", "恢复党籍", "吴军", "党籍状态", "停止党籍", "正常"),
        ("members", "新增", "钱进", "", "", ""),
        ("members", "减少", "郑涛", "", "", ""),
    ]
    assert found.totals == {"orgs": (3, 4), "members": (9, 9)}
    moved = found.changes[5]
    assert (moved.old_branch, moved.new_branch) == (ORGAN, FARM)
    assert (moved.old_place, moved.new_place) == ("党员基本信息汇总表 第8行",) * 2
    removed = found.changes[-1]
    assert removed.old_place == "党员基本信息汇总表 第13行" and removed.new_place == ""
    assert removed.old_branch == TIMBER and removed.new_branch == ""
    counts = {(kind, event): (n, people) for kind, event, n, people in found.counts()}
    assert counts[("members", "转正")] == (2, 1)
    assert counts[("members", "外出流向变动")] == (2, 2)


def test_stopping_and_losing_contact(tmp_path):
    before = member("吴军", TIMBER, "19660808", "017")
    after = {**before, "status": "停止党籍", "lost": "是", "lost_date": "2020.01"}
    old = write_book(tmp_path / "原.xlsx", [before])
    new = write_book(tmp_path / "新.xlsx", [after])
    found = compare(old, read_workbook(old), new, read_workbook(new))
    assert [(c.event, c.field) for c in found.changes] == [
        ("停止党籍", "党籍状态"),
        ("失联", "是否为失联党员"),
        ("失联信息变动", "失去联系日期"),
    ]


def test_the_change_list_workbook(pair, tmp_path):
    old, new = pair
    out = tmp_path / "变动.xlsx"
    result = dyxx("diff", str(old), str(new), "-o", str(out))
    assert result.returncode == 1, result.stdout + result.stderr  # there are changes
    assert "共 15 处变动" in result.stdout and "组织关系转移" in result.stdout
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["变动清单", "变动统计", "比较说明"]
    rows = list(book["变动清单"].iter_rows(min_row=4, values_only=True))
    assert rows[0] == (
        "序号",
        "对象",
        "变动类型",
        "姓名或党组织名称",
        "公民身份证号",
        "原所在党支部",
        "现所在党支部",
        "变动项目",
        "原值",
        "新值",
        "原位置",
        "新位置",
    )
    assert len(rows) == 16
    moved = MEMBERS[FILES[0]][2]
    assert rows[6] == (
        6,
        "党员",
        "组织关系转移",
        "张伟",
        moved["id_number"],
        ORGAN,
        FARM,
        "所在党支部",
        ORGAN,
        FARM,
        "党员基本信息汇总表 第8行",
        "党员基本信息汇总表 第8行",
    )
    counts = list(book["变动统计"].iter_rows(min_row=4, values_only=True))
    assert counts[:3] == [
        ("对象", "变动类型", "条数", "涉及"),
        ("党组织", "总数（原 → 新）", "3 → 4", None),
        ("党员", "总数（原 → 新）", "9 → 9", None),
    ]
    assert ("党员", "转正", 2, 1) in counts and ("党组织", "新增", 1, 1) in counts
    about = {r[0]: r[1] for r in book["比较说明"].iter_rows(min_row=4, values_only=True)}
    assert about["原汇总表"] == old.name and len(about["新数据指纹"]) == 64


def test_mask_hides_numbers_and_phones(pair, tmp_path):
    old, new = pair
    out = tmp_path / "变动.xlsx"
    dyxx("diff", str(old), str(new), "-o", str(out), "--mask")
    rows = list(openpyxl.load_workbook(out)["变动清单"].iter_rows(min_row=5, values_only=True))
    phone = rows[2]
    assert phone[7] == "手机号" and (phone[8], phone[9]) == ("138****1234", "139****0000")
    assert phone[4].startswith("430523********") and phone[3] == "李建国"


def test_no_changes_exit_0(pair, tmp_path):
    old, _new = pair
    same = write_book(tmp_path / "副本.xlsx", OLD_MEMBERS, OLD_ORGS)
    result = dyxx("diff", str(old), str(same), "-o", str(tmp_path / "变动.xlsx"))
    assert result.returncode == 0 and "共 0 处变动" in result.stdout


def test_members_without_an_id_are_matched_by_name_and_birth(tmp_path):
    before = member("李建国", ORGAN, "19680312", "011", id_number=None)
    after = {**before, "mobile": "13900000000", "birth_date": "1968年3月12日"}
    old = write_book(tmp_path / "原.xlsx", [before])
    new = write_book(tmp_path / "新.xlsx", [after])
    found = compare(old, read_workbook(old), new, read_workbook(new))
    assert [(c.event, c.field) for c in found.changes] == [("基本信息变动", "手机号")]


def test_repeated_ids_are_paired_in_order_and_noted(tmp_path):
    one = member("李建国", ORGAN, "19680312", "011")
    old = write_book(tmp_path / "原.xlsx", [one, one])
    new = write_book(tmp_path / "新.xlsx", [one])
    found = compare(old, read_workbook(old), new, read_workbook(new))
    assert [c.event for c in found.changes] == ["减少"] and found.ambiguous == {"members": 1}
    result = dyxx("diff", str(old), str(new), "-o", str(tmp_path / "变动.xlsx"))
    assert "出现不止一次" in result.stdout


def test_unreadable_input_exit_2(pair, tmp_path):
    old, _new = pair
    bad = tmp_path / "坏.xlsx"
    bad.write_text("这不是工作簿", encoding="utf-8")
    result = dyxx("diff", str(old), str(bad), "-o", str(tmp_path / "变动.xlsx"))
    assert result.returncode == 2 and "坏.xlsx" in result.stdout
    over = dyxx("diff", str(old), str(old), "-o", str(old))
    assert over.returncode == 2 and "不能与输入的文件相同" in over.stdout
