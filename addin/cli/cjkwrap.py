"""Line breaking for Chinese on the terminal: between any two characters, not only at spaces.

Rich breaks lines at spaces; a run of Chinese has none, so a table cell either cuts it
with "…" or moves the whole run to the next line, leaving a short ragged line before it.
Chinese may break between any two characters, except before closing punctuation
(``，。）”``) or after opening punctuation (``（“``); Latin words and option names stay
whole.

>>> def lines(text, width):
...     cuts = [0, *line_breaks(text, width), len(text)]
...     return [text[a:b].rstrip() for a, b in zip(cuts, cuts[1:])]
>>> lines("允许覆盖已有的、不是 dyxx 写出的同名文件", 12)
['允许覆盖已有', '的、不是', 'dyxx 写出的', '同名文件']
>>> lines("默认为原文件名加“_导入”；输入的文件", 16)
['默认为原文件名加', '“_导入”；输入的', '文件']
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console, JustifyMethod, OverflowMethod
from rich.containers import Lines
from rich.text import Text

NO_LINE_START = set("，。、；：？！）》」』】〕”’…%％·")
NO_LINE_END = set("（《「『【〔“‘")


def _wide(char: str) -> bool:
    return cell_len(char) == 2


def _breakable(before: str, after: str) -> bool:
    """Whether a line may end between ``before`` and ``after``."""
    if after.isspace():
        return False
    if before.isspace():
        return True
    if after in NO_LINE_START or before in NO_LINE_END:
        return False
    return _wide(before) or _wide(after)


def line_breaks(text: str, width: int) -> list[int]:
    """Offsets where ``text`` is broken into lines of at most ``width`` cells (greedy)."""
    breaks: list[int] = []
    start, used, last = 0, 0, 0
    for index, char in enumerate(text):
        if index > start and _breakable(text[index - 1], char):
            last = index
        used += cell_len(char)
        if used > width and not char.isspace() and index > start:
            cut = last if last > start else index  # no place to break: fold the word
            breaks.append(cut)
            start, last = cut, cut
            used = cell_len(text[cut : index + 1])
            if used > width and index > cut:  # what follows the break is still too wide
                breaks.append(index)
                start, last, used = index, index, cell_len(char)
    return breaks


class ChineseText(Text):
    """A rich Text that breaks its lines like Chinese (:func:`line_breaks`)."""

    __slots__ = ()

    def wrap(
        self,
        console: Console,
        width: int,
        *,
        justify: JustifyMethod | None = None,
        overflow: OverflowMethod | None = None,
        tab_size: int = 8,
        no_wrap: bool | None = None,
    ) -> Lines:
        if (self.no_wrap if no_wrap is None else no_wrap) or overflow == "ignore":
            return super().wrap(
                console, width, justify=justify, overflow=overflow, tab_size=tab_size, no_wrap=True
            )
        justify = justify or self.justify or "default"
        overflow = overflow or self.overflow or "fold"
        lines = Lines()
        for line in self.split(allow_blank=True):
            if "\t" in line:
                line.expand_tabs(tab_size)
            pieces = line.divide(line_breaks(line.plain, width))
            for piece in pieces:
                piece.rstrip()
            pieces.justify(console, width, justify=justify, overflow=overflow)
            for piece in pieces:
                piece.truncate(width, overflow=overflow)
            lines.extend(pieces)
        return lines


def as_chinese_text(text: Text) -> ChineseText:
    """``text`` (its styles too) as a :class:`ChineseText`."""
    wrapped = ChineseText(
        text.plain,
        style=text.style,
        justify=text.justify,
        overflow=text.overflow,
        no_wrap=text.no_wrap,
        end=text.end,
        tab_size=text.tab_size,
    )
    wrapped.spans = list(text.spans)
    return wrapped
