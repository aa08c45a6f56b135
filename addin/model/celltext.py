"""Text from cells as dyxx shows and writes it: never a formula, never a control sequence.

A cell can hold anything a user (or an attacker) typed or pasted: ``=HYPERLINK(…)``,
an escape sequence that rewrites the terminal's clipboard, a vertical tab from
Word. Whatever dyxx prints or writes from data goes through here.

Control characters become their visible pictures (U+2400 block), so nothing is
lost and nothing acts; a character that shows as nothing or as an ordinary blank
gets a marker: its Chinese name where an officer knows one (``〔全角空格〕``),
else its code (a direction override, ``〔U+202E〕``).

>>> for_terminal("张三\\x1b]52;c;aGk=\\x07")
'张三␛]52;c;aGk=␇'
>>> for_terminal("a\\nb\\u202ec"), for_terminal("张\\u3000三")
('a␊b〔U+202E〕c', '张〔全角空格〕三')
>>> for_cell("第一支部\\x0b二组\\n")
'第一支部␋二组\\n'
>>> has_control("一\\x0b二"), has_control("一\\n二"), has_control("正常")
(True, False, False)
"""

from __future__ import annotations

import re

# C0 controls, DEL and C1 controls: never printed as they are.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# Controls that XML 1.0 cannot hold at all (tab, newline and carriage return can).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# Bidirectional overrides and isolates ("Trojan Source"), zero-width and BOM marks, and the
# blanks that look like an ASCII space (a full-width space is a different ID, name or code).
_INVISIBLE = re.compile("[\u00a0\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\u3000\ufeff]")
#: Invisible characters by the name an officer knows them by; any other shows its code.
NAMED = {"\u3000": "全角空格", "\u00a0": "不换行空格"}


def marker(char: str) -> str:
    """How a character that does not show is shown in text: ``〔全角空格〕``, ``〔U+202E〕``."""
    return f"〔{NAMED.get(char) or f'U+{ord(char):04X}'}〕"


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return marker(match.group())


def for_terminal(text: str) -> str:
    """``text`` with every control and direction character made visible."""
    return _INVISIBLE.sub(_picture, _CONTROL.sub(_picture, text))


def for_cell(text: str) -> str:
    """``text`` that an .xlsx cell can hold: XML-illegal controls made visible."""
    return _XML_ILLEGAL.sub(_picture, text)


def has_control(text: str) -> bool:
    """Whether ``text`` holds a control character other than tab, newline, return."""
    return _XML_ILLEGAL.search(text) is not None


def set_text(cell, value: object) -> None:
    """Put ``value`` into an openpyxl cell; a string stays a string, never a formula.

    openpyxl turns any string starting with ``=`` into a formula; forcing the
    type writes it as an inline string that no office suite evaluates.
    """
    if isinstance(value, str):
        cell.value = for_cell(value)
        cell.data_type = "s"
    else:
        cell.value = value
