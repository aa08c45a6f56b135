"""预备期 by period: members who joined under each party constitution, on a real workbook.

Every boundary date is tried from both sides; a correct veteran record raises nothing.
"""

from __future__ import annotations

from datetime import date

import pytest

from addin.rules import probation
from addin.values.codes import read_csv
from tests.support.books import good_member, good_org, person_id

BORN = date(1920, 1, 1)
D = date.fromisoformat

# (加入党组织日期, 转为正式党员日期, the rule expected on the 转正 date or None)
CASES = [
    # before 1945-04-23: no probation to check (转正 on the join date, or any time later)
    (D("1944-05-01"), D("1944-05-01"), None),
    (D("1945-04-22"), D("1945-04-22"), None),
    (D("1944-05-01"), D("1950-01-01"), None),
    (D("1944-05-01"), D("1944-04-30"), "member.full_date_early"),  # before joining
    # 1945-04-23 to 1956-09-14 (七大): six months to two years
    (D("1945-04-23"), D("1945-10-23"), None),
    (D("1945-04-23"), D("1945-10-22"), "member.full_date_early"),
    (D("1946-03-01"), D("1948-03-01"), None),
    (D("1946-03-01"), D("1948-03-02"), "member.full_date_late"),
    (D("1956-09-14"), D("1957-03-14"), None),
    # 1956-09-15 to 1969-03-31 (八大): one year, extended by at most one
    (D("1956-09-15"), D("1957-03-15"), "member.full_date_early"),
    (D("1956-09-15"), D("1957-09-15"), None),
    (D("1969-03-31"), D("1969-03-31"), "member.full_date_early"),
    (D("1969-03-31"), D("1971-03-31"), None),
    # 1969-04-01 to 1977-08-11 (九大): no probation, 转正 on the join date is normal
    (D("1969-04-01"), D("1969-04-01"), None),
    (D("1970-05-01"), D("1970-05-01"), None),
    (D("1974-07-01"), D("1975-01-01"), None),
    (D("1977-08-11"), D("1977-08-11"), None),
    (D("1970-05-01"), D("1970-04-30"), "member.full_date_early"),
    (D("1970-05-01"), D("1972-05-02"), "member.full_date_late"),
    # from 1977-08-12 (十一大 on): one year, extended by at most one
    (D("1977-08-12"), D("1977-08-12"), "member.full_date_early"),
    (D("1977-08-12"), D("1978-08-12"), None),
    (D("1992-07-01"), D("1993-06-30"), "member.full_date_early"),
    (D("1992-07-01"), D("1994-07-02"), "member.full_date_late"),
]
FIRST_ROW = 6


def veteran(number: int, joined: date, full: date) -> dict[str, object]:
    return good_member(
        name="老党员",
        id_number=person_id("430523", BORN.strftime("%Y%m%d"), f"{2 * number + 1:03d}"),
        birth_date=BORN,
        join_date=joined,
        full_date=full,
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from addin.engine.check import check_files
    from tests.support.books import TODAY, write_book

    members = [veteran(n, joined, full) for n, (joined, full, _rule) in enumerate(CASES)]
    path = write_book(tmp_path_factory.mktemp("probation") / "老党员.xlsx", members, [good_org()])
    return check_files([path], today=TODAY)


def test_each_period_has_its_own_probation(report):
    got = {(f.row, f.rule) for f in report.findings}
    expected = {(FIRST_ROW + n, rule) for n, (_j, _f, rule) in enumerate(CASES) if rule}
    assert got == expected


@pytest.mark.parametrize(
    ("row", "words"),
    [
        (3, "早于加入党组织日期（1944-05-01）；1945年4月23日以前入党的"),
        (5, "早于入党满六个月（1945-10-23）；1945年4月23日至1956年9月14日入党的，七大党章"),
        (7, "晚于入党满两年（1948-03-01）；1945年4月23日至1956年9月14日入党的"),
        (9, "早于入党满一年（1957-09-15）；1956年9月15日至1969年3月31日入党的，八大党章"),
        (17, "早于加入党组织日期（1970-05-01）；1969年4月1日至1977年8月11日入党的，九大党章"),
        (18, "晚于入党满两年（1972-05-01）；1969年4月1日至1977年8月11日入党的"),
        (19, "早于入党满一年（1978-08-12）；1977年8月12日起入党的，预备期为一年"),
    ],
)
def test_messages_say_which_period_applies(report, row, words):
    (finding,) = [f for f in report.findings if f.row == FIRST_ROW + row]
    assert words in finding.message


def test_the_periods_follow_each_other_from_the_beginning_of_time():
    found = probation.periods()
    assert found[0].start == date.min and found[-1].end == date.max
    assert [p.start.isoformat() for p in found[1:]] == [
        "1945-04-23",
        "1956-09-15",
        "1969-04-01",
        "1977-08-12",
    ]
    assert all(p.longest is None or p.shortest <= p.longest for p in found)


def test_the_table_names_its_source():
    meta, rows = read_csv(probation.FILE)
    assert meta["标题"] == "预备期" and meta["日期"]
    for words in ("中共中央组织部", "党龄", "七大", "八大", "九大", "十一大", "党章"):
        assert words in meta["来源"], words
    assert list(rows[0]) == ["from", "to", "shortest_months", "longest_months", "note"]
