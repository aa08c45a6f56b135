"""The marked-copy format: what a mark looks like, and the words of the stamp's records.

The one definition for everything that paints, reads back or undoes marks:
``dyxx check -o`` (:mod:`.annotate`, :mod:`.xlsxmark`), the Excel 校验 button
(:mod:`addin.excel.marks`, :mod:`.state`), ``dyxx verify`` (:mod:`.stamp`) and
``dyxx clean`` (:mod:`.unmark`, :mod:`.unpaint`). The names and headers by which
dyxx's sheets are recognised are :mod:`addin.read.ownsheets`'.

Colours are written "#RRGGBB" (as xlwings and the add-in's state sheet have them);
styles.xml holds them as "FFRRGGBB" (:func:`solid_fill`, :func:`fill_colour`).
"""

from __future__ import annotations

import json
import re

from addin.model.findings import Finding

SEVERITY_NAMES = {"error": "错误", "warning": "警告"}
# A marked cell's fill: one unit off Excel's own "Bad" and "Neutral" fills, so a cell an
# officer styled "Bad" is never taken for a mark (and its fill never dropped).
MARK_COLOURS = {"error": "#FFC7CF", "warning": "#FFEB9D"}
# check -o painted Excel's own fills before: such a mark is undone only where the copy's
# mark record lists the cell (:func:`is_recorded_mark`).
EARLIER_COLOURS = ("#FFC7CE", "#FFEB9C")
NOTE_AUTHOR = "dyxx 校验"
NOTE_PREFIXES = tuple(f"【{name}】" for name in SEVERITY_NAMES.values())  # starts our lines
FG_COLOUR = re.compile(rb'<(?:\w+:)?fgColor\b[^>]*\brgb="([0-9A-Fa-f]{6,8})"')

# ---- the 校验记录 stamp: its summary items, and the tags of its records -----------------------

CHECKED_AT, CHECKED_FILE, ROWS_CHECKED = "校验时间", "校验文件", "检查行数"
ERRORS, WARNINGS = "错误数", "警告数"
VERDICT, PASSED, FAILED = "结论", "通过", "未通过"
FINGERPRINT = "数据指纹"  # the whole data's fingerprint
CODE_TABLE = "代码表 "  # + a code table's name: the version checked against
# 【行指纹】: a short hash of every data row, for dyxx verify (never the data).
FINGERPRINTS_TAG = "【行指纹】"
FINGERPRINTS_NOTE = (
    "每行数据的哈希值（不含数据本身）；dyxx verify 据此找出校验后增加、删除或修改的行"
)
FILE_FINGERPRINT, ROW_FINGERPRINTS = "本文件数据指纹", "行指纹"
# Since the print-ready layout the two records are on a hidden sheet (ownsheets.LEDGER_SHEET),
# and the visible stamp says where; copies written before hold them below the summary.
RECORDS_WHERE = "记录位置"
FINGERPRINTS_PER_ROW = 1000  # hashes per stamp cell (17 characters each, cells hold 32,767)
# 【标注记录】: what each marked cell looked like before, for dyxx clean (see xlsxmark).
MARKS_TAG = "【标注记录】"
MARKS_NOTE = "dyxx clean 据此恢复被标注单元格原来的样式；只记样式编号和填充，不含任何数据"
WRITER, STYLE_COUNT, FILL_COUNT, STYLES_HASH, VML_TYPE_TAG = (
    "标注方式",
    "原样式数",
    "原填充数",
    "样式表指纹",
    "VML类型",
)
SHEET_PARTS, FILL_TAG, CELL_TAG, SPLICE_TAG = "批注部件", "原填充", "标注单元格", "插入位置"
PRINT_TITLES = "打印标题"  # what the results sheet's print titles replaced in workbook.xml
INSERTED_CELL, INSERTED_ROW = "单元格", "行"
YES, NO = "是", "否"
SPANS_PER_ROW = 2000  # insertion places per stamp cell (up to 15 characters each)


# ---- colours -------------------------------------------------------------------------------------


