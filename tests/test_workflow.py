"""The committee's workflow end to end, each step a real ``dyxx`` process as an officer runs it.

The branch workbooks are those of tests/support/branches.py.
"""

from __future__ import annotations

import openpyxl
import pytest

from tests.support.branches import branch_books
from tests.support.cli import dyxx_process

pytestmark = pytest.mark.e2e


def test_the_committee_workflow_end_to_end(tmp_path):
    """汇总 → 校验 → 验收 → 导入准备, then 采集表, 抽查 and 变动 from the same summary."""
    books = branch_books(tmp_path / "报送")
    summary = tmp_path / "汇总.xlsx"
    merged = dyxx_process("merge", *map(str, books), "-o", str(summary), "--today", "2024-06-01")
    assert merged.returncode == 1, merged.stdout + merged.stderr  # the planted errors
    assert "错误 10 个" in merged.stdout
    assert "汇总 3 个文件：党组织 4 个，党员 13 行（不重复 11 人）" in merged.stdout
    checked = tmp_path / "汇总_校验.xlsx"
    marked = dyxx_process("check", str(summary), "-o", str(checked), "--today", "2024-06-01")
    assert marked.returncode == 1, marked
    verified = dyxx_process("verify", str(checked))
    assert verified.returncode == 1 and "数据与校验时一致（17 行）" in verified.stdout
    ready = tmp_path / "汇总_导入.xlsx"
    cleaned = dyxx_process("clean", str(checked), "-o", str(ready))
    assert cleaned.returncode == 0, cleaned.stdout + cleaned.stderr
    assert openpyxl.load_workbook(ready).sheetnames == ["附件3 党组织汇总表", "附件4 党员汇总表"]
    same = dyxx_process("diff", str(summary), str(ready), "-o", str(tmp_path / "变动.xlsx"))
    assert same.returncode == 0 and "共 0 处变动" in same.stdout  # clean kept every value
    sample = tmp_path / "抽查.xlsx"
    drawn = dyxx_process("sample", str(ready), "--ratio", "0.2", "--seed", "7", "-o", str(sample))
    assert drawn.returncode == 0, drawn.stdout + drawn.stderr
    assert "覆盖全部 4 个党组织（党支部）" in drawn.stdout
    forms = dyxx_process("forms", str(ready), "-o", str(tmp_path / "采集表"), "--no-pdf")
    assert forms.returncode == 0 and "生成 4 个工作簿、17 张采集表" in forms.stdout
