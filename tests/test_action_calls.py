"""How many Excel calls a click costs: 5,000 rows with about 500 findings.

Counted through xlwings' remote engine: every returned action is one call,
and every value read is counted at the engine's Range. Fills are grouped
(``set_colors`` blocks there, multi-area ranges on the desktop), values go in
blocks; only notes are written cell by cell. A second click on an unchanged
workbook writes the 校验记录 stamp and nothing else. The desktop side (multi-
area fills, the probe's grouped fill reads) is checked with a recording stand-in
for xlwings' Sheet and Range, since there is no Excel here.
"""

from __future__ import annotations

from collections import Counter

import pytest

from addin.ribbon.paint import areas, paint
from addin.ribbon.probe import ADDRESS_LIMIT, DesktopProbe
from addin.write.marked.format import MARK_COLOURS
from bench.generate import TODAY, write
from tests.support.client import Client, remote_engine

pytestmark = pytest.mark.excel
ROWS = 5000


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("calls") / "5000.xlsx"
    plan = write(path, ROWS, seed=1, ratio=0.005)
    return path, plan


@pytest.fixture
def value_reads(monkeypatch):
    """Count value reads at the remote engine's Range (each is one Excel call on desktop)."""
    remote_engine(monkeypatch)
    from xlwings.pro import _xlremote

    reads: list[int] = []
    original = _xlremote.Range.raw_value

    def counted(self):
        reads.append(1)
        return original.fget(self)

    monkeypatch.setattr(_xlremote.Range, "raw_value", property(counted, original.fset))
    return reads


@pytest.mark.e2e  # 5,000 rows
def test_a_click_on_5000_rows_costs_a_bounded_number_of_calls(generated, value_reads, monkeypatch):
    path, plan = generated
    client = Client(path)
    outcome, actions, probe = client.click(monkeypatch, today=TODAY, operator="测试员")
    cells = {(f.sheet, f.cell) for f in outcome.findings if f.column}
    assert 450 <= len(cells) <= 550 and len(outcome.findings) == len(plan.defects)
    calls = Counter(a["func"] for a in actions)
    notes = calls["addNote"]
    assert notes == len(cells)  # one note per marked cell: the only per-cell writes
    assert calls["setRangeColors"] <= 10  # 500 fills in ≤ 10,000-cell blocks
    # code sheet, 校验结果, 校验记录, 校验数据: one block each; the state twice (before the marks,
    # after)
    assert calls["setValues"] == 6
    assert len(actions) - notes <= 80  # everything else: a fixed number
    assert len(value_reads) == 2  # one read per sheet (附件3, 附件4)
    assert probe.reads["observe"] == len(cells)  # desktop: grouped fill reads + one note read each

    value_reads.clear()
    outcome, actions, probe = client.click(monkeypatch, today=TODAY, operator="测试员")
    assert [a["func"] for a in actions] == [
        "setScreenUpdating",
        "setValues",
        "activateSheet",
        "setScreenUpdating",
    ]
    assert len(value_reads) == len(client.workbook.sheetnames)  # one per sheet, now six
    assert outcome.observed == 0


@pytest.mark.e2e  # 5,000 rows
def test_desktop_fills_are_grouped_into_multi_area_ranges(generated):
    path, _plan = generated
    from addin.engine.check import check_files

    findings = check_files([path], today=TODAY).findings
    cells = [f.cell for f in findings if f.column]
    addresses = areas(cells)
    assert all(len(a) <= ADDRESS_LIMIT for a in addresses)
    assert len(addresses) <= len(cells) // 30  # ~45 cells per call instead of one each
    book = FakeBook()
    calls = paint(book, {("附件4", MARK_COLOURS["error"]): cells})
    assert calls == len(addresses) == len(book.sheet.colours)
    assert {c for a in book.sheet.colours for c in _expand(a)} == set(cells)


def _expand(address: str) -> set[str]:
    from addin.ribbon.paint import position

    found = set()
    for part in address.split(","):
        first, _, last = part.partition(":")
        (top, column), (bottom, _c) = position(first), position(last or first)
        letters = first.rstrip("0123456789")
        found |= {f"{letters}{row}" for row in range(top, bottom + 1)}
        assert column
    return found


class FakeRange:
    def __init__(self, sheet: FakeSheet, address: str) -> None:
        self.sheet, self.address = sheet, address

    @property
    def color(self):
        self.sheet.reads.append(self.address)
        fills = {self.sheet.fills.get(c) for c in self.address.split(",")}
        if len(fills) > 1:
            raise TypeError("int_to_rgb(None): the cells' fills differ")
        return fills.pop()

    @color.setter
    def color(self, value) -> None:
        self.sheet.colours.append(self.address)

    @property
    def note(self):
        return None


class FakeSheet:
    """Records what xlwings' desktop Sheet/Range would be asked."""

    def __init__(self) -> None:
        self.fills: dict[str, tuple[int, int, int]] = {}
        self.colours: list[str] = []
        self.reads: list[str] = []

    def range(self, address: str) -> FakeRange:
        return FakeRange(self, address)


class FakeBook:
    def __init__(self) -> None:
        self.sheet = FakeSheet()
        self.sheets = {"附件4": self.sheet}
        self.app = type("App", (), {"engine": type("Engine", (), {"name": "excel"})()})()


def test_desktop_probe_reads_fills_in_groups_and_halves_only_where_they_differ():
    book = FakeBook()
    cells = [f"D{row}" for row in range(6, 506)]
    book.sheet.fills = {"D100": (0, 176, 240), "D300": (146, 208, 80)}
    observed = DesktopProbe().observe(book, [("附件4", c) for c in cells])
    assert observed[("附件4", "D100")].fill == "#00B0F0"
    assert observed[("附件4", "D300")].fill == "#92D050"
    assert observed[("附件4", "D6")].fill is None
    assert all(len(r) <= ADDRESS_LIMIT for r in book.sheet.reads)
    assert len(book.sheet.reads) < 60  # 500 cells, two with a fill of their own