def hex_colour(value: object) -> str | None:
    """A fill as "#RRGGBB" from an RGB tuple (as xlwings reads it), a hex string or None.

    >>> hex_colour((255, 199, 206)), hex_colour("ffc7ce"), hex_colour(None)
    ('#FFC7CE', '#FFC7CE', None)
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return "#" + value.lstrip("#").upper()
    red, green, blue = value  # type: ignore[misc]
    return f"#{red:02X}{green:02X}{blue:02X}"


def solid_fill(colour: str) -> bytes:
    """The styles.xml fill of a colour ("#RRGGBB"), as every writer of marks adds it.

    >>> b'<fgColor rgb="FFFFC7CF"/>' in solid_fill(MARK_COLOURS["error"])
    True
    """
    rgb = "FF" + colour.lstrip("#").upper()
    return (
        f'<fill><patternFill patternType="solid"><fgColor rgb="{rgb}"/>'
        '<bgColor indexed="64"/></patternFill></fill>'
    ).encode()


def fill_colour(fill: bytes) -> str | None:
    """The colour ("#RRGGBB") of a solid fill's XML; None for any other fill.

    >>> fill_colour(solid_fill("#ffeb9c")), fill_colour(b'<fill><patternFill/></fill>')
    ('#FFEB9C', None)
    """
    if b'patternType="solid"' not in fill:
        return None
    found = FG_COLOUR.search(fill)
    return f"#{found.group(1)[-6:].decode().upper()}" if found else None


def is_mark_colour(colour: str | None) -> bool:
    """Whether a fill colour ("#RRGGBB", None: no fill) is one of dyxx's marks."""
    return colour is not None and colour.upper() in MARK_COLOURS.values()


def is_recorded_mark(fill: bytes) -> bool:
    """Whether a fill's XML (styles.xml) of a cell our mark record lists is still our mark."""
    colour = fill_colour(fill)
    return is_mark_colour(colour) or colour in EARLIER_COLOURS


# ---- notes ---------------------------------------------------------------------------------------


def notes_by_cell(findings: list[Finding]) -> dict[tuple[str, str], tuple[str, str]]:
    """(sheet, cell) -> (worst severity, the note text) for every flagged cell: one line
    per finding, each starting with its severity (:data:`NOTE_PREFIXES`)."""
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        if finding.column is not None:
            by_cell.setdefault((finding.sheet, finding.cell), []).append(finding)
    notes = {}
    for key, items in by_cell.items():
        if len(items) == 1:  # most cells: one finding
            (only,) = items
            worst = "error" if only.severity == "error" else "warning"
            notes[key] = (worst, note_line(only))
            continue
        worst = "error" if any(f.severity == "error" for f in items) else "warning"
        notes[key] = (
            worst,
            "\n".join(map(note_line, items)),
        )
    return notes


def note_line(finding: Finding) -> str:
    """A finding's line in its cell's note: severity, whose row it is, the message.

    >>> from dataclasses import replace
    >>> found = Finding("a", "附件4", 7, 5, "性别", "r.x", "error", "x", "性别不对")
    >>> note_line(replace(found, name="王芳")), note_line(found)
    ('【错误】王芳：性别不对', '【错误】性别不对')
    """
    who = f"{finding.name}：" if finding.name else ""
    return f"【{SEVERITY_NAMES[finding.severity]}】{who}{finding.message}"


def starts_ours(text: str) -> bool:
    """Whether a note's text is ours from its first line."""
    return text.startswith(NOTE_PREFIXES)


def is_our_note(author: str, text: str) -> bool:
    """Whether a note is ours, or holds lines of ours after the officer's own."""
    return author == NOTE_AUTHOR or any(starts_ours(line) for line in text.splitlines())


def own_lines(text: str) -> str:
    """The officer's lines of a note that holds ours: those before our first line.

    >>> own_lines("已核实\\n【错误】性别不对"), own_lines("【警告】手机号")
    ('已核实', '')
    """
    lines = text.split("\n")
    ours = next((i for i, line in enumerate(lines) if starts_ours(line)), 0)
    return "\n".join(lines[:ours])


# ---- records -------------------------------------------------------------------------------------


def packed(*values: object) -> str:
    """Several values in one cell of a record, as a JSON list.

    >>> packed("附件4", "E6", 5)
    '["附件4", "E6", 5]'
    """
    return _PACK(list(values))


_PACK = json.JSONEncoder(ensure_ascii=False).encode  # one encoder for the 40,000 rows of a stamp
