"""`dyxx check` as a user runs it: exit codes, terminal and JSON output, the annotated copy.

The exit codes are those of the console script in a child process; the rest runs in-process.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from addin.model.findings import rule_title
from addin.write.marked.annotate import RESULT_SHEET, STAMP_SHEET
from tests.support.books import BRANCH, cell_style, good_member, good_org
from tests.support.cli import dyxx, dyxx_process, registered_commands
from tests.support.xlsx import digest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "示例_林业局党委.xlsx"
DAY = ("--today", "2024-06-01")


@pytest.mark.e2e
def test_clean_file_exits_0(book):
    path = book(members=[good_member()], orgs=[good_org()])
    result = dyxx_process("check", str(path), *DAY)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "未发现问题" in result.stdout and "结论：通过" in result.stdout


@pytest.mark.e2e
def test_errors_exit_1_and_are_listed_with_counts(book):
    path = book(members=[good_member(gender="女")], orgs=[good_org()])
    result = dyxx_process("check", str(path), *DAY)
    assert result.returncode == 1
    assert "E6" in result.stdout and "性别“女”与身份证号" in result.stdout
    assert re.search(r"性别与身份证号不符.*错误.*1", result.stdout)
    assert "member.gender_mismatch" not in result.stdout  # codes are for --json and dyxx rules
    assert "错误 1 个，警告 0 个" in result.stdout


@pytest.mark.e2e
def test_unreadable_file_exits_2_without_traceback(tmp_path):
    path = tmp_path / "坏 文件.xlsx"
    path.write_bytes(b"garbage")
    result = dyxx_process("check", str(path), *DAY)
    assert result.returncode == 2
    assert "坏 文件.xlsx" in result.stdout and "Traceback" not in result.stdout + result.stderr


@pytest.mark.e2e
def test_missing_file_exits_2(tmp_path):
    result = dyxx_process("check", str(tmp_path / "没有这个文件.xlsx"), *DAY)
    assert result.returncode == 2 and "文件不存在" in result.stdout


def test_json_shape(book):
    path = book(members=[good_member(gender="女", job=211)], orgs=[good_org()])
    result = dyxx("check", str(path), "--json", *DAY)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert set(data) >= {"findings", "summary", "fingerprint", "tables"}
    first = data["findings"][0]
    assert set(first) >= {
        "file",
        "sheet",
        "cell",
        "row",
        "field",
        "rule",
        "severity",
        "value",
        "message",
    }
    assert [(f["cell"], f["row"], f["rule"], f["severity"]) for f in data["findings"]] == [
        ("E6", 6, "member.gender_mismatch", "error"),
        ("L6", 6, "code.leading_zero", "warning"),
    ]
    assert (
        first["field"] == "性别"
        and first["value"] == "女"
        and first["sheet"] == "党员基本信息汇总表"
    )
    assert data["summary"]["errors"] == 1 and data["summary"]["warnings"] == 1
    assert data["summary"]["rows"] == 2 and data["summary"]["passed"] is False


def test_annotated_copy(book, tmp_path):
    path = book(
        members=[
            good_member(gender="女", job=211),
            good_member(name="王芳", id_number="430523197001010220", gender="女", birth_date=None),
        ],
        orgs=[good_org()],
    )
    before = digest(path)
    out = tmp_path / "out" / "标注.xlsx"
    result = dyxx("check", str(path), "-o", str(out), *DAY)
    assert result.returncode == 1
    assert digest(path) == before  # the input is never written
    original = openpyxl.load_workbook(path)
    marked = openpyxl.load_workbook(out)
    sheet = marked["党员基本信息汇总表"]
    assert sheet["E6"].fill.fgColor.rgb.endswith("FFC7CF")  # error: red
    assert sheet["L6"].fill.fgColor.rgb.endswith("FFEB9D")  # warning: yellow
    assert "性别“女”与身份证号" in sheet["E6"].comment.text
    assert "0211" in sheet["L6"].comment.text
    # every other cell keeps its value and style
    flagged = {("党员基本信息汇总表", c) for c in ("E6", "L6", "D7", "G7")}
    for name in original.sheetnames:
        for row in original[name].iter_rows():
            for cell in row:
                copy = marked[name][cell.coordinate]
                assert copy.value == cell.value, cell.coordinate
                if (name, cell.coordinate) not in flagged:
                    assert cell_style(copy) == cell_style(cell), cell.coordinate
        assert marked[name].merged_cells.ranges == original[name].merged_cells.ranges
    results = marked[RESULT_SHEET]
    rows = list(results.iter_rows(min_row=2, values_only=True))
    assert [(r[2], r[5]) for r in rows] == [
        ("E6", rule_title("member.gender_mismatch")),
        ("L6", rule_title("code.leading_zero")),
        ("D7", rule_title("id.checksum")),
        ("G7", rule_title("field.required")),
    ]
    assert (
        results["C2"].hyperlink.location == "'党员基本信息汇总表'!E6"
        or results["C2"].hyperlink.target == "#'党员基本信息汇总表'!E6"
    )
    stamp = dict(marked[STAMP_SHEET].iter_rows(min_row=2, values_only=True))
    assert stamp["结论"] == "未通过" and stamp["错误数"] == 3 and stamp["警告数"] == 1
    assert stamp["检查行数"] == 3 and len(stamp["数据指纹"]) == 64
    assert stamp["校验工具"].startswith("dyxx ") and "代码表 education.csv" in stamp


def test_annotated_copy_of_a_clean_file_passes(book, tmp_path):
    path = book(members=[good_member()], orgs=[good_org()])
    out = tmp_path / "ok.xlsx"
    assert dyxx("check", str(path), "-o", str(out), *DAY).returncode == 0
    stamp = dict(openpyxl.load_workbook(out)[STAMP_SHEET].iter_rows(min_row=2, values_only=True))
    assert stamp["结论"] == "通过" and stamp["错误数"] == 0


def test_output_equal_to_input_is_refused(book):
    path = book(members=[good_member(gender="女")])
    before = digest(path)
    result = dyxx("check", str(path), "-o", str(path), *DAY)
    assert result.returncode == 2 and "不能与输入的文件相同" in result.stdout
    assert digest(path) == before


def test_several_files_write_one_copy_each(book, tmp_path):
    orgs = book(orgs=[good_org()], name="附件3.xlsx")
    members = book(members=[good_member(branch="别的支部")], name="附件4.xlsx")
    out = tmp_path / "标注"
    result = dyxx("check", str(orgs), str(members), "-o", str(out), *DAY)
    assert result.returncode == 1
    assert sorted(p.name for p in out.iterdir()) == ["附件3_校验.xlsx", "附件4_校验.xlsx"]
    marked = openpyxl.load_workbook(out / "附件4_校验.xlsx")
    assert "附件3中" in marked["党员基本信息汇总表"]["C6"].comment.text


def test_fingerprint_changes_with_the_data(book):
    from addin.engine.check import check_files

    first = check_files([book(members=[good_member()])]).fingerprint
    same = check_files([book(members=[good_member()])]).fingerprint
    edited = check_files([book(members=[good_member(address="邵阳县塘渡口镇资江路13号")])])
    assert first == same != edited.fingerprint


def test_bundled_example_runs(tmp_path):
    result = dyxx("check", str(EXAMPLE), "-o", str(tmp_path / "示例_校验结果.xlsx"), *DAY)
    assert result.returncode == 1
    assert "结论：未通过" in result.stdout
    assert BRANCH in result.stdout  # the hint names the full 附件3 branch name


def test_every_command_is_documented_in_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = registered_commands()
    assert {"check", "rules", "addin build"} <= commands
    for command in commands:
        assert f"dyxx {command}" in readme, command


@pytest.mark.e2e
def test_rules_command_lists_every_rule():
    from addin.model.findings import RULES

    result = dyxx_process("rules")  # a fresh process: the rules its own imports register
    assert result.returncode == 0
    for code in RULES:
        assert code in result.stdout


@pytest.mark.parametrize("tool", [["ruff", "check", "."], ["ruff", "format", "--check", "."]])
def test_ruff_is_clean(tool):
    result = subprocess.run([sys.executable, "-m", *tool], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_macro_workbook_keeps_its_vba(tmp_path):
    """A real .xlsm (xlwings' own quickstart workbook) with a 附件4 sheet added."""
    import zipfile

    import xlwings

    from addin.write.layout import add_table

    source = Path(xlwings.__file__).parent / "quickstart.xlsm"
    workbook = openpyxl.load_workbook(source, keep_vba=True)
    add_table(workbook, "members", [good_member(gender="女")])
    path = tmp_path / "宏工作簿.xlsm"
    workbook.save(path)
    out = tmp_path / "宏工作簿_校验.xlsm"
    result = dyxx("check", str(path), "-o", str(out), *DAY)
    assert result.returncode == 1 and "E6" in result.stdout
    with zipfile.ZipFile(path) as a, zipfile.ZipFile(out) as b:
        assert b.read("xl/vbaProject.bin") == a.read("xl/vbaProject.bin")
    assert openpyxl.load_workbook(out)["党员基本信息汇总表"]["E6"].comment is not None
