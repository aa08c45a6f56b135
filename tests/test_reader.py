"""Finding the tables by header text in real workbooks of many shapes."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest
import xlwt

from addin.engine.check import check_files
from addin.model.fields import MEMBER_FIELDS
from addin.read.reader import WorkbookError, read_workbook
from tests.support.books import TODAY, good_member, good_org, person_id

MEMBER_KEYS = tuple(f.key for f in MEMBER_FIELDS)  # the seed's column order


def plain_sheet(path, headers, rows, *, above=(), sheet="Sheet1"):
    """A workbook with optional lines above a one-row header, then data rows."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    for line in above:
        ws.append(line)
    ws.append(headers)
    for row in rows:
        ws.append(row)
    workbook.save(path)
    return path


def test_official_layout_two_row_header(book):
    (orgs, members) = read_workbook(book(members=[good_member()], orgs=[good_org()]))
    assert (members.kind, members.header_row, members.data_row) == ("members", 4, 6)
    assert members.columns["mobile"] == 13 and members.columns["landline"] == 14
    assert members.meta == {"基层党委": "中共邵阳县林业局委员会", "汇总日期": "2017年月日"}
    assert (orgs.kind, orgs.columns["org_category"], orgs.columns["unit_code"]) == ("orgs", 3, 11)
    assert [r.row for r in members.records] == [6]


def test_single_row_header_with_variants_and_extra_columns(tmp_path):
    """No title, no 序号, header spellings with spaces/line breaks, an extra 备注 column."""
    headers = [
        "备注",
        " 姓 名",
        "所在党支部",
        "身份证号码",
        "性别",
        "民族",
        "出生日期",
        "学历",
        "人员类别",
        "加入党组\n织日期",
        "转正日期",
        "工作岗位",
        "手机号码",
        "固定电话",
        "家庭住址",
        "党籍状态",
        "是否为失联党员",
        "失去联系日期",
        "是否为流动党员",
        "外出流向",
    ]
    member = good_member()
    row = ["老党员", *[member[k] for k in MEMBER_KEYS]]
    path = plain_sheet(tmp_path / "名册.xlsx", headers, [row], sheet="我的名册")
    (table,) = read_workbook(path)
    assert table.sheet == "我的名册" and table.columns["name"] == 2 and "seq" not in table.columns
    assert check_files([path], today=TODAY).findings == []


def test_one_row_phone_header_is_the_mobile(tmp_path):
    headers = ["序号", "姓名", "公民身份证号", "联系电话"]
    member = good_member()
    path = plain_sheet(tmp_path / "a.xlsx", headers, [[1, "李建国", member["id_number"], "123"]])
    (table,) = read_workbook(path)
    assert table.columns["mobile"] == 4
    report = check_files([path], today=TODAY)
    assert ["D2", "phone.mobile"] in report.flatten(["cell", "rule"])
    assert report.findings[0].rule == "table.missing_column"


def test_org_header_with_spaces_inside(tmp_path):
    headers = [
        "序号",
        "党组织名称",
        "组织类别",
        "党组织所在 单位情况",
        "党组织 书记",
        "党组织 联系人",
        "联系电话",
        "单位名称",
        "单位类别",
        "单位建立 党组织情况",
        "党组织所在 单位代码",
    ]
    org = good_org()
    keys = (
        "org_name",
        "org_category",
        "unit_situation",
        "secretary",
        "contact",
        "phone",
        "unit_name",
        "unit_nature",
        "unit_party_org",
        "unit_code",
    )
    path = plain_sheet(
        tmp_path / "附件3.xlsx",
        headers,
        [[1, *[org[k] for k in keys]]],
        above=[["附件3"], ["党组织和所在单位信息汇总表"], ["基层党委：", "林业局党委"]],
    )
    (table,) = read_workbook(path)
    assert table.missing == [] and table.meta["基层党委"] == "林业局党委"
    assert check_files([path], today=TODAY).findings == []


def test_both_tables_in_one_sheet(tmp_path):
    org = good_org()
    member = good_member()
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(
        [
            "序号",
            "党组织名称",
            "组织类别",
            "党组织所在单位情况",
            "党组织书记",
            "党组织联系人",
            "联系电话",
        ]
    )
    ws.append([1, org["org_name"], "631", "与上级党组织相同", "李建国", "王芳", "0739-6821234"])
    ws.append([])
    ws.append(["序号", "姓名", "所在党支部", "公民身份证号", "手机号"])
    ws.append([1, "李建国", org["org_name"], member["id_number"], "13807391234"])
    workbook.save(tmp_path / "合并.xlsx")
    tables = read_workbook(tmp_path / "合并.xlsx")
    assert [(t.kind, t.header_row, len(t.records)) for t in tables] == [
        ("orgs", 1, 1),
        ("members", 4, 1),
    ]


def test_data_ends_at_the_last_row_before_a_footer(tmp_path, book):
    path = book(members=[good_member()])
    workbook = openpyxl.load_workbook(path)
    ws = workbook.active
    ws["A7"] = 2  # a numbered but otherwise empty row, as in the official download
    ws["A8"] = "注：此表可从系统中导出或从共产党员网下载，不可自行制作。"
    workbook.save(path)
    (table,) = read_workbook(path)
    assert [r.row for r in table.records] == [6]
    assert table.unplaced == []


