"""Every date option of the command line has one parser (:func:`addin.cli.app.day`)."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
import typer
from typer.testing import CliRunner

import addin.cli.main  # noqa: F401  (registers every command)
from addin.cli.app import app, day
from tests.support.books import good_member, good_org
from tests.support.cli import dyxx


@pytest.mark.parametrize(
    ("command", "option"),
    [("check", "--today"), ("merge", "--today"), ("merge", "--date")],
)
def test_a_wrong_date_is_a_usage_error_naming_its_option(book, tmp_path, command, option):
    out = tmp_path / "汇总.xlsx"
    args = [command, str(book(members=[good_member()], orgs=[good_org()]))]
    args += ["-o", str(out)] if command == "merge" else []
    result = dyxx(*args, option, "2024-02-30")
    assert result.returncode == 2
    assert f"选项 {option} 的值不对：日期“2024-02-30”不存在：2024年2月没有30日" in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    "spelling",
    ["2017-07-10", "2017/7/10", "2017.7.10", "2017年7月10日", "20170710", "2017－07－10"],
)
def test_a_date_option_takes_what_a_date_cell_takes(spelling):
    assert day(spelling) == date(2017, 7, 10)


@pytest.mark.parametrize("wrong", ["2017.7", "7/10/2017", "昨天", ""])
def test_a_date_option_says_what_is_wrong_in_chinese(wrong):
    with pytest.raises(typer.BadParameter, match="日期"):
        day(wrong)


def test_the_dates_given_are_the_dates_used(book, tmp_path):
    path = book(members=[good_member()], orgs=[good_org()])  # full member since 1993-07-01
    runner = CliRunner()
    assert runner.invoke(app, ["check", str(path), "--today", "2024-06-01"]).exit_code == 0
    early = runner.invoke(app, ["check", str(path), "--json", "--today", "1993-01-01"])
    assert early.exit_code == 1 and "1993-01-01" in early.stdout
    out = tmp_path / "汇总.xlsx"
    merged = runner.invoke(app, ["merge", str(path), "-o", str(out), "--date", "2017/7/10"])
    assert merged.exit_code == 0, merged.output
    texts = [
        str(value)
        for sheet in openpyxl.load_workbook(out).worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    assert any("2017年7月10日" in text for text in texts)
    assert day("2017-07-10") == date(2017, 7, 10)
