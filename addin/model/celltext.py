"""Text from cells as dyxx shows and writes it: never a formula, never a control sequence.

A cell can hold anything a user (or an attacker) typed or pasted: ``=HYPERLINK(…)``,
an escape sequence that rewrites the terminal's clipboard, a vertical tab from
Word. Whatever dyxx prints or writes from data goes through here.

Control characters become their visible pictures (U+2400 block), so nothing is
lost and nothing acts; direction overrides become ``<U+202E>``.

>>> for_terminal("张三\\x1b]52;c;aGk=\\x07")
'张三␛]52;c;aGk=␇'
>>> for_terminal("a\\nb\\u202ec")
'a␊b<U+202E>c'
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
# Bidirectional overrides and isolates ("Trojan Source"), zero-width and BOM marks.
_INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return f"<U+{code:04X}>"


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
