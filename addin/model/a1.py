"""A1 references: column letters, cell positions, and runs of rows or columns.

Every reference dyxx reads or writes goes through here, 1-based as Excel counts.

>>> column_letter(28), column_number("AB"), column_number(b"ab"), position("$AB$12")
('AB', 28, 28, (12, 28))
>>> runs([4, 5, 7, 9, 10])
[(4, 5), (7, 7), (9, 10)]
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache


@lru_cache(maxsize=1024)
def column_letter(index: int) -> str:
    """1 -> 'A', 27 -> 'AA'.

    >>> column_letter(1), column_letter(26), column_letter(27), column_letter(703)
    ('A', 'Z', 'AA', 'AAA')
    """
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_number(letters: str | bytes) -> int:
    """The column of ``letters`` (either case): ``A`` -> 1, ``aa`` -> 27 (0 for none)."""
    number = 0
    for char in letters.upper().encode() if isinstance(letters, str) else letters.upper():
        number = number * 26 + char - 64
    return number


@lru_cache(maxsize=65536)
def position(ref: str) -> tuple[int, int]:
    """(row, column) of a cell reference such as ``E7`` or ``$e$7``.

    Raises ValueError when ``ref`` has no row number (``E``, ``E7:F8``).

    >>> position("E7"), position("xfd1048576")
    ((7, 5), (1048576, 16384))
    """
    ref = ref.replace("$", "")
    letters = ref.rstrip("0123456789")
    return int(ref[len(letters) :]), column_number(letters)


def runs(numbers: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive numbers merged into (first, last) runs, in the order given."""
    found: list[tuple[int, int]] = []
    for number in numbers:
        if found and found[-1][1] == number - 1:
            found[-1] = (found[-1][0], number)
        else:
            found.append((number, number))
    return found
