"""--mask cannot be undone: no masked output lets a reader rebuild an ID or a phone (issue 12.6).

The masked ID keeps its region code and its last four characters (with the check
digit); the eight digits in between are the birth date. So wherever the ID is
masked, the birth date may not appear in full either, in any spelling.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest

from tests.support.books import good_member, good_org, person_id, write_book
from tests.support.cli import dyxx

DAY = ("--today", "2024-06-01")
HIDDEN_ID = person_id("430523", "19790605", "012")
SECRETS = [
    HIDDEN_ID,
    "19790605",
    "1979-06-05",
    "1979-05-06",  # the birth date typed in the 出生日期 cell (one digit pair swapped)
    "19790506",
    "0739 1240",  # a mobile written with spaces: 138 0739 1240
    "07391240",
    "0739124",  # a ten-digit mobile: 1380739124
    "6824321",  # a landline's local number
    "6825678",  # the local number of a mistyped landline: 07391-6825678
]


def members() -> list[dict[str, object]]:
    return [
        good_member(
            name="王秀英", id_number=HIDDEN_ID, birth_date=date(1979, 5, 6), mobile="138 0739 1240"
        ),
        good_member(
            name="赵敏",
            id_number=person_id("430523", "19800101", "024"),
            birth_date=date(1980, 1, 1),
            mobile="1380739124",
            landline="0739-6824321 转 8",
        ),
        good_member(
            name="钱红",
            id_number=person_id("430523", "19810101", "026"),
            birth_date=date(1981, 1, 1),
            landline="07391-6825678",
        ),
    ]


def texts_of(path: Path) -> str:
    """Every part of an .xlsx as text: cells, notes, everything."""
    with zipfile.ZipFile(path) as package:
        return "\n".join(package.read(n).decode("utf-8", "replace") for n in package.namelist())


def assert_hidden(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret


@pytest.fixture
def roster(tmp_path) -> Path:
    return write_book(tmp_path / "名册.xlsx", members(), [good_org()])


def test_check_masks_terminal_json_and_the_marked_copy(roster, tmp_path):
    shown = dyxx("check", str(roster), "--mask", "--limit", "0", *DAY)
    assert shown.returncode == 1
    assert "出生日期1979-**-**与身份证号中的1979-**-**不一致" in shown.output
    assert_hidden(shown.output)
    report = dyxx("check", str(roster), "--mask", "--json", *DAY)
    assert_hidden(report.output)
    assert json.loads(report.output)["summary"]["errors"] > 0
    marked = tmp_path / "标注.xlsx"
    assert dyxx("check", str(roster), "--mask", "-o", str(marked), *DAY).returncode == 1
    written = texts_of(marked)
    assert "1979-**-**" in written
    # the copy holds the members' rows themselves; the findings and notes may not add a secret
    cells = texts_of(roster)
    assert all(secret in cells or secret not in written for secret in SECRETS)


def test_merge_masks_its_findings_and_conflicts(tmp_path):
    first = write_book(tmp_path / "一.xlsx", members()[:1], [good_org()])
    other = members()[:1]
    other[0]["mobile"] = "139 0739 1240"
    second = write_book(tmp_path / "二.xlsx", other)
    out = tmp_path / "汇总.xlsx"
    result = dyxx("merge", str(first), str(second), "-o", str(out), "--mask", *DAY)
    assert result.returncode == 1, result.output
    assert_hidden(result.output)
    with zipfile.ZipFile(out) as package:
        names = [n for n in package.namelist() if n.startswith("xl/worksheets/")]
        assert names
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(out.read_bytes()))
    issues = "\n".join(
        str(c.value) for row in book["问题清单"].iter_rows() for c in row if c.value is not None
    )
    assert "1979-**-**" in issues or "****" in issues
    assert_hidden(issues)


def test_diff_masks_the_birth_date_beside_a_masked_id(tmp_path):
    old = write_book(tmp_path / "旧.xlsx", members(), [good_org()])
    changed = members()
    changed[0]["birth_date"] = date(1979, 6, 5)  # corrected to agree with the ID
    new = write_book(tmp_path / "新.xlsx", changed, [good_org()])
    out = tmp_path / "变动.xlsx"
    result = dyxx("diff", str(old), str(new), "-o", str(out), "--mask")
    assert result.returncode == 1, result.output
    assert_hidden(texts_of(out))
    assert "1979-**-**" in texts_of(out)
