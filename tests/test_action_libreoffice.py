"""The workbook as the 校验 action leaves it, opened in a real spreadsheet (LibreOffice Calc).

No Excel here: this is the nearest real check of what the action writes
through xlwings (applied by the stand-in client): the HYPERLINK formulas of
校验结果 evaluate to the cell address, the dropdowns list the code sheet's
options, marks and notes are where the findings are.
"""

from __future__ import annotations

import pytest

from addin.write.marked.annotate import RESULT_SHEET
from tests.support.books import TODAY, good_member, good_org
from tests.support.client import Client

pytestmark = pytest.mark.excel
MEMBERS = "党员基本信息汇总表"
RED = 0xFFC7CF  # the colour of dyxx check -o


def test_the_marked_workbook_in_libreoffice(book, tmp_path, office, monkeypatch):
    client = Client(book(members=[good_member(gender="女")], orgs=[good_org()]))
    outcome, _actions, _probe = client.click(monkeypatch, today=TODAY, operator="测试员")
    saved = tmp_path / "clicked.xlsx"
    client.workbook.save(saved)
    [finding] = outcome.findings
    seen = office.call(
        "marks",
        path=str(saved),
        cells={MEMBERS: [finding.cell, "B6"], RESULT_SHEET: ["C2", "H2", "I2"]},
    )
    members = seen["cells"][MEMBERS]
    assert members[finding.cell]["back"] == RED
    assert members[finding.cell]["note"].startswith("【错误】李建国：性别")
    assert members["B6"]["back"] == -1 and members["B6"]["note"] == ""
    assert seen["cells"][RESULT_SHEET]["C2"]["string"] == finding.cell  # the link formula
    assert seen["cells"][RESULT_SHEET]["H2"]["string"] == finding.message
    assert seen["cells"][RESULT_SHEET]["I2"]["string"] == finding.name == "李建国"
    inspected = office.call("inspect", path=str(saved), cells={MEMBERS: ["E7", "H7"]})
    gender = inspected["cells"][MEMBERS]["E7"]["validation"]
    assert gender["type"] == "LIST" and gender["values"] == ["男", "女"]
    education = inspected["cells"][MEMBERS]["H7"]["validation"]
    assert "21 大学" in education["values"]
