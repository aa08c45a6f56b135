"""A workbook as an officer's LibreOffice Calc saves it, with everything a copy must keep.

:func:`build` (any Python) runs this file with the system Python (python3-uno, as
tests/support/uno_bridge.py does): a headless LibreOffice opens a plain dyxx-made roster,
adds what real workbooks carry, and saves it as .xlsx:

- on the member sheet: 出生日期 as a formula (saved with its cached results), an
  image, a text box, notes on two cells, frozen panes, print settings (landscape,
  print area, repeated title rows, a header), and a dropdown whose list is on another
  sheet;
- a hidden sheet (选项) holding that list (and one for 人员类别, see the tests);
- a chart on a sheet of its own (统计).
"""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib
from pathlib import Path

SYSTEM_PYTHON = "/usr/bin/python3"
MEMBERS, ORGS, OPTIONS, CHART = "党员基本信息汇总表", "党组织和所在单位信息汇总表", "选项", "统计"
BIRTH_FORMULA = "DATE(VALUE(MID($D{row};7;4));VALUE(MID($D{row};11;2));VALUE(MID($D{row};13;2)))"
NOTES = {"E6": "已电话核实性别", "B7": "新调入"}  # E6 is flagged by dyxx check, B7 is not
TIMEOUT = 300


def build(source: Path, target: Path, rows: int) -> Path:
    """Open ``source`` in LibreOffice, add the parts, save ``target`` (``rows`` members)."""
    command = [SYSTEM_PYTHON, str(Path(__file__).resolve()), str(source), str(target), str(rows)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    if done.returncode:
        raise RuntimeError(f"LibreOffice could not build the fixture:\n{done.stderr}")
    return target


def png(width: int = 24, height: int = 16) -> bytes:
    """A small red-and-white PNG, made without any imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00"
        + b"".join(b"\xc0\x00\x00" if (x + y) % 4 < 2 else b"\xff\xff\xff" for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


# --------------------------------------------------------------------------- LibreOffice side


def _make(source: str, target: str, rows: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from uno_bridge import Server  # the system Python: uno is importable here

    server = Server()
    try:
        doc = server._open(source)
        try:
            _decorate(server, doc, rows, Path(target).with_suffix(".png"))
            server._store(doc, target, "Calc Office Open XML")
        finally:
            doc.close(True)
    finally:
        server.close()


def _decorate(server, doc, rows: int, picture: Path) -> None:
    from com.sun.star.awt import Point, Size
    from com.sun.star.table import CellAddress, CellRangeAddress

    sheets = doc.Sheets
    members = sheets.getByName(MEMBERS)
    sheets.insertNewByName(OPTIONS, sheets.getCount())
    options = sheets.getByName(OPTIONS)
    for row, name in enumerate(("汉族", "回族", "苗族", "瑶族", "侗族")):
        options.getCellByPosition(0, row).setString(name)
    for row, name in enumerate(("正式党员", "预备党员")):
        options.getCellByPosition(1, row).setString(name)
    options.IsVisible = False
    for row in range(6, 6 + rows):  # 出生日期 from the ID number, with cached results
        cell = members.getCellRangeByName(f"G{row}")
        cell.setFormula("=" + BIRTH_FORMULA.format(row=row))
    check = members.getCellRangeByName(f"F6:F{5 + rows}").Validation
    from com.sun.star.sheet.ValidationType import LIST

    check.Type = LIST
    check.setFormula1(f"${OPTIONS}.$A$1:$A$5")
    check.ShowErrorMessage = True
    members.getCellRangeByName(f"F6:F{5 + rows}").Validation = check
    from uno_bridge import cell_position  # beside this file (see _make)

    for ref, text in NOTES.items():
        row, col = cell_position(ref)
        members.Annotations.insertNew(CellAddress(members.RangeAddress.Sheet, col, row), text)
    page = members.DrawPage
    picture.write_bytes(png())
    image = doc.createInstance("com.sun.star.drawing.GraphicObjectShape")
    image.GraphicURL = server.uno.systemPathToFileUrl(str(picture))
    page.add(image)
    image.setSize(Size(2000, 1300))
    image.setPosition(Point(30000, 500))
    box = doc.createInstance("com.sun.star.drawing.TextShape")
    page.add(box)
    box.setSize(Size(6000, 1500))
    box.setPosition(Point(34000, 500))
    box.setString("填报人：王芳")
    members.setPrintAreas((CellRangeAddress(members.RangeAddress.Sheet, 0, 0, 19, 5 + rows),))
    members.setPrintTitleRows(True)
    members.setTitleRows(CellRangeAddress(members.RangeAddress.Sheet, 0, 3, 19, 4))
    style = doc.StyleFamilies.getByName("PageStyles").getByName(members.PageStyle)
    style.IsLandscape = True
    size = style.Size
    style.Size = Size(max(size.Width, size.Height), min(size.Width, size.Height))
    style.HeaderIsOn = True
    header = style.RightPageHeaderContent
    header.CenterText.setString("党员信息采集")
    style.RightPageHeaderContent = header
    _chart(doc, sheets, rows)


def _chart(doc, sheets, rows: int) -> None:
    from com.sun.star.awt import Rectangle
    from com.sun.star.table import CellRangeAddress

    sheets.insertNewByName(CHART, sheets.getCount())
    sheet = sheets.getByName(CHART)
    sheet.getCellByPosition(0, 0).setString("类别")
    sheet.getCellByPosition(1, 0).setString("人数")
    for row, (name, count) in enumerate((("正式党员", rows), ("预备党员", 1)), start=1):
        sheet.getCellByPosition(0, row).setString(name)
        sheet.getCellByPosition(1, row).setValue(count)
    index = sheet.RangeAddress.Sheet
    area = CellRangeAddress(index, 0, 0, 1, 2)
    sheet.Charts.addNewByName("人数图", Rectangle(500, 2500, 10000, 7000), (area,), True, True)


if __name__ == "__main__":
    _make(sys.argv[1], sys.argv[2], int(sys.argv[3]))