def test_footer_right_after_data_is_not_a_record(book):
    path = book(members=[good_member()])
    workbook = openpyxl.load_workbook(path)
    workbook.active["A7"] = "注：此表可从系统中导出或从共产党员网下载，不可自行制作。"
    workbook.save(path)
    (table,) = read_workbook(path)
    assert [r.row for r in table.records] == [6]


def test_rows_after_a_gap_are_records(book):
    path = book(members=[good_member()])
    workbook = openpyxl.load_workbook(path)
    ws = workbook.active
    later = good_member(name="王芳", id_number=person_id("430523", "19700101", "022"))
    ws.cell(row=9, column=2, value=later["name"])
    ws.cell(row=9, column=3, value=later["branch"])
    ws.cell(row=9, column=4, value=later["id_number"])
    workbook.save(path)
    (table,) = read_workbook(path)
    assert [r.row for r in table.records] == [6, 9]
    report = check_files([path], today=TODAY)
    assert {f.row for f in report.findings} == {9}  # its empty required fields
    assert report.tables[0].rows == 2


@pytest.mark.parametrize(
    "cells",
    [
        {"A": "注：本表由信息采集员填写"},
        {"A": "注 1. 本表由信息采集员填写"},
        {"A": "说明：人员类别填正式党员或预备党员"},
        {"A": "备注：无"},
        {"B": "填表人：王芳", "F": "审核人：李四", "J": "填表日期：2024年5月30日"},
        {"A": 7, "B": "填表人：王芳", "F": "审核人：李四", "J": "联系电话：13807391234"},
        {"A": "合计", "B": "1人"},
        {"B": "制表日期：2024.05.30"},
        {"L": "（盖章）", "N": "2024年5月30日"},
        {"A": " 注意事项：请勿改动表头"},
    ],
)
def test_footer_lines_of_every_kind_are_not_records(book, cells):
    path = book(members=[good_member()])
    workbook = openpyxl.load_workbook(path)
    for column, value in cells.items():
        workbook.active[f"{column}7"] = value  # right below the data
    workbook.save(path)
    (table,) = read_workbook(path)
    assert [r.row for r in table.records] == [6]
    assert check_files([path], today=TODAY).findings == []
    assert table.unplaced == []


@pytest.mark.parametrize(
    "text", ["注册会计师事务所党支部", "说明书印刷厂党支部", "合力党支部", "单位党支部"]
)
def test_names_that_begin_like_a_footer_are_data(book, text):
    path = book(orgs=[good_org(org_name=text)], members=[])
    (table,) = [t for t in read_workbook(path) if t.kind == "orgs"]
    assert [r.row for r in table.records] == [6]


@pytest.mark.parametrize(
    "value",
    [
        date(1992, 7, 1),
        datetime(1992, 7, 1, 0, 0),
        33786,
        "1992-07-01",
        "1992.07.01",
        "1992/7/1",
        "1992年7月1日",
        "19920701",
        19920701,
    ],
)
def test_join_date_forms(check, value):
    report = check(members=[good_member(join_date=value)])
    assert report.findings == []


def test_legacy_xls_is_read(tmp_path):
    member = good_member(birth_date="1968-03-12", join_date="1992-07-01", full_date="1993-07-01")
    workbook = xlwt.Workbook()
    ws = workbook.add_sheet("附件4")
    ws.write(0, 0, "党员基本信息汇总表")
    for col, key in enumerate(("seq", *MEMBER_KEYS)):
        ws.write(1, col, "序号" if key == "seq" else _label(key))
        ws.write(2, col, 1 if key == "seq" else (member[key] or ""))
    path = tmp_path / "旧版.xls"
    workbook.save(str(path))
    report = check_files([path], today=TODAY)
    assert report.rows == 1 and report.findings == []


def _label(key):
    from addin.model.fields import field_label

    return field_label("members", key)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("空.xlsx", b"", "空的"),
        ("坏.xlsx", b"PK\x03\x04 not really a zip", "损坏"),
        ("文本.xlsx", "姓名,身份证号\n".encode(), "损坏"),
        ("名单.csv", b"a,b\n", "只支持"),
        ("旧版.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "损坏"),
        ("网页.xlsx", b"<!DOCTYPE html><html>", "网页"),
        ("~$锁定.xlsx", b"\x05lock", "临时锁定文件"),
    ],
)
def test_unreadable_files_give_a_clear_error(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(WorkbookError) as caught:
        read_workbook(path)
    assert expected in caught.value.problem and caught.value.path == str(path)


def test_workbook_without_a_table_lists_the_headers_looked_for(tmp_path):
    path = plain_sheet(tmp_path / "其他.xlsx", ["品名", "数量"], [["苹果", 3]])
    with pytest.raises(WorkbookError) as caught:
        read_workbook(path)
    assert "“姓名”“公民身份证号”" in caught.value.problem
    assert "“党组织名称”“组织类别”" in caught.value.problem
