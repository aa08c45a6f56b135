"""安全保密: masking ID numbers and phone numbers in anything shared.

>>> mask_text("身份证号430523196803120118的校验位应为6")
'身份证号430523********0118的校验位应为6'
>>> mask_text("手机号“13807391234”，固定电话 0739-6821234")
'手机号“138****1234”，固定电话 0739-***1234'
>>> mask_text("出生日期1979-05-06与身份证号中的1979-06-05不一致")  # the ID's hidden digits
'出生日期1979-**-**与身份证号中的1979-**-**不一致'
>>> mask_text("2017-06-15 入党", dates=False)  # in a value of another field, a date stays
'2017-06-15 入党'
>>> mask_text("手机号138 0739 1240，1380739124，43052319680312011")  # malformed ones too
'手机号138 **** 1240，138****124，430**********2011'
>>> mask_text("固定电话07391-6821234、0739-682123、6821234")
'固定电话07391-***1234、0739-**2123、***1234'
"""

from __future__ import annotations

import re

from addin.model.fields import BIRTH_LABELS, PERSONAL_LABELS

# 18- or 15-character ID numbers (the x may be lower case), not inside longer digit runs.
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8}|\d{5})(\d{3}[0-9Xx])(?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)([ -]?)(\d{4})([ -]?)(\d{3,4})(?!\d)")
LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}[-－ ]?|[(（]0\d{2,3}[)）])(\d{3,4})(\d{4})(?!\d)")
# Full dates (the birth date inside an ID is one): 1979-05-06, 1979.5.6, 1979年5月6日, 19790506.
DATE = re.compile(r"(?<![\d*])((?:19|20)\d\d)([-./年])(\d{1,2})([-./月])(\d{1,2})(?![\d*])")
COMPACT_DATE = re.compile(r"(?<![\d*])((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?![\d*])")
# A mistyped landline: any area-code-like prefix, a separator, five or more digits.
ODD_LANDLINE = re.compile(r"(?<![\d*])(0\d{1,5}[-－ ])(\d{5,})(?![\d*])")
# Any other run of seven or more digits (a local number, a mistyped ID or phone) keeps its ends.
LONG_NUMBER = re.compile(r"(?<![\d*])\d{7,}(?![\d*])")


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


def mask_dates(text: str) -> str:
    """Hide the month and day of every full date.

    >>> mask_dates("1979年5月6日、19790506、2015-03")
    '1979年**月**日、1979****、2015-03'
    """
    text = DATE.sub(lambda m: f"{m[1]}{m[2]}**{m[4]}**", text)
    return COMPACT_DATE.sub(lambda m: f"{m[1]}****", text)


def mask_text(text: str, *, dates: bool = True) -> str:
    """Mask every ID number, phone number and (unless ``dates`` is False) full date in a text."""
    text = mask_id(text)
    if dates:
        text = mask_dates(text)
    text = MOBILE.sub(lambda m: f"{m[1]}{m[2]}****{m[4]}{m[5]}", text)
    text = LANDLINE.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)
    text = ODD_LANDLINE.sub(lambda m: m[1] + "*" * (len(m[2]) - 4) + m[2][-4:], text)
    return LONG_NUMBER.sub(lambda m: _long(m.group(), dates), text)


def _long(digits: str, dates: bool) -> str:
    if not dates and COMPACT_DATE.fullmatch(digits):
        return digits  # 20170615 in a 入党日期 is a date, not a number to hide
    return mask_value(digits)


def mask_field(field: str, text: str) -> str:
    """A cell value of the field labelled ``field``, masked for sharing
    (what the registry's ``personal`` says: :mod:`addin.model.fields`).

    >>> mask_field("出生日期", "1979-05-06"), mask_field("入党日期", "2017-06-15")
    ('1979-**-**', '2017-06-15')
    >>> mask_field("手机号", "1380"), mask_field("出生日期", "五月六日")
    ('*1380', '****')
    """
    if not text:
        return text
    if field in BIRTH_LABELS:  # the part of an ID number masking hides
        hidden = mask_text(text)
        return hidden if hidden != text else "****"
    hidden = mask_text(text, dates=False)
    if field in PERSONAL_LABELS and hidden == text:
        return mask_value(text)  # a malformed number the patterns do not catch
    return hidden
