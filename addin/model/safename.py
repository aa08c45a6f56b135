"""File names and sheet names built from data: safe on every system, unique, never an option.

A name typed into a cell can be anything: ``--accept=socket,…`` (an option to
the program the file is handed to), ``CON`` (a device on Windows), ``..``,
a newline, a right-to-left override, 300 rare characters. Every name dyxx
builds from data goes through here.

File names (:func:`file_stem`; :class:`Namer` and :func:`unique` number repeats):

- Unicode NFC; control characters, path separators and ``<>:"/\\|?*`` become
  ``_``; invisible format characters (bidi overrides, zero-width joiners) go;
- no leading ``-``, ``.`` or space, no trailing ``.`` or space (Windows drops them);
- Windows device names (``CON``, ``NUL``, ``COM1``, ``LPT9`` …, also as
  ``CON.xlsx``, in any case) get a ``_`` after the device name;
- at most :data:`STEM_BYTES` UTF-8 bytes (ext4, APFS: 255 bytes a name) and as
  many UTF-16 units (NTFS: 255 a name), cut between characters, so that a
  suffix such as ``(99).xlsx`` still fits;
- an empty name becomes :data:`PLACEHOLDER`;
- repeats are told apart case-insensitively and with full-width and half-width
  forms alike, as case-insensitive file systems would confuse them: ``名称(2)``.

>>> file_stem("--accept=socket,host=0.0.0.0,port=2002;urp;")
'accept=socket,host=0.0.0.0,port=2002;urp;'
>>> [file_stem(s) for s in ("-rf", "CON", "nul.txt", "..", ".hidden", "a/b\\\\c: d?")]
['rf', 'CON_', 'nul_.txt', '未命名', 'hidden', 'a_b_c_ d_']
>>> file_stem("第一\\n支部\\u202e甲 . ")
'第一_支部甲'
>>> unique(["Party A", "party a", "第1支部", "第１支部", "第1支部(2)"])
['Party A', 'party a(2)', '第1支部', '第１支部(2)', '第1支部(2)(2)']

Sheet names (:func:`sheet_title`) follow Excel's rules: at most 31 characters,
none of ``[]:*?/\\``, no apostrophe at either end, not ``History``, unique
case-insensitively.

>>> taken = set()
>>> [sheet_title(s, taken) for s in ("001 [张三]", "history", "'甲'", "001 [张三]")]
['001 _张三_', 'history_', '甲', '001 _张三_(2)']
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

PLACEHOLDER = "未命名"
STEM_BYTES = 200  # a stem, "(99)" and ".xlsx" stay well under 255 bytes and 255 UTF-16 units
SHEET_UNITS = 31  # Excel's limit for a sheet name, in UTF-16 units

_FILE_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{port}{n}" for port in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")}
)
_LEADING = "-. \t"  # an option, a hidden file, a name that starts with nothing to see
_TRAILING = ". "  # Windows drops these, so two names would become one


def _printable(text: str) -> str:
    """NFC text without controls (become ``_``) or invisible format characters (dropped).

    >>> _printable("a\\tb\\u200dc\\u2028d\\ud800")
    'a_bc_d_'
    """
    out = []
    for char in unicodedata.normalize("NFC", text):
        category = unicodedata.category(char)
        if category in ("Cc", "Cs", "Zl", "Zp"):
            out.append("_")
        elif category != "Cf":
            out.append(char)
    return "".join(out).strip()


def _cut(text: str, max_bytes: int, max_units: int) -> str:
    """The longest start of ``text`` within both limits, cut between characters.

    >>> _cut("甲乙丙", 7, 99), _cut("𠀀𠀁", 99, 3), _cut("ab", 99, 99)
    ('甲乙', '𠀀', 'ab')
    """
    size = units = 0
    for end, char in enumerate(text):
        size += len(char.encode("utf-8"))
        units += 2 if ord(char) > 0xFFFF else 1
        if size > max_bytes or units > max_units:
            return text[:end]
    return text


def _not_device(stem: str) -> str:
    """A stem that Windows does not take for a device (``CON``, ``com1.txt``)."""
    device, dot, rest = stem.partition(".")
    if device.rstrip(" ").upper() in _DEVICES:
        return f"{device}_{dot}{rest}"
    return stem


def file_stem(text: str, limit: int = STEM_BYTES) -> str:
    """A file name without its suffix, safe on Windows, macOS and Linux (see above).

    >>> len(file_stem("𠀀" * 300).encode()), file_stem("com1"), file_stem("Lpt¹.docx")
    (200, 'com1_', 'Lpt¹_.docx')
    """
    stem = _FILE_FORBIDDEN.sub("_", _printable(text)).lstrip(_LEADING)
    stem = _cut(_not_device(stem), limit, limit).rstrip(_TRAILING)
    return stem or PLACEHOLDER


def key(name: str) -> str:
    """What two file or sheet names are compared by: case and full-width/half-width forms
    ignored, as a file system may ignore them (党组织 names match by
    :func:`addin.rules.submission.org_name_key`).

    >>> key("Ｐａｒｔｙ Ａ") == key("party a")
    True
    """
    return unicodedata.normalize("NFKC", name).casefold()


def _numbered(base: str, taken: set[str], fit: Callable[[str, str], str]) -> str:
    """``base``, or ``base(2)``, ``base(3)`` … whichever is free; recorded in ``taken``."""
    name, number = base, 2
    while key(name) in taken:
        suffix = f"({number})"
        name, number = fit(base, suffix) + suffix, number + 1
    taken.add(key(name))
    return name


class Namer:
    """Safe file stems for a set of names, repeats numbered: ``名称``, ``名称(2)`` …

    >>> namer = Namer()
    >>> namer("CON"), namer("con"), namer("")
    ('CON_', 'con_(2)', '未命名')
    """

    def __init__(self, limit: int = STEM_BYTES) -> None:
        self.limit = limit
        self.taken: set[str] = set()

    def __call__(self, text: str) -> str:
        return _numbered(file_stem(text, self.limit), self.taken, self._fit)

    def _fit(self, base: str, suffix: str) -> str:
        room = self.limit - len(suffix)
        return _cut(base, room, room).rstrip(_TRAILING) or PLACEHOLDER


def unique(texts: Iterable[str], limit: int = STEM_BYTES) -> list[str]:
    """Safe, distinct file stems for ``texts``, in order (see :class:`Namer`)."""
    namer = Namer(limit)
    return [namer(text) for text in texts]


def sheet_title(text: str, taken: set[str]) -> str:
    """A sheet name Excel and LibreOffice accept, distinct from the ``taken`` ones.

    ``taken`` holds the :func:`key` of every name already used in the
    workbook; the new one is added to it.

    >>> taken = set()
    >>> len(sheet_title("张" * 40, taken)), sheet_title("张" * 40, taken)[-5:]
    (31, '张张(2)')
    """
    title = _SHEET_FORBIDDEN.sub("_", _printable(text)).strip("' ")
    if title.casefold() == "history":
        title += "_"
    return _numbered(_sheet_fit(title, ""), taken, _sheet_fit)


def _sheet_fit(title: str, suffix: str) -> str:
    room = SHEET_UNITS - len(suffix)
    return _cut(title, 4 * room, room).rstrip("' ") or PLACEHOLDER
