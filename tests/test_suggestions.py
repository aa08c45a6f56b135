"""Suggestions for common ways of writing a value: 学历 “本科”, 工作岗位 “退休”, 外出流向 “深圳”.

A suggestion is words in the message naming the likely code and name; the finding stays an
error and the cell keeps what the officer typed.
"""

from __future__ import annotations

import openpyxl
import pytest

from addin.engine.check import check_files
from addin.values import codes
from addin.values.codes import synonyms, table
from tests.support.books import TODAY, good_member, write_book
from tests.support.cli import dyxx_ok

MEMBERS = "党员基本信息汇总表"


@pytest.mark.parametrize(
    ("key", "typed", "named"),
    [
        ("education", "本科", "是否为“21 大学”？"),
        ("education", "大学本科", "是否为“21 大学”？"),
        ("education", "研究生", "是否为“12 硕士研究生”或“11 博士研究生”？"),
        ("education", "中专", "是否为“41 中等专科”？"),
        ("job", "退休", "是否为“502 退休人员”？"),
        ("job", "农民", "是否为“11 农牧渔业生产人员”？"),
        ("mobile_flow", "深圳", "是否为“广东省深圳市”？"),
        ("mobile_flow", "深圳南山", "是否为“广东省深圳市南山区”？"),
    ],
)
def test_a_common_way_of_writing_names_the_likely_entry(tmp_path, key, typed, named):
    member = good_member(**{key: typed})
    if key == "mobile_flow":  # a 流动党员 whose 外出流向 lacks its province
        member = good_member(mobile_flow="是", destination=typed)
    path = write_book(tmp_path / "名册.xlsx", [member], [])
    out = tmp_path / "标注.xlsx"
    dyxx_ok("check", path, "-o", out, "--today", TODAY.isoformat())
    report = check_files([path], today=TODAY)
    (finding,) = [f for f in report.findings if named in f.message]
    assert finding.severity == "error" and finding.value == typed
    copy = openpyxl.load_workbook(out)[MEMBERS]
    assert copy[finding.cell].value == typed  # never changed, only suggested
    assert named in copy[finding.cell].comment.text


@pytest.mark.parametrize("typed", ["火星", "25", "大学生"])
def test_no_suggestion_when_nothing_is_likely(typed):
    found = table("education").lookup(typed)
    assert found.entry is None and "是否为" not in found.problems[0].message


@pytest.mark.parametrize("key", codes.KEYS)
def test_synonyms_name_real_entries_and_never_shadow_one(key):
    written = synonyms(key)  # raises when a row names a code or name not in the table
    for text, entries in written.items():
        assert entries and table(key).lookup(text).entry is None, text


def test_every_synonym_table_is_a_code_table():
    _meta, rows = codes.read_csv("synonyms.csv")
    assert {row["table"] for row in rows} <= set(codes.KEYS)
