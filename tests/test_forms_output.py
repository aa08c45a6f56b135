"""`dyxx forms`: pre-filled 附件1/附件2 forms, one workbook and one PDF per branch.

The PDFs are made by the real LibreOffice (as `dyxx forms` makes them) and read
back with pdftotext: each page is one form, with the person's Chinese text on it.
"""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from addin.model.safename import file_stem
from addin.read.reader import read_workbook
from addin.workflow.forms_output import answer, by_branch
from addin.write.forms import member_items, org_items
from addin.xlsx.source import is_encrypted
from tests.support.books import good_member, write_book
from tests.support.branches import (
    FARM,
    FILES,
    MEMBERS,
    ORGAN,
    RETIRED,
    TIMBER,
    branch_books,
)
from tests.support.cli import Ran, dyxx
from tests.support.tools import required
from tests.support.xlsx import sheet_names

ITEMS = {item.key: item for item in member_items() if item.key}
ORG_ITEMS = {item.key: item for item in org_items() if item.key}


@pytest.fixture(scope="module")
def summary(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("forms")
    books = branch_books(folder / "报送")
    out = folder / "汇总.xlsx"
    assert dyxx("merge", *map(str, books), "-o", str(out)).returncode == 1
    return out


@pytest.fixture(scope="module")
def printed(summary, tmp_path_factory) -> tuple[Path, Ran]:
    folder = tmp_path_factory.mktemp("printed") / "采集表"
    result = dyxx("forms", str(summary), "-o", str(folder), "--no-pdf")
    return folder, result


@pytest.mark.parametrize(
    ("key", "raw", "shown"),
    [
        ("gender", "女", "☐男　　☑女"),
        ("gender", None, "☐男　　☐女"),
        ("gender", "M", "☐男　　☐女　（原填：M）"),
        ("category", "预备党员", "☐正式党员　　☑预备党员"),
        ("status", "停止党籍", "☐正常　　☑停止党籍"),
        ("lost", "是", "☑是　　☐否"),
        ("education", "21", "21 大学"),
        ("education", 21.0, "21 大学"),
        ("job", "0211", "0211 事业单位管理岗位"),
        ("job", "xyz", "xyz"),
        ("ethnicity", "汉", "汉族"),
        ("birth_date", date(1968, 3, 12), "1968年03月12日"),
        ("birth_date", "1968.3.12", "1968年03月12日"),
        ("birth_date", None, "　　　　年　　月　　日"),
        ("lost_date", "2015.03", "2015年03月"),
        ("lost_date", None, "　　　　年　　月"),
        ("landline", None, "（区号）　　　　+（电话）"),
        ("destination", "广东省深圳市南山区", "广东省深圳市南山区"),
        ("name", None, ""),
    ],
)
def test_member_answers(key, raw, shown):
    assert answer("members", ITEMS[key], raw) == shown


def test_org_answers():
    assert answer("orgs", ORG_ITEMS["unit_situation"], "法人单位") == (
        "☐与上级党组织相同　　☑法人单位　　☐联合支部"
    )
    assert answer("orgs", ORG_ITEMS["org_category"], "631") == "631 党支部"
    assert answer("orgs", ORG_ITEMS["unit_nature"], "4") == "4 机关"


def test_one_workbook_per_branch(summary, printed):
    folder, result = printed
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{name}.xlsx" for name in (ORGAN, FARM, TIMBER, RETIRED)
    )
    assert "生成 4 个工作簿、17 张采集表" in result.stdout
    assert sheet_names(folder / f"{TIMBER}.xlsx") == [
        "附件1 党组织",
        "001 周敏",
        "002 吴军",
        "003 郑涛",
    ]
    organ = sheet_names(folder / f"{ORGAN}.xlsx")
    assert organ[:2] == ["附件1 党组织 1", "附件1 党组织 2"]  # the duplicated row
    assert sheet_names(folder / f"{RETIRED}.xlsx") == ["001 黄磊"]


def test_member_form_cell_by_cell(printed):
    folder, _result = printed
    sheet = openpyxl.load_workbook(folder / f"{TIMBER}.xlsx")["002 吴军"]
    got = [(sheet[f"A{row}"].value, sheet[f"B{row}"].value) for row in range(4, 23)]
    assert got == [
        ("1.姓名", "吴军"),
        ("2.性别", "☑男　　☐女"),
        ("3.民族", "汉族"),
        ("4.公民身份证号", "430523196608080176"),
        ("5.出生日期", "1966年08月08日"),
        ("6.学历（参照《学历代码》填写相应代码）", "21 大学"),
        ("7.人员类别（勾选一项）", "☑正式党员　　☐预备党员"),
        ("8.所在党支部（填写全称）", TIMBER),
        ("9.加入党组织日期", "1992年07月01日"),
        ("10.转为正式党员日期", "1993年07月01日"),
        ("11.工作岗位（参照《工作岗位代码》填写相应代码）", "011 公务员"),
        ("12.联系电话（手机号）", "13807391234"),
        ("　　（固定电话）", "0739-6821234"),
        ("13.家庭住址（具体到门牌号）", "邵阳县塘渡口镇资江路12号"),
        ("14.党籍状态", "☐正常　　☑停止党籍"),
        ("15.是否为失联党员", "☑是　　☐否"),
        ("　　失去联系日期（失联党员填写）", "2012年05月"),
        ("16.是否为流动党员（由流出地党组织负责采集）", "☐是　　☑否"),
        (
            "　　外出流向（流动党员填写）",
            "____省（区、市）____市（地、州、盟）____县（市、区、旗）",
        ),
    ]
    assert sheet["A1"].value == "附件2" and sheet["A2"].value == "党员基本信息采集表"
    signatures = [sheet[f"A{row}"].value for row in range(24, 28)]
    assert signatures == [
        "党员（签字）：",
        "党支部书记（签字）：",
        "信息采集员（签字）：",
        "基层党委（盖章）：",
    ]
    assert sheet["C24"].value == "　　年　　月　　日"
    assert sheet["A29"].value.startswith("注：软件系统中信息齐全的，此表可直接从软件系统中导出打印")
    assert "B4:D4" in {str(r) for r in sheet.merged_cells.ranges}
    setup = sheet.page_setup
    assert (setup.paperSize, setup.orientation, setup.fitToHeight) == (9, "portrait", 1)
    assert not sheet.data_validations.dataValidation and not sheet.protection.sheet


