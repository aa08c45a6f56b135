"""Control characters pasted into cells: ``cell.control_character``, in every column (issue 11.8).

The workbooks hold the characters as Excel saves them (``_x000B_`` in the sheet
XML), one in each column of a row of its own, in both tables; each must be
reported at its cell, as an error that shows the character as a picture (␋).
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest

import addin.cli.main  # noqa: F401  (registers every command)
from addin.engine.check import check_files
from addin.model.findings import RULES
from addin.read.reader import read_workbook
from addin.rules.controls import control_problem
from addin.write.layout import MEMBER_COLUMNS, ORG_COLUMNS, add_table, new_workbook
from tests.support.books import TODAY, good_member, good_org, person_id
from tests.support.cli import dyxx
from tests.support.xlsx import strings, with_controls

RULE = "cell.control_character"
CHARS = ("\x0b", "\x01", "\x1b", "\x0c", "\x7f", "\x1f")
PICTURES = {"\x0b": "␋", "\x01": "␁", "\x1b": "␛", "\x0c": "␌", "\x7f": "␡", "\x1f": "␟"}
MEMBER_KEYS = [key for _text, key in MEMBER_COLUMNS if key != "seq"]
ORG_KEYS = [key for _text, key in ORG_COLUMNS if key != "seq"]


def _spoiled(value: object, char: str) -> str:
    """``value`` as text with ``char`` inside it (alone when the cell was empty)."""
    text = value.isoformat() if isinstance(value, date) else str(value or "")
    return text[:2] + char + text[2:]


def _member(index: int) -> dict[str, object]:
    born = f"1970{1 + index % 9:02d}1{index % 10}"
    day = date(1970, 1 + index % 9, 10 + index % 10)
    return good_member(id_number=person_id("430523", born, f"{index:03d}"), birth_date=day)


def _book(path: Path, members: int = 0, *, spoil: bool = True) -> tuple[Path, set[tuple[str, str]]]:
    """Row n of each table has a control character in its n-th column; ``members`` clean
    rows follow. Returns the file and the (sheet, cell) of every spoiled cell."""
    workbook = new_workbook()
    spoiled: set[tuple[str, str]] = set()
    for kind, keys, make, columns in (
        ("orgs", ORG_KEYS, lambda i: good_org(org_name=f"第{i}支部"), ORG_COLUMNS),
        ("members", MEMBER_KEYS, _member, MEMBER_COLUMNS),
    ):
        rows = []
        for index, key in enumerate(keys):
            row = make(index)
            if spoil:
                row[key] = _spoiled(row[key], CHARS[index % len(CHARS)])
            rows.append(row)
            letter = chr(64 + [k for _t, k in columns].index(key) + 1)
            spoiled.add((kind, f"{letter}{6 + index}"))
        if kind == "members":
            rows += [_member(100 + i) for i in range(members)]
            rows += [_member(200 + i) for i in range(members)]
            rows[-1]["address"] = _spoiled("邵阳县资江路12号", "\x0b")  # in the second half
            spoiled.add((kind, f"O{6 + len(rows) - 1}"))
        add_table(workbook, kind, rows, committee="中共邵阳县林业局委员会")
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(with_controls(buffer.getvalue()))
    sheets = {"orgs": "党组织和所在单位信息汇总表", "members": "党员基本信息汇总表"}
    return path, {(sheets[kind], cell) for kind, cell in spoiled}


def test_every_column_of_both_tables_is_searched(tmp_path):
    path, spoiled = _book(tmp_path / "采集.xlsx")
    values = {r.values[k] for t in read_workbook(path) for r in t.records for k in r.values}
    assert {c for c in CHARS if any(isinstance(v, str) and c in v for v in values)} == set(CHARS)
    report = check_files([path], today=TODAY)
    found = [f for f in report.findings if f.rule == RULE]
    assert {(f.sheet, f.cell) for f in found} == spoiled
    for finding in found:
        char = next(c for c in CHARS if c in _raw(path, finding))
        assert finding.severity == "error"
        assert f"（{PICTURES[char]}）" in finding.message and char not in finding.message


def _raw(path: Path, finding) -> str:
    table = next(t for t in read_workbook(path) if t.sheet == finding.sheet)
    record = next(r for r in table.records if r.row == finding.row)
    return str(record.cells[finding.column - 1])


def test_tabs_and_line_breaks_are_not_control_characters(tmp_path):
    path = tmp_path / "换行.xlsx"
    workbook = new_workbook()
    address = "邵阳县塘渡口镇\n资江路12号\t（老干部楼）\r"
    add_table(workbook, "members", [good_member(address=address, landline=None)])
    workbook.save(path)
    report = check_files([path], today=TODAY)
    assert not [f for f in report.findings if f.rule == RULE]


def test_the_problem_shows_every_character_and_the_fix():
    problem = control_problem("\x1b]0;标题\x07张\x0b三\x0b")
    assert problem is not None and problem.severity == "error"
    assert "（␛、␇、␋）" in problem.message
    assert "“␛]0;标题␇张␋三␋”" in problem.message
    assert problem.fix == "]0;标题张三"
    assert control_problem("张三") is None and control_problem(21.0) is None
    assert control_problem("\u200b张三") is None  # zero-width: not a control character


def test_check_reports_the_rule_and_lists_it(tmp_path):
    path, spoiled = _book(tmp_path / "采集.xlsx")
    result = dyxx("check", path, "--json", "--today", "2024-06-01")
    assert result.returncode == 1, result.output
    found = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == RULE]
    assert len(found) == len(spoiled)
    listed = dyxx("rules")
    assert RULE in listed.stdout and RULES[RULE].title in listed.stdout


@pytest.mark.parametrize("command", ["merge", "sample", "diff"])
def test_the_workflow_writes_them_visibly(tmp_path, command):
    """merge, sample and diff used to stop with openpyxl's IllegalCharacterError."""
    path, _spoiled = _book(tmp_path / "采集.xlsx")
    out = tmp_path / "出.xlsx"
    args = {
        "merge": ["merge", path, "-o", out],
        "sample": ["sample", path, "-o", out, "--ratio", "1"],
        "diff": ["diff", _book(tmp_path / "原.xlsx", spoil=False)[0], path, "-o", out],
    }[command]
    result = dyxx(*args)
    assert result.returncode in (0, 1) and out.is_file(), result
    written = "".join(strings(out))
    # diff compares values as meant: a vertical tab, like a space, changes nothing
    shown = {PICTURES[c] for c in CHARS if command != "diff" or not c.isspace()}
    assert shown <= set(written)
    assert not set(CHARS) & set(written)
