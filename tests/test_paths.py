"""Where -o points, Excel's lock files among the inputs (issue 12, points 12 and 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.books import good_member, good_org, write_book
from tests.support.cli import dyxx


@pytest.fixture
def roster(tmp_path) -> Path:
    return write_book(tmp_path / "名册.xlsx", [good_member()], [good_org()])


@pytest.mark.parametrize("given", ["结果", "结果/", "新文件夹/", "无扩展名"])
def test_a_folder_gets_the_copy_under_its_usual_name(tmp_path, roster, given):
    (tmp_path / "结果").mkdir()
    result = dyxx("check", "名册.xlsx", "-o", given, cwd=tmp_path)
    assert result.returncode == 0, result.output
    written = tmp_path / given.rstrip("/") / "名册_校验.xlsx"
    assert written.is_file()
    assert f"已写出标注副本 {Path(given) / '名册_校验.xlsx'}" in result.output


@pytest.mark.parametrize("given", ["结果.csv", "结果.xls", "结果.pdf"])
def test_an_output_that_is_not_a_workbook_is_refused(tmp_path, roster, given):
    result = dyxx("check", "名册.xlsx", "-o", given, cwd=tmp_path)
    assert result.returncode == 2 and "输出文件应为 .xlsx" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["名册.xlsx"]


def test_prepare_and_clean_write_into_a_folder(tmp_path, roster):
    assert dyxx("prepare", "名册.xlsx", "-o", "出/", cwd=tmp_path).returncode == 0
    assert (tmp_path / "出" / "名册_带校验.xlsx").is_file()
    assert dyxx("clean", "出/名册_带校验.xlsx", "-o", "出/", cwd=tmp_path).returncode == 0
    assert (tmp_path / "出" / "名册_带校验_导入.xlsx").is_file()


def test_an_excel_lock_file_is_skipped_and_the_batch_goes_on(tmp_path, roster):
    (tmp_path / "~$名册.xlsx").write_bytes(b"\x0cuser" + b"\x00" * 150)  # as Excel leaves it
    result = dyxx("check", "~$名册.xlsx", "名册.xlsx", cwd=tmp_path)
    assert result.returncode == 0, result.output
    assert "跳过 ~$名册.xlsx" in result.output and "锁定文件" in result.output
    merged = dyxx("merge", "~$名册.xlsx", "名册.xlsx", "-o", "汇总.xlsx", cwd=tmp_path)
    assert merged.returncode == 0, merged.output
    assert "跳过 ~$名册.xlsx" in merged.output


def test_a_lock_file_alone_is_a_file_problem(tmp_path):
    (tmp_path / "~$名册.xlsx").write_bytes(b"\x0cuser" + b"\x00" * 150)
    result = dyxx("check", "~$名册.xlsx", cwd=tmp_path)
    assert result.returncode == 2 and "锁定文件" in result.output


def test_an_operating_system_error_is_said_in_chinese(tmp_path):
    (tmp_path / "环.xlsx").symlink_to("环.xlsx")  # a link to itself: the system says ELOOP
    result = dyxx("check", "环.xlsx", cwd=tmp_path)
    assert result.returncode == 2
    assert "链接指向自身" in result.output and "Too many levels" not in result.output