def test_org_form_cell_by_cell(printed):
    folder, _result = printed
    sheet = openpyxl.load_workbook(folder / f"{FARM}.xlsx")["附件1 党组织"]
    answers = {sheet[f"A{r}"].value: sheet[f"B{r}"].value for r in range(4, 18)}
    assert answers["1.党组织名称（填写全称）"] == FARM
    assert answers["2.党组织书记"] == "赵强"
    assert answers["5.组织类别（参照《组织类别代码》填写相应代码）"] == "631 党支部"
    assert (
        answers["6.党组织所在单位情况（勾选一项）"] == "☑与上级党组织相同　　☐法人单位　　☐联合支部"
    )
    assert answers["7.单位名称（填写全称）"] is None  # left blank, as the tick says
    assert sheet["A2"].value == "党组织和所在单位基本信息采集表"


@pytest.mark.office
def test_forms_print_to_pdf_with_the_chinese_text(summary, tmp_path):
    required("soffice", "pdftotext")
    folder = tmp_path / "采集表"
    result = dyxx("forms", str(summary), "-o", str(folder))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "已生成 4 个 PDF" in result.stdout
    pdf = folder / f"{TIMBER}.pdf"
    pages = []
    for page in range(1, 5):
        text = subprocess.run(
            ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        pages.append(" ".join(text.split()))
    assert "党组织和所在单位基本信息采集表" in pages[0] and TIMBER in pages[0]
    assert "☑与上级党组织相同" in pages[0] and "631 党支部" in pages[0]
    timber = [m for m in MEMBERS[FILES[2]] if m["branch"] == TIMBER]
    for page, person in zip(pages[1:], timber, strict=True):
        name, number = person["name"], person["id_number"]
        assert "党员基本信息采集表" in page and f"1.姓名 {name}" in page
        assert f"4.公民身份证号 {number}" in page and TIMBER in page
        assert "党员（签字）：" in page and "基层党委（盖章）：" in page
    assert "☑是 ☐否 失去联系日期（失联党员填写） 2015年03月" in pages[1]
    assert "☐正常 ☑停止党籍" in pages[2]
    assert "☐男 ☑女" in pages[3]  # as recorded (the ID says otherwise: to be corrected)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "Pages:           4" in info  # one page per form
    assert not list(folder.glob(".dyxx-*"))  # nothing left behind


def test_without_libreoffice_the_workbooks_are_still_written(summary, tmp_path):
    folder = tmp_path / "采集表"
    result = dyxx("forms", str(summary), "-o", str(folder), env={"PATH": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "未找到 LibreOffice" in result.stdout
    assert len(list(folder.glob("*.xlsx"))) == 4 and not list(folder.glob("*.pdf"))


def test_encrypted_output_has_no_pdf(summary, tmp_path):
    folder = tmp_path / "采集表"
    result = dyxx(
        "forms", str(summary), "-o", str(folder), "--encrypt", env={"DYXX_OUTPUT_PASSWORD": "m-1"}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "未生成 PDF" in result.stdout and not list(folder.glob("*.pdf"))
    assert all(is_encrypted(p) for p in folder.glob("*.xlsx"))


def test_awkward_names(tmp_path):
    path = write_book(
        tmp_path / "汇总.xlsx",
        [
            good_member(branch="第一/第二:联合支部"),
            good_member(branch="第一/第二:联合支部", name=None, id_number="430523"),
        ],
    )
    branches = by_branch(read_workbook(path))
    assert [b.name for b in branches] == ["第一/第二:联合支部"]
    assert file_stem(branches[0].name) == "第一_第二_联合支部"
    folder = tmp_path / "采集表"
    result = dyxx("forms", str(path), "-o", str(folder), "--no-pdf")
    assert result.returncode == 0, result.stdout + result.stderr
    book = openpyxl.load_workbook(folder / "第一_第二_联合支部.xlsx")
    assert book.sheetnames == ["001 李建国", "002 未填姓名"]


def test_errors_exit_2(summary, tmp_path):
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 not really")
    result = dyxx("forms", str(bad), "-o", str(tmp_path / "采集表"))
    assert result.returncode == 2 and "坏.xlsx" in result.stdout
    a_file = tmp_path / "文件.txt"
    a_file.write_text("x", encoding="utf-8")
    result = dyxx("forms", str(summary), "-o", str(a_file))
    assert result.returncode == 2 and "文件夹" in result.stdout
