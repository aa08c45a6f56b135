"""安全保密: masking ID numbers and phone numbers in anything shared.

>>> mask_text("身份证号430523196803120118的校验位应为6")
'身份证号430523********0118的校验位应为6'
>>> mask_text("手机号“13807391234”，固定电话 0739-6821234")
'手机号“138****1234”，固定电话 0739-***1234'
>>> mask_text("2017-06-15 入党")  # dates are not personal data
'2017-06-15 入党'
"""

from __future__ import annotations

import re

# Fields whose whole value is personal data (masked even when malformed).
PERSONAL_FIELDS = frozenset({"公民身份证号", "手机号", "固定电话", "联系电话"})

# 18- or 15-character ID numbers (the x may be lower case), not inside longer digit runs.
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8}|\d{5})(\d{3}[0-9Xx])(?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}[-－ ]?|[(（]0\d{2,3}[)）])(\d{3,4})(\d{4})(?!\d)")


def mask_id(number: str) -> str:
    """Keep the region code and the last four characters.

    >>> mask_id("430523196803120118"), mask_id("430523680312011")
    ('430523********0118', '430523*****2011')
    """
    return ID_NUMBER.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), number)


def mask_value(value: str) -> str:
    """Mask a whole cell value of an ID or phone field, even a malformed one.

    >>> mask_value("1380739123"), mask_value("43052319680312011"), mask_value("6821234")
    ('138***9123', '430**********2011', '***1234')
    """
    value = value.strip()
    if len(value) >= 9:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return "*" * max(len(value) - 4, 1) + value[-4:]


def mask_text(text: str) -> str:
    """Mask every ID number and phone number inside a message or a cell text."""
    text = mask_id(text)
    text = MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return LANDLINE.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)
