"""预备期: when a member may become a full member depends on when they joined.

The one-year probation is the rule since the 11th Party Congress (1977); before
that the constitutions differed: none before 1945, six months to two years by
class origin under the 7th (1945), one year under the 8th (1956), none under the
9th (1969). The periods are data, with their source, in ``codes/probation.csv``.

>>> period_of(date(1970, 5, 1)).shortest, period_of(date(1946, 3, 1)).shortest
(0, 6)
>>> period_of(date(1977, 8, 11)).shortest, period_of(date(1977, 8, 12)).shortest
(0, 12)
>>> months_text(6), months_text(12), months_text(24), months_text(18)
('六个月', '一年', '两年', '18个月')
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import pairwise

from addin.values.codes import read_csv

FILE = "probation.csv"


@dataclass(frozen=True)
class Period:
    start: date  # first join date of the period (date.min: no bound)
    end: date  # last join date of the period (date.max: no bound)
    shortest: int | None  # months from joining to the earliest 转正 date; None: not checked
    longest: int | None  # months from joining to the latest usual 转正 date; None: not checked
    note: str  # the rule of the period, as a message says it


def _day(text: str, default: date) -> date:
    return date.fromisoformat(text) if text else default


def _months(text: str) -> int | None:
    return int(text) if text else None


@cache
def periods() -> tuple[Period, ...]:
    """Every period, oldest first; they follow each other without a gap or an overlap."""
    _meta, rows = read_csv(FILE)
    found = tuple(
        Period(
            _day(row["from"], date.min),
            _day(row["to"], date.max),
            _months(row["shortest_months"]),
            _months(row["longest_months"]),
            row["note"],
        )
        for row in rows
    )
    for before, after in pairwise(found):
        if before.end.toordinal() + 1 != after.start.toordinal():
            raise ValueError(f"{FILE}: {before.end} and {after.start} do not follow each other")
    return found


@cache
def _starts() -> list[date]:
    return [p.start for p in periods()]


def period_of(joined: date) -> Period:
    """The period of a join date."""
    return periods()[bisect.bisect_right(_starts(), joined) - 1]


_SPOKEN = {6: "六个月", 12: "一年", 24: "两年"}


def months_text(months: int) -> str:
    return _SPOKEN.get(months, f"{months}个月")
