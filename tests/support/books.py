"""Workbooks in the official layout, written with openpyxl for dyxx to read back.

>>> good_member()["id_number"]
'430523196803120110'
"""

from __future__ import annotations

import io
import os
import weakref
from datetime import date
from pathlib import Path

import pytest
from stdnum.cn.ric import calc_check_digit

from addin.engine.check import check_files
from addin.write.layout import add_table, new_workbook
from addin.write.marked.annotate import write_annotated

TODAY = date(2024, 6, 1)
SHARED = Path(__file__).resolve().parents[3] / "shared"
BRANCH = "中共邵阳县林业局机关支部委员会"


def person_id(region: str, birth: str, sequence: str = "001") -> str:
    """A valid 18-digit ID (correct GB 11643 check digit)."""
    body = region + birth + sequence
    return body + calc_check_digit(body + "0")


def good_member(**changes: object) -> dict[str, object]:
    """A correct 附件4 row: a man born 1968-03-12, joined 1992, full member in 1993."""
    member: dict[str, object] = {
        "name": "李建国",
        "branch": BRANCH,
        "id_number": person_id("430523", "19680312", "011"),
        "gender": "男",
        "ethnicity": "汉族",
        "birth_date": date(1968, 3, 12),
        "education": "21",
        "category": "正式党员",
        "join_date": date(1992, 7, 1),
        "full_date": date(1993, 7, 1),
        "job": "011",
        "mobile": "13807391234",
        "landline": "0739-6821234",
        "address": "邵阳县塘渡口镇资江路12号",
        "status": "正常",
        "lost": "否",
        "lost_date": None,
        "mobile_flow": "否",
        "destination": None,
    }
    member.update(changes)
    return member


def good_org(**changes: object) -> dict[str, object]:
    org: dict[str, object] = {
        "org_name": BRANCH,
        "org_category": "631",
        "unit_situation": "法人单位",
        "secretary": "李建国",
        "contact": "王芳",
        "phone": "0739-6821234",
        "unit_name": "邵阳县林业局",
        "unit_nature": "4",
        "unit_party_org": "13",
        "unit_code": "11430523006123458Q",
    }
    org.update(changes)
    return org


def write_book(path: Path, members=None, orgs=None) -> Path:
    """An official-layout workbook at ``path`` with these 附件4 and 附件3 rows (None: no table)."""
    key = repr((members, orgs))  # the same rows give the same bytes: openpyxl runs once
    if key not in _WRITTEN:
        workbook = new_workbook()
        if orgs is not None:
            add_table(workbook, "orgs", orgs, committee="中共邵阳县林业局委员会")
        if members is not None:
            add_table(workbook, "members", members, committee="中共邵阳县林业局委员会")
        buffer = io.BytesIO()
        workbook.save(buffer)
        _WRITTEN[key] = buffer.getvalue()
    path.write_bytes(_WRITTEN[key])
    return path


_WRITTEN: dict[str, bytes] = {}


def marked_copy(path: Path, out: Path) -> Path:
    """``dyxx check path -o out`` as of TODAY, without the command line."""
    write_annotated(path, out, check_files([path], today=TODAY))
    return out


def cell_style(cell) -> tuple:
    """A cell's formatting, comparable across two workbooks (openpyxl proxies are not).

    Worked out once per style of a workbook (its cells share a few): a style id stands for
    the same formatting as long as the workbook lives, since openpyxl only adds styles.
    """
    known = _STYLES.setdefault(cell.parent.parent, {})
    style = cell.style_id
    if style not in known:
        parts = (cell.fill, cell.font, cell.border, cell.alignment, cell.protection)
        known[style] = (*map(repr, parts), cell.number_format)
    return known[style]


_STYLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def shared_file(*parts: str) -> Path:
    """A file from ../shared; skipped locally when absent, a failure under CI."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing in CI")
        pytest.skip(f"{path} not available outside the project setup")
    return path
